"""Speed benchmark for restricted-party screening (chipcontrol-name-v1).

    .venv/bin/python benchmarks/screening_speed.py [--queries 10000] [--nk-queries 1000]
    .venv-bench/bin/python benchmarks/screening_speed.py      # adds nomenklatura logic-v2 side by side

Measures: parse time of the bundled lists, index build time, single-query latency p50/p99 and
throughput over N mixed queries (exact listed names, aliases, typos, Chinese characters, pinyin,
person names that are not listed, generic-only names), all against the full bundled index.

nomenklatura has no index of its own (yente uses Elasticsearch), so its side is measured as the
time to score each query against the candidates our blocker proposes for it (up to 10 per query,
excluding our blocking time): a lower bound on what a nomenklatura-based screen would cost.
Targets: p50 <= 1 ms, p99 <= 5 ms, >= 10x nomenklatura's throughput.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from chipcontrol.errors import InvalidInput  # noqa: E402
from chipcontrol.screening import Screener, bundled_snapshots  # noqa: E402
from chipcontrol.screening.matcher import _variants  # noqa: E402
from chipcontrol.screening.text import clean_input  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "name-matching-benchmarks"
CHINESE = ["华为技术有限公司", "北京算能科技有限公司", "浪潮电子信息产业股份有限公司", "海光信息技术股份有限公司",
           "青岛算能科技有限公司", "国防科技大学", "北京科技发展有限公司", "中芯国际集成电路制造有限公司",
           "深圳市大疆创新科技有限公司", "杭州海康威视数字技术股份有限公司"]
GENERIC = ["Beijing Technology Development Co., Ltd.", "Shanghai Electronic Information Technology Co., Ltd.",
           "China International Trading Group", "Moscow Industrial Group LLC", "Technology Co., Ltd."]


def typo(rng: random.Random, s: str) -> str:
    if len(s) < 6:
        return s
    i = rng.randrange(1, len(s) - 2)
    op = rng.randrange(3)
    if op == 0:
        return s[:i] + s[i + 1 :]
    if op == 1:
        return s[:i] + s[i + 1] + s[i] + s[i + 2 :]
    return s[:i] + rng.choice("aeiourstn") + s[i + 1 :]


def mixed_queries(scr: Screener, n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    names = [e.name for e in scr.entries]
    aliases = [a for e in scr.entries for a in e.aliases]
    persons: list[str] = []
    for f in ("negatives_global_1k.csv", "negatives_us_1k.csv", "positives_us_congress_untreated.csv"):
        p = DATA / "yente" / f
        if p.exists():
            with p.open(encoding="utf-8") as fh:
                persons.extend(r["full_name"] for r in csv.DictReader(fh))
    if not persons:
        persons = ["John Smith", "Maria Garcia", "Example Robotics GmbH"]
    out: list[str] = []
    for _ in range(n):
        k = rng.random()
        if k < 0.25:
            out.append(rng.choice(names))
        elif k < 0.40:
            out.append(rng.choice(aliases))
        elif k < 0.60:
            out.append(typo(rng, rng.choice(names)))
        elif k < 0.65:
            out.append(rng.choice(CHINESE))
        elif k < 0.70:
            out.append(rng.choice(GENERIC))
        else:
            out.append(rng.choice(persons))
    return out


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--queries", type=int, default=10_000)
    ap.add_argument("--nk-queries", type=int, default=1_000)
    args = ap.parse_args()

    t0 = time.perf_counter()
    bundled_snapshots.cache_clear()
    snaps = bundled_snapshots()
    t1 = time.perf_counter()
    scr = Screener(snaps)
    t2 = time.perf_counter()
    st = scr.stats()
    print(f"lists: {', '.join(f'{s.list_ids[0]}={len(s)}' for s in snaps)}; names indexed {st['names']}, "
          f"vocabulary {st['vocabulary']}, delete keys {st['delete_keys']}")
    print(f"parse bundled lists: {(t1 - t0) * 1000:.0f} ms; build index: {(t2 - t1) * 1000:.0f} ms; "
          f"total {(t2 - t0) * 1000:.0f} ms")

    queries = mixed_queries(scr, args.queries)
    for q in queries[:200]:  # warm-up (imports, caches of the first calls)
        with contextlib.suppress(InvalidInput):
            scr.screen(q)
    from chipcontrol.screening.text import _classify, analyse

    analyse.cache_clear()  # measure cold normalisation too
    _classify.cache_clear()
    lat: list[float] = []
    hits = 0
    start = time.perf_counter()
    for q in queries:
        a = time.perf_counter()
        try:
            r = scr.screen(q)
            hits += bool(r.hits)
        except InvalidInput:
            pass
        lat.append(time.perf_counter() - a)
    total = time.perf_counter() - start
    qps = len(queries) / total
    print(f"\nchipcontrol-name-v1: {len(queries)} mixed queries in {total:.2f} s -> {qps:,.0f} queries/s; "
          f"{hits} with hits")
    print(f"  latency p50 {pct(lat, 0.50) * 1000:.3f} ms  p90 {pct(lat, 0.90) * 1000:.3f} ms  "
          f"p99 {pct(lat, 0.99) * 1000:.3f} ms  max {max(lat) * 1000:.2f} ms  "
          f"mean {statistics.mean(lat) * 1000:.3f} ms")
    ok50, ok99 = pct(lat, 0.50) <= 0.001, pct(lat, 0.99) <= 0.005
    print(f"  targets: p50 <= 1 ms {'MET' if ok50 else 'MISSED'}; p99 <= 5 ms {'MET' if ok99 else 'MISSED'}")

    try:
        from followthemoney import Dataset, StatementEntity
        from nomenklatura.matching.logic_v2.model import LogicV2
        from nomenklatura.matching.types import ScoringConfig
    except Exception as exc:
        print(f"\n(nomenklatura not importable here: {type(exc).__name__}; run with .venv-bench for the comparison)")
        return
    ds = Dataset.make({"name": "bench", "title": "bench"})
    cfg = ScoringConfig.defaults()
    ents: dict[str, StatementEntity] = {}

    def ent(name: str) -> StatementEntity:
        e = ents.get(name)
        if e is None:
            e = StatementEntity(ds, {"schema": "LegalEntity", "id": f"e{len(ents)}"})
            e.add("name", name)
            ents[name] = e
        return e

    sub = queries[: args.nk_queries]
    work: list[tuple[str, list[str]]] = []
    for q in sub:
        try:
            v = _variants(clean_input(q), scr._df)[0]
        except InvalidInput:
            continue
        cands = [scr._rec_names[rid].text for rid in scr._candidates(v)[:10]]
        work.append((q, cands))
    ncmp = sum(len(c) for _, c in work)
    nk_lat: list[float] = []
    start = time.perf_counter()
    for q, cands in work:
        a = time.perf_counter()
        qe = StatementEntity(ds, {"schema": "LegalEntity", "id": "query"})
        qe.add("name", q)
        for c in cands:
            LogicV2.compare(qe, ent(c), cfg)
        nk_lat.append(time.perf_counter() - a)
    nk_total = time.perf_counter() - start
    nk_qps = len(work) / nk_total
    print(f"\nnomenklatura logic-v2 (scoring only, {len(work)} queries, {ncmp} comparisons, "
          f"<=10 candidates each): {nk_total:.2f} s -> {nk_qps:,.0f} queries/s")
    print(f"  latency p50 {pct(nk_lat, 0.5) * 1000:.3f} ms  p99 {pct(nk_lat, 0.99) * 1000:.3f} ms")
    print(f"  chipcontrol throughput = {qps / nk_qps:.1f}x nomenklatura's (target >= 10x)")


if __name__ == "__main__":
    main()
