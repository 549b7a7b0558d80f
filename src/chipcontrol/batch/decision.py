"""The decision fields of one output line, from the engine's ``Determination`` (vectorised path) or from
``assess.check_item``'s JSON (per-shipment path). Both go through :func:`_fields`, so they differ only in where
the values are read from.

``questions`` is compact text: ``ID: REPLY→OUTCOME[/POLICY], ...`` per question, questions joined by `` | ``
(e.g. ``end_user.headquarters: CN→license_required/presumption_of_denial, US→no_license_required``);
``questions_json`` is the list ``check`` returns less the wording (id, how to answer, citation, and for each reply
its outcome, requirement, review policy, exceptions, reasons and open dependencies). ``parties`` gives what each
party does to the answer, in the order the engine lists them (end user, purchaser, ultimate consignee,
intermediate consignees): ``ROLE: EFFECT`` or ``ROLE: clear`` — in a :data:`Decision` it is the tuple of those
entries, joined per line (see ``parties.parties_text``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from chipcontrol.batch.columns import DECISION_FIELDS, SEP
from chipcontrol.model.decision import Determination

Decision = tuple[Any, ...]
_QUESTION_KEYS = ("id", "answer_with", "citation", "replies")
_PARTIES = DECISION_FIELDS.index("parties")


def _dedupe(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return list(dict.fromkeys(pairs))


def questions_text(questions: Sequence[Mapping[str, Any]]) -> str | None:
    if not questions:
        return None
    out = []
    for q in questions:
        replies = ", ".join(f"{r['reply']}→{r['outcome']}" + (f"/{r['review_policy']}" if r["review_policy"] else "")
                            for r in q["replies"])
        out.append(f"{q['id']}: {replies}")
    return SEP.join(out)


def questions_json(questions: Sequence[Mapping[str, Any]]) -> str | None:
    if not questions:
        return None
    return json.dumps([{k: q[k] for k in _QUESTION_KEYS} for q in questions], ensure_ascii=False,
                      separators=(",", ":"))


def party_entries(parties: Sequence[Mapping[str, Any]]) -> tuple[str, ...] | None:
    """``ROLE: EFFECT`` (or ``ROLE: clear``) per party the engine lists; None when it lists none."""
    return tuple(f"{p['role']}: {p['effect'] or 'clear'}" for p in parties) or None


def _fields(*, outcome: str, license_required: bool | None, prohibited: bool, subject_to_ear: bool | None,
            review_policy: str | None, exceptions: Sequence[str], questions: Sequence[Mapping[str, Any]],
            reasons: Iterable[tuple[str, str]], paragraph: str | None, parties: Sequence[Mapping[str, Any]],
            rule_version: str, other: tuple[str, bool | None, str | None] | None) -> Decision:
    rs = _dedupe(reasons)
    end_user = next((p for p in parties if p["role"] == "end_user"), None)
    share = end_user["listed_share"] if end_user is not None else None
    return (outcome, license_required, prohibited, subject_to_ear, review_policy, SEP.join(exceptions),
            questions_text(questions), SEP.join(r for r, _ in rs), SEP.join(c for _, c in rs), paragraph,
            outcome == "indeterminate", party_entries(parties), None if share is None else float(share),
            any(bool(p["affiliate"]) for p in parties), questions_json(questions), rule_version,
            *(other if other is not None else (None, None, None)))


def _differs(d: Determination, other: Determination | None) -> bool:
    """As ``check`` reports the other view: only where its outcome, requirement or review policy differs."""
    return other is not None and (other.outcome, other.license_required, other.review_policy) != (
        d.outcome, d.license_required, d.review_policy)


def from_determination(d: Determination, other: Determination | None) -> Decision:
    """The decision fields from the engine's result (and the other view's, as ``check_item`` keeps it)."""
    ov = (other.outcome, other.license_required, other.review_policy) if other is not None and _differs(
        d, other) else None
    return _fields(outcome=d.outcome, license_required=d.license_required, prohibited=d.prohibited,
                   subject_to_ear=d.subject_to_ear, review_policy=d.review_policy,
                   exceptions=[e.name for e in d.license_exceptions], questions=[q.to_dict() for q in d.questions],
                   reasons=((r.rule_id, r.citation.short()) for r in d.reasons),
                   paragraph=d.classification.paragraph, parties=[p.to_dict() for p in d.parties],
                   rule_version=d.rule_version, other=ov)


def from_check(data: Mapping[str, Any]) -> Decision:
    """The same fields read from ``check_item``'s JSON (the per-shipment path); ``parties`` joined as text."""
    o = data.get("other_view")
    d = _fields(outcome=str(data["outcome"]), license_required=data["license_required"],
                   prohibited=bool(data["prohibited"]), subject_to_ear=data["subject_to_ear"],
                   review_policy=data["review_policy"], exceptions=[e["name"] for e in data["license_exceptions"]],
                   questions=data["questions"], reasons=((r["rule_id"], r["citation"]) for r in data["reasons"]),
                   paragraph=data["paragraph"], parties=data["parties"], rule_version=str(data["rule_version"]),
                   other=None if o is None else (o["outcome"], o["license_required"], o["review_policy"]))
    i = _PARTIES
    return (*d[:i], None if d[i] is None else SEP.join(d[i]), *d[i + 1:])


# ------------------------------------------------------------------------------------------- screening text
def hits_text(hits: Iterable[Any]) -> str:
    """``list: listed name (score)`` joined by `` | `` (objects with those attributes, or dicts)."""
    out = []
    for h in hits:
        if isinstance(h, Mapping):
            out.append(f"{h['list']}: {h['listed_name']} ({h['score']:.2f})")
        else:
            out.append(f"{h.list}: {h.listed_name} ({h.score:.2f})")
    return SEP.join(out)


def party_hits_text(screened: Sequence[tuple[str, str, Sequence[Any]]]) -> str | None:
    """Hits of every party but the end user, and of the owners: ``ROLE NAME: list: listed name (score)``; empty
    text when all were screened clean, None when none was named."""
    if not screened:
        return None
    return SEP.join(f"{role} {name}: {hits_text([h])}" for role, name, hits in screened for h in hits)
