"""Accuracy benchmark for the screening name matcher (chipcontrol-name-v2), side by side with
nomenklatura's logic-v2 when nomenklatura is importable (install it only in a benchmark venv).

    .venv-bench/bin/python benchmarks/screening_accuracy.py [--data DIR]

Sets (all from ../shared/data/name-matching-benchmarks unless --data points elsewhere):
  A. nomenklatura name_bench_cases.csv: 826 labelled pairs; each engine scores each pair.
  B. yente UN positives: perturbed ("treated") name vs its clean form, plus hard negatives: each query
     (treated UN names; yente's global + US synthetic negatives; US Congress names, none UN-listed) is
     paired with the 10 UN names that a neutral blocker (rapidfuzz token_set_ratio) ranks highest, and
     with its true target for positives. Pair label = candidate is the query's true target.
  C. Chinese companies (our own set, from Entity List aliases): pinyin/Chinese-character query vs the
     listed English name. Pairwise for both engines; plus our end-to-end index recall@3.
  D. End-to-end: our Screener over the 683 clean UN names, queried with the treated names (recall)
     and all negatives (false-alarm rate).

Thresholds: ours DEFAULT_THRESHOLD (0.80); nomenklatura logic-v2 0.70 (its frozen-run threshold).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from rapidfuzz import fuzz, process  # noqa: E402

from chipcontrol.errors import InvalidInput  # noqa: E402
from chipcontrol.screening import ALGORITHM, DEFAULT_THRESHOLD, ListEntry, ListSnapshot, Screener, compare_names  # noqa: E402

NK_THRESHOLD = 0.70
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "name-matching-benchmarks"

# (query, listed English name) -- pinyin and Chinese-character forms of Entity List parties.
CHINESE_SET: list[tuple[str, str]] = [
    ("Langchao Beijing Electronic Information", "Inspur (Beijing) Electronic Information Industry Co., Ltd."),
    ("Beijing Suanneng Technology Co., Ltd.", "Sophgo Technologies Ltd."),
    ("Qingdao Suanneng", "Qingdao Sophgo Technology Co., Ltd."),
    ("Wuxi Sophgo", "Wuxi Suanneng Technology Co., Ltd."),
    ("Haiguang Xinxi Jishu Youxian Gongsi", "Higon"),
    ("Beijing Nuodian Keji Youxian Gongsi", "PRC Lode Technology Company"),
    ("Nanjing Chunhui Keji Shiye Youxian Gongsi", "Nanjing Chunhui Technology Industry Co., Ltd."),
    ("Xi'an Xiangxun Keji Youxian Zeren Gongsi", "Xi'an Xiangxun Technology Co., Ltd."),
    ("Hunan Guofang Keji University", "National University of Defense Technology (NUDT)"),
    ("华为技术有限公司", "Huawei Technologies Co., Ltd."),
    ("華為技術有限公司", "Huawei Technologies Co., Ltd."),
    ("北京算能科技有限公司", "Sophgo Technologies Ltd."),
    ("青岛算能科技有限公司", "Qingdao Sophgo Technology Co., Ltd."),
    ("厦门算能科技有限公司", "Xiamen Sophgo Technologies Limited"),
    ("海光信息技术股份有限公司", "Higon"),
    ("成都海光微电子技术有限公司", "Chengdu Haiguang Microelectronics Technology"),
    ("西安翔迅科技有限责任公司", "Xi'an Xiangxun Technology Co., Ltd."),
    ("南京春辉科技实业有限公司", "Nanjing Chunhui Technology Industry Co., Ltd."),
    ("新疆联海创智信息科技有限公司", "Xinjiang Lianhai Chuangzhi Information Technology Co., Ltd."),
    ("国防科技大学", "National University of Defense Technology (NUDT)"),
    ("浪潮电子信息产业股份有限公司", "Inspur (Beijing) Electronic Information Industry Co., Ltd."),
    ("Huawai Technologies", "Huawei Technologies Co., Ltd."),
    ("Hikvison Digital Technology", "Hangzhou Hikvision Digital Technology Co., Ltd."),
]
# generic-only company names that must not match listed names sharing their words
CHINESE_NEGATIVES: list[tuple[str, str]] = [
    ("Beijing Technology Development Co., Ltd.", "Beijing Institute of Technology"),
    ("Shanghai Electronic Information Technology Co., Ltd.", "Shanghai Aviation Electronic Co., Ltd."),
    ("北京科技发展有限公司", "Beijing Sophgo Technology Development Co., Ltd."),
    ("Shenzhen Semiconductor Research Institute", "Hebei Semiconductor Research Institute"),
    ("China International Trading Group", "China Electronics Technology Group Corporation"),
    ("Huawei Technologies Co., Ltd.", "ZTE Technologies Co., Ltd."),
    ("Langchao Beijing Electronic Information", "Beijing Electronic Information Industry Co., Ltd."),
]


# --- engines -------------------------------------------------------------------------------------

def ours(a: str, b: str) -> float:
    try:
        return compare_names(a, b)
    except InvalidInput:
        return 0.0


def load_nomenklatura() -> Callable[[str, str, str], float] | None:
    try:
        from followthemoney import Dataset, StatementEntity
        from nomenklatura.matching.logic_v2.model import LogicV2
        from nomenklatura.matching.types import ScoringConfig
    except Exception as exc:  # not installed in this venv
        print(f"(nomenklatura not importable: {type(exc).__name__}: {exc})")
        return None
    ds = Dataset.make({"name": "bench", "title": "bench"})
    cfg = ScoringConfig.defaults()
    counter = [0]

    def ent(schema: str, name: str) -> StatementEntity:
        counter[0] += 1
        e = StatementEntity(ds, {"schema": schema, "id": f"e{counter[0]}"})
        e.add("name", name)
        return e

    def nk(a: str, b: str, schema: str = "LegalEntity") -> float:
        try:
            return float(LogicV2.compare(ent(schema, a), ent(schema, b), cfg).score)
        except Exception:
            return 0.0

    return nk


# --- metrics -------------------------------------------------------------------------------------

def prf(preds: Iterable[tuple[bool, bool]]) -> dict[str, float]:
    tp = fp = fn = tn = 0
    for pred, truth in preds:
        if pred and truth:
            tp += 1
        elif pred:
            fp += 1
        elif truth:
            fn += 1
        else:
            tn += 1
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"n": tp + fp + fn + tn, "tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": p, "recall": r, "f1": f}


def row(label: str, m: dict[str, float]) -> str:
    return (f"  {label:<34} n={m['n']:<5.0f} P={m['precision']:.3f} R={m['recall']:.3f} F1={m['f1']:.3f}"
            f"  (tp {m['tp']:.0f} fp {m['fp']:.0f} fn {m['fn']:.0f} tn {m['tn']:.0f})")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = ap.parse_args()
    data: Path = args.data
    nk = load_nomenklatura()
    engines: dict[str, tuple[Callable[[str, str, str], float], float]] = {
        ALGORITHM: (lambda a, b, s: ours(a, b), DEFAULT_THRESHOLD)}
    if nk is not None:
        engines["nomenklatura logic-v2"] = (nk, NK_THRESHOLD)

    # A. nomenklatura pairs
    cases = read_csv(data / "nomenklatura" / "name_bench_cases.csv")
    print(f"\nA. nomenklatura name_bench_cases.csv ({len(cases)} labelled pairs)")
    for label, (fn, thr) in engines.items():
        t0 = time.perf_counter()
        scored = [(fn(c["name1"], c["name2"], c["schema"]) >= thr, c["is_match"] == "true", c["schema"])
                  for c in cases]
        dt = time.perf_counter() - t0
        print(f" {label} (threshold {thr}, {dt:.1f}s)")
        print(row("all", prf((p, t) for p, t, _ in scored)))
        print(row("companies/orgs (Company, Org, LE)",
                  prf((p, t) for p, t, s in scored if s in ("Company", "Organization", "LegalEntity"))))
        print(row("persons", prf((p, t) for p, t, s in scored if s == "Person")))

    # B. yente pairs with neutral blocking
    clean = [r["full_name"] for r in read_csv(data / "yente" / "positives_un_untreated.csv")]
    treated = [r["full_name"] for r in read_csv(data / "yente" / "positives_un_treated.csv")]
    negatives = [r["full_name"] for f in ("negatives_global_1k.csv", "negatives_us_1k.csv",
                                          "positives_us_congress_untreated.csv")
                 for r in read_csv(data / "yente" / f)]
    queries: list[tuple[str, int | None]] = [(q, i) for i, q in enumerate(treated)] + [(q, None) for q in negatives]
    pairs: list[tuple[str, str, bool]] = []
    for q, target in queries:
        cands = {i for _, _, i in process.extract(q, clean, scorer=fuzz.token_set_ratio, limit=10)}
        if target is not None:
            cands.add(target)
        pairs.extend((q, clean[i], i == target) for i in sorted(cands))
    print(f"\nB. yente UN positives/negatives: {len(queries)} queries -> {len(pairs)} candidate pairs "
          f"({sum(1 for p in pairs if p[2])} true)")
    for label, (fn, thr) in engines.items():
        t0 = time.perf_counter()
        res = [(fn(a, b, "Person") >= thr, truth) for a, b, truth in pairs]
        dt = time.perf_counter() - t0
        print(row(f"{label} ({dt:.1f}s)", prf(res)))

    # C. Chinese companies: query vs every name (primary + aliases) of the listed entry, best score
    from chipcontrol.screening import SnapshotStore

    scr = SnapshotStore.bundled().screener()
    names_of: dict[str, tuple[str, ...]] = {}
    for e in scr.entries:
        names_of.setdefault(e.name, e.names())
    cn_pairs = [(a, b, True) for a, b in CHINESE_SET] + [(a, b, False) for a, b in CHINESE_NEGATIVES]
    print(f"\nC. Chinese company names ({len(CHINESE_SET)} true, {len(CHINESE_NEGATIVES)} false pairs; "
          "query vs all names of the listed entry)")
    for label, (fn, thr) in engines.items():
        res = [(max(fn(a, n, "Company") for n in names_of.get(b, (b,))) >= thr, t) for a, b, t in cn_pairs]
        print(row(label, prf(res)))
    found = sum(1 for q, listed in CHINESE_SET if listed in [h.entry.name for h in scr.screen(q).hits[:3]])
    print(f"  chipcontrol end-to-end over bundled lists: recall@3 {found}/{len(CHINESE_SET)}")

    # D. End-to-end screening over the UN names
    snap = ListSnapshot("yente UN", "bench", ("un",), None, None, "0" * 64,
                        tuple(ListEntry(f"un:{i}", "un", n) for i, n in enumerate(clean)))
    un = Screener([snap])
    hit = sum(1 for i, q in enumerate(treated) if any(h.entry.entry_id == f"un:{i}" for h in un.screen(q).hits))
    top1 = sum(1 for i, q in enumerate(treated)
               if (r := un.screen(q).hits) and r[0].entry.entry_id == f"un:{i}")
    alarms = 0
    for q in negatives:
        with contextlib.suppress(InvalidInput):
            alarms += bool(un.screen(q).hits)
    print("\nD. chipcontrol end-to-end (index over 683 UN names)")
    print(f"  treated positives found: {hit}/{len(treated)} ({hit / len(treated):.3f}); top-1 {top1}/{len(treated)}")
    print(f"  negatives with any hit:  {alarms}/{len(negatives)} ({alarms / len(negatives):.3f})")


if __name__ == "__main__":
    main()
