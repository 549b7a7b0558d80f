"""Classification under 3A090/4A090 on each side of every threshold and effective date.

Known outcomes (facts copied from the shared acceptance cases and known_outcomes.md) come first.
"""

from __future__ import annotations

import datetime as dt

import pytest

from chipcontrol.catalog import Catalog
from chipcontrol.model.spec import ChipSpec
from chipcontrol.rules.ear.eccn_3a090 import classify


def _cat(name: str) -> ChipSpec:
    return Catalog.load().lookup(name).spec


# (chip, date, expected paragraph) -- acceptance cases and known outcomes O1, O5, O6, O8, O10-O13
KNOWN = [
    ("NVIDIA A100 SXM4 80GB", "2023-06-01", "3A090.a"),
    ("NVIDIA A800 SXM4 80GB", "2023-06-01", None),
    ("NVIDIA H800 SXM5", "2023-06-01", None),
    ("NVIDIA A800 SXM4 80GB", "2024-01-01", "3A090.a"),
    ("NVIDIA GeForce RTX 4090", "2024-01-01", "3A090.a"),
    ("NVIDIA GeForce RTX 4090 D", "2024-01-01", None),
    ("NVIDIA L40S", "2024-01-01", "3A090.a"),
    ("NVIDIA L40", "2024-01-01", "3A090.b"),
    ("NVIDIA H20", "2024-06-01", None),
    ("NVIDIA L20", "2024-06-01", None),
    ("NVIDIA L4", "2024-06-01", "3A090.a"),          # O13: density prong a.2
    ("NVIDIA A30", "2024-06-01", "3A090.b"),
    ("NVIDIA A40", "2024-06-01", "3A090.b"),         # b.2: TPP 2395 < 2400 but PD >= 3.2
    ("NVIDIA GeForce RTX 5090 D", "2025-06-01", None),   # O19: 4750 < 4800, consumer
    ("NVIDIA GeForce RTX 4090", "2023-06-01", None),     # 2022 test: PCIe I/O only (64 GB/s)
    ("AMD Instinct MI250X", "2023-06-01", "3A090.a"),
    ("Intel Gaudi 2 HL-225B (China)", "2023-06-01", None),  # O7: 525 + 64 < 600
]


@pytest.mark.parametrize(("chip", "day", "expected"), KNOWN)
def test_known_outcomes(chip: str, day: str, expected: str | None, ctx) -> None:
    c = classify(_cat(chip), ctx(day))
    assert c.paragraph == expected, [f"{s.rule_id}: {s.answer}" for s in c.trace]
    assert not c.indeterminate


def test_tpp_anchor_exactly_4800_is_inclusive(ctx, spec) -> None:
    c = classify(spec(dense_tops={"int8": 600.0}, die_area_mm2=1000.0), ctx("2024-06-01"))
    assert (c.paragraph, c.subparagraph, c.tpp) == ("3A090.a", "3A090.a.1", 4800)
    assert c.near_thresholds  # flagged as within 1 %


def test_sparsity_is_not_counted(ctx, spec) -> None:
    c = classify(spec(dense_tops={"fp8": 290.0}, die_area_mm2=900.0), ctx("2024-06-01"))
    assert c.paragraph is None and c.tpp == 2320


def _tpp(value: float) -> dict[str, float]:
    return {"fp16": value / 16}


# boundaries on both sides of each 2023 threshold, datacenter ICs; area chosen to put PD where wanted
@pytest.mark.parametrize(("tpp", "pd", "expected"), [
    (4800, 1.0, "3A090.a.1"), (4799.9, 1.0, None),            # 4800
    (2400, 1.6, "3A090.b.1"), (2399.9, 1.6, None),            # 2400 (with PD at 1.6)
    (2400, 1.5999, None),                                     # 1.6
    (3000, 5.92, "3A090.a.2"), (3000, 5.9199, "3A090.b.1"),   # 5.92
    (1600, 5.92, "3A090.a.2"), (1599.9, 5.92, None),          # 1600 for a.2
    (1600, 3.2, "3A090.b.2"), (1600, 3.1999, None),           # 3.2 and 1600 for b.2
    (2000, 3.2, "3A090.b.2"), (2000, 3.1999, None),
])
def test_2023_thresholds(tpp: float, pd: float, expected: str | None, ctx, spec) -> None:
    c = classify(spec(dense_tops=_tpp(tpp), die_area_mm2=tpp / pd), ctx("2024-06-01"))
    assert c.subparagraph == expected, [f"{s.rule_id}: {s.answer}" for s in c.trace]


