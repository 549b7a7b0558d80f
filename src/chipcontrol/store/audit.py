"""The append-only, hash-chained audit log.

Each record's ``hash`` is SHA-256 over the canonical JSON (sorted keys, compact, UTF-8) of all its fields,
including its sequence number and the previous record's hash; the two large fields (``inputs_json``,
``result_json``, themselves canonical JSON) enter as their own SHA-256, so hashing costs one pass over them.
Appending locks the chain head (one row), so the chain stays linear under concurrent writers; :class:`ChainWriter`
batches appends from many threads into one transaction (group commit). :func:`verify` walks the chain and names
every record that was altered, removed or re-linked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from chipcontrol.store.models import AuditHead, AuditRecord, Base

GENESIS = "0" * 64
HASHED_FIELDS = ("seq", "created_at", "actor", "kind", "as_of", "view", "ruleset_hash", "snapshot_id", "algorithm",
                 "inputs_json", "result_json", "prev_hash")


def canonical_json(value: Any) -> str:
    """The one JSON form stored and hashed: sorted keys, no whitespace, no NaN, non-ASCII kept (the text of
    ``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)``, with dates,
    sets and tuples as :func:`_default` gives them)."""
    return _CANONICAL.encode(value)


def _default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value) if isinstance(value, (set, frozenset)) else list(value)
    return str(value)


# One encoder for every call (json.dumps with options builds a new one each time); no check for circular
# references (answers are trees; a cycle still fails, as a RecursionError): about 10 % less time on a 14 KB answer.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False,
                              default=_default, check_circular=False)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_hash(fields: dict[str, Any]) -> str:
    """sha256(canonical_json(header)), where header = every hashed field, with inputs_json and result_json
    replaced by their SHA-256 (as ``inputs_sha256``/``result_sha256``)."""
    payload = {k: fields[k] for k in HASHED_FIELDS if k not in ("inputs_json", "result_json")}
    payload["inputs_sha256"] = _sha256(fields["inputs_json"])
    payload["result_sha256"] = _sha256(fields["result_json"])
    return _sha256(canonical_json(payload))


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """What a caller asks to record. ``inputs`` and ``result`` are JSON-serialisable."""

    kind: str
    actor: str
    inputs: Any
    result: Any
    as_of: str | None = None
    view: str | None = None
    ruleset_hash: str | None = None
    snapshot_id: str | None = None
    algorithm: str | None = None


@dataclass(frozen=True, slots=True)
class Appended:
    seq: int
    hash: str
    created_at: str


def append(session: Session, entry: AuditEntry) -> Appended:
    """Append one record inside the caller's write transaction (Core statements: this is the hot path)."""
    conn = session.connection()
    row = conn.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1).with_for_update()).first()
    if row is None:  # a store created without the migration's seed row
        conn.execute(insert(AuditHead).values(id=1, seq=0, hash=GENESIS))
        prev_seq, prev_hash = 0, GENESIS
    else:
        prev_seq, prev_hash = int(row[0]), str(row[1])
    fields: dict[str, Any] = {
        "seq": prev_seq + 1, "created_at": utc_now(), "actor": entry.actor, "kind": entry.kind,
        "as_of": entry.as_of, "view": entry.view, "ruleset_hash": entry.ruleset_hash,
        "snapshot_id": entry.snapshot_id, "algorithm": entry.algorithm,
        "inputs_json": canonical_json(entry.inputs), "result_json": canonical_json(entry.result),
        "prev_hash": prev_hash,
    }
    digest = record_hash(fields)
    conn.execute(insert(AuditRecord), {**fields, "hash": digest})
    conn.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=fields["seq"], hash=digest))
    return Appended(fields["seq"], digest, fields["created_at"])


def insert_ignoring_duplicates(dialect: str, model: type[Base]) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING (rows that would break a unique constraint are skipped)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(model).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(model).on_conflict_do_nothing()


def fields_of(rec: AuditRecord) -> dict[str, Any]:
    return {k: getattr(rec, k) for k in (*HASHED_FIELDS, "hash")}


