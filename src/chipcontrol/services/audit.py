"""The audit trail: record decisions and batch runs, read the log, verify the hash chain.

Every decision made through the API or the web UI is recorded here (inputs, as_of, view, ruleset hash, list
snapshot id, algorithm version, actor, full result) in the same transaction as its summary row.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from chipcontrol.errors import InvalidDate, InvalidInput, NotFound
from chipcontrol.settings import Settings
from chipcontrol.store import Store, open_store
from chipcontrol.store import audit as audit_store
from chipcontrol.store.audit import Appended, AuditEntry, ChainWriter, Verification
from chipcontrol.store.models import AuditRecord, Base, Decision, ScreeningResultRow

__all__ = ["AuditEntry", "Verification", "get_record", "list_records", "record", "record_batch",
           "record_decision", "verify"]


RecordNotFound = NotFound


def record(store: Store, entry: AuditEntry) -> int:
    """Append one record in its own transaction; returns its sequence number."""
    with store.write() as session:
        return audit_store.append(session, entry).seq


@dataclass(frozen=True, slots=True)
class DecisionSummary:
    item: str | None = None
    destination: str | None = None
    outcome: str | None = None
    license_required: bool | None = None
    paragraph: str | None = None


@dataclass(frozen=True, slots=True)
class ScreeningSummary:
    query: str
    country: str | None
    hit_count: int
    top_score: float | None
    top_list: str | None
    algorithm: str | None


def submit_decision(store: Store, entry: AuditEntry, *, decision: DecisionSummary | None = None,
                    screening: ScreeningSummary | None = None,
                    rows: Sequence[tuple[type[Base], dict[str, Any]]] = ()) -> tuple[Future[Appended], str]:
    """Queue the audit record and its summary row (decisions / screening_results) for the store's group-commit
    writer; both are written in one transaction, with ``rows`` (review items, known parties). Returns the future
    of the record and the canonical JSON of the result (the exact text stored). :func:`record_decision` is the
    blocking form."""
    extras: list[tuple[type[Base], dict[str, Any]]] = list(rows)
    if decision is not None:
        extras.append((Decision, dict(
            kind=entry.kind, item=_cut(decision.item, 400), destination=_cut(decision.destination, 2),
            as_of=entry.as_of, outcome=_cut(decision.outcome, 80), license_required=decision.license_required,
            paragraph=_cut(decision.paragraph, 40), actor=entry.actor)))
    if screening is not None:
        extras.append((ScreeningResultRow, dict(
            query=_cut(screening.query, 2000) or "", country=_cut(screening.country, 2),
            hit_count=screening.hit_count, top_score=screening.top_score, top_list=_cut(screening.top_list, 40),
            algorithm=_cut(screening.algorithm, 80), snapshot_id=entry.snapshot_id, actor=entry.actor)))
    writer: ChainWriter = store.chain()
    return writer.submit(entry, extras)


def record_decision(store: Store, entry: AuditEntry, *, decision: DecisionSummary | None = None,
                    screening: ScreeningSummary | None = None,
                    rows: Sequence[tuple[type[Base], dict[str, Any]]] = ()) -> int:
    """Record a decision and wait until it is committed; returns its sequence number."""
    future, _ = submit_decision(store, entry, decision=decision, screening=screening, rows=rows)
    return future.result().seq


def _cut(text: str | None, n: int) -> str | None:
    """Summary columns hold printable text only (PostgreSQL refuses NUL); the audit record keeps the original."""
    return None if text is None else "".join(ch if ch >= " " else " " for ch in text)[:n]


def record_batch(settings: Settings, *, input_sha256: str, output_sha256: str, lines: int, rejects: int,
                 ruleset_hash: str, snapshot_id: str | None, actor: str = "cli") -> int:
    """Record one batch run (its input and output files by hash). Returns the audit sequence number."""
    entry = AuditEntry(kind="batch", actor=actor,
                       inputs={"input_sha256": input_sha256, "lines": lines},
                       result={"output_sha256": output_sha256, "lines": lines, "rejects": rejects},
                       view=settings.view, ruleset_hash=ruleset_hash, snapshot_id=snapshot_id,
                       algorithm=_engine_version())
    return record(open_store(settings.database_url), entry)


def _engine_version() -> str:
    from chipcontrol import __version__

    return f"chipcontrol-{__version__}"


def record_json(rec: AuditRecord, *, full: bool = True) -> dict[str, Any]:
    d: dict[str, Any] = {
        "seq": rec.seq, "created_at": rec.created_at, "actor": rec.actor, "kind": rec.kind, "as_of": rec.as_of,
        "view": rec.view, "ruleset_hash": rec.ruleset_hash, "snapshot_id": rec.snapshot_id,
        "algorithm": rec.algorithm, "prev_hash": rec.prev_hash, "hash": rec.hash,
    }
    if full:
        d["inputs"] = json.loads(rec.inputs_json)
        d["result"] = json.loads(rec.result_json)
    return d


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which records: kinds (any of), actor (exact), a date range (UTC days, inclusive), below a seq (paging)."""

    kinds: tuple[str, ...] = ()
    actor: str | None = None
    date_from: str | None = None
    date_to: str | None = None

    @classmethod
    def of(cls, kind: str | Sequence[str] | None = None, actor: str | None = None, date_from: str | None = None,
           date_to: str | None = None) -> AuditFilter:
        kinds = (kind,) if isinstance(kind, str) else tuple(kind or ())
        kinds = tuple(k.strip() for k in kinds if k and k.strip())
        lo, hi = _day(date_from, "from"), _day(date_to, "to")
        if lo and hi and lo > hi:
            raise InvalidInput(f"the date range is empty: from {lo} is after to {hi}")
        return cls(kinds, (actor or "").strip() or None, lo, hi)

    def apply(self, q: Any) -> Any:
        if self.kinds:
            q = q.where(AuditRecord.kind.in_(self.kinds))
        if self.actor:
            q = q.where(AuditRecord.actor == self.actor)
        if self.date_from:
            q = q.where(AuditRecord.created_at >= self.date_from)
        if self.date_to:
            nxt = (dt.date.fromisoformat(self.date_to) + dt.timedelta(days=1)).isoformat()
            q = q.where(AuditRecord.created_at < nxt)
        return q

    def to_dict(self) -> dict[str, Any]:
        return {"kinds": list(self.kinds), "actor": self.actor, "from": self.date_from, "to": self.date_to}


