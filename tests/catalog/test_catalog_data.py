"""Catalogue data: every chips.csv row loads faithfully; derived fields follow the documented rules."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from importlib import resources

import pytest

from chipcontrol.catalog import ORIGIN_CHIPS, ORIGIN_EPOCH, REPORTED_TPP_SOURCE, Catalog, CatalogEntry
from chipcontrol.model.spec import PRECISION_BITS

CHIPS_SHA256 = "bdc8fea92f2c5d2378f6346d3f07c165876a13e1ade63aa5fc19b23eabd1a62e"
PRECISION_OF_COLUMN = {
    "fp64_tflops": "fp64", "fp32_tflops": "fp32", "tf32_tflops": "tf32", "fp16_tflops": "fp16",
    "bf16_tflops": "bf16", "fp8_tflops": "fp8", "int8_tops": "int8",
}


def _chips_text() -> str:
    return resources.files("chipcontrol.catalog").joinpath("chips", "chips.csv").read_text(encoding="utf-8")


def _chips_rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_chips_text())))


def _tpp(entry: CatalogEntry) -> float | None:
    """TPP from the spec's rates: max over precisions of rate x bits, TF32 excluded."""
    values = [v * PRECISION_BITS[p] for p, v in entry.spec.dense_tops.items() if p != "tf32"]
    return max(values) if values else None


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


@pytest.fixture(scope="module")
def curated(catalog: Catalog) -> list[CatalogEntry]:
    return [e for e in catalog.all() if e.origin == ORIGIN_CHIPS]


def test_bundled_chips_csv_is_the_research_copy() -> None:
    assert hashlib.sha256(_chips_text().encode("utf-8")).hexdigest() == CHIPS_SHA256


def test_all_72_rows_load_in_order(curated: list[CatalogEntry]) -> None:
    rows = _chips_rows()
    assert len(rows) == 72
    assert [e.key for e in curated] == [f"{r['vendor']} {r['model']}" for r in rows]


def test_load_is_cached() -> None:
    assert Catalog.load() is Catalog.load()


def test_keys_unique_and_curated_first(catalog: Catalog) -> None:
    keys = [e.key for e in catalog.all()]
    assert len(keys) == len(set(keys))
    origins = [e.origin for e in catalog.all()]
    assert origins == sorted(origins, key=lambda o: o != ORIGIN_CHIPS)
    assert ORIGIN_EPOCH in origins


def test_every_row_keeps_sources_and_status(curated: list[CatalogEntry]) -> None:
    without_sources = set()
    for row, entry in zip(_chips_rows(), curated, strict=True):
        urls = tuple(u.strip() for u in row["source_urls"].split(";") if u.strip())
        if not urls:
            without_sources.add(entry.key)
        assert entry.source_urls == urls == entry.spec.sources
        assert row["value_status"].strip()
        assert entry.value_status == entry.spec.value_status == row["value_status"]
        assert set(entry.value_status.split(",")) <= {"V", "E", "D", "R", "U"}
    # the one row with no public specification at all (value_status U, every field blank)
    assert without_sources == {"Cambricon MLU590"}


def test_rates_copied_blank_means_absent(curated: list[CatalogEntry]) -> None:
    for row, entry in zip(_chips_rows(), curated, strict=True):
        for column, precision in PRECISION_OF_COLUMN.items():
            if row[column].strip():
                assert entry.spec.dense_tops[precision] == float(row[column]), (entry.key, column)
            else:
                assert precision not in entry.spec.dense_tops, (entry.key, column)
        assert all(v > 0 for v in entry.spec.dense_tops.values()), entry.key


@pytest.mark.parametrize(
    ("key", "precision", "value"),
    [
        ("NVIDIA A100 SXM4 80GB", "int4", 1248.0),
        ("NVIDIA Tesla T4", "int4", 260.0),
        ("NVIDIA B200 (HGX, per GPU)", "fp4", 9000.0),
        ("NVIDIA GB300 (per Blackwell Ultra GPU)", "fp4", 15000.0),
        ("AMD Instinct MI355X", "fp4", 10066.3),
        ("AWS Trainium3", "fp4", 2517.0),
    ],
)
def test_fp4_int4_split(catalog: Catalog, key: str, precision: str, value: float) -> None:
    entry = catalog.get(key)
    assert entry is not None
    assert entry.spec.dense_tops[precision] == pytest.approx(value)
    other = "fp4" if precision == "int4" else "int4"
    assert other not in entry.spec.dense_tops