def iter_records(session: Session, *, after: int = 0, batch: int = 1000) -> Iterator[AuditRecord]:
    """All records with seq > after, in order, fetched in pages (memory stays flat for long logs)."""
    last = after
    while True:
        page = list(session.scalars(select(AuditRecord).where(AuditRecord.seq > last)
                                    .order_by(AuditRecord.seq).limit(batch)))
        if not page:
            return
        yield from page
        last = page[-1].seq


def page(session: Session, *, before: int | None = None, limit: int = 50, kind: str | None = None,
         actor: str | None = None) -> list[AuditRecord]:
    """Newest first."""
    q = select(AuditRecord)
    if before is not None:
        q = q.where(AuditRecord.seq < before)
    if kind:
        q = q.where(AuditRecord.kind == kind)
    if actor:
        q = q.where(AuditRecord.actor == actor)
    return list(session.scalars(q.order_by(AuditRecord.seq.desc()).limit(limit)))


def get(session: Session, seq: int) -> AuditRecord | None:
    return session.get(AuditRecord, seq)


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditRecord)) or 0)


@dataclass(slots=True)
class Problem:
    seq: int
    problem: str  # altered | removed | relinked | head
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "problem": self.problem, "detail": self.detail}


@dataclass(slots=True)
class Verification:
    records: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "records": self.records, "head_seq": self.head_seq, "head_hash": self.head_hash,
                "problems": [p.to_dict() for p in self.problems]}


def verify(session: Session) -> Verification:
    """Walk the chain from the first record. Names each altered record (its content no longer matches its hash),
    each removed record (a gap in the sequence, or missing after the last one the head recorded) and each record
    whose link to its predecessor is broken (the predecessor was replaced)."""
    head = session.get(AuditHead, 1)
    out = Verification(head_seq=head.seq if head else 0, head_hash=head.hash if head else GENESIS)
    expected_seq = 1
    prev_hash = GENESIS
    for rec in iter_records(session):
        out.records += 1
        if rec.seq > expected_seq:
            gap = (f"record {expected_seq}" if rec.seq == expected_seq + 1
                   else f"records {expected_seq}..{rec.seq - 1}")
            out.problems.append(Problem(expected_seq, "removed", f"{gap} missing from the log"))
        elif rec.prev_hash != prev_hash:
            out.problems.append(Problem(rec.seq - 1, "relinked",
                                        f"record {rec.seq} does not link to record {rec.seq - 1}: record "
                                        f"{rec.seq - 1} was altered and re-hashed, or replaced"))
        if record_hash(fields_of(rec)) != rec.hash:
            out.problems.append(Problem(rec.seq, "altered", f"record {rec.seq} ({rec.kind}, {rec.created_at}) "
                                        "does not match its hash: its content was altered"))
        prev_hash = rec.hash
        expected_seq = rec.seq + 1
    last = expected_seq - 1
    if head is not None and head.seq > last:
        gap = f"record {head.seq}" if head.seq == last + 1 else f"records {last + 1}..{head.seq}"
        out.problems.append(Problem(last + 1, "removed", f"{gap} missing from the end of the log "
                                    f"(the chain head records {head.seq})"))
    elif head is not None and (head.seq != last or (last and head.hash != prev_hash)):
        out.problems.append(Problem(last, "head", f"the chain head (seq {head.seq}) does not match the last "
                                    f"record ({last})"))
    return out


# --- group commit --------------------------------------------------------------------------------

@dataclass(slots=True)
class _Job:
    entry: AuditEntry
    inputs_json: str
    result_json: str
    extras: Sequence[tuple[type[Base], dict[str, Any]]]
    future: Future[Appended]


