"""Fixtures for the measurement tests.

Which to use when:
- ``tiny_plan``: a real CPU run in about a second (small matmuls, 4-8 MiB buffers, each sweep capped at 0.6 s so a
  loaded machine cannot stretch it); for the schema and the whole service pipeline. Its buffers fit in the caches,
  which the report says; the figures are still real.
- ``fixed``: a Measurement with chosen figures (no timing), for the comparison and classification logic.
- ``settings_db``: Settings whose audit store is a fresh SQLite file under tmp_path.
- ``cpu_run``: one real CPU measurement with ``tiny_plan``, shared by the module's tests (it also warms NumPy's
  BLAS threads before the stability test).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from chipcontrol.measure.cpu import NumpyBackend
from chipcontrol.measure.results import BandwidthResult, Measurement, Plan, Point, PrecisionResult, Sweep
from chipcontrol.measure.runner import measure
from chipcontrol.model.spec import PRECISION_BITS, PRECISIONS
from chipcontrol.settings import Settings

MiB = 1 << 20


@pytest.fixture(scope="session")
def tiny_plan() -> Plan:
    return Plan(matmul_sizes=(64, 128, 256), bandwidth_bytes=(4 * MiB, 8 * MiB), warmup=1, min_run_seconds=0.02,
                repeats=3, plateau_tolerance=0.03, max_sweep_seconds=0.6, name="test")


@pytest.fixture(scope="session")
def cpu_run(tiny_plan: Plan) -> Measurement:
    return measure(NumpyBackend(), tiny_plan)


def _point(rate: float, unit: str, size: int = 1024) -> Point:
    """A point whose best run gives exactly ``rate`` (TOPS or GB/s); the other runs are 2 % and 4 % slower."""
    work = 2.0 * size ** 3 if unit == "TOPS" else 1e9
    scale = 1e12 if unit == "TOPS" else 1e9
    best = work / (rate * scale)
    return Point(size=size, work=work, calls=1, seconds=(best, best * 1.02, best * 1.04), unit=unit)


@pytest.fixture(scope="session")
def fixed() -> Callable[..., Measurement]:
    def make(tops: dict[str, float], bandwidth_gbs: float | None = None, name: str = "Fixed GPU") -> Measurement:
        results = []
        for p in PRECISIONS:
            if p in tops:
                results.append(PrecisionResult(p, PRECISION_BITS.get(p), Sweep((_point(tops[p], "TOPS"),), "plateau"),
                                               method="fixed"))
            else:
                results.append(PrecisionResult(p, PRECISION_BITS.get(p), reason="not offered by this fixed device"))
        bw = () if bandwidth_gbs is None else (
            BandwidthResult("copy", Sweep((_point(bandwidth_gbs, "GB/s", 1 << 30),), "plateau", "GB/s", pick="last"),
                            "fixed"),)
        return Measurement(backend="fixed", device={"kind": "fixed", "name": name}, software={},
                           plan=Plan((1024,), (1 << 30,), name="fixed"), precisions=tuple(results), bandwidth=bw)
    return make


@pytest.fixture()
def settings_db(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'audit.db'}")
