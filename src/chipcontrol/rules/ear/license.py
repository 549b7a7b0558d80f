"""Licence determination: may this item go to these parties, in this country, on this date?

``determine`` follows the EAR's own steps (Supplement No. 1 to part 732) in order:

1. Is the movement an export, reexport or transfer, and is the item subject to the EAR? (part 734)
2. What is it on the Commerce Control List? (part 774; the classification passed in)
3. General Prohibitions 1-3: does the CCL entry need a licence to this destination? (part 742; is-informed letters)
4. General Prohibitions 4-5: denied persons, listed parties and their affiliates, end uses (part 744)
5. General Prohibition 6: embargoes and special controls (part 746)
6. General Prohibition 10: items presumed produced in violation of the EAR (part 736)
7. Licence exceptions and authorisations (part 740, VEU in part 748); then the review policy.

Facts nobody gave are never assumed away: each rule that needs one asks (``Work.ask``), and ``determine`` runs the
rules once per reply. If the replies lead to different answers, the result is indeterminate and lists each question
with the answer each reply gives; a fact whose replies all give the same answer is not asked.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from chipcontrol.model.decision import (
    Classification,
    Determination,
    LicenseException,
    Question,
    ReplyOutcome,
)
from chipcontrol.model.shipment import Shipment
from chipcontrol.model.spec import ChipSpec
from chipcontrol.model.trace import TraceStep
from chipcontrol.rules.ear import eccn_3a090, part_734, part_736, part_740, part_742, part_744, part_746, part_748
from chipcontrol.rules.ear.facts import Fact, item_fact
from chipcontrol.rules.ear.part_744 import exporter_matches, obligation_covers_item
from chipcontrol.rules.ear.work import GROUPS_CITATION, POLICY_ORDER, Stop, Work
from chipcontrol.rules.ruleset import RuleContext

__all__ = ["POLICY_ORDER", "determine", "evaluate", "exporter_matches", "obligation_covers_item"]

MAX_BRANCHES = 96


def evaluate(spec: ChipSpec, cls: Classification, ship: Shipment, ctx: RuleContext,
             world: Mapping[str, str] | None = None,
             classified: dict[tuple[str, ...], tuple[ChipSpec, Classification]] | None = None,
             ) -> tuple[Determination, list[Fact]]:
    """One run of the rules under one set of assumed replies; returns the determination and the facts it needed
    but nobody gave (in the order asked)."""
    w = Work(spec, cls, ship, ctx, dict(world or {}))
    spec, cls = _item_facts(w, classified)
    w.spec, w.cls = spec, cls
    w.step("ear.732.destination", "Where does the item go, from where?",
           f"{w.group_label(ship.destination)} from {ship.origin} ({ship.transaction.replace('_', ' ')})"
           + (f", region {ship.region}" if ship.region else ""), GROUPS_CITATION,
           "Country groups as in force on the date (Supp. No. 1 to part 740); Hong Kong is treated as China.")
    try:
        part_734.jurisdiction(w)                       # steps 1-6: scope of the EAR
        if cls.level in ("a", "b"):                    # General Prohibitions 1-3: the CCL entry
            part_742.advanced_computing(w)
        elif cls.level == "c":
            part_742.hbm(w)
        else:
            w.step("ear.742.6.a.6", "Is the item an advanced computing item (3A090, 4A090 or .z)?", "no",
                   cls.rule_citation)
        part_744.obligations(w)                        # is-informed letters
        part_744.restricted_parties(w)                 # General Prohibitions 4 and 5: parties
        part_744.end_uses(w)                           # General Prohibition 5: end uses
        part_744.military_end_uses(w)
        part_746.embargoes(w)                          # General Prohibition 6
        part_736.general_prohibition_10(w)             # General Prohibition 10
    except Stop:
        return _assemble(w, []), w.needed
    excs = part_740.exceptions(w)
    if w.found and all(f.allows_exceptions for f in w.found):
        excs.extend(part_748.veu(w))
    for auth, covers in w.authorizations:  # specific authorisations: offered when they cover every requirement
        if w.found and all(f.reason.rule_id in covers for f in w.found):
            excs.append(auth)
    return _assemble(w, excs), w.needed


def _item_facts(w: Work, classified: dict[tuple[str, ...], tuple[ChipSpec, Classification]] | None = None,
                ) -> tuple[ChipSpec, Classification]:
    """Missing item facts the classification needs (datacenter flag, die area, ...): asked, and the item
    re-classified under the assumed reply (a reply may reveal the next missing fact). ``classified`` remembers the
    re-classification for each set of replies within one determination."""
    spec, cls = w.spec, w.cls
    if not cls.indeterminate or not cls.missing:
        return spec, cls
    tf32 = dict(cls.interpretations).get("tf32_bit_length", "exclude")
    asked: set[str] = set()
    applied: list[str] = []  # the replies applied so far, in order: the memo's key
    for _ in range(4):
        todo = [m for m in cls.missing if m not in asked]
        if not cls.indeterminate or not todo:
            break
        target = spec.accelerator if (spec.item_type == "computer" and spec.accelerator) else spec
        for missing in todo:
            asked.add(missing)
            fact = item_fact(missing, target, cls, w.ctx)
            if fact is not None:
                value = w.ask(fact)
                applied.append(f"{missing}={value}")
                target = _apply_item_fact(target, missing, value)
        key = tuple(applied)
        memo = classified.get(key) if classified is not None else None
        if memo is not None:
            spec, cls = memo
            continue
        spec = dataclasses.replace(spec, accelerator=target) if spec.item_type == "computer" else target
        cls = eccn_3a090.classify(spec, w.ctx, tf32)
        if classified is not None:
            classified[key] = (spec, cls)
    if cls.indeterminate:
        w.unresolved.extend(cls.missing)
        w.warn("The classification could not be completed: " + ", ".join(cls.missing) + " unknown; no clearance "
               "can be given.")
    return spec, cls


def _apply_item_fact(spec: ChipSpec, missing: str, value: str) -> ChipSpec:
    if missing == "datacenter":
        return dataclasses.replace(spec, datacenter=value == "yes")
    if missing == "die_area_mm2":
        return dataclasses.replace(spec, die_area_mm2=float(value))
    if missing == "io_bandwidth_gbs":
        return dataclasses.replace(spec, io_bandwidth_gbs=float(value))
    if missing == "memory_bandwidth_density":
        return dataclasses.replace(spec, memory_bandwidth_density=float(value))
    if missing == "dense_tops":
        return dataclasses.replace(spec, dense_tops={"fp16": float(value) / 16})
    return spec


def _assemble(w: Work, exceptions: list[LicenseException]) -> Determination:
    ctx = w.ctx
    prohibited = any(f.reason.kind == "prohibited" for f in w.found)
    required = [f for f in w.found if f.reason.kind in ("license_required", "prohibited")]
    policies = [f.policy for f in required if f.policy]
    policy = max(policies, key=lambda p: POLICY_ORDER.get(p, 0)) if policies else None
    conditions: list[str] = []
    for f in required:
        if f.policy == policy or (f.policy is None and not policies):
            conditions.extend(c for c in f.conditions if c not in conditions)
    if required and policy is None and not prohibited:
        conditions.append("No review policy has been published for this requirement.")
    if len(required) > 1 and not prohibited:
        parts = [f"{f.reason.rule_id}: {(f.policy or 'none published').replace('_', ' ')}" for f in required]
        w.step("ear.review_policy", "Which review policy meets a licence application for the whole transaction?",
               (policy or "none published").replace("_", " ") + " (the most restrictive of the requirements found)",
               w.ctx.version.citation, "; ".join(parts), status="info")
    view_note = _view_note(ctx)
    subject = w.subject_to_ear
    return Determination(
        as_of=ctx.as_of, view=ctx.view, rule_version=ctx.version.id, classification=w.cls,
        destination=w.ship.destination, license_required=bool(required) if subject is not False else False,
        prohibited=prohibited, review_policy=None if prohibited else policy, review_conditions=tuple(conditions),
        reasons=tuple(f.reason for f in w.found), license_exceptions=tuple(exceptions),
        trace=(*w.cls.trace, *w.steps), warnings=tuple(w.warnings), view_note=view_note,
        indeterminate=bool(w.unresolved),
        inputs=w.ship.to_dict(), subject_to_ear=subject, parties=tuple(w.parties), notices=tuple(w.notices))


_NOTES: dict[tuple[int, str], str] = {}


def _view_note(ctx: RuleContext) -> str:
    key = (id(ctx.versions_in_force), ctx.view)
    note = _NOTES.get(key)
    if note is not None:
        return note
    note = ""
    if ctx.view == "enforced" and ctx.not_applied:
        note = " ".join(f"{v.id}: {v.enforcement_note}" for v in ctx.not_applied if v.enforcement_note)
    elif ctx.view == "as_written" and any("as_written" in v.views and "enforced" not in v.views
                                          for v in ctx.versions_in_force):
        note = ("Law as written: includes rules BIS announced it would not enforce (the AI Diffusion Rule; "
                "non-enforcement announced 2025-05-13). GAO (B-337935, 2026-05-12) concluded that the announcement is "
                "itself a rule subject to the Congressional Review Act's submission requirement; commentators read "
                "that as leaving the AI Diffusion Rule legally in effect.")
    if len(_NOTES) > 1000:
        _NOTES.clear()
    _NOTES[key] = note
    return note


# ------------------------------------------------------------------------------------------------ exploring
def _key(d: Determination) -> tuple[Any, ...]:
    return (d.license_required, d.prohibited, d.review_policy, tuple(sorted(e.name for e in d.license_exceptions)))


def determine(spec: ChipSpec, cls: Classification, ship: Shipment, ctx: RuleContext) -> Determination:
    """Licence requirements, review policy and licence exceptions for one shipment on ``ctx.as_of`` — with a
    question for every unknown fact that changes the answer."""
    classified: dict[tuple[str, ...], tuple[ChipSpec, Classification]] = {}
    first, needed = evaluate(spec, cls, ship, ctx, None, classified)
    if not needed:
        return first
    facts: dict[str, Fact] = {}
    leaves: list[tuple[dict[str, str], Determination]] = []
    _explore({}, first, needed, facts, leaves, spec, cls, ship, ctx, classified)
    return _combine(first, leaves, facts)


def _explore(world: dict[str, str], result: Determination, asked: list[Fact], facts: dict[str, Fact],
             leaves: list[tuple[dict[str, str], Determination]], spec: ChipSpec, cls: Classification, ship: Shipment,
             ctx: RuleContext, classified: dict[tuple[str, ...], tuple[ChipSpec, Classification]]) -> None:
    """Every reply to every fact asked, depth first: each branch's world (facts fixed) and determination goes to
    ``leaves``. (A module function, not a closure that calls itself: that would be a reference cycle per call, left
    to the cyclic collector.)"""
    new = [f for f in asked if f.id not in world]
    if not new or len(leaves) >= MAX_BRANCHES:
        # the replies assumed by default for facts read but not fixed in ``world`` are part of this branch
        leaves.append(({**world, **{f.id: f.replies[0].value for f in new}}, result))
        for f in new:
            facts.setdefault(f.id, f)
        return
    fact = new[0]
    facts.setdefault(fact.id, fact)
    for i, reply in enumerate(fact.replies):
        branch = {**world, fact.id: reply.value}
        if i == 0:  # the run that asked used this reply already, and every later default with it
            _explore(branch, result, asked, facts, leaves, spec, cls, ship, ctx, classified)
        else:
            _explore(branch, *evaluate(spec, cls, ship, ctx, branch, classified), facts, leaves, spec, cls, ship,
                     ctx, classified)


def _compatible(a: Mapping[str, str], b: Mapping[str, str], skip: str) -> bool:
    return all(a[k] == b[k] for k in a.keys() & b.keys() if k != skip)


def _matters(fact_id: str, leaves: list[tuple[dict[str, str], Determination]]) -> bool:
    for i, (wa, da) in enumerate(leaves):
        if fact_id not in wa:
            continue
        for wb, db in leaves[i + 1:]:
            if fact_id in wb and wa[fact_id] != wb[fact_id] and _compatible(wa, wb, fact_id) and _key(da) != _key(db):
                return True
    return False


def _summary(dets: list[Determination]) -> tuple[str, bool | None, str | None, tuple[str, ...], tuple[str, ...]]:
    keys = {_key(d) for d in dets}
    d0 = dets[0]
    if len(keys) == 1:
        return (d0.outcome, d0.license_required, d0.review_policy, tuple(e.name for e in d0.license_exceptions),
                tuple(dict.fromkeys(r.rule_id for r in d0.reasons)))
    lic = {d.license_required for d in dets}
    pol = {d.review_policy for d in dets}
    exc = set.intersection(*[{e.name for e in d.license_exceptions} for d in dets])
    reasons = set.intersection(*[{r.rule_id for r in d.reasons} for d in dets])
    return ("indeterminate", lic.pop() if len(lic) == 1 else None, pol.pop() if len(pol) == 1 else None,
            tuple(sorted(exc)), tuple(r for r in dict.fromkeys(x.rule_id for x in d0.reasons) if r in reasons))


def _combine(first: Determination, leaves: list[tuple[dict[str, str], Determination]],
             facts: dict[str, Fact]) -> Determination:
    dets = [d for _, d in leaves]
    open_facts = [f for fid, f in facts.items() if _matters(fid, leaves)]
    if not open_facts:  # every reply gives the same answer: keep what holds whatever the replies
        steps = tuple(_resolved(s) for s in first.trace)
        warnings = tuple(w for w in first.warnings if all(w in d.warnings for d in dets))
        kept = tuple(r for r in first.reasons if all(r in d.reasons for d in dets))
        notices = tuple(n for n in first.notices if all(n in d.notices for d in dets))
        return dataclasses.replace(first, trace=steps, warnings=warnings, reasons=kept or first.reasons,
                                   notices=notices)
    questions: list[Question] = []
    open_ids = {f.id for f in open_facts}
    for fact in open_facts:
        replies: list[ReplyOutcome] = []
        for reply in fact.replies:
            branch = [(wd, d) for wd, d in leaves if wd.get(fact.id) == reply.value]
            if not branch:
                continue
            outcome, lic, pol, exc, reasons = _summary([d for _, d in branch])
            depends = tuple(sorted(fid for fid in open_ids - {fact.id}
                                   if len({wd.get(fid) for wd, _ in branch}) > 1)) if outcome == "indeterminate" else ()
            same = next((i for i, r in enumerate(replies) if (r.outcome, r.license_required, r.review_policy,
                         r.license_exceptions, r.reasons, r.depends_on) == (outcome, lic, pol, exc, reasons, depends)),
                        None)
            if same is None:
                replies.append(ReplyOutcome(reply.value, reply.label, outcome, lic, pol, exc, reasons, depends))
            else:  # replies that give the same answer are one reply
                r0 = replies[same]
                replies[same] = dataclasses.replace(r0, label=f"{r0.label}; or {reply.label}")
        questions.append(Question(fact.id, fact.question, fact.why, fact.answer_with, fact.citation, tuple(replies)))
    _, lic, pol, _, _ = _summary(dets)
    common_reasons = [r for r in first.reasons if all(r in d.reasons for d in dets)]
    common_exc = [e for e in first.license_exceptions if all(e.name in {x.name for x in d.license_exceptions}
                                                             for d in dets)]
    warnings = tuple(w for w in first.warnings if all(w in d.warnings for d in dets))
    subjects = {d.subject_to_ear for d in dets}
    return dataclasses.replace(
        first, license_required=lic, prohibited=all(d.prohibited for d in dets), review_policy=pol,
        review_conditions=first.review_conditions if pol is not None else (), reasons=tuple(common_reasons),
        license_exceptions=tuple(common_exc), warnings=warnings, questions=tuple(questions),
        subject_to_ear=subjects.pop() if len(subjects) == 1 else None, indeterminate=True,
        trace=tuple(_labelled(s, open_ids) for s in first.trace))


def _resolved(step: TraceStep) -> TraceStep:
    if step.status != "assumed":
        return step
    return dataclasses.replace(step, answer="unknown; every reply gives the same answer (this trace shows one)",
                               status="info")


def _labelled(step: TraceStep, open_ids: set[str]) -> TraceStep:
    if step.status != "assumed":
        return step
    if step.rule_id.removeprefix("question.") not in open_ids:
        return _resolved(step)
    return dataclasses.replace(step, status="indeterminate")
