"""Measured against declared figures, and the spec the measured figures describe. Pure functions.

The red-flag rule: a declared figure is a peak; a sustained measurement cannot honestly exceed it. A measured
figure above its declared value by more than ``tolerance`` (default 5 %, well above the run-to-run spread of a
best-of-N figure on a quiet machine) is a red flag: the part performs above what was declared. The same rule is
applied to TPP, which also catches a precision the declaration left out. Figures far below the declared ones are
not a red flag (a peak is rarely sustained; a throttled or different part reads low), but they get a note.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from chipcontrol.model.spec import PRECISIONS, ChipSpec

RED_FLAG_TOLERANCE = 0.05
FAR_BELOW = 0.25  # below this fraction of the declared figure: a note (wrong part, throttled, or a poor kernel)

CONSISTENT = "consistent"
RED_FLAG = "red_flag"
NO_DECLARED = "no_declared_figures"


@dataclass(frozen=True, slots=True)
class Row:
    """One figure: declared and measured, their ratio (measured / declared) and the verdict for this figure.

    ``status``: ``above_declared`` (a red flag), ``consistent``, ``far_below``, ``not_declared`` (measured,
    nothing declared) or ``not_measured`` (declared, not measurable on this device)."""

    figure: str
    unit: str
    declared: float | None
    measured: float | None
    ratio: float | None
    status: str
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"figure": self.figure, "unit": self.unit, "declared": self.declared, "measured": self.measured,
                "ratio": None if self.ratio is None else round(self.ratio, 4), "status": self.status,
                "note": self.note}


@dataclass(frozen=True, slots=True)
class Comparison:
    rows: tuple[Row, ...]
    verdict: str
    tolerance: float
    red_flags: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "tolerance": self.tolerance, "red_flags": list(self.red_flags),
                "notes": list(self.notes), "rows": [r.to_dict() for r in self.rows]}


def _row(figure: str, unit: str, declared: float | None, measured: float | None, tolerance: float,
         unmeasured_reason: str = "") -> Row:
    if measured is None:
        return Row(figure, unit, declared, None, None, "not_measured", unmeasured_reason)
    if declared is None or declared <= 0:
        return Row(figure, unit, declared, measured, None, "not_declared", "measured, but no declared figure")
    ratio = measured / declared
    if ratio > 1 + tolerance:
        return Row(figure, unit, declared, measured, ratio, "above_declared",
                   f"sustained {measured:.4g} {unit} is {100 * (ratio - 1):.1f} % above the declared peak "
                   f"{declared:.4g} {unit} (tolerance {100 * tolerance:g} %)")
    if ratio < FAR_BELOW:
        return Row(figure, unit, declared, measured, ratio, "far_below",
                   f"{100 * ratio:.1f} % of the declared figure")
    return Row(figure, unit, declared, measured, ratio, CONSISTENT)


def compare(measured_tops: Mapping[str, float], measured_bandwidth_gbs: float | None,
            declared_tops: Mapping[str, float], declared_bandwidth_gbs: float | None,
            measured_tpp: float | None = None, declared_tpp: float | None = None,
            unmeasured: Mapping[str, str] | None = None, tolerance: float = RED_FLAG_TOLERANCE) -> Comparison:
    """Compare per precision, memory bandwidth and TPP. ``unmeasured``: precision → why it was not measured."""
    why = unmeasured or {}
    rows: list[Row] = []
    for precision in PRECISIONS:
        d, m = declared_tops.get(precision), measured_tops.get(precision)
        if d is None and m is None:
            continue
        rows.append(_row(precision, "TOPS", d, m, tolerance, why.get(precision, "")))
    if declared_bandwidth_gbs is not None or measured_bandwidth_gbs is not None:
        rows.append(_row("memory_bandwidth", "GB/s", declared_bandwidth_gbs, measured_bandwidth_gbs, tolerance))
    if declared_tpp is not None or measured_tpp is not None:
        rows.append(_row("tpp", "TPP", declared_tpp, measured_tpp, tolerance))
    red = tuple(f"{r.figure}: {r.note}" for r in rows if r.status == "above_declared")
    compared = [r for r in rows if r.ratio is not None]
    notes: list[str] = []
    far = [r.figure for r in rows if r.status == "far_below"]
    if far:
        notes.append(f"measured far below the declared figures ({', '.join(far)}): the device measured may not be "
                     "the item declared, it may be throttled or shared, or the library's kernel is poor")
    missing = [r.figure for r in rows if r.status == "not_measured"]
    if missing:
        notes.append(f"declared but not measured on this device: {', '.join(missing)}")
    undeclared = [r.figure for r in rows if r.status == "not_declared"]
    if undeclared:
        notes.append(f"measured but not declared: {', '.join(undeclared)}")
    verdict = RED_FLAG if red else (CONSISTENT if compared else NO_DECLARED)
    return Comparison(tuple(rows), verdict, tolerance, red, tuple(notes))


def declared_chip(spec: ChipSpec) -> ChipSpec:
    """The chip a measurement is compared with: the item itself, or the accelerator a computer contains."""
    if spec.item_type == "computer" and spec.accelerator is not None:
        return spec.accelerator
    return spec


def measured_spec(name: str, dense_tops: Mapping[str, float], memory_bandwidth_gbs: float | None,
                  declared: ChipSpec | None = None) -> ChipSpec:
    """The spec the measured figures describe.

    Throughput and memory bandwidth are the measured ones (measured precisions only; a published TPP figure is
    never carried over). What a run cannot measure (die area, datacenter marketing, I/O and interconnect
    bandwidth) comes from the declared chip when there is one, and is unknown otherwise."""
    if declared is None:
        return ChipSpec(name=name, dense_tops=dict(dense_tops), memory_bandwidth_gbs=memory_bandwidth_gbs,
                        sources=("measured",))
    return replace(declared, name=name, vendor=None, dense_tops=dict(dense_tops),
                   memory_bandwidth_gbs=memory_bandwidth_gbs, reported_tpp=None, reported_tpp_source="",
                   item_type="ic", accelerator=None, accelerator_count=0,
                   sources=("measured", *declared.sources), value_status="measured")
