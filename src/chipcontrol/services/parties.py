"""The parties of a transaction as the licence engine needs them: parsed, screened, with their owners.

- ``parse_owner`` reads ``NAME=PERCENT``; ``read_ownership_file`` reads the CSV ``owner,owned,percent[,source]``
  with one-line errors naming the file and line; both give ``OwnershipLink`` values, validated together (no
  cycle, no entity over 100 %).
- ``screen_hits`` turns a screening result into the engine's ``PartyHit`` values (with the entry id, the
  foreign-direct-product footnote and the list's effect); ``resembles`` finds listed groups whose distinctive
  name a party shares without matching (Red Flag 29 asks who owns it).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from chipcontrol.errors import InvalidInput
from chipcontrol.model.shipment import OwnershipLink, PartyHit
from chipcontrol.rules.ear import ownership
from chipcontrol.services.inputs import parse_party, read_user_file

OWNERSHIP_COLUMNS = ("owner", "owned", "percent", "source")
_FOOTNOTE = re.compile(r"footnote (\d)")
_CACHE_MAX = 50_000


def parse_percent(text: object, where: str) -> Fraction:
    """A percentage 0-100 as an exact fraction ("25.1" is exactly 251/10)."""
    raw = str(text).strip().rstrip("%").strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InvalidInput(f"{where}: percentage {str(text)!r} is not a number") from None
    if not value.is_finite():
        raise InvalidInput(f"{where}: percentage {str(text)!r} is not a finite number")
    if value < 0 or value > 100:
        raise InvalidInput(f"{where}: percentage {raw} is outside 0-100")
    return Fraction(value)


def parse_owner(text: str, owned: str) -> OwnershipLink:
    """``NAME=PERCENT``: a direct owner of ``owned`` (the end user)."""
    if "=" not in text:
        raise InvalidInput(f"owner {text!r}: expected NAME=PERCENT, e.g. 'Huawei International Pte. Ltd.=51'")
    name, pct = text.rsplit("=", 1)
    owner = parse_party(name, "owner")
    assert owner is not None
    return OwnershipLink(owner, owned, parse_percent(pct, f"owner {owner!r}"), "", "--owner")


def ownership_csv_rows(text: str, name: str, columns: tuple[str, ...] = OWNERSHIP_COLUMNS,
                       max_rows: int | None = None) -> list[tuple[str, dict[str, str]]]:
    """The rows of an ownership CSV (a header row naming some of ``columns``; the first three required) as
    (``name:line``, cells by column). Errors name the file and line; blank lines are skipped."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    shape = ",".join(columns[:3]) + "".join(f"[,{c}" for c in columns[3:]) + "]" * len(columns[3:])
    if not rows or not any(c.strip() for c in rows[0]):
        raise InvalidInput(f"{name}: empty ownership file; expected a header {shape}")
    header = [c.strip().lower() for c in rows[0]]
    unknown = [c for c in header if c not in columns]
    if unknown:
        raise InvalidInput(f"{name}:1: unknown column {unknown[0]!r}; columns are {shape}")
    missing = [c for c in columns[:3] if c not in header]
    if missing:
        raise InvalidInput(f"{name}:1: missing column {missing[0]!r}; columns are {shape}")
    if len(set(header)) != len(header):
        raise InvalidInput(f"{name}:1: a column is named twice")
    out: list[tuple[str, dict[str, str]]] = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        where = f"{name}:{n}"
        if max_rows is not None and len(out) >= max_rows:
            raise InvalidInput(f"{where}: more than {max_rows:,} rows; split the file")
        if len(row) > len(header):
            raise InvalidInput(f"{where}: {len(row)} fields, the header has {len(header)}")
        cells = dict(zip(header, [c.strip() for c in row] + [""] * (len(header) - len(row)), strict=True))
        for col in ("owner", "owned"):
            if not cells[col]:
                raise InvalidInput(f"{where}: empty {col} name")
        out.append((where, cells))
    return out


def read_ownership_file(path: str) -> list[OwnershipLink]:
    """CSV ``owner,owned,percent[,source]`` (a header row; ``source`` optional). Errors name the file and line."""
    links: list[OwnershipLink] = []
    for where, cells in ownership_csv_rows(read_user_file(path, "ownership"), path):
        owner = parse_party(cells["owner"], f"{where}: owner")
        owned = parse_party(cells["owned"], f"{where}: owned")
        assert owner is not None and owned is not None
        links.append(OwnershipLink(owner, owned, parse_percent(cells["percent"], where), cells.get("source", ""),
                                   where))
    return links


