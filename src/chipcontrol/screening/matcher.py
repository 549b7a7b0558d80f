"""The name matcher: inverted-index blocking, weighted token alignment, entity resolution, explanations.

Algorithm ``chipcontrol-name-v2`` (a named, versioned set of weighted features)
------------------------------------------------------------------------------
1. Both names go through :func:`chipcontrol.screening.text.analyse` (Unicode NFKC, case and
   punctuation folding; Chinese through :mod:`chipcontrol.screening.chinese`: OpenCC t2s, jieba
   with a company-name dictionary, administrative suffixes, numerals, names romanised whole;
   other scripts through unidecode; legal forms and stop words dropped; generic words and places tagged).
2. ``token_weight``: distinctive words 1.0 (less when short or common across the lists), generic
   industry words and places 0.2; unmatched generic words and places weigh half (``EXTRA_GENERIC``)
   unless both names keep an unmatched generic word (then they disagree, 长城汽车 vs 长城军工):
   "摩尔线程" is not far from "摩尔线程智能科技(北京)有限责任公司".
3. ``token_alignment``: tokens are aligned one-to-one, best similarity first (exact = 1; otherwise
   rapidfuzz Indel ratio from 0.78 up, for words of 4+ letters); 2 to 4 adjacent words may join
   ("hua wei" = "huawei", "hai kang wei shi" = "haikangweishi").
4. ``coverage``: score = mean of the weighted coverage of the query and of the listed name.
5. ``place_conflict`` (-0.08) and ``name_conflict`` (-0.05): both sides keep a place / a
   distinctive word the other lacks.
6. ``generic_only_cap`` (0.5): a match must align a distinctive word, unless every word of both
   names agrees (a listed name made only of generic words, e.g. "Beijing Institute of Technology").
7. ``country_support`` (+0.03): the listed country agrees (CN/HK/MO count as one); never a filter.
8. Entity resolution: listings of one company on several lists (a shared primary name, or a shared
   multi-word alias or registered Chinese name, same country; a primary name printed as another list's
   alias; near-duplicates, see :meth:`Screener._merge_near_duplicates`) form one result; every name
   known for the company on any list, and its curated Chinese names (``data/zh_names.csv``), match for
   all its listings, and the explanation says where the matched name comes from.
   ``translated``: a distinctive Chinese word matched through the lexicon's translation (火炬 "torch",
   中航 "AVIC") counts ``TRANSLATED_SIM``, and the hit lists it (``translated_as``); 集团 is matched by a
   listed legal form "Corporation". ``abbreviation``: a Chinese short name made of a longer Chinese name's
   characters in order (中国海油 = 中国海洋石油; romanised, syllable by syllable) counts ``ABBREVIATION_SIM`` and
   more (see :func:`_abbreviation`), shown as ``read_as``.
9. Ranking: score; at equal score listings that impose a licence requirement or a prohibition first.
   Near misses (``POSSIBLE_BAND`` below the threshold) are returned apart as possible matches.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

from chipcontrol.errors import InvalidInput
from chipcontrol.screening.chinese import han_syllables, split_syllables, translation_of
from chipcontrol.screening.countries import SAME_AS, query_country, same_country
from chipcontrol.screening.lexicon import NAME_VARIANTS
from chipcontrol.screening.model import ListEntry, ListSnapshot
from chipcontrol.screening.semantics import BLOCKING_EFFECTS, HitMeaning, meaning_of, semantics_for
from chipcontrol.screening.text import (
    NUMBER_WORDS,
    Token,
    _known_word,
    analyse,
    clean_input,
    has_han,
    is_han,
    scored,
)
from chipcontrol.screening.zh_names import ZhName, curated_names

ALGORITHM = "chipcontrol-name-v2"
DEFAULT_THRESHOLD = 0.80

KIND_WEIGHT = {"name": 1.0, "generic": 0.2, "place": 0.2}
EXTRA_GENERIC = 0.5  # a generic word or place on one side only counts this share of its weight
TOKEN_MIN_SIM = 0.78
INITIAL_SIM = 0.9
PLACE_CONFLICT = 0.2
NUMBER_EXTRA = 0.05
NAME_CONFLICT = 0.05
GENERIC_CONFLICT = 0.05
ONE_WORD_CONFLICT = 0.05  # more when the names share one Chinese word only (长城) and differ in their trade
CONTAINMENT = 0.65
FOUR_LETTER_SIM = 0.8
REPEAT_SIM = 0.9
VARIANT_SIM = 0.95
COUNTRY_BOOST = 0.03
TRANSLATED_SIM = 0.98  # a Chinese word matched through its dictionary translation: derived evidence
GENERIC_ONLY_CAP = 0.5
ABBREVIATION_SIM = 0.86  # a short Chinese name made of a longer one's characters, in order (中国海油, 中国海洋石油) ...
ABBREVIATION_SPAN = 0.09  # ... plus this share of the longer name's distinctive and place characters it keeps
ABBREVIATION_ROMANISED = 0.02  # less for a romanised name read syllable by syllable (homophones: 中芯, 中信)
ABBREVIATION_MIN = 3  # characters of the short name at least (北邮, 川大 only by their words' first characters)
INITIALS_MIN = 2  # a short name made of the full name's words' first characters: this many at least (北邮, 川大)
CLOSING_WORDS = frozenset({("大", "学"), ("学", "院"), ("集", "团"), ("da", "xue"), ("xue", "yuan"), ("ji", "tuan")})
SHORT_WORD = 4  # a listed word this short never matches a longer query word fuzzily
ACRONYM = 3  # a listed name that is one word this short (TCL, "PT Air") ...
ACRONYM_CAP = 0.75  # ... matched inside a longer name is a possible match at most
ALL_WORDS_SIM = 0.9  # "every word agrees": each aligned pair at least this similar
MAX_JOIN = 4
MAX_CANDIDATES = 40
NEAR_DUPLICATE = 0.9  # two listings' names at least this alike (and more, see Screener) are one company
OFFSHORE = frozenset({"KY", "VG", "BM"})  # where Chinese groups register listed parents (Cayman, BVI, Bermuda)
POSSIBLE_BAND = 0.15
MAX_POSSIBLE = 5
COMMON_DF = 8  # a distinctive word in more than this many names starts losing weight
# among equal scores, show the lists with legal consequences first
LIST_PRIORITY = {"dpl": 0, "entity_list": 1, "meu": 2, "sdn": 3, "fse": 4, "uvl": 5, "ssi": 6, "1260h": 7,
                 "ns_cmic": 8}

FEATURES: dict[str, str] = {
    "token_weight": f"distinctive 1.0 (x0.3 one letter, x0.6 two, less when common); generic/place 0.2; "
                    f"unmatched generic words and places x{EXTRA_GENERIC} unless both names keep one",
    "token_alignment": f"one-to-one, exact first, then 2-{MAX_JOIN} joined words, then fuzzy (>= {TOKEN_MIN_SIM})",
    "coverage": "mean of the weighted coverage of the query and of the listed name",
    "containment": f"when every word of the shorter name (>= 2 distinctive) is in the longer: at least "
                   f"{CONTAINMENT} x the higher coverage + {1 - CONTAINMENT:.2f} x the lower",
    "place_conflict": f"-{PLACE_CONFLICT} when both names keep an unmatched place",
    "name_conflict": f"-{NAME_CONFLICT} when both names keep an unmatched distinctive word",
    "generic_conflict": f"-{GENERIC_CONFLICT} when both names keep an unmatched generic word (-{ONE_WORD_CONFLICT} "
                        f"more when the only distinctive word matched is one Chinese word: 长城汽车 vs 长城军工)",
    "number_extra": f"-{NUMBER_EXTRA} when one name only keeps an unmatched number (Roman numerals too)",
    "generic_only_cap": f"capped at {GENERIC_ONLY_CAP} without a distinctive word, unless every word agrees",
    "acronym_cap": f"capped at {ACRONYM_CAP} when the listed name is one word of <= {ACRONYM} letters and the "
                   f"query has more words",
    "short_words": f"a listed word of <= {SHORT_WORD} letters matches a longer query word only exactly; two "
                   f"four-letter words one letter apart (same first letter) {FOUR_LETTER_SIM}; words equal but for "
                   f"doubled letters {REPEAT_SIM}; common given-name spellings as one (Muhammad/Mohammed)",
    "country_support": f"+{COUNTRY_BOOST} when the listed country agrees (CN/HK/MO as one)",
    "abbreviation": f"a Chinese name of >= {ABBREVIATION_MIN} characters that are a longer Chinese name's, in "
                    f"order, from its first character (or its first after a leading place), two of them from its "
                    f"distinctive words (one in a name of 4; without distinctive words: >= 4 keeping its last "
                    f"character): {ABBREVIATION_SIM} + "
                    f"{ABBREVIATION_SPAN} x the share of its distinctive and place characters kept, when more than "
                    f"the word alignment; or >= {INITIALS_MIN} characters that are its words' first "
                    f"(北邮 = 北京邮电大学; 川大 = 四川大学: a place's last; 中国联通 = 中国联合网络通信集团: "
                    f"a closing 大学/学院/集团 and one generic word left out), a word kept by any of its "
                    f"characters; shown as read_as",
    "translated": f"a distinctive Chinese word matched through its dictionary translation (火炬 'torch', 中航 "
                  f"'AVIC') counts {TRANSLATED_SIM}, not 1: derived evidence, shown as translated_as",
}


def token_similarity(a: str, b: str) -> float:
    """Similarity of two folded tokens in [0, 1]; 0 below the fuzzy floor."""
    if a == b:
        return 1.0
    return _fuzzy_similarity(a, b) if a < b else _fuzzy_similarity(b, a)


def _squeeze(word: str) -> str:
    return re.sub(r"(.)\1+", r"\1", word)


@lru_cache(maxsize=1 << 18)
def _fuzzy_similarity(a: str, b: str) -> float:
    la, lb = len(a), len(b)
    if (la == 1) != (lb == 1):  # an initial: "J" ~ "Joachim"
        return INITIAL_SIM if a[0] == b[0] and not a.isdigit() and not b.isdigit() else 0.0
    variant = NAME_VARIANTS.get(a)
    if variant is not None and variant == NAME_VARIANTS.get(b):
        return VARIANT_SIM  # two spellings of one given name: Muhammad / Mohammed, bin / ibn
    floor = REPEAT_SIM if a.isalpha() and b.isalpha() and _squeeze(a) == _squeeze(b) else 0.0
    # (a doubled letter: "Jong-uun" / "Jong-un", "Joonng" / "Jong")
    if min(la, lb) < 4 or a.isdigit() or b.isdigit():
        return floor
    if abs(la - lb) > max(2, max(la, lb) // 3):
        return floor
    s = fuzz.ratio(a, b) / 100.0
    if la == lb == 4 and sum(x != y for x, y in zip(a, b, strict=True)) == 1 and a[0] == b[0]:
        s = max(s, FOUR_LETTER_SIM)  # one letter of four: Musk/Mosk, Cook/Cock
    if s < TOKEN_MIN_SIM:
        jw = JaroWinkler.similarity(a, b)
        if jw >= 0.88:
            s = max(s, jw - 0.06)
        short, long_ = (a, b) if la < lb else (b, a)
        if len(short) >= 5 and long_.startswith(short):  # truncated word
            s = max(s, 0.85)
    s = max(s, floor)
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
    anchors: tuple[int, ...] = ()  # tokens read for a Chinese brand: all matched = a distinctive match
    reading: str = ""  # how the query was read (brand equivalents), for the explanation

    @property
    def total(self) -> float:
        return sum(self.weights)


def _is_han_token(t: Token) -> bool:
    return bool(t.source) and has_han(t.source)


def _prepare(text: str, df: dict[str, int] | None = None, mode: str = "dict") -> _Name:
    toks = analyse(text, mode)
    seen: dict[str, bool] = {}
    uniq: list[Token] = []
    for t in scored(toks):
        # the same word in two scripts ("Huawei 华为") counts once; repeats in one script are kept
        han = _is_han_token(t)
        if t.text in seen and seen[t.text] != han:
            continue
        seen.setdefault(t.text, han)
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

    # joined words: "hua wei" ~ "huawei", "hai kang wei shi" ~ "haikangweishi"
    def join_pass(a: tuple[Token, ...], b: tuple[Token, ...], a_used: list[bool], b_used: list[bool],
                  a_sim: list[float], b_sim: list[float], a_is_query: bool) -> None:
        nonlocal distinctive
        if len(a) < 2 or a_used.count(False) < 2:
            return
        free_b = [j for j, u in enumerate(b_used) if not u]
        if not free_b:
            return
        lens = [len(t.text) for t in a]
        lo = min(len(b[j].text) for j in free_b) - 3
        hi = max(len(b[j].text) for j in free_b) + 3
        for size in range(min(MAX_JOIN, len(a)), 1, -1):
            for i in range(len(a) - size + 1):
                n_joined = sum(lens[i : i + size])
                if n_joined < lo or n_joined > hi or any(a_used[i : i + size]):
                    continue
                joined = "".join(t.text for t in a[i : i + size])
                best_j, best_s = -1, 0.0
                for j in free_b:
                    t = b[j]
                    if b_used[j] or len(t.text) < n_joined - 3 or len(t.text) > n_joined + 3:
                        continue
                    sj = 1.0 if t.text == joined else token_similarity(joined, t.text)
                    if sj > 0.0 and a[i].source and a[i].source == a[i + size - 1].source:
                        sj = _derived(a[i], t, sj)  # "great wall" (长城) = "greatwall"
                    if sj >= 0.85 and sj > best_s:
                        best_j, best_s = j, sj
                if best_j < 0:
                    continue
                j = best_j
                b_used[j] = True
                b_sim[j] = best_s
                for k in range(i, i + size):
                    a_used[k] = True
                    a_sim[k] = best_s
                kinds = {t.kind for t in a[i : i + size]} | {b[j].kind}
                kind = "name" if "name" in kinds else b[j].kind
                distinctive = distinctive or kind == "name"
                pair = " ".join(t.text for t in a[i : i + size])
                matches.append(TokenMatch(pair, b[j].text, best_s, kind) if a_is_query
                               else TokenMatch(b[j].text, pair, best_s, kind))

    # exact matches first (the same word; not two Chinese names that only read alike), then joins, then fuzzy
    c_index: dict[str, list[int]] = {}
    for j, t in enumerate(ct):
        c_index.setdefault(t.text, []).append(j)
    for i, a in enumerate(qt):
        for j in c_index.get(a.text, ()):
            b = ct[j]
            if c_used[j] or _homophones(a, b):
                continue
            sim = _derived(a, b, 1.0)
            q_used[i] = c_used[j] = True
            q_sim[i] = c_sim[j] = sim
            kind = a.kind if a.kind == b.kind else "name" if "name" in (a.kind, b.kind) else a.kind
            distinctive = distinctive or (a.kind == "name" and b.kind == "name" and len(a.text) > 1)
            matches.append(TokenMatch(a.text, b.text, sim, kind))
            break
    join_pass(qt, ct, q_used, c_used, q_sim, c_sim, True)
    join_pass(ct, qt, c_used, q_used, c_sim, q_sim, False)
    pairs: list[tuple[float, int, int]] = []
    for i, a in enumerate(qt):
        if q_used[i]:
            continue
        for j, b in enumerate(ct):
            if c_used[j]:
                continue
            s = token_similarity(a.text, b.text)
            if 0.0 < s < 1.0 and len(b.text) <= SHORT_WORD and len(a.text) > len(b.text):
                s = 0.0  # a short listed word inside a longer query word is another word (miea/midea, peng/xpeng)
            if s > 0.0 and _homophones(a, b):
                s = _han_similarity(a.source, b.source, s)
            if s > 0.0:
                s = _derived(a, b, s)
            if 0.0 < s < 1.0:
                pairs.append((s, i, j))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    for s, i, j in pairs:
        if q_used[i] or c_used[j]:
            continue
        q_used[i] = c_used[j] = True
        q_sim[i] = c_sim[j] = s
        kind = "name" if (qt[i].kind == "name" and ct[j].kind == "name") else "generic"
        distinctive = distinctive or (kind == "name" and min(len(qt[i].text), len(ct[j].text)) > 1)
        matches.append(TokenMatch(qt[i].text, ct[j].text, s, kind))

    # 集团 ("group") in a Chinese name against a listed legal form "Corporation": state groups' English
    # names render 集团(有限)公司 as "Corporation" (中国航天科技集团有限公司 = China Aerospace Science and
    # Technology Corporation), so the word is matched, not missing
    for side, b_legal, a_used, a_sim, a_is_query in ((qt, c.legal, q_used, q_sim, True),
                                                     (ct, q.legal, c_used, c_sim, False)):
        if not any(x in _CORPORATION for x in b_legal):
            continue
        for i, t in enumerate(side):
            if not a_used[i] and _is_jituan(t):
                a_used[i] = True
                a_sim[i] = 1.0
                legal = next(x for x in b_legal if x in _CORPORATION)
                matches.append(TokenMatch(t.text, legal, 1.0, "generic") if a_is_query
                               else TokenMatch(legal, t.text, 1.0, "generic"))
                break

    # what each side keeps unmatched, in one pass per side: generic words, places, distinctive words, numbers
    q_left = _leftovers(qt, q_used)
    c_left = _leftovers(ct, c_used)
    # a generic word or place on one side only is an extra; on both sides unmatched it is a conflict
    discount = not (q_left[0] and c_left[0])

    def coverage(name: _Name, sims: list[float], used: list[bool]) -> float:
        num = den = 0.0
        for t, w, sim, u in zip(name.tokens, name.weights, sims, used, strict=True):
            if not u and t.kind != "name" and discount:
                w *= EXTRA_GENERIC
            num += w * sim
            den += w
        return num / (den or 1.0)

    cov_q = coverage(q, q_sim, q_used)
    cov_c = coverage(c, c_sim, c_used)
    score = 0.5 * (cov_q + cov_c)
    # containment: every word of the shorter name (two distinctive words at least) is in the longer one
    # ("Sher Abbas Stanekzai" in "Sher Mohammad Abbas Stanekzai Padshah Khan"): lean on the fuller side
    small, small_used, small_sim = (qt, q_used, q_sim) if nq <= nc else (ct, c_used, c_sim)
    if all(small_used) and min(small_sim) >= ALL_WORDS_SIM \
            and sum(t.kind == "name" and len(t.text) > 1 for t in small) >= 2:
        score = max(score, CONTAINMENT * max(cov_q, cov_c) + (1 - CONTAINMENT) * min(cov_q, cov_c))
    if q_left[1] and c_left[1]:
        score -= PLACE_CONFLICT  # "Bank of China (Hong Kong)" vs "Bank of China (Singapore)"
    if q_left[2] and c_left[2]:
        score -= NAME_CONFLICT  # each side has a distinctive word the other lacks
    if not discount:
        score -= GENERIC_CONFLICT  # BAE Systems vs BAE Industries; 长城汽车 vs 长城军工
        brand = {t.source for t, u in zip(qt, q_used, strict=True) if u and t.kind == "name"}
        if len(brand) == 1 and has_han(next(iter(brand))):
            score -= ONE_WORD_CONFLICT  # one Chinese word in common, another trade: 长城汽车 is not 长城军工
    acronym = (nc == 1 and ct[0].kind == "name" and len(ct[0].text) <= ACRONYM and not all(q_used)
               and score > ACRONYM_CAP)
    if acronym:
        score = ACRONYM_CAP  # capped below, explained
    if q.anchors and all(q_used[k] and q_sim[k] >= ALL_WORDS_SIM for k in q.anchors):
        distinctive = True  # the Chinese brand, read as its English name, matched whole
    if q_left[3] != c_left[3]:
        score -= NUMBER_EXTRA  # "Management Company 23" vs "Management Company"; "Solutions II" vs "Solutions"
    capped: str | None = None
    if acronym:
        capped = (f"the listed name is one short word ({ct[0].text}) and the query has more words: "
                  f"a possible match to review, not a hit")
    if q.generic_only and not q.anchors:
        distinctive = False  # a query of generic words only: every word must agree (a joined "micro electronic" too)
    if not distinctive:
        every_word = all(q_used) and all(c_used) and min(q_sim + c_sim) >= ALL_WORDS_SIM
        if not every_word and score > GENERIC_ONLY_CAP:
            score = GENERIC_ONLY_CAP
            capped = "no distinctive word matched (only generic words, places or legal forms)"
    return Alignment(
        score=max(0.0, min(1.0, score)),
        query_coverage=cov_q,
        listed_coverage=cov_c,
        matches=tuple(matches),
        unmatched_query=tuple(t.text for t, u in zip(qt, q_used, strict=True) if not u),
        unmatched_listed=tuple(t.text for t, u in zip(ct, c_used, strict=True) if not u),
        distinctive=distinctive,
        capped=capped,
    )


def _derived(a: Token, b: Token, sim: float) -> float:
    """At most ``TRANSLATED_SIM`` when one side is a dictionary translation of a distinctive Chinese word
    and the other is not that same Chinese word (the same characters on both sides are the same word)."""
    if a.kind != "name" and b.kind != "name":
        return sim
    ta = translation_of(a.source, a.text) if a.source else None
    tb = translation_of(b.source, b.text) if b.source else None
    if ta is None and tb is None:
        return sim
    if ta is not None and tb is not None and ta.word == tb.word:
        return sim
    return min(sim, TRANSLATED_SIM)


_CORPORATION = frozenset({"corporation", "corp"})


def _is_jituan(t: Token) -> bool:
    """The generic word "group" read from Chinese 集团 (or its pinyin "Jituan")."""
    return t.kind == "generic" and t.text == "group" and (
        t.source == "集团" or t.source.replace(" ", "").casefold() == "jituan")


_ROMAN = re.compile(r"^(?:i{2,3}|iv|vi{1,3}|i?x|xi{1,3}|xiv|xvi{0,3}|xix|xx)$")


@lru_cache(maxsize=65536)
def _is_number(text: str) -> bool:
    """A number, an ordinal (43rd) or a Roman numeral of two or more letters (II, VIII, XIV; not "xi")."""
    return text[:1].isdigit() or (len(text) >= 2 and text not in ("xi", "vi", "ix") and bool(_ROMAN.match(text)))


def _leftovers(tokens: tuple[Token, ...], used: list[bool]) -> tuple[bool, bool, bool, bool]:
    """Whether the unmatched words include a generic word, a place, a distinctive word, a number."""
    generic = place = name = number = False
    for t, u in zip(tokens, used, strict=True):
        if u:
            continue
        if t.kind == "generic":
            generic = True
        elif t.kind == "place":
            place = True
        elif t.kind == "name" and len(t.text) > 1:
            name = True
        if not number and _is_number(t.text):
            number = True
    return generic, place, name, number


def _homophones(a: Token, b: Token) -> bool:
    """Two distinctive words from Chinese names written in different characters."""
    return a.kind == "name" and b.kind == "name" and a.source != b.source and _is_han_token(a) and _is_han_token(b)


def _han_similarity(a: str, b: str, romanised: float) -> float:
    """Two names written in different Chinese characters that read alike (中芯 and 中信 are both
    "zhongxin"): homophones are different names; the characters decide (at most their own similarity)."""
    chars = fuzz.ratio(a, b) / 100.0
    s = min(romanised, chars)
    return s if s >= TOKEN_MIN_SIM else 0.0


@dataclass(frozen=True, slots=True)
class _HanForm:
    """A Chinese name as a sequence of characters (or, romanised, of syllables): legal forms left out."""

    text: tuple[str, ...]
    lead: int  # units of its leading places (中国, 北京, 杭州市)
    named: frozenset[int]  # positions inside distinctive words
    places: frozenset[int] = frozenset()  # positions inside places (a seat in brackets too)
    starts: frozenset[int] = frozenset()  # positions where a word starts


def _han_form(text: str, romanise: bool = False) -> _HanForm | None:
    """The name's characters (``romanise``: their syllables, 重工 = zhong gong), when it has any."""
    words: list[tuple[str, str, Sequence[str] | None]] = []
    for t in analyse(text):
        src = "".join(ch for ch in t.source if is_han(ch))
        if not src or t.kind in ("legal", "stop"):
            words.append((t.kind, "", None))
        else:  # one word read as two (长城 = great wall; 科学院 = academy of sciences) is skipped by _form
            words.append((t.kind, src, han_syllables(src) if romanise else src))
    return _form(words)


