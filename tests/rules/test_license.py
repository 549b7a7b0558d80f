"""Licence determination: acceptance facts, and both sides of every effective date and country-group change."""

from __future__ import annotations

import datetime as dt

import pytest

from chipcontrol.catalog import Catalog
from chipcontrol.model.citation import Citation
from chipcontrol.model.decision import Determination
from chipcontrol.model.shipment import PartyHit, Shipment
from chipcontrol.model.spec import ChipSpec
from chipcontrol.rules.ear.eccn_3a090 import classify
from chipcontrol.rules.ear.license import determine


def _cat(name: str) -> ChipSpec:
    return Catalog.load().lookup(name).spec


@pytest.fixture
def check(ctx):
    def run(item: str | ChipSpec, to: str, day: str, view: str = "enforced", **kw) -> Determination:
        spec = _cat(item) if isinstance(item, str) else item
        c = ctx(day, view)
        return determine(spec, classify(spec, c), Shipment(destination=to, **kw), c)
    return run


def _names(d: Determination) -> list[str]:
    return [e.name for e in d.license_exceptions]


# --- acceptance facts (cases.yaml / known_outcomes.md) -------------------------------------------------------
def test_h20_to_china(check) -> None:
    assert not check("NVIDIA H20", "CN", "2024-06-01", exporter="NVIDIA").license_required
    after = check("NVIDIA H20", "CN", "2025-04-20", exporter="NVIDIA")
    assert after.license_required and after.reasons[0].rule_id.startswith("ear.744.is_informed")
    assert check("NVIDIA H20", "CN", "2025-09-01", exporter="NVIDIA").license_required  # licences granted != lifted


def test_h20_letter_boundaries_and_scope(check) -> None:
    assert not check("NVIDIA H20", "CN", "2025-04-08", exporter="NVIDIA").license_required
    assert check("NVIDIA H20", "CN", "2025-04-09", exporter="NVIDIA Corporation").license_required
    assert not check("NVIDIA H20", "DE", "2025-04-20", exporter="NVIDIA").license_required
    assert check("NVIDIA H20", "RU", "2025-04-20", exporter="NVIDIA").license_required     # D:5
    assert check("NVIDIA H20", "SG", "2025-04-20", exporter="NVIDIA", end_user_hq="CN").license_required
    other = check("NVIDIA H20", "CN", "2025-04-20", exporter="Some Distributor Ltd")
    assert not other.license_required and any("binds NVIDIA only" in w for w in other.warnings)


def test_h100_to_china_and_germany(check) -> None:
    cn = check("NVIDIA H100 SXM5 80GB", "CN", "2024-06-01")
    assert cn.license_required and cn.review_policy == "presumption_of_denial" and _names(cn) == []
    assert not check("NVIDIA H100 SXM5 80GB", "DE", "2024-06-01").license_required


def test_headquarters_rule(check) -> None:
    d = check("NVIDIA H100 SXM5 80GB", "SG", "2024-06-01", end_user_hq="CN")
    assert d.license_required and d.review_policy == "presumption_of_denial"
    assert any(r.rule_id == "ear.744.23.a.3.i" for r in d.reasons)
    # non-datacenter or .b-level items under the HQ rule: case by case, NAC with notification
    d = check("NVIDIA L40", "SG", "2024-06-01", end_user_hq="CN")
    assert d.review_policy == "case_by_case" and _names(d) == ["NAC"]
    assert not check("NVIDIA H100 SXM5 80GB", "SG", "2023-11-16", end_user_hq="CN").license_required
    assert check("NVIDIA H100 SXM5 80GB", "SG", "2023-11-17", end_user_hq="CN").license_required


def test_rtx4090_to_china_nac(check) -> None:
    d = check("NVIDIA GeForce RTX 4090", "CN", "2024-06-01")
    assert d.license_required and "NAC" in _names(d)
    nac = d.license_exceptions[0]
    assert any("25 calendar days" in c for c in nac.conditions)


def test_nac_aca_split_on_2024_04_04(check) -> None:
    assert _names(check("NVIDIA GeForce RTX 4090", "VN", "2024-04-03", end_user_hq="VN")) == ["NAC"]
    assert _names(check("NVIDIA GeForce RTX 4090", "VN", "2024-04-04", end_user_hq="VN")) == ["ACA"]
    assert _names(check("NVIDIA GeForce RTX 4090", "VN", "2024-04-04", end_user_hq="CN")) == ["NAC"]
    assert _names(check("NVIDIA GeForce RTX 4090", "CN", "2024-04-04")) == ["NAC"]
    assert _names(check("NVIDIA L40", "SA", "2024-06-01", end_user_hq="SA")) == ["ACA"]  # D:4, .b-level datacenter
    # the headquarters decides between NAC (notice) and ACA: unknown, it is asked
    open_hq = check("NVIDIA GeForce RTX 4090", "VN", "2024-04-04")
    assert open_hq.outcome == "indeterminate" and open_hq.license_required is True
    assert [q.id for q in open_hq.questions] == ["end_user.headquarters"]
    assert {r.license_exceptions for r in open_hq.questions[0].replies} == {("NAC",), ("ACA",)}
    assert _names(check("NVIDIA H100 SXM5 80GB", "SA", "2024-06-01")) == []  # datacenter .a: never eligible


