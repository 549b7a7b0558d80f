"""The scratchpad one licence determination is built on, shared by the part modules (734 ... 748).

A ``Work`` holds the item, its classification, the shipment, the rules in force, and one *world*: the replies
assumed for facts nobody gave. Rules record trace steps, requirements found, warnings and notices on it, and ask
for unknown facts with ``ask``; the driver in ``license.py`` runs the rules once per reply.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chipcontrol.model.citation import Citation
from chipcontrol.model.decision import Classification, LicenseException, PartyFinding, Reason
from chipcontrol.model.shipment import Party, Shipment
from chipcontrol.model.spec import ChipSpec
from chipcontrol.model.trace import ParamRead, TraceStep
from chipcontrol.rules.ear.facts import Fact, headquarters_fact
from chipcontrol.rules.ruleset import RuleContext

POLICY_ORDER = {"presumption_of_approval": 1, "case_by_case": 2, "presumption_of_denial": 3, "policy_of_denial": 4}
GROUPS_CITATION = Citation(source_id="ear-supp1-740-baseline", title="Country Groups", cfr="15 CFR 740 Supp. No. 1",
                           document="Supplement No. 1 to Part 740, as in force on the date (dated data with its "
                           "change log in regulations/ear/part_740/supp_1/)", verification="S")
D5MO: Mapping[str, list[str]] = {"groups": ["D5"], "countries": ["MO"]}
_LABELS: dict[tuple[int, str], str] = {}


@dataclass(slots=True)
class Found:
    """A requirement found: its reason, review policy, whether licence exceptions may overcome it, conditions."""

    reason: Reason
    policy: str | None
    allows_exceptions: bool
    conditions: tuple[str, ...] = ()


class Stop(Exception):
    """The analysis ends early (the item is not subject to the EAR, or the transaction is no export)."""


@dataclass(slots=True)
class Work:
    spec: ChipSpec
    cls: Classification
    ship: Shipment
    ctx: RuleContext
    world: Mapping[str, str] = field(default_factory=dict)
    steps: list[TraceStep] = field(default_factory=list)
    found: list[Found] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notices: list[dict[str, Any]] = field(default_factory=list)
    needed: list[Fact] = field(default_factory=list)
    assumed: dict[str, Fact] = field(default_factory=dict)
    parties: list[PartyFinding] = field(default_factory=list)
    subject_to_ear: bool | None = True
    authorizations: list[tuple[LicenseException, frozenset[str]]] = field(default_factory=list)
    _parties: tuple[Party, ...] | None = None
    unresolved: list[str] = field(default_factory=list)  # facts nobody can ask for that leave the answer open

    # ------------------------------------------------------------------ reading
    def read(self, name: str) -> ParamRead | None:
        return self.ctx.read(name)

    def ask(self, fact: Fact) -> str:
        """The reply for a fact nobody gave: the user's answer if given, else this world's assumption (recorded
        so the driver runs every reply)."""
        given = self.ship.facts.get(fact.id)
        if given is not None:
            return str(given)
        value = self.world.get(fact.id)
        if value is None:
            self.needed.append(fact)
            value = fact.replies[0].value
        self.assumed[fact.id] = fact
        label = next((r.label for r in fact.replies if r.value == value), value)
        self.steps.append(TraceStep(
            f"question.{fact.id}", fact.question, f"unknown; this branch assumes: {label}", fact.citation,
            f"Not given. {fact.why} See 'questions' for the answer each reply gives.", status="assumed"))
        return value

    def all_parties(self) -> tuple[Party, ...]:
        """The shipment's parties (computed once per run)."""
        if self._parties is None:
            self._parties = self.ship.all_parties()
        return self._parties

    def end_user(self) -> Party | None:
        for p in self.all_parties():
            if p.role == "end_user":
                return p
        return None

    def has_end_use(self, use: str) -> bool:
        """Did the user declare this end use? (Recorded as ``@ship:end_use:USE``: what the batch may share a decision
        across.)"""
        self.ctx.track("@ship:end_use:" + use)
        return use in self.ship.end_uses

    def asked_since(self, mark: int) -> bool:
        """Was a fact asked (not given: it becomes a question) since the trace held ``mark`` steps?"""
        return any(s.rule_id.startswith("question.") for s in self.steps[mark:])

    def end_user_hq(self, why: str, citation: Citation) -> str:
        """The end user's headquarters (or its ultimate parent's): given, or asked. (Recorded as ``@ship:hq``.)"""
        self.ctx.track("@ship:hq")
        eu = self.end_user()
        hq = self.ship.end_user_hq or (eu.hq if eu is not None else None)
        if hq is not None:
            return hq
        tier1: tuple[str, ...] = ()
        if "ai_diffusion" in self.ctx.features:
            t1 = self.read("ear.part_740.ai_diffusion.supp5_para_a")
            tier1 = tuple(t1.value) if t1 is not None else ()
        return self.ask(headquarters_fact(self.ctx, self.ship.destination, "end_user", citation, why, tier1))

    def headquarters(self, why: str, citation: Citation) -> list[tuple[str, str]]:
        """(who, headquarters) for the end user (asked if unknown) and every consignee whose headquarters is given:
        the entities an item is destined to."""
        out = [("the end user", self.end_user_hq(why, citation))]
        for p in self.all_parties():
            if p.role in ("ultimate_consignee", "intermediate_consignee", "purchaser") and p.hq:
                out.append((p.label, p.hq))
        return out

    # ------------------------------------------------------------------ writing
    def step(self, rule_id: str, question: str, answer: str, citation: Citation, detail: str = "",
             status: str = "ok", params: tuple[ParamRead, ...] = ()) -> None:
        self.steps.append(TraceStep(rule_id, question, answer, citation, detail, status, (), params))

    def require(self, rule_id: str, detail: str, citation: Citation, policy: str | None, *,
                allows_exceptions: bool, kind: str = "license_required", conditions: tuple[str, ...] = ()) -> None:
        self.found.append(Found(Reason(rule_id, detail, citation, kind), policy, allows_exceptions, conditions))

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)

    def group_label(self, country: str) -> str:
        key = (id(self.ctx.groups), country)
        found = _LABELS.get(key)
        if found is None:
            groups = self.ctx.groups_of(country)
            found = f"{country} ({', '.join(g[0] + ':' + g[1:] for g in groups)})" if groups else country
            if len(_LABELS) > 10_000:
                _LABELS.clear()
            _LABELS[key] = found
        return found

    def in_scope(self, country: str | None, scope: Mapping[str, Any] | None) -> bool:
        return country is not None and self.ctx.in_scope(country, scope)


def cit_fields(c: Citation) -> dict[str, Any]:
    return {k: getattr(c, k) for k in ("source_id", "title", "cfr", "fr", "fr_doc", "published", "effective", "url",
                                        "document", "note", "verification")}