def _roman_form(text: str) -> _HanForm | None:
    """A romanised Chinese name as syllables ("Zhongguo Haiyang Shiyou Youxian Gongsi" = zhong guo hai yang
    shi you), legal forms left out; None when a word is not pinyin or the name has Han characters."""
    words: list[tuple[str, str, Sequence[str] | None]] = []
    for t in analyse(text):
        if t.kind in ("legal", "stop"):
            words.append((t.kind, "", None))
            continue
        src = t.source or t.text
        if has_han(src):
            return None
        if src == (words[-1][1] if words else ""):  # one word read as two ("zhonggong" = heavy industry)
            continue
        syl = split_syllables("".join(ch for ch in src.casefold() if ch.isascii() and ch.isalpha()))
        if syl is None:
            return None
        words.append((t.kind, src, syl))
    return _form(words)


def _form(words: Sequence[tuple[str, str, Sequence[str] | None]]) -> _HanForm | None:
    """A name's units from its words in order — (kind, source, units), units None for a legal form, a stop word or a
    word with nothing to keep — with its leading places, distinctive and place positions and word starts; a word
    whose source repeats the one before it (one word read as two) counts once."""
    units: list[str] = []
    named: set[int] = set()
    places: set[int] = set()
    starts: set[int] = set()
    lead = 0
    leading = True
    prev = ""
    for kind, src, word in words:
        if word is None:
            leading = leading and kind == "stop"
            prev = ""
            continue
        if src == prev:
            continue
        prev = src
        start = len(units)
        starts.add(start)
        units.extend(word)
        if leading and kind == "place":
            lead = len(units)
        else:
            leading = False
        if kind == "name":
            named.update(range(start, len(units)))
        elif kind == "place":
            places.update(range(start, len(units)))
    return _HanForm(tuple(units), lead, frozenset(named), frozenset(places), frozenset(starts)) if units else None


