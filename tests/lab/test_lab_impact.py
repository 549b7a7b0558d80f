"""Impact and diff: the exact list of status changes on a hand-built scenario and catalogue, and on real history."""

from __future__ import annotations

import datetime as dt

from chipcontrol.catalog import Catalog
from chipcontrol.lab.impact import diff, impact
from chipcontrol.lab.scenario import parse_scenario
from chipcontrol.model.shipment import Shipment
from chipcontrol.model.spec import ChipSpec
from chipcontrol.rules.ruleset import Ruleset

SCENARIO = """\
scenario: Hand-built
parameters:
  - name: ear.part_774.eccn_3a090.a1_tpp
    effective: "2025-06-01"
    value: 4000
rules:
  - id: cn-bandwidth
    effective: "2025-06-01"
    description: China needs a licence above 1,400 GB/s memory or 1,100 GB/s interconnect
    any_of:
      - {param: memory_bandwidth_gbs, gte: 1400}
      - {param: interconnect_bandwidth_gbs, gte: 1100}
    destinations: {countries: [CN, MO]}
    review_policy: presumption_of_denial
"""


def chip(name: str, tpp: float, area: float = 1000.0, datacenter: bool = True, mem: float | None = 1000.0,
         ic: float | None = None) -> tuple[str, ChipSpec]:
    return name, ChipSpec(name=name, datacenter=datacenter, dense_tops={"fp16": tpp / 16}, die_area_mm2=area,
                          memory_bandwidth_gbs=mem, interconnect_bandwidth_gbs=ic, io_bandwidth_gbs=ic)


ITEMS = [
    chip("A dc 4500 PD 4.5", 4500),                       # 3A090.b.1 -> 3A090.a.1 (TPP >= 4000)
    chip("B consumer 4500", 4500, datacenter=False),      # outside (Note 2) -> 3A090.a.1
    chip("C dc 3900 PD 1.95", 3900, area=2000),           # 3A090.b.1 both times
    chip("D low TPP, 2000 GB/s", 1000, mem=2000),         # not 3A090; the added rule catches the memory bandwidth
    chip("E low TPP, NVLink 1200", 1000, ic=1200),        # not 3A090; the added rule catches the interconnect
    chip("F low TPP, 1000 GB/s", 1000),                   # untouched
    chip("G H100-like", 15832, area=814, mem=3350, ic=900),  # 3A090.a.1 and denial both times
    chip("H exactly 1400 GB/s", 1000, mem=1400),          # gte: caught
    chip("I 1399 GB/s", 1000, mem=1399),                  # just under: untouched
]


def test_impact_list_is_exact(base: Ruleset) -> None:
    rs = parse_scenario(SCENARIO, "hand.yaml", base).apply(base)
    cmp = impact(ITEMS, base, rs, dt.date(2025, 7, 1), Shipment(destination="CN"))
    got = {c.item: (c.before.label(), c.after.label()) for c in cmp.changes}
    assert got == {
        "A dc 4500 PD 4.5": ("3A090.b.1; licence required (presumption of denial), exception NAC",
                             "3A090.a.1; licence required (presumption of denial)"),
        "B consumer 4500": ("not 3A090; no licence",
                            "3A090.a.1; licence required (presumption of denial), exception NAC"),
        "D low TPP, 2000 GB/s": ("not 3A090; no licence", "not 3A090; licence required (presumption of denial)"),
        "E low TPP, NVLink 1200": ("not 3A090; no licence", "not 3A090; licence required (presumption of denial)"),
        "H exactly 1400 GB/s": ("not 3A090; no licence", "not 3A090; licence required (presumption of denial)"),
    }
    assert cmp.items == len(ITEMS)
    reasons = {c.item: c.reason for c in cmp.changes}
    assert "ear.ccl.eccn_3a090.a.1" in reasons["A dc 4500 PD 4.5"] and "[scenario]" in reasons["A dc 4500 PD 4.5"]
    assert "scenario-cn-bandwidth" in reasons["D low TPP, 2000 GB/s"]
    assert "memory_bandwidth_gbs 2000 reaches 1400" in reasons["D low TPP, 2000 GB/s"]
    assert "interconnect_bandwidth_gbs 1200 reaches 1100" in reasons["E low TPP, NVLink 1200"]


def test_no_change_before_the_scenario_date_or_elsewhere(base: Ruleset) -> None:
    rs = parse_scenario(SCENARIO, "hand.yaml", base).apply(base)
    assert impact(ITEMS, base, rs, dt.date(2025, 5, 31), Shipment(destination="CN")).changes == ()
    # Germany: only the TPP overlay matters (the added rule is for CN/MO), and .a items need no licence to DE
    de = impact(ITEMS, base, rs, dt.date(2025, 7, 1), Shipment(destination="DE"))
    assert {c.item for c in de.changes} == {"A dc 4500 PD 4.5", "B consumer 4500"}
    assert all(not c.after.license_required for c in de.changes)


def test_identical_rules_change_nothing(base: Ruleset) -> None:
    items = [(e.key, e.spec) for e in Catalog.load().all()]
    cmp = impact(items, base, Ruleset(dict(base.files)), dt.date(2025, 7, 1), Shipment(destination="CN"))
    assert cmp.changes == () and cmp.items == len(items) and cmp.counts_before == cmp.counts_after


def test_diff_october_2023_rule(base: Ruleset) -> None:
    items = [(e.key, e.spec) for e in Catalog.load().all()]
    cmp = diff(items, base, dt.date(2023, 11, 1), dt.date(2023, 12, 1), Shipment(destination="CN"))
    changed = {c.item: c for c in cmp.changes}
    # the lab's exporter is the maker: NVIDIA was told on 2023-10-23 that the rule applied to it at once for the
    # A100, A800, H100, H800 and L40S (NVIDIA 8-K), so those were already licensed on 2023-11-01; the RTX 4090 not
    for name in ("NVIDIA A800 SXM4 80GB", "NVIDIA H800 SXM5", "NVIDIA L40S"):
        assert name in changed and changed[name].before.license_required
        assert changed[name].before.reasons == ("ear.744.is_informed.nvidia-2023-10-23-immediate",)
        assert changed[name].after.license_required and changed[name].after.paragraph == "3A090.a"
    assert not changed["NVIDIA GeForce RTX 4090"].before.license_required
    assert changed["NVIDIA GeForce RTX 4090"].after.paragraph == "3A090.a"
    assert changed["NVIDIA L40"].after.paragraph == "3A090.b"
    for name in ("NVIDIA H20 (HGX)", "NVIDIA GeForce RTX 4090 D", "NVIDIA H100 SXM5 80GB"):
        assert name not in changed


def test_real_catalogue_example_scenario(base: Ruleset) -> None:
    sc = parse_scenario(SCENARIO, "hand.yaml", base)
    items = [(e.key, e.spec) for e in Catalog.load().all()]
    cmp = impact(items, base, sc.apply(base), dt.date(2025, 7, 1), Shipment(destination="CN"))
    changed = {c.item for c in cmp.changes}
    assert {"NVIDIA GeForce RTX 4090 D", "NVIDIA GeForce RTX 5090 D", "NVIDIA H20 (HGX)"} <= changed
    assert "NVIDIA H100 SXM5 80GB" not in changed  # controlled either way
