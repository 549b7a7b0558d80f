"""The ownership register: who owns our customers, as the user records it (direct holdings, each with its source
and the date it is known for), audited and never silently overwritten.

- ``add`` records a new holding (``owner`` holds ``percent`` of ``owned``); a holding for a pair already in the
  register is refused (``conflict``): change it with ``update``, which keeps the old row as ``superseded``.
- ``remove`` ends a holding (kept as ``removed``, with who, when and why).
- ``import_csv`` reads ``owner,owned,percent[,source[,as_of]]`` (a header row): new pairs are added, known pairs
  with other facts supersede their row, identical rows are left alone. All or nothing: one bad row (a bad number,
  a cycle, more than 100 % of one entity, an unknown column, an empty name) stores nothing, and the one-line
  error names the file and line.
- Every change is one audit record (``ownership.add``, ``ownership.update``, ``ownership.remove``,
  ``ownership.import``) in the same transaction as the rows it writes; the register stays valid as a whole (the
  rules' own check: no cycle, no entity over 100 %, no pair twice).
- ``links_for`` gives the licence engine the register's holdings above the parties of a request (their owners,
  the owners' owners, ...), marked as coming from the register with the entry and its date.

Names are matched as the engine matches them (case and spacing folded); each owner and owned entity becomes a
known party, so a list change re-screens it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from chipcontrol.errors import Conflict, InvalidInput, NotFound
from chipcontrol.model.shipment import OwnershipLink
from chipcontrol.rules.ear import ownership
from chipcontrol.services import inputs
from chipcontrol.services.keys import Principal
from chipcontrol.services.parties import ownership_csv_rows, parse_percent
from chipcontrol.store import Store
from chipcontrol.store import audit as audit_store
from chipcontrol.store.audit import AuditEntry
from chipcontrol.store.models import AuditHead, KnownParty, OwnershipEntry

COLUMNS = ("owner", "owned", "percent", "source", "as_of")
STATUSES = ("current", "superseded", "removed")
MAX_NAME = 400
MAX_SOURCE = 2000
MAX_ROWS = 100_000  # rows in one import
KNOWN_PARTY_SOURCE = "ownership"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True, slots=True)
class Holding:
    """One holding as given (a form, an API body, a CSV row): validated by :func:`parse_holding`."""

    owner: str
    owned: str
    percent: str
    source: str = ""
    as_of: str | None = None
    where: str = ""  # where it was given, for errors: "FILE:LINE"


@dataclass(frozen=True, slots=True)
class _Parsed:
    owner: str
    owned: str
    percent: str  # exact decimal text
    fraction: Fraction
    source: str
    as_of: dt.date | None
    where: str

    @property
    def pair(self) -> tuple[str, str]:
        return ownership.key(self.owner), ownership.key(self.owned)

    def link(self) -> OwnershipLink:
        return OwnershipLink(self.owner, self.owned, self.fraction, self.source, self.where)

    def same_facts(self, row: OwnershipEntry) -> bool:
        return (Decimal(self.percent) == Decimal(row.percent) and self.source == row.source
                and self.as_of == row.as_of and self.owner == row.owner and self.owned == row.owned)


def _name(text: str, what: str) -> str:
    name = inputs.parse_party(text, what)
    assert name is not None
    if len(name) > MAX_NAME:
        raise InvalidInput(f"{what} name is longer than {MAX_NAME} characters")
    return name


def _as_of(text: str | None, where: str, today: dt.date | None = None) -> dt.date | None:
    if text is None or not str(text).strip():
        return None
    raw = str(text).strip()
    try:
        day = dt.date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise InvalidInput(f"{where}as_of {raw!r} is not a date in the form YYYY-MM-DD")
    if day > (today or dt.date.today()):
        raise InvalidInput(f"{where}as_of {raw} is in the future: give the date the source states the holding for")
    return day


def parse_holding(h: Holding) -> _Parsed:
    """Validate one holding: both names, a percentage 0-100 (exact), a source of at most 2000 characters, a date
    not in the future. Errors are one line, prefixed with where the holding was given."""
    where = f"{h.where}: " if h.where else ""
    owner = _name(h.owner if isinstance(h.owner, str) else "", f"{where}owner")
    owned = _name(h.owned if isinstance(h.owned, str) else "", f"{where}owned")
    frac = parse_percent(h.percent, h.where or "percent")
    raw = str(h.percent).strip().rstrip("%").strip()
    percent = format(Decimal(raw), "f")
    if len(percent) > 40:
        raise InvalidInput(f"{where}percentage {raw} has too many digits")
    source = " ".join((h.source or "").split())
    if len(source) > MAX_SOURCE:
        raise InvalidInput(f"{where}source is longer than {MAX_SOURCE} characters")
    if _CONTROL.search(h.source or ""):
        raise InvalidInput(f"{where}source contains control characters")
    return _Parsed(owner, owned, percent, frac, source, _as_of(h.as_of, where), h.where)


def parse_csv(text: str, name: str) -> list[_Parsed]:
    """``owner,owned,percent[,source[,as_of]]`` with a header row, as the CLI's ``--ownership`` file plus an
    ``as_of`` column. Every error names ``name:line``."""
    out = [parse_holding(Holding(cells["owner"], cells["owned"], cells["percent"], cells.get("source", ""),
                                 cells.get("as_of") or None, where))
           for where, cells in ownership_csv_rows(text, name, COLUMNS, MAX_ROWS)]
    if not out:
        raise InvalidInput(f"{name}: no rows after the header")
    return out


def check_rows(text: str, name: str) -> tuple[tuple[str, str, str, str], ...]:
    """An ownership CSV given with one check (the web form's paste or upload), validated as a whole (no cycle, no
    entity over 100 %) with errors naming ``name:line``; rows (owner, owned, percent, source) for the request, the
    date folded into the source."""
    parsed = parse_csv(text, name)
    ownership.validate([p.link() for p in parsed])
    return tuple((p.owner, p.owned, p.percent,
                  (p.source + (f" (as of {p.as_of.isoformat()})" if p.as_of else "")).strip()) for p in parsed)


# --- reading -------------------------------------------------------------------------------------------------

def _current_key(owner_key: str, owned_key: str) -> str:
    return hashlib.sha256(f"{owner_key}\x1f{owned_key}".encode()).hexdigest()


def entry_json(row: OwnershipEntry) -> dict[str, Any]:
    return {"id": row.id, "owner": row.owner, "owned": row.owned, "percent": row.percent, "source": row.source,
            "as_of": row.as_of.isoformat() if row.as_of else None, "status": row.status,
            "supersedes": row.supersedes, "superseded_by": row.superseded_by, "recorded_by": row.recorded_by,
            "recorded_at": row.recorded_at, "audit_seq": row.audit_seq, "ended_at": row.ended_at,
            "ended_by": row.ended_by, "end_reason": row.end_reason}


def _register_link(row: OwnershipEntry) -> OwnershipLink:
    return as_link(entry_json(row))


@dataclass(frozen=True, slots=True)
class Filter:
    """What the list shows: ``status`` (current, superseded, removed, or all), and words in the owner's, the owned
    entity's or the source's text."""

    status: str | None = "current"
    owner: str | None = None
    owned: str | None = None
    search: str | None = None

    def apply(self, q: Any) -> Any:
        if self.status not in (None, "", "all", *STATUSES):
            raise InvalidInput(f"status must be one of {', '.join((*STATUSES, 'all'))}, got {self.status!r}")
        for text in (self.owner, self.owned, self.search):
            if text and _CONTROL.search(text):
                raise InvalidInput("a filter contains control characters")
        if self.status and self.status != "all":
            q = q.where(OwnershipEntry.status == self.status)
        if self.owner:
            q = q.where(OwnershipEntry.owner_key.contains(ownership.key(self.owner), autoescape=True))
        if self.owned:
            q = q.where(OwnershipEntry.owned_key.contains(ownership.key(self.owned), autoescape=True))
        if self.search:
            k = ownership.key(self.search)
            q = q.where(or_(OwnershipEntry.owner_key.contains(k, autoescape=True),
                            OwnershipEntry.owned_key.contains(k, autoescape=True),
                            func.lower(OwnershipEntry.source).contains(k, autoescape=True)))
        return q


def list_entries(store: Store, flt: Filter | None = None, *, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """A page of the register (by owned entity, then owner; history rows newest first) with the total."""
    f = flt or Filter()
    limit = max(1, min(limit, 1000))
    with store.read() as session:
        total = int(session.scalar(f.apply(select(func.count()).select_from(OwnershipEntry))) or 0)
        rows = session.scalars(f.apply(select(OwnershipEntry)).order_by(
            OwnershipEntry.owned_key, OwnershipEntry.owner_key, OwnershipEntry.id.desc()).limit(limit).offset(offset))
        entries = [entry_json(r) for r in rows]
    return {"total": total, "limit": limit, "offset": offset, "entries": entries}


def get_entry(store: Store, entry_id: int) -> dict[str, Any]:
    """One entry with the history of its pair (every row for the same owner and owned entity, newest first)."""
    with store.read() as session:
        row = session.get(OwnershipEntry, entry_id) if 1 <= entry_id < 2**62 else None
        if row is None:
            raise NotFound(f"no ownership register entry {entry_id}")
        history = session.scalars(select(OwnershipEntry).where(
            OwnershipEntry.owner_key == row.owner_key, OwnershipEntry.owned_key == row.owned_key)
            .order_by(OwnershipEntry.id.desc()))
        return {**entry_json(row), "history": [entry_json(h) for h in history]}


_TABLE = OwnershipEntry.__table__
# built once: the statement's compiled form is cached, so each check pays for the query only
_ABOVE = (select(_TABLE).where(_TABLE.c.status == "current", _TABLE.c.owned_key.in_(bindparam("keys", expanding=True)))
          .order_by(_TABLE.c.id))


def holdings_above(store: Store, names: Iterable[str], given: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The register's current holdings above ``names`` (their owners, the owners' owners, ...), as entries.
    Entities in ``given`` (names whose owners the request gives itself) take no holdings from the register; their
    owners still do. One indexed query per level of the chains (Core rows: this runs on every check)."""
    skip = {ownership.key(n) for n in given}
    todo = {ownership.key(n) for n in names if n} - skip
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    with store.engine.connect() as conn:
        while todo:
            seen |= todo
            batch = sorted(todo)
            todo = set()
            for i in range(0, len(batch), 500):
                rows = conn.execute(_ABOVE, {"keys": batch[i:i + 500]}).mappings()
                for row in rows:
                    out.append(_row_json(row))
                    if row["owner_key"] not in skip:
                        todo.add(row["owner_key"])
            todo -= seen
    return out


