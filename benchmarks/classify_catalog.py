"""Benchmark: classify the whole catalogue on 1,000 dates, in-process, one core.

Prints classifications per second for the engine, next to a baseline run side by side in the same process:
the same work with the per-date context cache disabled (every call rebuilds the day's parameter view), so the
ratio shows what the dated-parameter design buys. Not a timed test.

    .venv/bin/python benchmarks/classify_catalog.py [--dates 1000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from chipcontrol.catalog import Catalog
from chipcontrol.rules.ear.eccn_3a090 import classify
from chipcontrol.rules.ruleset import Ruleset


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dates", type=int, default=1000)
    args = ap.parse_args()
    rs = Ruleset.load()
    specs = [e.spec for e in Catalog.load().all()]
    start, end = dt.date(2022, 10, 7), dt.date(2026, 11, 25)
    span = (end - start).days
    days = [start + dt.timedelta(days=round(i * span / (args.dates - 1))) for i in range(args.dates)]
    n = len(specs) * len(days)

    t0 = time.perf_counter()
    controlled = 0
    for day in days:
        ctx = rs.context(day)
        for s in specs:
            if classify(s, ctx).paragraph is not None:
                controlled += 1
    engine = time.perf_counter() - t0

    sample = days[:: max(1, len(days) // 50)]
    t0 = time.perf_counter()
    for day in sample:
        for s in specs:
            rs._contexts.clear()  # baseline: rebuild the dated view for every call
            classify(s, rs.context(day))
    baseline = (time.perf_counter() - t0) * len(days) / len(sample)

    print(f"catalogue items: {len(specs)}, dates: {len(days)}, classifications: {n:,}")
    print(f"engine:   {engine:8.2f} s  {n / engine:12,.0f} classifications/s  ({controlled:,} controlled)")
    print(f"baseline: {baseline:8.2f} s  {n / baseline:12,.0f} classifications/s  (no context cache, extrapolated "
          f"from {len(sample)} dates)")
    print(f"ratio engine/baseline: {baseline / engine:.1f}x   target: >= 50,000 classifications/s on one core")


if __name__ == "__main__":
    main()
