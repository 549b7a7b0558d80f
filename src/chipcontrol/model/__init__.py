"""Shared frozen value types. No I/O, no imports from the rest of chipcontrol."""

from chipcontrol.model.citation import Citation
from chipcontrol.model.spec import PRECISION_BITS, PRECISIONS, ChipSpec
from chipcontrol.model.trace import ParamRead, TraceStep

__all__ = ["PRECISIONS", "PRECISION_BITS", "ChipSpec", "Citation", "ParamRead", "TraceStep"]
