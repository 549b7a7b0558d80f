"""The compliance desk through the REST API, and the API defects of issue 13, each with its test."""

from __future__ import annotations

import csv
import io
import json

import pytest
from apitools import Api

H20 = "NVIDIA H20"
HUAWEI = "Huawei Technologies Co., Ltd."


def test_review_two_people_through_the_api(api: Api) -> None:
    viewer, ana = api.h("viewer"), api.h("analyst")
    api.client.post("/api/screen", json={"name": HUAWEI}, headers=viewer)
    page = api.client.get("/api/review", params={"status": "undecided", "list": "entity_list", "limit": 2},
                          headers=viewer).json()
    assert page["total"] >= 2 and len(page["items"]) == 2
    item = page["items"][0]["id"]
    body = {"items": [item], "verdict": "false_positive", "reason": "different company"}
    assert api.client.post("/api/review/decisions", json=body, headers=viewer).status_code == 403
    r = api.client.post("/api/review/decisions", json=body, headers=ana)
    assert r.status_code == 200 and r.json()["items"][0]["status"] == "pending_second"
    r = api.client.post("/api/review/decisions", json=body, headers=ana)
    assert r.status_code == 409 and r.json()["error"]["code"] == "four_eyes_required"
    r = api.client.post("/api/review/decisions", json=body, headers=api.h("admin"))
    assert r.json()["items"][0]["status"] == "false_positive"
    got = api.client.get(f"/api/review/{item}", headers=viewer).json()
    assert [d["reviewer"] for d in got["decisions"]] == ["analyst-user", "admin-user"]
    assert api.client.get("/api/review/999999", headers=viewer).json()["error"]["code"] == "not_found"


def test_licence_numbers_with_any_characters(api: Api) -> None:
    h = api.h("analyst")
    for number in ("D/2026/0042", "Ü-42 #7?x", "EL/CN 2026;1"):
        lic = {"number": number, "items": [H20], "destinations": ["CN"], "quantity_limit": 3,
               "expires_on": "2030-01-01"}
        assert api.client.post("/api/licences", json=lic, headers=h).status_code == 201
        from urllib.parse import quote

        r = api.client.get(f"/api/licences/{quote(number, safe='/')}", headers=h)
        assert r.status_code == 200 and r.json()["number"] == number, (number, r.text)
        assert r.json()["status"] == "active"