def _day(text: str | None, what: str) -> str | None:
    if text is None or not str(text).strip():
        return None
    try:
        return dt.date.fromisoformat(str(text).strip()).isoformat()
    except ValueError:
        raise InvalidDate(f"{what} date {text!r} is not a date in the form YYYY-MM-DD") from None


def list_records(store: Store, *, before: int | None = None, limit: int = 50, kind: str | Sequence[str] | None = None,
                 actor: str | None = None, full: bool = False, date_from: str | None = None,
                 date_to: str | None = None) -> dict[str, Any]:
    """Newest first; page with ``before`` = the smallest seq of the previous page. ``total`` counts every record
    the filter selects (on all pages)."""
    limit = max(1, min(limit, 500))
    flt = AuditFilter.of(kind, actor, date_from, date_to)
    with store.read() as session:
        q = flt.apply(select(AuditRecord))
        if before is not None:
            q = q.where(AuditRecord.seq < before)
        rows = session.scalars(q.order_by(AuditRecord.seq.desc()).limit(limit))
        records = [record_json(r, full=full) for r in rows]
        total = int(session.scalar(flt.apply(select(func.count()).select_from(AuditRecord))) or 0)
    nxt = records[-1]["seq"] if len(records) == limit else None
    return {"total": total, "records": records, "next_before": nxt, "filter": flt.to_dict()}


def kinds(store: Store) -> list[str]:
    """Every kind of record in the log (for filters)."""
    with store.read() as session:
        return sorted(k for (k,) in session.execute(select(AuditRecord.kind).distinct()))


def actors(store: Store) -> list[str]:
    with store.read() as session:
        return sorted(a for (a,) in session.execute(select(AuditRecord.actor).distinct()))


def get_record(store: Store, seq: int) -> dict[str, Any]:
    with store.read() as session:
        rec = audit_store.get(session, seq) if 1 <= seq < 2**62 else None
        if rec is None:
            raise RecordNotFound(f"no audit record {seq}")
        return record_json(rec)


def verify(target: Settings | Store) -> Verification:
    """Walk the whole chain. ``result.ok`` is False and ``result.problems`` names each altered/removed record."""
    store = target if isinstance(target, Store) else open_store(target.database_url)
    with store.read() as session:
        return audit_store.verify(session)
