"""Decisions through the REST API: the same answers as the engine, each recorded in the audit log in full."""

from __future__ import annotations

import datetime as dt

from apitools import Api

from chipcontrol.services import assess
from chipcontrol.settings import Settings

H20 = "NVIDIA H20"


def test_health_needs_no_key(api: Api) -> None:
    r = api.client.get("/api/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok" and r.json()["database"] in ("sqlite", "postgresql")


def test_check_matches_the_engine_and_is_audited(api: Api) -> None:
    body = {"chip": H20, "destination": "CN", "exporter": "NVIDIA", "as_of": "2025-06-01"}
    r = api.client.post("/api/check", json=body, headers=api.h("viewer"))
    assert r.status_code == 200, r.text
    data = r.json()
    engine = assess.check_item(assess.resolve_item(H20, None), assess.CheckRequest(destination="CN",
                                                                                   exporter="NVIDIA"),
                               dt.date(2025, 6, 1), Settings())
    assert data["outcome"] == engine["outcome"] == "license_required"
    assert data["reasons"] == engine["reasons"]
    assert all(step["citation"] for step in data["trace"])
    rec = api.client.get(f"/api/audit/{data['audit_seq']}", headers=api.h("viewer")).json()
    assert rec["kind"] == "check" and rec["actor"] == "viewer-user (key 1)"
    assert rec["as_of"] == "2025-06-01" and rec["view"] == "enforced"
    assert rec["ruleset_hash"] == data["ruleset_hash"] and rec["algorithm"].startswith("chipcontrol-")
    assert rec["inputs"]["chip"] == H20 and rec["inputs"]["destination"] == "CN"
    assert rec["result"] == {k: v for k, v in data.items() if k != "audit_seq"}


def test_check_with_end_user_screens_and_records_the_snapshot(api: Api) -> None:
    r = api.client.post("/api/check", json={"chip": H20, "destination": "CN", "end_user": "Huawei Technologies"},
                        headers=api.h("viewer"))
    assert r.status_code == 200
    data = r.json()
    assert data["license_required"] is True
    assert any(reason["rule_id"].startswith("screening.") for reason in data["reasons"])
    rec = api.client.get(f"/api/audit/{data['audit_seq']}", headers=api.h("viewer")).json()
    assert rec["snapshot_id"].startswith("lists-") and "name-" in rec["algorithm"]


def test_classify_catalogue_chip_and_inline_spec(api: Api) -> None:
    r = api.client.post("/api/classify", json={"chip": "NVIDIA H100 SXM5 80GB", "as_of": "2024-01-01"},
                        headers=api.h("viewer"))
    assert r.status_code == 200 and r.json()["paragraph"].startswith("3A090.a")
    spec = {"name": "Example X1", "datacenter": True, "dense_tops": {"fp16": 148, "fp8": 296}, "die_area_mm2": 814}
    r = api.client.post("/api/classify", json={"spec": spec}, headers=api.h("viewer"))
    assert r.status_code == 200
    assert r.json()["item"]["source"] == "spec file" and r.json()["item"]["name"] == "Example X1"


def test_screen_and_timeline(api: Api) -> None:
    r = api.client.post("/api/screen", json={"name": "Huawei Technologies Co., Ltd."}, headers=api.h("viewer"))
    assert r.status_code == 200
    hits = r.json()["hits"]
    assert hits and hits[0]["list"] == "entity_list" and hits[0]["score"] >= 0.9
    r = api.client.post("/api/timeline", json={"chip": H20, "destination": "CN", "exporter": "NVIDIA",
                                               "until": "2026-01-01"}, headers=api.h("viewer"))
    assert r.status_code == 200
    periods = r.json()["periods"]
    assert periods[0]["from"] == "2022-10-07" and periods[-1]["to"] == "2026-01-01"
    assert any(p["license_required"] for p in periods) and any(p["license_required"] is False for p in periods)


def test_chips(api: Api) -> None:
    r = api.client.get("/api/chips", params={"search": "H100", "as_of": "2024-06-01"}, headers=api.h("viewer"))
    assert r.status_code == 200
    assert r.json()["count"] >= 3 and all("H100" in c["name"] for c in r.json()["chips"])
    rec = api.client.get(f"/api/audit/{r.json()['audit_seq']}", headers=api.h("viewer")).json()
    assert rec["kind"] == "chips" and rec["inputs"]["search"] == "H100" and rec["result"]["count"] == r.json()["count"]


def test_every_decision_is_in_the_log(api: Api) -> None:
    h = api.h("viewer")
    seqs = [api.client.post("/api/classify", json={"chip": H20}, headers=h).json()["audit_seq"],
            api.client.post("/api/check", json={"chip": H20, "destination": "DE"}, headers=h).json()["audit_seq"],
            api.client.post("/api/screen", json={"name": "Acme"}, headers=h).json()["audit_seq"],
            api.client.post("/api/timeline", json={"chip": H20}, headers=h).json()["audit_seq"]]
    log = api.client.get("/api/audit", params={"limit": 10}, headers=h).json()
    assert [r["kind"] for r in log["records"]][:4] == ["timeline", "screen", "check", "classify"]
    assert sorted(r["seq"] for r in log["records"][:4]) == sorted(seqs)
    assert api.client.get("/api/audit/verify", headers=h).json()["ok"] is True


def test_error_envelope_and_codes(api: Api) -> None:
    h = api.h("viewer")
    cases = [
        ({"chip": "Imaginary 9000", "destination": "CN"}, 404, "unknown_chip"),
        ({"chip": "H100", "destination": "CN"}, 409, "ambiguous_chip"),
        ({"chip": H20, "destination": "XX"}, 400, "unknown_country"),
        ({"chip": H20, "destination": "CN", "as_of": "2020-01-01"}, 400, "invalid_date"),
        ({"chip": H20, "destination": "CN", "as_of": "2025-02-30"}, 400, "invalid_date"),
        ({"chip": H20, "destination": "CN", "as_of": "tomorrow"}, 422, "invalid_request"),
        ({"spec": {"name": "x", "dense_tops": {"fp99": 1}}, "destination": "CN"}, 400, "invalid_spec"),
        ({"chip": H20, "spec": {"name": "x"}, "destination": "CN"}, 400, "invalid_input"),
        ({"chip": H20}, 422, "invalid_request"),
        ({"chip": H20, "destination": "CN", "surprise": 1}, 422, "invalid_request"),
    ]
    for body, status, code in cases:
        r = api.client.post("/api/check", json=body, headers=h)
        assert r.status_code == status, (body, r.text)
        assert set(r.json()) == {"error"} and r.json()["error"]["code"] == code, (body, r.text)
        assert r.json()["error"]["message"]
    assert api.client.post("/api/check", json={"chip": "H100", "destination": "CN"},
                           headers=h).json()["error"]["candidates"]
    r = api.client.get("/api/nowhere", headers=h)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = api.client.put("/api/check", headers=h)
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"
    r = api.client.get("/api/audit/999999", headers=h)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