def _row_json(row: Any) -> dict[str, Any]:
    as_of = row["as_of"]
    if isinstance(as_of, str):  # SQLite through Core returns the stored text
        as_of = dt.date.fromisoformat(as_of)
    return {"id": row["id"], "owner": row["owner"], "owned": row["owned"], "percent": row["percent"],
            "source": row["source"], "as_of": as_of.isoformat() if as_of else None, "status": row["status"],
            "supersedes": row["supersedes"], "superseded_by": row["superseded_by"],
            "recorded_by": row["recorded_by"], "recorded_at": row["recorded_at"], "audit_seq": row["audit_seq"],
            "ended_at": row["ended_at"], "ended_by": row["ended_by"], "end_reason": row["end_reason"]}


def as_link(entry: dict[str, Any]) -> OwnershipLink:
    """A register entry as the licence engine's link: its source, and where it was given (the register entry and
    its date)."""
    when = f", as of {entry['as_of']}" if entry.get("as_of") else ", undated"
    return OwnershipLink(entry["owner"], entry["owned"], Fraction(Decimal(entry["percent"])), entry["source"],
                         f"ownership register entry {entry['id']}{when}")


def count_current(store: Store) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(OwnershipEntry)
                                  .where(OwnershipEntry.status == "current")) or 0)


