"""What an evaluation reads from the rules, and how two days' rules differ: the basis on which the batch lets keys
that differ only in their period share one decision (``batch.workers.PeriodMemo``)."""

from __future__ import annotations

import datetime as dt

from chipcontrol.catalog import Catalog
from chipcontrol.model.shipment import Shipment
from chipcontrol.rules.ear.eccn_3a090 import classify
from chipcontrol.rules.ear.license import determine
from chipcontrol.rules.ruleset import Ruleset, tracking_reads

D = dt.date.fromisoformat
EMBARGOES = "ear.part_746.embargoed_destinations"
AFFILIATES = "ear.part_744.sec_744_11.affiliates_rule"
GP10 = "ear.part_736.gp10_guidance"


def test_the_syria_rule_changes_only_syrias_entry() -> None:
    differ = Ruleset.load().differing_parameters(D("2025-09-01"), D("2025-09-02"))
    assert differ is not None
    assert f"{EMBARGOES}[SY]" in differ and EMBARGOES in differ
    assert f"{EMBARGOES}[CN]" not in differ and f"{EMBARGOES}[IR]" not in differ


def test_a_date_inside_a_value_separates_the_days_around_it() -> None:
    rs = Ruleset.load()
    # the stay of the Affiliates Rule ends 2026-11-09: the same value, but the answer changes on 2026-11-10
    assert AFFILIATES in (rs.differing_parameters(D("2026-11-09"), D("2026-11-10")) or ())
    assert AFFILIATES in (rs.differing_parameters(D("2026-03-01"), D("2026-11-20")) or ())
    # within the stay nothing about it changes
    assert AFFILIATES not in (rs.differing_parameters(D("2026-02-10"), D("2026-06-01")) or ())


def test_guidance_coming_into_force_is_its_own_change() -> None:
    differ = Ruleset.load().differing_parameters(D("2025-05-12"), D("2025-05-13"))
    assert differ is not None and f"{GP10}?" in differ


def test_a_new_rule_version_is_never_compared_by_reads() -> None:
    rs = Ruleset.load()
    assert rs.differing_parameters(D("2023-11-16"), D("2023-11-17")) is None  # the October 2023 rules
    assert rs.differing_parameters(D("2025-01-14"), D("2025-01-15")) == frozenset()  # inside one period
    assert rs.differing_parameters(D("2025-01-15"), D("2025-01-14")) == frozenset()  # either order


def test_a_letter_coming_into_force_is_recorded_by_id() -> None:
    differ = Ruleset.load().differing_parameters(D("2023-10-22"), D("2023-10-23"))
    assert differ is not None and any(d.startswith("@obligation:") for d in differ)


def _reads(chip: str, day: str, **ship: object) -> set[str]:
    rs, entry = Ruleset.load(), Catalog.load().lookup(chip)
    ctx = rs.context(D(day))
    with tracking_reads() as names:
        determine(entry.spec, classify(entry.spec, ctx), Shipment(**ship), ctx)  # type: ignore[arg-type]
    return names


def test_an_evaluation_records_what_reached_its_answer() -> None:
    clean = _reads("NVIDIA H100 SXM5 80GB", "2025-10-01", destination="CN", end_user_hq="CN", exporter="Dell")
    assert f"{EMBARGOES}[CN]" in clean and EMBARGOES not in clean  # only China's entry was looked at
    assert f"{GP10}?" in clean and GP10 not in clean  # not a PRC chip: only whether the guidance is in force
    syria = _reads("NVIDIA H100 SXM5 80GB", "2025-10-01", destination="SY", end_user_hq="SY", exporter="Dell")
    assert EMBARGOES in syria  # applied: the whole list's citation is part of the answer
    ascend = _reads("Huawei Ascend 910B", "2025-10-01", destination="MY", origin="CN", end_user_hq="MY")
    assert GP10 in ascend


def test_reads_outside_a_tracking_block_are_not_recorded() -> None:
    rs = Ruleset.load()
    with tracking_reads() as outer:
        rs.context(D("2025-10-01")).read(AFFILIATES)
        with tracking_reads() as inner:
            rs.context(D("2025-10-01")).in_force(GP10)
    assert outer == {AFFILIATES} and inner == {f"{GP10}?"}
    rs.context(D("2025-10-01")).read(GP10)
    assert GP10 not in outer
