"""What an evaluation reads from the rules, and how two days' rules differ: the basis on which the batch lets keys
that differ only in their period share one decision (``batch.workers.PeriodMemo``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from chipcontrol.batch.columns import DECISION_FIELDS
from chipcontrol.batch.decision import Decision
from chipcontrol.batch.workers import PeriodMemo, PeriodToken, decide_shipment
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


def test_whether_the_affiliates_rule_applies_is_a_read_of_its_own() -> None:
    """Not applied before 2025-09-29 and not during the stay: days on either side of both do not differ for it;
    its start, its stay and the end of the stay do."""
    rs = Ruleset.load()

    def differs(a: str, b: str) -> bool:
        return "@derived:affiliates_applied" in (rs.differing_parameters(D(a), D(b)) or ())

    assert not differs("2025-09-28", "2025-11-15") and not differs("2025-11-15", "2026-06-01")
    assert differs("2025-09-28", "2025-09-29") and differs("2025-11-09", "2025-11-10")
    assert differs("2026-11-09", "2026-11-10") and differs("2025-10-01", "2026-11-20") is False
    # (in force in October 2025 and again after the stay: applied on both days, though the values differ)
    assert AFFILIATES in (rs.differing_parameters(D("2025-10-01"), D("2026-11-20")) or ())


def test_the_a_level_headquarters_citation_is_read_only_where_it_reaches_the_answer() -> None:
    hq = "ear.part_742.sec_742_6.a_level_hq_requirement"
    clear = _reads("NVIDIA H100 SXM5 80GB", "2025-06-01", destination="MY", end_user_hq="MY", exporter="Dell")
    assert hq not in clear  # nobody headquartered in D:5: its citation only in the trace
    hit = _reads("NVIDIA H100 SXM5 80GB", "2025-06-01", destination="MY", end_user_hq="CN", exporter="Dell")
    assert hq in hit  # the requirement cites it
    asked = _reads("NVIDIA H100 SXM5 80GB", "2025-06-01", destination="MY", exporter="Dell")
    assert hq in asked  # the question about the headquarters cites it


def test_the_2026_case_by_case_review_is_asked_only_inside_its_scope() -> None:
    cbc = "@feature:review_2026_case_by_case"
    assert cbc not in _reads("NVIDIA H200 SXM 141GB", "2026-06-01", destination="KH", end_user_hq="KH", exporter="Dell")
    assert cbc in _reads("NVIDIA H200 SXM 141GB", "2026-06-01", destination="CN", end_user_hq="CN", exporter="Dell")


def test_guidance_coming_into_force_is_its_own_change() -> None:
    differ = Ruleset.load().differing_parameters(D("2025-05-12"), D("2025-05-13"))
    assert differ is not None and f"{GP10}?" in differ


def test_a_new_rule_version_is_named_by_what_it_changes() -> None:
    rs = Ruleset.load()
    differ = rs.differing_parameters(D("2023-11-16"), D("2023-11-17"))  # the October 2023 rules
    assert differ is not None
    assert {"@classification", "@version", "@feature:hq_rule", "@feature:nac_2023", "@feature:review_2022"} <= differ
    assert "@feature:end_use_744_23" not in differ  # on since October 2022: not a change of this rule
    assert rs.differing_parameters(D("2025-01-14"), D("2025-01-15")) == frozenset()  # inside one period
    assert rs.differing_parameters(D("2025-01-15"), D("2025-01-14")) == frozenset()  # either order


def test_a_country_group_change_names_only_the_countries_it_moves() -> None:
    # 2024-05-30 (source ear-2024-05-30-cyprus in the D:5 data file): Cyprus leaves Country Group D:5
    differ = Ruleset.load().differing_parameters(D("2024-05-29"), D("2024-05-30"))
    assert differ is not None
    assert {"@group:D5:CY", "@group:D5", "@groups"} <= differ
    assert "@group:D5:CN" not in differ and "@group:D1:CY" not in differ


def test_an_evaluation_records_the_memberships_and_features_it_looked_at() -> None:
    names = _reads("NVIDIA H100 SXM5 80GB", "2025-10-01", destination="DE", end_user_hq="DE", exporter="Dell")
    assert any(n.startswith("@group:") and n.endswith(":DE") for n in names)
    assert not any(n.startswith("@group:") and n.endswith(":CY") for n in names)  # Cyprus never looked at
    assert "@feature:end_use_744_23" in names
    # a shipment whose headquarters nobody gave asks a question whose replies are classes over every group
    asked = _reads("NVIDIA H100 SXM5 80GB", "2025-10-01", destination="MY", exporter="Dell")
    assert "@groups" in asked


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
    assert not {GP10, f"{GP10}?"} & clean  # not a PRC chip: the guidance cannot reach it, in force or not
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
        assert inner == {f"{GP10}?"}
    assert outer == {AFFILIATES, f"{GP10}?"}  # the enclosing evaluation read what the inner one read
    rs.context(D("2025-10-01")).read(GP10)
    assert GP10 not in outer


def test_the_views_differ_only_where_a_rule_applies_in_one_of_them() -> None:
    rs = Ruleset.load()
    assert rs.view_differences(D("2024-06-01")) == frozenset()  # every version applies in both views
    later = rs.view_differences(D("2025-10-01"))  # the AI Diffusion Rule: law as written, not enforced
    assert "@feature:ai_diffusion" in later
    # an H100 to Germany in October 2025: as written (AI Diffusion Rule) it needs a licence, enforced it does not —
    # the enforced evaluation read the feature that tells the views apart
    names = _reads("NVIDIA H100 SXM5 80GB", "2025-10-01", destination="DE", end_user_hq="DE", exporter="Dell")
    assert "@feature:ai_diffusion" in names


def test_a_decision_shared_across_a_new_rule_version_carries_that_days_version() -> None:
    """The Macau rule (2023-01-17) cannot reach an H100 to Germany: the decision of 2023-01-16 is reused on
    2023-01-17 without running the engine again, with the rule version of 2023-01-17."""
    rs, entry = Ruleset.load(), Catalog.load().lookup("NVIDIA H100 SXM5 80GB")
    ship = Shipment(destination="DE", end_user_hq="DE", exporter="Dell")

    def compute(day: dt.date) -> Callable[[], Decision]:
        return lambda: decide_shipment(rs, "enforced", entry.spec, day, ship,
                                       lambda view: classify(entry.spec, rs.context(day, view)))

    def never() -> Decision:
        raise AssertionError("the engine ran again")

    memo = PeriodMemo(rs, "enforced")
    first = memo.decide("key", "token", D("2023-01-16"), compute(D("2023-01-16")))
    again = memo.decide("key", "token", D("2023-01-17"), never)
    version = DECISION_FIELDS.index("rule_version")
    assert memo.shared == 1
    assert first[version] == rs.context(D("2023-01-16")).version.id != again[version]
    assert again[version] == rs.context(D("2023-01-17")).version.id
    assert again == compute(D("2023-01-17"))()  # what the engine gives on that day
    # where a read differs (Cyprus leaves D:5 on 2024-05-30), the engine runs again
    cy = Shipment(destination="CY", end_user_hq="CY", exporter="Dell")
    day = D("2024-05-29")
    memo.decide("cy", "token", day, lambda: decide_shipment(
        rs, "enforced", entry.spec, day, cy, lambda v: classify(entry.spec, rs.context(day, v))))
    with pytest.raises(AssertionError, match="ran again"):
        memo.decide("cy", "token", D("2024-05-30"), never)


def test_a_destination_scope_is_read_for_the_one_country_asked() -> None:
    sc = "ear.part_744.sec_744_23.supercomputer_destinations"
    differ = Ruleset.load().differing_parameters(D("2023-01-16"), D("2023-01-17"))  # Macau added to the scope
    assert differ is not None and f"{sc}<MO>" in differ
    assert f"{sc}<DE>" not in differ and f"{sc}<CN>" not in differ
    names = _reads("NVIDIA H100 SXM5 80GB", "2023-01-16", destination="DE", end_user_hq="DE", exporter="Dell")
    assert f"{sc}<DE>" in names and sc not in names  # outside the scope, nothing else of it reached the answer
    assert f"{sc}?" not in names  # nor whether it is in force (inside implies in force)
    declared = _reads("NVIDIA H100 SXM5 80GB", "2023-01-16", destination="CN", end_user_hq="CN", exporter="Dell",
                      end_uses=("supercomputer",))
    assert sc in declared  # a requirement found: its citation is part of the answer


def test_a_decision_is_shared_across_days_on_which_the_views_stand_differently() -> None:
    """From a day on which ``check`` reports no other view (2025-05-13) to one on which it would (2025-05-15: the AI
    Diffusion Rule as written, not as enforced): shared where the decision read nothing that differs between the
    views (a T4 to Germany), decided anew where it did (an H100 to Germany reads the rule's feature); and back, a
    decision of a day with another view serves a day without one. Each equals the engine on its day."""
    rs = Ruleset.load()
    cat = Catalog.load()

    def compute(chip: str, day: dt.date) -> Callable[[], Decision]:
        spec = cat.lookup(chip).spec
        ship = Shipment(destination="DE", end_user_hq="DE", exporter="Dell")
        return lambda: decide_shipment(rs, "enforced", spec, day, ship,
                                       lambda view: classify(spec, rs.context(day, view)))

    def never() -> Decision:
        raise AssertionError("the engine ran again")

    before, during = D("2025-05-13"), D("2025-05-15")
    assert not rs.context(before).views_differ and rs.context(during).views_differ
    same, differs = PeriodToken(0, False, None, 0), PeriodToken(0, False, None, 1)
    t4, h100 = "NVIDIA Tesla T4", "NVIDIA H100 SXM5 80GB"
    memo = PeriodMemo(rs, "enforced")
    memo.decide("t4", same, before, compute(t4, before))
    assert memo.decide("t4", differs, during, never) == compute(t4, during)()
    memo.decide("t4-back", differs, during, compute(t4, during))
    assert memo.decide("t4-back", same, before, never) == compute(t4, before)()
    memo.decide("h100", same, before, compute(h100, before))
    with pytest.raises(AssertionError, match="ran again"):
        memo.decide("h100", differs, during, never)
    assert memo.shared == 2


class _TwoDays:
    """Rules on two days that differ in nothing but the views on the second (``@feature:x`` applies in one view
    only): the case the bundled data cannot show, where only the views tell whether a decision holds."""

    def differing_parameters(self, a: dt.date, b: dt.date) -> frozenset[str]:
        return frozenset()

    def view_differences(self, day: dt.date) -> frozenset[str]:
        return frozenset({"@feature:x"}) if day == D("2025-02-02") else frozenset()

    def context(self, day: dt.date, view: str = "enforced") -> object:
        return Ruleset.load().context(D("2025-02-01"))


def test_a_decision_that_read_what_differs_between_the_views_is_not_carried_into_a_day_where_they_differ() -> None:
    version = DECISION_FIELDS.index("rule_version")

    def compute(read: str) -> Callable[[], Decision]:
        def run() -> Decision:
            Ruleset.load().context(D("2025-02-01")).track(read)
            d: list[object] = [None] * len(DECISION_FIELDS)
            d[version] = Ruleset.load().context(D("2025-02-01")).version.id
            return tuple(d)
        return run

    def never() -> Decision:
        raise AssertionError("the engine ran again")

    memo = PeriodMemo(_TwoDays(), "enforced")  # type: ignore[arg-type]
    same, differs = PeriodToken(0, False, None, 0), PeriodToken(0, False, None, 1)
    memo.decide("y", same, D("2025-02-01"), compute("@feature:y"))
    memo.decide("y", differs, D("2025-02-02"), never)  # read nothing the views differ in: shared
    memo.decide("x", same, D("2025-02-01"), compute("@feature:x"))
    with pytest.raises(AssertionError, match="ran again"):
        memo.decide("x", differs, D("2025-02-02"), never)
