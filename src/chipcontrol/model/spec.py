"""The item under assessment: an IC, a computer containing ICs, or an HBM stack."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Bit length per precision for TPP (bit length of the operation). TF32 is deliberately absent:
# its bit length is an interpretation, chosen by a setting (see chipcontrol.rules.ear.metrics).
PRECISION_BITS: Mapping[str, int] = {
    "fp64": 64, "fp32": 32, "fp16": 16, "bf16": 16, "fp8": 8, "int8": 8, "fp6": 6, "fp4": 4, "int4": 4,
}
PRECISIONS: tuple[str, ...] = ("fp64", "fp32", "tf32", "fp16", "bf16", "fp8", "int8", "fp6", "fp4", "int4")

ITEM_TYPES = ("ic", "computer", "hbm")


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where and how an item was made: the facts the EAR's jurisdiction rules (part 734) turn on.

    ``None`` means unknown. ``direct_product`` is whether the item is a direct product of US-origin technology or
    software of the kind 734.9 names, or of a plant (or a major component of one) that is; ``us_content_above``
    whether US-origin controlled content exceeds the de minimis level (734.4). ``gp10`` names BIS guidance that
    presumes the item was produced in violation of the EAR (General Prohibition 10). ``sources`` back each value.
    """

    designed_in: str | None = None
    made_in: str | None = None
    fab: str = ""
    direct_product: bool | None = None
    us_content_above: bool | None = None
    ordered_by_footnote: str = ""  # produced, purchased or ordered by an Entity List footnote entity (e.g. "1")
    gp10: str = ""
    sources: tuple[str, ...] = ()
    verification: str = ""

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"designed_in": self.designed_in, "made_in": self.made_in,
                             "direct_product_of_us_technology": self.direct_product,
                             "us_content_above_de_minimis": self.us_content_above}
        if self.fab:
            d["fab"] = self.fab
        if self.ordered_by_footnote:
            d["produced_for_entity_list_footnote"] = self.ordered_by_footnote
        if self.gp10:
            d["gp10"] = self.gp10
        if self.sources:
            d["sources"] = list(self.sources)
        if self.verification:
            d["verification"] = self.verification
        return d


@dataclass(frozen=True, slots=True)
class ChipSpec:
    """Published or user-supplied facts about an item. ``None`` means unknown, never zero.

    - ``dense_tops``: dense (no sparsity) peak rates in tera-operations per second by precision.
    - ``die_area_mm2``: applicable die area, i.e. all non-planar logic dies summed.
    - ``io_bandwidth_gbs``: aggregate bidirectional I/O to ICs other than volatile memory (2022 test).
    - ``reported_tpp``: a published TPP figure used only when the per-precision rates are incomplete
      (catalogue rows such as the RTX 4090 D); the trace says so.
    - ``item_type``: ``ic``; ``computer`` (a server/board containing ``accelerator_count`` of
      ``accelerator``), assessed under 4A090; or ``hbm`` (a memory stack, 3A090.c).
    """

    name: str
    vendor: str | None = None
    datacenter: bool | None = None
    dense_tops: Mapping[str, float] = field(default_factory=dict)
    die_area_mm2: float | None = None
    io_bandwidth_gbs: float | None = None
    memory_bandwidth_gbs: float | None = None
    interconnect_bandwidth_gbs: float | None = None
    reported_tpp: float | None = None
    reported_tpp_source: str = ""
    item_type: str = "ic"
    accelerator: ChipSpec | None = None
    accelerator_count: int = 0
    memory_bandwidth_density: float | None = None
    commercially_available_in_us_on: dt.date | None = None
    us_availability: bool | None = None  # on sale in the US on 2026-01-15 (the 2026 review policy), where known
    us_availability_source: str = ""
    provenance: Provenance | None = None
    release_year: int | None = None
    sources: tuple[str, ...] = ()
    value_status: str = ""
    notes: str = ""

    @property
    def display_name(self) -> str:
        if self.vendor and not self.name.lower().startswith(self.vendor.lower()):
            return f"{self.vendor} {self.name}"
        return self.name

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.display_name, "item_type": self.item_type}
        if self.vendor:
            d["vendor"] = self.vendor
        d["datacenter"] = self.datacenter
        d["dense_tops"] = dict(self.dense_tops)
        for key in ("die_area_mm2", "io_bandwidth_gbs", "memory_bandwidth_gbs", "interconnect_bandwidth_gbs",
                    "reported_tpp", "memory_bandwidth_density"):
            value = getattr(self, key)
            if value is not None:
                d[key] = value
        if self.accelerator is not None:
            d["accelerator"] = self.accelerator.to_dict()
            d["accelerator_count"] = self.accelerator_count
        if self.commercially_available_in_us_on is not None:
            d["commercially_available_in_us_on"] = self.commercially_available_in_us_on.isoformat()
        if self.us_availability is not None:
            d["us_available_2026_01_15"] = self.us_availability
            d["us_available_source"] = self.us_availability_source
        if self.provenance is not None:
            d["provenance"] = self.provenance.to_dict()
        if self.value_status:
            d["value_status"] = self.value_status
        if self.sources:
            d["sources"] = list(self.sources)
        return d
