"""epoch_additions.csv is generated: re-running scripts/build_catalog.py must reproduce it."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import io
import re
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHIPS_DIR = ROOT / "src" / "chipcontrol" / "catalog" / "chips"
EPOCH_SHA256 = "4588188a9df55d5a8021dd36bef144957884d94a8badbe5ab712bff485a9e95a"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_catalog", ROOT / "scripts" / "build_catalog.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def build() -> ModuleType:
    return _script()


def test_upstream_copy_is_unmodified() -> None:
    data = (CHIPS_DIR / "upstream" / "epoch_ml_hardware_2025-12.csv").read_bytes()
    assert hashlib.sha256(data).hexdigest() == EPOCH_SHA256


def test_regeneration_is_identical(build: ModuleType) -> None:
    text = build.render(build.build_rows(build.DEFAULT_EPOCH, build.DEFAULT_CHIPS))
    assert text == (CHIPS_DIR / "epoch_additions.csv").read_text(encoding="utf-8")
    assert build.main(["--check"]) == 0


def test_check_detects_drift(build: ModuleType, tmp_path: Path) -> None:
    stale = tmp_path / "epoch_additions.csv"
    stale.write_text((CHIPS_DIR / "epoch_additions.csv").read_text(encoding="utf-8") + "x\n")
    assert build.main(["--check", "--out", str(stale)]) == 1


def test_no_curated_chip_duplicated(build: ModuleType) -> None:
    rows = list(csv.DictReader(io.StringIO((CHIPS_DIR / "epoch_additions.csv").read_text(encoding="utf-8"))))
    names = {r["epoch_name"] for r in rows}
    assert not names & set(build.PRESENT)
    for must_be_absent in ("NVIDIA HGX H20", "NVIDIA H100 SXM5 80GB", "NVIDIA GH100", "Amazon Trainium1",
                           "AMD Radeon Instinct MI300", "Huawei Ascend 910B2", "NVIDIA A100"):
        assert must_be_absent not in names
    added = ("NVIDIA A100 SXM4 40 GB", "NVIDIA A10G", "Google TPU v3", "NVIDIA GeForce RTX 3090")
    for must_be_added in added:
        assert must_be_added in names
    with (CHIPS_DIR / "chips.csv").open(encoding="utf-8") as fh:
        curated = {re.sub(r"[^a-z0-9]", "", (r["vendor"] + r["model"]).lower()) for r in csv.DictReader(fh)}
    for r in rows:
        assert re.sub(r"[^a-z0-9]", "", (r["vendor"] + r["model"]).lower()) not in curated, r["epoch_name"]


def test_units_converted(build: ModuleType) -> None:
    with (CHIPS_DIR / "epoch_additions.csv").open(encoding="utf-8") as fh:
        rows = {r["epoch_name"]: r for r in csv.DictReader(fh)}
    a100 = rows["NVIDIA A100 SXM4 40 GB"]
    assert a100["fp16_tflops"] == a100["bf16_tflops"] == "312"
    assert a100["int8_tops"] == "624" and a100["fp32_tflops"] == "19.49"
    assert a100["memory_bandwidth_gbs"] == "1560" and a100["interconnect_bandwidth_gbs"] == "600"
    assert a100["epoch_tpp"] == "4992" and a100["release_year"] == "2020"
    assert a100["value_status"] == "E" and a100["datacenter"] == "true"
    assert rows["NVIDIA GeForce RTX 3090"]["datacenter"] == "false"
    assert rows["NVIDIA Rubin CPX"]["value_status"] == "E,U"
    assert "sparsity basis unclear" in rows["NVIDIA Rubin CPX"]["notes"]


@pytest.mark.parametrize(
    ("notes", "unclear"),
    [
        ("", False),
        ("Listed performance figures are without sparsity.", False),
        ("We divide performance by 2 to convert it from performance over sparse matrices", False),
        ("Figures quoted with sparsity.", True),
    ],
)
def test_sparsity_rule(build: ModuleType, notes: str, unclear: bool) -> None:
    assert (build.sparsity_unclear("Some Chip", notes) is not None) is unclear
    assert build.sparsity_unclear("NVIDIA Rubin CPX", "") is not None
