"""Catalogue rows: ``chips.csv`` (curated) and ``epoch_additions.csv`` (generated) -> ``CatalogEntry``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from chipcontrol.model.spec import PRECISION_BITS, ChipSpec

ORIGIN_CHIPS = "chips.csv"
ORIGIN_EPOCH = "epoch"

# A published TPP is kept only when it exceeds what the row's own rates give by more than this.
REPORTED_TPP_TOLERANCE = 0.005
REPORTED_TPP_SOURCE = "published TPP in chips.csv; per-precision rates incomplete"

# chips.csv column -> precision
_CSV_RATES = {
    "fp64_tflops": "fp64", "fp32_tflops": "fp32", "tf32_tflops": "tf32", "fp16_tflops": "fp16",
    "bf16_tflops": "bf16", "fp8_tflops": "fp8", "int8_tops": "int8",
}
# epoch_additions.csv column -> precision
_EPOCH_RATES = {**_CSV_RATES, "int4_tops": "int4", "fp4_tflops": "fp4"}


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One catalogue item: the spec the engine uses plus the row's bookkeeping columns."""

    spec: ChipSpec
    key: str
    vendor: str
    model: str
    origin: str
    csv_tpp: float | None = None
    csv_pd: float | None = None
    tpp_if_tf32_32bit: float | None = None
    epoch_tpp: float | None = None
    value_status: str = ""
    source_urls: tuple[str, ...] = ()
    notes: str = ""
    form_factor: str = ""
    release_year: int | None = None
    memory_gb: float | None = None
    tdp_w: float | None = None
    process_node: str = ""
    logic_dies: str = ""
    host_io_bidir_gbs: float | None = None


def make_key(vendor: str, model: str) -> str:
    """Catalogue name: vendor + ' ' + model (model alone when the vendor is unknown)."""
    return f"{vendor} {model}" if vendor else model


def num(text: str | None) -> float | None:
    """Parse a numeric cell; blank means unknown (``None``), never zero."""
    if text is None or not text.strip():
        return None
    return float(text)


def _int(text: str | None) -> int | None:
    value = num(text)
    return None if value is None else int(value)


def _bool(text: str | None) -> bool | None:
    value = (text or "").strip().lower()
    if value in ("true", "yes", "1"):
        return True
    if value in ("false", "no", "0"):
        return False
    return None


def _sources(text: str | None) -> tuple[str, ...]:
    return tuple(s.strip() for s in (text or "").split(";") if s.strip())


def rates_tpp(dense_tops: Mapping[str, float]) -> float | None:
    """Max over precisions of rate x bit length (TF32 excluded); ``None`` with no usable rate."""
    values = [v * PRECISION_BITS[p] for p, v in dense_tops.items() if p in PRECISION_BITS]
    return max(values) if values else None


def fp4_int4_precision(fmt: str) -> str | None:
    """Precision for chips.csv's ``fp4_int4_format`` (INT4 -> int4; FP4/NVFP4/MX -> fp4)."""
    upper = fmt.upper()
    if "INT4" in upper:
        return "int4"
    if "FP4" in upper or "MX" in upper:
        return "fp4"
    return None


def io_bandwidth(interconnect: float | None, host_io: float | None) -> float | None:
    """2022-test I/O: chip-to-chip link plus PCIe host I/O; ``None`` when both unknown."""
    if interconnect is None and host_io is None:
        return None
    return (interconnect or 0.0) + (host_io or 0.0)


