"""Benchmark: full determinations (classify + licence check) per second over a realistic mix of 10,000 shipments.

In-process, one core. The baseline, run side by side, is the same mix through the service path the CLI uses
(`services.assess.check_item`: input validation, JSON assembly, both views where they diverge), so the ratio shows
the cost of the adapters around the pure rules. Not a timed test.

    .venv/bin/python benchmarks/check_mix.py [--n 10000] [--seed 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

from chipcontrol.catalog import Catalog
from chipcontrol.model.shipment import Shipment
from chipcontrol.rules.ear.eccn_3a090 import classify
from chipcontrol.rules.ear.license import determine
from chipcontrol.rules.ruleset import Ruleset
from chipcontrol.services import assess
from chipcontrol.settings import Settings

DESTS = ["CN"] * 20 + ["MO", "HK", "RU", "IR", "VN", "SA", "AE", "IN", "SG", "MY", "TW", "JP", "DE", "GB", "FR",
                       "NL", "KR", "IL", "BR", "MX", "KH", "NI", "CY", "US"] * 2
HQS = [None] * 8 + ["CN", "US", "DE", "SG", "MO"]
EXPORTERS = [None] * 4 + ["NVIDIA", "AMD", "Dell Technologies", "Supermicro"]


def make_mix(n: int, seed: int) -> list[tuple[int, str, str | None, str | None, str, dt.date]]:
    rng = random.Random(seed)
    entries = Catalog.load().all()
    start = dt.date(2022, 10, 7)
    span = (dt.date(2026, 11, 25) - start).days
    out = []
    for _ in range(n):
        out.append((rng.randrange(len(entries)), rng.choice(DESTS), rng.choice(HQS), rng.choice(EXPORTERS),
                    rng.choice(["enforced"] * 4 + ["as_written"]), start + dt.timedelta(days=rng.randrange(span))))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rs = Ruleset.load()
    entries = Catalog.load().all()
    mix = make_mix(args.n, args.seed)

    t0 = time.perf_counter()
    required = 0
    for idx, dest, hq, exporter, view, day in mix:
        spec = entries[idx].spec
        ctx = rs.context(day, view)
        ship = Shipment(destination="CN" if dest == "HK" else dest, end_user_hq=hq, exporter=exporter)
        if determine(spec, classify(spec, ctx), ship, ctx).license_required:
            required += 1
    engine = time.perf_counter() - t0

    sample = mix[: max(1, args.n // 5)]
    t0 = time.perf_counter()
    for idx, dest, hq, exporter, view, day in sample:
        item = assess.Item(entries[idx].spec, entries[idx])
        req = assess.CheckRequest(destination=dest, end_user_hq=hq, exporter=exporter)
        assess.check_item(item, req, day, Settings(view=view), ruleset=rs)
    service = (time.perf_counter() - t0) * len(mix) / len(sample)

    print(f"shipments: {len(mix):,} ({required:,} need a licence)")
    print(f"rules (classify + determine): {engine:6.2f} s  {len(mix) / engine:10,.0f} determinations/s")
    print(f"baseline, service path:       {service:6.2f} s  {len(mix) / service:10,.0f} determinations/s "
          f"(extrapolated from {len(sample):,})")
    print(f"ratio: {service / engine:.1f}x   target: >= 20,000 determinations/s in-process on one core")


if __name__ == "__main__":
    main()
