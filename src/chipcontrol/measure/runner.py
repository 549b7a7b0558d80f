"""One measurement of every figure a backend offers: a matmul sweep per supported precision, then the bandwidth
kernels. Precisions the backend cannot run are listed with the reason, never estimated."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from functools import partial

from chipcontrol.measure.devices import Backend
from chipcontrol.measure.results import BANDWIDTH_KINDS, BandwidthResult, Measurement, Plan, Point, PrecisionResult
from chipcontrol.measure.sweep import run_sweep
from chipcontrol.model.spec import PRECISION_BITS, PRECISIONS

# What the runner reports while it works: (figure, point just timed or None when the figure starts).
Progress = Callable[[str, Point | None], None]


def measure(backend: Backend, plan: Plan, progress: Progress | None = None) -> Measurement:
    """Measure every supported precision and the bandwidth kernels on ``backend`` following ``plan``."""
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    t0 = time.perf_counter()
    results: list[PrecisionResult] = []
    for precision in PRECISIONS:
        bits = PRECISION_BITS.get(precision)
        if plan.precisions is not None and precision not in plan.precisions:
            results.append(PrecisionResult(precision, bits, reason="not requested in this run"))
            continue
        reason = backend.unsupported(precision)
        if reason is not None:
            results.append(PrecisionResult(precision, bits, reason=reason))
            continue
        sizes, cap = backend.fit_matmul(precision, plan.matmul_sizes)
        if not sizes:
            results.append(PrecisionResult(precision, bits, reason="the smallest size does not fit in memory"))
            continue
        if progress:
            progress(precision, None)
        sweep = run_sweep(partial(backend.prepare_matmul, precision), sizes, plan, backend.synchronize,
                          unit="TOPS", exponent=3.0, cap_reason=cap, release=backend.release,
                          on_point=partial(progress, precision) if progress else None)
        results.append(PrecisionResult(precision, bits, sweep=sweep, method=backend.method(precision),
                                       reason="" if sweep.points else "; ".join(sweep.skipped)))
    bandwidth: list[BandwidthResult] = []
    for kind in BANDWIDTH_KINDS:
        sizes, cap = backend.fit_bandwidth(kind, plan.bandwidth_bytes)
        counted = backend.bandwidth_counted(kind)
        if not sizes:
            bandwidth.append(BandwidthResult(kind, None, counted, reason="no buffer size fits in memory"))
            continue
        if progress:
            progress(kind, None)
        sweep = run_sweep(partial(backend.prepare_bandwidth, kind), sizes, plan, backend.synchronize,
                          unit="GB/s", exponent=1.0, cap_reason=cap, release=backend.release,
                          on_point=partial(progress, kind) if progress else None, pick="last")
        bandwidth.append(BandwidthResult(kind, sweep, counted, reason="; ".join(sweep.skipped)))
    notes = list(backend.notes())
    cache = backend.cache_bytes()
    if cache and plan.bandwidth_bytes and min(plan.bandwidth_bytes) < 4 * cache:
        notes.append(f"Bandwidth buffers start below 4 × the largest cache ({cache / (1 << 20):g} MiB): the bandwidth "
                     "figures may include cache effects.")
    return Measurement(backend=backend.name, device=backend.identity(), software=backend.software(), plan=plan,
                       precisions=tuple(results), bandwidth=tuple(bandwidth), started_at=started,
                       elapsed_seconds=time.perf_counter() - t0, notes=tuple(notes))
