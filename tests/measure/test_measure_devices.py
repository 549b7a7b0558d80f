"""The --device grammar and the CUDA backend's refusals, without a GPU: the CUDA module is driven with small stand-ins
for ``torch`` (what a CPU-only build, a machine without a GPU and a one-GPU machine report). Where PyTorch is
installed, its kernels are also run on PyTorch's CPU device type (skipped otherwise; CI does not install torch)."""

from __future__ import annotations

import sys
from types import SimpleNamespace
from typing import Any

import pytest

from chipcontrol.errors import InvalidInput
from chipcontrol.measure.cuda import TorchCudaBackend, TorchKernels, open_cuda
from chipcontrol.measure.devices import DeviceRef, parse_device


@pytest.mark.parametrize(("text", "ref"), [("cpu", DeviceRef("cpu")), (None, DeviceRef("cpu")),
                                           ("cuda", DeviceRef("cuda")), ("CUDA:1", DeviceRef("cuda", 1)),
                                           (" cuda:0 ", DeviceRef("cuda", 0))])
def test_device_grammar(text: str | None, ref: DeviceRef) -> None:
    assert parse_device(text) == ref


@pytest.mark.parametrize(("text", "message"), [("tpu", "unknown device 'tpu'"), ("cuda:x", "is a GPU index"),
                                               ("cuda:-1", "is a GPU index"), ("cpu:0", "takes no index"),
                                               ("gpu", "unknown device")])
def test_device_grammar_refuses(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as exc:
        parse_device(text)
    assert "\n" not in str(exc.value)


def _torch(available: bool, count: int = 0, cuda_version: str | None = None) -> Any:
    return SimpleNamespace(__version__="2.5.1", version=SimpleNamespace(cuda=cuda_version),
                           cuda=SimpleNamespace(is_available=lambda: available, device_count=lambda: count))


def test_cuda_without_torch_is_one_line() -> None:
    if "torch" in sys.modules or _importable("torch"):
        pytest.skip("PyTorch is installed here")
    with pytest.raises(InvalidInput, match=r"needs PyTorch, which is not installed: pip install 'chipcontrol\[measure"):
        open_cuda(None)


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


@pytest.mark.parametrize(("fake", "index", "message"), [
    (_torch(False), None, r"--device cuda: PyTorch 2.5.1 sees no CUDA device \(a CPU-only build\)"),
    (_torch(False, cuda_version="12.4"), 0, r"--device cuda:0: .*built for CUDA 12.4, but no GPU or driver"),
    (_torch(True, count=1), 3, r"--device cuda:3: only 1 CUDA device\(s\) visible \(cuda:0 to cuda:0\)"),
])
def test_cuda_refusals(fake: Any, index: int | None, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        open_cuda(index, torch_module=fake)


def _backend(cc: tuple[int, int]) -> TorchCudaBackend:
    b = TorchCudaBackend.__new__(TorchCudaBackend)
    b.torch = SimpleNamespace(__version__="2.5.1", _scaled_mm=object(), float8_e4m3fn=object(), _int_mm=object())
    b.cc = cc
    return b


def test_precisions_by_compute_capability() -> None:
    hopper, turing = _backend((9, 0)), _backend((7, 5))
    assert [p for p in ("fp64", "fp32", "tf32", "fp16", "bf16", "fp8", "int8")
            if hopper._static_reason(p) is not None] == []
    assert "needs 10.x" in (hopper._static_reason("fp4") or "")
    assert "int4" in (hopper._static_reason("int4") or "") and hopper._static_reason("fp6")
    assert "compute capability 8.0" in (turing._static_reason("tf32") or "")
    assert "compute capability 8.9" in (turing._static_reason("fp8") or "")
    assert "not driven" in (_backend((10, 0))._static_reason("fp4") or "")
    old = _backend((9, 0))
    old.torch = SimpleNamespace(__version__="2.0.1")
    assert "needs 2.1" in (old._static_reason("fp8") or "") and "needs 2.1" in (old._static_reason("int8") or "")


class _Kernels:
    """Stands in for TorchKernels: layouts listed in ``works`` run, the others fail as a library would."""

    def __init__(self, works: set[int]) -> None:
        self.works = works

    def matmul(self, precision: str, n: int, variant: int = 0) -> Any:
        def kernel() -> None:
            if variant not in self.works:
                raise RuntimeError(f"mat2 must be col_major (layout {variant})\nsecond line")
        return kernel


@pytest.mark.parametrize(("works", "reason", "variant"), [
    ({0}, None, 0), ({1}, None, 1),
    (set(), "PyTorch could not run it: mat2 must be col_major (layout 0)", None)])
def test_a_library_error_in_the_trial_is_the_reason(works: set[int], reason: str | None, variant: int | None) -> None:
    b = _backend((9, 0))
    b.torch.cuda = SimpleNamespace(synchronize=lambda device: None)
    b.device, b.kernels, b._probed, b._variant = "cuda:0", _Kernels(works), {}, {}
    assert b.unsupported("int8") == reason
    assert b._variant.get("int8") == variant


def test_torch_kernels_on_the_cpu_device_type() -> None:
    torch = pytest.importorskip("torch")
    k = TorchKernels(torch, torch.device("cpu"))
    for precision in ("fp64", "fp32", "fp16", "bf16", "int8", "fp8"):
        k.matmul(precision, 64)()
    k.matmul("tf32", 64)()
    assert torch.backends.cuda.matmul.allow_tf32 is True  # tf32 is fp32 with TF32 allowed ...
    k.matmul("fp32", 64)()
    assert torch.backends.cuda.matmul.allow_tf32 is False  # ... and fp32 is measured with it off
    for kind, per_element in (("copy", 8.0), ("triad", 12.0)):
        kernel, moved = k.bandwidth(kind, 1 << 20)
        kernel()
        assert moved == per_element * (1 << 18)