# --- writing -------------------------------------------------------------------------------------------------

def _lock(session: Session) -> None:
    """Serialise register changes (and keep the check of the whole register true under concurrent writers): the
    audit chain head is locked FOR UPDATE on PostgreSQL; SQLite write transactions are BEGIN IMMEDIATE."""
    session.execute(select(AuditHead.id).where(AuditHead.id == 1).with_for_update())


def _current(session: Session) -> list[OwnershipEntry]:
    return list(session.scalars(select(OwnershipEntry).where(OwnershipEntry.status == "current")
                                .order_by(OwnershipEntry.id)))


def _check_whole(kept: Sequence[OwnershipLink], new: Sequence[OwnershipLink]) -> None:
    """The register after the change must pass the rules' own check. The register before it did, so a failure
    is caused by the new links: name the first one that makes the set fail (binary search over its prefix)."""
    try:
        ownership.validate([*kept, *new])
        return
    except InvalidInput:
        pass
    lo, hi = 1, len(new)  # smallest k with kept + new[:k] failing
    while lo < hi:
        mid = (lo + hi) // 2
        try:
            ownership.validate([*kept, *new[:mid]])
            lo = mid + 1
        except InvalidInput:
            hi = mid
    links = [*kept, *new[:lo]]
    try:
        ownership.validate(links)
    except InvalidInput as exc:
        raise InvalidInput(_blame(str(exc), new[lo - 1].origin, {link.origin for link in links if link.origin})
                           ) from None
    raise InvalidInput("the ownership register would not be consistent")  # pragma: no cover


