"""Trace steps: every decision returns the questions it asked, the answers and the citations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chipcontrol.model.citation import Citation
from chipcontrol.model.frozen import quick_init


@quick_init
@dataclass(frozen=True, slots=True)
class ParamRead:
    """A regulation parameter as read on the decision date."""

    name: str
    value: Any
    effective_from: str
    citation: Citation

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "effective_from": self.effective_from,
                "citation": self.citation.short(), "source_id": self.citation.source_id}


@quick_init
@dataclass(frozen=True, slots=True)
class TraceStep:
    """One question asked by a rule.

    ``status`` is ``ok``, ``indeterminate`` (a needed fact is missing), ``near_threshold`` (within 1 % of
    a threshold) or ``info`` (context, not a test).
    """

    rule_id: str
    question: str
    answer: str
    citation: Citation
    detail: str = ""
    status: str = "ok"
    inputs: tuple[tuple[str, Any], ...] = field(default=())
    parameters: tuple[ParamRead, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "rule_id": self.rule_id,
            "question": self.question,
            "answer": self.answer,
            "citation": self.citation.short(),
            # the full citation is in the ruleset (by source_id); the trace keeps what a reader follows
            "citation_detail": {k: v for k, v in (("source_id", self.citation.source_id), ("url", self.citation.url),
                                                  ("verification", self.citation.verification)) if v},
            "status": self.status,
        }
        if self.detail:
            d["detail"] = self.detail
        if self.inputs:
            d["inputs"] = {k: v for k, v in self.inputs}
        if self.parameters:
            d["parameters"] = [p.to_dict() for p in self.parameters]
        return d
