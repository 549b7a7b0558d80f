"""Speed benchmark for restricted-party screening (chipcontrol-name-v2).

    .venv/bin/python benchmarks/screening_speed.py [--queries 10000] [--nk-queries 1000]
    .venv-bench/bin/python benchmarks/screening_speed.py      # adds nomenklatura logic-v2 side by side

Measures: parse time of the bundled lists, index build time, single-query latency p50/p99 and
throughput over N mixed queries (exact listed names, aliases, typos, Chinese characters, pinyin,
person names that are not listed, generic-only names), all against the full bundled index.

nomenklatura has no index of its own (yente uses Elasticsearch), so both engines are compared on the
same query subset and the same candidates (up to 10 per query from our blocker), after the same
warm-up (the first 200 queries through each engine): "scoring only" (our alignment vs logic-v2's
compare; a fresh entity id per query, because logic-v2 caches by entity id) and "yente-like" (our
blocking time + logic-v2 scoring; an Elasticsearch round trip would come on top).
Targets: p50 <= 1 ms, p99 <= 5 ms over all bundled lists; index build <= 2 s.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from chipcontrol.errors import InvalidInput  # noqa: E402
from chipcontrol.screening import Screener, bundled_snapshots  # noqa: E402
from chipcontrol.screening.matcher import _align, _variants  # noqa: E402
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
          f"total {(t2 - t0) * 1000:.0f} ms (target: build <= 2 s {'MET' if t2 - t1 <= 2.0 else 'MISSED'})")

    queries = mixed_queries(scr, args.queries)
    for q in queries[:200]:  # warm-up (imports, caches of the first calls)
        with contextlib.suppress(InvalidInput):
            scr.screen(q)
    from chipcontrol.screening.text import _classify, analyse

    analyse.cache_clear()  # measure cold normalisation too
    _classify.cache_clear()
    lat: list[float] = []
    cpu: list[float] = []  # this thread's CPU time: what other processes on a shared machine do not inflate
    hits = 0
    start = time.perf_counter()
    for q in queries:
        a, c = time.perf_counter(), time.thread_time()
        try:
            r = scr.screen(q)
            hits += bool(r.hits)
        except InvalidInput:
            pass
        lat.append(time.perf_counter() - a)
        cpu.append(time.thread_time() - c)
    total = time.perf_counter() - start
    qps = len(queries) / total
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nchipcontrol-name-v2 end-to-end: {len(queries)} mixed queries in {total:.2f} s -> {qps:,.0f} queries/s; "
          f"{hits} with hits (load average {load:.1f} on {os.cpu_count()} CPUs)")
    print(f"  wall latency p50 {pct(lat, 0.50) * 1000:.3f} ms  p90 {pct(lat, 0.90) * 1000:.3f} ms  "
          f"p99 {pct(lat, 0.99) * 1000:.3f} ms  max {max(lat) * 1000:.2f} ms  "
          f"mean {statistics.mean(lat) * 1000:.3f} ms")
    print(f"  CPU latency  p50 {pct(cpu, 0.50) * 1000:.3f} ms  p90 {pct(cpu, 0.90) * 1000:.3f} ms  "
          f"p99 {pct(cpu, 0.99) * 1000:.3f} ms  (this thread's CPU time)")
    ok50, ok99 = pct(lat, 0.50) <= 0.001, pct(lat, 0.99) <= 0.005
    print(f"  targets (wall): p50 <= 1 ms {'MET' if ok50 else 'MISSED'}; p99 <= 5 ms {'MET' if ok99 else 'MISSED'}")

    # --- side by side on one query subset: scoring only, and yente-like (blocking + scoring) ------------
    sub: list[tuple[str, list[int], float]] = []  # query, our candidate record ids, our blocking time
    for q in queries[: args.nk_queries]:
        try:
            v = _variants(clean_input(q), scr._df)[0]
        except InvalidInput:
            continue
        a = time.perf_counter()
        rids = scr._candidates(v)[:10]
        sub.append((q, rids, time.perf_counter() - a))
    ncmp = sum(len(r) for _, r, _ in sub)
    block = [b for _, _, b in sub]

    # ours, scoring only: the same <= 10 candidates per query, our alignment only (query analysis not cached)
    analyse.cache_clear()
    _classify.cache_clear()
    ours_score: list[float] = []
    for q, rids, _ in sub:
        a = time.perf_counter()
        for v in _variants(clean_input(q), scr._df):
            for rid in rids:
                _align(v, scr._rec_names[rid])
        ours_score.append(time.perf_counter() - a)
    print(f"\nside by side on {len(sub)} of the queries ({ncmp} candidate pairs, <= 10 per query from our blocker):")
    print(f"  blocking (our index)             p50 {pct(block, 0.5) * 1000:.3f} ms  "
          f"p99 {pct(block, 0.99) * 1000:.3f} ms")
    print(f"  chipcontrol scoring only         p50 {pct(ours_score, 0.5) * 1000:.3f} ms  "
          f"p99 {pct(ours_score, 0.99) * 1000:.3f} ms  {len(sub) / sum(ours_score):,.0f} queries/s")

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
    counter = [0]

    def listed(name: str) -> StatementEntity:
        """A listed entity: one stable id per listed name (as in a yente index)."""
        e = ents.get(name)
        if e is None:
            e = StatementEntity(ds, {"schema": "LegalEntity", "id": f"listed-{len(ents)}"})
            e.add("name", name)
            ents[name] = e
        return e

    def query_entity(name: str) -> StatementEntity:
        """A fresh id for every query: logic-v2 caches per entity id, so a reused id would score the
        first query's name every time."""
        counter[0] += 1
        e = StatementEntity(ds, {"schema": "LegalEntity", "id": f"query-{counter[0]}"})
        e.add("name", name)
        return e

    # the same warm-up for nomenklatura as for ours (imports, caches of the first calls), outside the timing
    for q in queries[:200]:
        try:
            v = _variants(clean_input(q), scr._df)[0]
        except InvalidInput:
            continue
        qe = query_entity(q)
        for rid in scr._candidates(v)[:10]:
            LogicV2.compare(qe, listed(scr._rec_names[rid].text), cfg)
    nk_score: list[float] = []
    for q, rids, _ in sub:
        cands = [listed(scr._rec_names[rid].text) for rid in rids]  # built outside the timing
        a = time.perf_counter()
        qe = query_entity(q)
        for c in cands:
            LogicV2.compare(qe, c, cfg)
        nk_score.append(time.perf_counter() - a)
    yente_like = [b + s_ for b, s_ in zip(block, nk_score, strict=True)]
    nk_qps = len(sub) / sum(nk_score)
    yl_qps = len(sub) / sum(yente_like)
    print(f"  nomenklatura logic-v2 scoring    p50 {pct(nk_score, 0.5) * 1000:.3f} ms  "
          f"p99 {pct(nk_score, 0.99) * 1000:.3f} ms  {nk_qps:,.0f} queries/s")
    print(f"  yente-like (our blocking + logic-v2 scoring; no Elasticsearch round trip counted)"
          f"\n                                   p50 {pct(yente_like, 0.5) * 1000:.3f} ms  "
          f"p99 {pct(yente_like, 0.99) * 1000:.3f} ms  {yl_qps:,.0f} queries/s")
    print(f"  chipcontrol end-to-end vs yente-like: {qps / yl_qps:.1f}x the throughput; "
          f"scoring only: {(len(sub) / sum(ours_score)) / nk_qps:.1f}x")


if __name__ == "__main__":
    main()
