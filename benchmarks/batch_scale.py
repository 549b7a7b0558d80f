"""Batch throughput, whole transactions next to one party: for each size, the synthetic order book (purchasers,
consignees, owners, unknown facts) and the same lines with one party (purchaser, consignee and owner columns
emptied), each run end to end in a fresh process (cold start: rules, catalogue and screening index loaded inside the
timing; read CSV, validate, screen, decide, write Parquet, record in the audit log). Also the per-shipment path
(``check_item`` per line with screening) timed on a sample and extrapolated. The machine may be shared: the load
average is printed with each run.

    .venv/bin/python benchmarks/batch_scale.py                          # 100k and 1M, both kinds
    .venv/bin/python benchmarks/batch_scale.py --sizes 1000000 --workers 2
    .venv/bin/python benchmarks/batch_scale.py --sizes 100000 --spark   # also Spark vs polars on 100k
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

UNTIL = dt.date(2026, 7, 1)
TARGET_LINES, TARGET_SECONDS = 1_000_000, 60.0
PARTY_COLUMNS = ("purchaser", "ultimate_consignee", "intermediate_consignee", "owners")


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def one(src: str, out: str, engine: str, workers: str) -> dict[str, Any]:
    """Runs in a child process: one batch, timed from a cold start."""
    t0, cpu0 = time.perf_counter(), os.times()
    from chipcontrol.batch.runner import run_batch
    from chipcontrol.rules.ruleset import Ruleset
    from chipcontrol.settings import Settings

    res = run_batch(src, out, settings=Settings.from_env(), engine=engine,
                    workers=int(workers) if workers != "-" else None)
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    cpu1 = os.times()
    cpu = (cpu1.user - cpu0.user + cpu1.system - cpu0.system, cpu1.children_user - cpu0.children_user
           + cpu1.children_system - cpu0.children_system)
    return {"seconds": time.perf_counter() - t0, "cpu": cpu, "lines": res.lines, "rejects": res.rejects,
            "keys": res.keys_evaluated, "screened": res.parties_screened, "timings": res.timings,
            "peak_mib": _peak_mib(), "worker_peak_mib": peak_children, "audit_seq": res.audit_seq,
            "output_sha256": res.output_sha256, "ruleset_hash": Ruleset.load().hash}


def per_shipment(src: str, sample: int) -> dict[str, Any]:
    """Runs in a child process: the per-shipment path on the first ``sample`` lines (warm rules and screener)."""
    from chipcontrol.batch.evaluate import Evaluator
    from chipcontrol.batch.reader import read_input
    from chipcontrol.settings import Settings

    raw, _ = read_input(src)
    raw = raw.head(sample)
    Evaluator(Settings.from_env()).evaluate_rows(raw.head(50))  # warm caches of the rules and the screener
    t0 = time.perf_counter()
    out, rej = Evaluator(Settings.from_env()).evaluate_rows(raw)
    secs = time.perf_counter() - t0
    return {"seconds": secs, "lines": out.height + rej.height, "per_line_ms": secs / raw.height * 1000}


def _child(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"child failed: {' '.join(args)}\n{proc.stderr[-3000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--sample", type=int, default=2000, help="lines timed on the per-shipment path")
    ap.add_argument("--workers", default="-", help="decision worker processes (default: one per CPU)")
    ap.add_argument("--spark", action="store_true", help="also run Spark (local[2]) on the 100k file and compare")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        kind, *rest = a.child
        result = one(*rest) if kind == "one" else per_shipment(rest[0], int(rest[1]))
        print(json.dumps(result))
        return
    sizes = [int(s) for s in a.sizes.split(",")]
    import polars as pl

    from chipcontrol.batch.generate import generate_shipments, write_frame

    with tempfile.TemporaryDirectory(prefix="batch-bench-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CHIPCONTROL_")}
        env["CHIPCONTROL_DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'audit.db'}"
        print(f"machine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}; workers: "
              f"{a.workers if a.workers != '-' else os.cpu_count()}; data: synthetic order book, seed 1, 0.2% "
              f"malformed, dates 2022-10-07..{UNTIL}")
        rows: list[dict[str, Any]] = []
        files: dict[tuple[int, str], str] = {}
        for n in sizes:
            full = generate_shipments(n, seed=1, until=UNTIL, malformed=0.002)
            one_party = full.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in PARTY_COLUMNS)
            named = full.select(pl.any_horizontal(pl.col(c).is_not_null() for c in PARTY_COLUMNS)).to_series()
            print(f"\n{n:,} lines: {named.mean():.0%} name a purchaser, consignee or owner "
                  f"({full.get_column('owners').is_not_null().mean():.0%} owners); "
                  f"{full.get_column('end_user_hq').is_null().mean():.0%} without the end user's headquarters")
            for kind, frame in (("whole transaction", full), ("one party", one_party)):
                src = str(Path(tmp) / f"shipments_{n}_{kind[0]}.csv")
                write_frame(frame, src)
                files[(n, kind)] = src
                before = _load()
                r = _child(["--child", "one", src, str(Path(tmp) / f"out_{n}_{kind[0]}.parquet"), "polars",
                            a.workers], env)
                r.update(n=n, kind=kind, load=f"{before} -> {_load()}")
                rows.append(r)
                t = r["timings"]
                print(f"  {kind:<18} {r['seconds']:6.1f} s  {n / r['seconds']:>9,.0f} lines/s  CPU {r['cpu'][0]:.0f} s "
                      f"+ workers {r['cpu'][1]:.0f} s  peak "
                      f"{r['peak_mib']:,.0f} MiB (+workers {r['worker_peak_mib']:,.0f})  {r['keys']:,} distinct "
                      f"decisions, {r['screened']:,} names screened; read {t.get('read', 0):.1f} s, evaluate "
                      f"{t.get('evaluate', 0):.1f} s, write {t.get('write', 0):.1f} s; load {r['load']}", flush=True)
        ref = files[(min(sizes), "whole transaction")]
        ps = _child(["--child", "rows", ref, str(a.sample)], env)
        per_line = ps["per_line_ms"] / 1000
        print(f"\nper-shipment path (check_item per line, whole transaction, screening per line): "
              f"{ps['per_line_ms']:.3f} ms/line on {a.sample:,} lines, extrapolated linearly below")
        print(f"\n{'lines':>10} | {'whole transaction s':>20} {'lines/s':>9} | {'one party s':>12} {'lines/s':>9} | "
              f"{'ratio':>6} | {'per-shipment s (extrap.)':>25}")
        for n in sizes:
            w = next(r for r in rows if r["n"] == n and r["kind"] == "whole transaction")
            o = next(r for r in rows if r["n"] == n and r["kind"] == "one party")
            print(f"{n:>10,} | {w['seconds']:>20.1f} {n / w['seconds']:>9,.0f} | {o['seconds']:>12.1f} "
                  f"{n / o['seconds']:>9,.0f} | {w['seconds'] / o['seconds']:>5.2f}x | {per_line * n:>25,.0f}")
        big = [r for r in rows if r["n"] >= TARGET_LINES and r["kind"] == "whole transaction"]
        if big:
            ok = all(r["seconds"] <= TARGET_SECONDS * r["n"] / TARGET_LINES for r in big)
            print(f"\ntarget: {TARGET_LINES:,} lines with parties and owners in <= {TARGET_SECONDS:.0f} s including "
                  f"screening and audit: {'met' if ok else 'NOT met'} ({big[0]['seconds']:.1f} s, load "
                  f"{big[0]['load']})")
        if a.spark and 100_000 in sizes:
            src = files[(100_000, "whole transaction")]
            r = _child(["--child", "one", src, str(Path(tmp) / "spark_100000.parquet"), "spark", "1"], env)
            base = next(x for x in rows if x["n"] == 100_000 and x["kind"] == "whole transaction")
            same = r["output_sha256"] == base["output_sha256"]
            print(f"\nspark local[2], 100,000 lines: {r['seconds']:.1f} s (JVM and workers started inside), "
                  f"{r['lines'] / r['seconds']:,.0f} lines/s; output identical to polars: {same}")


if __name__ == "__main__":
    main()
