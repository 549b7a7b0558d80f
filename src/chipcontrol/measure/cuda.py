"""The CUDA backend: PyTorch (the optional extra ``chipcontrol[measure]``), imported only here and only when a CUDA
device is asked for.

Matmul per precision (n×n×n, 2·n³ operations per call, dense):

- fp64, fp32: ``torch.matmul`` with TF32 switched off (``allow_tf32 = False``), so fp32 is true fp32.
- tf32: ``torch.matmul`` on float32 tensors with ``allow_tf32 = True`` (compute capability 8.0 and later).
- fp16, bf16: ``torch.matmul`` (bf16 from compute capability 8.0).
- fp8: ``torch._scaled_mm`` on float8_e4m3fn operands with unit scales, bf16 output, fast accumulation (compute
  capability 8.9 and later, PyTorch 2.1 and later).
- int8: ``torch._int_mm`` (int8 × int8 → int32).
- fp4, int4, fp6: not measured; the reason is given (PyTorch has no dense int4 × int4 or fp6 matmul; FP4 needs
  block-scaled ``_scaled_mm`` on compute capability 10.x, which this backend does not drive).

Each precision the device should support is first tried at a small size; a library error there turns into "not
measured: <the error's first line>", never a figure.

Bandwidth: ``copy`` (``b.copy_(a)``: 2 × 4 bytes per float32 element) and ``triad`` (``torch.add(b, c, alpha=s,
out=a)``, one fused kernel: 3 × 4 bytes), over buffers from 8 × the L2 cache (at least 256 MiB) upward.

Device identity: ``torch.cuda.get_device_properties`` (name, compute capability, memory, SMs, UUID and L2 where
PyTorch exposes them) and ``nvidia-smi`` where installed (driver, clocks, power limit, PCI bus, VBIOS).
"""

from __future__ import annotations

import platform
import shutil
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from chipcontrol.errors import InvalidInput
from chipcontrol.measure.results import Plan
from chipcontrol.measure.sweep import Prepared, Skip

MiB = 1 << 20
INSTALL_HINT = "pip install 'chipcontrol[measure]' (PyTorch with CUDA)"
MIN_CC = {"tf32": (8, 0), "bf16": (8, 0), "fp8": (8, 9)}
NEVER = {
    "int4": "PyTorch has no dense int4 × int4 matmul (its int4 kernels are weight-only, with bf16 activations)",
    "fp6": "PyTorch has no fp6 matmul",
}
# Operand layouts tried in order for the private kernels (their layout rules have varied across releases):
# fp8: B column-major (cuBLASLt's rule), then row-major; int8: B row-major, then column-major.
LAYOUT_VARIANTS = {"fp8": 2, "int8": 2}
_SMI_FIELDS = ("uuid", "driver_version", "clocks.max.sm", "clocks.max.memory", "clocks.sm", "clocks.mem",
               "power.limit", "pci.bus_id", "vbios_version", "temperature.gpu")


def _import_torch() -> Any:
    try:
        import torch
    except ImportError:
        raise InvalidInput(f"--device cuda needs PyTorch, which is not installed: {INSTALL_HINT}") from None
    except Exception as exc:  # a broken install (missing CUDA libraries) fails with OSError and the like
        raise InvalidInput(f"--device cuda: PyTorch failed to import ({type(exc).__name__}: "
                           f"{str(exc).splitlines()[0] if str(exc) else ''})") from None
    return torch


def open_cuda(index: int | None, torch_module: Any = None) -> TorchCudaBackend:
    """The CUDA backend for GPU ``index`` (default 0), or one line saying what is missing.

    ``torch_module``: a stand-in for ``torch`` (tests); by default ``torch`` is imported here."""
    torch = torch_module if torch_module is not None else _import_torch()
    label = "cuda" if index is None else f"cuda:{index}"
    if not torch.cuda.is_available():
        why = ("a CPU-only build" if getattr(torch.version, "cuda", None) is None
               else f"built for CUDA {torch.version.cuda}, but no GPU or driver is visible")
        raise InvalidInput(f"--device {label}: PyTorch {torch.__version__} sees no CUDA device ({why}); "
                           f"{INSTALL_HINT} on a machine with an NVIDIA GPU")
    count = int(torch.cuda.device_count())
    i = 0 if index is None else index
    if i >= count:
        raise InvalidInput(f"--device {label}: only {count} CUDA device(s) visible (cuda:0 to cuda:{count - 1})")
    return TorchCudaBackend(torch, i)