def validate_links(links: Iterable[OwnershipLink]) -> tuple[OwnershipLink, ...]:
    return ownership.validate(links)


# ------------------------------------------------------------------------------------------------ screening
def _footnote(entry: Any) -> str:
    from chipcontrol.screening.semantics import fdp_note

    note = fdp_note(entry) if entry.list_id == "entity_list" else None
    m = _FOOTNOTE.search(note or "")
    return m.group(1) if m else ""


def _party_hit(name: str, h: Any, entry: Any) -> PartyHit:
    from chipcontrol.screening.semantics import BLOCKING_EFFECTS, meaning_of

    m = meaning_of(entry)
    kind = m.effect if m.effect in BLOCKING_EFFECTS else "informational"
    via = h.via() if hasattr(h, "via") else None
    how = f"matched {h.matched_name!r}" + (f" ({via})" if via else "")
    return PartyHit(party=name, list=entry.list_id, listed_name=entry.name, score=h.score, kind=kind,
                    detail=f"{how}; {m.license_requirement}",
                    citation=m.citation, review_policy=m.review_policy, entry_id=entry.entry_id,
                    entry_version=str(getattr(entry, "version", "") or ""), fdp_footnote=_footnote(entry),
                    programs=tuple(getattr(entry, "programs", ())))


def hits_of(name: str, hits: Iterable[Any]) -> list[PartyHit]:
    """Screening hits (sorted by score) as the engine's PartyHits: one per list. A company listed on several lists
    gives a hit on each; the best-scoring listing on a list speaks for it, the others are named in
    ``also_matched``."""
    best: dict[str, PartyHit] = {}
    others: dict[str, list[str]] = {}
    for h in hits:
        for entry in getattr(h, "listings", ()) or (h.entry,):
            if entry.list_id in best:
                if entry.name != best[entry.list_id].listed_name:
                    others[entry.list_id].append(entry.name)
                continue
            best[entry.list_id] = _party_hit(name, h, entry)
            others[entry.list_id] = []
    return [dataclasses.replace(hit, also_matched=tuple(dict.fromkeys(others[k]))) for k, hit in best.items()]


def _distinctive_shared(h: Any) -> bool:
    return any(m.kind == "name" and m.similarity >= 0.95 for m in h.alignment.matches)


class PartyScreener:
    """Screens party and owner names against the lists in force, once per (name, country), and says which
    listed groups a name resembles. Bound to one screener (one list snapshot): a new snapshot needs a new one."""

    def __init__(self, screener: Any) -> None:
        self._screener = screener
        self._cache: dict[tuple[str, str | None], tuple[list[PartyHit], list[PartyHit]]] = {}

    def __call__(self, name: str, country: str | None) -> tuple[list[PartyHit], list[PartyHit]]:
        key = (name, country)
        found = self._cache.get(key)
        if found is not None:
            return found
        result = self._screener.screen(name, country)
        hits = hits_of(name, result.hits)
        blocking = {"entity_list", "meu", "sdn"}
        resembles = hits_of(name, [h for h in getattr(result, "possible", ())
                                   if h.list_id in blocking and _distinctive_shared(h)])
        if len(self._cache) >= _CACHE_MAX:
            self._cache.clear()
        self._cache[key] = (hits, resembles)
        return hits, resembles


def without_cleared(screen: Callable[[str, str | None], tuple[list[PartyHit], list[PartyHit]]],
                    cleared: Callable[[str], dict[str, str]]) -> Callable[[str, str | None],
                                                                       tuple[list[PartyHit], list[PartyHit]]]:
    """A party screener that leaves out the hits a person cleared as false positives (``cleared(name)``: entry id
    -> entry version), as long as the entry is unchanged. The cleared hits are not lost: the review queue keeps them
    and the answer's ``review`` summary names them."""

    def run(name: str, country: str | None) -> tuple[list[PartyHit], list[PartyHit]]:
        hits, resembles = screen(name, country)
        if not hits:  # nothing to clear: no look-up
            return hits, resembles
        gone = cleared(name)
        if not gone:
            return hits, resembles
        return [h for h in hits if not (h.entry_id in gone and gone[h.entry_id] == h.entry_version)], resembles

    return run


_default: list[PartyScreener] = []


def default_party_screener() -> Callable[[str, str | None], tuple[list[PartyHit], list[PartyHit]]]:
    """The process-wide party screener over the screener in force (rebuilt when the lists change)."""
    from chipcontrol.services.screening import screener

    current = screener()
    if not _default or _default[0]._screener is not current:
        _default[:] = [PartyScreener(current)]
    return _default[0]
