#!/usr/bin/env python3
"""Generate ``src/chipcontrol/catalog/chips/epoch_additions.csv`` from the Epoch AI export.

Keeps only the Epoch accelerators that are NOT already in ``chips.csv``. Matching is by an
explicit table (``PRESENT``) plus a normalised-name check; when in doubt a row counts as present.
Units: FLOP/s -> TFLOPS (1e12), byte/s -> GB/s (1e9), byte -> GB (1e9).

Data credit: Epoch AI, "Data on Machine Learning Hardware". Published online at epoch.ai.
Retrieved from https://epoch.ai/data/machine-learning-hardware. (CC BY 4.0)

Usage: python scripts/build_catalog.py [--epoch PATH] [--chips PATH] [--out PATH] [--check]
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHIPS_DIR = ROOT / "src" / "chipcontrol" / "catalog" / "chips"
DEFAULT_EPOCH = CHIPS_DIR / "upstream" / "epoch_ml_hardware_2025-12.csv"  # unmodified copy
DEFAULT_CHIPS = CHIPS_DIR / "chips.csv"
DEFAULT_OUT = CHIPS_DIR / "epoch_additions.csv"
EPOCH_PAGE = "https://epoch.ai/data/machine-learning-hardware"

# Epoch name -> chips.csv key (vendor + " " + model) it duplicates. Generic names (no memory size,
# die names) count as present: when in doubt, the curated chips.csv row is the one to use.
PRESENT: dict[str, str] = {
    "Amazon Trainium3": "AWS Trainium3",
    "Google TPU v7 Ironwood": "Google TPU v7 (Ironwood)",
    "NVIDIA GB300 (Blackwell Ultra)": "NVIDIA GB300 (per Blackwell Ultra GPU)",
    "NVIDIA B300 (Blackwell Ultra)": "NVIDIA B300 / Blackwell Ultra (HGX, per GPU)",
    "AMD Instinct MI355X": "AMD Instinct MI355X",
    "AMD Instinct MI350X": "AMD Instinct MI350X",
    "NVIDIA GB200": "NVIDIA GB200 (per Blackwell GPU)",
    "Amazon Trainium2": "AWS Trainium2",
    "NVIDIA H200 SXM": "NVIDIA H200 SXM 141GB",
    "NVIDIA B100": "NVIDIA B100",
    "NVIDIA B200": "NVIDIA B200 (HGX, per GPU)",
    "Huawei Ascend 910C": "Huawei Ascend 910C",
    "AMD Instinct MI325X": "AMD Instinct MI325X",
    "Intel Habana Gaudi3": "Intel Gaudi 3 (HL-325L OAM)",
    "Maia 100 (M100)": "Microsoft Maia 100",
    "Google TPU v6e Trillium": "Google TPU v6e (Trillium)",
    "Meta MTIA v2": "Meta MTIA v2",
    "NVIDIA H100 NVL": "NVIDIA H100 NVL (per GPU, 94GB)",
    "MTT S4000": "Moore Threads MTT S4000",
    "Google TPU v5p": "Google TPU v5p",
    "AMD Instinct MI300X": "AMD Instinct MI300X",
    "AMD Radeon Instinct MI308X": "AMD Instinct MI308X",
    "NVIDIA HGX H20": "NVIDIA H20 (HGX)",
    "NVIDIA L2 PCle": "NVIDIA L2",
    "NVIDIA L20 PCle": "NVIDIA L20",
    "Google TPU v5e": "Google TPU v5e",
    "NVIDIA GH200": "NVIDIA GH200 Grace Hopper (Hopper GPU, 144GB HBM3e)",
    "NVIDIA H800 SXM5": "NVIDIA H800 SXM5",
    "NVIDIA GH100": "NVIDIA H100 SXM5 80GB",  # the H100 die; same figures as H100 SXM
    "NVIDIA L4": "NVIDIA L4",
    "Intel Data Center GPU Max 1550": "Intel Data Center GPU Max 1550",
    "AMD Radeon Instinct MI300": "AMD Instinct MI300X",  # generic name; figures copy MI250X
    "AMD Instinct MI300A": "AMD Instinct MI300A",
    "NVIDIA RTX 6000 Ada Generation": "NVIDIA RTX 6000 Ada Generation",
    "AMD Radeon RX 7900 XTX": "AMD Radeon RX 7900 XTX",
    "NVIDIA A800 PCIe 80 GB": "NVIDIA A800 PCIe 80GB",
    "Amazon Trainium1": "AWS Trainium (Trn1)",
    "NVIDIA L40": "NVIDIA L40",
    "NVIDIA H100 PCIe": "NVIDIA H100 PCIe 80GB",
    "NVIDIA GeForce RTX 4090": "NVIDIA GeForce RTX 4090",
    "NVIDIA H100 SXM5 80GB": "NVIDIA H100 SXM5 80GB",
    "Biren BR100": "Biren BR100",
    "NVIDIA A800 SXM": "NVIDIA A800 SXM4 80GB",  # memory size not stated
    "Intel Habana Gaudi2": "Intel Gaudi 2 (HL-225H OAM)",
    "Cambricon MLU370-X8": "Cambricon MLU370-X8",
    "Huawei Ascend 910B": "Huawei Ascend 910B (910B2)",
    "Huawei Ascend 910B2": "Huawei Ascend 910B (910B2)",
    "AMD Radeon Instinct MI250X": "AMD Instinct MI250X",
    "Google TPU v4": "Google TPU v4",
    "NVIDIA A10 PCIe": "NVIDIA A10",
    "Cambricon MLU290-M5": "Cambricon MLU290-M5",
    "NVIDIA A100 SXM4 80 GB": "NVIDIA A100 SXM4 80GB",
    "NVIDIA A40 PCIe": "NVIDIA A40",
    "NVIDIA A100 PCIe": "NVIDIA A100 PCIe 80GB",  # memory size not stated
    "NVIDIA A100": "NVIDIA A100 SXM4 80GB",  # generic name
    "NVIDIA Tesla T4": "NVIDIA Tesla T4",
    "NVIDIA Tesla V100 SXM2 32 GB": "NVIDIA Tesla V100 SXM2 32GB",
    "NVIDIA Tesla V100 SXM2": "NVIDIA Tesla V100 SXM2 32GB",  # memory size not stated
    "NVIDIA V100": "NVIDIA Tesla V100 SXM2 32GB",  # generic name
}

# Rows whose tensor figures may include sparsity (Epoch's notes do not settle it): kept, marked U.
SPARSITY_UNCLEAR: dict[str, str] = {
    "NVIDIA Rubin CPX": "announced 30 PFLOPS NVFP4; dense/sparse basis not stated in Epoch's row",
}

CONSUMER_WORDS = ("geforce", "radeon rx", "titan", "quadro", "rtx a4000", "rtx a5000", "rtx a6000", "apple")
PRODUCT_LINE_WORDS = {"geforce", "instinct", "tesla", "radeon", "habana"}

COLUMNS = [
    "vendor", "model", "epoch_name", "release_date", "release_year", "datacenter", "datacenter_basis",
    "fp64_tflops", "fp32_tflops", "tf32_tflops", "fp16_tflops", "bf16_tflops", "fp8_tflops", "int8_tops",
    "int4_tops", "fp4_tflops", "die_area_mm2", "memory_gb", "memory_bandwidth_gbs",
    "interconnect_bandwidth_gbs", "tdp_w", "process_node", "epoch_tpp", "value_status", "source_urls",
    "notes",
]

RATE_COLUMNS = {
    "fp64_tflops": "FP64 (double precision) performance (FLOP/s)",
    "fp32_tflops": "FP32 (single precision) performance (FLOP/s)",
    "tf32_tflops": "TF32 (TensorFloat-32) performance (FLOP/s)",
    "fp8_tflops": "FP8 performance (FLOP/s)",
    "int8_tops": "INT8 performance (OP/s)",
    "int4_tops": "INT4 performance (OP/s)",
    "fp4_tflops": "FP4 performance (FLOP/s)",
}
TENSOR16 = "Tensor-FP16/BF16 performance (FLOP/s)"
VECTOR16 = "FP16 (half precision) performance (FLOP/s)"


def compact(name: str) -> str:
    """Lower-case alphanumerics only, without product-line words; 'PCle' typo read as 'PCIe'."""
    words = re.findall(r"[a-z0-9]+", name.lower().replace("pcle", "pcie"))
    return "".join(w for w in words if w not in PRODUCT_LINE_WORDS)


def _num(text: str) -> float | None:
    text = text.strip()
    return float(text) if text else None


def fmt(value: float | None, scale: float = 1.0) -> str:
    """Scale and print without float noise; blank for unknown."""
    if value is None:
        return ""
    return format(round(value / scale, 6), ".12g")


def _vendor_model(name: str, manufacturer: str) -> tuple[str, str]:
    first, _, rest = name.partition(" ")
    if manufacturer and rest and first.lower() in manufacturer.lower().split():
        return manufacturer, rest
    return manufacturer, name


def _datacenter(name: str, kind: str) -> tuple[str, str]:
    low = name.lower()
    for word in CONSUMER_WORDS:
        if word in low:
            return "false", f"inferred: name contains {word!r} (consumer/workstation)"
    return "true", f"inferred: Epoch type {kind or 'blank'!r}, no consumer product-line word"


def sparsity_unclear(name: str, epoch_notes: str) -> str | None:
    """Why a row's tensor figures may include sparsity, or ``None`` when they read as dense."""
    if name in SPARSITY_UNCLEAR:
        return SPARSITY_UNCLEAR[name]
    low = epoch_notes.lower()
    if "spars" in low and not ("without sparsity" in low or "divide performance by 2" in low):
        return "Epoch notes mention sparsity without saying the figures are dense"
    return None


