"""The licences ledger: record a licence, draw it down with shipments, refuse what it does not cover.

A shipment is checked and drawn down in one transaction holding the licence row (``SELECT ... FOR UPDATE`` on
PostgreSQL; ``BEGIN IMMEDIATE`` plus an in-process lock on SQLite), so concurrent drawdowns never overdraw and none
is lost. Refusals name the reason (stable codes) and are recorded in the audit log too.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.exc import IntegrityError

from chipcontrol.catalog import Catalog
from chipcontrol.errors import ChipControlError, Conflict, InvalidInput, NotFound
from chipcontrol.services import inputs
from chipcontrol.services.keys import Principal
from chipcontrol.store import Store
from chipcontrol.store import audit as audit_store
from chipcontrol.store import repositories as repo
from chipcontrol.store.audit import AuditEntry
from chipcontrol.store.models import Licence, Shipment

MAX_QTY = 10**12
MAX_VALUE = Decimal("1e15")


class LicenceNotFound(NotFound):
    code = "licence_not_found"


class LicenceExists(Conflict):
    code = "licence_exists"


class LicenceRefused(ChipControlError):
    """A shipment the licence does not cover. ``code`` says why: licence_expired, licence_not_yet_valid,
    licence_out_of_scope, licence_balance_exceeded."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


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


def licence_json(lic: Licence, shipments: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    q_left = None if lic.quantity_limit is None else lic.quantity_limit - lic.quantity_used
    v_left = None if lic.value_limit is None else lic.value_limit - lic.value_used
    d: dict[str, Any] = {
        "number": lic.number, "holder": lic.holder, "items": json.loads(lic.items_json),
        "destinations": json.loads(lic.destinations_json), "end_users": json.loads(lic.end_users_json),
        "quantity_limit": lic.quantity_limit, "quantity_used": lic.quantity_used, "quantity_remaining": q_left,
        "value_limit": None if lic.value_limit is None else float(lic.value_limit),
        "value_used": float(lic.value_used), "value_remaining": None if v_left is None else float(v_left),
        "issued_on": lic.issued_on.isoformat() if lic.issued_on else None, "expires_on": lic.expires_on.isoformat(),
        "notes": lic.notes, "created_by": lic.created_by, "created_at": lic.created_at, "audit_seq": lic.audit_seq,
    }
    if shipments is not None:
        d["shipments"] = shipments
    return d


def shipment_json(s: Shipment, licence_number: str) -> dict[str, Any]:
    return {"id": s.id, "licence_number": licence_number, "item": s.item, "destination": s.destination,
            "end_user": s.end_user, "quantity": s.quantity, "value": None if s.value is None else float(s.value),
            "shipped_on": s.shipped_on.isoformat(), "reference": s.reference, "actor": s.actor,
            "created_at": s.created_at, "audit_seq": s.audit_seq}


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


def record_shipment(store: Store, inp: ShipmentInput, by: Principal, catalog: Catalog | None = None,
                    today: dt.date | None = None) -> dict[str, Any]:
    """Draw a shipment down against its licence, or refuse it (LicenceRefused, recorded in the audit log)."""
    by.require("analyst")
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
    ins = {"licence_number": number, "item": key, "destination": dest, "end_user": end_user,
           "quantity": inp.quantity, "value": None if value is None else str(value), "shipped_on": day.isoformat(),
           "reference": reference}
    with store.write() as session:
        lic = repo.licence_by_number(session, number, for_update=True)
        if lic is None:
            raise LicenceNotFound(f"no licence {number!r} is recorded")
        refusal = _refusal(lic, key, dest, end_user, inp.quantity, value, day)
        if refusal is None:
            ship = Shipment(licence_id=lic.id, item=key, destination=dest, end_user=end_user, quantity=inp.quantity,
                            value=value, shipped_on=day, reference=reference, actor=by.actor,
                            created_at=audit_store.utc_now())
            repo.add_shipment(session, ship)
            lic.quantity_used = lic.quantity_used + inp.quantity
            if value is not None:
                lic.value_used = lic.value_used + value
            session.flush()
            out = shipment_json(ship, number)
            out["licence"] = licence_json(lic)
            rec = audit_store.append(session, AuditEntry(kind="shipment", actor=by.actor, inputs=ins, result=out,
                                                         as_of=day.isoformat()))
            ship.audit_seq = rec.seq
            out["audit_seq"] = rec.seq
            return out
    # refused: nothing was drawn; record the refusal, then report it
    refusal_entry = AuditEntry(kind="shipment.refused", actor=by.actor, inputs=ins, as_of=day.isoformat(),
                                   result={"error": {"code": refusal.code, "message": str(refusal)}})
    with store.write() as session:
        audit_store.append(session, refusal_entry)
    raise refusal


def list_licences(store: Store, *, limit: int = 200, offset: int = 0) -> list[dict[str, Any]]:
    with store.read() as session:
        return [licence_json(lic) for lic in repo.list_licences(session, limit=limit, offset=offset)]


def get_licence(store: Store, number: str) -> dict[str, Any]:
    with store.read() as session:
        lic = repo.licence_by_number(session, number)
        if lic is None:
            raise LicenceNotFound(f"no licence {number!r} is recorded")
        ships = [shipment_json(s, lic.number) for s, _ in repo.list_shipments(session, licence_id=lic.id, limit=1000)]
        return licence_json(lic, ships)


def list_shipments(store: Store, *, licence_number: str | None = None, limit: int = 200,
                   offset: int = 0) -> list[dict[str, Any]]:
    with store.read() as session:
        lic_id = None
        if licence_number is not None:
            lic = repo.licence_by_number(session, licence_number)
            if lic is None:
                raise LicenceNotFound(f"no licence {licence_number!r} is recorded")
            lic_id = lic.id
        return [shipment_json(s, lic.number) for s, lic in
                repo.list_shipments(session, licence_id=lic_id, limit=limit, offset=offset)]