@pytest.mark.parametrize(
    ("key", "io_gbs"),
    [
        ("NVIDIA A100 SXM4 80GB", 664.0),  # 600 NVLink + 64 PCIe Gen4 (known_outcomes 3.1)
        ("NVIDIA A800 SXM4 80GB", 464.0),  # 400 + 64
        ("NVIDIA H800 SXM5", 528.0),  # 400 + 128
        ("NVIDIA H100 SXM5 80GB", 1028.0),
        ("NVIDIA GeForce RTX 4090", 64.0),  # PCIe only
        ("NVIDIA GH200 Grace Hopper (Hopper GPU, 144GB HBM3e)", 900.0),  # no PCIe figure
        ("NVIDIA B30A (China Blackwell, reported)", None),  # both unknown
    ],
)
def test_io_bandwidth_is_interconnect_plus_host_io(catalog: Catalog, key: str, io_gbs: float | None) -> None:
    entry = catalog.get(key)
    assert entry is not None
    assert entry.spec.io_bandwidth_gbs == io_gbs


def test_io_bandwidth_rule_for_all_rows(curated: list[CatalogEntry]) -> None:
    for entry in curated:
        parts = [p for p in (entry.spec.interconnect_bandwidth_gbs, entry.host_io_bidir_gbs) if p is not None]
        assert entry.spec.io_bandwidth_gbs == (sum(parts) if parts else None), entry.key


def test_reported_tpp_only_where_rates_are_incomplete(curated: list[CatalogEntry]) -> None:
    with_reported = {e.key: e.spec.reported_tpp for e in curated if e.spec.reported_tpp is not None}
    assert with_reported == {"NVIDIA GeForce RTX 4090 D": 4707.0}
    entry = next(e for e in curated if e.key == "NVIDIA GeForce RTX 4090 D")
    assert entry.spec.reported_tpp_source == REPORTED_TPP_SOURCE
    assert all(e.spec.reported_tpp_source == "" for e in curated if e.spec.reported_tpp is None)


def test_csv_tpp_matches_rates_where_no_reported_tpp(curated: list[CatalogEntry]) -> None:
    checked = 0
    for entry in curated:
        if entry.spec.reported_tpp is None and entry.csv_tpp is not None:
            computed = _tpp(entry)
            assert computed is not None, entry.key
            assert computed == pytest.approx(entry.csv_tpp, abs=0.5), entry.key
            checked += 1
    assert checked >= 60


def test_rows_without_any_tpp_have_no_rates(curated: list[CatalogEntry]) -> None:
    blank = {e.key for e in curated if e.csv_tpp is None}
    assert "NVIDIA B30A (China Blackwell, reported)" in blank
    assert all(_tpp(e) is None for e in curated if e.key in blank)


def test_scalar_fields(catalog: Catalog) -> None:
    e = catalog.get("NVIDIA H20 (HGX)")
    assert e is not None
    s = e.spec
    assert (s.name, s.vendor, s.display_name) == ("H20 (HGX)", "NVIDIA", "NVIDIA H20 (HGX)")
    assert s.datacenter is True and s.item_type == "ic"
    assert s.die_area_mm2 == 814.0 and s.memory_bandwidth_gbs == 4000.0
    assert s.interconnect_bandwidth_gbs == 900.0
    assert s.commercially_available_in_us_on is None
    assert s.release_year == e.release_year == 2024
    assert e.csv_tpp == 2368.0 and e.csv_pd == pytest.approx(2.909)
    rtx = catalog.get("NVIDIA GeForce RTX 4090")
    assert rtx is not None and rtx.spec.datacenter is False
    trn = catalog.get("AWS Trainium2")
    assert trn is not None and trn.tpp_if_tf32_32bit == 21344.0


def test_epoch_rows_are_marked(catalog: Catalog) -> None:
    epoch = [e for e in catalog.all() if e.origin == ORIGIN_EPOCH]
    assert epoch
    for e in epoch:
        assert "E" in e.value_status.split(","), e.key
        assert e.spec.reported_tpp is None
        assert "https://epoch.ai/data/machine-learning-hardware" in e.source_urls
        assert re.search(r"datacenter flag inferred", e.notes), e.key
    a800 = catalog.get("NVIDIA A800 PCIe 40 GB")
    assert a800 is not None
    assert a800.spec.dense_tops["fp16"] == 311.8 and a800.spec.memory_bandwidth_gbs == 1560.0
    gtx = catalog.get("NVIDIA GeForce GTX 1080")
    assert gtx is not None and gtx.spec.datacenter is False
