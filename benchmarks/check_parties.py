"""Benchmark: whole-transaction checks (five parties, three owners) per second, in-process, warm screener, side by
side with one-party checks of the same shipments.

Every order names an end user, a purchaser, an ultimate consignee and two intermediate consignees (five screened
parties) and three owners of the end user (screened, ownership computed), drawn from a pool of real listed names
(Latin and Chinese script) and made-up unlisted ones. Both runs get the same warm-up: the index is built and each
pool name screened once before timing (the per-process screening cache is part of the product: a real order file
repeats its customers). Each run does what `chipcontrol check --format json` does after parsing: build the shipment
(screening every party and owner), classify, determine (both views where they differ) and assemble the JSON.
Not a timed test.

    .venv/bin/python benchmarks/check_parties.py [--n 5000] [--seed 11]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

from chipcontrol.catalog import Catalog
from chipcontrol.rules.ear.eccn_3a090 import classify
from chipcontrol.rules.ear.license import determine
from chipcontrol.rules.ruleset import Ruleset
from chipcontrol.services import assess
from chipcontrol.services.parties import default_party_screener
from chipcontrol.settings import Settings

LISTED = ["Huawei Technologies Co., Ltd.", "华为技术有限公司", "Huawei International Pte. Ltd.", "Sugon",
          "Inspur Group Co., Ltd.", "Hangzhou Hikvision Digital Technology Co., Ltd.", "中芯国际",
          "SenseTime Group, Inc.",
          "Beijing Sensetime Technology Development Co., Ltd.", "IFLYTEK", "Tianjin Phytium Information Technology"]
CLEAN = [f"Example {w} {s}" for w in ("Robotics", "Cloud", "Trading", "Components", "Research", "Logistics", "Data",
                                      "Systems", "Foods", "Textiles", "Motors", "Optics")
         for s in ("GmbH", "Ltd", "LLC", "Sdn Bhd", "Pte Ltd", "SAS", "BV", "Co., Ltd.", "Inc.", "AB")]
DESTS = ["CN", "MY", "SG", "DE", "IN", "AE", "VN", "JP", "TH", "FR", "BR", "KR"]


def orders(n: int, seed: int) -> list[tuple[str, str, str, list[str], list[str], dt.date]]:
    rng = random.Random(seed)
    rs = Ruleset.load()  # items whose published facts are complete: the cost measured is the parties', not questions
    chips = [e.key for e in Catalog.load().all()
             if e.spec.dense_tops and not classify(e.spec, rs.context(dt.date(2025, 6, 1))).indeterminate][:80]
    pool = CLEAN + LISTED  # distinct names; about one in twelve listed

    out = []
    for _ in range(n):
        names = rng.sample(pool, 8)  # five parties and three owners, all distinct
        owners = [f"{name}={pct}" for name, pct in zip(names[5:], (40, 30, 20), strict=True)]
        out.append((rng.choice(chips), rng.choice(DESTS), rng.choice(["CN", "US", "DE", "MY", "SG"]), names, owners,
                    dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(700))))
    return out


def _one(chip: str, dest: str, hq: str, names: list[str], owners: list[str], five: bool) -> assess.CheckRequest:
    if not five:
        return assess.CheckRequest(destination=dest, end_user=names[0], end_user_hq=hq, exporter="Example Exporter")
    return assess.CheckRequest(destination=dest, end_user=names[0], end_user_hq=hq, exporter="Example Exporter",
                               purchaser=names[1], ultimate_consignee=names[2],
                               intermediate_consignees=tuple(names[3:5]), owners=tuple(owners))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    settings = Settings()
    screen = default_party_screener()
    cat = Catalog.load()
    work = orders(args.n, args.seed)
    items = {c: assess.resolve_item(c, None, cat) for c in {o[0] for o in work}}
    t0 = time.perf_counter()
    for name in set(CLEAN + LISTED):  # warm-up, the same for both runs: index built, each pool name screened once
        for dest in [*DESTS, None]:
            screen(name, dest)
    warm = time.perf_counter() - t0
    rs = Ruleset.load()
    figures: dict[tuple[str, bool], tuple[float, dict[str, int]]] = {}
    for five in (False, True):
        # the engine: parse and screen (build_shipment), classify, determine in the asked view
        t0 = time.perf_counter()
        outcomes: dict[str, int] = {}
        for chip, dest, hq, names, owners, day in work:
            ship, _, _ = assess.build_shipment(_one(chip, dest, hq, names, owners, five), screen)
            ctx = rs.context(day, settings.view)
            spec = items[chip].spec
            d = determine(spec, classify(spec, ctx), ship, ctx)
            outcomes[d.outcome] = outcomes.get(d.outcome, 0) + 1
        figures[("engine", five)] = (args.n / (time.perf_counter() - t0), outcomes)
        # what `check --format json` returns: both views where they differ, the JSON with its trace
        t0 = time.perf_counter()
        outcomes = {}
        for chip, dest, hq, names, owners, day in work:
            j = assess.check_item(items[chip], _one(chip, dest, hq, names, owners, five), day, settings, screen=screen)
            outcomes[j["outcome"]] = outcomes.get(j["outcome"], 0) + 1
        figures[("json", five)] = (args.n / (time.perf_counter() - t0), outcomes)
    print(f"warm-up (index + {len(set(CLEAN + LISTED))} names x {len(DESTS) + 1} countries screened): {warm:.1f} s")
    for layer, label in (("engine", "engine (screen + classify + determine)"),
                         ("json", "check_item (both views, JSON, trace)")):
        one, five = figures[(layer, False)][0], figures[(layer, True)][0]
        print(f"{label}: one party {one:8,.0f} checks/s   five parties + three owners {five:8,.0f} checks/s   "
              f"ratio {five / one:.2f}")
    print(f"outcomes, five parties: {figures[('engine', True)][1]}")
    print("target: >= 5,000 checks/s with five parties and three owners, in-process, warm screener")


if __name__ == "__main__":
    main()