def entry_from_chips_row(row: Mapping[str, str]) -> CatalogEntry:
    """Build an entry from one ``chips.csv`` row."""
    vendor, model = row["vendor"].strip(), row["model"].strip()
    dense: dict[str, float] = {}
    for col, precision in _CSV_RATES.items():
        value = num(row.get(col))
        if value is not None:
            dense[precision] = value
    low_bit = num(row.get("fp4_int4_tops"))
    if low_bit is not None:
        low_precision = fp4_int4_precision(row.get("fp4_int4_format", ""))
        if low_precision is None:
            raise ValueError(f"{model}: fp4_int4_tops without a recognised fp4_int4_format")
        dense[low_precision] = low_bit
    csv_tpp = num(row.get("tpp"))
    computed = rates_tpp(dense)
    reported: float | None = None
    if csv_tpp is not None and (computed is None or csv_tpp > computed * (1 + REPORTED_TPP_TOLERANCE)):
        reported = csv_tpp
    interconnect = num(row.get("interconnect_bandwidth_gbs"))
    host_io = num(row.get("host_io_bidir_gbs"))
    sources = _sources(row.get("source_urls"))
    status = row.get("value_status", "").strip()
    notes = row.get("notes", "").strip()
    release_year = _int(row.get("release_year"))
    spec = ChipSpec(
        name=model,
        vendor=vendor or None,
        datacenter=_bool(row.get("datacenter")),
        dense_tops=dense,
        die_area_mm2=num(row.get("die_area_mm2")),
        io_bandwidth_gbs=io_bandwidth(interconnect, host_io),
        memory_bandwidth_gbs=num(row.get("memory_bandwidth_gbs")),
        interconnect_bandwidth_gbs=interconnect,
        reported_tpp=reported,
        reported_tpp_source=REPORTED_TPP_SOURCE if reported is not None else "",
        item_type="ic",
        commercially_available_in_us_on=None,
        release_year=release_year,
        sources=sources,
        value_status=status,
        notes=notes,
    )
    return CatalogEntry(
        spec=spec, key=make_key(vendor, model), vendor=vendor, model=model, origin=ORIGIN_CHIPS,
        csv_tpp=csv_tpp, csv_pd=num(row.get("performance_density")),
        tpp_if_tf32_32bit=num(row.get("tpp_if_tf32_32bit")), epoch_tpp=num(row.get("epoch_tpp")),
        value_status=status, source_urls=sources, notes=notes,
        form_factor=row.get("form_factor", "").strip(), release_year=release_year,
        memory_gb=num(row.get("memory_gb")), tdp_w=num(row.get("tdp_w")),
        process_node=row.get("process_node", "").strip(), logic_dies=row.get("logic_dies", "").strip(),
        host_io_bidir_gbs=host_io,
    )


def entry_from_epoch_row(row: Mapping[str, str]) -> CatalogEntry:
    """Build an entry from one generated ``epoch_additions.csv`` row."""
    vendor, model = row["vendor"].strip(), row["model"].strip()
    dense: dict[str, float] = {}
    for col, precision in _EPOCH_RATES.items():
        value = num(row.get(col))
        if value is not None:
            dense[precision] = value
    interconnect = num(row.get("interconnect_bandwidth_gbs"))
    sources = _sources(row.get("source_urls"))
    status = row.get("value_status", "").strip()
    notes = row.get("notes", "").strip()
    release_year = _int(row.get("release_year"))
    spec = ChipSpec(
        name=model,
        vendor=vendor or None,
        datacenter=_bool(row.get("datacenter")),
        dense_tops=dense,
        die_area_mm2=num(row.get("die_area_mm2")),
        io_bandwidth_gbs=io_bandwidth(interconnect, None),
        memory_bandwidth_gbs=num(row.get("memory_bandwidth_gbs")),
        interconnect_bandwidth_gbs=interconnect,
        item_type="ic",
        release_year=release_year,
        sources=sources,
        value_status=status,
        notes=notes,
    )
    return CatalogEntry(
        spec=spec, key=make_key(vendor, model), vendor=vendor, model=model, origin=ORIGIN_EPOCH,
        epoch_tpp=num(row.get("epoch_tpp")), value_status=status, source_urls=sources, notes=notes,
        release_year=release_year, memory_gb=num(row.get("memory_gb")), tdp_w=num(row.get("tdp_w")),
        process_node=row.get("process_node", "").strip(),
    )