def chips_keys(chips_csv: Path) -> set[str]:
    """Keys (vendor + ' ' + model) of the curated catalogue."""
    with chips_csv.open(newline="", encoding="utf-8") as fh:
        return {f"{r['vendor']} {r['model']}" for r in csv.DictReader(fh)}


def _present_aliases(keys: set[str]) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for key in keys:
        base = re.sub(r"\([^)]*\)", " ", key)
        for variant in (key, base, key.split(" ", 1)[1], base.split(" ", 1)[1]):
            aliases.setdefault(compact(variant), key)
    return aliases


def build_rows(epoch_csv: Path, chips_csv: Path) -> list[dict[str, str]]:
    """The Epoch rows not in chips.csv, converted to catalogue units."""
    keys = chips_keys(chips_csv)
    missing = sorted(v for v in PRESENT.values() if v not in keys)
    if missing:
        raise SystemExit(f"PRESENT maps to keys not in chips.csv: {missing}")
    aliases = _present_aliases(keys)
    out: list[dict[str, str]] = []
    with epoch_csv.open(newline="", encoding="utf-8") as fh:
        epoch_rows = list(csv.DictReader(fh))
    unused = set(PRESENT) - {r["Hardware name"] for r in epoch_rows}
    if unused:
        raise SystemExit(f"PRESENT names not in the Epoch file: {sorted(unused)}")
    for r in epoch_rows:
        name = r["Hardware name"].strip()
        if name in PRESENT:
            continue
        vendor, model = _vendor_model(name, r["Manufacturer"].strip())
        if compact(name) in aliases or compact(model) in aliases:
            continue  # same normalised name as a curated row: treat as present
        row = {c: "" for c in COLUMNS}
        row.update(vendor=vendor, model=model, epoch_name=name)
        date = r["Release date"].strip()
        row["release_date"] = date
        row["release_year"] = date[:4] if date else ""
        row["datacenter"], row["datacenter_basis"] = _datacenter(name, r["Type"].strip())
        for col, src in RATE_COLUMNS.items():
            row[col] = fmt(_num(r[src]), 1e12)
        notes: list[str] = []
        tensor, vector = _num(r[TENSOR16]), _num(r[VECTOR16])
        if tensor is not None:
            row["fp16_tflops"] = row["bf16_tflops"] = fmt(tensor, 1e12)
        elif vector is not None:
            row["fp16_tflops"] = fmt(vector, 1e12)
            notes.append("fp16 from Epoch's non-tensor FP16 column (no tensor figure)")
        row["die_area_mm2"] = fmt(_num(r["Die Size (mm^2)"]))
        row["memory_gb"] = fmt(_num(r["Memory size per board (Byte)"]), 1e9)
        row["memory_bandwidth_gbs"] = fmt(_num(r["Memory bandwidth (byte/s)"]), 1e9)
        row["interconnect_bandwidth_gbs"] = fmt(_num(r["Intranode bandwidth (byte/s)"]), 1e9)
        row["tdp_w"] = fmt(_num(r["TDP (W)"]))
        nm = _num(r["Process size (nm)"])
        row["process_node"] = f"{fmt(nm)} nm" if nm is not None else ""
        row["epoch_tpp"] = fmt(_num(r["Total processing performance (bit-OP/s)"]), 1e12)
        status = ["E"]
        epoch_notes = " ".join(r["Notes"].split())
        unclear = sparsity_unclear(name, epoch_notes)
        if unclear:
            status.append("U")
            notes.append(f"sparsity basis unclear: {unclear}")
        if not date:
            status.append("U")
            notes.append("no release date in Epoch (announced/unreleased or undated)")
        row["value_status"] = ",".join(dict.fromkeys(status))
        urls = r["Link to datasheet"].split()
        row["source_urls"] = ";".join([*urls, EPOCH_PAGE])
        notes.append(f"datacenter flag {row['datacenter_basis']}")
        if epoch_notes:
            notes.append(f"Epoch notes: {epoch_notes}")
        row["notes"] = "; ".join(notes)
        out.append(row)
    return out


def render(rows: list[dict[str, str]]) -> str:
    """CSV text (LF line endings) for the rows."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epoch", type=Path, default=DEFAULT_EPOCH)
    parser.add_argument("--chips", type=Path, default=DEFAULT_CHIPS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="fail if --out differs; write nothing")
    args = parser.parse_args(argv)
    text = render(build_rows(args.epoch, args.chips))
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date; re-run scripts/build_catalog.py", file=sys.stderr)
            return 1
        return 0
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({text.count(chr(10)) - 1} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
