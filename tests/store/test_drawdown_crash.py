"""Drawdowns across a crash, on SQLite and PostgreSQL: a burst of drawdowns against the real server, the server
killed with SIGKILL mid-burst, restarted, and every client retrying what was not answered (and some of what was)
with the same Idempotency-Key. Whatever the server had committed before it died is answered again, never booked
twice; whatever it had not is booked on the retry: 0 double bookings, 0 lost."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import func, select

from chipcontrol.services import audit, keys, ledger
from chipcontrol.services.keys import Principal
from chipcontrol.store import Store
from chipcontrol.store.models import Licence, Shipment

N = 40


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CHIPCONTROL_DATABASE_URL": url}
    log = tempfile.TemporaryFile()  # noqa: SIM115 (kept open for the server; closed with the test process)
    proc = subprocess.Popen([sys.executable, "-m", "chipcontrol", "serve", "--port", str(port), "--no-access-log"],
                            env=env, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            log.seek(0)
            raise AssertionError(f"the server exited: {log.read().decode(errors='replace')[-3000:]}")
        time.sleep(0.2)
    proc.kill()
    raise AssertionError("the server did not start")


def test_kill_9_mid_burst_then_retry(db_url: str, store: Store) -> None:
    ledger.create_licence(store, ledger.LicenceInput(number="K/9", items=("NVIDIA H20",), destinations=("CN",),
                                                     expires_on="2099-12-31", quantity_limit=10_000),
                          Principal("setup", "analyst", None))
    key, _ = keys.create_key(store, name="client", role="analyst")
    port = _port()
    base = f"http://127.0.0.1:{port}"
    qty = {i: 1 + i % 5 for i in range(N)}
    answers: dict[int, dict[str, Any]] = {}
    lock = threading.Lock()
    progress = threading.Condition(lock)

    def body(i: int) -> dict[str, Any]:
        return {"licence_number": "K/9", "chip": "NVIDIA H20", "destination": "CN", "quantity": qty[i],
                "shipped_on": "2026-05-01"}

    def send(i: int, impatient: bool = False) -> httpx.Response | None:
        headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": f"burst-{i}"}
        # an impatient client gives up before the answer comes: the server books it, the client never hears
        timeout = httpx.Timeout(30, read=0.002) if impatient else httpx.Timeout(30)
        try:
            r = httpx.post(f"{base}/api/shipments", json=body(i), headers=headers, timeout=timeout)
        except httpx.HTTPError:
            return None  # no answer: the client will retry
        assert r.status_code == 201, r.text
        with progress:
            answers.setdefault(i, r.json())
            progress.notify_all()
        return r

    lost_answers = 0  # requests committed that their client never heard about (killed server, impatient client)
    rounds = 0
    server = None
    try:
        while len(answers) < N:  # each round: a burst of every unanswered request, killed after 6 more answers
            rounds += 1
            assert rounds <= 20, "no progress"
            server = _serve(db_url, port)
            todo = [i for i in range(N) if i not in answers]
            goal = len(answers) + 6
            with ThreadPoolExecutor(16) as pool:
                futures = [pool.submit(send, i, rounds == 1 and i % 3 == 0) for i in todo]
                if len(todo) > 6:
                    with progress:
                        progress.wait_for(lambda goal=goal: len(answers) >= goal, timeout=60)
                    os.kill(server.pid, signal.SIGKILL)  # requests in flight: some committed, unanswered
                    server.wait(timeout=30)
                for f in futures:
                    f.result()
            with store.read() as ses:
                booked = int(ses.scalar(select(func.count(Shipment.id))) or 0)
            lost_answers += booked - len(answers)
        assert rounds > 1, "the server was never killed mid-burst"
        if server.poll() is not None:  # the last round's kill came after its last answer
            server = _serve(db_url, port)
        first = dict(answers)
        for i in (i for i in first if i % 4 == 0):  # clients that retry what was answered too
            r = send(i)
            assert r is not None and r.headers["Idempotent-Replayed"] == "true"
            assert r.json()["id"] == first[i]["id"], "a retry got a different shipment"
    finally:
        if server is not None:
            server.kill()
            server.wait(timeout=30)
    print(f"\n{store.dialect}: {N} drawdowns in {rounds} rounds ({rounds - 1} SIGKILLs); {lost_answers} times a "
          "request had been committed but not answered; each was answered on retry and booked once")
    assert lost_answers > 0, "no request was committed unanswered: the retries were not tested"

    assert sorted(answers) == list(range(N)), "a drawdown was lost"
    ids = [a["id"] for a in answers.values()]
    assert len(set(ids)) == N, "two requests got the same shipment"
    with store.read() as s:
        lic = s.scalar(select(Licence).where(Licence.number == "K/9"))
        assert lic is not None
        n, total = s.execute(select(func.count(Shipment.id), func.coalesce(func.sum(Shipment.quantity), 0))
                             .where(Shipment.licence_id == lic.id)).one()
    assert n == N, f"{n - N} double booking(s)" if n > N else f"{N - n} lost"
    assert lic.quantity_used == total == sum(qty.values())
    records = audit.list_records(store, kind="shipment", limit=500)
    assert records["total"] == N
    assert audit.verify(store).ok