def test_idempotent_drawdown_and_void(api: Api) -> None:
    h = api.h("analyst")
    api.client.post("/api/licences", json={"number": "I-1", "items": [H20], "destinations": ["CN"],
                                           "quantity_limit": 10, "expires_on": "2030-01-01"}, headers=h)
    ship = {"licence_number": "I-1", "chip": H20, "destination": "CN", "quantity": 4, "shipped_on": "2026-02-02"}
    first = api.client.post("/api/shipments", json=ship, headers={**h, "Idempotency-Key": "abc-1"})
    again = api.client.post("/api/shipments", json=ship, headers={**h, "Idempotency-Key": "abc-1"})
    assert first.status_code == again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert first.json() == again.json()
    r = api.client.post("/api/shipments", json={**ship, "quantity": 5}, headers={**h, "Idempotency-Key": "abc-1"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "idempotency_key_reused"
    assert api.client.get("/api/licences/I-1", headers=h).json()["quantity_used"] == 4
    r = api.client.post(f"/api/shipments/{first.json()['id']}/void", json={"reason": "typo"}, headers=h)
    assert r.status_code == 200 and r.json()["voided"]["reason"] == "typo"
    assert r.json()["licence"]["quantity_remaining"] == 10
    r = api.client.post(f"/api/shipments/{first.json()['id']}/void", json={"reason": "typo"}, headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "shipment_already_voided"
    assert api.client.post("/api/shipments/9999/void", json={"reason": "x"}, headers=h).status_code == 404
    lst = api.client.get("/api/shipments", params={"limit": 1}, headers=h)
    assert lst.headers["X-Total-Count"] == "1" and len(lst.json()) == 1


def test_audit_totals_follow_the_filter(api: Api) -> None:
    h = api.h("viewer")
    for name in ("Acme", "Beta", "Gamma"):
        api.client.post("/api/screen", json={"name": name}, headers=h)
    api.client.post("/api/classify", json={"chip": H20}, headers=h)
    everything = api.client.get("/api/audit", headers=h).json()["total"]
    page = api.client.get("/api/audit", params={"kind": "screen", "limit": 2}, headers=h).json()
    assert page["total"] == 3 and len(page["records"]) == 2 and page["next_before"]
    assert everything > 3
    both = api.client.get("/api/audit", params=[("kind", "screen"), ("kind", "classify")], headers=h).json()
    assert both["total"] == 4
    assert api.client.get("/api/audit", params={"actor": "viewer-user (key 1)"}, headers=h).json()["total"] == 4
    none = api.client.get("/api/audit", params={"from": "2001-01-01", "to": "2001-01-31"}, headers=h).json()
    assert none["total"] == 0 and none["records"] == []
    r = api.client.get("/api/audit", params={"from": "2026-02-01", "to": "2026-01-01"}, headers=h)
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_input"


def test_export_streams_csv_and_jsonl(api: Api) -> None:
    h = api.h("viewer")
    api.client.post("/api/screen", json={"name": "中芯国际"}, headers=h)
    r = api.client.get("/api/export/audit", params={"format": "csv", "kind": "screen"}, headers=h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 1 and rows[0]["kind"] == "screen" and "中芯国际" in rows[0]["inputs"]
    r = api.client.get("/api/export/screenings", params={"format": "jsonl"}, headers=h)
    assert json.loads(r.text.splitlines()[0])["query"] == "中芯国际"
    assert api.client.get("/api/export/nothing", headers=h).status_code == 422


def test_certificate_routes(api: Api) -> None:
    h = api.h("viewer")
    seq = api.client.post("/api/screen", json={"name": "华为"}, headers=h).json()["audit_seq"]
    cert = api.client.get(f"/api/audit/{seq}/certificate", headers=h)
    assert cert.status_code == 200 and cert.json()["subject"]["seq"] == seq
    pdf = api.client.get(f"/api/audit/{seq}/certificate", params={"format": "pdf"}, headers=h)
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    ok = api.client.post("/api/certificates/verify", json=cert.json(), headers=h).json()
    assert ok["ok"] and {c["check"] for c in ok["checks"]} >= {"record_in_log", "chain_intact"}
    forged = {**cert.json(), "issued_by": "someone"}
    assert api.client.post("/api/certificates/verify", json=forged, headers=h).json()["ok"] is False
    r = api.client.post("/api/certificates/verify", json={"format": "nope"}, headers=h)
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_input"


def test_screen_refuses_a_nul_byte_like_check(api: Api) -> None:
    h = api.h("viewer")
    for route, body in (("/api/screen", {"name": "Acme\x00Corp"}),
                        ("/api/check", {"chip": H20, "destination": "CN", "end_user": "Acme\x00Corp"})):
        r = api.client.post(route, json=body, headers=h)
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_input", (route, r.text)


@pytest.mark.parametrize("body", [b'{"chip": "\xff\xfe", "destination": "CN"}', b"[" * 100_000 + b"]" * 100_000],
                         ids=["invalid-utf8", "deep-nesting"])
def test_unreadable_bodies_have_a_documented_code(api: Api, body: bytes) -> None:
    r = api.client.post("/api/check", content=body, headers={**api.h("viewer"), "Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "malformed_body", r.text
    documented = api.client.get("/openapi.json").json()["paths"]["/api/check"]["post"]["responses"]["400"]
    assert "malformed_body" in documented["description"]


def test_quantity_beyond_the_limit_is_refused_everywhere(api: Api) -> None:
    h = api.h("viewer")
    r = api.client.post("/api/check", json={"chip": H20, "destination": "CN", "quantity": 10**30}, headers=h)
    assert r.status_code == 422


def test_lists_state_their_freshness_and_changes(api: Api) -> None:
    h = api.h("viewer")
    data = api.client.get("/api/lists", headers=h).json()
    fresh = data["freshness"]
    assert fresh["list_snapshot_date"] and fresh["list_max_age_days"] == 30 and "rules_current_to" in fresh
    assert api.client.get("/api/lists/changes", headers=h).json() == {"total": 0, "limit": 50, "offset": 0,
                                                                      "changes": []}
    assert api.client.get("/api/lists/changes/1", headers=h).json()["error"]["code"] == "not_found"
    r = api.client.post("/api/check", json={"chip": H20, "destination": "CN", "as_of": "9999-12-31"}, headers=h)
    assert r.status_code == 200 and any("rules current to" in w for w in r.json()["warnings"])


def test_customer_file_through_the_api(api: Api) -> None:
    r = api.client.post("/api/parties/import", json={"content": "name,country\nHuawei Technologies,CN\nAcme,DE\n",
                                                     "source": "crm.csv"}, headers=api.h("analyst"))
    assert r.status_code == 201 and r.json()["parties"] == 2 and r.json()["hits"] >= 1
    parties = api.client.get("/api/parties", params={"search": "huawei"}, headers=api.h("viewer")).json()
    assert parties["total"] == 1 and parties["parties"][0]["source"] == "customer_file"
    queue = api.client.get("/api/review", params={"source": "customer_file"}, headers=api.h("viewer")).json()
    assert queue["total"] >= 1


def test_docs_work_offline(api: Api) -> None:
    page = api.client.get("/docs")
    assert page.status_code == 200
    assert "/static/swagger/swagger-ui-bundle.js" in page.text and "cdn" not in page.text.lower()
    js = api.client.get("/static/swagger/swagger-ui-bundle.js")
    assert js.status_code == 200 and len(js.content) > 500_000
    assert api.client.get("/static/swagger/swagger-ui.css").status_code == 200


def test_an_overflowing_spec_is_a_4xx(sqlite_api: Api) -> None:
    """A spec of 1e308 TOPS (TPP overflows to infinity) is refused with a 4xx, not answered with 500."""
    from fastapi.testclient import TestClient

    client = TestClient(sqlite_api.client.app, raise_server_exceptions=False)
    spec = {"name": "x", "datacenter": True, "dense_tops": {"fp16": 1e308}, "die_area_mm2": 800}
    r = client.post("/api/check", json={"spec": spec, "destination": "CN"}, headers=sqlite_api.h("viewer"))
    assert 400 <= r.status_code < 500, r.text
