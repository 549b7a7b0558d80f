"""Chip-name normalisation and the tiered name index used by ``Catalog.lookup``.

Tiers, tried in order; the first tier with a match decides (curated rows beat Epoch additions
within a tier; one match wins, several are ambiguous):

0. exact: the whole name (vendor + model, or model alone) after normalisation;
1. the same, ignoring product-line words (GeForce, Instinct, Tesla, Radeon);
2. the same, also ignoring parenthesised suffixes; ``A / B`` models answer to A and to B;
3. every query word is a word of the catalogue name;
4. every query word starts a word of the name, or the squashed query occurs inside the squashed name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

PRODUCT_LINE_WORDS = frozenset({"geforce", "instinct", "tesla", "radeon"})

_WORD = re.compile(r"[a-z0-9]+")
_UNIT = {"gb", "tb", "mb", "w"}
_PARENS = re.compile(r"\([^)]*\)")


def words(text: str) -> list[str]:
    """Lower-case alphanumeric words; a number followed by GB/TB/MB/W is one word ('80 GB' = '80GB')."""
    text = unicodedata.normalize("NFKC", text).lower()
    out: list[str] = []
    for word in _WORD.findall(text):
        if word in _UNIT and out and out[-1].isdigit():
            out[-1] += word
        else:
            out.append(word)
    return out


def squash(text: str, drop_product_line: bool = False) -> str:
    """Normalised form: words joined without separators."""
    ws = words(text)
    if drop_product_line:
        ws = [w for w in ws if w not in PRODUCT_LINE_WORDS]
    return "".join(ws)


def _alternatives(model: str) -> list[str]:
    base = " ".join(_PARENS.sub(" ", model).split())
    parts = [p.strip() for p in base.split(" / ")] if " / " in base else []
    return [base, *parts]


@dataclass(frozen=True, slots=True)
class _Named:
    key: str
    vendor: str
    model: str
    preferred: bool  # a curated (chips.csv) row


class NameIndex:
    """Dict-based index from normalised names to catalogue keys, built once."""

    def __init__(self, names: Iterable[tuple[str, str, str, bool]]) -> None:
        """``names``: (key, vendor, model, preferred) per entry, in catalogue order."""
        self._items: list[_Named] = [_Named(*n) for n in names]
        self._order = {item.key: i for i, item in enumerate(self._items)}
        self._tiers: list[dict[str, list[str]]] = [{}, {}, {}]
        self._words: dict[str, frozenset[str]] = {}
        self._squashed: dict[str, str] = {}
        for item in self._items:
            full = [item.key, item.model]
            for name in full:
                self._add(0, squash(name), item.key)
                self._add(1, squash(name, True), item.key)
            for alt in _alternatives(item.model):
                for name in (alt, f"{item.vendor} {alt}"):
                    self._add(2, squash(name, True), item.key)
            self._words[item.key] = frozenset(words(item.key))
            self._squashed[item.key] = squash(item.key, True)

    def _add(self, tier: int, alias: str, key: str) -> None:
        if not alias:
            return
        keys = self._tiers[tier].setdefault(alias, [])
        if key not in keys:
            keys.append(key)

    @property
    def keys(self) -> list[str]:
        """All keys, in catalogue order."""
        return [item.key for item in self._items]

    def _prefer(self, keys: Sequence[str]) -> list[str]:
        preferred = {item.key for item in self._items if item.preferred}
        chosen = [k for k in keys if k in preferred] or list(keys)
        return sorted(dict.fromkeys(chosen), key=self._order.__getitem__)

    def candidates(self, query: str) -> list[str]:
        """Keys matching ``query`` at the first tier that matches anything (curated rows first)."""
        exact = squash(query)
        loose = squash(query, True)
        if not loose and not exact:
            return []
        for tier, alias in ((0, exact), (1, loose), (2, loose)):
            hits = self._tiers[tier].get(alias)
            if hits:
                return self._prefer(hits)
        qwords = [w for w in words(query) if w not in PRODUCT_LINE_WORDS] or words(query)
        subset = [k for k, ws in self._words.items() if all(w in ws for w in qwords)]
        if subset:
            return self._prefer(subset)
        fuzzy = [
            k for k, ws in self._words.items()
            if all(any(x.startswith(w) for x in ws) for w in qwords) or (loose and loose in self._squashed[k])
        ]
        return self._prefer(fuzzy)

    def suggestions(self, query: str, limit: int = 5) -> list[str]:
        """Up to ``limit`` close catalogue keys for an unknown name (vendor words ignored)."""
        from rapidfuzz import fuzz, process

        ignore = PRODUCT_LINE_WORDS | {w for item in self._items for w in words(item.vendor)}
        target = " ".join(w for w in words(query) if w not in ignore) or " ".join(words(query))
        if not target:
            return []
        choices = {
            item.key: " ".join(w for w in words(item.model) if w not in PRODUCT_LINE_WORDS)
            for item in self._items
        }
        found = process.extract(target, choices, scorer=fuzz.WRatio, limit=limit, score_cutoff=60)
        return [str(match[2]) for match in found]
