"""The licences ledger: record a licence, draw it down with shipments, refuse what it does not cover.

A shipment is checked and drawn down in one transaction holding the licence row (``SELECT ... FOR UPDATE`` on
PostgreSQL; ``BEGIN IMMEDIATE`` plus an in-process lock on SQLite), so concurrent drawdowns never overdraw and none
is lost. Refusals name the reason (stable codes) and are recorded in the audit log too.

Retries never book twice: a request sent with an idempotency key gets the first answer to that key (the key and the
answer are written in the drawdown's own transaction), and a shipment reference is unique per licence (the same
reference with the same details answers with the shipment already booked). Before drawing down, the end user is
screened (a hit on a blocking list refuses the drawdown when the licence does not name that end user, unless the
review queue cleared it) and the rules are re-checked on the shipment date (a prohibition refuses it; a finding
that no licence is needed, or an indeterminate one, is flagged). A mistaken drawdown is voided by a compensating
record that gives its quantity and value back to the licence.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from chipcontrol.catalog import Catalog
from chipcontrol.errors import ChipControlError, Conflict, InvalidInput, NotFound
from chipcontrol.services import inputs, review
from chipcontrol.services.keys import Principal
from chipcontrol.settings import Settings
from chipcontrol.store import Store
from chipcontrol.store import audit as audit_store
from chipcontrol.store import repositories as repo
from chipcontrol.store.audit import AuditEntry
from chipcontrol.store.models import IdempotencyKey, KnownParty, Licence, Shipment, ShipmentVoid

MAX_QTY = 10**12
MAX_VALUE = Decimal("1e15")


class LicenceNotFound(NotFound):
    code = "licence_not_found"


class LicenceExists(Conflict):
    code = "licence_exists"


REFUSAL_CODES = ("licence_expired", "licence_not_yet_valid", "licence_out_of_scope", "licence_balance_exceeded",
                 "end_user_listed", "shipment_prohibited")


class LicenceRefused(ChipControlError):
    """A shipment the licence does not cover. ``code`` says why: licence_expired, licence_not_yet_valid,
    licence_out_of_scope, licence_balance_exceeded, end_user_listed, shipment_prohibited."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class ReferenceExists(Conflict):
    """The licence already has a shipment with this reference, with other details."""

    code = "shipment_reference_exists"


class IdempotencyKeyReused(Conflict):
    """An idempotency key sent again with a different request."""

    code = "idempotency_key_reused"


class AlreadyVoided(Conflict):
    code = "shipment_already_voided"


class ShipmentNotFound(NotFound):
    code = "shipment_not_found"


@dataclass(frozen=True, slots=True)
class LicenceInput:
    number: str
    items: tuple[str, ...]
    destinations: tuple[str, ...]
    expires_on: str
    end_users: tuple[str, ...] = ()
    quantity_limit: int | None = None
    value_limit: float | str | None = None
    issued_on: str | None = None
    holder: str | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class ShipmentInput:
    licence_number: str
    chip: str
    destination: str
    quantity: int
    end_user: str | None = None
    value: float | str | None = None
    shipped_on: str | None = None
    reference: str | None = None


def _text(value: str | None, what: str, limit: int, *, required: bool = False) -> str | None:
    if value is None or not value.strip():
        if required:
            raise InvalidInput(f"{what} is required")
        return None
    clean = inputs.parse_party(value, what)
    assert clean is not None
    if len(clean) > limit:
        raise InvalidInput(f"{what} is longer than {limit} characters")
    return clean


def _money(value: float | str | None, what: str) -> Decimal | None:
    if value is None:
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        raise InvalidInput(f"{what} must be a number") from None
    if not d.is_finite() or d < 0 or d >= MAX_VALUE:
        raise InvalidInput(f"{what} must be between 0 and {MAX_VALUE:,.0f}")
    return d.quantize(Decimal("0.01"))


