"""The CPU backend: NumPy's BLAS for fp64/fp32 matmul, NumPy copy/triad on every usable core for bandwidth.

Only what NumPy runs on the hardware's own dense kernels is measured. NumPy has no BLAS matmul in half precision,
bfloat16, 8-bit or 4-bit types (its float16 and integer matmul are generic loops), so those precisions are reported
as not measured with the reason, never estimated.

Bandwidth: each usable CPU runs its slice of the arrays in a thread (NumPy releases the GIL in copies and
arithmetic on large arrays). ``copy`` (b = a) counts 2 × 8 bytes per element (one read, one write); ``triad``
(a = b + s·c, in cache-sized blocks so each block of ``a`` is computed in cache) counts 3 × 8 bytes. Stores that
first read the line into cache (write-allocate) move more bytes than are counted, so these figures are lower bounds
on the DRAM traffic: the STREAM convention.
"""

from __future__ import annotations

import os
import platform
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from chipcontrol.measure.results import Plan
from chipcontrol.measure.sweep import Prepared, Skip

MiB = 1 << 20
_DTYPES = {"fp64": np.float64, "fp32": np.float32}
_NOT_NUMPY = "NumPy has no BLAS matmul in this precision"
UNSUPPORTED = {
    "tf32": "TF32 is a GPU tensor-core mode; NumPy and CPUs have none",
    "fp16": f"{_NOT_NUMPY} (float16 matmul runs a generic loop: it would measure NumPy, not the hardware)",
    "bf16": f"{_NOT_NUMPY} (NumPy has no bfloat16 type)",
    "fp8": f"{_NOT_NUMPY} (no 8-bit float type)",
    "int8": f"{_NOT_NUMPY} (int8 matmul runs a generic loop, not a VNNI/BLAS kernel: it would measure NumPy)",
    "fp6": f"{_NOT_NUMPY} (no 6-bit type)",
    "fp4": f"{_NOT_NUMPY} (no 4-bit type)",
    "int4": f"{_NOT_NUMPY} (no 4-bit type)",
}
_FLAGS = ("fma", "avx", "avx2", "avx512f", "avx512_bf16", "avx512_fp16", "avx512_vnni", "avx_vnni", "amx_bf16",
          "amx_int8", "amx_tile", "asimd", "sve", "sve2")
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")


def parse_cpuinfo(text: str) -> dict[str, Any]:
    """Model, vendor, physical cores, sockets and the SIMD flags that matter, from /proc/cpuinfo text."""
    model = vendor = ""
    flags: set[str] = set()
    cores: set[tuple[str, str]] = set()
    sockets: set[str] = set()
    for block in text.split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            key, sep, value = line.partition(":")
            if sep:
                fields[key.strip().lower()] = value.strip()
        model = model or fields.get("model name") or fields.get("hardware") or fields.get("cpu model", "")
        vendor = vendor or fields.get("vendor_id") or fields.get("cpu implementer", "")
        flags.update((fields.get("flags") or fields.get("features") or "").split())
        if "physical id" in fields:
            sockets.add(fields["physical id"])
            if "core id" in fields:
                cores.add((fields["physical id"], fields["core id"]))
    return {"model": model or "unknown", "vendor": vendor or None, "physical_cores": len(cores) or None,
            "sockets": len(sockets) or None, "simd_flags": sorted(f for f in _FLAGS if f in flags)}


