"""Use cases: classify an item, check a shipment, replay a timeline. Adapters call these and render the dicts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from chipcontrol.catalog import Catalog, CatalogEntry
from chipcontrol.errors import InvalidInput
from chipcontrol.model.citation import Citation
from chipcontrol.model.decision import Classification, Determination
from chipcontrol.model.shipment import END_USES, PartyHit, Shipment
from chipcontrol.model.spec import ChipSpec
from chipcontrol.rules.ear.eccn_3a090 import classify
from chipcontrol.rules.ear.license import determine, obligation_covers_item
from chipcontrol.rules.ruleset import EARLIEST, Ruleset
from chipcontrol.services import inputs
from chipcontrol.services.specfile import load_spec_file
from chipcontrol.settings import Settings

PartyScreen = Callable[[str, str | None], list[PartyHit]]


@dataclass(frozen=True, slots=True)
class Item:
    spec: ChipSpec
    entry: CatalogEntry | None

    def describe(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.spec.display_name,
                             "source": "catalogue" if self.entry else "spec file"}
        if self.entry is not None:
            d["catalogue_key"] = self.entry.key
            d["value_status"] = self.entry.value_status
            d["origin"] = self.entry.origin
        d["spec"] = self.spec.to_dict()
        return d


def load_ruleset(obligation_files: list[str] | tuple[str, ...] = ()) -> Ruleset:
    """The bundled ruleset, plus the user's own exporter-specific obligation files (is-informed letters)."""
    base = Ruleset.load()
    if not obligation_files:
        return base
    extra: dict[str, str] = {}
    for path in obligation_files:
        extra[path] = inputs.read_user_file(path, "obligations")
    return base.with_obligations(extra)


def resolve_item(chip: str | None, spec_path: str | None, catalog: Catalog | None = None) -> Item:
    """A catalogue name or a spec file, never both."""
    if (chip is None) == (spec_path is None):
        raise InvalidInput("give either a catalogue CHIP name or --spec FILE (exactly one)")
    cat = catalog or Catalog.load()
    if spec_path is not None:
        return Item(load_spec_file(spec_path, cat), None)
    assert chip is not None
    entry = cat.lookup(chip)
    return Item(entry.spec, entry)


def classify_item(item: Item, as_of: dt.date, settings: Settings, ruleset: Ruleset | None = None) -> Classification:
    rs = ruleset or Ruleset.load()
    return classify(item.spec, rs.context(as_of, settings.view), settings.tf32_bits)


def classification_json(item: Item, c: Classification, settings: Settings,
                        ruleset: Ruleset | None = None) -> dict[str, Any]:
    rs = ruleset or Ruleset.load()
    d = c.to_dict()
    d["item"] = item.describe()
    d["ruleset_hash"] = rs.hash
    d["view"] = settings.view
    return d


@dataclass(frozen=True, slots=True)
class CheckRequest:
    destination: str
    origin: str = "US"
    end_user: str | None = None
    end_user_hq: str | None = None
    exporter: str | None = None
    quantity: int | None = None
    end_uses: tuple[str, ...] = ()
    listed_parties: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"destination": self.destination, "origin": self.origin, "end_user": self.end_user,
                "end_user_hq": self.end_user_hq, "exporter": self.exporter, "quantity": self.quantity,
                "end_uses": list(self.end_uses), "listed_parties": list(self.listed_parties)}