def _smi(uuid: str | None, index: int) -> dict[str, Any]:
    """Driver, clocks and power from nvidia-smi; empty when it is not installed or does not answer."""
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return {}
    target = uuid if uuid else str(index)
    try:
        proc = subprocess.run([exe, f"--query-gpu={','.join(_SMI_FIELDS)}", "--format=csv,noheader,nounits",
                               "-i", target], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return {}
    line = proc.stdout.strip().splitlines()[0] if proc.returncode == 0 and proc.stdout.strip() else ""
    values = [v.strip() for v in line.split(",")]
    if len(values) != len(_SMI_FIELDS):
        return {}
    out: dict[str, Any] = {}
    for key, value in zip(_SMI_FIELDS, values, strict=True):
        if value and not value.startswith("[") and value != "N/A":
            out[key.replace(".", "_")] = value
    return out


class TorchKernels:
    """The per-precision kernels on one torch device. Separate from the backend so the kernel set-up can be
    exercised on any torch device type (the tests run it on ``cpu`` where PyTorch is installed)."""

    def __init__(self, torch: Any, device: Any) -> None:
        self.torch = torch
        self.device = device

    def _randn(self, n: int, dtype: Any) -> Any:
        t = self.torch
        return t.randn(n, n, device=self.device, dtype=t.float32).to(dtype)

    def matmul(self, precision: str, n: int, variant: int = 0) -> Callable[[], None]:
        """A zero-argument kernel computing one n×n×n product in ``precision`` (``variant``: the operand layout)."""
        t = self.torch
        if precision in ("fp64", "fp32", "tf32", "fp16", "bf16"):
            dtype = {"fp64": t.float64, "fp32": t.float32, "tf32": t.float32, "fp16": t.float16,
                     "bf16": t.bfloat16}[precision]
            a, b = self._randn(n, dtype), self._randn(n, dtype)
            out = t.empty(n, n, device=self.device, dtype=dtype)
            allow = precision == "tf32"
            flags = t.backends.cuda.matmul

            def dense() -> None:
                flags.allow_tf32 = allow
                t.matmul(a, b, out=out)

            return dense
        if precision == "fp8":
            a8 = self._randn(n, t.float8_e4m3fn)
            b8 = self._randn(n, t.float8_e4m3fn)
            b8 = b8.t() if variant == 0 else b8
            one = t.tensor(1.0, device=self.device, dtype=t.float32)

            def fp8() -> None:
                t._scaled_mm(a8, b8, scale_a=one, scale_b=one, out_dtype=t.bfloat16, use_fast_accum=True)

            return fp8
        if precision == "int8":
            ai = t.randint(-128, 128, (n, n), device=self.device, dtype=t.int8)
            bi = t.randint(-128, 128, (n, n), device=self.device, dtype=t.int8)
            bi = bi.t().contiguous().t() if variant == 1 else bi

            def int8() -> None:
                t._int_mm(ai, bi)

            return int8
        raise InvalidInput(f"no matmul kernel for {precision!r}")

    def bandwidth(self, kind: str, nbytes: int) -> tuple[Callable[[], None], float]:
        """A zero-argument copy or triad kernel over float32 buffers of ``nbytes`` each, and the bytes it moves."""
        t = self.torch
        n = max(nbytes // 4, 1)
        a = t.ones(n, device=self.device, dtype=t.float32)
        b = t.full((n,), 2.0, device=self.device, dtype=t.float32)
        if kind == "copy":

            def copy() -> None:
                b.copy_(a)

            return copy, 8.0 * n
        c = t.full((n,), 0.5, device=self.device, dtype=t.float32)

        def triad() -> None:
            t.add(b, c, alpha=3.0, out=a)

        return triad, 12.0 * n


class TorchCudaBackend:
    """One CUDA GPU through PyTorch."""

    name = "torch-cuda"

    def __init__(self, torch: Any, index: int) -> None:
        self.torch = torch
        self.index = index
        self.label = f"cuda:{index}"
        self.device = torch.device("cuda", index)
        torch.cuda.set_device(self.device)
        self.props = torch.cuda.get_device_properties(index)
        self.cc: tuple[int, int] = (int(self.props.major), int(self.props.minor))
        self.kernels = TorchKernels(torch, self.device)
        self._probed: dict[str, str | None] = {}
        self._variant: dict[str, int] = {}

    # identity -----------------------------------------------------------------------------------------------------

    def identity(self) -> dict[str, Any]:
        p = self.props
        uuid = getattr(p, "uuid", None)
        uuid_text = None if uuid is None else str(uuid)
        if uuid_text and not uuid_text.startswith("GPU-"):
            uuid_text = f"GPU-{uuid_text}"
        smi = _smi(uuid_text, self.index)
        return {"kind": "cuda", "index": self.index, "name": str(p.name),
                "compute_capability": f"{self.cc[0]}.{self.cc[1]}", "memory_bytes": int(p.total_memory),
                "multiprocessors": int(p.multi_processor_count),
                "l2_cache_bytes": getattr(p, "L2_cache_size", None),
                "stable_id": uuid_text or smi.get("uuid"),
                "driver_version": smi.get("driver_version"), "clocks_mhz": {
                    k: smi[k] for k in ("clocks_max_sm", "clocks_max_memory", "clocks_sm", "clocks_mem") if k in smi},
                "power_limit_w": smi.get("power_limit"), "pci_bus_id": smi.get("pci_bus_id"),
                "vbios_version": smi.get("vbios_version"), "temperature_c": smi.get("temperature_gpu"),
                "nvidia_smi": bool(smi)}

    def software(self) -> dict[str, Any]:
        from chipcontrol import __version__

        t = self.torch
        cudnn = t.backends.cudnn.version() if t.backends.cudnn.is_available() else None
        try:
            import numpy

            np_version: str | None = numpy.__version__
        except ImportError:  # pragma: no cover
            np_version = None
        return {"chipcontrol": __version__, "python": sys.version.split()[0], "torch": t.__version__,
                "cuda_runtime": t.version.cuda, "cudnn": cudnn, "numpy": np_version, "os": platform.platform()}

    def notes(self) -> tuple[str, ...]:
        return ("fp32 is measured with TF32 off; tf32 with TF32 on (torch.backends.cuda.matmul.allow_tf32).",
                "fp8 uses torch._scaled_mm (e4m3 × e4m3, unit scales, bf16 output, fast accumulation); int8 uses "
                "torch._int_mm (int32 accumulation).",
                "Bandwidth counts bytes read plus bytes written by the kernel (copy 8 bytes, triad 12 bytes per "
                "float32 element).")

    # plans --------------------------------------------------------------------------------------------------------

    def default_plan(self, quick: bool) -> Plan:
        l2 = getattr(self.props, "L2_cache_size", 0) or 64 * MiB
        start = max(8 * int(l2), 256 * MiB)
        start = 1 << (start - 1).bit_length()
        if quick:
            return Plan(matmul_sizes=(2048, 4096, 8192), bandwidth_bytes=(start, 4 * start), warmup=3,
                        min_run_seconds=0.05, repeats=3, max_sweep_seconds=10.0, name="quick")
        return Plan(matmul_sizes=(1024, 2048, 4096, 8192, 12288, 16384),
                    bandwidth_bytes=(start, 2 * start, 4 * start, 8 * start), warmup=5, min_run_seconds=0.25,
                    repeats=7, max_sweep_seconds=45.0, name="full")

    def cache_bytes(self) -> int | None:
        l2 = getattr(self.props, "L2_cache_size", None)
        return int(l2) if l2 else None

    def _budget(self) -> int:
        free, _total = self.torch.cuda.mem_get_info(self.device)
        return int(free * 0.7)

    def _fit(self, sizes: tuple[int, ...], need: Callable[[int], int]) -> tuple[tuple[int, ...], str]:
        budget = self._budget()
        fitting = tuple(s for s in sizes if need(s) <= budget)
        return fitting, ("memory cap" if len(fitting) < len(sizes) else "size cap")

    # matmul -------------------------------------------------------------------------------------------------------

    def _static_reason(self, precision: str) -> str | None:
        t = self.torch
        if precision in NEVER:
            return NEVER[precision]
        if precision == "fp4":
            return ("FP4 needs block-scaled torch._scaled_mm on compute capability 10.x; not driven by this backend"
                    if self.cc >= (10, 0) else
                    f"no FP4 tensor cores on compute capability {self.cc[0]}.{self.cc[1]} (needs 10.x)")
        need = MIN_CC.get(precision)
        if need is not None and self.cc < need:
            return f"needs compute capability {need[0]}.{need[1]} or later (this GPU: {self.cc[0]}.{self.cc[1]})"
        if precision == "fp8" and not (hasattr(t, "_scaled_mm") and hasattr(t, "float8_e4m3fn")):
            return f"PyTorch {t.__version__} has no torch._scaled_mm / float8 types (needs 2.1 or later)"
        if precision == "int8" and not hasattr(t, "_int_mm"):
            return f"PyTorch {t.__version__} has no torch._int_mm (needs 2.1 or later)"
        if precision not in ("fp64", "fp32", "tf32", "fp16", "bf16", "fp8", "int8"):
            return f"unknown precision {precision!r}"
        return None

    def unsupported(self, precision: str) -> str | None:
        if precision not in self._probed:
            reason = self._static_reason(precision)
            if reason is None:
                reason = self._probe(precision)
            self._probed[precision] = reason
        return self._probed[precision]

    def _probe(self, precision: str) -> str | None:
        """A small trial of each operand layout: a library that cannot run the precision says so here (the reason
        is its error's first line), not in the middle of a sweep."""
        first = ""
        for variant in range(LAYOUT_VARIANTS.get(precision, 1)):
            try:
                self.kernels.matmul(precision, 256, variant)()
                self.synchronize()
            except Exception as exc:  # any library error means "not measured", with its text
                text = str(exc).strip()
                first = first or (text.splitlines()[0] if text else type(exc).__name__)
                continue
            self._variant[precision] = variant
            return None
        return f"PyTorch could not run it: {first[:200]}"

    def method(self, precision: str) -> str:
        return {"fp64": "torch.matmul float64", "fp32": "torch.matmul float32, TF32 off",
                "tf32": "torch.matmul float32, TF32 on", "fp16": "torch.matmul float16",
                "bf16": "torch.matmul bfloat16",
                "fp8": "torch._scaled_mm float8_e4m3fn, unit scales, bf16 out, fast accumulation",
                "int8": "torch._int_mm int8 → int32"}.get(precision, precision) + ", n×n×n" + (
                    f", operand layout {self._variant[precision]}" if self._variant.get(precision) else "")

    def fit_matmul(self, precision: str, sizes: tuple[int, ...]) -> tuple[tuple[int, ...], str]:
        item = {"fp64": 8, "fp32": 4, "tf32": 4, "fp16": 2, "bf16": 2, "fp8": 1, "int8": 1}.get(precision, 4)
        out = {"fp8": 2, "int8": 4}.get(precision, item)
        # operands, the output, and the float32 staging tensor randn makes for each operand
        return self._fit(sizes, lambda n: n * n * (2 * item + out + 4))

    def _oom(self, exc: Exception) -> bool:
        return "out of memory" in str(exc).lower() or type(exc).__name__ == "OutOfMemoryError"

    def prepare_matmul(self, precision: str, n: int) -> Prepared:
        try:
            kernel = self.kernels.matmul(precision, n, self._variant.get(precision, 0))
        except Exception as exc:
            if self._oom(exc):
                raise Skip("out of GPU memory") from None
            raise
        return Prepared(kernel, 2.0 * n * n * n)

    # bandwidth ----------------------------------------------------------------------------------------------------

    def bandwidth_counted(self, kind: str) -> str:
        if kind == "copy":
            return "b = a: 8 bytes per float32 element (4 read + 4 written)"
        return "a = b + s·c (one fused kernel): 12 bytes per float32 element (8 read + 4 written)"

    def fit_bandwidth(self, kind: str, sizes: tuple[int, ...]) -> tuple[tuple[int, ...], str]:
        arrays = 2 if kind == "copy" else 3
        return self._fit(sizes, lambda nbytes: arrays * nbytes)

    def prepare_bandwidth(self, kind: str, nbytes: int) -> Prepared:
        try:
            kernel, moved = self.kernels.bandwidth(kind, nbytes)
        except Exception as exc:
            if self._oom(exc):
                raise Skip("out of GPU memory") from None
            raise
        return Prepared(kernel, moved)

    def synchronize(self) -> None:
        self.torch.cuda.synchronize(self.device)

    def release(self) -> None:
        self.torch.cuda.empty_cache()

    def close(self) -> None:
        self.torch.backends.cuda.matmul.allow_tf32 = False
        self.release()
