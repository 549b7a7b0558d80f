"""The CHIP name-matching contract (shared/acceptance/README.md), ported as facts."""

from __future__ import annotations

import pytest

from chipcontrol.catalog import Catalog, CatalogEntry, UnknownChipName
from chipcontrol.catalog.entries import entry_from_chips_row
from chipcontrol.errors import AmbiguousChip, UnknownChip


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


ACCEPTANCE_NAMES = [
    "NVIDIA A100 SXM4 80GB", "NVIDIA A800 SXM4 80GB", "NVIDIA H800 SXM5", "NVIDIA GeForce RTX 4090",
    "NVIDIA GeForce RTX 4090 D", "NVIDIA L40S", "NVIDIA L40", "NVIDIA L20", "NVIDIA H100 SXM5 80GB",
    "NVIDIA H200 SXM 141GB", "NVIDIA B200 (HGX, per GPU)", "NVIDIA L4",
]


@pytest.mark.parametrize("name", ACCEPTANCE_NAMES)
def test_acceptance_names_resolve_to_themselves(catalog: Catalog, name: str) -> None:
    assert catalog.lookup(name).key == name


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("NVIDIA H20", "NVIDIA H20 (HGX)"),
        ("h20", "NVIDIA H20 (HGX)"),
        ("nvidia-h20", "NVIDIA H20 (HGX)"),
        ("  NVIDIA   h20 (hgx) ", "NVIDIA H20 (HGX)"),
        ("nvidia l4", "NVIDIA L4"),
        ("L4", "NVIDIA L4"),
        ("h100 sxm5 80 gb", "NVIDIA H100 SXM5 80GB"),
        ("H100 SXM5 80GB", "NVIDIA H100 SXM5 80GB"),
        ("rtx 4090", "NVIDIA GeForce RTX 4090"),
        ("RTX 4090 D", "NVIDIA GeForce RTX 4090 D"),
        ("geforce rtx-4090d", "NVIDIA GeForce RTX 4090 D"),
        ("MI300X", "AMD Instinct MI300X"),
        ("amd mi300x", "AMD Instinct MI300X"),
        ("B200", "NVIDIA B200 (HGX, per GPU)"),
        ("B300", "NVIDIA B300 / Blackwell Ultra (HGX, per GPU)"),
        ("Gaudi 3", "Intel Gaudi 3 (HL-325L OAM)"),
        ("TPU v7", "Google TPU v7 (Ironwood)"),
        ("Radeon RX 7900 XTX", "AMD Radeon RX 7900 XTX"),
        ("NVIDIA Tesla T4", "NVIDIA Tesla T4"),
        ("T4", "NVIDIA Tesla T4"),
        ("A800 PCIe", "NVIDIA A800 PCIe 80GB"),  # chips.csv beats the Epoch 40 GB row
        ("A100 SXM4 40GB", "NVIDIA A100 SXM4 40 GB"),  # Epoch addition, unique
    ],
)
def test_forgiving_matches(catalog: Catalog, query: str, key: str) -> None:
    assert catalog.lookup(query).key == key


def test_exact_beats_longer_names(catalog: Catalog) -> None:
    assert catalog.lookup("NVIDIA L4").key == "NVIDIA L4"
    assert catalog.lookup("NVIDIA L40").key == "NVIDIA L40"
    assert catalog.lookup("NVIDIA L40S").key == "NVIDIA L40S"
    assert catalog.lookup("NVIDIA A10").key == "NVIDIA A10"


@pytest.mark.parametrize(
    ("query", "candidates"),
    [
        ("H100", ["NVIDIA H100 SXM5 80GB", "NVIDIA H100 PCIe 80GB", "NVIDIA H100 NVL (per GPU, 94GB)"]),
        ("A100", ["NVIDIA A100 SXM4 80GB", "NVIDIA A100 PCIe 80GB"]),
        ("H200", ["NVIDIA H200 SXM 141GB", "NVIDIA H200 NVL (per GPU)"]),
        ("4090", ["NVIDIA GeForce RTX 4090", "NVIDIA GeForce RTX 4090 D"]),
    ],
)
def test_ambiguous_lists_candidates(catalog: Catalog, query: str, candidates: list[str]) -> None:
    with pytest.raises(AmbiguousChip) as info:
        catalog.lookup(query)
    assert info.value.candidates == candidates
    assert info.value.code == "ambiguous_chip"
    assert "\n" not in str(info.value)


def test_unknown_suggests(catalog: Catalog) -> None:
    with pytest.raises(UnknownChip) as info:
        catalog.lookup("NVIDIA H2O")
    err = info.value
    assert isinstance(err, UnknownChipName)
    assert err.code == "unknown_chip"
    assert 0 < len(err.suggestions) <= 5
    assert err.suggestions[0] == "NVIDIA H20 (HGX)"
    assert "NVIDIA H20 (HGX)" in str(err)


@pytest.mark.parametrize("query", ["", "   ", "---", "zzqx 9999"])
def test_unknown_without_match(catalog: Catalog, query: str) -> None:
    with pytest.raises(UnknownChip):
        catalog.lookup(query)


def test_every_key_resolves_to_itself(catalog: Catalog) -> None:
    for entry in catalog.all():
        assert catalog.lookup(entry.key) is entry
        assert catalog.lookup(entry.key.lower()) is entry


def test_curated_model_names_resolve_without_vendor(catalog: Catalog) -> None:
    for entry in catalog.all():
        if entry.origin == "chips.csv":
            assert catalog.lookup(entry.model) is entry, entry.model


def test_search(catalog: Catalog) -> None:
    keys = [e.key for e in catalog.search("a100")]
    assert keys[:2] == ["NVIDIA A100 SXM4 80GB", "NVIDIA A100 PCIe 80GB"]
    assert [e.key for e in catalog.search("nvidia h20")] == [
        "NVIDIA H20 (HGX)", "NVIDIA H200 SXM 141GB", "NVIDIA H200 NVL (per GPU)",
        "NVIDIA GH200 Grace Hopper (Hopper GPU, 144GB HBM3e)",
    ]
    assert len(catalog.search("")) == len(catalog.all())
    assert catalog.search("no such chip") == []


def _row(vendor: str, model: str) -> CatalogEntry:
    return entry_from_chips_row({"vendor": vendor, "model": model, "fp16_tflops": "1"})


def test_small_catalogue_rules() -> None:
    cat = Catalog([_row("ACME", "X1"), _row("ACME", "X1 Pro"), _row("ACME", "Z9 (OAM)")])
    assert cat.lookup("x1").key == "ACME X1"
    assert cat.lookup("acme z9").key == "ACME Z9 (OAM)"
    with pytest.raises(AmbiguousChip):
        cat.lookup("acme")
    with pytest.raises(ValueError, match="duplicate"):
        Catalog([_row("ACME", "X1"), _row("ACME", "X1")])
