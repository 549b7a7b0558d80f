"""Exports: the audit log, screenings, decisions, licences and shipments as CSV or JSON Lines, streamed.

Rows are read in pages (keyset on the primary key), so memory stays flat however long the table; the API and the
web UI stream the chunks as they come. The audit log export takes the same filter as the audit page (kinds, actor,
date range) and carries each record's hashes, so an export can be checked against the chain.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import select

from chipcontrol.errors import InvalidInput
from chipcontrol.services import ledger
from chipcontrol.services.audit import AuditFilter, record_json
from chipcontrol.store import Store
from chipcontrol.store.models import AuditRecord, Decision, Licence, ScreeningResultRow, Shipment, ShipmentVoid

DATASETS = ("audit", "screenings", "decisions", "licences", "shipments")
FORMATS = ("csv", "jsonl")
PAGE = 1000

COLUMNS: dict[str, tuple[str, ...]] = {
    "audit": ("seq", "created_at", "actor", "kind", "as_of", "view", "ruleset_hash", "snapshot_id", "algorithm",
              "prev_hash", "hash", "inputs", "result"),
    "screenings": ("id", "audit_seq", "created_at", "actor", "query", "country", "hit_count", "top_score",
                   "top_list", "algorithm", "snapshot_id"),
    "decisions": ("id", "audit_seq", "created_at", "actor", "kind", "item", "destination", "as_of", "outcome",
                  "license_required", "paragraph"),
    "licences": ("number", "status", "holder", "items", "destinations", "end_users", "quantity_limit",
                 "quantity_used", "quantity_remaining", "value_limit", "value_used", "value_remaining", "issued_on",
                 "expires_on", "created_by", "created_at", "audit_seq"),
    "shipments": ("id", "licence_number", "item", "destination", "end_user", "quantity", "value", "shipped_on",
                  "reference", "actor", "created_at", "audit_seq", "voided"),
}


def _pages(store: Store, query: Callable[[int], Any], key: Callable[[Any], int]) -> Iterator[Any]:
    last = -1
    while True:
        with store.read() as session:
            rows = list(session.execute(query(last)))
        if not rows:
            return
        yield from rows
        last = key(rows[-1])


def rows(store: Store, dataset: str, *, audit_filter: AuditFilter | None = None) -> Iterator[dict[str, Any]]:
    """The dataset's rows as dicts, oldest first."""
    if dataset == "audit":
        flt = audit_filter or AuditFilter()
        for (rec,) in _pages(store, lambda last: flt.apply(select(AuditRecord).where(AuditRecord.seq > last))
                             .order_by(AuditRecord.seq).limit(PAGE), lambda r: r[0].seq):
            yield record_json(rec, full=True)
    elif dataset == "screenings":
        for (r,) in _pages(store, lambda last: select(ScreeningResultRow).where(ScreeningResultRow.id > last)
                           .order_by(ScreeningResultRow.id).limit(PAGE), lambda r: r[0].id):
            yield {c: getattr(r, c) for c in COLUMNS["screenings"]}
    elif dataset == "decisions":
        for (r,) in _pages(store, lambda last: select(Decision).where(Decision.id > last).order_by(Decision.id)
                           .limit(PAGE), lambda r: r[0].id):
            yield {c: getattr(r, c) for c in COLUMNS["decisions"]}
    elif dataset == "licences":
        for (lic,) in _pages(store, lambda last: select(Licence).where(Licence.id > last).order_by(Licence.id)
                             .limit(PAGE), lambda r: r[0].id):
            yield {k: v for k, v in ledger.licence_json(lic).items() if k != "notes"}
    elif dataset == "shipments":
        for ship, number, void in _pages(
                store, lambda last: select(Shipment, Licence.number, ShipmentVoid)
                .join(Licence, Licence.id == Shipment.licence_id)
                .outerjoin(ShipmentVoid, ShipmentVoid.shipment_id == Shipment.id)
                .where(Shipment.id > last).order_by(Shipment.id).limit(PAGE), lambda r: r[0].id):
            yield ledger.shipment_json(ship, number, void)
    else:
        raise InvalidInput(f"unknown export {dataset!r}; use one of: {', '.join(DATASETS)}")


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = str(v)
    # a spreadsheet must not run a cell as a formula (CSV injection)
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _number(text) else text


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def stream(store: Store, dataset: str, fmt: str, *, audit_filter: AuditFilter | None = None) -> Iterator[bytes]:
    """The export as chunks of UTF-8 bytes (CSV with a header row, or one JSON object per line)."""
    if dataset not in DATASETS:
        raise InvalidInput(f"unknown export {dataset!r}; use one of: {', '.join(DATASETS)}")
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown export format {fmt!r}; use csv or jsonl")
    it = rows(store, dataset, audit_filter=audit_filter)
    return _csv(it, COLUMNS[dataset]) if fmt == "csv" else _jsonl(it)


def _jsonl(it: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    buf: list[str] = []
    for r in it:
        buf.append(json.dumps(r, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
        if len(buf) >= 200:
            yield ("\n".join(buf) + "\n").encode("utf-8")
            buf = []
    if buf:
        yield ("\n".join(buf) + "\n").encode("utf-8")


def _csv(it: Iterator[dict[str, Any]], columns: tuple[str, ...]) -> Iterator[bytes]:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(columns)
    for n, r in enumerate(it, start=1):
        w.writerow([_cell(r.get(c)) for c in columns])
        if n % 200 == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def filename(dataset: str, fmt: str) -> str:
    return f"chipcontrol-{dataset}.{'csv' if fmt == 'csv' else 'jsonl'}"
