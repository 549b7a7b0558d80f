"""Derived metrics: TPP, performance density, 2022 I/O aggregate. Pure functions of a ChipSpec.

TPP (Technical Note to 3A090): 2 x MacTOPS x bit length, using dense rates, evaluated for every supported bit
length, keeping the highest. Datasheet TOPS/FLOPS already count one MAC as two operations, so TPP is the dense
rate x bit length. TF32 is an interpretation: its inputs are 19-bit (1 sign, 8 exponent, 10 mantissa) stored in
32-bit containers. ``tf32_mode`` chooses: ``exclude`` (default; matches the published TPP figures and chips.csv),
``19`` or ``32`` (the most conservative reading).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from chipcontrol.errors import InvalidInput
from chipcontrol.model.spec import PRECISION_BITS, ChipSpec

TF32_MODES = ("exclude", "19", "32")


@dataclass(frozen=True, slots=True)
class Tpp:
    value: float | None
    basis: str
    from_reported: bool = False
    tf32_alternatives: tuple[tuple[str, float], ...] = ()


def tf32_bits(mode: str) -> int | None:
    if mode not in TF32_MODES:
        raise InvalidInput(f"unknown TF32 interpretation {mode!r}; use one of: {', '.join(TF32_MODES)}")
    return None if mode == "exclude" else int(mode)


def tpp(spec: ChipSpec, tf32_mode: str = "exclude") -> Tpp:
    """Highest dense rate x bit length over the precisions the item supports."""
    return _tpp(tuple(spec.dense_tops.items()), spec.reported_tpp, spec.reported_tpp_source, tf32_mode)


@lru_cache(maxsize=65536)
def _tpp(rates: tuple[tuple[str, float], ...], reported_tpp: float | None, reported_source: str,
         tf32_mode: str) -> Tpp:
    best = -1.0
    basis = ""
    bits_tf32 = tf32_bits(tf32_mode)
    for precision, rate in rates:
        bits = PRECISION_BITS.get(precision)
        if precision == "tf32":
            bits = bits_tf32
        if bits is None:
            continue
        value = rate * bits
        if value > best:
            best, basis = value, f"{precision.upper()} {rate:g} x {bits}"
    alternatives: list[tuple[str, float]] = []
    tf32_rate = dict(rates).get("tf32")
    if tf32_rate is not None:
        for mode in TF32_MODES[1:]:
            if mode != tf32_mode:
                alt = max(best, tf32_rate * int(mode))
                if alt > best * 1.000001:
                    alternatives.append((mode, alt))
    if reported_tpp is not None and reported_tpp > best * 1.005:
        return Tpp(reported_tpp, f"published TPP {reported_tpp:g} ({reported_source or 'reported'})",
                   from_reported=True, tf32_alternatives=tuple(alternatives))
    if best < 0:
        return Tpp(None, "no throughput given")
    return Tpp(best, basis, tf32_alternatives=tuple(alternatives))


def performance_density(tpp_value: float | None, die_area_mm2: float | None) -> float | None:
    """TPP / applicable die area (mm2); None when either is unknown or the area is zero."""
    if tpp_value is None or not die_area_mm2:
        return None
    return tpp_value / die_area_mm2


def near(value: float, threshold: float, tolerance: float = 0.01) -> bool:
    """Within ``tolerance`` (relative) of a threshold: flagged for review, never decided differently."""
    return threshold != 0 and abs(value - threshold) <= abs(threshold) * tolerance
