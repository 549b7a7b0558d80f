"""Jurisdiction and availability facts per catalogue item (``chips/provenance.csv``), each row with its sources.

Rows are matched in file order by vendor and an optional regular expression on the model; the first match wins,
so specific rows (China-market variants, the chips BIS's guidance names) come before a vendor's default row. A blank
cell means unknown — the engine asks rather than guesses.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from chipcontrol.catalog.entries import CatalogEntry
from chipcontrol.model.spec import Provenance

PROVENANCE_FILE = "provenance.csv"


@dataclass(frozen=True, slots=True)
class Rule:
    vendor: str
    pattern: re.Pattern[str] | None
    provenance: Provenance
    us_available: bool | None
    source: str


def _bool(text: str) -> bool | None:
    t = text.strip().lower()
    return True if t == "true" else False if t == "false" else None


def parse(text: str) -> list[Rule]:
    rules: list[Rule] = []
    for row in csv.DictReader(io.StringIO(text)):
        pattern = row["model_pattern"].strip()
        prov = Provenance(
            designed_in=row["designed_in"].strip() or None, made_in=row["made_in"].strip() or None,
            fab=row["fab"].strip(), direct_product=_bool(row["direct_product"]),
            us_content_above=_bool(row["us_content_above"]), ordered_by_footnote=row["ordered_by_footnote"].strip(),
            gp10=row["gp10"].strip(), sources=(row["sources"].strip(),), verification=row["verification"].strip())
        rules.append(Rule(row["vendor"].strip(), re.compile(pattern) if pattern else None, prov,
                          _bool(row["us_available_2026_01_15"]), row["sources"].strip()))
    return rules


def apply(entries: Iterable[CatalogEntry], rules: list[Rule]) -> list[CatalogEntry]:
    """Entries with their provenance and US availability attached (unchanged where no row matches)."""
    out: list[CatalogEntry] = []
    for e in entries:
        rule = next((r for r in rules if r.vendor in (e.vendor, "*")
                     and (r.pattern is None or r.pattern.search(e.model))), None)
        if rule is None:
            out.append(e)
            continue
        spec = dataclasses.replace(e.spec, provenance=rule.provenance, us_availability=rule.us_available,
                                   us_availability_source=rule.source if rule.us_available is not None else "")
        out.append(dataclasses.replace(e, spec=spec))
    return out
