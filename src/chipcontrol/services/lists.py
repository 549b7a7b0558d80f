"""Restricted-party lists: imports (admin), what changed, re-screening, customer files, and freshness.

A new snapshot replaces the lists it covers only if it imports cleanly. Imported files are kept in the
``list_snapshots`` table (with their bytes) and re-installed when the service starts, so screening keeps using
them; every import, and every failed one, is in the audit log. An import is compared with the entries it replaced
(added, removed, changed: a ``list_changes`` row) and every party the store knows is re-screened against the
change; new hits go to the review queue and into the import's report.

:func:`freshness` says how old the list snapshot is and warns past ``CHIPCONTROL_LIST_MAX_AGE_DAYS`` (30 days), and
warns when a date is after the day the rules were last reviewed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from chipcontrol.errors import ChipControlError, InvalidInput, NotFound
from chipcontrol.screening.importers import import_csl_csv, import_csl_json, import_nsfreg_json, import_ofac_sdn_csv
from chipcontrol.screening.model import ListSnapshot
from chipcontrol.services import inputs, review
from chipcontrol.services.keys import Principal
from chipcontrol.services.rescreen import diff_entries, known_parties, rescreen_parties
from chipcontrol.services.runtime import Runtime
from chipcontrol.services.screening import default_store, screener
from chipcontrol.settings import Settings
from chipcontrol.store import audit as audit_store
from chipcontrol.store.audit import AuditEntry
from chipcontrol.store.models import KnownParty, ListChange, ListSnapshotRow

FORMATS = ("csl-csv", "csl-json", "ofac-sdn-csv", "nsfreg-json")

# The last day the bundled regulations were reviewed against the Federal Register and eCFR. A placeholder until
# the ruleset exposes its own "current to" date (``Ruleset.current_to``), which is preferred when present.
RULES_CURRENT_TO = dt.date(2026, 7, 8)
MAX_PARTIES_FILE = 200_000


def _importer(fmt: str, content: bytes, source: str, snapshot_date: str | None) -> Callable[[], ListSnapshot]:
    if fmt == "csl-csv":
        return lambda: import_csl_csv(content, source=source, snapshot_date=snapshot_date)
    if fmt == "csl-json":
        return lambda: import_csl_json(content, source=source, snapshot_date=snapshot_date)
    if fmt == "ofac-sdn-csv":
        return lambda: import_ofac_sdn_csv(content, source=source, snapshot_date=snapshot_date)
    if fmt == "nsfreg-json":
        return lambda: import_nsfreg_json(content, source=source, snapshot_date=snapshot_date)
    raise InvalidInput(f"unknown list format {fmt!r}; use one of: {', '.join(FORMATS)}")


# --- freshness -----------------------------------------------------------------------------------

def rules_current_to() -> dt.date:
    from chipcontrol.rules.ruleset import Ruleset

    given = getattr(Ruleset.load(), "current_to", None)
    return given if isinstance(given, dt.date) else RULES_CURRENT_TO


def snapshot_date() -> dt.date | None:
    """The date of the newest list in force (the snapshot's date as its publisher gives it)."""
    dates = [s.snapshot_date[:10] for s in default_store().snapshots if s.snapshot_date]
    for text in sorted(dates, reverse=True):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            continue
    return None


def freshness(as_of: dt.date, today: dt.date, settings: Settings, *, snapshot: dt.date | None = None,
              current_to: dt.date | None = None) -> dict[str, Any]:
    """How fresh the answer's data is: the list snapshot's date and age on ``today``, the staleness threshold,
    the date the rules are current to, and a warning for each problem (a snapshot older than the threshold; an
    ``as_of`` after the rules' last review). ``snapshot`` and ``current_to`` default to the lists in force and
    the ruleset's date."""
    snap = snapshot if snapshot is not None else snapshot_date()
    rules_to = current_to or rules_current_to()
    age = None if snap is None else (today - snap).days
    warnings: list[str] = []
    if snap is None:
        warnings.append("the restricted-party lists in force carry no snapshot date: their age is unknown")
    elif age is not None and age > settings.list_max_age_days:
        warnings.append(f"the restricted-party list snapshot is {age} days old (dated {snap.isoformat()}; the limit "
                        f"is {settings.list_max_age_days} days): import current lists before relying on screening")
    if as_of > rules_to:
        warnings.append(f"rules current to {rules_to.isoformat()}: the answer for {as_of.isoformat()} applies the "
                        "rules as they stood then; changes published after that day are not included")
    return {"list_snapshot_date": None if snap is None else snap.isoformat(), "list_age_days": age,
            "list_max_age_days": settings.list_max_age_days, "rules_current_to": rules_to.isoformat(),
            "as_of": as_of.isoformat(), "warnings": warnings}


# --- imports -------------------------------------------------------------------------------------

def import_list(rt: Runtime, *, fmt: str, content: bytes, source: str, by: Principal,
                snapshot_date: str | None = None, rescreen: bool = True) -> dict[str, Any]:
    """Import one list file; on success it is in force at once for screening, its diff against the entries it
    replaced is recorded, and every known party is re-screened against the change. On failure nothing changes
    (ScreeningError, recorded in the audit log)."""
    by.require("admin")
    importer = _importer(fmt, content, source, snapshot_date)
    ins = {"format": fmt, "source": source, "snapshot_date": snapshot_date, "bytes": len(content)}
    previous = default_store().snapshots
    try:
        snap = default_store().update(importer)
    except ChipControlError as exc:
        with rt.store.write() as session:
            audit_store.append(session, AuditEntry(kind="lists.import.failed", actor=by.actor, inputs=ins,
                                                   result={"error": {"code": exc.code, "message": str(exc)}}))
        raise
    before = [e for s in previous for e in s.entries if set(s.list_ids) & set(snap.list_ids)]
    diff = diff_entries(before, snap.entries, snap.list_ids)
    meta = snap.to_dict() | {"format_name": fmt}
    row_id = f"import-{snap.sha256[:16]}"
    diff_json = diff.to_dict()
    with rt.store.write() as session:
        if session.get(ListSnapshotRow, row_id) is None:
            session.add(ListSnapshotRow(id=row_id, snapshot_date=snap.snapshot_date,
                                        sources_json=audit_store.canonical_json([meta]), entries=len(snap),
                                        content=content, loaded_by=by.actor, created_at=audit_store.utc_now()))
            session.flush()
        rec = audit_store.append(session, AuditEntry(kind="lists.import", actor=by.actor, inputs=ins,
                                                     result={**meta, "diff": {k: diff_json[k] for k in
                                                                              ("added", "removed", "changed")}}))
        change = ListChange(snapshot_row=row_id, lists_json=json.dumps(list(snap.list_ids)), added=len(diff.added),
                            removed=len(diff.removed), changed=len(diff.changed),
                            diff_json=audit_store.canonical_json(diff_json), report_json=None, actor=by.actor,
                            created_at=audit_store.utc_now(), audit_seq=rec.seq)
        session.add(change)
        session.flush()
        change_id = change.id
    out: dict[str, Any] = {"imported": snap.to_dict(), "snapshot_id": rt.snapshot_id(),
                           "change": {"id": change_id, **diff_json}}
    if rescreen:
        out["rescreen"] = rescreen_after_change(rt, change_id, diff, by)
    return out


def rescreen_after_change(rt: Runtime, change_id: int, diff: Any, by: Principal) -> dict[str, Any]:
    """Re-screen every known party against a list change; new hits to the queue; the report is stored on the
    change and in the audit log."""
    found, report = rescreen_parties(known_parties(rt.store), diff, threshold=rt.settings.screening_threshold)
    snap = rt.snapshot_id()  # before the write (see import_parties)
    with rt.store.write() as session:
        rec = audit_store.append(session, AuditEntry(kind="lists.rescreen", actor=by.actor,
                                                     inputs={"change": change_id, "lists": list(diff.lists)},
                                                     result={k: v for k, v in report.items()},
                                                     snapshot_id=snap))
        review.enqueue(session, found, "rescreen", rec.seq)
        change = session.get(ListChange, change_id)
        if change is not None:
            change.report_json = audit_store.canonical_json({**report, "audit_seq": rec.seq})
    return {**report, "audit_seq": rec.seq}


def change_json(row: ListChange, *, full: bool = True) -> dict[str, Any]:
    d: dict[str, Any] = {"id": row.id, "snapshot": row.snapshot_row, "lists": json.loads(row.lists_json),
                         "added": row.added, "removed": row.removed, "changed": row.changed, "actor": row.actor,
                         "created_at": row.created_at, "audit_seq": row.audit_seq}
    if full:
        d["diff"] = json.loads(row.diff_json)
        d["report"] = json.loads(row.report_json) if row.report_json else None
    return d


def list_changes(rt: Runtime, *, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    with rt.store.read() as session:
        total = int(session.scalar(select(func.count()).select_from(ListChange)) or 0)
        rows = session.scalars(select(ListChange).order_by(ListChange.id.desc()).limit(limit).offset(offset))
        return {"total": total, "limit": limit, "offset": offset, "changes": [change_json(r, full=False) for r in rows]}


def get_change(rt: Runtime, change_id: int) -> dict[str, Any]:
    if not 1 <= change_id < 2**62:
        raise NotFound(f"no list change {change_id}")
    with rt.store.read() as session:
        row = session.get(ListChange, change_id)
        if row is None:
            raise NotFound(f"no list change {change_id}")
        return change_json(row)


def restore_imports(rt: Runtime) -> int:
    """Re-install the imported list files stored in the database, oldest first. Returns how many."""
    with rt.store.read() as session:
        rows = list(session.scalars(select(ListSnapshotRow).where(ListSnapshotRow.content.is_not(None))
                                    .order_by(ListSnapshotRow.created_at)))
    n = 0
    for row in rows:
        meta = json.loads(row.sources_json)[0]
        assert row.content is not None
        default_store().update(_importer(meta["format_name"], row.content, meta["source"], meta.get("snapshot_date")))
        n += 1
    return n


def snapshots_in_use(rt: Runtime, today: dt.date | None = None) -> dict[str, Any]:
    day = today or dt.date.today()
    return {"snapshot_id": rt.snapshot_id(), "sources": [s.to_dict() for s in default_store().snapshots],
            "freshness": freshness(day, day, rt.settings)}


# --- known parties and customer files -------------------------------------------------------------

def party_row(name: str, country: str | None, source: str) -> dict[str, Any]:
    """A known-parties row for the group-commit writer (``audit_seq`` and ``created_at`` are added by it)."""
    return {"party_key": review.party_key(name), "name": name[:1000], "country": (country or "")[:2],
            "source": source}


def parse_parties(text: str) -> list[tuple[str, str | None]]:
    """A customer file: one name per line, or CSV with a ``name`` column (and optionally ``country``)."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise InvalidInput("the file has no names")
    if len(lines) > MAX_PARTIES_FILE + 1:
        raise InvalidInput(f"at most {MAX_PARTIES_FILE} names per file")
    rows: list[tuple[str, str | None]] = []
    try:
        header = [h.strip().lower() for h in next(csv.reader([lines[0]]))]
        if "name" in header:
            reader = csv.DictReader(io.StringIO("\n".join(lines)))
            reader.fieldnames = [f.strip().lower() for f in (reader.fieldnames or [])]
            for i, row in enumerate(reader, start=2):
                rows.append(_party(str(row.get("name") or ""), row.get("country") or None, i))
        else:
            rows = [_party(ln, None, i) for i, ln in enumerate(lines, start=1)]
    except csv.Error as exc:
        raise InvalidInput(f"the customer file is not CSV or plain lines: {exc}") from None
    return rows


def _party(name: str, country: str | None, line: int) -> tuple[str, str | None]:
    try:
        clean = inputs.parse_party(name, "party")
        assert clean is not None
        cc = inputs.parse_country(country, "country")[0] if country and country.strip() else None
    except InvalidInput as exc:
        raise InvalidInput(f"line {line}: {exc}") from None
    return clean, cc


def import_parties(rt: Runtime, *, content: str, source: str, by: Principal) -> dict[str, Any]:
    """Upload a customer file (analyst): every party is remembered (re-screened at each list change) and screened
    now; hits go to the review queue. Recorded in the audit log."""
    by.require("analyst")
    parties = parse_parties(content)
    scr = screener()
    found: list[review.Sighting] = []
    for name, country in parties:
        hits = [h.to_dict() for h in scr.screen(name, country, threshold=rt.settings.screening_threshold).hits]
        found.extend(review.sightings(name, country, hits))
    snap = rt.snapshot_id()  # before the write: it may write the snapshot row itself (the lock is not re-entrant)
    with rt.store.write() as session:
        rec = audit_store.append(session, AuditEntry(
            kind="parties.import", actor=by.actor, inputs={"source": source, "parties": len(parties)},
            result={"parties": len(parties), "hits": len(found), "parties_hit": len({s.party for s in found})},
            snapshot_id=snap))
        now = audit_store.utc_now()
        conn = session.connection()
        rows = [{**party_row(n, c, "customer_file"), "created_at": now, "audit_seq": rec.seq} for n, c in parties]
        for i in range(0, len(rows), 5000):
            conn.execute(audit_store.insert_ignoring_duplicates(conn.dialect.name, KnownParty), rows[i:i + 5000])
        review.enqueue(session, found, "customer_file", rec.seq)
    return {"parties": len(parties), "hits": len(found), "parties_hit": len({s.party for s in found}),
            "audit_seq": rec.seq}


def list_parties(rt: Runtime, *, search: str | None = None, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    with rt.store.read() as session:
        q = select(KnownParty)
        cq = select(func.count()).select_from(KnownParty)
        if search:
            key = review.party_key(search)
            q = q.where(KnownParty.party_key.contains(key, autoescape=True))
            cq = cq.where(KnownParty.party_key.contains(key, autoescape=True))
        total = int(session.scalar(cq) or 0)
        rows = session.scalars(q.order_by(KnownParty.id).limit(limit).offset(offset))
        return {"total": total, "limit": limit, "offset": offset,
                "parties": [{"id": p.id, "name": p.name, "country": p.country or None, "source": p.source,
                             "created_at": p.created_at, "audit_seq": p.audit_seq} for p in rows]}
