"""Audited decisions: classify, check, screen and timeline as the API and the web UI run them.

Each call runs the same engine as the CLI (``services.assess``, ``services.screening``) and records the inputs,
as_of, view, ruleset hash, list snapshot id, algorithm version, actor and the full result in the audit log (one
transaction with its summary row). The returned dict is the engine's result plus ``audit_seq``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from typing import Any

from chipcontrol.catalog import Catalog
from chipcontrol.errors import InvalidInput
from chipcontrol.rules.ruleset import Ruleset
from chipcontrol.services import assess, inputs, lists, review
from chipcontrol.services.audit import DecisionSummary, ScreeningSummary, record_decision, submit_decision
from chipcontrol.services.keys import Principal
from chipcontrol.services.runtime import ENGINE_VERSION, Runtime
from chipcontrol.services.screening import ALGORITHM, party_hits, screen_party
from chipcontrol.services.specfile import spec_from_mapping
from chipcontrol.settings import VIEWS
from chipcontrol.store.audit import AuditEntry
from chipcontrol.store.models import Base, KnownParty, ReviewItem

MAX_QUANTITY = 10**12  # the API schema's limit; the web form is held to the same


@dataclass(frozen=True, slots=True)
class ItemRef:
    """A catalogue chip name or an inline spec mapping (exactly one)."""

    chip: str | None = None
    spec: dict[str, Any] | None = None

    def resolve(self) -> assess.Item:
        if (self.chip is None) == (self.spec is None):
            raise InvalidInput("give either a catalogue 'chip' name or a 'spec' (exactly one)")
        if self.spec is not None:
            return assess.Item(spec_from_mapping(self.spec, origin="spec"), None)
        assert self.chip is not None
        name = inputs.parse_party(self.chip, "chip name")
        assert name is not None
        entry = Catalog.load().lookup(name)
        return assess.Item(entry.spec, entry)

    def to_json(self) -> dict[str, Any]:
        return {"chip": self.chip} if self.spec is None else {"spec": self.spec}


# A shipment as asked through the API or the web UI is the same request the CLI builds.
ShipmentQuery = assess.CheckRequest


def _view(view: str | None) -> str | None:
    if view is not None and view not in VIEWS:
        raise InvalidInput(f"view must be one of {', '.join(VIEWS)}, got {view!r}")
    return view


@dataclass(frozen=True, slots=True)
class Pending:
    """A decision made but not yet recorded: its result, its audit entry and its summary row."""

    data: dict[str, Any]
    entry: AuditEntry
    decision: DecisionSummary | None = None
    screening: ScreeningSummary | None = None
    rows: tuple[tuple[type[Base], dict[str, Any]], ...] = ()  # review items and known parties, same transaction


def commit(rt: Runtime, p: Pending) -> dict[str, Any]:
    """Record the decision (blocking until committed); returns the result with ``audit_seq``."""
    p.data["audit_seq"] = record_decision(rt.store, p.entry, decision=p.decision, screening=p.screening,
                                          rows=p.rows)
    return p.data


async def commit_json(rt: Runtime, p: Pending) -> str:
    """Record the decision without blocking the event loop; returns the JSON answer: the exact text stored in
    the audit record plus ``audit_seq``."""
    future, text = submit_decision(rt.store, p.entry, decision=p.decision, screening=p.screening, rows=p.rows)
    appended = await asyncio.wrap_future(future)
    return f'{{"audit_seq":{appended.seq}}}' if text == "{}" else f'{text[:-1]},"audit_seq":{appended.seq}}}'


def prepare_classify(rt: Runtime, who: Principal, item_ref: ItemRef, *, as_of: str | None = None,
                     view: str | None = None) -> Pending:
    settings = rt.with_view(_view(view))
    day = inputs.parse_date(as_of)
    item = item_ref.resolve()
    rs = Ruleset.load()
    c = assess.classify_item(item, day, settings, rs)
    data = assess.classification_json(item, c, settings, rs)
    data["as_of"] = day.isoformat()
    entry = AuditEntry(kind="classify", actor=who.actor, inputs={**item_ref.to_json(), "as_of": day.isoformat(),
                                                                 "view": settings.view,
                                                                 "tf32_bits": settings.tf32_bits},
                       result=data, as_of=day.isoformat(), view=settings.view, ruleset_hash=rs.hash,
                       algorithm=ENGINE_VERSION)
    return Pending(data, entry, DecisionSummary(item=item.spec.display_name, outcome=c.paragraph,
                                                paragraph=c.paragraph))


def prepare_check(rt: Runtime, who: Principal, item_ref: ItemRef, query: ShipmentQuery, *,
                  as_of: str | None = None, view: str | None = None) -> Pending:
    settings = rt.with_view(_view(view))
    day = inputs.parse_date(as_of)
    if query.quantity is not None and not 1 <= query.quantity <= MAX_QUANTITY:
        raise InvalidInput(f"quantity must be a whole number between 1 and {MAX_QUANTITY:,}")
    item = item_ref.resolve()
    rs = Ruleset.load()
    screened = query.end_user is not None
    data = assess.check_item(item, query, day, settings, screen=party_hits if screened else None,
                             ruleset=rs)
    _add_freshness(rt, data, day)
    rows = _review_rows(rt, data, "check") if screened or data.get("parties") else ()
    snap = rt.snapshot_id() if screened else None
    entry = AuditEntry(kind="check", actor=who.actor,
                       inputs={**item_ref.to_json(), **query.to_json(), "as_of": day.isoformat(),
                               "view": settings.view, "tf32_bits": settings.tf32_bits},
                       result=data, as_of=day.isoformat(), view=settings.view, ruleset_hash=rs.hash,
                       snapshot_id=snap, algorithm=f"{ENGINE_VERSION}; {ALGORITHM}" if screened else ENGINE_VERSION)
    shipment = data.get("shipment")
    return Pending(data, entry, DecisionSummary(
        item=item.spec.display_name, destination=shipment.get("destination") if isinstance(shipment, dict) else None,
        outcome=data.get("outcome"), license_required=data.get("license_required"),
        paragraph=data.get("paragraph")), rows=rows)


def _add_freshness(rt: Runtime, data: dict[str, Any], day: dt.date) -> None:
    """Every answer states its list snapshot date and the rules' review date, and warns when either is stale."""
    fresh = lists.freshness(day, dt.date.today(), rt.settings)
    data["freshness"] = fresh
    warnings = data.get("warnings")
    data["warnings"] = [*(warnings if isinstance(warnings, list) else []), *fresh["warnings"]]


