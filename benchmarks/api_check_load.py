"""Load benchmark for POST /api/check: the real server (``chipcontrol serve --workers N``, audit log on) against
a load generator in another process on loopback, keep-alive HTTP/1.1 connections; one run per worker count, side
by side.

    .venv/bin/python benchmarks/api_check_load.py [--seconds 10] [--connections 16] [--workers 1 2]
                                                  [--database-url postgresql://...]

Prints audited checks/s, p50/p90/p99 latency and statuses per worker count, and the ratio against two in-process
baselines: the engine alone (``assess.check_item``) and the audited service call (``decide.check``: engine +
audit record), each on one thread. Targets (issue 13): with two workers >= 800 checks/s on SQLite and >= 500 on
PostgreSQL, p99 <= 50 ms. Without --database-url each run gets a fresh SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BODY = {"chip": "NVIDIA H20", "destination": "CN", "exporter": "NVIDIA", "as_of": "2025-06-01"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def _load(port: int, key: str, seconds: float, connections: int, max_requests: int) -> dict[str, Any]:
    body = json.dumps(BODY).encode()
    req = (f"POST /api/check HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {key}\r\n"
           f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.perf_counter() + seconds
    sent = 0

    async def worker() -> None:
        nonlocal sent
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < deadline and sent < max_requests:
                sent += 1
                t0 = time.perf_counter()
                writer.write(req)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - t0)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    t_start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - t_start
    latencies.sort()
    q = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else [0.0] * 99
    return {"requests": len(latencies), "seconds": elapsed, "rps": len(latencies) / elapsed,
            "p50_ms": q[49] * 1000, "p90_ms": q[89] * 1000, "p99_ms": q[98] * 1000,
            "max_ms": latencies[-1] * 1000 if latencies else 0.0, "statuses": statuses}


def load_main(argv: list[str]) -> None:
    """Entry point of the load-generator process: prints one JSON line."""
    port, key, seconds, conns, max_req = int(argv[0]), argv[1], float(argv[2]), int(argv[3]), int(argv[4])
    print(json.dumps(asyncio.run(_load(port, key, seconds, conns, max_req))))


def _baselines(n: int = 2000) -> dict[str, float]:
    import datetime as dt

    from chipcontrol.services import assess, decide
    from chipcontrol.services.keys import Principal
    from chipcontrol.services.runtime import Runtime
    from chipcontrol.settings import Settings

    day = dt.date(2025, 6, 1)
    settings = Settings()
    item = assess.resolve_item("NVIDIA H20", None)
    req = assess.CheckRequest(destination="CN", exporter="NVIDIA")
    for _ in range(50):
        assess.check_item(item, req, day, settings)
    t = time.perf_counter()
    for _ in range(n):
        assess.check_item(item, req, day, settings)
    engine = n / (time.perf_counter() - t)
    with tempfile.TemporaryDirectory() as tmp:
        rt = Runtime.open(Settings(database_url=f"sqlite:///{tmp}/base.db"))
        who = Principal("bench", "viewer", None)
        ref, q = decide.ItemRef(chip="NVIDIA H20"), decide.ShipmentQuery(destination="CN", exporter="NVIDIA")
        for _ in range(50):
            decide.check(rt, who, ref, q, as_of="2025-06-01")
        t = time.perf_counter()
        for _ in range(n):
            decide.check(rt, who, ref, q, as_of="2025-06-01")
        audited = n / (time.perf_counter() - t)
        rt.store.dispose()
    return {"engine_calls_per_s": engine, "audited_calls_per_s": audited}


def _run(url: str, workers: int, args: argparse.Namespace) -> dict[str, Any]:
    from chipcontrol.services import keys
    from chipcontrol.store import close_store, open_store

    key, _ = keys.create_key(open_store(url), name=f"bench-{workers}", role="viewer")
    close_store(url)
    port = _free_port()
    env = {**os.environ, "CHIPCONTROL_DATABASE_URL": url}
    server = subprocess.Popen([sys.executable, "-m", "chipcontrol", "serve", "--host", "127.0.0.1", "--port",
                               str(port), "--no-access-log", "--workers", str(workers)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _wait(port, server)
        # warm-up (every worker builds its caches on its first requests), then the measured run
        subprocess.run([sys.executable, __file__, "--load", str(port), key, "2", str(args.connections), "2000"],
                       check=True, capture_output=True)
        out = subprocess.run([sys.executable, __file__, "--load", str(port), key, str(args.seconds),
                              str(args.connections), str(args.max_requests)], check=True, capture_output=True,
                             text=True)
        res: dict[str, Any] = json.loads(out.stdout)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--max-requests", type=int, default=200_000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--database-url", default=None, help="default: a fresh SQLite file per run")
    args = ap.parse_args()

    results: dict[int, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for w in args.workers:
            url = args.database_url or f"sqlite:///{Path(tmp) / f'bench-{w}.db'}"
            results[w] = _run(url, w, args)
        base = _baselines()
    db = "PostgreSQL" if args.database_url and args.database_url.startswith("postgres") else "SQLite"
    print(f"POST /api/check ({db}, audit log on), {args.connections} keep-alive connections from a second process, "
          f"{args.seconds:.0f} s per run, {os.cpu_count()} CPUs")
    print(f"  {'workers':>7} {'checks/s':>9} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'max ms':>7}  statuses")
    for w, r in results.items():
        print(f"  {w:>7} {r['rps']:>9.0f} {r['p50_ms']:>7.1f} {r['p90_ms']:>7.1f} {r['p99_ms']:>7.1f} "
              f"{r['max_ms']:>7.1f}  {r['statuses']}")
    print(f"  baseline    engine alone {base['engine_calls_per_s']:.0f} calls/s; engine + audit record "
          f"{base['audited_calls_per_s']:.0f} calls/s (in-process, one thread)")
    target = 500 if db == "PostgreSQL" else 800
    best = max(results.values(), key=lambda r: r["rps"])
    ok = best["rps"] >= target and best["p99_ms"] <= 50 and all(set(r["statuses"]) == {"200"}
                                                                  for r in results.values())
    print(f"  target      >= {target} checks/s and p99 <= 50 ms: " + ("met" if ok else "NOT met") +
          f" (best {best['rps']:.0f}/s, p99 {best['p99_ms']:.1f} ms)")


def _wait(port: int, proc: subprocess.Popen[str]) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if b" 200 " in s.recv(100):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("server did not start in 60 s")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--load":
        load_main(sys.argv[2:])
    else:
        main()
