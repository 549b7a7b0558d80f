"""Measure an accelerator in the regulation's own terms: sustained dense matmul throughput per precision (counted as
TPP counts it), device-memory bandwidth, and the comparison with declared figures.

- ``results``: the plan of a run and what it measured (plain dataclasses, JSON-ready).
- ``sweep``: the timing method: warm-up, calibrated timed runs, best of repeats, size sweep to a plateau.
- ``devices``: the ``--device`` grammar and the backend interface; ``cpu`` (NumPy, always there) and ``cuda``
  (PyTorch, imported only when a CUDA device is asked for).
- ``runner``: one measurement of every figure a backend offers.
- ``compare``: measured against declared figures, with the red-flag rule; the measured spec.
- ``html``: the readable report (matplotlib curves inline).

Classification of the measured figures is done by ``chipcontrol.services.measure`` with the real rules.
"""

from chipcontrol.measure.results import BandwidthResult, Measurement, Plan, Point, PrecisionResult, Sweep

__all__ = ["BandwidthResult", "Measurement", "Plan", "Point", "PrecisionResult", "Sweep"]
