"""Results returned by the pure rules: a classification and a licence determination, each with its trace."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from chipcontrol.model.citation import Citation
from chipcontrol.model.frozen import quick_init
from chipcontrol.model.trace import TraceStep


@quick_init
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


@quick_init
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


@quick_init
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
class ReplyOutcome:
    """What the answer would be if the user gave this reply to a question."""

    reply: str  # the value as the user gives it ("CN", "yes", "no", "800")
    label: str  # the reply in plain words
    outcome: str
    license_required: bool | None
    review_policy: str | None
    license_exceptions: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()  # rule ids of the requirements found
    depends_on: tuple[str, ...] = ()  # other questions that still decide the answer under this reply

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"reply": self.reply, "label": self.label, "outcome": self.outcome,
                             "license_required": self.license_required, "review_policy": self.review_policy,
                             "license_exceptions": list(self.license_exceptions), "reasons": list(self.reasons)}
        if self.depends_on:
            d["depends_on"] = list(self.depends_on)
        return d


@dataclass(frozen=True, slots=True)
class Question:
    """A fact the answer turns on that nobody gave: the question in plain words and what each reply gives."""

    id: str
    question: str
    why: str
    answer_with: str
    citation: Citation
    replies: tuple[ReplyOutcome, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "question": self.question, "why": self.why, "answer_with": self.answer_with,
                "citation": self.citation.short(), "replies": [r.to_dict() for r in self.replies]}


@quick_init
@dataclass(frozen=True, slots=True)
class PartyFinding:
    """One party (or owner) as the engine saw it: its role, its hits, its listed ownership and why it matters."""

    role: str
    name: str
    country: str | None
    hq: str | None
    hits: tuple[dict[str, Any], ...]
    listed_share: float | None = None  # percent owned by listed parties (directly, indirectly, in aggregate)
    chains: tuple[str, ...] = ()  # each ownership path that counts, in words
    affiliate: bool = False  # 50 % or more owned by listed parties, the Affiliates Rule in force
    effect: str = ""  # what this party does to the answer, in words
    resembles: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"role": self.role, "name": self.name, "country": self.country, "hq": self.hq,
                             "hits": list(self.hits), "listed_share": self.listed_share,
                             "affiliate": self.affiliate, "effect": self.effect}
        if self.chains:
            d["ownership_chains"] = list(self.chains)
        if self.resembles:
            d["resembles"] = list(self.resembles)
        return d


@quick_init
@dataclass(frozen=True, slots=True)
class Determination:
    """May this item go to this party, in this country, on this date?

    ``license_required`` is None when it depends on a question still open (``questions``); ``subject_to_ear`` is
    None when the item's jurisdiction turns on an unknown fact, False when the EAR does not reach it.
    """

    as_of: dt.date
    view: str
    rule_version: str
    classification: Classification
    destination: str
    license_required: bool | None
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
    questions: tuple[Question, ...] = ()
    subject_to_ear: bool | None = True
    parties: tuple[PartyFinding, ...] = ()
    notices: tuple[dict[str, Any], ...] = ()  # cited notes outside the licence answer (tariffs, US-person rules)

    @property
    def outcome(self) -> str:
        if self.questions or self.indeterminate:
            return "indeterminate"
        if self.subject_to_ear is False:
            return "not_subject_to_ear"
        if self.prohibited:
            return "prohibited"
        if self.license_required:
            return "license_exception_available" if self.license_exceptions else "license_required"
        return "no_license_required"
