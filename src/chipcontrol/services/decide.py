"""Audited decisions: classify, check, screen and timeline as the API and the web UI run them.

Each call runs the same engine as the CLI (``services.assess``, ``services.screening``) and records the inputs,
as_of, view, ruleset hash, list snapshot id, algorithm version, actor and the full result in the audit log (one
transaction with its summary row). The returned dict is the engine's result plus ``audit_seq``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chipcontrol.catalog import Catalog
from chipcontrol.errors import InvalidInput
from chipcontrol.model.shipment import PartyHit
from chipcontrol.rules.ruleset import Ruleset
from chipcontrol.services import assess, inputs, lists, ownership_register, review
from chipcontrol.services.audit import DecisionSummary, ScreeningSummary, record_decision, submit_decision
from chipcontrol.services.keys import Principal
from chipcontrol.services.parties import default_party_screener, read_ownership_file, without_cleared
from chipcontrol.services.runtime import ENGINE_VERSION, Runtime
from chipcontrol.services.screening import ALGORITHM, screen_party
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


def names_beyond_exporter(query: ShipmentQuery) -> bool:
    """Does the check name a party other than the exporter (whose owners, register holdings and hits may need the
    store)? Without one it screens at most the exporter's name."""
    return dataclasses.replace(query, exporter=None).named()


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


class _Screening:
    """The party screener a decision uses: the lists in force, less the hits a person cleared as false positives
    while the entry is unchanged (``review.cleared_entries``; the names foreseen are looked up in one query). It
    remembers every name it screened with all its hits, cleared ones included, so the review queue and the answer's
    ``review`` summary still name them."""

    def __init__(self, rt: Runtime, names: list[str]) -> None:
        self.seen: dict[str, list[PartyHit]] = {}
        base = default_party_screener()
        known: dict[str, dict[str, str]] | None = None  # looked up for every foreseen name at the first hit

        def cleared(name: str) -> dict[str, str]:
            nonlocal known
            if known is None:
                known = review.cleared_for(rt.store, names)
            found = known.get(name)
            return found if found is not None else review.cleared_entries(rt.store, name)

        def recording(name: str, country: str | None) -> tuple[list[PartyHit], list[PartyHit]]:
            hits, resembles = base(name, country)
            self.seen[name] = hits
            return hits, resembles

        self.screen: Callable[[str, str | None], tuple[list[PartyHit], list[PartyHit]]] = without_cleared(
            recording, cleared)


def _screened_names(query: ShipmentQuery, register: list[dict[str, Any]]) -> list[str]:
    """Every name a check will screen, as far as the request and the register say: parties, exporter, owners."""
    names, _ = _request_parties(query)
    names += [query.exporter or "", *(p.name for p in query.parties if p.role == "exporter")]
    names += [n for e in register for n in (e["owner"], e["owned"])]
    return [" ".join(n.split()) for n in names if isinstance(n, str) and n.strip()]


def _request_parties(query: ShipmentQuery) -> tuple[list[str], list[str]]:
    """The names whose owners matter: the request's parties (every role but the exporter) and the owners the request
    names (their own owners may be in the register); and the names whose owners the request gives itself (those take
    nothing from the ownership register)."""
    names = [n for n in (query.end_user, query.purchaser, query.ultimate_consignee, *query.intermediate_consignees)
             if n]
    names += [p.name for p in query.parties if p.role != "exporter" and isinstance(p.name, str)]
    end_user = query.end_user or next((p.name for p in query.parties if p.role == "end_user"), None)
    names += [o.rsplit("=", 1)[0] for o in query.owners if isinstance(o, str)]
    names += [row[0] for row in query.ownership if row and isinstance(row[0], str)]
    given = [row[1] for row in query.ownership if len(row) > 1 and isinstance(row[1], str)]
    if query.owners and end_user:
        given.append(end_user)
    if query.ownership_file:
        links = read_ownership_file(query.ownership_file)
        names += [link.owner for link in links]
        given += [link.owned for link in links]
    return _names(names), _names(given)


def _names(names: list[str]) -> list[str]:
    """Names as the engine reads them (the same one-line refusal of control characters, before any lookup)."""
    out = []
    for n in names:
        name = inputs.parse_party(n, "party") if n.strip() else None
        if name is not None:
            out.append(name)
    return out


def with_register(rt: Runtime, query: ShipmentQuery) -> tuple[ShipmentQuery, list[dict[str, Any]]]:
    """The query with the ownership register's holdings above its parties added (unless the request gives the
    owners of that entity itself), and those register entries."""
    names, given = _request_parties(query)
    if not names:
        return query, []
    entries = ownership_register.holdings_above(rt.store, names, given)
    if not entries:
        return query, []
    links = tuple(ownership_register.as_link(e) for e in entries)
    return dataclasses.replace(query, ownership_links=(*query.ownership_links, *links)), entries


