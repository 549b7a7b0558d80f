"""What a measurement run was asked to do (``Plan``) and what it measured (``Point`` → ``Sweep`` →
``PrecisionResult`` / ``BandwidthResult`` → ``Measurement``). Plain frozen dataclasses; ``to_dict`` gives the JSON
form used in the report (floats rounded to 6 significant digits, never NaN).

Units: a matmul point's ``work`` is operations per call (2·M·N·K, dense: one multiply-add counts as two operations,
as TPP counts them) and its rate is in TOPS (10^12 operations per second); a bandwidth point's ``work`` is bytes
read plus bytes written per call and its rate is in GB/s (10^9 bytes per second).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MATMUL = "matmul"
BANDWIDTH_KINDS = ("copy", "triad")
UNIT_SCALE = {"TOPS": 1e12, "GB/s": 1e9}


def sig(value: float, digits: int = 6) -> float:
    """``value`` rounded to ``digits`` significant digits (JSON stays readable; no NaN or infinity)."""
    if value == 0 or not math.isfinite(value):
        return 0.0
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


@dataclass(frozen=True, slots=True)
class Plan:
    """How to measure. Sizes are candidates in increasing order; a sweep stops earlier at a plateau or a cap.

    - ``matmul_sizes``: n for n×n×n products (M = N = K = n).
    - ``bandwidth_bytes``: bytes per array for copy/triad; the backend drops sizes that do not fit its memory.
    - ``warmup``: untimed calls before calibration (clocks up, caches and allocator warm, libraries loaded).
    - ``min_run_seconds``: each timed run repeats the kernel until it lasts at least this long.
    - ``repeats``: timed runs per size; the figure is the best, the spread is (best − worst) / best.
    - ``plateau_tolerance``: stop when the next size improves the best rate by less than this fraction.
    - ``max_sweep_seconds``: time cap per sweep; a size predicted to overrun it is not started.
    - ``precisions``: measure only these (None: every precision the backend supports).
    """

    matmul_sizes: tuple[int, ...]
    bandwidth_bytes: tuple[int, ...]
    warmup: int = 2
    min_run_seconds: float = 0.2
    repeats: int = 5
    plateau_tolerance: float = 0.03
    max_sweep_seconds: float = 30.0
    precisions: tuple[str, ...] | None = None
    name: str = "full"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "matmul_sizes": list(self.matmul_sizes),
                "bandwidth_bytes": list(self.bandwidth_bytes), "warmup": self.warmup,
                "min_run_seconds": self.min_run_seconds, "repeats": self.repeats,
                "plateau_tolerance": self.plateau_tolerance, "max_sweep_seconds": self.max_sweep_seconds,
                "precisions": None if self.precisions is None else list(self.precisions)}


@dataclass(frozen=True, slots=True)
class Point:
    """One size, timed: ``seconds`` holds each timed run (``calls`` kernel calls each)."""

    size: int
    work: float
    calls: int
    seconds: tuple[float, ...]
    unit: str = "TOPS"

    def rates(self) -> list[float]:
        scale = UNIT_SCALE[self.unit]
        return [self.work * self.calls / s / scale for s in self.seconds if s > 0]

    @property
    def best(self) -> float:
        return max(self.rates(), default=0.0)

    @property
    def worst(self) -> float:
        return min(self.rates(), default=0.0)

    @property
    def median(self) -> float:
        r = self.rates()
        return statistics.median(r) if r else 0.0

    @property
    def spread(self) -> float:
        """(best − worst) / best over the timed runs at this size."""
        b = self.best
        return (b - self.worst) / b if b > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        work: float | int = int(self.work) if float(self.work).is_integer() else sig(self.work)
        return {"size": self.size, "work_per_call": work, "calls_per_run": self.calls,
                "runs": len(self.seconds), "seconds": [sig(s, 4) for s in self.seconds],
                "best": sig(self.best), "median": sig(self.median), "worst": sig(self.worst),
                "spread": sig(self.spread, 3)}


@dataclass(frozen=True, slots=True)
class Sweep:
    """Points in increasing size, and why the sweep stopped (plateau, size cap, memory cap, time cap).

    ``pick``: which point gives the figure. ``max`` (matmul: larger products only help until the plateau) or
    ``last`` (bandwidth: smaller buffers may still be partly served by a cache, so the figure is the largest
    buffer's, where the sweep converged)."""

    points: tuple[Point, ...]
    stopped: str
    unit: str = "TOPS"
    skipped: tuple[str, ...] = ()
    pick: str = "max"

    @property
    def best_point(self) -> Point | None:
        """The point that gives the figure (see ``pick``)."""
        if self.pick == "last":
            return self.points[-1] if self.points else None
        return max(self.points, key=lambda p: p.best, default=None)

    @property
    def best(self) -> float:
        p = self.best_point
        return p.best if p else 0.0

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"unit": self.unit, "stopped": self.stopped, "figure_from": self.pick,
                             "points": [p.to_dict() for p in self.points]}
        if self.skipped:
            d["skipped"] = list(self.skipped)
        return d