def _day(text: str | None, what: str) -> dt.date:
    if text is None or not str(text).strip():
        raise InvalidInput(f"{what} is required (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise InvalidInput(f"{what} {text!r} is not a date in the form YYYY-MM-DD") from None


def _norm_party(name: str) -> str:
    return " ".join(name.casefold().split())


def _chip_key(name: str, catalog: Catalog) -> str:
    return catalog.lookup(name).key


def licence_status(lic: Licence, today: dt.date | None = None) -> str:
    """active | expired | not_yet_valid | exhausted (no quantity or no value left)."""
    day = today or dt.date.today()
    if day > lic.expires_on:
        return "expired"
    if lic.issued_on is not None and day < lic.issued_on:
        return "not_yet_valid"
    if (lic.quantity_limit is not None and lic.quantity_used >= lic.quantity_limit) or (
            lic.value_limit is not None and lic.value_used >= lic.value_limit):
        return "exhausted"
    return "active"


def licence_json(lic: Licence, shipments: list[dict[str, Any]] | None = None,
                 today: dt.date | None = None) -> dict[str, Any]:
    q_left = None if lic.quantity_limit is None else lic.quantity_limit - lic.quantity_used
    v_left = None if lic.value_limit is None else lic.value_limit - lic.value_used
    d: dict[str, Any] = {
        "number": lic.number, "holder": lic.holder, "items": json.loads(lic.items_json),
        "destinations": json.loads(lic.destinations_json), "end_users": json.loads(lic.end_users_json),
        "quantity_limit": lic.quantity_limit, "quantity_used": lic.quantity_used, "quantity_remaining": q_left,
        "value_limit": None if lic.value_limit is None else float(lic.value_limit),
        "value_used": float(lic.value_used), "value_remaining": None if v_left is None else float(v_left),
        "issued_on": lic.issued_on.isoformat() if lic.issued_on else None, "expires_on": lic.expires_on.isoformat(),
        "status": licence_status(lic, today),
        "notes": lic.notes, "created_by": lic.created_by, "created_at": lic.created_at, "audit_seq": lic.audit_seq,
    }
    if shipments is not None:
        d["shipments"] = shipments
    return d


def shipment_json(s: Shipment, licence_number: str, void: ShipmentVoid | None = None) -> dict[str, Any]:
    return {"id": s.id, "licence_number": licence_number, "item": s.item, "destination": s.destination,
            "end_user": s.end_user, "quantity": s.quantity, "value": None if s.value is None else float(s.value),
            "shipped_on": s.shipped_on.isoformat(), "reference": s.reference, "actor": s.actor,
            "created_at": s.created_at, "audit_seq": s.audit_seq,
            "voided": None if void is None else {"reason": void.reason, "by": void.actor, "at": void.created_at,
                                                 "audit_seq": void.audit_seq}}


def create_licence(store: Store, inp: LicenceInput, by: Principal, catalog: Catalog | None = None) -> dict[str, Any]:
    by.require("analyst")
    cat = catalog or Catalog.load()
    number = _text(inp.number, "licence number", 100, required=True)
    assert number is not None
    if not inp.items:
        raise InvalidInput("a licence needs at least one item (a catalogue chip name)")
    if not inp.destinations:
        raise InvalidInput("a licence needs at least one destination country")
    items = sorted({_chip_key(_text(i, "item", 400, required=True) or "", cat) for i in inp.items})
    dests = sorted({inputs.parse_country(c, "destination")[0] for c in inp.destinations})
    end_users = sorted({u for u in (_text(e, "end user", 1000) for e in inp.end_users) if u})
    qty = inp.quantity_limit
    if qty is not None and not 1 <= qty <= MAX_QTY:
        raise InvalidInput(f"quantity limit must be between 1 and {MAX_QTY}")
    value = _money(inp.value_limit, "value limit")
    if qty is None and value is None:
        raise InvalidInput("a licence needs a quantity limit, a value limit, or both")
    expires = _day(inp.expires_on, "expiry date")
    issued = _day(inp.issued_on, "issue date") if inp.issued_on else None
    if issued is not None and issued > expires:
        raise InvalidInput("the issue date is after the expiry date")
    lic = Licence(number=number, holder=_text(inp.holder, "holder", 400), items_json=json.dumps(items),
                  destinations_json=json.dumps(dests), end_users_json=json.dumps(end_users, ensure_ascii=False),
                  quantity_limit=qty, value_limit=value, quantity_used=0, value_used=Decimal(0), issued_on=issued,
                  expires_on=expires, notes=_text(inp.notes, "notes", 4000), created_by=by.actor,
                  created_at=audit_store.utc_now())
    try:
        with store.write() as session:
            if repo.licence_by_number(session, number) is not None:
                raise LicenceExists(f"licence {number!r} is already recorded")
            repo.add_licence(session, lic)
            rec = audit_store.append(session, AuditEntry(kind="licence.create", actor=by.actor,
                                                         inputs=_licence_inputs(inp), result=licence_json(lic)))
            lic.audit_seq = rec.seq
            session.flush()
            return licence_json(lic)
    except IntegrityError:  # a concurrent insert of the same number won the race
        raise LicenceExists(f"licence {number!r} is already recorded") from None


def _licence_inputs(inp: LicenceInput) -> dict[str, Any]:
    return {"number": inp.number, "items": list(inp.items), "destinations": list(inp.destinations),
            "end_users": list(inp.end_users), "quantity_limit": inp.quantity_limit,
            "value_limit": None if inp.value_limit is None else str(inp.value_limit), "issued_on": inp.issued_on,
            "expires_on": inp.expires_on, "holder": inp.holder, "notes": inp.notes}


def _refusal(lic: Licence, key: str, dest: str, end_user: str | None, qty: int, value: Decimal | None,
             day: dt.date) -> LicenceRefused | None:
    if day > lic.expires_on:
        return LicenceRefused("licence_expired", f"licence {lic.number} expired on {lic.expires_on.isoformat()}; "
                              f"the shipment date is {day.isoformat()}")
    if lic.issued_on is not None and day < lic.issued_on:
        return LicenceRefused("licence_not_yet_valid", f"licence {lic.number} is valid from "
                              f"{lic.issued_on.isoformat()}; the shipment date is {day.isoformat()}")
    items = json.loads(lic.items_json)
    if key not in items:
        return LicenceRefused("licence_out_of_scope", f"licence {lic.number} does not cover {key}; it covers: "
                              f"{', '.join(items)}")
    dests = json.loads(lic.destinations_json)
    if dest not in dests:
        return LicenceRefused("licence_out_of_scope", f"licence {lic.number} does not cover destination {dest}; "
                              f"it covers: {', '.join(dests)}")
    users = json.loads(lic.end_users_json)
    if users:
        if end_user is None:
            return LicenceRefused("licence_out_of_scope", f"licence {lic.number} is limited to named end users "
                                  f"({'; '.join(users)}); give the shipment's end user")
        if _norm_party(end_user) not in {_norm_party(u) for u in users}:
            return LicenceRefused("licence_out_of_scope", f"licence {lic.number} does not cover end user "
                                  f"{end_user!r}; it covers: {'; '.join(users)}")
    if lic.quantity_limit is not None and lic.quantity_used + qty > lic.quantity_limit:
        left = lic.quantity_limit - lic.quantity_used
        return LicenceRefused("licence_balance_exceeded", f"licence {lic.number} has {left} units left of "
                              f"{lic.quantity_limit}; the shipment is {qty}")
    if lic.value_limit is not None:
        if value is None:
            return LicenceRefused("licence_out_of_scope", f"licence {lic.number} has a value limit; give the "
                                  "shipment's value")
        if lic.value_used + value > lic.value_limit:
            v_left = lic.value_limit - lic.value_used
            return LicenceRefused("licence_balance_exceeded", f"licence {lic.number} has {v_left:,.2f} of value left "
                                  f"of {lic.value_limit:,.2f}; the shipment is {value:,.2f}")
    return None


@dataclass(frozen=True, slots=True)
class Booked:
    """A drawdown's answer: HTTP-like status (201 booked, 409 refused), the body, and whether it is the replay of
    an earlier answer (an idempotency key or a shipment reference seen before)."""

    status: int
    body: dict[str, Any]
    replayed: bool = False


def _request_sha(ins: dict[str, Any]) -> str:
    return hashlib.sha256(audit_store.canonical_json(ins).encode("utf-8")).hexdigest()


def _screen_and_recheck(inp_key: str, dest: str, end_user: str | None, day: dt.date,
                        settings: Settings) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The end user's screening hits (with remembered review decisions applied later) and the rules re-checked on
    the shipment date. Returns (hits, findings); a finding is {"code", "message", "refuse"}."""
    from chipcontrol.catalog import Catalog
    from chipcontrol.rules.ruleset import Ruleset
    from chipcontrol.services import assess
    from chipcontrol.services.screening import party_hits, screen_party

    hits: list[dict[str, Any]] = []
    if end_user:
        hits = screen_party(end_user, dest, threshold=settings.screening_threshold)["hits"]
    findings: list[dict[str, Any]] = []
    entry = Catalog.load().lookup(inp_key)
    data = assess.check_item(assess.Item(entry.spec, entry), assess.CheckRequest(destination=dest, end_user=end_user),
                             day, settings, screen=party_hits if end_user else None, ruleset=Ruleset.load())
    outcome = data.get("outcome")
    if outcome == "prohibited":
        why = "; ".join(str(r.get("detail")) for r in data.get("reasons") or [] if r.get("kind") == "prohibited")
        findings.append({"code": "shipment_prohibited", "refuse": True,
                         "message": f"the rules on {day.isoformat()} prohibit this shipment: {why or outcome}"})
    elif data.get("license_required") is False:
        findings.append({"code": "no_license_required", "refuse": False,
                         "message": f"on {day.isoformat()} the rules require no licence for {inp_key} to {dest}; "
                                    "the drawdown is recorded but the licence may not be needed"})
    elif data.get("indeterminate") or outcome == "indeterminate":
        findings.append({"code": "indeterminate", "refuse": False,
                         "message": f"the rules on {day.isoformat()} could not determine whether a licence is "
                                    "required; review the check before shipping"})
    return hits, findings


def record_shipment(store: Store, inp: ShipmentInput, by: Principal, catalog: Catalog | None = None,
                    today: dt.date | None = None, *, idempotency_key: str | None = None,
                    settings: Settings | None = None) -> dict[str, Any]:
    """Draw a shipment down against its licence, or refuse it (LicenceRefused, recorded in the audit log)."""
    booked = book_shipment(store, inp, by, catalog, today, idempotency_key=idempotency_key, settings=settings)
    if booked.status >= 400:
        err = booked.body["error"]
        raise LicenceRefused(err["code"], err["message"])
    return booked.body


def book_shipment(store: Store, inp: ShipmentInput, by: Principal, catalog: Catalog | None = None,
                  today: dt.date | None = None, *, idempotency_key: str | None = None,
                  settings: Settings | None = None) -> Booked:
    """Draw down, answering as :class:`Booked` (a refusal is an answer too, so it can be replayed to a retry).
    Bad input, an unknown licence and a key reused for another request raise."""
    by.require("analyst")
    cfg = settings or Settings()
    cat = catalog or Catalog.load()
    number = _text(inp.licence_number, "licence number", 100, required=True)
    assert number is not None
    key = _chip_key(_text(inp.chip, "item", 400, required=True) or "", cat)
    dest = inputs.parse_country(inp.destination, "destination")[0]
    end_user = _text(inp.end_user, "end user", 1000)
    if not isinstance(inp.quantity, int) or not 1 <= inp.quantity <= MAX_QTY:
        raise InvalidInput(f"quantity must be a whole number between 1 and {MAX_QTY}")
    value = _money(inp.value, "value")
    day = _day(inp.shipped_on, "shipment date") if inp.shipped_on else (today or dt.date.today())
    reference = _text(inp.reference, "reference", 200)
    idem = None
    if idempotency_key is not None:
        idem = idempotency_key.strip()
        if not idem or len(idem) > 200 or any(ord(c) < 32 or ord(c) > 126 for c in idem):
            raise InvalidInput("the Idempotency-Key must be 1 to 200 printable ASCII characters")
    ins = {"licence_number": number, "item": key, "destination": dest, "end_user": end_user,
           "quantity": inp.quantity, "value": None if value is None else str(value), "shipped_on": day.isoformat(),
           "reference": reference}
    sha = _request_sha(ins)
    scope = f"shipment:{by.name}"
    if idem is not None:  # a retry answered before any work (the same check runs again under the lock)
        with store.read() as session:
            found = _replay(session, scope, idem, sha)
        if found is not None:
            return found
    hits, findings = _screen_and_recheck(key, dest, end_user, day, cfg)
    if hits and end_user:
        review.overlay(store, end_user, hits)
    refusal: LicenceRefused | None = None
    try:
        with store.write() as session:
            lic = repo.licence_by_number(session, number, for_update=True)
            if lic is None:
                raise LicenceNotFound(f"no licence {number!r} is recorded")
            if idem is not None:
                found = _replay(session, scope, idem, sha)
                if found is not None:
                    return found
            if reference is not None:
                same = _same_reference(session, lic, reference, ins)
                if same is not None:
                    return same
            refusal = _refusal(lic, key, dest, end_user, inp.quantity, value, day) or _listed(
                lic, end_user, hits) or next((LicenceRefused(f["code"], f["message"]) for f in findings
                                              if f["refuse"]), None)
            if refusal is None:
                ship = Shipment(licence_id=lic.id, item=key, destination=dest, end_user=end_user,
                                quantity=inp.quantity, value=value, shipped_on=day, reference=reference,
                                actor=by.actor, created_at=audit_store.utc_now())
                repo.add_shipment(session, ship)
                lic.quantity_used = lic.quantity_used + inp.quantity
                if value is not None:
                    lic.value_used = lic.value_used + value
                session.flush()
                out = shipment_json(ship, number)
                out["licence"] = licence_json(lic, today=day)
                out["screening"] = _hit_brief(hits)
                out["flags"] = [{"code": f["code"], "message": f["message"]} for f in findings] + _hit_flags(hits)
                rec = audit_store.append(session, AuditEntry(kind="shipment", actor=by.actor, inputs=ins, result=out,
                                                             as_of=day.isoformat()))
                ship.audit_seq = rec.seq
                out["audit_seq"] = rec.seq
                _remember(session, end_user, dest, hits, rec.seq)
                if idem is not None:
                    _store_answer(session, scope, idem, sha, 201, out)
                return Booked(201, out)
            # refused: nothing is drawn; the refusal is recorded (and kept for the key) in this transaction
            body = {"error": {"code": refusal.code, "message": str(refusal)}}
            rec = audit_store.append(session, AuditEntry(kind="shipment.refused", actor=by.actor, inputs=ins,
                                                         as_of=day.isoformat(),
                                                         result={**body, "screening": _hit_brief(hits)}))
            _remember(session, end_user, dest, hits, rec.seq)
            if idem is not None:
                _store_answer(session, scope, idem, sha, 409, body)
            return Booked(409, body)
    except IntegrityError:
        # a concurrent request with the same key or reference committed first: answer as it was answered
        with store.read() as session:
            if idem is not None:
                found = _replay(session, scope, idem, sha)
                if found is not None:
                    return found
            lic = repo.licence_by_number(session, number)
            if lic is not None and reference is not None:
                same = _same_reference(session, lic, reference, ins)
                if same is not None:
                    return same
        raise


def _hit_brief(hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"name": h.get("name"), "list": h.get("list"), "score": h.get("score"), "entry_id": h.get("entry_id"),
             "effect": h.get("effect"), "review": h.get("review")} for h in hits]


def _hit_flags(hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for h in hits:
        for listing, state in review.listing_states(h):
            if review.cleared(state):
                continue
            out.append({"code": "end_user_hit", "message": f"the end user matches {listing.get('name')!r} on "
                        f"{listing.get('list')} (score {listing.get('score')}); "
                        f"{'decided: ' + str(state.get('status')) if state and state.get('item') else 'to review'}"})
    return out


def _listed(lic: Licence, end_user: str | None, hits: list[dict[str, Any]]) -> LicenceRefused | None:
    """A blocking-list hit on the end user refuses a licence that does not name that end user (a licence for
    'any end user' does not authorise a listed party), unless the review queue cleared the hit."""
    if not end_user or json.loads(lic.end_users_json):
        return None
    for h in hits:
        for listing, state in review.listing_states(h):
            if review.is_blocking(listing) and not review.cleared(state):
                return LicenceRefused("end_user_listed", f"the end user {end_user!r} matches {listing.get('name')!r} "
                                      f"on the {listing.get('list')} (score {listing.get('score')}): licence "
                                      f"{lic.number} does not name this end user; clear the hit in the review "
                                      "queue if it is a false positive")
    return None


def _remember(session: Any, end_user: str | None, dest: str, hits: list[dict[str, Any]], seq: int) -> None:
    if not end_user:
        return
    conn = session.connection()
    conn.execute(audit_store.insert_ignoring_duplicates(conn.dialect.name, KnownParty),
                 [{"party_key": review.party_key(end_user), "name": end_user, "country": dest, "source": "shipment",
                   "created_at": audit_store.utc_now(), "audit_seq": seq}])
    review.enqueue(session, review.sightings(end_user, dest, hits), "shipment", seq)


def _replay(session: Any, scope: str, key: str, sha: str) -> Booked | None:
    row = session.scalar(select(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key))
    if row is None:
        return None
    if row.request_sha256 != sha:
        raise IdempotencyKeyReused(f"the Idempotency-Key {key!r} was used for a different shipment; use a new key "
                                   "for a new request")
    return Booked(row.status, json.loads(row.response_json), replayed=True)


def _store_answer(session: Any, scope: str, key: str, sha: str, status: int, body: dict[str, Any]) -> None:
    session.add(IdempotencyKey(scope=scope, key=key, request_sha256=sha, status=status,
                               response_json=audit_store.canonical_json(body), created_at=audit_store.utc_now()))
    session.flush()


def _same_reference(session: Any, lic: Licence, reference: str, ins: dict[str, Any]) -> Booked | None:
    ship = session.scalar(select(Shipment).where(Shipment.licence_id == lic.id, Shipment.reference == reference))
    if ship is None:
        return None
    mine = (ship.item, ship.destination, ship.end_user, ship.quantity,
            None if ship.value is None else str(ship.value), ship.shipped_on.isoformat())
    theirs = (ins["item"], ins["destination"], ins["end_user"], ins["quantity"], ins["value"], ins["shipped_on"])
    if mine != theirs:
        raise ReferenceExists(f"licence {lic.number} already has shipment {ship.id} with reference {reference!r} "
                              "and other details; use a new reference")
    out = shipment_json(ship, lic.number, session.scalar(select(ShipmentVoid)
                                                         .where(ShipmentVoid.shipment_id == ship.id)))
    out["licence"] = licence_json(lic)
    return Booked(201, out, replayed=True)


def void_shipment(store: Store, shipment_id: int, reason: str, by: Principal) -> dict[str, Any]:
    """Void a mistaken drawdown (analyst): a compensating record gives its quantity and value back to the
    licence; the shipment stays in the ledger, marked void, and both are in the audit log."""
    by.require("analyst")
    text = " ".join((reason or "").split())
    if not text or len(text) > 2000:
        raise InvalidInput("voiding a shipment needs a reason (at most 2000 characters)")
    if not 1 <= shipment_id < 2**62:
        raise ShipmentNotFound(f"no shipment {shipment_id}")
    with store.write() as session:
        ship = session.get(Shipment, shipment_id)
        if ship is None:
            raise ShipmentNotFound(f"no shipment {shipment_id}")
        lic = session.scalar(select(Licence).where(Licence.id == ship.licence_id).with_for_update())
        assert lic is not None
        if session.scalar(select(ShipmentVoid).where(ShipmentVoid.shipment_id == ship.id)) is not None:
            raise AlreadyVoided(f"shipment {shipment_id} is already void")
        void = ShipmentVoid(shipment_id=ship.id, reason=text, actor=by.actor, created_at=audit_store.utc_now())
        session.add(void)
        lic.quantity_used = lic.quantity_used - ship.quantity
        if ship.value is not None:
            lic.value_used = lic.value_used - ship.value
        session.flush()
        out = shipment_json(ship, lic.number, void)
        out["licence"] = licence_json(lic)
        rec = audit_store.append(session, AuditEntry(kind="shipment.void", actor=by.actor,
                                                     inputs={"shipment": shipment_id, "reason": text}, result=out))
        void.audit_seq = rec.seq
        session.flush()
        out["voided"]["audit_seq"] = rec.seq
        return out


def list_licences(store: Store, *, limit: int = 200, offset: int = 0) -> list[dict[str, Any]]:
    with store.read() as session:
        return [licence_json(lic) for lic in repo.list_licences(session, limit=limit, offset=offset)]


def count_licences(store: Store) -> int:
    with store.read() as session:
        return repo.count_licences(session)


def get_licence(store: Store, number: str, *, limit: int = 1000, offset: int = 0) -> dict[str, Any]:
    """A licence with a page of its shipments (newest first) and ``shipments_total``."""
    with store.read() as session:
        lic = repo.licence_by_number(session, number)
        if lic is None:
            raise LicenceNotFound(f"no licence {number!r} is recorded")
        rows = repo.list_shipments(session, licence_id=lic.id, limit=limit, offset=offset)
        voids = repo.voids_of(session, [s.id for s, _ in rows])
        ships = [shipment_json(s, lic.number, voids.get(s.id)) for s, _ in rows]
        out = licence_json(lic, ships)
        out["shipments_total"] = repo.shipment_totals(session, lic.id)[0]
        return out


def list_shipments(store: Store, *, licence_number: str | None = None, limit: int = 200,
                   offset: int = 0) -> list[dict[str, Any]]:
    with store.read() as session:
        lic_id = None
        if licence_number is not None:
            lic = repo.licence_by_number(session, licence_number)
            if lic is None:
                raise LicenceNotFound(f"no licence {licence_number!r} is recorded")
            lic_id = lic.id
        rows = repo.list_shipments(session, licence_id=lic_id, limit=limit, offset=offset)
        voids = repo.voids_of(session, [s.id for s, _ in rows])
        return [shipment_json(s, lic.number, voids.get(s.id)) for s, lic in rows]


def count_shipments(store: Store, licence_number: str | None = None) -> int:
    with store.read() as session:
        if licence_number is None:
            return repo.count_shipments(session)
        lic = repo.licence_by_number(session, licence_number)
        return 0 if lic is None else repo.shipment_totals(session, lic.id)[0]