def _blame(msg: str, culprit: str, origins: set[str]) -> str:
    """The rules' message led by the row that makes the register fail; another row it names (the first link of a
    cycle) moves to the end when it is a register entry, and goes when it is a line of the same file."""
    named = next((o for o in sorted(origins, key=len, reverse=True) if msg.startswith(f"{o}: ")), None)
    if named == culprit or not culprit:
        return msg
    body = msg[len(named) + 2:] if named else msg
    same_file = named is not None and named.rsplit(":", 1)[0] == culprit.rsplit(":", 1)[0]
    return f"{culprit}: {body}" + (f" (with {named})" if named and not same_file else "")


def _new_row(p: _Parsed, who: Principal, now: str, supersedes: OwnershipEntry | None) -> OwnershipEntry:
    ok, dk = p.pair
    return OwnershipEntry(owner=p.owner, owner_key=ok, owned=p.owned, owned_key=dk, percent=p.percent,
                          source=p.source, as_of=p.as_of, status="current", current_key=_current_key(ok, dk),
                          supersedes=supersedes.id if supersedes is not None else None, recorded_by=who.name,
                          recorded_at=now, ended_at=None, ended_by=None, end_reason=None, superseded_by=None)


def _end(row: OwnershipEntry, status: str, who: Principal, now: str, reason: str) -> None:
    row.status = status
    row.current_key = None
    row.ended_at = now
    row.ended_by = who.name
    row.end_reason = reason


def _reason(text: str | None, required: bool) -> str:
    reason = " ".join((text or "").split())
    if required and not reason:
        raise InvalidInput("give a reason (recorded with the change)")
    if len(reason) > 2000 or _CONTROL.search(text or ""):
        raise InvalidInput("the reason must be at most 2000 characters of text")
    return reason


def _known_parties(session: Session, names: Iterable[str], now: str, seq: int) -> None:
    from chipcontrol.services.lists import party_row

    rows = [{**party_row(n, None, KNOWN_PARTY_SOURCE), "created_at": now, "audit_seq": seq}
            for n in dict.fromkeys(names)]
    conn = session.connection()
    for i in range(0, len(rows), 5000):
        conn.execute(audit_store.insert_ignoring_duplicates(conn.dialect.name, KnownParty), rows[i:i + 5000])


def _apply(store: Store, who: Principal, parsed: Sequence[_Parsed], *, kind: str, inputs_json: dict[str, Any],
           reason: str, must_be_new: bool = False, replace_id: int | None = None) -> dict[str, Any]:
    """Add or supersede holdings in one transaction with their audit record; identical facts are left alone."""
    who.require("analyst")
    with store.write() as session:
        _lock(session)
        current = _current(session)
        by_pair = {(r.owner_key, r.owned_key): r for r in current}
        if replace_id is not None:
            target = session.get(OwnershipEntry, replace_id) if 1 <= replace_id < 2**62 else None
            if target is None:
                raise NotFound(f"no ownership register entry {replace_id}")
            if target.status != "current":
                raise Conflict(f"ownership register entry {replace_id} is {target.status}; change the current "
                               f"entry {target.superseded_by or 'for this pair'} instead" if target.superseded_by
                               else f"ownership register entry {replace_id} was removed; add it again instead")
            if parsed[0].pair != (target.owner_key, target.owned_key):
                raise InvalidInput("an update keeps the owner and the owned entity; remove the entry and add another")
        changes: list[tuple[_Parsed, OwnershipEntry | None]] = []
        unchanged: list[OwnershipEntry] = []
        for p in parsed:
            old = by_pair.get(p.pair)
            if old is not None and must_be_new:
                raise Conflict(f"{p.owner!r} -> {p.owned!r} is already in the register (entry {old.id}, "
                               f"{old.percent} %): update that entry to change it")
            if old is not None and p.same_facts(old):
                unchanged.append(old)
                continue
            changes.append((p, old))
        replaced = {(old.owner_key, old.owned_key) for _, old in changes if old is not None}
        kept = [_register_link(r) for r in current if (r.owner_key, r.owned_key) not in replaced]
        _check_whole(kept, [p.link() for p, _ in changes])
        result: dict[str, Any] = {"added": 0, "updated": 0, "unchanged": len(unchanged), "entries": [],
                                  "ended": [], "audit_seq": None}
        if not changes:
            result["entries"] = [entry_json(r) for r in unchanged]
            return result
        now = audit_store.utc_now()
        rows: list[OwnershipEntry] = []
        for _, old in changes:
            if old is not None:
                _end(old, "superseded", who, now, reason or "superseded by a newer entry")
                result["ended"].append(old.id)
        session.flush()  # free the current keys before the new rows take them
        for p, old in changes:
            row = _new_row(p, who, now, old)
            session.add(row)
            rows.append(row)
            result["updated" if old is not None else "added"] += 1
        session.flush()
        for (_, old), row in zip(changes, rows, strict=True):
            if old is not None:
                old.superseded_by = row.id
        result["entries"] = [entry_json(r) for r in rows]
        rec = audit_store.append(session, AuditEntry(
            kind=kind, actor=who.actor, inputs=inputs_json,
            result={"added": result["added"], "updated": result["updated"], "unchanged": result["unchanged"],
                    "superseded": result["ended"], "entries": result["entries"]}))
        for row in rows:
            row.audit_seq = rec.seq
        _known_parties(session, [n for p, _ in changes for n in (p.owner, p.owned)], now, rec.seq)
        session.flush()
        result["entries"] = [entry_json(r) for r in rows]
        result["audit_seq"] = rec.seq
    return result