def _register_note(data: dict[str, Any], entries: list[dict[str, Any]]) -> None:
    """Mark what came from the ownership register: ``ownership_register`` (the entries, with source, date and who
    recorded them), a note, and a trace step before the listed-party steps."""
    if not entries:
        return
    data["ownership_register"] = [
        {"entry": e["id"], "owner": e["owner"], "owned": e["owned"], "percent": e["percent"], "source": e["source"],
         "as_of": e["as_of"], "recorded_by": e["recorded_by"], "recorded_at": e["recorded_at"]} for e in entries]
    words = "; ".join(f"{e['owner']} holds {e['percent']} % of {e['owned']} (entry {e['id']}, "
                      f"{'as of ' + e['as_of'] if e['as_of'] else 'undated'}"
                      f"{', source: ' + e['source'] if e['source'] else ''})" for e in entries)
    notes = data.get("notes")
    data["notes"] = [*(notes if isinstance(notes, list) else []), f"ownership from the register: {words}"]
    step = {"rule_id": "service.ownership_register", "question": "Which holdings of the parties' owners come from "
            "the ownership register?", "answer": words, "citation": "ownership register (kept by the user)",
            "citation_detail": {}, "status": "info"}
    found = data.get("trace")
    if not isinstance(found, list):  # a timeline has periods, not a trace
        return
    trace: list[Any] = found
    at = next((i for i, s in enumerate(trace) if isinstance(s, dict)
               and str(s.get("rule_id", "")).startswith(("screening.", "ear.744.11"))), len(trace))
    data["trace"] = [*trace[:at], step, *trace[at:]]


def prepare_check(rt: Runtime, who: Principal, item_ref: ItemRef, query: ShipmentQuery, *,
                  as_of: str | None = None, view: str | None = None) -> Pending:
    settings = rt.with_view(_view(view))
    day = inputs.parse_date(as_of)
    if query.quantity is not None and not 1 <= query.quantity <= MAX_QUANTITY:
        raise InvalidInput(f"quantity must be a whole number between 1 and {MAX_QUANTITY:,}")
    item = item_ref.resolve()
    rs = Ruleset.load()
    screened = query.named()
    asked, register = with_register(rt, query) if screened else (query, [])
    scr = _Screening(rt, _screened_names(query, register)) if screened else None
    data = assess.check_item(item, asked, day, settings, screen=scr.screen if scr else None, ruleset=rs)
    _register_note(data, register)
    _add_freshness(rt, data, day)
    rows = _review_rows(rt, data, "check", scr.seen if scr else None) if screened or data.get("parties") else ()
    snap = rt.snapshot_id() if screened else None
    inputs_json = {**item_ref.to_json(), **query.to_json(), "as_of": day.isoformat(), "view": settings.view,
                   "tf32_bits": settings.tf32_bits}
    if register:
        inputs_json["ownership_register"] = data["ownership_register"]
    entry = AuditEntry(kind="check", actor=who.actor, inputs=inputs_json,
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


def _review_rows(rt: Runtime, data: dict[str, Any], source: str, seen: dict[str, list[PartyHit]] | None = None
                 ) -> tuple[tuple[type[Base], dict[str, Any]], ...]:
    """Known parties and review items for every party screened (owners included, from ``seen``), in the decision's
    transaction; hits a person cleared (left out of the answer) are still named in the ``review`` summary."""
    rows: list[tuple[type[Base], dict[str, Any]]] = []
    summary: list[dict[str, Any]] = []
    done: set[str] = set()
    found = screened_parties(data)
    named = {f[0] for f in found}
    found += [(name, None, []) for name in seen or {} if name not in named]  # owners, and parties not in the answer
    for name, country, hits in found:
        if name in done:
            continue
        done.add(name)
        rows.append((KnownParty, lists.party_row(name, country, source)))
        if seen is not None and name in seen:
            shown = {h.get("entry_id") for h in hits or []}
            cleared = [review.party_hit_json(h) for h in seen[name] if h.entry_id and h.entry_id not in shown]
            hits = [*(hits or []), *cleared]
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
    screened = query is not None and query.named()
    asked, register = with_register(rt, query) if query is not None and screened else (query, [])
    scr = _Screening(rt, _screened_names(query, register)) if query is not None and screened else None
    data = assess.timeline(item, asked, settings, today=end, screen=scr.screen if scr else None, ruleset=rs)
    _register_note(data, register)
    inputs_json = {**item_ref.to_json(), **(query.to_json() if query else {}), "until": end.isoformat(),
                   "view": settings.view, "tf32_bits": settings.tf32_bits}
    if register:
        inputs_json["ownership_register"] = data["ownership_register"]
    entry = AuditEntry(kind="timeline", actor=who.actor, inputs=inputs_json,
                       result=data, as_of=end.isoformat(), view=settings.view, ruleset_hash=rs.hash,
                       snapshot_id=rt.snapshot_id() if screened else None,
                       algorithm=f"{ENGINE_VERSION}; {ALGORITHM}" if screened else ENGINE_VERSION)
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
