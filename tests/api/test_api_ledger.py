"""Licences and shipments through the API: recorded, drawn down, refused with a stable code."""

from __future__ import annotations

from apitools import Api


def test_licence_and_shipments(api: Api) -> None:
    h = api.h("analyst")
    lic = {"number": "D-42", "items": ["NVIDIA H20"], "destinations": ["CN"], "quantity_limit": 10,
           "value_limit": 100000, "expires_on": "2030-12-31", "holder": "Exporter Inc"}
    r = api.client.post("/api/licences", json=lic, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["quantity_remaining"] == 10
    assert api.client.post("/api/licences", json=lic, headers=h).json()["error"]["code"] == "licence_exists"
    ship = {"licence_number": "D-42", "chip": "NVIDIA H20", "destination": "CN", "quantity": 6, "value": 60000,
            "shipped_on": "2026-03-01", "reference": "PO-1"}
    r = api.client.post("/api/shipments", json=ship, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["licence"]["quantity_remaining"] == 4
    first = r.json()
    r = api.client.post("/api/shipments", json=ship, headers=h)  # a retry: same reference, same details
    assert r.status_code == 201 and r.headers["Idempotent-Replayed"] == "true" and r.json()["id"] == first["id"]
    r = api.client.post("/api/shipments", json={**ship, "quantity": 5}, headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "shipment_reference_exists"
    r = api.client.post("/api/shipments", json={**ship, "reference": "PO-2"}, headers=h)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "licence_balance_exceeded"
    assert "4 units left" in r.json()["error"]["message"]
    r = api.client.post("/api/shipments", json={**ship, "quantity": 1, "shipped_on": "2031-01-01", "reference": "PO-3"},
                        headers=h)
    assert r.json()["error"]["code"] == "licence_expired"
    r = api.client.post("/api/shipments", json={**ship, "licence_number": "nope"}, headers=h)
    assert r.status_code == 404 and r.json()["error"]["code"] == "licence_not_found"
    viewer = api.h("viewer")
    got = api.client.get("/api/licences/D-42", headers=viewer).json()
    assert got["quantity_used"] == 6 and len(got["shipments"]) == 1
    assert [s["reference"] for s in api.client.get("/api/shipments", params={"licence": "D-42"},
                                                   headers=viewer).json()] == ["PO-1"]
    kinds = [r["kind"] for r in api.client.get("/api/audit", headers=viewer).json()["records"]]
    assert kinds[:4] == ["shipment.refused", "shipment.refused", "shipment", "licence.create"]
    actors = {r["actor"] for r in api.client.get("/api/audit", headers=viewer).json()["records"]}
    assert "analyst-user (key 2)" in actors


def test_keys_admin(api: Api) -> None:
    h = api.h("admin")
    r = api.client.post("/api/keys", json={"name": "bob", "role": "viewer"}, headers=h)
    assert r.status_code == 201
    new_key, info = r.json()["key"], r.json()["info"]
    assert api.client.get("/api/whoami", headers={"X-API-Key": new_key}).json()["name"] == "bob"
    listed = api.client.get("/api/keys", headers=h).json()
    assert all("secret" not in k and new_key not in str(k) for k in listed)
    assert api.client.delete(f"/api/keys/{info['id']}", headers=h).json()["revoked_at"]
    r = api.client.get("/api/whoami", headers={"X-API-Key": new_key})
    assert r.status_code == 401 and "revoked" in r.json()["error"]["message"]
    admin_id = api.client.get("/api/whoami", headers=h).json()["key_id"]
    assert api.client.delete(f"/api/keys/{admin_id}", headers=h).json()["error"]["code"] == "conflict"