def add(store: Store, who: Principal, holding: Holding) -> dict[str, Any]:
    """Record a new holding (analyst). A pair already in the register is a conflict: update it instead."""
    p = parse_holding(holding)
    out = _apply(store, who, [p], kind="ownership.add", inputs_json=_holding_json(p), reason="",
                 must_be_new=True)
    return {"entry": out["entries"][0], "audit_seq": out["audit_seq"], "superseded": []}


def update(store: Store, who: Principal, entry_id: int, *, percent: str | None = None, source: str | None = None,
           as_of: str | None = None, reason: str | None = None) -> dict[str, Any]:
    """Change a current holding's percentage, source or date (analyst): a new row supersedes it, the old one is
    kept with who ended it and why. Fields not given keep their value."""
    with store.read() as session:
        row = session.get(OwnershipEntry, entry_id) if 1 <= entry_id < 2**62 else None
        if row is None:
            raise NotFound(f"no ownership register entry {entry_id}")
        base = Holding(row.owner, row.owned, row.percent if percent is None else percent,
                       row.source if source is None else source,
                       (row.as_of.isoformat() if row.as_of else None) if as_of is None else as_of)
    p = parse_holding(base)
    why = _reason(reason, required=False)
    out = _apply(store, who, [p], kind="ownership.update",
                 inputs_json={"entry": entry_id, **_holding_json(p), "reason": why}, reason=why, replace_id=entry_id)
    if not out["updated"]:
        raise InvalidInput(f"nothing to change: entry {entry_id} already holds these facts")
    return {"entry": out["entries"][0], "audit_seq": out["audit_seq"], "superseded": out["ended"]}


def remove(store: Store, who: Principal, entry_id: int, reason: str | None) -> dict[str, Any]:
    """End a current holding (analyst), with a reason; the row stays as ``removed``."""
    who.require("analyst")
    why = _reason(reason, required=True)
    with store.write() as session:
        _lock(session)
        row = session.get(OwnershipEntry, entry_id) if 1 <= entry_id < 2**62 else None
        if row is None:
            raise NotFound(f"no ownership register entry {entry_id}")
        if row.status != "current":
            raise Conflict(f"ownership register entry {entry_id} is already {row.status}")
        now = audit_store.utc_now()
        _end(row, "removed", who, now, why)
        session.flush()
        rec = audit_store.append(session, AuditEntry(
            kind="ownership.remove", actor=who.actor, inputs={"entry": entry_id, "reason": why},
            result=entry_json(row)))
        return {"entry": entry_json(row), "audit_seq": rec.seq, "superseded": []}


def import_csv(store: Store, who: Principal, text: str, name: str) -> dict[str, Any]:
    """Import ``owner,owned,percent[,source[,as_of]]`` (analyst): all rows or none. Returns the counts (added,
    updated, unchanged), the rows written and the audit record."""
    who.require("analyst")
    label = " ".join((name or "upload").split())[:200] or "upload"
    parsed = parse_csv(text, label)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return _apply(store, who, parsed, kind="ownership.import",
                  inputs_json={"file": label, "rows": len(parsed), "sha256": digest}, reason=f"import of {label}")


def _holding_json(p: _Parsed) -> dict[str, Any]:
    return {"owner": p.owner, "owned": p.owned, "percent": p.percent, "source": p.source,
            "as_of": p.as_of.isoformat() if p.as_of else None}