def screened_parties(data: dict[str, Any]) -> list[tuple[str, str | None, list[dict[str, Any]] | None]]:
    """(party, country, hits) screened for a check: ``parties[*]`` where the result has them, else ``screening``.
    Hits are None where they lack list entry ids (the party is then screened again for the queue)."""
    shipment = data.get("shipment") if isinstance(data.get("shipment"), dict) else {}
    dest = shipment.get("destination") if isinstance(shipment, dict) else None
    out: list[tuple[str, str | None, list[dict[str, Any]] | None]] = []
    groups = data.get("parties") if isinstance(data.get("parties"), list) else data.get("screening")
    for p in groups or []:
        if not isinstance(p, dict):
            continue
        name = p.get("name") or p.get("party")
        if not isinstance(name, str) or not name:
            continue
        hits = [h for h in p.get("hits") or [] if isinstance(h, dict)]
        country = p.get("country") if isinstance(p.get("country"), str) else dest
        full = hits if all(h.get("entry_id") for h in hits) else None
        out.append((name, country, full))
    return out


def _review_rows(rt: Runtime, data: dict[str, Any], source: str) -> tuple[tuple[type[Base], dict[str, Any]], ...]:
    rows: list[tuple[type[Base], dict[str, Any]]] = []
    summary: list[dict[str, Any]] = []
    for name, country, hits in screened_parties(data):
        rows.append((KnownParty, lists.party_row(name, country, source)))
        if hits is None:
            hits = screen_party(name, country, threshold=rt.settings.screening_threshold)["hits"]
        if not hits:
            continue
        summary.extend(review.overlay(rt.store, name, hits))
        rows.extend((ReviewItem, review.item_row(x, source)) for x in review.sightings(name, country, hits))
    if summary:
        data["review"] = summary
    return tuple(rows)


def prepare_screen(rt: Runtime, who: Principal, name: str, country: str | None = None) -> Pending:
    inputs.parse_party(name, "party")  # the same refusal of control characters (NUL, ...) as /api/check
    cc = inputs.parse_country(country, "country")[0] if country else None
    data = screen_party(name, cc, threshold=rt.settings.screening_threshold)
    snap = rt.snapshot_id()
    data["snapshot_id"] = snap
    today = dt.date.today()
    data["freshness"] = fresh = lists.freshness(today, today, rt.settings)
    data["warnings"] = [*(data.get("warnings") or []), *fresh["warnings"]]
    hits = data.get("hits") or []
    rows: list[tuple[type[Base], dict[str, Any]]] = [(KnownParty, lists.party_row(name, cc, "screen"))]
    if hits:
        review.overlay(rt.store, name, hits)
        rows.extend((ReviewItem, review.item_row(x, "screen")) for x in review.sightings(name, cc, hits))
    top = hits[0] if hits else None
    algorithm = str(data.get("algorithm", ALGORITHM))
    entry = AuditEntry(kind="screen", actor=who.actor, inputs={"name": name, "country": cc}, result=data,
                       snapshot_id=snap, algorithm=algorithm)
    return Pending(data, entry, screening=ScreeningSummary(
        query=name, country=cc, hit_count=len(hits), top_score=None if top is None else float(top["score"]),
        top_list=None if top is None else str(top.get("list")), algorithm=algorithm), rows=tuple(rows))


