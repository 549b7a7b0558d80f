"""Which catalogue chips change status between two rule states (a scenario vs the regulations, or two dates)?

A chip's status for one shipment is its 3A090/4A090 paragraph, whether a licence is required, the review policy and
whether the export is prohibited. Each change comes with the reason read from the two traces: the rule whose answer
differs, with the parameter values it read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from chipcontrol.model.decision import Determination
from chipcontrol.model.shipment import Shipment
from chipcontrol.model.spec import ChipSpec
from chipcontrol.model.trace import TraceStep
from chipcontrol.rules.ear.eccn_3a090 import classify
from chipcontrol.rules.ear.license import determine
from chipcontrol.rules.ruleset import Ruleset


@dataclass(frozen=True, slots=True)
class Status:
    """What matters about one determination for a what-if comparison."""

    paragraph: str | None
    subparagraph: str | None
    license_required: bool | None
    review_policy: str | None
    prohibited: bool
    indeterminate: bool
    exceptions: tuple[str, ...]
    reasons: tuple[str, ...]
    outcome: str
    tpp: float | None = None

    @classmethod
    def of(cls, d: Determination) -> Status:
        c = d.classification
        return cls(paragraph=c.paragraph, subparagraph=c.subparagraph, license_required=d.license_required,
                   review_policy=d.review_policy, prohibited=d.prohibited,
                   indeterminate=d.outcome == "indeterminate",
                   exceptions=tuple(e.name for e in d.license_exceptions),
                   reasons=tuple(r.rule_id for r in d.reasons), outcome=d.outcome, tpp=c.tpp)

    @property
    def key(self) -> tuple[Any, ...]:
        return (self.paragraph, self.license_required, self.review_policy, self.prohibited)

    @property
    def category(self) -> str:
        """A coarse class for charts: no_license, exception, case_by_case, approval, denial, prohibited."""
        if self.prohibited:
            return "prohibited"
        if not self.license_required:
            return "indeterminate" if self.indeterminate else "no_license"
        if self.exceptions:
            return "exception"
        return {"presumption_of_approval": "approval", "case_by_case": "case_by_case",
                "presumption_of_denial": "denial"}.get(self.review_policy or "", "license")

    def label(self) -> str:
        para = self.subparagraph or self.paragraph or "not 3A090"
        if self.prohibited:
            lic = "prohibited"
        elif self.license_required:
            lic = "licence required" + (f" ({self.review_policy.replace('_', ' ')})" if self.review_policy else "")
            if self.exceptions:
                lic += f", exception {'/'.join(self.exceptions)}"
        else:
            lic = "no licence" + (" (indeterminate)" if self.indeterminate else "")
        return f"{para}; {lic}"

    def to_dict(self) -> dict[str, Any]:
        return {"paragraph": self.paragraph, "subparagraph": self.subparagraph,
                "license_required": self.license_required, "review_policy": self.review_policy,
                "prohibited": self.prohibited, "indeterminate": self.indeterminate,
                "license_exceptions": list(self.exceptions), "reasons": list(self.reasons), "outcome": self.outcome,
                "category": self.category, "label": self.label()}


@dataclass(frozen=True, slots=True)
class Change:
    item: str
    before: Status
    after: Status
    reason: str
    details: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"item": self.item, "before": self.before.to_dict(), "after": self.after.to_dict(),
                "reason": self.reason, "details": list(self.details)}


@dataclass(frozen=True, slots=True)
class Side:
    """One rule state: a ruleset on a date, with a label ("regulations", "scenario X", a date)."""

    ruleset: Ruleset
    day: dt.date
    label: str


@dataclass(frozen=True, slots=True)
class Comparison:
    before: Side
    after: Side
    shipment: Shipment
    view: str
    items: int
    changes: tuple[Change, ...]
    counts_before: dict[str, int] = field(default_factory=dict)
    counts_after: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"before": {"label": self.before.label, "date": self.before.day.isoformat(),
                           "ruleset_hash": self.before.ruleset.hash},
                "after": {"label": self.after.label, "date": self.after.day.isoformat(),
                          "ruleset_hash": self.after.ruleset.hash},
                "destination": self.shipment.destination, "exporter": self.shipment.exporter, "view": self.view,
                "items_compared": self.items, "changed": len(self.changes),
                "counts_before": self.counts_before, "counts_after": self.counts_after,
                "changes": [c.to_dict() for c in self.changes]}


def lab_shipment(spec: ChipSpec, ship: Shipment) -> Shipment:
    """The lab's reading of a bare destination: an end user headquartered there, and the item's maker as
    exporter, unless the shipment says otherwise (a scenario is about items and destinations, not parties)."""
    maker = spec.accelerator.vendor if (spec.item_type == "computer" and spec.accelerator) else spec.vendor
    return dataclasses.replace(ship, end_user_hq=ship.end_user_hq or ship.destination,
                               exporter=ship.exporter or maker or "(exporter not named)")


def evaluate(spec: ChipSpec, ruleset: Ruleset, day: dt.date, ship: Shipment, view: str = "enforced",
             tf32_mode: str = "exclude") -> Determination:
    """The real rules, unchanged: classify, then determine the licence requirement (for the lab's shipment)."""
    ctx = ruleset.context(day, view)
    return determine(spec, classify(spec, ctx, tf32_mode), lab_shipment(spec, ship), ctx)


def _step_text(s: TraceStep) -> str:
    params = ", ".join(f"{p.name.rsplit('.', 1)[-1]}={p.value!r}"
                       + (" [scenario]" if p.citation.source_id.startswith("scenario-") else "")
                       for p in s.parameters if not isinstance(p.value, (list, dict)))
    return f"{s.rule_id}: {s.question} {s.answer}" + (f" ({params})" if params else "")


def _short(text: str, limit: int = 180) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def explain(before: Determination, after: Determination) -> tuple[str, tuple[str, ...]]:
    """Why the status differs, from the two traces: the classification steps whose answers differ (the decisive ones,
    answered yes on either side, first), then the licence requirements added or removed, then other steps.
    Returns the one-line reason and every line found."""
    decisive: list[str] = []
    other_ccl: list[str] = []
    requirements: list[str] = []
    rest: list[str] = []
    b_reasons = {r.rule_id: r for r in before.reasons}
    a_reasons = {r.rule_id: r for r in after.reasons}
    a_steps = {s.rule_id: s for s in after.trace}
    for rid, r in a_reasons.items():
        if rid not in b_reasons:
            tag = " [scenario]" if r.citation.source_id.startswith("scenario-") else ""
            step = a_steps.get(rid)
            what = step.answer if (step is not None and step.answer.startswith("yes")) else r.detail
            requirements.append(_short(f"new requirement {rid}{tag}: {what}"))
    for rid in b_reasons:
        if rid not in a_reasons:
            requirements.append(f"requirement {rid} no longer applies")
    b_steps = {s.rule_id: s for s in before.trace}
    for s in after.trace:
        if s.status == "info" or s.rule_id == "ear.734.destination":
            continue
        old = b_steps.get(s.rule_id)
        if old is not None and old.answer == s.answer:
            continue
        if not s.parameters and s.rule_id not in a_reasons and old is None:
            continue
        line = _step_text(s) + (f" (was: {old.answer})" if old is not None else " (not asked before)")
        if s.rule_id.startswith("ear.ccl."):
            yes = s.answer.startswith("yes") or (old is not None and old.answer.startswith("yes"))
            (decisive if yes else other_ccl).append(line)
        else:
            rest.append(line)
    if before.review_policy != after.review_policy and not rest:
        rest.append(f"review policy {before.review_policy} -> {after.review_policy}")
    lines = list(dict.fromkeys([*decisive, *requirements, *other_ccl, *rest]))
    head = [x for x in (decisive[:1] + requirements[:1]) if x] or lines[:1]
    return ("; ".join(head) if head else "the same requirements, read differently"), tuple(lines)


def compare(items: Iterable[tuple[str, ChipSpec]], before: Side, after: Side, ship: Shipment,
            view: str = "enforced", tf32_mode: str = "exclude") -> Comparison:
    """Every item whose status differs between two rule states, in catalogue order."""
    changes: list[Change] = []
    n = 0
    cb: dict[str, int] = {}
    ca: dict[str, int] = {}
    for name, spec in items:
        n += 1
        db = evaluate(spec, before.ruleset, before.day, ship, view, tf32_mode)
        da = evaluate(spec, after.ruleset, after.day, ship, view, tf32_mode)
        sb, sa = Status.of(db), Status.of(da)
        cb[sb.category] = cb.get(sb.category, 0) + 1
        ca[sa.category] = ca.get(sa.category, 0) + 1
        if sb.key != sa.key:
            reason, details = explain(db, da)
            changes.append(Change(name, sb, sa, reason, details))
    return Comparison(before, after, ship, view, n, tuple(changes), cb, ca)


def impact(items: Sequence[tuple[str, ChipSpec]], base: Ruleset, scenario: Ruleset, day: dt.date, ship: Shipment,
           scenario_label: str = "scenario", view: str = "enforced", tf32_mode: str = "exclude") -> Comparison:
    """The chips whose status on ``day`` differs between the regulations and the scenario's overlaid rules."""
    return compare(items, Side(base, day, "regulations"), Side(scenario, day, scenario_label), ship, view, tf32_mode)


def diff(items: Sequence[tuple[str, ChipSpec]], ruleset: Ruleset, day_from: dt.date, day_to: dt.date,
         ship: Shipment, label: str = "regulations", view: str = "enforced",
         tf32_mode: str = "exclude") -> Comparison:
    """The chips whose status differs between two dates under one ruleset."""
    return compare(items, Side(ruleset, day_from, f"{label} on {day_from}"), Side(ruleset, day_to, f"{label} on "
                   f"{day_to}"), ship, view, tf32_mode)
