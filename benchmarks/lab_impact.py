"""Benchmark: `lab impact` over the whole catalogue on every month since 2022-10, in-process, one core.

For each example scenario, times (1) building the overlaid ruleset (parse + validate + Ruleset), and (2) the impact
run: every catalogue chip, on 2022-10-07 and the first of every month since, evaluated under the regulations and
under the scenario (classification + licence determination, both sides). The baseline is the same impact run with
the unmodified ruleset on both sides (a fresh ``Ruleset`` built from the same files), so the ratio shows what a
scenario costs over the plain rules; a second baseline evaluates one side only (a plain catalogue sweep).

    .venv/bin/python benchmarks/lab_impact.py [--to CN] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

from chipcontrol.catalog import Catalog
from chipcontrol.lab.impact import evaluate, impact
from chipcontrol.lab.scenario import parse_scenario
from chipcontrol.model.shipment import Shipment
from chipcontrol.rules.ruleset import EARLIEST, Ruleset

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "scenarios"


def months(until: dt.date) -> list[dt.date]:
    days = [EARLIEST]
    y, m = 2022, 11
    while dt.date(y, m, 1) <= until:
        days.append(dt.date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return days


def best(fn: object, repeat: int) -> tuple[float, object]:
    out = None
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--to", default="CN")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    base = Ruleset.load()
    items = [(e.key, e.spec) for e in Catalog.load().all()]
    days = months(dt.date.today())
    ship = Shipment(destination=args.to)
    n = len(items) * len(days)
    print(f"catalogue items: {len(items)}, dates: {len(days)} ({days[0]} .. {days[-1]}), destination {args.to}; "
          f"{n:,} chip-dates, {2 * n:,} determinations per impact run; best of {args.repeat}")

    def sweep() -> int:
        return sum(evaluate(s, base, d, ship).license_required for d in days for _, s in items)

    same = Ruleset(dict(base.files))
    impact(items, base, same, days[0], ship)  # warm-up: imports, caches
    t_sweep, _ = best(sweep, args.repeat)
    t_base, _ = best(lambda: sum(len(impact(items, base, same, d, ship).changes) for d in days), args.repeat)
    print(f"baseline, one side (plain sweep):       {t_sweep:7.3f} s  {n / t_sweep:10,.0f} chip-dates/s")
    print(f"baseline, impact on unmodified rules:    {t_base:7.3f} s  {n / t_base:10,.0f} chip-dates/s")
    for path in sorted(EXAMPLES.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        t_build, rs = best(lambda text=text, path=path: parse_scenario(text, str(path), base).apply(base),
                           args.repeat)
        assert isinstance(rs, Ruleset)
        t_imp, changed = best(lambda rs=rs: sum(len(impact(items, base, rs, d, ship).changes) for d in days),
                              args.repeat)
        print(f"{path.name:32s} build {t_build * 1000:6.1f} ms; impact {t_imp:7.3f} s  {n / t_imp:10,.0f} "
              f"chip-dates/s; ratio vs unmodified {t_imp / t_base:4.2f}x, vs one side {t_imp / t_sweep:4.2f}x; "
              f"{changed:,} chip-date changes")
    t_base2, _ = best(lambda: sum(len(impact(items, base, same, d, ship).changes) for d in days), args.repeat)
    print(f"baseline, impact on unmodified rules, re-run after the scenarios: {t_base2:7.3f} s "
          f"(first run {t_base:.3f} s; timings on a shared machine vary by this much)")


if __name__ == "__main__":
    main()
