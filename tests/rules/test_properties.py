"""Property tests: raising any throughput never lowers the control level; TPP is the maximum over precisions."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from chipcontrol.model.spec import PRECISION_BITS, ChipSpec
from chipcontrol.rules.ear import metrics
from chipcontrol.rules.ear.eccn_3a090 import classify
from chipcontrol.rules.ruleset import Ruleset

RS = Ruleset.load()
LEVEL = {None: 0, "b": 1, "a": 2}
PRECS = sorted(PRECISION_BITS)
rates = st.dictionaries(st.sampled_from(PRECS), st.floats(min_value=0.001, max_value=20000), min_size=1)
days = st.dates(min_value=dt.date(2022, 10, 7), max_value=dt.date(2026, 11, 25))


@settings(max_examples=300, deadline=None)
@given(rates=rates, prec=st.sampled_from(PRECS), factor=st.floats(min_value=1.0, max_value=50.0),
       area=st.floats(min_value=50, max_value=3000), io=st.floats(min_value=0, max_value=3000),
       datacenter=st.booleans(), day=days)
def test_raising_a_throughput_never_lowers_the_level(rates: dict[str, float], prec: str, factor: float, area: float,
                                                      io: float, datacenter: bool, day: dt.date) -> None:
    ctx = RS.context(day)
    base = ChipSpec(name="x", datacenter=datacenter, dense_tops=rates, die_area_mm2=area, io_bandwidth_gbs=io)
    raised_rates = dict(rates)
    raised_rates[prec] = raised_rates.get(prec, 0.001) * factor
    raised = ChipSpec(name="x", datacenter=datacenter, dense_tops=raised_rates, die_area_mm2=area,
                      io_bandwidth_gbs=io)
    before, after = classify(base, ctx), classify(raised, ctx)
    assert LEVEL[after.level] >= LEVEL[before.level], (before.subparagraph, after.subparagraph)


@settings(max_examples=300, deadline=None)
@given(rates=rates)
def test_tpp_is_the_maximum_over_precisions(rates: dict[str, float]) -> None:
    result = metrics.tpp(ChipSpec(name="x", dense_tops=rates))
    assert result.value == max(r * PRECISION_BITS[p] for p, r in rates.items())
    assert all(result.value >= r * PRECISION_BITS[p] for p, r in rates.items())


@settings(max_examples=200, deadline=None)
@given(rates=rates, tf32=st.floats(min_value=0.001, max_value=5000))
def test_tf32_modes_are_ordered(rates: dict[str, float], tf32: float) -> None:
    spec = ChipSpec(name="x", dense_tops={**rates, "tf32": tf32})
    values = [metrics.tpp(spec, mode).value for mode in ("exclude", "19", "32")]
    assert values[0] is not None and values[1] is not None and values[2] is not None
    assert values[0] <= values[1] <= values[2]
