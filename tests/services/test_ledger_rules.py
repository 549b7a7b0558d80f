"""The licences ledger refuses, with the reason, what a licence does not cover; nothing is drawn when it does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chipcontrol.errors import InvalidInput, UnknownChip
from chipcontrol.services import audit, ledger
from chipcontrol.services.keys import Forbidden, Principal
from chipcontrol.store import Store, close_store, open_store

ANALYST = Principal("ana", "analyst", 7)
VIEWER = Principal("vic", "viewer", 8)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    yield open_store(url)
    close_store(url)


@pytest.fixture
def licence(store: Store) -> dict[str, Any]:
    return ledger.create_licence(store, ledger.LicenceInput(
        number="D123", items=("NVIDIA H20",), destinations=("CN", "SG"), end_users=("Acme Cloud Ltd",),
        quantity_limit=100, value_limit=1_000_000, issued_on="2026-01-01", expires_on="2026-12-31",
        holder="Exporter Inc"), ANALYST)


def ship(store: Store, **kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"licence_number": "D123", "chip": "NVIDIA H20", "destination": "CN",
                            "end_user": "acme  cloud LTD", "quantity": 10, "value": 50_000, "shipped_on": "2026-06-01"}
    base.update(kw)
    return ledger.record_shipment(store, ledger.ShipmentInput(**base), ANALYST)


def test_licence_is_recorded_with_normalised_scope(licence: dict[str, Any]) -> None:
    assert licence["items"] == ["NVIDIA H20 (HGX)"]
    assert licence["destinations"] == ["CN", "SG"]
    assert licence["quantity_remaining"] == 100 and licence["value_remaining"] == 1_000_000
    assert licence["created_by"] == "ana (key 7)" and licence["audit_seq"] == 1


def test_shipment_draws_down_and_is_audited(store: Store, licence: dict[str, Any]) -> None:
    out = ship(store)
    assert out["licence"]["quantity_remaining"] == 90
    assert out["licence"]["value_remaining"] == 950_000
    rec = audit.get_record(store, out["audit_seq"])
    assert rec["kind"] == "shipment" and rec["actor"] == "ana (key 7)"
    assert ledger.get_licence(store, "D123")["shipments"][0]["quantity"] == 10


@pytest.mark.parametrize("change,code,words", [
    ({"shipped_on": "2027-01-01"}, "licence_expired", "expired on 2026-12-31"),
    ({"shipped_on": "2025-12-31"}, "licence_not_yet_valid", "valid from 2026-01-01"),
    ({"chip": "NVIDIA H100 SXM5 80GB"}, "licence_out_of_scope", "does not cover NVIDIA H100 SXM5 80GB"),
    ({"destination": "DE"}, "licence_out_of_scope", "does not cover destination DE"),
    ({"end_user": "Other Corp"}, "licence_out_of_scope", "does not cover end user 'Other Corp'"),
    ({"end_user": None}, "licence_out_of_scope", "limited to named end users"),
    ({"value": None}, "licence_out_of_scope", "has a value limit"),
    ({"quantity": 101}, "licence_balance_exceeded", "has 100 units left of 100"),
    ({"value": 1_000_000.01}, "licence_balance_exceeded", "of value left"),
])
def test_refusals_name_the_reason_and_draw_nothing(store: Store, licence: dict[str, Any], change: dict[str, Any],
                                                   code: str, words: str) -> None:
    with pytest.raises(ledger.LicenceRefused) as info:
        ship(store, **change)
    assert info.value.code == code
    assert words in str(info.value)
    after = ledger.get_licence(store, "D123")
    assert after["quantity_used"] == 0 and after["shipments"] == []
    last = audit.list_records(store, limit=1, full=True)["records"][0]
    assert last["kind"] == "shipment.refused" and last["result"]["error"]["code"] == code


def test_hong_kong_is_china_for_scope(store: Store, licence: dict[str, Any]) -> None:
    assert ship(store, destination="HK")["destination"] == "CN"


def test_bad_input_and_roles(store: Store, licence: dict[str, Any]) -> None:
    with pytest.raises(ledger.LicenceNotFound):
        ship(store, licence_number="NOPE")
    with pytest.raises(UnknownChip):
        ship(store, chip="Imaginary 9000")
    with pytest.raises(InvalidInput):
        ship(store, quantity=0)
    with pytest.raises(ledger.LicenceExists):
        ledger.create_licence(store, ledger.LicenceInput(number="D123", items=("NVIDIA H20",), destinations=("CN",),
                                                         expires_on="2027-01-01", quantity_limit=1), ANALYST)
    with pytest.raises(InvalidInput, match="quantity limit, a value limit"):
        ledger.create_licence(store, ledger.LicenceInput(number="X", items=("NVIDIA H20",), destinations=("CN",),
                                                         expires_on="2027-01-01"), ANALYST)
    with pytest.raises(Forbidden):
        ledger.create_licence(store, ledger.LicenceInput(number="Y", items=("NVIDIA H20",), destinations=("CN",),
                                                         expires_on="2027-01-01", quantity_limit=1), VIEWER)