@dataclass(frozen=True, slots=True)
class PrecisionResult:
    """Sustained dense matmul throughput in one precision, or why it was not measured (``reason``)."""

    precision: str
    bits: int | None
    sweep: Sweep | None = None
    reason: str = ""
    method: str = ""

    @property
    def supported(self) -> bool:
        return self.sweep is not None and bool(self.sweep.points)

    @property
    def tops(self) -> float | None:
        return self.sweep.best if self.supported and self.sweep is not None else None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"precision": self.precision, "bits": self.bits, "supported": self.supported}
        if not self.supported:
            d["reason"] = self.reason or "not measured"
            return d
        assert self.sweep is not None
        best = self.sweep.best_point
        assert best is not None
        d.update(tops=sig(best.best), median_tops=sig(best.median), spread=sig(best.spread, 3), best_size=best.size,
                 method=self.method, sweep=self.sweep.to_dict())
        return d


@dataclass(frozen=True, slots=True)
class BandwidthResult:
    """Sustained device-memory bandwidth by one kernel (copy or triad); ``counted`` says which bytes count."""

    kind: str
    sweep: Sweep | None
    counted: str
    reason: str = ""

    @property
    def gbs(self) -> float | None:
        return self.sweep.best if self.sweep is not None and self.sweep.points else None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"kind": self.kind, "counted": self.counted}
        best = self.sweep.best_point if self.sweep is not None else None
        if best is None or self.sweep is None:
            d.update(gbs=None, reason=self.reason or "not measured")
            return d
        d.update(gbs=sig(best.best), median_gbs=sig(best.median), spread=sig(best.spread, 3),
                 bytes_per_array=best.size, sweep=self.sweep.to_dict())
        return d


@dataclass(frozen=True, slots=True)
class Measurement:
    """One run on one device: identity, software, plan, throughput per precision, bandwidth."""

    backend: str
    device: Mapping[str, Any]
    software: Mapping[str, Any]
    plan: Plan
    precisions: tuple[PrecisionResult, ...]
    bandwidth: tuple[BandwidthResult, ...]
    started_at: str = ""
    elapsed_seconds: float = 0.0
    notes: tuple[str, ...] = field(default=())

    def dense_tops(self) -> dict[str, float]:
        """Measured sustained dense TOPS by precision (measured precisions only), as the report prints them (6
        significant digits), so a spec written from the report's numbers gives the same answers."""
        return {p.precision: sig(p.tops) for p in self.precisions if p.tops is not None and p.tops > 0}

    def memory_bandwidth_gbs(self) -> float | None:
        """The best sustained bandwidth over the kernels run (copy, triad)."""
        values = [sig(b.gbs) for b in self.bandwidth if b.gbs is not None and b.gbs > 0]
        return max(values) if values else None

    def to_dict(self) -> dict[str, Any]:
        return {"backend": self.backend, "device": dict(self.device), "software": dict(self.software),
                "plan": self.plan.to_dict(), "started_at": self.started_at,
                "elapsed_seconds": sig(self.elapsed_seconds, 4),
                "precisions": [p.to_dict() for p in self.precisions],
                "bandwidth": [b.to_dict() for b in self.bandwidth], "notes": list(self.notes)}
