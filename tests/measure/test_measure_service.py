"""The service on fixed figures (comparison, classification by the real rules, 2026 thresholds from the ruleset) and
the whole pipeline on the real CPU backend (report, audit record, HTML)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from chipcontrol.errors import InvalidInput, UnknownChip
from chipcontrol.measure.results import Measurement, Plan
from chipcontrol.rules.ruleset import Ruleset
from chipcontrol.services import assess, audit
from chipcontrol.services import measure as svc
from chipcontrol.settings import Settings
from chipcontrol.store import open_store

H200 = "NVIDIA H200 SXM 141GB"
SETTINGS = Settings()


def _report(m: Measurement, chip: str | None = None, spec: str | None = None, day: str = "2026-02-01",
            ruleset: Ruleset | None = None, settings: Settings = SETTINGS) -> dict:
    item = assess.resolve_item(chip, spec) if (chip or spec) else None
    return svc.build_report(m, item, dt.date.fromisoformat(day), settings, ruleset)


def test_measured_above_the_catalogue_peak_is_a_red_flag(fixed: Callable[..., Measurement]) -> None:
    m = fixed({"fp16": 1100.0, "bf16": 900.0, "fp8": 1800.0}, 4500.0)
    r = _report(m, H200)
    assert r["comparison"]["verdict"] == "red_flag"
    flagged = [row["figure"] for row in r["comparison"]["rows"] if row["status"] == "above_declared"]
    assert flagged == ["fp16", "tpp"]  # fp16 x 16 = 17600 is also above the declared TPP 15832
    honest = _report(fixed({"fp16": 800.0, "fp8": 1500.0}, 4300.0), H200)
    assert honest["comparison"]["verdict"] == "consistent"
    ratios = {row["figure"]: row["ratio"] for row in honest["comparison"]["rows"]}
    assert ratios["fp16"] == pytest.approx(800.0 / 989.4, abs=1e-4)
    assert ratios["memory_bandwidth"] == pytest.approx(4300.0 / 4800.0, abs=1e-4)


CASES = [  # (name, measured TOPS, memory GB/s): around the 2022/2023/2025 thresholds
    ("tpp exactly 4800", {"fp16": 300.0, "fp8": 600.0}, 2000.0),
    ("h20-like", {"fp16": 148.0, "fp8": 296.0, "int8": 296.0}, 4000.0),
    ("h100-like with tf32", {"fp16": 989.4, "tf32": 494.7, "fp8": 1979.0}, 3350.0),
    ("small", {"fp32": 20.0, "fp16": 80.0}, 300.0),
]


@pytest.mark.parametrize("day", ["2022-12-01", "2023-12-01", "2025-02-01", "2026-02-01"])
@pytest.mark.parametrize(("name", "tops", "bw"), CASES, ids=[c[0] for c in CASES])
def test_a_measured_spec_classifies_exactly_as_a_declared_spec_with_the_same_numbers(
        fixed: Callable[..., Measurement], tmp_path: Path, day: str, name: str, tops: dict[str, float],
        bw: float) -> None:
    spec = tmp_path / "same.json"
    spec.write_text(json.dumps({"name": name, "datacenter": True, "die_area_mm2": 814, "dense_tops": tops,
                                "memory_bandwidth_gbs": bw, "io_bandwidth_gbs": 900}))
    r = _report(fixed(tops, bw), spec=str(spec), day=day)
    measured = {k: v for k, v in r["classification"]["measured"].items() if k not in ("item", "trace")}
    declared = {k: v for k, v in r["classification"]["declared"].items() if k != "item"}
    assert measured == declared
    assert r["classification"]["same_as_declared"] is True
    assert r["comparison"]["verdict"] == "consistent"
    # and the measured trace is the declared spec's trace, step by step
    c = assess.classify_item(assess.resolve_item(None, str(spec)), dt.date.fromisoformat(day), SETTINGS)
    assert [(s["rule_id"], s["answer"]) for s in r["classification"]["measured"]["trace"]] == \
           [(s.rule_id, s.answer) for s in c.trace]


def test_case_by_case_thresholds_come_from_the_ruleset(fixed: Callable[..., Measurement]) -> None:
    m = fixed({"fp16": 900.0, "fp8": 1800.0}, 4500.0)
    rs = Ruleset.load()
    cbc = _report(m, H200, ruleset=rs)["classification"]["case_by_case_2026"]
    ctx = rs.context(dt.date(2026, 2, 1))
    assert cbc["in_force"] is True
    assert cbc["max_tpp"]["value"] == ctx.read(svc.CBC_TPP).value
    assert cbc["max_dram_bandwidth_gbs"]["value"] == ctx.read(svc.CBC_BW).value
    assert cbc["measured"] == {"tpp": 14400.0, "memory_bandwidth_gbs": 4500.0, "tpp_below": True,
                               "bandwidth_below": True, "within_case_by_case": True}
    assert cbc["declared"]["within_case_by_case"] is True  # the H200 is the rule's reference chip
    before = _report(m, H200, day="2025-12-01")["classification"]["case_by_case_2026"]
    assert before["in_force"] is False
    # change the parameter's data, not the code: the answer follows
    path = "ear/part_742/sec_742_6/case_by_case_max_tpp.yaml"
    files = dict(rs.files)
    files[path] = files[path].replace(f"value: {ctx.read(svc.CBC_TPP).value}", "value: 14000")
    changed = _report(m, H200, ruleset=Ruleset(files))["classification"]["case_by_case_2026"]
    assert changed["max_tpp"]["value"] == 14000
    assert changed["measured"]["tpp_below"] is False and changed["declared"]["tpp_below"] is False


def test_bad_input_is_refused_before_any_timing(tmp_path: Path) -> None:
    with pytest.raises(UnknownChip):
        svc.prepare(svc.MeasureRequest(chip="no such chip zz9"))
    with pytest.raises(InvalidInput, match=r"must end in \.html"):
        svc.prepare(svc.MeasureRequest(report_path=str(tmp_path / "r.txt")))
    with pytest.raises(InvalidInput, match="unknown device"):
        svc.prepare(svc.MeasureRequest(device="tpu"))


def test_the_whole_pipeline_on_the_cpu(tiny_plan: Plan, settings_db: Settings, tmp_path: Path) -> None:
    html = tmp_path / "out" / "report.html"
    req = svc.MeasureRequest(device="cpu", chip=H200, as_of=dt.date(2026, 2, 1), report_path=str(html),
                             plan=tiny_plan)
    r = svc.measure(req, settings_db)
    # the hash covers the report without its audit block, and the audit log holds the same hash
    digest = r["audit"]["report_sha256"]
    assert svc.report_sha256(r) == digest
    store = open_store(settings_db.database_url)
    rec = audit.get_record(store, r["audit"]["seq"])
    assert rec["kind"] == "measure"
    assert rec["result"]["report_sha256"] == digest
    assert rec["as_of"] == "2026-02-01" and rec["ruleset_hash"] == r["classification"]["ruleset_hash"]
    assert audit.verify(store).ok
    # a changed figure no longer matches the recorded hash
    tampered = json.loads(json.dumps(r))
    tampered["measured"]["tpp"] *= 2
    assert svc.report_sha256(tampered) != digest
    # a CPU is far below an H200: consistent (below the peak), with a note; unmeasured precisions say why
    assert r["comparison"]["verdict"] == "consistent"
    assert any("far below" in n for n in r["comparison"]["notes"])
    rows = {row["figure"]: row for row in r["comparison"]["rows"]}
    assert rows["fp8"]["status"] == "not_measured" and "NumPy" in rows["fp8"]["note"]
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "<svg" in page and digest in page
    assert "Declared vs measured" in page and "3A090" in page and "21000" in page