def prepare_timeline(rt: Runtime, who: Principal, item_ref: ItemRef, query: ShipmentQuery | None = None, *,
                     until: str | None = None, view: str | None = None) -> Pending:
    settings = rt.with_view(_view(view))
    end = inputs.parse_date(until)
    item = item_ref.resolve()
    rs = Ruleset.load()
    screened = query is not None and query.end_user is not None
    data = assess.timeline(item, query if query else None, settings, today=end,
                           screen=party_hits if screened else None, ruleset=rs)
    entry = AuditEntry(kind="timeline", actor=who.actor,
                       inputs={**item_ref.to_json(), **(query.to_json() if query else {}), "until": end.isoformat(),
                               "view": settings.view, "tf32_bits": settings.tf32_bits},
                       result=data, as_of=end.isoformat(), view=settings.view, ruleset_hash=rs.hash,
                       snapshot_id=rt.snapshot_id() if screened else None, algorithm=ENGINE_VERSION)
    return Pending(data, entry, DecisionSummary(item=item.spec.display_name, destination=data.get("destination")))


def classify(rt: Runtime, who: Principal, item_ref: ItemRef, *, as_of: str | None = None,
             view: str | None = None) -> dict[str, Any]:
    """Classify and record; the result carries ``audit_seq``."""
    return commit(rt, prepare_classify(rt, who, item_ref, as_of=as_of, view=view))


def check(rt: Runtime, who: Principal, item_ref: ItemRef, query: ShipmentQuery, *, as_of: str | None = None,
          view: str | None = None) -> dict[str, Any]:
    """Check a shipment and record it; the result carries ``audit_seq``."""
    return commit(rt, prepare_check(rt, who, item_ref, query, as_of=as_of, view=view))


def screen(rt: Runtime, who: Principal, name: str, country: str | None = None) -> dict[str, Any]:
    """Screen a party and record it; the result carries ``audit_seq`` and ``snapshot_id``."""
    return commit(rt, prepare_screen(rt, who, name, country))


def timeline(rt: Runtime, who: Principal, item_ref: ItemRef, query: ShipmentQuery | None = None, *,
             until: str | None = None, view: str | None = None) -> dict[str, Any]:
    """An item's timeline, recorded; the result carries ``audit_seq``."""
    return commit(rt, prepare_timeline(rt, who, item_ref, query, until=until, view=view))


def chips(rt: Runtime, who: Principal, search: str | None = None, *, as_of: str | None = None,
          view: str | None = None) -> dict[str, Any]:
    """The catalogue classified on a date; recorded like any other decision (the result carries ``audit_seq``)."""
    settings = rt.with_view(_view(view))
    day = inputs.parse_date(as_of)
    cat = Catalog.load()
    rs = Ruleset.load()
    entries = cat.search(search) if search else cat.all()
    rows = []
    for e in entries:
        c = assess.classify_item(assess.Item(e.spec, e), day, settings, rs)
        rows.append({"name": e.key, "vendor": e.vendor, "origin": e.origin, "tpp": c.tpp,
                     "performance_density": c.performance_density, "datacenter": e.spec.datacenter,
                     "paragraph": c.paragraph, "subparagraph": c.subparagraph, "indeterminate": c.indeterminate,
                     "missing": list(c.missing), "value_status": e.value_status})
    data = {"as_of": day.isoformat(), "view": settings.view, "count": len(rows), "chips": rows,
            "ruleset_hash": rs.hash}
    entry = AuditEntry(kind="chips", actor=who.actor, inputs={"search": search, "as_of": day.isoformat(),
                                                              "view": settings.view, "tf32_bits": settings.tf32_bits},
                       result=data, as_of=day.isoformat(), view=settings.view, ruleset_hash=rs.hash,
                       algorithm=ENGINE_VERSION)
    return commit(rt, Pending(data, entry))
