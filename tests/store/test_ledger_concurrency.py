"""Concurrent drawdowns against one licence, on SQLite and PostgreSQL: the balance never goes negative, no
drawdown is lost, every refusal was right when it was made, and the audit chain stays intact."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from chipcontrol.services import audit, ledger
from chipcontrol.services.keys import Principal
from chipcontrol.store import Store
from chipcontrol.store.models import Licence, Shipment

ANALYST = Principal("analyst", "analyst", None)
CHIP = "NVIDIA H20"


def _licence(store: Store, number: str, qty: int) -> None:
    ledger.create_licence(store, ledger.LicenceInput(number=number, items=(CHIP,), destinations=("CN",),
                                                     expires_on="2099-12-31", quantity_limit=qty), ANALYST)


def _draw(store: Store, number: str, qty: int) -> str:
    try:
        ledger.record_shipment(store, ledger.ShipmentInput(licence_number=number, chip=CHIP, destination="CN",
                                                           quantity=qty, shipped_on="2026-01-02"), ANALYST)
        return "ok"
    except ledger.LicenceRefused as exc:
        return exc.code


def _balance(store: Store, number: str) -> tuple[int, int, int, int]:
    with store.read() as s:
        lic = s.scalar(select(Licence).where(Licence.number == number))
        assert lic is not None
        n, total = s.execute(select(func.count(Shipment.id), func.coalesce(func.sum(Shipment.quantity), 0))
                             .where(Shipment.licence_id == lic.id)).one()
        assert lic.quantity_limit is not None
        return lic.quantity_limit, lic.quantity_used, int(n), int(total)


def test_fifty_concurrent_unit_drawdowns(store: Store) -> None:
    _licence(store, "L-50", 30)
    barrier = threading.Barrier(50)

    def one(_: int) -> str:
        barrier.wait()
        return _draw(store, "L-50", 1)

    with ThreadPoolExecutor(50) as pool:
        results = list(pool.map(one, range(50)))
    assert results.count("ok") == 30
    assert results.count("licence_balance_exceeded") == 20
    limit, used, n, total = _balance(store, "L-50")
    assert (used, n, total) == (30, 30, 30) and used <= limit
    log = audit.list_records(store, limit=500)
    kinds = [r["kind"] for r in log["records"]]
    assert kinds.count("shipment") == 30 and kinds.count("shipment.refused") == 20
    assert audit.verify(store).ok


def test_fifty_concurrent_drawdowns_of_mixed_sizes(store: Store) -> None:
    _licence(store, "L-MIX", 100)
    sizes = [random.Random(i).randint(1, 6) for i in range(50)]
    barrier = threading.Barrier(50)

    def one(q: int) -> tuple[int, str]:
        barrier.wait()
        return q, _draw(store, "L-MIX", q)

    with ThreadPoolExecutor(50) as pool:
        results = list(pool.map(one, sizes))
    limit, used, n, total = _balance(store, "L-MIX")
    drawn = sum(q for q, r in results if r == "ok")
    assert used == drawn == total, "a drawdown was lost or double-counted"
    assert n == sum(1 for _, r in results if r == "ok")
    assert limit - used >= 0
    # the balance only falls, so a refusal was right iff the shipment exceeds even the final balance
    assert all(q > limit - used for q, r in results if r != "ok")
    assert {r for _, r in results} <= {"ok", "licence_balance_exceeded"}
    assert audit.verify(store).ok


WORKER = """
import json, sys, threading
from concurrent.futures import ThreadPoolExecutor
from chipcontrol.services import ledger
from chipcontrol.services.keys import Principal
from chipcontrol.store import open_store
store = open_store(sys.argv[1])
who = Principal("proc", "analyst", None)
def one(_):
    try:
        ledger.record_shipment(store, ledger.ShipmentInput(licence_number="L-PROC", chip="NVIDIA H20",
                               destination="CN", quantity=1, shipped_on="2026-01-02"), who)
        return "ok"
    except ledger.LicenceRefused as exc:
        return exc.code
with ThreadPoolExecutor(10) as pool:
    print(json.dumps(list(pool.map(one, range(10)))))
"""


def test_fifty_drawdowns_from_five_processes(db_url: str, store: Store) -> None:
    """Across processes SQLite relies on BEGIN IMMEDIATE and busy_timeout, PostgreSQL on the row lock."""
    _licence(store, "L-PROC", 37)
    env = {**os.environ}
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, db_url], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=env) for _ in range(5)]
    results: list[str] = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-2000:]
        results += json.loads(out)
    assert len(results) == 50
    assert results.count("ok") == 37 and results.count("licence_balance_exceeded") == 13
    limit, used, n, total = _balance(store, "L-PROC")
    assert (limit, used, n, total) == (37, 37, 37, 37)
    assert audit.verify(store).ok
