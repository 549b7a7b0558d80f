"""Results returned by the pure rules: a classification and a licence determination, each with its trace."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from chipcontrol.model.citation import Citation
from chipcontrol.model.trace import TraceStep


@dataclass(frozen=True, slots=True)
class Classification:
    """What an item is under the CCL on one date.

    ``paragraph`` is the most specific advanced-computing paragraph met ("3A090.a", "4A090.b", ...) or None;
    ``level`` is "a", "b" or "c" (the licensing level, which also governs the .z equivalents).
    ``indeterminate`` is true when a missing fact (named in ``missing``) decides the answer.
    """

    item: str
    as_of: dt.date
    rule_version: str
    rule_citation: Citation
    paragraph: str | None
    subparagraph: str | None
    level: str | None
    tpp: float | None
    tpp_basis: str
    performance_density: float | None
    datacenter: bool | None
    trace: tuple[TraceStep, ...]
    indeterminate: bool = False
    missing: tuple[str, ...] = ()
    near_thresholds: tuple[str, ...] = ()
    z_equivalents: tuple[str, ...] = ()
    interpretations: tuple[tuple[str, str], ...] = ()
    item_type: str = "ic"
    memory_bandwidth_gbs: float | None = None
    contained_paragraph: str | None = None

    @property
    def controlled(self) -> bool:
        return self.paragraph is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "item_type": self.item_type,
            "as_of": self.as_of.isoformat(),
            "rule_version": self.rule_version,
            "rule_citation": self.rule_citation.short(),
            "paragraph": self.paragraph,
            "subparagraph": self.subparagraph,
            "level": self.level,
            "contained_ic_paragraph": self.contained_paragraph,
            "z_equivalents": list(self.z_equivalents),
            "tpp": None if self.tpp is None else round(self.tpp, 4),
            "tpp_basis": self.tpp_basis,
            "performance_density": None if self.performance_density is None else round(self.performance_density, 4),
            "datacenter": self.datacenter,
            "indeterminate": self.indeterminate,
            "missing": list(self.missing),
            "near_thresholds": list(self.near_thresholds),
            "interpretations": dict(self.interpretations),
            "trace": [s.to_dict() for s in self.trace],
        }


@dataclass(frozen=True, slots=True)
class Reason:
    """A licence requirement (or prohibition) found, with its citation."""

    rule_id: str
    detail: str
    citation: Citation
    kind: str = "license_required"  # license_required | prohibited | informational

    def to_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "kind": self.kind, "detail": self.detail, "citation": self.citation.short(),
                "citation_detail": self.citation.to_dict()}


@dataclass(frozen=True, slots=True)
class LicenseException:
    name: str
    cfr: str
    conditions: tuple[str, ...]
    citation: Citation
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "cfr": self.cfr, "conditions": list(self.conditions), "detail": self.detail,
                "citation": self.citation.short()}


@dataclass(frozen=True, slots=True)
class Determination:
    """May this item go to this party, in this country, on this date?"""

    as_of: dt.date
    view: str
    rule_version: str
    classification: Classification
    destination: str
    license_required: bool
    prohibited: bool
    review_policy: str | None
    review_conditions: tuple[str, ...]
    reasons: tuple[Reason, ...]
    license_exceptions: tuple[LicenseException, ...]
    trace: tuple[TraceStep, ...]
    indeterminate: bool = False
    warnings: tuple[str, ...] = ()
    view_note: str = ""
    inputs: dict[str, Any] = field(default_factory=dict)

    @property
    def outcome(self) -> str:
        if self.prohibited:
            return "prohibited"
        if self.indeterminate and not self.license_required:
            return "indeterminate"
        if self.license_required:
            return "license_exception_available" if self.license_exceptions else "license_required"
        return "no_license_required"