def _han_keys(form: _HanForm) -> tuple[str, ...]:
    """Where an abbreviation of a name may start: its first unit, its first after a leading place and that
    place's last (川 of 四川), and its first after a group's prefix (寒 of 中科寒武纪: see :func:`_after_prefix`)."""
    text, lead = form.text, form.lead
    keys = [text[0]]
    if 0 < lead < len(text):
        keys.extend((text[lead], text[lead - 1]))
    if _prefix_word(form) is not None:
        keys.append(text[lead + 2])
    return tuple(dict.fromkeys(keys))


def _find(seq: tuple[str, ...], unit: str, start: int) -> int:
    for i in range(start, len(seq)):
        if seq[i] == unit:
            return i
    return -1


def _prefix_word(full: _HanForm) -> tuple[int, int] | None:
    """The span of ``full``'s first word (after a leading place) when it is a distinctive word of four
    characters or more: one that may start with a group's two-character prefix (中科寒武纪, 科大国盾)."""
    a = full.lead
    if a not in full.named:
        return None
    b = min((p for p in full.starts if p > a), default=len(full.text))
    return (a, b) if b - a >= 4 and all(p in full.named for p in range(a, b)) else None


def _after_prefix(short: _HanForm, full: _HanForm) -> int:
    """Where ``short`` starts in ``full`` when it leaves out the two-character prefix of ``full``'s first,
    distinctive word and keeps the rest of that word (寒武纪 = 中科寒武纪科技, 国盾量子 = 科大国盾量子技术); -1
    when it does not."""
    span = _prefix_word(full)
    if span is None or short.lead:
        return -1
    a, b = span
    rest = full.text[a + 2 : b]
    return a + 2 if short.text[: len(rest)] == rest else -1


