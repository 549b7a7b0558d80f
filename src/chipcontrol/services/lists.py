"""Restricted-party list imports (admin): a new snapshot replaces the lists it covers only if it imports cleanly.

Imported files are kept in the ``list_snapshots`` table (with their bytes) and re-installed when the service starts,
so screening keeps using them; every import, and every failed one, is in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from chipcontrol.errors import ChipControlError, InvalidInput
from chipcontrol.screening.importers import import_csl_csv, import_csl_json, import_nsfreg_json, import_ofac_sdn_csv
from chipcontrol.screening.model import ListSnapshot
from chipcontrol.services.keys import Principal
from chipcontrol.services.runtime import Runtime
from chipcontrol.services.screening import default_store
from chipcontrol.store import audit as audit_store
from chipcontrol.store.audit import AuditEntry
from chipcontrol.store.models import ListSnapshotRow

FORMATS = ("csl-csv", "csl-json", "ofac-sdn-csv", "nsfreg-json")


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


def import_list(rt: Runtime, *, fmt: str, content: bytes, source: str, by: Principal,
                snapshot_date: str | None = None) -> dict[str, Any]:
    """Import one list file; on success it is in force at once for screening. On failure nothing changes
    (ScreeningError, recorded in the audit log)."""
    by.require("admin")
    importer = _importer(fmt, content, source, snapshot_date)
    ins = {"format": fmt, "source": source, "snapshot_date": snapshot_date, "bytes": len(content)}
    try:
        snap = default_store().update(importer)
    except ChipControlError as exc:
        with rt.store.write() as session:
            audit_store.append(session, AuditEntry(kind="lists.import.failed", actor=by.actor, inputs=ins,
                                                   result={"error": {"code": exc.code, "message": str(exc)}}))
        raise
    meta = snap.to_dict() | {"format_name": fmt}
    with rt.store.write() as session:
        row_id = f"import-{snap.sha256[:16]}"
        if session.get(ListSnapshotRow, row_id) is None:
            session.add(ListSnapshotRow(id=row_id, snapshot_date=snap.snapshot_date,
                                        sources_json=audit_store.canonical_json([meta]), entries=len(snap),
                                        content=content, loaded_by=by.actor, created_at=audit_store.utc_now()))
            session.flush()
        audit_store.append(session, AuditEntry(kind="lists.import", actor=by.actor, inputs=ins, result=meta))
    return {"imported": snap.to_dict(), "snapshot_id": rt.snapshot_id()}


def restore_imports(rt: Runtime) -> int:
    """Re-install the imported list files stored in the database, oldest first. Returns how many."""
    with rt.store.read() as session:
        rows = list(session.scalars(select(ListSnapshotRow).where(ListSnapshotRow.content.is_not(None))
                                    .order_by(ListSnapshotRow.created_at)))
    import json

    n = 0
    for row in rows:
        meta = json.loads(row.sources_json)[0]
        assert row.content is not None
        default_store().update(_importer(meta["format_name"], row.content, meta["source"], meta.get("snapshot_date")))
        n += 1
    return n


def snapshots_in_use(rt: Runtime) -> dict[str, Any]:
    return {"snapshot_id": rt.snapshot_id(), "sources": [s.to_dict() for s in default_store().snapshots]}
