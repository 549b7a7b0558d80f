"""The ledger's defences: retries never book twice (idempotency keys, unique references), the end user is
screened and the rules re-checked on the shipment date, licence status, voids by a compensating record."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from chipcontrol.services import audit, ledger, review
from chipcontrol.services.keys import Principal
from chipcontrol.services.runtime import Runtime
from chipcontrol.store import Store

ANA = Principal("ana", "analyst", 1)
BEN = Principal("ben", "analyst", 2)


def _licence(store: Store, number: str = "L/2026/001", **kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"items": ("NVIDIA H20",), "destinations": ("CN",), "expires_on": "2027-12-31",
                            "quantity_limit": 10}
    base.update(kw)
    return ledger.create_licence(store, ledger.LicenceInput(number=number, **base), ANA)


def _ship(number: str = "L/2026/001", **kw: Any) -> ledger.ShipmentInput:
    base: dict[str, Any] = {"licence_number": number, "chip": "NVIDIA H20", "destination": "CN", "quantity": 2,
                            "shipped_on": "2026-03-02"}
    base.update(kw)
    return ledger.ShipmentInput(**base)


def test_a_retried_key_books_once(desk_store: Store) -> None:
    _licence(desk_store)
    first = ledger.book_shipment(desk_store, _ship(), ANA, idempotency_key="k-1")
    again = ledger.book_shipment(desk_store, _ship(), ANA, idempotency_key="k-1")
    assert first.status == again.status == 201 and again.replayed and again.body == first.body
    assert ledger.get_licence(desk_store, "L/2026/001")["quantity_used"] == 2
    with pytest.raises(ledger.IdempotencyKeyReused):
        ledger.book_shipment(desk_store, _ship(quantity=3), ANA, idempotency_key="k-1")
    other = ledger.book_shipment(desk_store, _ship(), BEN, idempotency_key="k-1")  # keys are per caller
    assert other.status == 201 and not other.replayed
    refused = ledger.book_shipment(desk_store, _ship(quantity=50), ANA, idempotency_key="k-2")
    assert refused.status == 409 and refused.body["error"]["code"] == "licence_balance_exceeded"
    assert ledger.book_shipment(desk_store, _ship(quantity=50), ANA, idempotency_key="k-2").replayed
    kinds = [r["kind"] for r in audit.list_records(desk_store, limit=20)["records"]]
    assert kinds.count("shipment") == 2 and kinds.count("shipment.refused") == 1


def test_a_reference_is_unique_per_licence(desk_store: Store) -> None:
    _licence(desk_store)
    first = ledger.book_shipment(desk_store, _ship(reference="PO-7"), ANA)
    again = ledger.book_shipment(desk_store, _ship(reference="PO-7"), ANA)
    assert again.replayed and again.body["id"] == first.body["id"]
    with pytest.raises(ledger.ReferenceExists):
        ledger.book_shipment(desk_store, _ship(reference="PO-7", quantity=1), ANA)
    assert ledger.get_licence(desk_store, "L/2026/001")["shipments_total"] == 1


def test_status_active_expired_exhausted_not_yet_valid(desk_store: Store) -> None:
    _licence(desk_store, "A", issued_on="2026-01-01")
    assert ledger.get_licence(desk_store, "A")["status"] == "active"
    _licence(desk_store, "E", expires_on="2024-01-01")
    assert ledger.get_licence(desk_store, "E")["status"] == "expired"
    _licence(desk_store, "N", issued_on="2099-01-01", expires_on="2099-12-31")
    assert ledger.get_licence(desk_store, "N")["status"] == "not_yet_valid"
    _licence(desk_store, "X", quantity_limit=2)
    ledger.record_shipment(desk_store, _ship("X"), ANA)
    assert ledger.get_licence(desk_store, "X")["status"] == "exhausted"
    assert {lic["number"]: lic["status"] for lic in ledger.list_licences(desk_store)}["X"] == "exhausted"


def test_void_gives_the_balance_back_once(desk_store: Store) -> None:
    _licence(desk_store, quantity_limit=4, value_limit=1000)
    out = ledger.record_shipment(desk_store, _ship(quantity=4, value=600), ANA)
    assert ledger.get_licence(desk_store, "L/2026/001")["status"] == "exhausted"
    void = ledger.void_shipment(desk_store, out["id"], "entered against the wrong licence", BEN)
    assert void["voided"]["by"] == "ben (key 2)" and void["licence"]["quantity_used"] == 0
    assert void["licence"]["value_used"] == 0 and void["licence"]["status"] == "active"
    with pytest.raises(ledger.AlreadyVoided):
        ledger.void_shipment(desk_store, out["id"], "again", BEN)
    with pytest.raises(ledger.ShipmentNotFound):
        ledger.void_shipment(desk_store, 999, "x", BEN)
    lic = ledger.get_licence(desk_store, "L/2026/001")
    assert lic["shipments"][0]["voided"]["reason"] == "entered against the wrong licence"
    rec = audit.get_record(desk_store, void["voided"]["audit_seq"])
    assert rec["kind"] == "shipment.void" and rec["inputs"]["shipment"] == out["id"]
    assert ledger.record_shipment(desk_store, _ship(quantity=4, value=600), ANA)["licence"]["quantity_used"] == 4


def test_drawdown_screens_its_end_user(desk_rt: Runtime) -> None:
    store = desk_rt.store
    _licence(store, "ANY")  # any end user
    booked = ledger.book_shipment(store, _ship("ANY", end_user="Huawei Technologies Co., Ltd.", quantity=5), ANA)
    assert booked.status == 409 and booked.body["error"]["code"] == "end_user_listed"
    assert "entity_list" in booked.body["error"]["message"]
    assert ledger.get_licence(store, "ANY")["quantity_used"] == 0
    queued = review.list_items(store, review.QueueFilter(source="shipment"), limit=500)["items"]
    assert queued, "the drawdown's hits are in the review queue"
    # cleared by two people: the drawdown goes through (flagged for the informational hits, if any)
    [entity] = [i for i in queued if i["list"] == "entity_list" and i["listed_name"] == "Huawei Technologies Co., Ltd."]
    blocking = [i["id"] for i in queued if i["blocking"]]
    review.decide(store, desk_rt.settings, ANA, blocking, "false_positive", "another Huawei")
    review.decide(store, desk_rt.settings, BEN, blocking, "false_positive", "confirmed")
    assert review.get_item(store, entity["id"])["status"] == "false_positive"
    ok = ledger.book_shipment(store, _ship("ANY", end_user="Huawei Technologies Co., Ltd.", quantity=5), ANA)
    assert ok.status == 201, ok.body
    # a licence that names the listed end user may be drawn down: the hit is expected, and flagged
    _licence(store, "NAMED", end_users=("Huawei Technologies Co., Ltd.",))
    named = ledger.book_shipment(store, _ship("NAMED", end_user="Huawei Technologies Co., Ltd."), ANA)
    assert named.status == 201 and named.body["screening"]


def test_drawdown_rechecks_the_rules_on_its_date(desk_store: Store) -> None:
    # a Denied Persons List party: the rules prohibit any transaction, licence or not
    _licence(desk_store, "DP", destinations=("FR",), end_users=("SABA AGNESE",))
    refused = ledger.book_shipment(desk_store, _ship("DP", destination="FR", end_user="SABA AGNESE"), ANA)
    assert refused.status == 409 and refused.body["error"]["code"] == "shipment_prohibited"
    _licence(desk_store, "DE", destinations=("DE",))
    booked = ledger.book_shipment(desk_store, _ship("DE", destination="DE"), ANA,
                                  today=dt.date(2026, 3, 2))
    assert booked.status == 201
    codes = {f["code"] for f in booked.body["flags"]}
    assert codes <= {"no_license_required", "indeterminate"} and codes, "a licence that may not be needed is flagged"