def _abbreviation(short: _HanForm, full: _HanForm) -> float:
    """The score of ``short`` read as an abbreviation of ``full`` (0 when it is not one): its characters
    are ``full``'s in order, from ``full``'s first character or from its first after a leading place
    (兵器工业集团 = 中国兵器工业集团); when ``full`` has distinctive words, two of their characters are kept
    (one in a short name of four: 中国海油 = 中国海洋石油; 中航西飞 = 中航西安飞机工业集团; 北京科技 is not
    北京壁仞科技开发); a name of generic words and places only is abbreviated by four characters or more that
    keep its last one (中国动力 = 中国船舶重工集团动力; 中科院计算所 = 中国科学院计算技术研究所), or its last before
    a closing 集团 (航空工业 = 中国航空工业集团), not by a prefix: 上海微电子 is not 上海微电子设备研究所.
    The score grows with the share of ``full``'s distinctive and place characters kept: 中芯北京 keeps all
    of 中芯国际集成电路制造(北京)'s, 中芯国际 not its seat."""
    s, f = short.text, full.text
    if not ABBREVIATION_MIN <= len(s) < len(f):
        return 0.0
    start = 0 if s[0] == f[0] else full.lead if short.lead == 0 and full.lead and s[0] == f[full.lead] else -1
    if start < 0:
        start = _after_prefix(short, full)
        if start < 0:
            return 0.0
    pos: list[int] = []
    i = start
    for unit in s:
        i = _find(f, unit, i)
        if i < 0:
            return 0.0
        pos.append(i)
        i += 1
    if full.named:  # a distinctive word's characters: two, or one in a name of four characters
        named = sum(p in full.named for p in pos)
        if named < 2 and not (named == 1 and len(s) >= 4):
            return 0.0
    elif len(s) < 4 or pos[-1] < len(f) - 1 - (2 if f[-2:] in (("集", "团"), ("ji", "tuan")) else 0):
        return 0.0  # generic words only: four characters, to its last one (集团 aside: 航空工业)
    key = full.named | full.places
    if start and start == full.lead:  # a leading place left out is no loss: short names drop their seat
        key = key.difference(range(start))  # (中科飞测 = 深圳中科飞测科技)
    share = len(s) / (len(f) - start)  # at equal keys, the closer name first (中国海洋石油, not ...集团)
    kept = len(key.intersection(pos)) / len(key) if key else share
    return ABBREVIATION_SIM + ABBREVIATION_SPAN * kept + ABBREVIATION_SPAN / 8 * share


def _initials(short: _HanForm, full: _HanForm) -> float:
    """The score of ``short`` read as ``full``'s words by their first characters (0 when it is not): each
    word of ``full``, in order, gives a beginning of itself (one character or more: 电子科大 = 电子科技大学) or,
    a place, its last character (川大 = 四川大学); its first word gives one, two words at least, one word is
    cut short. Left out may be a closing 大学/学院/集团 (北邮 = 北京邮电大学, 北理工 = 北京理工大学, 中国联通 =
    中国联合网络通信集团) and, in a short name of four or more, one other generic word between two it keeps
    (网络; not 产业 after them: 中国电信 is not 中国电子信息产业集团); never a distinctive word or a place,
    and a distinctive word keeps a character when ``full`` has one (北航 is not 北京航天长峰). ``full`` has
    a generic word (a person's name has none). The score is that of
    :func:`_abbreviation`, a word kept by any of its characters."""
    s, f = short.text, full.text
    if not INITIALS_MIN <= len(s) < len(f) or len(full.starts) < 2 or s[-1] not in f:
        return 0.0
    first = min((p for p in full.starts if p > 0), default=len(f))
    if s[0] != f[0] and not (s[0] == f[first - 1] and first - 1 in full.places):
        return 0.0  # the first word gives its first character (a place: or its last)
    bounds = sorted(full.starts)
    words = list(zip(bounds, [*bounds[1:], len(f)], strict=True))
    n = len(words)
    closing = n - 1 if tuple(f[words[-1][0]:]) in CLOSING_WORDS else -1
    key_words = [i for i, (a, b) in enumerate(words) if any(p in full.named or p in full.places for p in range(a, b))]
    if len(key_words) == n:
        return 0.0  # no generic word (大学, 集团, 通信): no organisation's name, perhaps a person's
    skip = tuple(0 if wi == closing else 2 if wi == 0 or any(p in full.named or p in full.places for p in range(a, b))
                 else 1 for wi, (a, b) in enumerate(words))  # 0: free (a closing word), 1: one generic word, 2: never
    return max(_initials_walk(s, full, words, skip, key_words, 0, 0, 0, 0, (), 0), 0.0)


def _initials_walk(s: tuple[str, ...], full: _HanForm, words: list[tuple[int, int]], skip: tuple[int, ...],
                   key_words: list[int], wi: int, si: int, skipped: int, cut: int, pos: tuple[int, ...],
                   used: int) -> float:
    """The best score of ``s[si:]`` read from ``full``'s words ``wi`` on (-1: none), for :func:`_initials`."""
    f, n = full.text, len(words)
    if si == len(s):
        if any(skip[w] for w in range(wi, n)):
            return -1.0  # after its last word, only a closing 大学/学院/集团 (中国电信 is not 中国电子信息产业集团)
        if used < 2 or cut < 1 or skipped > (1 if len(s) >= 4 else 0):
            return -1.0
        if full.named and not full.named.intersection(pos):
            return -1.0
        kept = [i for i in key_words if any(words[i][0] <= p < words[i][1] for p in pos)]
        share = len(s) / len(f)
        score = ABBREVIATION_SPAN * (len(kept) / len(key_words) if key_words else share)
        return ABBREVIATION_SIM + score + ABBREVIATION_SPAN / 8 * share
    if wi == n:
        return -1.0
    best = -1.0
    a, b = words[wi]
    k = skip[wi]
    if k < 2:
        best = max(best, _initials_walk(s, full, words, skip, key_words, wi + 1, si, skipped + k, cut, pos, used))
    size = 0
    while a + size < b and si + size < len(s) and s[si + size] == f[a + size]:
        size += 1
        best = max(best, _initials_walk(s, full, words, skip, key_words, wi + 1, si + size, skipped,
                                        cut + (a + size < b), (*pos, *range(a, a + size)), used + 1))
    if b - a >= 2 and any(p in full.places for p in range(a, b)) and s[si] == f[b - 1] != f[a]:
        best = max(best, _initials_walk(s, full, words, skip, key_words, wi + 1, si + 1, skipped, cut + 1,
                                        (*pos, b - 1), used + 1))
    return best


def compare_names(a: str, b: str) -> float:
    """Score two names with the v2 algorithm, without list statistics (no country, no index). ``b`` is
    read as the index reads a listed name: with a trailing abbreviation, also without it."""
    ta, tb = clean_input(a), clean_input(b)
    listed = _variants(tb, None)
    m = _TRAILING_ABBREV.match(tb)
    if m:
        listed.extend(_variants(m.group(1), None))
    best = 0.0
    for qa in _variants(ta, None):
        for qb in listed:
            best = max(best, _align(qa, qb).score)
    return round(best, 4)


def _variants(text: str, df: dict[str, int] | None) -> list[_Name]:
    """The query as analysed: Han script gives a translated, a pure-pinyin and an otherwise-translated
    variant (研究所 "institute", 科技 "science and technology", 集团 left out)."""
    out = [_prepare(text, df)]
    for mode in ("pinyin", "alt") if has_han(text) else ("alt",):
        v = _prepare(text, df, mode)
        if all(v.key != o.key for o in out):
            out.append(v)
    return out


# --- results -----------------------------------------------------------------------------------

@lru_cache(maxsize=16384)
def _legal_forms(text: str) -> tuple[str, ...]:
    return tuple(t.text for t in analyse(text) if t.kind == "legal")


def _list_rank(entry: ListEntry) -> tuple[int, int]:
    effect = semantics_for(entry.list_id).effect  # a list's effect; the entry's own notes do not change it
    return (0 if effect in BLOCKING_EFFECTS else 1, LIST_PRIORITY.get(entry.list_id, 9))


@dataclass(frozen=True, slots=True)
class NameOrigin:
    """Where a name known for a company comes from."""

    entry: ListEntry  # the listing that publishes the name (or that a curated name belongs to)
    kind: str  # name | alias | curated
    curated: ZhName | None = None

    def describe(self) -> str:
        if self.curated is not None:
            return f"{self.curated.describe()} for {self.entry.list_id} entry {self.entry.name!r}"
        what = "primary name" if self.kind == "name" else "alias"
        return f"{what} on {self.entry.list_id} entry {self.entry.name!r}"


