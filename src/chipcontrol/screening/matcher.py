"""The name matcher: inverted-index blocking, weighted token alignment, explanations.

Algorithm ``chipcontrol-name-v1``
---------------------------------
1. Both names go through :func:`chipcontrol.screening.text.analyse` (Unicode NFKC, case and
   punctuation folding, Han -> dictionary English / pinyin, other scripts -> unidecode, legal forms
   and stop words dropped, generic words and places tagged).
2. Each remaining token gets a weight: distinctive words 1.0 (less when the word is common across
   the lists), generic industry words and places 0.2.
3. Tokens are aligned one-to-one, best similarity first (exact = 1; otherwise rapidfuzz Indel ratio,
   counted from 0.78 up, for words of 4+ letters; adjacent words may join: "hua wei" = "huawei").
4. score = mean of the weighted coverage of the query and of the listed name.
5. A match must align at least one distinctive word. A name made only of generic words and
   places matches only a listed name made of exactly the same words (never on a shared "Beijing"
   or "Technology"); otherwise its score is capped below the threshold.
6. Country is supporting evidence only: +0.03 when the listed country agrees (CN/HK/MO count as
   one), never a filter or a penalty.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

from chipcontrol.errors import InvalidInput
from chipcontrol.screening.countries import query_country, same_country
from chipcontrol.screening.model import ListEntry, ListSnapshot
from chipcontrol.screening.semantics import HitMeaning, meaning_of
from chipcontrol.screening.text import Token, analyse, clean_input, has_han, scored

ALGORITHM = "chipcontrol-name-v1"
DEFAULT_THRESHOLD = 0.80

KIND_WEIGHT = {"name": 1.0, "generic": 0.2, "place": 0.2}
TOKEN_MIN_SIM = 0.78
INITIAL_SIM = 0.9
PLACE_CONFLICT = 0.08
NAME_CONFLICT = 0.05
COUNTRY_BOOST = 0.03
GENERIC_ONLY_CAP = 0.5
MAX_CANDIDATES = 40
COMMON_DF = 8  # a distinctive word in more than this many names starts losing weight
# among equal scores, show the lists with legal consequences first
LIST_PRIORITY = {"dpl": 0, "entity_list": 1, "meu": 2, "sdn": 3, "uvl": 4, "1260h": 5, "ns_cmic": 6}


def token_similarity(a: str, b: str) -> float:
    """Similarity of two folded tokens in [0, 1]; 0 below the fuzzy floor."""
    if a == b:
        return 1.0
    return _fuzzy_similarity(a, b) if a < b else _fuzzy_similarity(b, a)


@lru_cache(maxsize=1 << 18)
def _fuzzy_similarity(a: str, b: str) -> float:
    la, lb = len(a), len(b)
    if (la == 1) != (lb == 1):  # an initial: "J" ~ "Joachim"
        return INITIAL_SIM if a[0] == b[0] and not a.isdigit() and not b.isdigit() else 0.0
    if min(la, lb) < 4 or a.isdigit() or b.isdigit():
        return 0.0
    if abs(la - lb) > max(2, max(la, lb) // 3):
        return 0.0
    s = fuzz.ratio(a, b) / 100.0
    if s < TOKEN_MIN_SIM:
        jw = JaroWinkler.similarity(a, b)
        if jw >= 0.88:
            s = max(s, jw - 0.06)
        short, long_ = (a, b) if la < lb else (b, a)
        if len(short) >= 5 and long_.startswith(short):  # truncated word
            s = max(s, 0.85)
    return s if s >= TOKEN_MIN_SIM else 0.0


@dataclass(frozen=True, slots=True)
class _Name:
    """An analysed name ready for scoring."""

    text: str
    tokens: tuple[Token, ...]  # scored tokens only
    weights: tuple[float, ...]
    legal: tuple[str, ...]
    generic_only: bool
    key: str  # sorted token texts: identical names have identical keys

    @property
    def total(self) -> float:
        return sum(self.weights)


def _prepare(text: str, df: dict[str, int] | None = None, mode: str = "dict") -> _Name:
    toks = analyse(text, mode)
    seen: set[str] = set()
    uniq: list[Token] = []
    for t in scored(toks):  # a repeated word ("Huawei 华为") counts once
        if t.text not in seen:
            seen.add(t.text)
            uniq.append(t)
    sc = tuple(uniq)
    weights = tuple(_weight(t, df) for t in sc)
    legal = tuple(t.text for t in toks if t.kind == "legal")
    generic_only = not any(t.kind == "name" for t in sc)
    key = " ".join(sorted(t.text for t in sc))
    return _Name(text, sc, weights, legal, generic_only, key)


def _weight(t: Token, df: dict[str, int] | None) -> float:
    w = KIND_WEIGHT.get(t.kind, 0.0)
    if t.kind == "name":
        if len(t.text) == 1:
            w *= 0.3
        elif len(t.text) == 2:
            w *= 0.6
        if df is not None:
            n = df.get(t.text, 0)
            if n > COMMON_DF:
                w *= max(0.45, 1.0 - 0.12 * math.log2(n / COMMON_DF))
    return w


@dataclass(frozen=True, slots=True)
class TokenMatch:
    query: str
    listed: str
    similarity: float
    kind: str

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "listed": self.listed, "similarity": round(self.similarity, 3),
                "kind": self.kind}


@dataclass(frozen=True, slots=True)
class Alignment:
    score: float
    query_coverage: float
    listed_coverage: float
    matches: tuple[TokenMatch, ...]
    unmatched_query: tuple[str, ...]
    unmatched_listed: tuple[str, ...]
    distinctive: bool  # a distinctive word matched
    capped: str | None  # why the score was capped, if it was


def _align(q: _Name, c: _Name) -> Alignment:
    qt, ct = q.tokens, c.tokens
    nq, nc = len(qt), len(ct)
    if nq == 0 or nc == 0:
        return Alignment(0.0, 0.0, 0.0, (), tuple(t.text for t in qt), tuple(t.text for t in ct), False, None)
    q_sim = [0.0] * nq
    c_sim = [0.0] * nc
    matches: list[TokenMatch] = []
    distinctive = False
    q_used = [False] * nq
    c_used = [False] * nc

    # joined words: "hua wei" ~ "huawei", "qingdaosuanneng" ~ "qingdao suanneng"
    def join_pass(a: tuple[Token, ...], b: tuple[Token, ...], a_used: list[bool], b_used: list[bool],
                  a_sim: list[float], b_sim: list[float], a_is_query: bool) -> None:
        nonlocal distinctive
        if len(a) < 2:
            return
        for i in range(len(a) - 1):
            if a_used[i] or a_used[i + 1]:
                continue
            joined = a[i].text + a[i + 1].text
            best_j, best_s = -1, 0.0
            for j, t in enumerate(b):
                if b_used[j] or len(t.text) < len(joined) - 3 or len(t.text) > len(joined) + 3:
                    continue
                sj = 1.0 if t.text == joined else token_similarity(joined, t.text)
                if sj >= 0.85 and sj > best_s:
                    best_j, best_s = j, sj
            if best_j < 0:
                continue
            j = best_j
            a_used[i] = a_used[i + 1] = b_used[j] = True
            a_sim[i] = a_sim[i + 1] = b_sim[j] = best_s
            kind = "name" if "name" in (a[i].kind, a[i + 1].kind, b[j].kind) else b[j].kind
            distinctive = distinctive or kind == "name"
            pair = f"{a[i].text} {a[i + 1].text}"
            matches.append(TokenMatch(pair, b[j].text, best_s, kind) if a_is_query
                           else TokenMatch(b[j].text, pair, best_s, kind))

    exact_pairs: list[tuple[float, int, int]] = []
    for i, a in enumerate(qt):
        for j, b in enumerate(ct):
            s = token_similarity(a.text, b.text)
            if s > 0.0:
                exact_pairs.append((s, i, j))
    exact_pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    # exact matches first, then joins, then fuzzy
    for s, i, j in exact_pairs:
        if s < 1.0:
            break
        if q_used[i] or c_used[j]:
            continue
        q_used[i] = c_used[j] = True
        q_sim[i] = c_sim[j] = s
        kind = qt[i].kind if qt[i].kind == ct[j].kind else "name" if "name" in (qt[i].kind, ct[j].kind) else qt[i].kind
        distinctive = distinctive or (qt[i].kind == "name" and ct[j].kind == "name" and len(qt[i].text) > 1)
        matches.append(TokenMatch(qt[i].text, ct[j].text, s, kind))
    join_pass(qt, ct, q_used, c_used, q_sim, c_sim, True)
    join_pass(ct, qt, c_used, q_used, c_sim, q_sim, False)
    for s, i, j in exact_pairs:
        if s >= 1.0 or q_used[i] or c_used[j]:
            continue
        q_used[i] = c_used[j] = True
        q_sim[i] = c_sim[j] = s
        kind = "name" if (qt[i].kind == "name" and ct[j].kind == "name") else "generic"
        distinctive = distinctive or (kind == "name" and min(len(qt[i].text), len(ct[j].text)) > 1)
        matches.append(TokenMatch(qt[i].text, ct[j].text, s, kind))

    cov_q = sum(w * s for w, s in zip(q.weights, q_sim, strict=True)) / (q.total or 1.0)
    cov_c = sum(w * s for w, s in zip(c.weights, c_sim, strict=True)) / (c.total or 1.0)
    score = 0.5 * (cov_q + cov_c)
    if any(t.kind == "place" and not u for t, u in zip(qt, q_used, strict=True)) and any(
        t.kind == "place" and not u for t, u in zip(ct, c_used, strict=True)
    ):
        score -= PLACE_CONFLICT  # "Bank of China (Hong Kong)" vs "Bank of China (Singapore)"
    if any(t.kind == "name" and len(t.text) > 1 and not u for t, u in zip(qt, q_used, strict=True)) and any(
        t.kind == "name" and len(t.text) > 1 and not u for t, u in zip(ct, c_used, strict=True)
    ):
        score -= NAME_CONFLICT  # each side has a distinctive word the other lacks
    capped: str | None = None
    if not distinctive:
        if q.generic_only and c.generic_only and q.key == c.key:
            pass  # the whole listed name, word for word (e.g. "China Electronics Technology Group")
        elif score > GENERIC_ONLY_CAP:
            score = GENERIC_ONLY_CAP
            capped = "no distinctive word matched (only generic words, places or legal forms)"
    return Alignment(
        score=min(1.0, score),
        query_coverage=cov_q,
        listed_coverage=cov_c,
        matches=tuple(matches),
        unmatched_query=tuple(t.text for t, u in zip(qt, q_used, strict=True) if not u),
        unmatched_listed=tuple(t.text for t, u in zip(ct, c_used, strict=True) if not u),
        distinctive=distinctive,
        capped=capped,
    )


def compare_names(a: str, b: str) -> float:
    """Score two names with the v1 algorithm, without list statistics (no country, no index)."""
    ta, tb = clean_input(a), clean_input(b)
    best = 0.0
    for qa in _variants(ta, None):
        for qb in _variants(tb, None):
            best = max(best, _align(qa, qb).score)
    return round(best, 4)


def _variants(text: str, df: dict[str, int] | None) -> list[_Name]:
    """The query as analysed: Han script gives a translated and a pure-pinyin variant."""
    out = [_prepare(text, df)]
    if has_han(text):
        alt = _prepare(text, df, "pinyin")
        if alt.key != out[0].key:
            out.append(alt)
    return out


# --- results -----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Hit:
    entry: ListEntry
    matched_name: str
    score: float
    name_score: float
    country_support: bool
    alignment: Alignment
    generic_tokens: tuple[str, ...]
    legal_forms: tuple[str, ...]
    meaning: HitMeaning

    @property
    def list_id(self) -> str:
        return self.entry.list_id

    def explanation(self) -> dict[str, Any]:
        al = self.alignment
        parts = []
        for m in al.matches:
            if m.similarity >= 1.0:
                parts.append(f"{m.query}={m.listed}")
            else:
                parts.append(f"{m.query}~{m.listed} ({m.similarity:.2f})")
        summary = f"matched {', '.join(parts) if parts else 'nothing'}"
        if al.unmatched_query:
            summary += f"; query words not in listed name: {', '.join(al.unmatched_query)}"
        if al.unmatched_listed:
            summary += f"; listed words not in query: {', '.join(al.unmatched_listed)}"
        if self.generic_tokens:
            summary += f"; generic (down-weighted): {', '.join(self.generic_tokens)}"
        if self.country_support:
            summary += f"; country agrees ({self.entry.country_code}, +{COUNTRY_BOOST})"
        if al.capped:
            summary += f"; capped: {al.capped}"
        return {
            "summary": summary,
            "matched_tokens": [m.to_dict() for m in al.matches],
            "unmatched_query_tokens": list(al.unmatched_query),
            "unmatched_listed_tokens": list(al.unmatched_listed),
            "generic_tokens": list(self.generic_tokens),
            "ignored_legal_forms": list(self.legal_forms),
            "name_score": round(self.name_score, 4),
            "query_coverage": round(al.query_coverage, 4),
            "listed_coverage": round(al.listed_coverage, 4),
            "country_support": self.country_support,
            "matched_alias": self.matched_name != self.entry.name,
        }

    def to_dict(self) -> dict[str, Any]:
        e = self.entry
        return {
            "name": e.name,
            "matched_name": self.matched_name,
            "list": e.list_id,
            "score": round(self.score, 4),
            "explanation": self.explanation(),
            "country": e.country,
            "country_code": e.country_code,
            "entry_id": e.entry_id,
            "citation": self.meaning.citation.short(),
            "citation_detail": self.meaning.citation.to_dict(),
            "license_requirement": self.meaning.license_requirement,
            "effect": self.meaning.effect,
            "review_policy": self.meaning.review_policy,
            "meaning": self.meaning.meaning,
            "federal_register": e.federal_register,
            "address": e.address,
        }


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    query: str
    country: str | None
    threshold: float
    hits: tuple[Hit, ...]
    normalized: str
    snapshots: tuple[ListSnapshot, ...] = field(repr=False)
    lists: tuple[str, ...] = ()
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        snaps = [s.to_dict() for s in self.snapshots]
        return {
            "query": self.query,
            "country": self.country,
            "algorithm": ALGORITHM,
            "normalized": self.normalized,
            "lists": list(self.lists),
            "snapshot": {
                "date": max((s.snapshot_date or "" for s in self.snapshots), default="") or None,
                "sources": snaps,
            },
            "threshold": self.threshold,
            "hits": [h.to_dict() for h in self.hits],
            **({"note": self.note} if self.note else {}),
        }


# --- the index ---------------------------------------------------------------------------------

def _deletes(word: str) -> list[str]:
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


class Screener:
    """An in-memory index over one or more list snapshots. Build once; query many times."""

    def __init__(self, snapshots: Sequence[ListSnapshot], *, threshold: float = DEFAULT_THRESHOLD) -> None:
        if not 0.0 < threshold <= 1.0:
            raise InvalidInput(f"threshold must be in (0, 1], got {threshold}")
        self.snapshots: tuple[ListSnapshot, ...] = tuple(snapshots)
        self.threshold = threshold
        self.entries: list[ListEntry] = []
        for s in self.snapshots:
            self.entries.extend(s.entries)
        self.list_ids: tuple[str, ...] = tuple(dict.fromkeys(e.list_id for e in self.entries))

        raw: list[tuple[int, str]] = []
        for ei, e in enumerate(self.entries):
            for n in e.names():
                raw.append((ei, n))
        # document frequency of distinctive words, over names
        analysed = [analyse(" ".join(n.split())) for _, n in raw]
        df: dict[str, int] = {}
        for toks in analysed:
            for t in {t.text for t in toks if t.kind == "name"}:
                df[t] = df.get(t, 0) + 1
        self._df = df
        self._rec_entry: list[int] = []
        self._rec_names: list[_Name] = []
        self._rec_sets: list[frozenset[str]] = []
        self._postings: dict[str, list[int]] = {}
        self._by_key: dict[str, list[int]] = {}
        for (ei, n), _toks in zip(raw, analysed, strict=True):
            if not _toks:
                continue
            name = _prepare(" ".join(n.split()), df)
            if not name.tokens:
                continue
            rid = len(self._rec_names)
            self._rec_entry.append(ei)
            self._rec_names.append(name)
            self._rec_sets.append(frozenset(t.text for t in name.tokens))
            keys = {t.text for t in name.tokens if t.kind == "name"}
            toks = name.tokens
            for i in range(len(toks) - 1):  # joined pairs so "huawei" finds "hua wei"
                if "name" in (toks[i].kind, toks[i + 1].kind):
                    keys.add(toks[i].text + toks[i + 1].text)
            for k in keys:
                self._postings.setdefault(k, []).append(rid)
            self._by_key.setdefault(name.key, []).append(rid)
        # deletion neighbourhood (edit distance ~1-2) over the distinctive vocabulary
        self._deletes: dict[str, list[str]] = {}
        for word in self._postings:
            if len(word) >= 4 and not word.isdigit():
                for d in _deletes(word):
                    self._deletes.setdefault(d, []).append(word)

    # -- lookups --
    def _fuzzy_vocab(self, word: str) -> list[tuple[str, float]]:
        out: dict[str, float] = {}
        if word in self._postings:
            out[word] = 1.0
        if len(word) >= 4 and not word.isdigit():
            cands: set[str] = set(self._deletes.get(word, ()))
            for d in _deletes(word):
                if d in self._postings:
                    cands.add(d)
                cands.update(self._deletes.get(d, ()))
            for c in cands:
                if c not in out:
                    s = token_similarity(word, c)
                    if s > 0.0:
                        out[c] = s
        return list(out.items())

    def _candidates(self, q: _Name, floor: float = 0.0) -> list[int]:
        acc: dict[int, float] = {}
        toks = q.tokens
        for i, t in enumerate(toks):
            if t.kind != "name":
                continue
            w = q.weights[i]
            for word, s in self._fuzzy_vocab(t.text):
                for rid in self._postings.get(word, ()):
                    acc[rid] = max(acc.get(rid, 0.0), 0.0) + w * s
        for i in range(len(toks) - 1):  # query words that are joined in the listed name
            joined = toks[i].text + toks[i + 1].text
            for rid in self._postings.get(joined, ()):
                acc[rid] = acc.get(rid, 0.0) + q.weights[i] + q.weights[i + 1]
        for rid in self._by_key.get(q.key, ()):
            acc[rid] = acc.get(rid, 0.0) + q.total
        # upper bound of the final score from what blocking saw: prune what cannot reach the floor
        other = [(t.text, q.weights[i]) for i, t in enumerate(toks) if t.kind != "name"]
        other_total = sum(w for _, w in other)
        qtot = q.total or 1.0
        ranked: list[tuple[float, int]] = []
        for rid, a in acc.items():
            if 0.5 * ((a + other_total) / qtot + 1.0) + COUNTRY_BOOST < floor:
                continue
            rset = self._rec_sets[rid]
            a2 = a + sum(w for txt, w in other if txt in rset)
            ranked.append((a2 / qtot + a2 / (self._rec_names[rid].total or 1.0), rid))
        if len(ranked) <= MAX_CANDIDATES:
            return [rid for _, rid in ranked]
        ranked.sort(key=lambda x: (-x[0], x[1]))
        return [rid for _, rid in ranked[:MAX_CANDIDATES]]

    def screen(
        self, name: str, country: str | None = None, *, lists: Iterable[str] | None = None,
        threshold: float | None = None, limit: int = 25,
    ) -> ScreeningResult:
        """Screen one party name. Raises InvalidInput (or UnknownCountry) for bad input."""
        text = clean_input(name)
        cc = query_country(country)
        thr = self.threshold if threshold is None else threshold
        if not 0.0 < thr <= 1.0:
            raise InvalidInput(f"threshold must be in (0, 1], got {thr}")
        wanted: set[str] | None = None
        if lists is not None:
            wanted = {x.strip() for x in lists if x and x.strip()}
            unknown = sorted(wanted - set(self.list_ids))
            if unknown:
                raise InvalidInput(f"unknown list(s) {', '.join(unknown)}; loaded: {', '.join(self.list_ids)}")
        variants = _variants(text, self._df)
        q = variants[0]
        note: str | None = None
        if not q.tokens:
            note = "the name has only legal-form words or stop words; nothing to match"
            return ScreeningResult(name, cc, thr, (), "", self.snapshots, tuple(sorted(wanted or self.list_ids)), note)
        if all(v.generic_only for v in variants):
            note = ("the name has only generic words and places; it matches only a listed name made of "
                    "exactly the same words")
        best: dict[int, tuple[float, float, bool, int, Alignment, _Name]] = {}
        for v in variants:
            for rid in self._candidates(v, thr):
                ei = self._rec_entry[rid]
                entry = self.entries[ei]
                if wanted is not None and entry.list_id not in wanted:
                    continue
                al = _align(v, self._rec_names[rid])
                if al.score <= 0.0:
                    continue
                support = cc is not None and same_country(cc, entry.country_code)
                total = min(1.0, al.score + (COUNTRY_BOOST if support else 0.0))
                prev = best.get(ei)
                if prev is None or (total, al.score) > (prev[0], prev[1]):
                    best[ei] = (total, al.score, support, rid, al, v)
        hits: list[Hit] = []
        for ei, (total, base, support, rid, al, v) in best.items():
            if total + 1e-9 < thr:
                continue
            entry = self.entries[ei]
            rec = self._rec_names[rid]
            matched = rec.text
            hits.append(Hit(
                entry=entry, matched_name=matched, score=round(total, 4), name_score=base,
                country_support=support, alignment=al,
                generic_tokens=tuple(t.text for t in v.tokens if t.kind != "name"),
                legal_forms=v.legal, meaning=meaning_of(entry),
            ))
        folded = text.casefold()

        q_legal = set(q.legal)

        def order(h: Hit) -> tuple[float, int, int, int, int, int, int, str]:
            exact = 0 if h.entry.name.casefold() == folded else 1 if h.matched_name.casefold() == folded else 2
            legal_agrees = 0 if q_legal and q_legal == set(_prepare(h.matched_name).legal) else 1
            return (-h.score, exact, LIST_PRIORITY.get(h.list_id, 9), 0 if h.matched_name == h.entry.name else 1,
                    legal_agrees, -len(h.entry.aliases), len(h.entry.name), h.entry.entry_id)

        hits.sort(key=order)
        normalized = " ".join(t.text for t in q.tokens)
        return ScreeningResult(name, cc, thr, tuple(hits[:limit]), normalized, self.snapshots,
                               tuple(sorted(wanted or self.list_ids)), note)

    def stats(self) -> dict[str, int]:
        return {"entries": len(self.entries), "names": len(self._rec_names), "vocabulary": len(self._postings),
                "delete_keys": len(self._deletes)}
