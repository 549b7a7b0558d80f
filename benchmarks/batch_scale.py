"""Batch throughput: lines per second for 10k, 100k and 1M synthetic lines, peak memory, the scaling curve, and the
ratio against the per-shipment path (``check_item`` per line with a fresh screening call), timed on a sample and
extrapolated. Each size runs in a fresh process (cold start: rules, catalogue and screening index are loaded inside
the timing), end to end: read CSV, validate, screen, decide, write Parquet, record in the audit log.

    .venv/bin/python benchmarks/batch_scale.py                 # 10k, 100k, 1M
    .venv/bin/python benchmarks/batch_scale.py --sizes 10000,100000 --spark   # also Spark vs polars on 100k
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


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def one(src: str, out: str, engine: str) -> dict[str, Any]:
    """Runs in a child process: one batch, timed from a cold start."""
    t0 = time.perf_counter()
    from chipcontrol.batch.runner import run_batch
    from chipcontrol.rules.ruleset import Ruleset
    from chipcontrol.settings import Settings

    res = run_batch(src, out, settings=Settings.from_env(), engine=engine)
    return {"seconds": time.perf_counter() - t0, "lines": res.lines, "rejects": res.rejects,
            "keys": res.keys_evaluated, "screened": res.parties_screened, "timings": res.timings,
            "peak_mib": _peak_mib(), "audit_seq": res.audit_seq, "output_sha256": res.output_sha256,
            "ruleset_hash": Ruleset.load().hash}


def per_shipment(src: str, sample: int) -> dict[str, Any]:
    """Runs in a child process: the per-shipment path on the first ``sample`` lines (warm rules and screener)."""
    import polars as pl

    from chipcontrol.batch.evaluate import Evaluator
    from chipcontrol.batch.reader import read_input
    from chipcontrol.services.screening import screener
    from chipcontrol.settings import Settings

    raw, _ = read_input(src)
    raw = raw.head(sample)
    ev = Evaluator(Settings.from_env())
    screener()
    ev.evaluate_rows(raw.head(50))  # warm caches of the rules
    t0 = time.perf_counter()
    out, rej = Evaluator(Settings.from_env()).evaluate_rows(raw)
    secs = time.perf_counter() - t0
    assert isinstance(out, pl.DataFrame)
    return {"seconds": secs, "lines": out.height + rej.height, "per_line_ms": secs / raw.height * 1000}


def _child(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"child failed: {' '.join(args)}\n{proc.stderr[-3000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--sample", type=int, default=2000, help="lines timed on the per-shipment path")
    ap.add_argument("--spark", action="store_true", help="also run Spark (local[2]) on the 100k file and compare")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        kind, *rest = a.child
        result = one(rest[0], rest[1], rest[2]) if kind == "one" else per_shipment(rest[0], int(rest[1]))
        print(json.dumps(result))
        return
    sizes = [int(s) for s in a.sizes.split(",")]
    from chipcontrol.batch.generate import generate_shipments, write_frame

    with tempfile.TemporaryDirectory(prefix="batch-bench-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CHIPCONTROL_")}
        env["CHIPCONTROL_DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'audit.db'}"
        print(f"machine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}; data: synthetic, seed 1, "
              f"0.2% malformed, dates 2022-10-07..{UNTIL}")
        rows: list[dict[str, Any]] = []
        files: dict[int, str] = {}
        for n in sizes:
            src = str(Path(tmp) / f"shipments_{n}.csv")
            write_frame(generate_shipments(n, seed=1, until=UNTIL, malformed=0.002), src)
            files[n] = src
            r = _child(["--child", "one", src, str(Path(tmp) / f"out_{n}.parquet"), "polars"], env)
            r["n"] = n
            rows.append(r)
            print(f"  {n:>9,} lines: {r['seconds']:6.1f} s  {n / r['seconds']:>9,.0f} lines/s  "
                  f"peak {r['peak_mib']:,.0f} MiB  ({r['keys']:,} distinct decisions, "
                  f"{r['screened']:,} parties screened; "
                  f"read {r['timings'].get('read', 0):.1f} s, evaluate {r['timings'].get('evaluate', 0):.1f} s, "
                  f"write {r['timings'].get('write', 0):.1f} s)", flush=True)
        ref_file = files[max(n for n in sizes if n <= 100_000)] if any(n <= 100_000 for n in sizes) else files[sizes[0]]
        ps = _child(["--child", "rows", ref_file, str(a.sample)], env)
        per_line = ps["per_line_ms"] / 1000
        print(f"\nper-shipment path (check_item per line, screening per line): {ps['per_line_ms']:.3f} ms/line, "
              f"measured on {a.sample:,} lines, extrapolated linearly below")
        print(f"\n{'lines':>10} {'batch s':>9} {'lines/s':>10} {'peak MiB':>9} {'per-shipment s (extrap.)':>25} "
              f"{'speed-up':>9}")
        top = max(r["n"] / r["seconds"] for r in rows)
        for r in rows:
            ext = per_line * r["n"]
            print(f"{r['n']:>10,} {r['seconds']:>9.1f} {r['n'] / r['seconds']:>10,.0f} {r['peak_mib']:>9,.0f} "
                  f"{ext:>25,.0f} {ext / r['seconds']:>8.0f}x")
        print("\nscaling curve (lines/s; each # is 2% of the best):")
        for r in rows:
            rate = r["n"] / r["seconds"]
            print(f"{r['n']:>10,} | {'#' * round(50 * rate / top):<50} {rate:,.0f}")
        big = [r for r in rows if r["n"] >= TARGET_LINES]
        if big:
            ok = all(r["seconds"] <= TARGET_SECONDS * r["n"] / TARGET_LINES for r in big)
            print(f"\ntarget: {TARGET_LINES:,} lines in <= {TARGET_SECONDS:.0f} s including screening: "
                  f"{'met' if ok else 'NOT met'} ({big[0]['seconds']:.1f} s)")
        if a.spark and any(n == 100_000 for n in sizes):
            src = files[100_000]
            r = _child(["--child", "one", src, str(Path(tmp) / "spark_100000.parquet"), "spark"], env)
            base = next(x for x in rows if x["n"] == 100_000)
            same = r["output_sha256"] == base["output_sha256"]
            if not same:
                import polars as pl

                a = pl.read_parquet(Path(tmp) / "out_100000.parquet")
                b = pl.read_parquet(Path(tmp) / "spark_100000.parquet")
                differ = a.height != b.height or not a.equals(b)
                print(f"outputs differ: rows {a.height} vs {b.height}, frames equal: {not differ}; ruleset "
                      f"{base['ruleset_hash'][:12]} vs {r['ruleset_hash'][:12]} (the rules changed between runs?)")
            print(f"\nspark local[2], 100,000 lines: {r['seconds']:.1f} s (JVM and workers started inside), "
                  f"{r['lines'] / r['seconds']:,.0f} lines/s; output identical to polars: {same}")


if __name__ == "__main__":
    main()