@dataclass(frozen=True, slots=True)
class Hit:
    """One company: the listing that speaks for it (most restrictive) and all its listings."""

    entry: ListEntry
    matched_name: str
    score: float
    name_score: float
    country_support: bool
    alignment: Alignment
    generic_tokens: tuple[str, ...]
    legal_forms: tuple[str, ...]
    meaning: HitMeaning
    listings: tuple[ListEntry, ...] = ()
    origin: NameOrigin | None = None
    reading: str | None = None  # a Chinese brand in the query read as English words, when it was
    translations: tuple[tuple[str, str, str], ...] = ()  # (Chinese word, English, lexicon note) used to match

    @property
    def list_id(self) -> str:
        return self.entry.list_id

    def via(self) -> str | None:
        """How the matched name reaches this result, when it is not the entry's own name or alias."""
        o = self.origin
        if o is None:
            return None
        if o.curated is None and o.entry is self.entry:
            return None
        if o.curated is None:
            return (f"the matched name is the {o.describe()}, the same company as this listing "
                    f"(the listings share a name)")
        if o.entry is self.entry:
            return f"the matched name is a {o.describe()}"
        return f"the matched name is a {o.describe()}, the same company as this listing"

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
        if self.reading:
            summary += f"; {self.reading}"
        if self.translations:
            summary += "; " + ", ".join(f"{src} translated as {en!r}" for src, en, _ in self.translations)
        via = self.via()
        if via:
            summary += f"; {via}"
        if len(self.listings) > 1:
            summary += f"; listed {len(self.listings)} times ({', '.join(sorted({e.list_id for e in self.listings}))})"
        out: dict[str, Any] = {
            "summary": summary,
            "algorithm": ALGORITHM,
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
        if via:
            out["matched_via"] = via
        if self.reading:
            out["read_as"] = self.reading
        if self.translations:
            out["translated_as"] = [{"chinese": src, "english": en, "source": note or "lexicon"}
                                    for src, en, note in self.translations]
        if self.origin is not None and self.origin.curated is not None:
            z = self.origin.curated
            out["curated_name"] = {"name": z.name, "kind": z.kind, "confidence": z.confidence, "source": z.source}
        return out

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
            "entry_version": e.version,
            "citation": self.meaning.citation.short(),
            "citation_detail": self.meaning.citation.to_dict(),
            "license_requirement": self.meaning.license_requirement,
            "effect": self.meaning.effect,
            "review_policy": self.meaning.review_policy,
            "meaning": self.meaning.meaning,
            "federal_register": e.federal_register,
            "address": e.address,
            "listings": [_listing_dict(x) for x in (self.listings or (e,))],
        }


def _listing_dict(e: ListEntry) -> dict[str, Any]:
    m = meaning_of(e)
    return {"list": e.list_id, "entry_id": e.entry_id, "entry_version": e.version, "name": e.name,
            "country": e.country, "effect": m.effect, "citation": m.citation.short(),
            "license_requirement": m.license_requirement, "review_policy": m.review_policy,
            "federal_register": e.federal_register}


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
    possible: tuple[Hit, ...] = ()

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
            "possible_matches": [h.to_dict() for h in self.possible],
            **({"note": self.note} if self.note else {}),
        }


# --- the index ---------------------------------------------------------------------------------

def _deletes(word: str) -> list[str]:
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


_TRAILING_ABBREV = re.compile(r"^(.*\S)\s*\(([A-Z0-9][A-Z0-9 &.-]{1,11})\)\s*$")


def _fold_name(name: str) -> str:
    return re.sub(r"[^0-9a-z\u3400-\u9fff]+", " ", name.casefold())


def _country_group(code: str | None) -> str:
    if not code:
        return ""
    return "CN" if code in SAME_AS.get("CN", frozenset()) else code


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _translations(v: _Name, al: Alignment, rec: _Name) -> tuple[tuple[str, str, str], ...]:
    """The Chinese dictionary words of the query that matched through their translation (not the same
    characters in the listed name): (the word as written, its English, where the rendering comes from)."""
    matched = {w for m in al.matches for w in m.query.split()}
    same = {t.source for t in rec.tokens if t.source}
    out: dict[str, tuple[str, str, str]] = {}
    for t in v.tokens:
        if t.text not in matched or not t.source or t.source in same or t.source in out:
            continue
        lw = translation_of(t.source, t.text)
        if lw is not None:
            english = lw.english if t.text in lw.english.split() else (lw.alt or lw.english)
            said = t.source if has_han(t.source) else f"{t.source} ({lw.word})"
            out[t.source] = (said, english, lw.note)
    return tuple(out.values())


