"""The ``--device`` grammar and the backend interface.

``cpu`` is measured with NumPy (always installed). ``cuda`` or ``cuda:N`` is measured with PyTorch, an optional
extra (``pip install 'chipcontrol[measure]'``) imported only when a CUDA device is asked for. Every way of asking
for something that is not there ends in one :class:`~chipcontrol.errors.InvalidInput` line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from chipcontrol.errors import InvalidInput
from chipcontrol.measure.results import Plan
from chipcontrol.measure.sweep import Prepared

_DEVICE = re.compile(r"^(cpu|cuda)(?::(.*))?$")
DEVICE_HELP = "cpu (NumPy), cuda (the first GPU) or cuda:N (GPU index N: 0, 1, ...)"


@dataclass(frozen=True, slots=True)
class DeviceRef:
    kind: str  # cpu | cuda
    index: int | None = None

    @property
    def label(self) -> str:
        return self.kind if self.index is None else f"{self.kind}:{self.index}"


def parse_device(text: str | None) -> DeviceRef:
    """``cpu``, ``cuda`` or ``cuda:N``; anything else is one clear line."""
    raw = (text or "cpu").strip()
    m = _DEVICE.match(raw.lower())
    if m is None:
        raise InvalidInput(f"unknown device {raw!r}; use {DEVICE_HELP}")
    kind, index = m.group(1), m.group(2)
    if index is None:
        return DeviceRef(kind)
    if kind == "cpu":
        raise InvalidInput(f"unknown device {raw!r}: the CPU takes no index; use {DEVICE_HELP}")
    if not index.isdigit():
        raise InvalidInput(f"unknown device {raw!r}: N in cuda:N is a GPU index (0, 1, ...); use {DEVICE_HELP}")
    return DeviceRef(kind, int(index))


class Backend(Protocol):
    """What the runner needs from a device. Sizes a backend cannot hold are dropped by ``fit_*``."""

    name: str
    label: str

    def identity(self) -> dict[str, Any]: ...

    def software(self) -> dict[str, Any]: ...

    def default_plan(self, quick: bool) -> Plan: ...

    def unsupported(self, precision: str) -> str | None:
        """Why ``precision`` is not measured on this device, or None when it is."""
        ...

    def method(self, precision: str) -> str: ...

    def fit_matmul(self, precision: str, sizes: tuple[int, ...]) -> tuple[tuple[int, ...], str]:
        """The sizes that fit in memory, and why the list ends (``size cap`` or ``memory cap``)."""
        ...

    def prepare_matmul(self, precision: str, n: int) -> Prepared: ...

    def bandwidth_counted(self, kind: str) -> str: ...

    def fit_bandwidth(self, kind: str, sizes: tuple[int, ...]) -> tuple[tuple[int, ...], str]: ...

    def prepare_bandwidth(self, kind: str, nbytes: int) -> Prepared: ...

    def cache_bytes(self) -> int | None:
        """The largest cache between the kernels and device memory (CPU: last level; GPU: L2)."""
        ...

    def synchronize(self) -> None: ...

    def release(self) -> None: ...

    def notes(self) -> tuple[str, ...]: ...

    def close(self) -> None: ...


def open_backend(ref: DeviceRef) -> Backend:
    """The backend for a device, checked to be there (CUDA: PyTorch installed, built with CUDA, GPU N visible)."""
    if ref.kind == "cpu":
        from chipcontrol.measure.cpu import NumpyBackend

        return NumpyBackend()
    from chipcontrol.measure.cuda import open_cuda

    return open_cuda(ref.index)
