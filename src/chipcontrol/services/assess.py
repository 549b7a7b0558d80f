"""Use cases: classify an item, check a shipment, replay a timeline. Adapters call these and render the dicts."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import pycountry

from chipcontrol.catalog import Catalog, CatalogEntry
from chipcontrol.errors import ChipControlError, InvalidInput
from chipcontrol.model.authorization import VeuAuthorization
from chipcontrol.model.citation import Citation
from chipcontrol.model.decision import Classification, Determination
from chipcontrol.model.shipment import END_USES, ROLES, OwnershipLink, Party, PartyHit, Shipment
from chipcontrol.model.spec import ChipSpec
from chipcontrol.rules.ear.eccn_3a090 import classify
from chipcontrol.rules.ear.license import determine, obligation_covers_item
from chipcontrol.rules.loader import load_yaml
from chipcontrol.rules.ruleset import EARLIEST, Ruleset
from chipcontrol.services import inputs
from chipcontrol.services.parties import parse_owner, parse_percent, read_ownership_file, validate_links
from chipcontrol.services.specfile import load_spec_file
from chipcontrol.settings import Settings

# screening for the engine: a name and country -> its hits, or (hits, listed groups it resembles)
PartyScreen = Callable[[str, str | None], "list[PartyHit] | tuple[list[PartyHit], list[PartyHit]]"]


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
class PartyInput:
    """A party named in a request: its role, name, and where it is and is headquartered (if known)."""

    role: str
    name: str
    country: str | None = None
    hq: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"role": self.role, "name": self.name, "country": self.country, "hq": self.hq}


@dataclass(frozen=True, slots=True)
class CheckRequest:
    """A shipment as asked: the route, every party, who owns them, and the facts the user gives.

    ``owners`` are ``NAME=PERCENT`` direct owners of the end user; ``ownership`` rows (owner, owned, percent,
    source) describe chains (the CLI reads them from ``ownership_file``); ``ownership_links`` are links from elsewhere
    (the service's ownership register), each naming where it came from; ``answers`` are replies to the engine's
    questions by question id."""

    destination: str
    origin: str = "US"
    end_user: str | None = None
    end_user_hq: str | None = None
    exporter: str | None = None
    quantity: int | None = None
    end_uses: tuple[str, ...] = ()
    listed_parties: tuple[str, ...] = ()
    purchaser: str | None = None
    ultimate_consignee: str | None = None
    intermediate_consignees: tuple[str, ...] = ()
    parties: tuple[PartyInput, ...] = ()
    owners: tuple[str, ...] = ()
    ownership: tuple[tuple[str, str, str, str], ...] = ()
    ownership_file: str | None = None
    made_in: str | None = None
    region: str | None = None
    answers: tuple[tuple[str, str], ...] = ()
    veu_file: str | None = None
    veu_site: str | None = None
    ownership_links: tuple[OwnershipLink, ...] = ()

    def named(self) -> bool:
        """Does the request name any party to screen?"""
        return bool(self.end_user or self.purchaser or self.ultimate_consignee or self.intermediate_consignees
                    or self.parties or self.owners or self.ownership or self.ownership_file or self.exporter)

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"destination": self.destination, "origin": self.origin, "end_user": self.end_user,
                             "end_user_hq": self.end_user_hq, "exporter": self.exporter, "quantity": self.quantity,
                             "end_uses": list(self.end_uses), "listed_parties": list(self.listed_parties)}
        for key in ("purchaser", "ultimate_consignee", "made_in", "region", "ownership_file", "veu_file",
                    "veu_site"):
            if getattr(self, key) is not None:
                d[key] = getattr(self, key)
        if self.intermediate_consignees:
            d["intermediate_consignees"] = list(self.intermediate_consignees)
        if self.parties:
            d["parties"] = [p.to_json() for p in self.parties]
        if self.owners:
            d["owners"] = list(self.owners)
        if self.ownership:
            d["ownership"] = [dict(zip(("owner", "owned", "percent", "source"), r, strict=True))
                              for r in self.ownership]
        if self.answers:
            d["answers"] = dict(self.answers)
        return d


_ANSWER_ID = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+")
_LISTED_CITATION = Citation(cfr="15 CFR 744.11; Supp. No. 4 to part 744", document="Entity List entry named by "
                            "the user", verification="P")


def _hit_json(h: PartyHit) -> dict[str, Any]:
    return {"party": h.party, "list": h.list, "listed_name": h.listed_name, "score": h.score, "kind": h.kind,
            "detail": h.detail, "citation": h.citation.to_dict(), "review_policy": h.review_policy,
            "also_matched": list(h.also_matched), "entry_id": h.entry_id, "entry_version": h.entry_version}


def _screen(screen: PartyScreen | None, name: str, country: str | None) -> tuple[list[PartyHit], list[PartyHit]]:
    if screen is None:
        return [], []
    found = screen(name, country)
    if isinstance(found, tuple):
        return list(found[0]), list(found[1])
    return list(found), []


def _subdivision(code: str) -> Any:
    return pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]


def parse_region(text: str | None, dest: str) -> str | None:
    if text is None:
        return None
    code = text.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}", code) or _subdivision(code) is None:
        raise InvalidInput(f"unknown region {text!r}: use an ISO 3166-2 code such as UA-43 (Crimea)")
    if code[:2] != dest:
        raise InvalidInput(f"region {code} is not in the destination {dest}")
    return code


def parse_answers(req: CheckRequest) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in req.answers:
        k = key.strip().lower()
        if not _ANSWER_ID.fullmatch(k):
            raise InvalidInput(f"answer {key!r}: expected QUESTION_ID=VALUE with an id such as "
                               "item.us_available_2026_01_15")
        v = value.strip()
        if not v or len(v) > 200:
            raise InvalidInput(f"answer {key!r}: the value must be 1-200 characters")
        out[k] = v.lower() if v.lower() in ("yes", "no") else v
    return out


_parse_region = parse_region  # earlier private names, kept for callers that used them
_answers = parse_answers


def build_shipment(req: CheckRequest, screen: PartyScreen | None) -> tuple[Shipment, list[str], list[dict[str, Any]]]:
    """Validate and normalise a request; screen every party and owner. Returns the shipment, notes and the
    screening of each party."""
    notes: list[str] = []
    raw_dest = req.destination.strip() if isinstance(req.destination, str) else req.destination
    region_text = req.region
    if isinstance(raw_dest, str) and re.fullmatch(r"[A-Za-z]{2}-[A-Za-z0-9]{1,3}", raw_dest):
        raw_dest, region_text = raw_dest[:2], region_text or raw_dest
    dest, note = inputs.parse_country(raw_dest, "destination")
    if note:
        notes.append(note)
    origin, note = inputs.parse_country(req.origin, "origin")
    if note and origin != dest:
        notes.append(note)
    region = parse_region(region_text, dest)
    answers = parse_answers(req)
    hq_text = req.end_user_hq or answers.pop("end_user.headquarters", None)
    hq = None
    if hq_text is not None:
        hq, note = inputs.parse_country(hq_text, "end-user headquarters")
        if note and note not in notes:
            notes.append(note)
    made_in = None
    if req.made_in is not None:
        made_in, _ = inputs.parse_country(req.made_in, "place of production (--made-in)")
    end_user = inputs.parse_party(req.end_user, "end user")
    exporter = inputs.parse_party(req.exporter, "exporter")
    qty = inputs.parse_quantity(req.quantity)
    bad = [u for u in req.end_uses if u not in END_USES]
    if bad:
        raise InvalidInput(f"unknown end use {bad[0]!r}; declare one of: {', '.join(END_USES)}")
    named: list[tuple[str, str, str | None, str | None]] = []  # (role, name, country, hq)
    for role, value in (("purchaser", req.purchaser), ("ultimate_consignee", req.ultimate_consignee)):
        name = inputs.parse_party(value, role.replace("_", " "))
        if name is not None:
            named.append((role, name, None, None))
    for value in req.intermediate_consignees:
        name = inputs.parse_party(value, "intermediate consignee")
        assert name is not None
        named.append(("intermediate_consignee", name, None, None))
    for p in req.parties:
        if p.role not in ROLES:
            raise InvalidInput(f"unknown party role {p.role!r}; use one of: {', '.join(ROLES)}")
        name = inputs.parse_party(p.name, p.role.replace("_", " "))
        assert name is not None
        country = inputs.parse_country(p.country, f"{p.role} country")[0] if p.country else None
        phq = inputs.parse_country(p.hq, f"{p.role} headquarters")[0] if p.hq else None
        if p.role == "end_user" and end_user is None:
            end_user, hq = name, hq or phq
            continue
        if p.role == "exporter" and exporter is None:
            exporter = name
            continue
        named.append((p.role, name, country, phq))
    links: list[OwnershipLink] = []
    if req.owners:
        if end_user is None:
            raise InvalidInput("owners (--owner, API 'owners') are owners of the end user: name the end user "
                               "(--end-user, API 'end_user')")
        links.extend(parse_owner(o, end_user) for o in req.owners)
    for i, row in enumerate(req.ownership):
        where = f"ownership[{i}]"
        owner = inputs.parse_party(row[0], f"{where}: owner")
        owned = inputs.parse_party(row[1], f"{where}: owned")
        if owner is None or owned is None:
            raise InvalidInput(f"{where}: owner and owned must both be named")
        links.append(OwnershipLink(owner, owned, parse_percent(row[2], where), row[3] if len(row) > 3 else "",
                                   where))
    if req.ownership_file is not None:
        links.extend(read_ownership_file(req.ownership_file))
    links.extend(req.ownership_links)
    checked = validate_links(links)
    screened: list[dict[str, Any]] = []
    hits: list[PartyHit] = []
    eu_resembles: list[PartyHit] = []
    if end_user:
        hits, eu_resembles = _screen(screen, end_user, dest)
        screened.append({"party": end_user, "role": "end_user", "hits": [_hit_json(h) for h in hits]})
    for listed in req.listed_parties:
        name = inputs.parse_party(listed, "listed party")
        assert name is not None
        hits.append(PartyHit(party=name, list="entity_list", listed_name=name, score=1.0, kind="license_required",
                             detail="given by the user as an Entity List party: a licence is required for all items "
                                    "subject to the EAR", citation=_LISTED_CITATION,
                             review_policy="presumption_of_denial"))
    parties: list[Party] = []
    if end_user is not None or hits:
        parties.append(Party("end_user", end_user or "(end user named by the user)", dest, hq, tuple(hits),
                             tuple(eu_resembles)))
    for role, name, country, phq in named:
        phits, presembles = _screen(screen, name, country)
        screened.append({"party": name, "role": role, "hits": [_hit_json(h) for h in phits]})
        parties.append(Party(role, name, country, phq, tuple(phits), tuple(presembles)))
    exporter_hits: tuple[PartyHit, ...] = ()
    if exporter is not None and screen is not None:
        exporter_hits = tuple(_screen(screen, exporter, origin)[0])
    owner_hits: dict[str, tuple[PartyHit, ...]] = {}
    party_names = {p.name for p in parties}
    for link in checked:
        for name in (link.owner, link.owned):
            if name not in owner_hits and name not in party_names:
                owner_hits[name] = tuple(_screen(screen, name, None)[0])
    veu = read_veu_file(req.veu_file, req.veu_site) if req.veu_file else None
    if req.veu_site and not req.veu_file:
        raise InvalidInput("--veu-site needs --veu FILE (the authorisation)")
    ship = Shipment(destination=dest, origin=origin, end_user=end_user, end_user_hq=hq, exporter=exporter,
                    quantity=qty, end_uses=frozenset(req.end_uses), party_hits=tuple(hits), parties=tuple(parties),
                    ownership=checked, owner_hits=MappingProxyType(owner_hits), facts=MappingProxyType(answers),
                    made_in=made_in, region=region, exporter_hits=exporter_hits, veu=veu)
    return ship, notes, screened


def read_veu_file(path: str, site: str | None) -> VeuAuthorization:
    """A VEU authorisation the user holds (YAML): id, holder, kind, items, sites, valid_from[, valid_until,
    max_units, document]."""
    text = inputs.read_user_file(path, "VEU")
    try:
        data = load_yaml(text, path)
    except ChipControlError as exc:
        raise InvalidInput(f"VEU file: {exc}") from None
    keys = {"id", "holder", "kind", "items", "sites", "valid_from", "valid_until", "max_units", "document"}
    if not isinstance(data, dict):
        raise InvalidInput(f"{path}: a VEU authorisation must be a mapping")
    unknown = sorted(str(k) for k in set(data) - keys)
    if unknown:
        raise InvalidInput(f"{path}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(keys))}")
    for k in ("id", "holder", "items", "sites", "valid_from"):
        if not data.get(k):
            raise InvalidInput(f"{path}: '{k}' is required")
    if not isinstance(data["items"], list) or not all(isinstance(i, str) for i in data["items"]):
        raise InvalidInput(f"{path}: 'items' must be a list of ECCN paragraphs or chip names")
    sites: list[tuple[str, str]] = []
    for s in data["sites"] if isinstance(data["sites"], list) else [None]:
        if not isinstance(s, dict) or not s.get("country") or not s.get("site"):
            raise InvalidInput(f"{path}: each site needs 'country' and 'site'")
        sites.append((inputs.parse_country(str(s["country"]), "VEU site country")[0], str(s["site"])))
    kind = str(data.get("kind", "data_center"))
    if kind not in ("data_center", "general"):
        raise InvalidInput(f"{path}: 'kind' must be data_center or general")
    max_units = data.get("max_units")
    if max_units is not None and (isinstance(max_units, bool) or not isinstance(max_units, int) or max_units < 1):
        raise InvalidInput(f"{path}: 'max_units' must be a whole number of at least 1")
    try:
        start = dt.date.fromisoformat(str(data["valid_from"]))
        until = dt.date.fromisoformat(str(data["valid_until"])) if data.get("valid_until") else None
    except ValueError:
        raise InvalidInput(f"{path}: valid_from/valid_until must be YYYY-MM-DD") from None
    return VeuAuthorization(id=str(data["id"]), holder=str(data["holder"]), kind=kind,
                            items=tuple(data["items"]), sites=tuple(sites), valid_from=start, valid_until=until,
                            max_units=max_units, document=str(data.get("document", "")), site=site)


def _differs(d: Determination, other: Determination | None) -> bool:
    return other is not None and (other.outcome, other.license_required, other.review_policy) != (
        d.outcome, d.license_required, d.review_policy)


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
        "indeterminate": d.outcome == "indeterminate",
        "questions": [q.to_dict() for q in d.questions],
        "license_required": d.license_required,
        "subject_to_ear": d.subject_to_ear,
        "prohibited": d.prohibited,
        "review_policy": d.review_policy,
        "review_conditions": list(d.review_conditions),
        "license_exceptions": [e.to_dict() for e in d.license_exceptions],
        "reasons": [r.to_dict() for r in d.reasons],
        "warnings": list(d.warnings),
        "notices": list(d.notices),
        "notes": notes,
        "parties": [p.to_dict() for p in d.parties],
        "screening": screened,
        "rules_current_to": rs.current_to.isoformat() if rs.current_to else None,
        "classification": {k: v for k, v in c.to_dict().items() if k != "trace"},  # its steps open `trace`
        "trace": [s.to_dict() for s in d.trace],
    }
    if other is not None and _differs(d, other):
        out["other_view"] = {"view": other.view, "outcome": other.outcome,
                             "license_required": other.license_required,
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
    if ctx.views_differ:
        other_view = "as_written" if settings.view == "enforced" else "enforced"
        octx = rs.context(as_of, other_view)
        other = determine(item.spec, classify(item.spec, octx, settings.tf32_bits), ship, octx)
    out = determination_json(item, d, settings, notes, screened, other, rs)
    if rs.current_to is not None and as_of > rs.current_to:
        out["warnings"].append(f"rules current to {rs.current_to.isoformat()}: changes published after that day "
                               f"are not in this answer for {as_of.isoformat()}")
    return out


def _period_key(d: Determination) -> tuple[Any, ...]:
    return (d.classification.paragraph, d.outcome, d.license_required, d.review_policy,
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
            outcome: str | None = d.outcome
            questions = [q.id for q in d.questions]
        else:
            key = (c.paragraph, c.indeterminate)
            lic, pol, reasons, exc, outcome, questions = None, None, [], [], None, []
        events.append({"date": day.isoformat(), "rule_version": ctx.version.id,
                       "changes": [{"what": what, "citation": cit.short()} for d0, what, cit in all_events
                                   if d0 == day]})
        if key == prev_key:
            continue
        if periods:
            periods[-1]["to"] = (day - dt.timedelta(days=1)).isoformat()
        cause, cause_citation = _cause(rs, day, settings.view)
        periods.append({"from": day.isoformat(), "to": None, "paragraph": c.paragraph, "subparagraph": c.subparagraph,
                        "outcome": outcome, "open_questions": questions,
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