def test_h200_case_by_case_from_2026_01_15(check) -> None:
    before = check("NVIDIA H200 SXM 141GB", "CN", "2026-01-14")
    on = check("NVIDIA H200 SXM 141GB", "CN", "2026-01-15")
    assert before.review_policy == "presumption_of_denial"
    assert on.license_required and on.review_policy == "case_by_case"
    assert any("third-party testing" in c for c in on.review_conditions)
    assert check("NVIDIA H200 SXM 141GB", "MO", "2026-02-01").review_policy == "case_by_case"
    # only exports from the United States
    assert check("NVIDIA H200 SXM 141GB", "CN", "2026-02-01", origin="SG").review_policy == "presumption_of_denial"
    assert check("NVIDIA B200 (HGX, per GPU)", "CN", "2026-02-01").review_policy == "presumption_of_denial"
    assert check("AMD Instinct MI325X", "CN", "2026-02-01").review_policy == "case_by_case"


@pytest.mark.parametrize(("tpp", "bw", "policy"), [
    (20999.9, 6499.9, "case_by_case"), (21000, 6000, "presumption_of_denial"), (15000, 6500, "presumption_of_denial")])
def test_h200_thresholds_are_strict(check, tpp: float, bw: float, policy: str) -> None:
    spec = ChipSpec(name="x", datacenter=True, dense_tops={"fp8": tpp / 8}, die_area_mm2=800,
                    memory_bandwidth_gbs=bw, commercially_available_in_us_on=dt.date(2025, 6, 1))
    assert check(spec, "CN", "2026-02-01").review_policy == policy


def test_macau_added_2023_01_17(check) -> None:
    assert not check("NVIDIA A100 SXM4 80GB", "MO", "2023-01-16").license_required
    assert check("NVIDIA A100 SXM4 80GB", "MO", "2023-01-17").license_required
    assert check("NVIDIA A100 SXM4 80GB", "CN", "2022-10-21").license_required
    assert not check("NVIDIA A100 SXM4 80GB", "CN", "2022-10-20").license_required


def test_destination_scope_2023(check) -> None:
    assert not check("NVIDIA H100 SXM5 80GB", "VN", "2023-11-16").license_required
    vn = check("NVIDIA H100 SXM5 80GB", "VN", "2023-11-17", end_user_hq="VN")
    assert vn.license_required and vn.review_policy == "presumption_of_approval"
    assert not check("NVIDIA H100 SXM5 80GB", "IL", "2024-06-01").license_required   # D:4 but A:6


def test_nicaragua_2024_03_15(check) -> None:
    assert not check("NVIDIA H100 SXM5 80GB", "NI", "2024-03-14").license_required
    d = check("NVIDIA H100 SXM5 80GB", "NI", "2024-03-15")
    assert d.license_required and d.review_policy == "presumption_of_denial"


def test_cyprus_headquarters_2024_05_30(check) -> None:
    assert check("NVIDIA H100 SXM5 80GB", "DE", "2024-05-29", end_user_hq="CY").license_required
    assert not check("NVIDIA H100 SXM5 80GB", "DE", "2024-05-30", end_user_hq="CY").license_required


def test_cambodia_leaves_d5_2026_02_03(check) -> None:
    before = check("NVIDIA H100 SXM5 80GB", "KH", "2026-02-02")
    after = check("NVIDIA H100 SXM5 80GB", "KH", "2026-02-03", end_user_hq="KH")
    assert before.review_policy == "presumption_of_denial"
    assert after.license_required and after.review_policy == "presumption_of_approval"  # still D:1


def test_hbm_licence_and_exception(check) -> None:
    hbm = ChipSpec(name="HBM3E", item_type="hbm", memory_bandwidth_density=3.0)
    assert not check(hbm, "CN", "2024-12-01").license_required
    # effective 2024-12-02, compliance from 2024-12-31: a transition, flagged
    transition = check(hbm, "CN", "2024-12-02", end_user_hq="CN")
    assert not transition.license_required and any("2024-12-31" in w for w in transition.warnings)
    d = check(hbm, "CN", "2024-12-31", end_user_hq="CN")
    assert d.license_required and _names(d) == ["HBM"] and d.review_policy == "presumption_of_denial"
    dense = ChipSpec(name="HBM4", item_type="hbm", memory_bandwidth_density=3.3)
    assert _names(check(dense, "CN", "2025-06-01", end_user_hq="CN")) == []
    assert not check(hbm, "DE", "2025-06-01", end_user_hq="DE").license_required