def build_shipment(req: CheckRequest, screen: PartyScreen | None) -> tuple[Shipment, list[str], list[dict[str, Any]]]:
    """Validate and normalise a request; screen the end user. Returns the shipment, notes and screening results."""
    notes: list[str] = []
    dest, note = inputs.parse_country(req.destination, "destination")
    if note:
        notes.append(note)
    origin, note = inputs.parse_country(req.origin, "origin")
    if note and origin != dest:
        notes.append(note)
    hq = None
    if req.end_user_hq is not None:
        hq, note = inputs.parse_country(req.end_user_hq, "end-user headquarters")
        if note and note not in notes:
            notes.append(note)
    end_user = inputs.parse_party(req.end_user, "end user")
    exporter = inputs.parse_party(req.exporter, "exporter")
    qty = inputs.parse_quantity(req.quantity)
    bad = [u for u in req.end_uses if u not in END_USES]
    if bad:
        raise InvalidInput(f"unknown end use {bad[0]!r}; declare one of: {', '.join(END_USES)}")
    hits: list[PartyHit] = []
    screened: list[dict[str, Any]] = []
    if end_user and screen is not None:
        found = screen(end_user, dest)
        hits.extend(found)
        screened.append({"party": end_user, "role": "end_user", "hits": [asdict(h) for h in found]})
    for listed in req.listed_parties:
        name = inputs.parse_party(listed, "listed party")
        assert name is not None
        hits.append(PartyHit(party=name, list="entity_list", listed_name=name, score=1.0, kind="license_required",
                             detail="given by the user as an Entity List party: a licence is required for all items "
                                    "subject to the EAR",
                             citation=Citation(cfr="15 CFR 744.11; Supp. No. 4 to part 744",
                                               document="Entity List entry named by the user", verification="P"),
                             review_policy="presumption_of_denial"))
    ship = Shipment(destination=dest, origin=origin, end_user=end_user, end_user_hq=hq, exporter=exporter,
                    quantity=qty, end_uses=frozenset(req.end_uses), party_hits=tuple(hits))
    return ship, notes, screened


def _differs(d: Determination, other: Determination | None) -> bool:
    return other is not None and (other.license_required, other.review_policy) != (d.license_required, d.review_policy)


def determination_json(item: Item, d: Determination, settings: Settings, notes: list[str],
                       screened: list[dict[str, Any]], other: Determination | None = None,
                       ruleset: Ruleset | None = None) -> dict[str, Any]:
    rs = ruleset or Ruleset.load()
    c = d.classification
    out: dict[str, Any] = {
        "item": item.describe(),
        "as_of": d.as_of.isoformat(),
        "view": d.view,
        "view_note": d.view_note if (d.view == "as_written" or _differs(d, other)) else "",
        "rule_version": d.rule_version,
        "ruleset_hash": rs.hash,
        "shipment": d.inputs,
        "paragraph": c.paragraph,
        "subparagraph": c.subparagraph,
        "tpp": None if c.tpp is None else round(c.tpp, 4),
        "performance_density": None if c.performance_density is None else round(c.performance_density, 4),
        "outcome": d.outcome,
        "license_required": d.license_required,
        "prohibited": d.prohibited,
        "review_policy": d.review_policy,
        "review_conditions": list(d.review_conditions),
        "license_exceptions": [e.to_dict() for e in d.license_exceptions],
        "reasons": [r.to_dict() for r in d.reasons],
        "warnings": list(d.warnings),
        "notes": notes,
        "indeterminate": d.indeterminate or c.indeterminate,
        "screening": screened,
        "classification": {k: v for k, v in c.to_dict().items() if k != "trace"},  # its steps open `trace`
        "trace": [s.to_dict() for s in d.trace],
    }
    if other is not None and _differs(d, other):
        out["other_view"] = {"view": other.view, "license_required": other.license_required,
                             "review_policy": other.review_policy,
                             "license_exceptions": [e.name for e in other.license_exceptions],
                             "reasons": [r.to_dict() for r in other.reasons]}
    return out


def check_item(item: Item, req: CheckRequest, as_of: dt.date, settings: Settings,
               screen: PartyScreen | None = None, ruleset: Ruleset | None = None) -> dict[str, Any]:
    rs = ruleset or Ruleset.load()
    ship, notes, screened = build_shipment(req, screen)
    ctx = rs.context(as_of, settings.view)
    c = classify(item.spec, ctx, settings.tf32_bits)
    d = determine(item.spec, c, ship, ctx)
    other = None
    if ctx.not_applied or any("enforced" not in v.views for v in ctx.versions_in_force):
        other_view = "as_written" if settings.view == "enforced" else "enforced"
        octx = rs.context(as_of, other_view)
        other = determine(item.spec, classify(item.spec, octx, settings.tf32_bits), ship, octx)
    return determination_json(item, d, settings, notes, screened, other, rs)


def _period_key(d: Determination) -> tuple[Any, ...]:
    return (d.classification.paragraph, d.license_required, d.review_policy,
            tuple(sorted(e.name for e in d.license_exceptions)), d.prohibited)


