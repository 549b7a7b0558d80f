"""Benchmark: the hot path (classify + determine, every fact known) now against a baseline revision, side by side.

Issue 11 asks that the jurisdiction step and the new parts of the EAR do not cost the hot path (within 10 %). Both
sides run the same script body on the same 10,000-shipment mix (every headquarters and exporter given, so no
question is explored) in fresh subprocesses, one after the other, three rounds, best of each; the baseline runs from
a detached git worktree of ``--baseline`` (default: the revision before this round) with this virtualenv.
Also printed, for the current code only: the same mix with facts left unknown (questions explored), and the
classification benchmark's throughput. Not a timed test.

    .venv/bin/python benchmarks/engine_vs_baseline.py [--baseline REV] [--n 10000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BODY = r'''
import datetime as dt, json, random, sys, time
from chipcontrol.catalog import Catalog
from chipcontrol.model.shipment import Shipment
from chipcontrol.rules.ear.eccn_3a090 import classify
from chipcontrol.rules.ear.license import determine
from chipcontrol.rules.ruleset import Ruleset

n, unknown = int(sys.argv[1]), sys.argv[2] == "unknown"
rng = random.Random(7)
rs = Ruleset.load()
# the hot path: items whose published facts are complete (no die area or TPP missing on any rule version)
entries = [e for e in Catalog.load().all()
           if not any(classify(e.spec, rs.context(dt.date.fromisoformat(d))).indeterminate
                      for d in ("2022-10-21", "2023-11-17", "2025-06-01"))]
dests = ["CN"] * 20 + ["MO", "RU", "IR", "VN", "SA", "AE", "IN", "SG", "MY", "TW", "JP", "DE", "GB", "FR", "NL", "KR",
                      "IL", "BR", "MX", "KH", "NI", "CY"] * 2
hqs = ["CN", "US", "DE", "SG", "MO", "IN", "AE", "MY"]
exporters = ["NVIDIA", "AMD", "Dell Technologies", "Supermicro"]
start, span = dt.date(2022, 10, 7), (dt.date(2026, 11, 25) - dt.date(2022, 10, 7)).days
mix = [(rng.randrange(len(entries)), rng.choice(dests), rng.choice(hqs), rng.choice(exporters),
        rng.choice(["enforced"] * 4 + ["as_written"]), start + dt.timedelta(days=rng.randrange(span)))
       for _ in range(n)]
for idx, dest, hq, exp, view, day in mix[:500]:  # the same warm-up for both sides
    ctx = rs.context(day, view)
    determine(entries[idx].spec, classify(entries[idx].spec, ctx), Shipment(destination=dest, end_user_hq=hq,
                                                                            exporter=exp, quantity=1), ctx)
t0 = time.perf_counter()
for idx, dest, hq, exp, view, day in mix:
    ctx = rs.context(day, view)
    spec = entries[idx].spec
    ship = Shipment(destination=dest, end_user_hq=None if unknown else hq, exporter=None if unknown else exp,
                    quantity=None if unknown else 1)
    determine(spec, classify(spec, ctx), ship, ctx)
det = time.perf_counter() - t0
days = [start + dt.timedelta(days=d) for d in range(0, span, max(1, span // 200))]
t0 = time.perf_counter()
count = 0
for day in days:
    ctx = rs.context(day)
    for e in entries:
        classify(e.spec, ctx)
        count += 1
cls = time.perf_counter() - t0
print(json.dumps({"determinations_per_s": n / det, "classifications_per_s": count / cls}))
'''


def _run(src: Path, n: int, mode: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(src / "src")}
    out = subprocess.run([sys.executable, "-c", BODY, str(n), mode], env=env, capture_output=True, text=True,
                         check=True, cwd=src)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", default="0d14ba2")
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    base = Path(f"/tmp/chipcontrol-baseline-{args.baseline}")
    if not base.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(base), args.baseline], cwd=ROOT, check=True,
                       capture_output=True)
    best: dict[str, dict[str, float]] = {"baseline": {}, "current": {}}
    for _ in range(args.rounds):
        for label, src in (("baseline", base), ("current", ROOT)):
            r = _run(src, args.n, "known")
            for k, v in r.items():
                best[label][k] = max(best[label].get(k, 0.0), v)
    unknown = _run(ROOT, args.n, "unknown")
    b, c = best["baseline"], best["current"]
    print(f"hot path, every fact known ({args.n:,} shipments, best of {args.rounds}):")
    for key, label in (("determinations_per_s", "determinations/s"), ("classifications_per_s", "classifications/s")):
        print(f"  {label:18} baseline {args.baseline}: {b[key]:9,.0f}   current: {c[key]:9,.0f}   "
              f"ratio current/baseline {c[key] / b[key]:.2f}")
    print(f"facts left unknown (headquarters, exporter, quantity), current only: "
          f"{unknown['determinations_per_s']:,.0f} determinations/s (questions explored)")


if __name__ == "__main__":
    main()
