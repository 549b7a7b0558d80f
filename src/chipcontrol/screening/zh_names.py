"""Curated Chinese-character names of listed parties (``data/zh_names.csv``).

One row per name: the list and the listed primary name it belongs to (as published), the name in
simplified characters, its kind, a confidence code and the source. The ``traditional`` column is
derived mechanically (OpenCC ``s2tw``, see :func:`chipcontrol.screening.chinese.to_traditional`);
a test keeps it in step. Traditional input never needs it: queries are converted to simplified.

Kinds: ``registered`` (registered name), ``former`` (an earlier registered name), ``brand``
(short name or brand, e.g. an exchange short name), ``short`` (another common short form).

Confidence codes:

* ``L`` the list's own alias (e.g. NS-CMIC prints 深圳市大疆创新科技有限公司 for SZ DJI);
* ``X`` an exchange filing or exchange short name (the stock code is in the source);
* ``P`` its pinyin equals the listed name or one of the list's own pinyin aliases (checked by a test);
* ``S`` the organisation's own site or published name;
* ``U`` best knowledge, not verified against a document: shown as such in explanations.

Names of companies are public facts; nothing here is invented, and what was not checked says so.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

KINDS = ("registered", "former", "brand", "short")
CONFIDENCE = {"L": "list alias", "X": "exchange filing", "P": "pinyin agrees with the list",
              "S": "organisation's own publication", "U": "unverified"}


@dataclass(frozen=True, slots=True)
class ZhName:
    list_id: str
    listed_name: str
    name: str  # simplified characters
    kind: str
    confidence: str
    source: str
    traditional: str

    def describe(self) -> str:
        return f"curated {self.kind} name ({CONFIDENCE.get(self.confidence, self.confidence)}: {self.source})"


@lru_cache(maxsize=1)
def curated_names() -> tuple[ZhName, ...]:
    """All curated names, in file order."""
    text = resources.files("chipcontrol.screening").joinpath("data", "zh_names.csv").read_text("utf-8")
    out: list[ZhName] = []
    for row in csv.DictReader(io.StringIO(text)):
        out.append(ZhName(row["list"], row["listed_name"], row["name_zh"], row["kind"], row["confidence"],
                          row["source"], row["traditional"]))
    return tuple(out)


@lru_cache(maxsize=1)
def company_words() -> tuple[str, ...]:
    """The company-name part of the segmenter's dictionary: ``data/zh_company_words.txt``, generated from
    the curated names with :func:`derive_company_words` by benchmarks/screening_zh_data.py (a test keeps
    it in step). Read from a file so that a Chinese query does not segment 400 names first."""
    text = resources.files("chipcontrol.screening").joinpath("data", "zh_company_words.txt").read_text("utf-8")
    return tuple(w for w in (x.strip() for x in text.splitlines()) if w and not w.startswith("#"))


def derive_company_words() -> tuple[str, ...]:
    """The distinctive cores of the curated names (华为, 海康威视, 寒武纪, 新芯 ...). A core is what is left of
    a name once places, generic words and legal forms are taken out, so brands never swallow a place or
    an industry word."""
    from chipcontrol.screening.chinese import base_cores

    out: dict[str, None] = {}
    for z in curated_names():
        for core in base_cores(z.name):
            out[core] = None
    return tuple(out)
