"""The design envelope: historical checks, the limits sit exactly on the rules, and monotonicity."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chipcontrol.catalog import Catalog
from chipcontrol.lab.envelope import (
    Envelope,
    _Probe,
    envelope,
    scale_throughput,
    set_area,
    set_interconnect,
    set_memory,
)
from chipcontrol.lab.scenario import parse_scenario
from chipcontrol.model.shipment import Shipment
from chipcontrol.model.spec import ChipSpec
from chipcontrol.rules.ruleset import Ruleset


def spec(name: str) -> ChipSpec:
    return Catalog.load().lookup(name).spec


def env(name: str, day: str, dest: str = "CN", exporter: str | None = None, policy: str = "none",
        rs: Ruleset | None = None, keep: str = "auto") -> Envelope:
    return envelope(spec(name), rs or Ruleset.load(), dt.date.fromisoformat(day),
                    Shipment(destination=dest, exporter=exporter), policy, keep=keep)


# ------------------------------------------------------------------------------------------------ history
def test_h100_envelope_for_china_2024_admits_the_h20() -> None:
    e = env("NVIDIA H100 SXM5 80GB", "2024-06-01")
    ok, lines = e.admits(spec("NVIDIA H20 (HGX)"))
    assert ok, lines
    thr = e.limit("throughput")
    assert thr.tpp_at_limit is not None and 2399 < thr.tpp_at_limit < 2400
    assert "ear.ccl.eccn_3a090.b.1" in thr.binding  # TPP 2400 with PD >= 1.6 binds
    assert e.limit("memory_bandwidth_gbs").unbounded and e.limit("interconnect_bandwidth_gbs").unbounded
    area = e.limit("die_area_mm2")
    assert area.limit is not None and 749.9 < area.limit < 750.01 and "eccn_3a090.b.2" in area.binding
    assert e.limit("rate:fp16").limit == pytest.approx(150, rel=1e-5)


def test_rtx_4090_envelope_for_china_2024_admits_the_4090_d() -> None:
    e = env("NVIDIA GeForce RTX 4090", "2024-06-01")
    ok, lines = e.admits(spec("NVIDIA GeForce RTX 4090 D"))
    assert ok, lines
    thr = e.limit("throughput")
    assert thr.tpp_at_limit is not None and 4799 < thr.tpp_at_limit < 4800
    assert "ear.ccl.eccn_3a090.a.1" in thr.binding
    assert e.limit("die_area_mm2").unbounded  # non-datacenter: density does not matter (Note 2)
    assert not e.admits(spec("NVIDIA GeForce RTX 4090"))[0]


def test_2022_io_test_envelopes_admit_the_a800_and_h800() -> None:
    a100 = env("NVIDIA A100 SXM4 80GB", "2023-01-01")
    assert a100.design_kind == "throughput" and a100.limit("throughput").unbounded
    ic = a100.limit("interconnect_bandwidth_gbs")
    assert ic.limit is not None and 535.9 < ic.limit < 536  # 600 GB/s minus 64 GB/s PCIe
    assert "a_2022.io" in ic.binding
    assert a100.admits(spec("NVIDIA A800 SXM4 80GB"))[0]
    assert env("NVIDIA H100 SXM5 80GB", "2023-01-01").admits(spec("NVIDIA H800 SXM5"))[0]


def test_the_h20_letter_closes_the_envelope_for_nvidia_only() -> None:
    nv = env("NVIDIA H100 SXM5 80GB", "2025-04-20", exporter="NVIDIA")
    ok, lines = nv.admits(spec("NVIDIA H20 (HGX)"))
    assert not ok and any("memory bandwidth 4000: OUTSIDE" in x for x in lines)
    assert "nvidia-2025-04-09-h20" in nv.limit("memory_bandwidth_gbs").binding
    assert "nvidia-2025-04-09-h20" in nv.limit("interconnect_bandwidth_gbs").binding
    other = env("NVIDIA H100 SXM5 80GB", "2025-04-20", exporter="Example Corp")
    assert other.admits(spec("NVIDIA H20 (HGX)"))[0]


def test_case_by_case_policy_2026() -> None:
    e = env("NVIDIA H200 SXM 141GB", "2026-02-01", policy="case_by_case")
    assert e.base_status.review_policy == "case_by_case" and e.shrink == 1.0
    assert e.limit("throughput").tpp_at_limit == pytest.approx(21000, rel=1e-5)
    assert e.limit("memory_bandwidth_gbs").limit == pytest.approx(6500, rel=1e-5)
    assert "ear.742.6.b.10.cbc" in e.limit("memory_bandwidth_gbs").binding
    assert not e.admits(spec("NVIDIA B200 (HGX, per GPU)"))[0]


def test_embargoed_destination_is_infeasible() -> None:
    e = env("NVIDIA H100 SXM5 80GB", "2024-06-01", dest="CU")
    assert not e.feasible and "746" in e.infeasible_reason and not e.admits(spec("NVIDIA H20 (HGX)"))[0]


def test_a_tighter_scenario_shrinks_the_envelope(base: Ruleset) -> None:
    text = ('scenario: t\nparameters:\n  - name: ear.part_774.eccn_3a090.a1_tpp\n    effective: "2025-06-01"\n'
            '    value: 4000\n')
    rs = parse_scenario(text, "t.yaml", base).apply(base)
    before = env("NVIDIA GeForce RTX 4090", "2025-07-01").limit("throughput").tpp_at_limit
    after = env("NVIDIA GeForce RTX 4090", "2025-07-01", rs=rs).limit("throughput").tpp_at_limit
    assert before is not None and after is not None
    assert after == pytest.approx(4000, rel=1e-5) and before == pytest.approx(4800, rel=1e-5)


# ------------------------------------------------------------------------------------------------ the limits are exact
@pytest.mark.parametrize(("name", "day", "exporter"), [
    ("NVIDIA H100 SXM5 80GB", "2024-06-01", None), ("NVIDIA GeForce RTX 4090", "2024-06-01", None),
    ("NVIDIA H100 SXM5 80GB", "2025-04-20", "NVIDIA"), ("NVIDIA A100 SXM4 80GB", "2023-01-01", None),
    ("NVIDIA L40S", "2025-01-01", None),
])
def test_design_point_passes_and_each_limit_sits_on_a_rule(name: str, day: str, exporter: str | None) -> None:
    e = env(name, day, exporter=exporter)
    rs = Ruleset.load()
    probe = _Probe(rs, dt.date.fromisoformat(day), Shipment(destination="CN", exporter=exporter), "none",
                   "enforced", "exclude")
    assert probe.run(e.design)[0]
    base = spec(name)
    setters = {
        "throughput": lambda v: scale_throughput(e.design, base, v),
        "memory_bandwidth_gbs": lambda v: set_memory(e.design, v),
        "interconnect_bandwidth_gbs": lambda v: set_interconnect(e.design, base, v),
        "die_area_mm2": lambda v: set_area(e.design, v),
    }
    for lim in e.limits:
        if lim.dimension not in setters or lim.limit is None or lim.first_failing is None:
            continue
        make = setters[lim.dimension]
        assert probe.run(make(lim.limit))[0], lim
        assert not probe.run(make(lim.first_failing))[0], lim
        assert abs(lim.first_failing - lim.limit) <= 1e-6 * max(1.0, abs(lim.limit))
        assert lim.binding


# ------------------------------------------------------------------------------------------------ monotonicity
DATES = [dt.date(2023, 1, 1), dt.date(2024, 6, 1), dt.date(2025, 4, 20), dt.date(2025, 7, 1),
         dt.date(2026, 2, 1)]
DESTS = ["CN", "MO", "AE", "DE", "VN"]

chips = st.builds(
    lambda dc, tpp, area, mem, ic: ChipSpec(name="X", datacenter=dc, dense_tops={"fp16": tpp / 16},
                                           die_area_mm2=area, memory_bandwidth_gbs=mem,
                                           interconnect_bandwidth_gbs=ic, io_bandwidth_gbs=ic + 64),
    st.booleans(), st.floats(100, 40000), st.floats(100, 1500), st.floats(100, 9000), st.floats(0, 1800))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chip=chips, day=st.sampled_from(DATES), dest=st.sampled_from(DESTS),
       exporter=st.sampled_from([None, "NVIDIA"]), policy=st.sampled_from(["none", "case_by_case"]),
       k=st.floats(1.0, 4.0))
def test_more_is_never_less_controlled(chip: ChipSpec, day: dt.date, dest: str, exporter: str | None, policy: str,
                                       k: float) -> None:
    """If a chip passes, every chip that is no more capable passes: less throughput, less bandwidth, a larger die."""
    probe = _Probe(Ruleset.load(), day, Shipment(destination=dest, exporter=exporter), policy, "enforced", "exclude")
    bigger = [
        scale_throughput(chip, chip, k),
        set_memory(chip, (chip.memory_bandwidth_gbs or 0) * k),
        set_interconnect(chip, chip, (chip.interconnect_bandwidth_gbs or 0) * k),
        set_area(chip, (chip.die_area_mm2 or 1) / k),
        replace(scale_throughput(chip, chip, k), memory_bandwidth_gbs=(chip.memory_bandwidth_gbs or 0) * k),
    ]
    for more in bigger:
        if probe.run(more)[0]:
            assert probe.run(chip)[0], (chip, more)


def test_envelope_grows_with_a_more_permissive_policy() -> None:
    strict = env("NVIDIA H200 SXM 141GB", "2026-02-01", policy="none").limit("throughput").tpp_at_limit
    loose = env("NVIDIA H200 SXM 141GB", "2026-02-01", policy="case_by_case").limit("throughput").tpp_at_limit
    assert strict is not None and loose is not None and strict < loose