def _cause(rs: Ruleset, day: dt.date, view: str) -> tuple[str, str]:
    """What changed on ``day`` (a rule version, a letter, a parameter), with its citation."""
    for v in rs.versions:
        if v.effective == day and view in v.views:
            return v.summary, v.citation.short()
    for o in rs.obligations:
        if o.effective == day:
            return f"{o.kind.replace('_', ' ')} {o.id}", o.citation.short()
        if o.until is not None and o.until + dt.timedelta(days=1) == day:
            return f"{o.kind.replace('_', ' ')} {o.id} no longer applied", o.citation.short()
    for p in rs.parameters.values():
        for dv in p.values:
            if dv.effective == day:
                return f"{p.description.split(':')[0]} changed", dv.citation.short()
    return "", ""


def timeline(item: Item, req: CheckRequest | None, settings: Settings, today: dt.date | None = None,
             screen: PartyScreen | None = None, ruleset: Ruleset | None = None) -> dict[str, Any]:
    """Every change for an item (and a destination, if given) from 2022-10-07 to today, with citations.

    One period per change of status; each period names what changed on its first day and cites it, and lists the
    requirements in force with their own citations. ``events`` lists every dated change in the data.
    """
    rs = ruleset or Ruleset.load()
    end = today or dt.date.today()
    ship = None
    notes: list[str] = []
    if req is not None:
        ship, notes, _ = build_shipment(req, screen)
    days = [d for d in rs.breakpoints if EARLIEST <= d <= end] or [EARLIEST]
    periods: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    all_events = rs.events()
    prev_key: tuple[Any, ...] | None = None
    for day in days:
        ctx = rs.context(day, settings.view)
        c = classify(item.spec, ctx, settings.tf32_bits)
        if ship is not None:
            d = determine(item.spec, c, ship, ctx)
            key = _period_key(d)
            lic, pol = d.license_required, d.review_policy
            reasons = [r.to_dict() for r in d.reasons]
            exc = [e.name for e in d.license_exceptions]
        else:
            key = (c.paragraph, c.indeterminate)
            lic, pol, reasons, exc = None, None, [], []
        events.append({"date": day.isoformat(), "rule_version": ctx.version.id,
                       "changes": [{"what": what, "citation": cit.short()} for d0, what, cit in all_events
                                   if d0 == day]})
        if key == prev_key:
            continue
        if periods:
            periods[-1]["to"] = (day - dt.timedelta(days=1)).isoformat()
        cause, cause_citation = _cause(rs, day, settings.view)
        periods.append({"from": day.isoformat(), "to": None, "paragraph": c.paragraph, "subparagraph": c.subparagraph,
                        "license_required": lic, "review_policy": pol, "license_exceptions": exc,
                        "rule_version": ctx.version.id, "change": cause,
                        "citation": cause_citation or c.rule_citation.short(), "reasons": reasons,
                        "indeterminate": c.indeterminate})
        prev_key = key
    if periods:
        periods[-1]["to"] = end.isoformat()
    return {"item": item.describe(), "destination": ship.destination if ship else None,
            "shipment": ship.to_dict() if ship else None, "view": settings.view, "through": end.isoformat(),
            "ruleset_hash": rs.hash, "notes": notes, "periods": periods,
            "milestones": _milestones(rs, item, periods, settings.view, end), "events": events}


def _milestones(rs: Ruleset, item: Item, periods: list[dict[str, Any]], view: str,
                end: dt.date) -> list[dict[str, Any]]:
    """Dated events a reader of this item's timeline should see, whether or not they changed its status."""
    starts = {p["from"] for p in periods}
    out: list[dict[str, Any]] = []
    for v in rs.versions:
        if v.effective <= end and view in v.views:
            day = v.effective.isoformat()
            out.append({"date": day, "event": v.summary, "citation": v.citation.short(),
                        "changed_status": day in starts})
    for o in rs.obligations:
        if obligation_covers_item(o, item.spec)[0]:
            if EARLIEST <= o.effective <= end:
                out.append({"date": o.effective.isoformat(), "event": f"{o.exporter}: {o.description}",
                            "citation": o.citation.short(), "changed_status": o.effective.isoformat() in starts})
            for day_, text, source in o.events:
                if day_ <= end:
                    out.append({"date": day_.isoformat(), "event": f"{o.exporter}: {text}", "citation": source,
                                "changed_status": False})
    return sorted(out, key=lambda m: m["date"])