@pytest.mark.parametrize(("tops", "io", "expected"), [
    (4800, 600, "3A090.a"), (4800, 599.9, None), (4799.9, 600, None), (4800, 900, "3A090.a")])
def test_2022_thresholds(tops: float, io: float, expected: str | None, ctx, spec) -> None:
    c = classify(spec(dense_tops=_tpp(tops), io_bandwidth_gbs=io), ctx("2023-06-01"))
    assert c.paragraph == expected


def test_io_test_boundary_acceptance_case(ctx, spec) -> None:
    c = classify(spec(dense_tops={"fp16": 312.0}, io_bandwidth_gbs=600.0, die_area_mm2=None), ctx("2023-06-01"))
    assert c.paragraph == "3A090.a"


def test_non_datacenter_density_prongs_do_not_apply(ctx, spec) -> None:
    # RTX 4090 D pattern: PD 7.7 but not a datacenter part and TPP < 4800 -> Note 2
    c = classify(spec(datacenter=False, dense_tops=_tpp(4707), die_area_mm2=609.0), ctx("2024-06-01"))
    assert c.paragraph is None
    assert any(s.rule_id.endswith("note2") and s.answer == "yes" for s in c.trace)
    c = classify(spec(datacenter=False, dense_tops=_tpp(4800), die_area_mm2=609.0), ctx("2024-06-01"))
    assert c.paragraph == "3A090.a"


@pytest.mark.parametrize(("day", "a800", "l40"), [
    ("2022-10-20", None, None),         # 3A090 not yet in force (effective 2022-10-21)
    ("2022-10-21", None, None),         # 2022 test: A800 fails on I/O; L40 fails on TPP
    ("2023-11-16", None, None),
    ("2023-11-17", "3A090.a", "3A090.b"),
])
def test_effective_dates(day: str, a800: str | None, l40: str | None, ctx) -> None:
    assert classify(_cat("NVIDIA A800 SXM4 80GB"), ctx(day)).paragraph == a800
    assert classify(_cat("NVIDIA L40"), ctx(day)).paragraph == l40


def test_a100_before_and_on_2022_effective_date(ctx) -> None:
    a100 = _cat("NVIDIA A100 SXM4 80GB")
    assert classify(a100, ctx("2022-10-20")).paragraph is None
    assert classify(a100, ctx("2022-10-21")).paragraph == "3A090.a"


def test_hbm_3a090c_effective_2024_12_02(ctx) -> None:
    hbm = ChipSpec(name="HBM3E stack", item_type="hbm", memory_bandwidth_density=3.0)
    assert classify(hbm, ctx("2024-12-01")).paragraph is None
    assert classify(hbm, ctx("2024-12-02")).paragraph == "3A090.c"
    low = ChipSpec(name="old HBM", item_type="hbm", memory_bandwidth_density=2.0)
    assert classify(low, ctx("2025-06-01")).paragraph is None  # "greater than 2"
    above = ChipSpec(name="HBM", item_type="hbm", memory_bandwidth_density=2.0001)
    assert classify(above, ctx("2025-06-01")).paragraph == "3A090.c"


def test_missing_die_area_is_indeterminate_not_a_guess(ctx, spec) -> None:
    c = classify(spec(dense_tops=_tpp(3000), die_area_mm2=None), ctx("2024-06-01"))
    assert c.paragraph is None and c.indeterminate and "die_area_mm2" in c.missing
    assert any(s.status == "indeterminate" for s in c.trace)
    # but a TPP >= 4800 decides without the die area
    c = classify(spec(dense_tops=_tpp(5000), die_area_mm2=None), ctx("2024-06-01"))
    assert c.paragraph == "3A090.a" and not c.indeterminate


