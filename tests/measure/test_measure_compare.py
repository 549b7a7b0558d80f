"""The comparison logic on fixed inputs: the red-flag rule, its tolerance, the spec the measured figures describe."""

from __future__ import annotations

import pytest

from chipcontrol.measure import compare as cmp
from chipcontrol.model.spec import ChipSpec

DECLARED = {"fp16": 989.4, "fp8": 1979.0, "fp64": 67.0}


def _row(c: cmp.Comparison, figure: str) -> cmp.Row:
    return next(r for r in c.rows if r.figure == figure)


def test_measured_above_declared_peak_is_a_red_flag() -> None:
    c = cmp.compare({"fp16": 1100.0, "fp8": 1700.0}, 4000.0, DECLARED, 4800.0)
    assert c.verdict == cmp.RED_FLAG
    assert _row(c, "fp16").status == "above_declared"
    assert _row(c, "fp8").status == cmp.CONSISTENT
    assert len(c.red_flags) == 1 and c.red_flags[0].startswith("fp16:")
    assert "above the declared peak" in c.red_flags[0]


def test_bandwidth_above_declared_is_a_red_flag() -> None:
    c = cmp.compare({"fp16": 700.0}, 5200.0, DECLARED, 4800.0)
    assert c.verdict == cmp.RED_FLAG
    assert _row(c, "memory_bandwidth").status == "above_declared"


@pytest.mark.parametrize(("measured", "status"), [(1.0, "consistent"), (1.05, "consistent"),
                                                  (1.0501, "above_declared"), (0.3, "consistent"),
                                                  (0.2, "far_below")])
def test_tolerance_and_far_below(measured: float, status: str) -> None:
    c = cmp.compare({"fp64": 67.0 * measured}, None, DECLARED, None)
    assert _row(c, "fp64").status == status
    assert c.verdict == (cmp.RED_FLAG if status == "above_declared" else cmp.CONSISTENT)


def test_an_undeclared_precision_shows_in_tpp() -> None:
    """int8 was not declared: the per-precision row cannot flag it, the TPP row does."""
    c = cmp.compare({"fp16": 900.0, "int8": 4000.0}, None, {"fp16": 989.4}, None, measured_tpp=32000.0,
                    declared_tpp=15830.4)
    assert _row(c, "int8").status == "not_declared"
    assert _row(c, "tpp").status == "above_declared"
    assert c.verdict == cmp.RED_FLAG


def test_declared_but_not_measured_is_noted_not_flagged() -> None:
    c = cmp.compare({"fp16": 900.0}, None, DECLARED, None, unmeasured={"fp8": "no FP8 on this device"})
    assert _row(c, "fp8").status == "not_measured" and _row(c, "fp8").note == "no FP8 on this device"
    assert c.verdict == cmp.CONSISTENT
    assert any("fp8" in n for n in c.notes)


def test_nothing_declared() -> None:
    c = cmp.compare({"fp32": 1.0}, 10.0, {}, None)
    assert c.verdict == cmp.NO_DECLARED


def test_measured_spec_keeps_only_unmeasurable_facts_from_the_declaration() -> None:
    declared = ChipSpec(name="X1", vendor="Example", datacenter=True, dense_tops={"fp16": 100.0, "fp4": 800.0},
                        die_area_mm2=500.0, memory_bandwidth_gbs=2000.0, io_bandwidth_gbs=600.0, reported_tpp=9999.0)
    m = cmp.measured_spec("X1 (measured)", {"fp16": 95.0}, 1900.0, declared)
    assert m.dense_tops == {"fp16": 95.0}  # fp4 was declared, not measured: not carried over
    assert m.memory_bandwidth_gbs == 1900.0 and m.reported_tpp is None
    assert (m.datacenter, m.die_area_mm2, m.io_bandwidth_gbs) == (True, 500.0, 600.0)
    bare = cmp.measured_spec("cpu", {"fp64": 0.1}, 30.0)
    assert bare.datacenter is None and bare.die_area_mm2 is None


def test_a_computer_is_compared_through_its_accelerator() -> None:
    acc = ChipSpec(name="GPU", dense_tops={"fp16": 100.0})
    server = ChipSpec(name="Server", item_type="computer", accelerator=acc, accelerator_count=8)
    assert cmp.declared_chip(server) is acc
    assert cmp.declared_chip(acc) is acc