class Screener:
    """An in-memory index over one or more list snapshots. Build once; query many times.

    ``curated``: Chinese names to attach to listed entries (default: the bundled ``zh_names.csv``);
    pass ``()`` to index the lists' own names only.
    """

    def __init__(self, snapshots: Sequence[ListSnapshot], *, threshold: float = DEFAULT_THRESHOLD,
                 curated: Iterable[ZhName] | None = None) -> None:
        if not 0.0 < threshold <= 1.0:
            raise InvalidInput(f"threshold must be in (0, 1], got {threshold}")
        self.snapshots: tuple[ListSnapshot, ...] = tuple(snapshots)
        self.threshold = threshold
        self.entries: list[ListEntry] = []
        for s in self.snapshots:
            self.entries.extend(s.entries)
        self.list_ids: tuple[str, ...] = tuple(dict.fromkeys(e.list_id for e in self.entries))
        zh_by_entry: dict[tuple[str, str], list[ZhName]] = {}
        for z in curated_names() if curated is None else curated:
            zh_by_entry.setdefault((z.list_id, z.listed_name), []).append(z)

        # every name known for each entry: (entry index, text, origin kind, curated)
        raw: list[tuple[int, str, str, ZhName | None]] = []
        for ei, e in enumerate(self.entries):
            raw.append((ei, e.name, "name", None))
            raw.extend((ei, a, "alias", None) for a in e.aliases)
            raw.extend((ei, z.name, "curated", z) for z in zh_by_entry.get((e.list_id, e.name), ()))
        # a primary name with a trailing abbreviation also stands for itself without it:
        # "Semiconductor Manufacturing International Corporation (SMIC)" = "... Corporation"
        extra_keys: list[tuple[int, str]] = []
        n_published = len(raw)
        for ei, e in enumerate(self.entries):
            m = _TRAILING_ABBREV.match(e.name)
            if m:
                extra_keys.append((ei, m.group(1)))
                # and is matched as such: 国家超级计算长沙中心 = "National Supercomputing Center Changsha"
                raw.append((ei, m.group(1), "name", None))
        analysed = [analyse(" ".join(n.split())) for _, n, _, _ in raw]
        df: dict[str, int] = {}
        for toks in analysed[:n_published]:
            for t in {t.text for t in toks if t.kind == "name"}:
                df[t] = df.get(t, 0) + 1
        self._df = df
        prepared = [_prepare(" ".join(n.split()), df) if toks else None for (_, n, _, _), toks in zip(raw, analysed,
                                                                                                     strict=True)]

        # entity resolution: listings sharing a primary name, a multi-word alias or a registered Chinese name
        uf = _UnionFind(len(self.entries))
        # the same published name, word for word, on two lists in one country: one company, even when
        # the name is only generic words ("China Electronics Corporation" on 1260H and NS-CMIC)
        same: dict[tuple[str, str], int] = {}
        for ei, e in enumerate(self.entries):
            k2 = (" ".join(_fold_name(e.name).split()), _country_group(e.country_code))
            if not k2[0] or not k2[1]:
                continue
            if k2 in same and self.entries[same[k2]].list_id != e.list_id:
                uf.union(same[k2], ei)
            same.setdefault(k2, ei)
        first: dict[tuple[str, str, str], int] = {}
        for (ei, _, kind, zc), name in zip(raw, prepared, strict=True):
            if name is None or not name.tokens or (name.generic_only and (kind != "name" or len(name.tokens) < 3)):
                continue
            if kind == "alias" and len(name.tokens) < 2:
                continue
            if zc is not None and zc.kind not in ("registered", "former"):
                continue
            k = (name.key, _country_group(self.entries[ei].country_code), "p" if kind == "name" else "a")
            for kk in ({k, (k[0], k[1], "a")} if kind == "name" else {k}):
                if kk in first:
                    uf.union(first[kk], ei)
                else:
                    first[kk] = ei
        for ei, stem in extra_keys:
            nm = _prepare(stem, df)
            if nm.tokens and len(nm.tokens) >= (3 if nm.generic_only else 2):
                for tag in ("p", "a"):
                    kk = (nm.key, _country_group(self.entries[ei].country_code), tag)
                    if kk in first:
                        uf.union(first[kk], ei)
        self._merge_published_aliases(uf)
        primary: dict[int, _Name] = {}  # each entry's primary name, without a trailing abbreviation
        for (ei, _, kind, _), name in zip(raw, prepared, strict=True):
            if kind == "name" and name is not None:
                primary[ei] = name  # the stem (appended last) replaces the name with its abbreviation
        self._merge_near_duplicates(uf, primary)
        self._cluster_of: list[int] = [uf.find(i) for i in range(len(self.entries))]
        members: dict[int, list[int]] = {}
        for ei, c in enumerate(self._cluster_of):
            members.setdefault(c, []).append(ei)
        self._members = members

        self._rec_entry: list[int] = []  # the entry that publishes the name (origin)
        self._rec_cluster: list[int] = []
        self._rec_names: list[_Name] = []
        self._rec_origin: list[tuple[str, ZhName | None]] = []
        self._rec_sets: list[frozenset[str]] = []
        self._postings: dict[str, list[int]] = {}
        self._by_key: dict[str, list[int]] = {}
        seen: dict[tuple[int, str], int] = {}
        # every listing of the company that carries the name: (entry index, name | alias | curated)
        self._rec_publishers: list[list[tuple[int, str]]] = []
        han_names: list[tuple[int, str]] = []
        for (ei, _, kind, zr), name in zip(raw, prepared, strict=True):
            if name is None or not name.tokens:
                continue
            cl = self._cluster_of[ei]
            if has_han(name.text):  # for abbreviations: every Chinese name, also one read like another name
                han_names.append((seen.get((cl, name.key), len(self._rec_names)), name.text))
            if (cl, name.key) in seen:
                pubs = self._rec_publishers[seen[(cl, name.key)]]
                if all(p != ei for p, _ in pubs):
                    pubs.append((ei, kind))
                continue
            seen[(cl, name.key)] = len(self._rec_names)
            self._rec_publishers.append([(ei, kind)])
            rid = len(self._rec_names)
            self._rec_entry.append(ei)
            self._rec_cluster.append(cl)
            self._rec_names.append(name)
            self._rec_origin.append((kind, zr))
            self._rec_sets.append(frozenset(t.text for t in name.tokens))
            # a name of generic words and places only is also found by its places ("Tianji University")
            keys: set[str] = {t.text for t in name.tokens
                              if t.kind == "name" or (name.generic_only and t.kind == "place")}
            toks = name.tokens
            for i in range(len(toks) - 1):  # joined pairs so "huawei" finds "hua wei"
                if "name" in (toks[i].kind, toks[i + 1].kind):
                    keys.add(toks[i].text + toks[i + 1].text)
            for pk in keys:
                self._postings.setdefault(pk, []).append(rid)
            self._by_key.setdefault(name.key, []).append(rid)
        self._equiv = self._brand_equivalents(df)
        self._set_han([(rid, " ".join(f.text), f.lead, tuple(sorted(f.named)), tuple(sorted(f.places)),
                        tuple(sorted(f.starts)))
                       for rid, text in han_names for romanise in (False, True)
                       if (f := _han_form(text, romanise)) is not None and len(f.text) >= INITIALS_MIN])
        # deletion neighbourhood (edit distance ~1-2) over the distinctive vocabulary
        deletes: dict[str, list[str]] = {}
        for word in self._postings:
            if len(word) >= 4 and not word.isdigit():
                for d in _deletes(word):
                    deletes.setdefault(d, []).append(word)
        # one space-separated string per key: a third fewer objects to load from the cache file
        self._deletes: dict[str, str] = {d: " ".join(ws) for d, ws in deletes.items()}

    def _set_han(self, rows: list[tuple[int, str, int, tuple[int, ...], tuple[int, ...], tuple[int, ...]]]) -> None:
        """The Chinese names as characters, by their first character, their first after a leading place and
        that place's last (川大, 四川大学; for abbreviations, see :func:`_abbreviation` and :func:`_initials`)."""
        self._han_rows = rows
        self._han_forms: list[tuple[int, _HanForm]] = []
        self._han_first: dict[str, list[int]] = {}
        for rid, joined, lead, named, places, starts in rows:
            text = tuple(joined.split(" "))
            form = _HanForm(text, lead, frozenset(named), frozenset(places), frozenset(starts))
            for k in _han_keys(form):
                self._han_first.setdefault(k, []).append(len(self._han_forms))
            self._han_forms.append((rid, form))

    def _abbreviations(self, text: str, q: _Name, wanted: set[str] | None, cc: str | None,
                       best: dict[int, tuple[float, float, bool, int, Alignment, _Name]]) -> None:
        """Chinese names that abbreviate the query or that the query abbreviates (中国海油 and
        中国海洋石油有限公司), where that scores more than the word alignment did; a romanised query syllable
        by syllable ("Zhongguo Haiyang Shiyou" and 中国海油), ``ABBREVIATION_ROMANISED`` less (homophones)."""
        romanised = not has_han(text)
        qf = _roman_form(text) if romanised else _han_form(text)
        if qf is None or len(qf.text) < INITIALS_MIN:
            return
        keys = _han_keys(qf)
        seen: set[int] = set()
        for k in keys:
            for hi in self._han_first.get(k, ()):
                if hi in seen:
                    continue
                seen.add(hi)
                rid, rf = self._han_forms[hi]
                if len(rf.text) == len(qf.text):
                    continue  # neither abbreviates the other
                short, full = (qf, rf) if len(qf.text) < len(rf.text) else (rf, qf)
                sc = max(_abbreviation(short, full), _initials(short, full))
                if sc <= 0.0:
                    continue
                if romanised:
                    sc -= ABBREVIATION_ROMANISED
                cl = self._rec_cluster[rid]
                members = self._members[cl]
                if wanted is not None and not any(self.entries[m].list_id in wanted for m in members):
                    continue
                support = cc is not None and any(same_country(cc, self.entries[m].country_code) for m in members)
                total = min(1.0, sc + (COUNTRY_BOOST if support else 0.0))
                prev = best.get(cl)
                if prev is not None and (total, sc) <= (prev[0], prev[1]):
                    continue
                al = replace(_align(q, self._rec_names[rid]), score=sc, distinctive=True, capped=None)
                sep, what = (" ", "syllables") if romanised else ("", "characters")
                v = replace(q, reading=f"{sep.join(short.text)} read as an abbreviation of {sep.join(full.text)} "
                                       f"(its {what}, in order)")
                best[cl] = (total, sc, support, rid, al, v)

    def _merge_published_aliases(self, uf: _UnionFind) -> None:
        """A primary name printed word for word (legal form included) as another list's alias for a listing
        in the same country is the same company: 1260H's "China Telecom Group Co., Ltd." is NS-CMIC's
        "China Telecommunications Corporation" (alias "CHINA TELECOM GROUP CO., LTD."). Aliases of one or
        two words ("China Telecom") are left out: a parent and its listed subsidiary share those."""
        alias_of: dict[tuple[str, str], list[int]] = {}
        for ei, e in enumerate(self.entries):
            cg = _country_group(e.country_code)
            for a in e.aliases:
                folded = " ".join(_fold_name(a).split())
                if cg and len(folded.split()) >= 3:
                    alias_of.setdefault((folded, cg), []).append(ei)
        for ei, e in enumerate(self.entries):
            k = (" ".join(_fold_name(e.name).split()), _country_group(e.country_code))
            others = [o for o in alias_of.get(k, ()) if self.entries[o].list_id != e.list_id]
            if len(others) == 1:
                uf.union(ei, others[0])

    def _merge_near_duplicates(self, uf: _UnionFind, primary: dict[int, _Name]) -> None:
        """Near-duplicate listings of one company on two lists, merged conservatively. Two primary names
        (trailing abbreviation left out) on different lists are one company when
        (1) they are in the same country, or one is in China/Hong Kong/Macau and the other in an offshore
            holding jurisdiction where Chinese groups register their listed parent (KY, VG, BM) and the
            names are identical once legal forms are left out ("Megvii Technology" CN on the Entity List,
            "Megvii Technology Limited" KY on NS-CMIC);
        (2) they share every distinctive word, written the same (so at least one is shared);
        (3) their generic words agree and only one of them names places ("Dahua Technology" and
            "Zhejiang Dahua Technology Co., Ltd.") or both name the same ones;
        (4) the names score at least ``NEAR_DUPLICATE`` against each other;
        (5) the pairing is one-to-one: each has exactly one such partner on the other list, and neither
            is already resolved to a company with a listing on the other's list (two listings on one list
            are two entries the list itself keeps apart: "Huawei Technologies Co., Ltd." and "Chengdu
            Huawei Technologies Co., Ltd.").
        """
        buckets: dict[tuple[str, frozenset[str]], list[tuple[int, _Name]]] = {}
        for ei, nm in primary.items():
            cg = _country_group(self.entries[ei].country_code)
            names = frozenset(t.text for t in nm.tokens if t.kind == "name")
            if not names or not cg:
                continue
            buckets.setdefault(("CN" if cg in OFFSHORE else cg, names), []).append((ei, nm))
        pairs: dict[int, set[int]] = {}
        for items in buckets.values():
            if len(items) < 2 or len(items) > 12:
                continue
            for x, (a, na) in enumerate(items):
                for b, nb in items[x + 1 :]:
                    ea, eb = self.entries[a], self.entries[b]
                    if ea.list_id == eb.list_id:
                        continue
                    ca, cb = _country_group(ea.country_code), _country_group(eb.country_code)
                    if ca != cb and na.key != nb.key:
                        continue  # an offshore parent only under the very same name
                    ga = {t.text for t in na.tokens if t.kind == "generic"}
                    gb = {t.text for t in nb.tokens if t.kind == "generic"}
                    pa = {t.text for t in na.tokens if t.kind == "place"}
                    pb = {t.text for t in nb.tokens if t.kind == "place"}
                    if ga != gb or (pa and pb and pa != pb):
                        continue
                    if _align(na, nb).score < NEAR_DUPLICATE:
                        continue
                    pairs.setdefault(a, set()).add(b)
                    pairs.setdefault(b, set()).add(a)
        lists_of: dict[int, set[str]] = {}
        for ei in range(len(self.entries)):
            lists_of.setdefault(uf.find(ei), set()).add(self.entries[ei].list_id)
        for a, partners in sorted(pairs.items()):
            if len(partners) != 1:
                continue
            b = next(iter(partners))
            if a > b or len(pairs.get(b, ())) != 1 or uf.find(a) == uf.find(b):
                continue
            la, lb = lists_of[uf.find(a)], lists_of[uf.find(b)]
            if self.entries[a].list_id in lb or self.entries[b].list_id in la:
                continue
            uf.union(a, b)
            lists_of[uf.find(a)] = la | lb

    def _brand_equivalents(self, df: dict[str, int]) -> dict[str, list[tuple[tuple[str, str, str], ...]]]:
        """Chinese brand -> the English words it stands for, learnt from the index itself: a name in Chinese
        characters with one distinctive part (寒武纪, 科大讯飞) published for a listing whose English name
        translates rather than transliterates it ("Cambricon Technologies Corporation Limited") gives
        寒武纪 = "cambricon": the English name's distinctive words that the Chinese name lacks (a trailing
        abbreviation left out). A query naming a subsidiary (安徽寒武纪信息科技) can then meet the subsidiary's
        English listing (Anhui Cambricon Information Technology). A brand whose English name has only
        generic words besides its abbreviation (中芯国际, "Semiconductor Manufacturing International
        Corporation (SMIC)") reads as the abbreviation (中芯 = "smic"), never as the generic words: generic
        words alone never make a match."""
        found: dict[str, dict[tuple[tuple[str, str, str], ...], int]] = {}
        by_abbreviation: set[str] = set()  # brands read as an English name's abbreviation (中芯 = "smic")
        for rid, name in enumerate(self._rec_names):
            cores = [t for t in name.tokens if t.kind == "name" and _is_han_token(t)
                     and translation_of(t.source, t.text) is None]  # a translated word is no brand
            if len(cores) != 1 or len(cores[0].source) < 2:
                continue
            core = cores[0]
            e = self.entries[self._rec_entry[rid]]
            m = _TRAILING_ABBREV.match(e.name)
            stem = m.group(1) if m else e.name
            if has_han(stem):
                continue
            en = _prepare(" ".join(stem.split()), df)
            mine = {t.text for t in name.tokens}
            eq = list({t.text: t for t in en.tokens if t.kind == "name" and t.text not in mine}.values())
            joined = "".join(t.text for t in en.tokens)
            if core.text in joined or any(token_similarity(core.text, t.text) > 0.0 for t in en.tokens):
                continue  # a transliteration (华为 = Huawei) needs no reading
            keys: list[tuple[tuple[str, str, str], ...]] = []
            if eq and len(eq) <= 4:
                keys.append(tuple((t.text, t.kind, e.name) for t in eq))
            elif not eq and m:
                # an English name of generic words only and its abbreviation (中芯国际 = "Semiconductor
                # Manufacturing International Corporation (SMIC)"): the brand reads as the abbreviation
                abbrev = [t for t in _prepare(m.group(2), df).tokens if t.kind == "name"]
                if len(abbrev) == 1 and len(abbrev[0].text) >= 3:
                    keys.append(((abbrev[0].text, "name", e.name),))
                    by_abbreviation.add(core.source)
            for key in keys:
                found.setdefault(core.source, {})
                found[core.source][key] = found[core.source].get(key, 0) + 1
        # the same readings for a romanised query ("Anhui Hanwuji Xinxi Keji"), when the romanisation belongs
        # to one brand only and is no word of a name written in Latin letters on the lists, but for the
        # names of companies that the brand's reading names too (Inspur (Beijing)'s alias "Langchao (Beijing)
        # Electronic Information Industry": 浪潮 = "inspur" still reads "Langchao Ruanjian"); not so a brand
        # read as an abbreviation: "Zhongxin" stays 中心 too, and 中芯's family has English names of generic
        # words only, which its abbreviation alone would tell apart
        roman: dict[str, set[str]] = {}
        for name in self._rec_names:
            for t in name.tokens:
                if t.kind == "name" and _is_han_token(t) and t.source in found:
                    roman.setdefault(t.text, set()).add(t.source)
        latin_in: dict[str, set[int]] = {}  # a word of a name in Latin letters -> the companies it names
        words_of: dict[int, set[str]] = {}  # a company -> the words of all its names
        for rid, name in enumerate(self._rec_names):
            cl = self._rec_cluster[rid]
            for t in name.tokens:
                words_of.setdefault(cl, set()).add(t.text)
                if not _is_han_token(t):
                    latin_in.setdefault(t.text, set()).add(cl)

        def own(r: str, src: str) -> bool:
            if src in by_abbreviation:
                return r not in latin_in
            readings = {x for key in found[src] for x, _, _ in key}
            return all(readings & words_of[cl] for cl in latin_in.get(r, ()))

        self._equiv_roman = {r: next(iter(srcs)) for r, srcs in roman.items()
                             if len(srcs) == 1 and len(r) >= 4 and own(r, next(iter(srcs)))}
        return {src: [k for k, _ in sorted(c.items(), key=lambda kv: -kv[1])[:3]] for src, c in found.items()}

    def _brand_variants(self, q: _Name) -> list[_Name]:
        """The query with a known Chinese brand read as its English words (see :meth:`_brand_equivalents`)."""
        out: list[_Name] = []
        for i, t in enumerate(q.tokens):
            if t.kind != "name":
                continue
            src = t.source if _is_han_token(t) else self._equiv_roman.get(t.text, "")
            if src and src not in self._equiv and _is_han_token(t):
                # a brand after a prefix of one or two characters that the segmenter kept with it (中际旭创:
                # 中际 + 旭创, a group's or a founder's prefix): read as the brand
                src = next((src[k:] for k in (1, 2) if len(src) - k >= 2 and src[k:] in self._equiv), src)
            for eq in self._equiv.get(src, ()):
                toks = [Token(x, k, t.source) for x, k, _ in eq]
                share = q.weights[i] / len(toks)
                tokens = (*q.tokens[:i], *toks, *q.tokens[i + 1 :])
                weights = (*q.weights[:i], *(share for _ in toks), *q.weights[i + 1 :])
                said = src if src == t.source else f"{t.source if _is_han_token(t) else t.text} ({src})"
                reading = f"{said} read as {' '.join(x for x, _, _ in eq)!r} (from {eq[0][2]!r})"
                out.append(_Name(q.text, tokens, weights, q.legal, False, " ".join(sorted(x.text for x in tokens)),
                                 tuple(range(i, i + len(toks))), reading))
        return out[:4]

    # -- a plain-data image of the index (for a cache file: marshal loads it in a few tens of ms) --
    _ENTRY_FIELDS = ("entry_id", "list_id", "name", "aliases", "country", "country_code", "address",
                     "federal_register", "effective_date", "license_requirement", "license_policy", "notes",
                     "programs", "entity_type", "source_url")

    def to_state(self) -> dict[str, Any]:
        """Builtin types only (marshal-able). ``from_state`` rebuilds an equal screener."""
        zh_index = {z: i for i, z in enumerate(curated_names())}
        snaps = []
        for sn in self.snapshots:
            snaps.append((sn.source, sn.source_format, sn.list_ids, sn.snapshot_date, sn.retrieved, sn.sha256,
                          tuple(tuple(getattr(e, f) for f in self._ENTRY_FIELDS) for e in sn.entries)))
        names = [(n.text, tuple((t.text, t.kind, t.source) for t in n.tokens), n.weights, n.legal, n.generic_only,
                  n.key) for n in self._rec_names]
        origins = [(k, zh_index.get(z, -1) if z is not None else -1) for k, z in self._rec_origin]
        return {"algorithm": ALGORITHM, "threshold": self.threshold, "snapshots": snaps, "df": self._df,
                "cluster_of": self._cluster_of, "rec_entry": self._rec_entry, "rec_cluster": self._rec_cluster,
                "rec_names": names, "rec_origin": origins, "rec_publishers": self._rec_publishers,
                "postings": self._postings, "by_key": self._by_key, "deletes": self._deletes,
                "equiv": self._equiv, "equiv_roman": self._equiv_roman, "han": self._han_rows}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Screener:
        if state.get("algorithm") != ALGORITHM:
            raise ValueError("index image of another algorithm")
        self = cls.__new__(cls)
        snaps: list[ListSnapshot] = []
        for source, fmt, list_ids, date, retrieved, sha, rows in state["snapshots"]:
            entries = tuple(ListEntry(**dict(zip(cls._ENTRY_FIELDS, r, strict=True))) for r in rows)
            snaps.append(ListSnapshot(source, fmt, tuple(list_ids), date, retrieved, sha, entries))
        self.snapshots = tuple(snaps)
        self.threshold = float(state["threshold"])
        self.entries = [e for sn in self.snapshots for e in sn.entries]
        self.list_ids = tuple(dict.fromkeys(e.list_id for e in self.entries))
        self._df = state["df"]
        self._cluster_of = list(state["cluster_of"])
        members: dict[int, list[int]] = {}
        for ei, c in enumerate(self._cluster_of):
            members.setdefault(c, []).append(ei)
        self._members = members
        self._rec_entry = state["rec_entry"]
        self._rec_cluster = state["rec_cluster"]
        self._rec_names = [_Name(text, tuple(Token(*t) for t in toks), tuple(w), tuple(lg), bool(go), key)
                           for text, toks, w, lg, go, key in state["rec_names"]]
        zh = curated_names()
        self._rec_origin = [(k, zh[i] if i >= 0 else None) for k, i in state["rec_origin"]]
        self._rec_publishers = [[(int(p), str(k)) for p, k in pubs] for pubs in state["rec_publishers"]]
        self._rec_sets = [frozenset(t.text for t in n.tokens) for n in self._rec_names]
        self._postings = state["postings"]
        self._by_key = state["by_key"]
        self._deletes = state["deletes"]
        self._equiv = {k: [tuple(tuple(x) for x in eq) for eq in v] for k, v in state["equiv"].items()}
        self._equiv_roman = dict(state["equiv_roman"])
        self._set_han([(int(r), str(t), int(lead), tuple(nm), tuple(pl), tuple(st))
                       for r, t, lead, nm, pl, st in state["han"]])
        return self

    # -- lookups --
    def _is_word(self, word: str) -> bool:
        """A word the index or the lexicon knows (a listed name's word, a generic word, a legal form, a place)."""
        f = word.casefold()
        if not f.isalnum():
            f = "".join(ch for ch in f if ch.isalnum())
        return bool(f) and (f in self._postings or _known_word(f) or NUMBER_WORDS.get(f, "") in self._postings)

    def _moved_space(self, text: str) -> str | None:
        """The query with a space typed one letter off put back, where a word as typed is unknown and both
        words put right are known words ("Leo nTechnology" = "Leon Technology", "China Thre eGorges" =
        "China Three Gorges"), and a hyphenated word with an unknown part as one word ("Kuang-Cii" =
        "KuangCii", which meets "Kuang-Chi" one letter off): read besides the query as typed, never
        instead of it."""
        words = text.split()
        if len(words) < 2 and "-" not in text:
            return None
        known = [self._is_word(w) for w in words]
        if all(known) or has_han(text):
            return None
        changed = False
        for i, w in enumerate(words):  # a hyphenated word with a part mistyped, read as one ("Kuang-Cii")
            parts = w.split("-")
            if len(parts) == 2 and all(len(x) >= 2 for x in parts) and not all(self._is_word(x) for x in parts):
                words[i] = "".join(parts)
                known[i] = False
                changed = True
        for i in range(len(words) - 1):
            a, b = words[i], words[i + 1]
            a_known, b_known = known[i], known[i + 1]
            if a_known and b_known:
                continue
            if not b_known and len(b) >= 4 and b[0].isalpha() and self._is_word(a + b[0]) and self._is_word(b[1:]):
                words[i], words[i + 1] = a + b[0], b[1:]
                known[i] = known[i + 1] = changed = True
            elif not a_known and len(a) >= 4 and a[-1].isalpha() and self._is_word(a[:-1]) \
                    and self._is_word(a[-1] + b):
                words[i], words[i + 1] = a[:-1], a[-1] + b
                known[i] = known[i + 1] = changed = True
        return " ".join(words) if changed else None

    def _fuzzy_vocab(self, word: str) -> list[tuple[str, float]]:
        out: dict[str, float] = {}
        if word in self._postings:
            out[word] = 1.0
        if len(word) >= 4 and not word.isdigit():
            cands: set[str] = set(self._deletes.get(word, "").split())
            for d in _deletes(word):
                if d in self._postings:
                    cands.add(d)
                cands.update(self._deletes.get(d, "").split())
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
                if q.generic_only:  # exactly: a listed "Micro Electronics" is posted as "microelectronic" too
                    for rid in self._postings.get(t.text, ()):
                        acc[rid] = acc.get(rid, 0.0) + q.weights[i]
                continue
            w = q.weights[i]
            for word, s in self._fuzzy_vocab(t.text):
                for rid in self._postings.get(word, ()):
                    acc[rid] = acc.get(rid, 0.0) + w * s
        for size in range(2, MAX_JOIN + 1):  # query words that are joined in the listed name
            for i in range(len(toks) - size + 1):
                joined = "".join(t.text for t in toks[i : i + size])
                for rid in self._postings.get(joined, ()):
                    acc[rid] = acc.get(rid, 0.0) + sum(q.weights[i : i + size])
        for rid in self._by_key.get(q.key, ()):
            acc[rid] = acc.get(rid, 0.0) + q.total
        if q.generic_only:  # a name of generic words only: listed names holding all its words
            for rid in self._generic_candidates(q):
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

    def _generic_candidates(self, q: _Name) -> list[int]:
        """Records whose key equals the query's, also without a 集团 "group" that a listed "Corporation"
        stands for (see :func:`_align`)."""
        out = list(self._by_key.get(q.key, ()))
        if any(_is_jituan(t) for t in q.tokens):
            rest = [t.text for t in q.tokens if not _is_jituan(t)]
            if rest:
                out.extend(self._by_key.get(" ".join(sorted(rest)), ()))
        return out

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
        variants.extend(self._brand_variants(q))
        moved = self._moved_space(text)
        if moved is not None:
            variants.extend(_variants(moved, self._df))
        note: str | None = None
        listed = tuple(sorted(wanted or self.list_ids))
        if not q.tokens:
            note = "the name has only legal-form words or stop words; nothing to match"
            return ScreeningResult(name, cc, thr, (), "", self.snapshots, listed, note)
        if all(v.generic_only for v in variants):
            note = ("the name has only generic words and places; it matches only a listed name whose every "
                    "word agrees")
        floor = max(0.0, thr - POSSIBLE_BAND)
        best: dict[int, tuple[float, float, bool, int, Alignment, _Name]] = {}
        for v in variants:
            for rid in self._candidates(v, floor):
                cl = self._rec_cluster[rid]
                members = self._members[cl]
                if wanted is not None and not any(self.entries[m].list_id in wanted for m in members):
                    continue
                al = _align(v, self._rec_names[rid])
                if al.score <= 0.0:
                    continue
                support = cc is not None and any(same_country(cc, self.entries[m].country_code) for m in members)
                total = min(1.0, al.score + (COUNTRY_BOOST if support else 0.0))
                prev = best.get(cl)
                if prev is None or (total, al.score) > (prev[0], prev[1]):
                    best[cl] = (total, al.score, support, rid, al, v)
        self._abbreviations(text, q, wanted, cc, best)
        folded = text.casefold()
        hits: list[Hit] = []
        possible: list[Hit] = []
        for cl, (total, base, support, rid, al, v) in best.items():
            if total + 1e-9 < floor:
                continue
            if total + 1e-9 < thr and al.capped and not al.distinctive:
                continue
            listings = [self.entries[m] for m in self._members[cl]
                        if wanted is None or self.entries[m].list_id in wanted]
            rec = self._rec_names[rid]
            pub_kind = {id(self.entries[p]): k for p, k in self._rec_publishers[rid]}
            rank_of = {"name": 0, "alias": 1, "curated": 2}
            listings.sort(key=lambda e: (*_list_rank(e), rank_of.get(pub_kind.get(id(e), ""), 3),
                                         0 if e.name.casefold() == folded else 1, e.entry_id))
            head = listings[0]
            p0, k0 = self._rec_publishers[rid][0]
            origin_entry = head if id(head) in pub_kind else self.entries[p0]
            origin_kind = pub_kind.get(id(head), k0)
            _, z = self._rec_origin[rid]
            hit = Hit(
                entry=head, matched_name=rec.text, score=round(total, 4), name_score=base,
                country_support=support, alignment=al,
                generic_tokens=tuple(t.text for t in v.tokens if t.kind != "name"),
                legal_forms=v.legal, meaning=meaning_of(head), listings=tuple(listings),
                origin=NameOrigin(origin_entry, origin_kind, z if origin_kind == "curated" else None),
                reading=v.reading or None, translations=_translations(v, al, rec),
            )
            (hits if total + 1e-9 >= thr else possible).append(hit)

        q_legal = set(q.legal)

        def order(h: Hit) -> tuple[float, int, int, int, int, int, int, str]:
            exact = 0 if h.entry.name.casefold() == folded else 1 if h.matched_name.casefold() == folded else 2
            legal_agrees = 0 if q_legal and q_legal == set(_legal_forms(h.matched_name)) else 1
            blocking, prio = _list_rank(h.entry)
            return (-h.score, blocking, exact, prio, legal_agrees, -len(h.entry.aliases), len(h.entry.name),
                    h.entry.entry_id)

        hits.sort(key=order)
        possible.sort(key=order)
        normalized = " ".join(t.text for t in q.tokens)
        return ScreeningResult(name, cc, thr, tuple(hits[:limit]), normalized, self.snapshots, listed, note,
                               tuple(possible[:MAX_POSSIBLE]))

    def company_of(self, entry: ListEntry) -> tuple[ListEntry, ...]:
        """All listings resolved to the same company as ``entry`` (itself included)."""
        for i, e in enumerate(self.entries):
            if e is entry:
                return tuple(self.entries[m] for m in self._members[self._cluster_of[i]])
        return (entry,)

    def stats(self) -> dict[str, int]:
        return {"entries": len(self.entries), "companies": len(self._members), "names": len(self._rec_names),
                "vocabulary": len(self._postings), "delete_keys": len(self._deletes)}