def _read(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _size(text: str) -> int | None:
    m = re.fullmatch(r"\s*(\d+)\s*([KMG]?)B?\s*", text, re.IGNORECASE)
    if m is None:
        return None
    return int(m.group(1)) * {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[m.group(2).upper()]


def caches(root: str | Path = "/sys/devices/system/cpu/cpu0/cache") -> list[dict[str, Any]]:
    """The CPU caches seen by cpu0 (level, type, bytes, CPUs sharing it); empty when sysfs does not say."""
    out: list[dict[str, Any]] = []
    base = Path(root)
    if not base.is_dir():
        return out
    for d in sorted(base.glob("index*")):
        size = _size(_read(d / "size"))
        if size is None:
            continue
        out.append({"level": int(_read(d / "level").strip() or 0), "type": _read(d / "type").strip(),
                    "bytes": size, "shared_cpus": _read(d / "shared_cpu_list").strip()})
    return out


def meminfo() -> dict[str, int]:
    out: dict[str, int] = {}
    for line in _read("/proc/meminfo").splitlines():
        key, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            out[key.strip()] = int(parts[0]) * 1024
    return out


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def blas_config() -> dict[str, Any]:
    """NumPy's BLAS as NumPy reports it (name, version, configuration)."""
    try:
        info: Any = np.show_config(mode="dicts")
    except TypeError:  # pragma: no cover - NumPy < 1.25
        return {"name": "unknown"}
    blas = (info or {}).get("Build Dependencies", {}).get("blas", {})
    return {k: blas[k] for k in ("name", "version", "openblas configuration") if k in blas} or {"name": "unknown"}


class NumpyBackend:
    """The CPU through NumPy. Matmul uses NumPy's BLAS with its own threads (set by OPENBLAS_NUM_THREADS and the
    like before NumPy is imported); bandwidth uses ``threads`` threads (default: one per usable CPU)."""

    name = "numpy"
    label = "cpu"

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads or usable_cpus()
        self._caches = caches()
        self._pool: ThreadPoolExecutor | None = None
        self._mem = meminfo()

    # identity -----------------------------------------------------------------------------------------------------

    def identity(self) -> dict[str, Any]:
        info = parse_cpuinfo(_read("/proc/cpuinfo"))
        max_khz = _read("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq").strip()
        return {"kind": "cpu", "name": info["model"], "vendor": info["vendor"], "machine": platform.machine(),
                "logical_cpus": os.cpu_count(), "usable_cpus": self.threads,
                "physical_cores": info["physical_cores"], "sockets": info["sockets"],
                "max_clock_mhz": int(max_khz) // 1000 if max_khz.isdigit() else None,
                "memory_bytes": self._mem.get("MemTotal"), "caches": self._caches, "simd_flags": info["simd_flags"],
                "stable_id": None, "stable_id_note": "CPUs expose no stable device id"}

    def software(self) -> dict[str, Any]:
        from chipcontrol import __version__

        return {"chipcontrol": __version__, "python": sys.version.split()[0], "numpy": np.__version__,
                "blas": blas_config(), "os": platform.platform(),
                "thread_settings": {k: os.environ[k] for k in THREAD_VARIABLES if k in os.environ}}

    def notes(self) -> tuple[str, ...]:
        return (f"Matmul runs NumPy's BLAS with its own thread pool; copy/triad run {self.threads} thread(s), one per "
                "usable CPU.",
                "Bandwidth counts bytes read plus bytes written by the kernel (STREAM convention); write-allocate "
                "traffic is not counted, so the figures are lower bounds on DRAM traffic.")

    # plans --------------------------------------------------------------------------------------------------------

    def largest_cache(self) -> int:
        return max((c["bytes"] for c in self._caches), default=32 * MiB)

    def cache_bytes(self) -> int | None:
        return max((c["bytes"] for c in self._caches), default=None)

    def _l2(self) -> int:
        return max((c["bytes"] for c in self._caches if c["level"] == 2), default=MiB)

    def default_plan(self, quick: bool) -> Plan:
        start = max(4 * self.largest_cache(), 64 * MiB)
        start = 1 << (start - 1).bit_length()  # a power of two, at least 4 x the largest cache
        if quick:
            return Plan(matmul_sizes=(128, 256, 512), bandwidth_bytes=(start,), warmup=1, min_run_seconds=0.02,
                        repeats=3, max_sweep_seconds=1.5, name="quick")
        return Plan(matmul_sizes=(256, 512, 1024, 2048, 4096, 8192), bandwidth_bytes=(start, 2 * start, 4 * start),
                    warmup=1, min_run_seconds=0.2, repeats=5, max_sweep_seconds=30.0, name="full")

    def _budget(self) -> int:
        return int(self._mem.get("MemAvailable", 4 << 30) * 0.5)

    def _fit(self, sizes: tuple[int, ...], need: Any) -> tuple[tuple[int, ...], str]:
        budget = self._budget()
        fitting = tuple(s for s in sizes if need(s) <= budget)
        return fitting, ("memory cap" if len(fitting) < len(sizes) else "size cap")

    # matmul -------------------------------------------------------------------------------------------------------

    def unsupported(self, precision: str) -> str | None:
        if precision in _DTYPES:
            return None
        return UNSUPPORTED.get(precision, f"unknown precision {precision!r}")

    def method(self, precision: str) -> str:
        return f"numpy.matmul, {np.dtype(_DTYPES[precision]).name}, n×n×n, BLAS ({blas_config().get('name')})"

    def fit_matmul(self, precision: str, sizes: tuple[int, ...]) -> tuple[tuple[int, ...], str]:
        item = np.dtype(_DTYPES[precision]).itemsize
        return self._fit(sizes, lambda n: 3 * n * n * item)

    def prepare_matmul(self, precision: str, n: int) -> Prepared:
        dtype = _DTYPES[precision]
        rng = np.random.default_rng(n)
        try:
            a = rng.standard_normal((n, n)).astype(dtype)
            b = rng.standard_normal((n, n)).astype(dtype)
            out = np.empty((n, n), dtype=dtype)
        except MemoryError:
            raise Skip("out of memory") from None

        def kernel() -> None:
            np.matmul(a, b, out=out)

        return Prepared(kernel, 2.0 * n * n * n)

    # bandwidth ----------------------------------------------------------------------------------------------------

    def bandwidth_counted(self, kind: str) -> str:
        if kind == "copy":
            return "b = a: 16 bytes per float64 element (8 read + 8 written)"
        return "a = b + s·c: 24 bytes per float64 element (16 read + 8 written)"

    def fit_bandwidth(self, kind: str, sizes: tuple[int, ...]) -> tuple[tuple[int, ...], str]:
        arrays = 2 if kind == "copy" else 3
        return self._fit(sizes, lambda nbytes: arrays * nbytes)

    def _slices(self, n: int) -> list[slice]:
        step = -(-n // self.threads)
        return [slice(i, min(n, i + step)) for i in range(0, n, step)]

    def _run_parallel(self, work: Any, parts: list[slice]) -> None:
        if len(parts) == 1:
            work(parts[0])
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="chipcontrol-measure")
        for f in [self._pool.submit(work, p) for p in parts]:
            f.result()

    def prepare_bandwidth(self, kind: str, nbytes: int) -> Prepared:
        n = max(nbytes // 8, 1)
        try:
            a = np.ones(n, dtype=np.float64)
            b = np.full(n, 2.0)
            c = np.full(n, 0.5) if kind == "triad" else None
        except MemoryError:
            raise Skip("out of memory") from None
        parts = self._slices(n)
        if kind == "copy":

            def copy(part: slice) -> None:
                np.copyto(b[part], a[part])

            return Prepared(lambda: self._run_parallel(copy, parts), 16.0 * n)
        assert c is not None
        block = max(self._l2() // 4 // 8, 1024)  # elements: a block of a, b and c stays in L2

        def triad(part: slice) -> None:
            start, stop = part.start, part.stop
            for i in range(start, stop, block):
                j = min(stop, i + block)
                np.multiply(c[i:j], 3.0, out=a[i:j])
                np.add(a[i:j], b[i:j], out=a[i:j])

        return Prepared(lambda: self._run_parallel(triad, parts), 24.0 * n)

    def synchronize(self) -> None:
        """NumPy calls return when done."""

    def release(self) -> None:
        """Buffers are freed when the kernel is dropped."""

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