def test_unknown_datacenter_flag_is_indeterminate_when_it_decides(ctx, spec) -> None:
    c = classify(spec(datacenter=None, dense_tops=_tpp(3000), die_area_mm2=1000.0), ctx("2024-06-01"))
    assert c.indeterminate and "datacenter" in c.missing and c.paragraph is None
    c = classify(spec(datacenter=None, dense_tops=_tpp(1000), die_area_mm2=1000.0), ctx("2024-06-01"))
    assert not c.indeterminate and c.paragraph is None


def test_missing_io_is_indeterminate_in_2022(ctx, spec) -> None:
    c = classify(spec(dense_tops=_tpp(6000), io_bandwidth_gbs=None), ctx("2023-06-01"))
    assert c.indeterminate and "io_bandwidth_gbs" in c.missing


def test_computer_with_eight_gpus_is_4a090(ctx) -> None:
    server = ChipSpec(name="HGX H100 8-GPU", item_type="computer", accelerator=_cat("NVIDIA H100 SXM5 80GB"),
                      accelerator_count=8, datacenter=True)
    c = classify(server, ctx("2024-06-01"))
    assert c.paragraph == "4A090.a" and c.contained_paragraph == "3A090.a.1"
    assert "4A003.z" in c.z_equivalents
    l40_server = ChipSpec(name="L40 server", item_type="computer", accelerator=_cat("NVIDIA L40"), accelerator_count=8)
    assert classify(l40_server, ctx("2024-06-01")).paragraph == "4A090.b"
    assert classify(l40_server, ctx("2023-06-01")).paragraph is None


def test_z_paragraphs_split_from_2025_01_13(ctx) -> None:
    h100 = _cat("NVIDIA H100 SXM5 80GB")
    assert classify(h100, ctx("2023-11-16")).z_equivalents == ()
    assert classify(h100, ctx("2024-06-01")).z_equivalents == ("3A001.z", "5A992.z")
    assert classify(h100, ctx("2025-01-13")).z_equivalents == ("3A001.z.1.a", "5A992.z.1")


def test_every_step_is_cited(ctx) -> None:
    for name in ("NVIDIA H20", "NVIDIA L40", "NVIDIA A100 SXM4 80GB"):
        for day in ("2022-10-10", "2023-06-01", "2024-06-01", "2025-06-01"):
            for s in classify(_cat(name), ctx(day)).trace:
                assert s.citation.short() and (s.citation.cfr or s.citation.fr or s.citation.document), s


def test_tf32_interpretation_setting(ctx) -> None:
    trn1 = _cat("AWS Trainium (Trn1)")
    assert classify(trn1, ctx("2024-06-01"), "exclude").tpp == pytest.approx(3040)
    assert classify(trn1, ctx("2024-06-01"), "19").tpp == pytest.approx(3610)
    c32 = classify(trn1, ctx("2024-06-01"), "32")
    assert c32.tpp == pytest.approx(6080) and c32.paragraph == "3A090.a"
    assert any("TF32 at 32 bits" in s.detail for s in classify(trn1, ctx("2024-06-01")).trace)


def test_rule_version_named(ctx) -> None:
    h20 = _cat("NVIDIA H20")
    assert classify(h20, ctx("2023-06-01")).rule_version == "ear-2022-10-21"
    assert classify(h20, ctx("2024-06-01")).rule_version == "ear-2023-11-17"
    assert classify(h20, ctx("2025-02-01")).rule_version == "ear-2025-01-16-foundry"
    assert classify(h20, ctx("2025-01-14")).rule_version == "ear-2025-01-13-ai-diffusion"
    assert dt.date(2025, 2, 1) == classify(h20, ctx("2025-02-01")).as_of