class ChainWriter:
    """Appends records from many threads through one writer thread, several per transaction (group commit).

    Callers block on :meth:`append` until their record is committed, so "recorded" still means durable before the
    answer goes out; under load the per-transaction cost is shared by the whole batch. ``extras`` are rows of
    other tables written in the same transaction, each given the new record's ``audit_seq`` (a model marked
    ``__ignore_duplicates__`` is inserted with ON CONFLICT DO NOTHING). If a batch fails,
    its records are retried one by one so only the faulty one reports the error.
    """

    MAX_BATCH = 128

    def __init__(self, write_connection: Callable[[], AbstractContextManager[Connection]]) -> None:
        self._write_connection = write_connection
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def append(self, entry: AuditEntry,
               extras: Sequence[tuple[type[Base], dict[str, Any]]] = ()) -> Appended:
        return self.submit(entry, extras)[0].result()

    def submit(self, entry: AuditEntry, extras: Sequence[tuple[type[Base], dict[str, Any]]] = ()
               ) -> tuple[Future[Appended], str]:
        """Queue a record; returns the future of its (seq, hash) and the canonical JSON of its result (the exact
        text stored and hashed, which a caller may send as its answer)."""
        job = _Job(entry, canonical_json(entry.inputs), canonical_json(entry.result), extras, Future())
        self._ensure_thread()
        self._queue.put(job)
        return job.future, job.result_json

    def close(self) -> None:
        with self._start_lock:
            if self._thread is not None:
                self._queue.put(None)
                self._thread.join(timeout=10)
                self._thread = None

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            with self._start_lock:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(target=self._run, name="chipcontrol-audit-writer", daemon=True)
                    self._thread.start()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < self.MAX_BATCH:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                batch.append(job)
            try:
                done = self._write(batch)
            except Exception:  # one bad record must not fail the others: retry singly
                for job in batch:
                    try:
                        job.future.set_result(self._write([job])[0])
                    except Exception as exc:
                        job.future.set_exception(exc)
            else:
                for job, res in zip(batch, done, strict=True):
                    job.future.set_result(res)
            if stop:
                return

    def _write(self, batch: list[_Job]) -> list[Appended]:
        with self._write_connection() as conn:
            row = conn.execute(_HEAD_FOR_UPDATE).first()
            if row is None:
                conn.execute(insert(AuditHead).values(id=1, seq=0, hash=GENESIS))
                seq, prev = 0, GENESIS
            else:
                seq, prev = int(row[0]), str(row[1])
            records: list[dict[str, Any]] = []
            extras: dict[type[Base], list[dict[str, Any]]] = {}
            out: list[Appended] = []
            for job in batch:
                e = job.entry
                seq += 1
                fields: dict[str, Any] = {
                    "seq": seq, "created_at": utc_now(), "actor": e.actor, "kind": e.kind, "as_of": e.as_of,
                    "view": e.view, "ruleset_hash": e.ruleset_hash, "snapshot_id": e.snapshot_id,
                    "algorithm": e.algorithm, "inputs_json": job.inputs_json, "result_json": job.result_json,
                    "prev_hash": prev,
                }
                prev = record_hash(fields)
                fields["hash"] = prev
                records.append(fields)
                out.append(Appended(seq, prev, fields["created_at"]))
                for model, params in job.extras:
                    extras.setdefault(model, []).append({**params, "audit_seq": seq,
                                                         "created_at": fields["created_at"]})
            conn.execute(_INSERT_RECORD, records)
            for model, rows in extras.items():
                conn.execute(_insert_extra(conn.dialect.name, model), rows)
            conn.execute(_SET_HEAD, {"head_seq": seq, "head_hash": prev})
        return out


# The writer's statements, built once (building them per transaction cost more than SQLite's commit).
_HEAD_FOR_UPDATE = select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1).with_for_update()
_INSERT_RECORD = insert(AuditRecord)
_SET_HEAD = (update(AuditHead).where(AuditHead.id == 1)
             .values(seq=bindparam("head_seq"), hash=bindparam("head_hash")))
_EXTRA_INSERTS: dict[tuple[str, type[Base]], Any] = {}


def _insert_extra(dialect: str, model: type[Base]) -> Any:
    stmt = _EXTRA_INSERTS.get((dialect, model))
    if stmt is None:
        stmt = _EXTRA_INSERTS[(dialect, model)] = (
            insert_ignoring_duplicates(dialect, model) if getattr(model, "__ignore_duplicates__", False)
            else insert(model))
    return stmt
