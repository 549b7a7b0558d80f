"""The audit log is append-only and hash-chained: the database refuses updates and deletes, and `verify` (and
`chipcontrol audit verify`) names every record that was altered, removed or re-linked anyway."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from chipcontrol.services import audit
from chipcontrol.settings import Settings
from chipcontrol.store import Store
from chipcontrol.store import audit as chain
from chipcontrol.store.audit import AuditEntry


def _fill(store: Store, n: int) -> list[int]:
    return [audit.record(store, AuditEntry(kind="check", actor="tester", inputs={"i": i, "name": "Ünïcode 华为"},
                                           result={"outcome": "no_license_required", "n": i, "x": [1.5, None]},
                                           as_of="2025-01-01", view="enforced", ruleset_hash="r" * 64,
                                           snapshot_id="lists-x", algorithm="test"))
            for i in range(n)]


def _unlock(store: Store) -> None:
    """What a tamperer with database access does first: switch off the append-only trigger."""
    with store.engine.begin() as conn:
        if store.dialect == "sqlite":
            conn.execute(text("DROP TRIGGER audit_records_no_update"))
            conn.execute(text("DROP TRIGGER audit_records_no_delete"))
        else:
            conn.execute(text("ALTER TABLE audit_records DISABLE TRIGGER audit_records_append_only"))


def test_records_chain_and_verify(store: Store) -> None:
    seqs = _fill(store, 5)
    assert seqs == [1, 2, 3, 4, 5]
    result = audit.verify(store)
    assert result.ok and result.records == 5 and result.head_seq == 5
    with store.read() as s:
        recs = list(chain.iter_records(s))
    assert recs[0].prev_hash == chain.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(recs))
    assert audit.get_record(store, 3)["inputs"] == {"i": 2, "name": "Ünïcode 华为"}


def test_database_refuses_update_and_delete(store: Store) -> None:
    _fill(store, 2)
    for stmt in ("UPDATE audit_records SET actor = 'mallory' WHERE seq = 1", "DELETE FROM audit_records"):
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(text(stmt))
    assert audit.verify(store).ok


def test_altered_record_is_named(store: Store) -> None:
    _fill(store, 6)
    _unlock(store)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_records SET result_json = :r WHERE seq = 4"),
                     {"r": '{"n":3,"outcome":"license_required","x":[1.5,null]}'})
    result = audit.verify(store)
    assert not result.ok
    assert [(p.seq, p.problem) for p in result.problems] == [(4, "altered")]
    assert "record 4" in result.problems[0].detail


def test_altered_and_rehashed_record_breaks_the_next_link(store: Store) -> None:
    _fill(store, 5)
    _unlock(store)
    with store.read() as s:
        rec = chain.get(s, 2)
        assert rec is not None
        fields = chain.fields_of(rec)
    fields["actor"] = "mallory"
    new_hash = chain.record_hash(fields)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_records SET actor = 'mallory', hash = :h WHERE seq = 2"), {"h": new_hash})
    result = audit.verify(store)
    assert [(p.seq, p.problem) for p in result.problems] == [(2, "relinked")]


@pytest.mark.parametrize("where,expected", [("seq = 3", [(3, "removed")]), ("seq = 5", [(5, "removed")]),
                                            ("seq IN (2, 3)", [(2, "removed")])])
def test_removed_record_is_named(store: Store, where: str, expected: list[tuple[int, str]]) -> None:
    _fill(store, 5)
    _unlock(store)
    with store.engine.begin() as conn:
        conn.execute(text(f"DELETE FROM audit_records WHERE {where}"))
    result = audit.verify(store)
    assert [(p.seq, p.problem) for p in result.problems][:1] == expected
    assert re.search(rf"records? {expected[0][0]}\b", result.problems[0].detail)


def test_concurrent_appends_stay_one_chain(store: Store) -> None:
    barrier = threading.Barrier(20)

    def one(i: int) -> int:
        barrier.wait()
        return audit.record_decision(store, AuditEntry(kind="check", actor=f"t{i}", inputs={"i": i}, result={}),
                                     decision=audit.DecisionSummary(item="x"))

    with ThreadPoolExecutor(20) as pool:
        seqs = sorted(pool.map(one, range(20)))
    assert seqs == list(range(1, 21))
    assert audit.verify(store).ok


def test_record_batch(db_url: str, store: Store) -> None:
    seq = audit.record_batch(Settings(database_url=db_url), input_sha256="a" * 64, output_sha256="b" * 64, lines=10,
                             rejects=1, ruleset_hash="r" * 64, snapshot_id=None)
    rec = audit.get_record(store, seq)
    assert rec["kind"] == "batch" and rec["actor"] == "cli"
    assert rec["result"] == {"output_sha256": "b" * 64, "lines": 10, "rejects": 1}


def test_cli_audit_verify_names_the_altered_record(db_url: str, store: Store) -> None:
    _fill(store, 3)
    env = {**os.environ, "CHIPCONTROL_DATABASE_URL": db_url}
    ok = subprocess.run([sys.executable, "-m", "chipcontrol", "audit", "verify"], env=env, capture_output=True,
                        text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert "intact: 3 record(s)" in ok.stdout
    _unlock(store)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_records SET as_of = '2024-01-01' WHERE seq = 2"))
    bad = subprocess.run([sys.executable, "-m", "chipcontrol", "audit", "verify"], env=env, capture_output=True,
                         text=True, timeout=120)
    assert bad.returncode == 1
    assert "record 2: altered" in bad.stdout
    assert "BROKEN" in bad.stdout
