"""The timing method, the same for every backend and every figure.

For one size: ``warmup`` untimed calls; calibration (the number of calls per timed run grows until one run lasts at
least ``min_run_seconds``, so short kernels are not timed below the clock's resolution or the launch overhead);
then ``repeats`` timed runs. Each run is ``sync(); start; calls × kernel(); sync(); stop``, so asynchronous devices
are timed to completion. The figure for a size is the best run (the least disturbed by other work on the machine);
the spread (best − worst) / best says how disturbed the others were.

Over sizes: the sweep goes up the plan's sizes and stops at a plateau, at the largest size, or when the next size
would overrun ``max_sweep_seconds`` (its duration is predicted from the previous size by the kernel's scaling
exponent). Matmul (``pick="max"``): a plateau is a next size that improves the best rate by less than
``plateau_tolerance``, and the figure is the best point. Bandwidth (``pick="last"``): a plateau is a next size whose
rate is within ``plateau_tolerance`` of the previous one (either way: smaller buffers can be inflated by caches),
and the figure is the last, largest buffer's.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from chipcontrol.measure.results import Plan, Point, Sweep

Kernel = Callable[[], None]
Clock = Callable[[], float]
MAX_CALLS = 1 << 20


class Skip(Exception):
    """A size the backend cannot run (out of device memory, a library limit): the sweep stops there."""


@dataclass(frozen=True, slots=True)
class Prepared:
    """A kernel ready to call at one size, and the work one call does (operations or bytes)."""

    kernel: Kernel
    work: float


def _timed(kernel: Kernel, sync: Callable[[], None], calls: int, clock: Clock) -> float:
    sync()
    start = clock()
    for _ in range(calls):
        kernel()
    sync()
    return clock() - start


def time_kernel(prepared: Prepared, size: int, plan: Plan, sync: Callable[[], None], unit: str = "TOPS",
                clock: Clock = time.perf_counter) -> Point:
    """Warm up, calibrate, then time ``plan.repeats`` runs of one prepared kernel."""
    kernel = prepared.kernel
    for _ in range(plan.warmup):
        kernel()
    calls = 1
    while True:
        elapsed = _timed(kernel, sync, calls, clock)
        if elapsed >= plan.min_run_seconds or calls >= MAX_CALLS:
            break
        grow = plan.min_run_seconds / max(elapsed, 1e-9) * 1.2
        calls = min(MAX_CALLS, max(calls + 1, math.ceil(calls * grow)))
    seconds = tuple(_timed(kernel, sync, calls, clock) for _ in range(plan.repeats))
    return Point(size=size, work=prepared.work, calls=calls, seconds=seconds, unit=unit)


def _one_size(prepare: Callable[[int], Prepared], size: int, plan: Plan, sync: Callable[[], None], unit: str,
              clock: Clock) -> Point:
    """Prepare and time one size; the buffers go out of scope on return, before the next size is allocated."""
    return time_kernel(prepare(size), size, plan, sync, unit, clock)


def run_sweep(prepare: Callable[[int], Prepared], sizes: Sequence[int], plan: Plan, sync: Callable[[], None],
              *, unit: str = "TOPS", exponent: float = 3.0, cap_reason: str = "size cap",
              on_point: Callable[[Point], None] | None = None, clock: Clock = time.perf_counter,
              release: Callable[[], None] | None = None, pick: str = "max") -> Sweep:
    """Sweep ``sizes`` (increasing) until the rate plateaus or a cap is reached.

    ``exponent``: how one call's duration grows with size (3 for n×n×n matmul, 1 for streaming kernels), used to
    predict whether the next size fits in the time cap. ``cap_reason``: why the list of sizes ends (``size cap``,
    or ``memory cap`` when the backend dropped larger sizes that do not fit).
    """
    points: list[Point] = []
    skipped: list[str] = []
    best = 0.0
    stopped = cap_reason
    t0 = clock()
    for size in sizes:
        if points:
            last = points[-1]
            per_call = min(last.seconds) / last.calls
            predicted = per_call * (size / last.size) ** exponent * (plan.warmup + plan.repeats + 2)
            predicted = max(predicted, plan.min_run_seconds * (plan.repeats + 1))
            if clock() - t0 + predicted > plan.max_sweep_seconds:
                stopped = "time cap"
                break
        try:
            point = _one_size(prepare, size, plan, sync, unit, clock)
        except Skip as exc:
            skipped.append(f"{size}: {exc}")
            stopped = "memory cap"
            break
        finally:
            if release is not None:
                release()
        points.append(point)
        if on_point is not None:
            on_point(point)
        if pick == "last":
            if len(points) > 1 and abs(point.best / max(points[-2].best, 1e-30) - 1) < plan.plateau_tolerance:
                stopped = "plateau"
                break
        elif best > 0 and point.best < best * (1 + plan.plateau_tolerance):
            stopped = "plateau"
            break
        best = max(best, point.best)
    return Sweep(points=tuple(points), stopped=stopped, unit=unit, skipped=tuple(skipped), pick=pick)