def test_ai_diffusion_views(check) -> None:
    enforced = check("NVIDIA H100 SXM5 80GB", "IN", "2025-06-01")
    written = check("NVIDIA H100 SXM5 80GB", "IN", "2025-06-01", view="as_written", end_user_hq="IN", quantity=8)
    assert not enforced.license_required and "not enforce" in enforced.view_note
    assert written.license_required and written.review_policy == "presumption_of_approval"
    assert "LPP" in _names(written) and "AIA" not in _names(written)
    # ACM only for its declared use: development, production or storage before export (740.28(a))
    assert "ACM" not in _names(written)
    acm = check("NVIDIA H100 SXM5 80GB", "IN", "2025-06-01", view="as_written", end_user_hq="IN", quantity=8,
                end_uses=frozenset({"acm_storage"}))
    assert "ACM" in _names(acm)
    de = check("NVIDIA H100 SXM5 80GB", "DE", "2025-06-01", view="as_written", end_user_hq="DE", quantity=8)
    assert "AIA" in _names(de)
    # effective 2025-01-13, but compliance was required only from 2025-05-15
    assert not check("NVIDIA H100 SXM5 80GB", "IN", "2025-05-14", view="as_written").license_required
    assert check("NVIDIA H100 SXM5 80GB", "IN", "2025-05-15", view="as_written").license_required
    # .b-level items keep the D-group scope even as written
    assert not check("NVIDIA L40", "IN", "2025-06-01", view="as_written").license_required


def test_lpp_quantity_limit(check) -> None:
    ok = check("NVIDIA H100 SXM5 80GB", "IN", "2025-06-01", view="as_written", quantity=1699, end_user_hq="IN")
    too_many = check("NVIDIA H100 SXM5 80GB", "IN", "2025-06-01", view="as_written", quantity=1700,
                     end_user_hq="IN")
    assert "LPP" in _names(ok) and "LPP" not in _names(too_many)  # 1700 x 15832 > 26,900,000


def test_embargo_requires_licence_for_any_item(check) -> None:
    d = check("NVIDIA H20", "IR", "2024-06-01")
    assert d.license_required and d.reasons[0].citation.cfr == "15 CFR 746.7"
    assert check("NVIDIA L20", "RU", "2024-06-01").license_required


def test_entity_list_hit_requires_licence_and_blocks_exceptions(check) -> None:
    hit = PartyHit(party="Huawei", list="entity_list", listed_name="Huawei Technologies Co., Ltd.", score=1.0,
                   kind="license_required", detail="all items subject to the EAR",
                   citation=Citation(cfr="15 CFR 744.11", document="test entry", verification="P"),
                   review_policy="presumption_of_denial")
    d = check("NVIDIA H20", "CN", "2024-06-01", party_hits=(hit,))
    assert d.license_required and d.review_policy == "presumption_of_denial"
    d = check("NVIDIA GeForce RTX 4090", "CN", "2024-06-01", party_hits=(hit,))
    assert _names(d) == []


def test_end_use_controls(check) -> None:
    assert check("NVIDIA L20", "CN", "2024-06-01", end_uses=frozenset({"supercomputer"})).license_required
    assert not check("NVIDIA L20", "CN", "2024-06-01").license_required
    assert not check("NVIDIA L20", "DE", "2024-06-01", end_uses=frozenset({"supercomputer"})).license_required


def test_every_reason_is_cited(check) -> None:
    cases = [("NVIDIA H100 SXM5 80GB", "CN", "2024-06-01", {}), ("NVIDIA H20", "CN", "2025-05-01",
             {"exporter": "NVIDIA"}), ("NVIDIA H100 SXM5 80GB", "SG", "2024-06-01", {"end_user_hq": "CN"}),
             ("NVIDIA H100 SXM5 80GB", "IN", "2025-06-01", {}), ("NVIDIA H20", "IR", "2024-06-01", {})]
    for chip, to, day, kw in cases:
        for view in ("enforced", "as_written"):
            d = check(chip, to, day, view=view, **kw)
            for r in d.reasons:
                assert r.citation.short() and (r.citation.cfr or r.citation.fr), r
            for s in d.trace:
                assert s.citation.short(), s


def test_no_export_within_the_us(check) -> None:
    assert not check("NVIDIA H100 SXM5 80GB", "US", "2025-06-01", view="as_written").license_required


def test_2022_nvidia_letter_until_3a090_takes_over(check) -> None:
    assert check("NVIDIA H100 SXM5 80GB", "CN", "2022-10-10", exporter="NVIDIA").license_required
    assert not check("NVIDIA H100 SXM5 80GB", "CN", "2022-10-10").license_required   # binds NVIDIA only
    assert not check("NVIDIA A800 SXM4 80GB", "CN", "2022-10-10", exporter="NVIDIA").license_required  # I/O 464
    d = check("NVIDIA H100 SXM5 80GB", "CN", "2022-10-21", exporter="NVIDIA")
    assert [r.rule_id for r in d.reasons] == ["ear.742.6.a.6"]  # the rule, not the superseded letter
