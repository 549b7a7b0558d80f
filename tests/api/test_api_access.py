"""Access control: every API route needs a key (but /api/health), and every write route refuses a key whose
role is too low, with 401/403 in the error envelope. The route table below must list every route the app has,
so a new route cannot ship without a decision about who may call it."""

from __future__ import annotations

from typing import Any

import pytest
from apitools import Api

from chipcontrol.services.keys import ROLES

LICENCE = {"number": "ACL-1", "items": ["NVIDIA H20"], "destinations": ["CN"], "quantity_limit": 5,
           "expires_on": "2030-01-01"}
SHIPMENT = {"licence_number": "ACL-1", "chip": "NVIDIA H20", "destination": "CN", "quantity": 1}

# (method, path) -> (role needed or None, a valid body or None)
ROUTES: dict[tuple[str, str], tuple[str | None, dict[str, Any] | None]] = {
    ("GET", "/api/health"): (None, None),
    ("GET", "/api/whoami"): ("viewer", None),
    ("POST", "/api/classify"): ("viewer", {"chip": "NVIDIA H20"}),
    ("POST", "/api/check"): ("viewer", {"chip": "NVIDIA H20", "destination": "CN"}),
    ("POST", "/api/screen"): ("viewer", {"name": "Acme"}),
    ("POST", "/api/timeline"): ("viewer", {"chip": "NVIDIA H20"}),
    ("GET", "/api/chips"): ("viewer", None),
    ("GET", "/api/licences"): ("viewer", None),
    ("GET", "/api/licences/{number}"): ("viewer", None),
    ("GET", "/api/shipments"): ("viewer", None),
    ("GET", "/api/audit"): ("viewer", None),
    ("GET", "/api/audit/verify"): ("viewer", None),
    ("GET", "/api/audit/{seq}"): ("viewer", None),
    ("POST", "/api/licences"): ("analyst", LICENCE),
    ("POST", "/api/shipments"): ("analyst", SHIPMENT),
    ("GET", "/api/keys"): ("admin", None),
    ("POST", "/api/keys"): ("admin", {"name": "new-user", "role": "viewer"}),
    ("DELETE", "/api/keys/{key_id}"): ("admin", None),
    ("GET", "/api/lists"): ("viewer", None),
    # a malformed file: the allowed call is refused with 400 and the process-wide lists stay as they are
    ("POST", "/api/lists/import"): ("admin", {"format": "csl-csv", "content": "not,a\nlist,file\n", "source": "t"}),
    ("GET", "/api/lists/changes"): ("viewer", None),
    ("GET", "/api/lists/changes/{change_id}"): ("viewer", None),
    ("GET", "/api/parties"): ("viewer", None),
    ("POST", "/api/parties/import"): ("analyst", {"content": "Acme Widgets Ltd\n", "source": "test"}),
    ("GET", "/api/review"): ("viewer", None),
    ("GET", "/api/review/{item_id}"): ("viewer", None),
    ("POST", "/api/review/decisions"): ("analyst", {"items": [1], "verdict": "true_match", "reason": "test"}),
    ("POST", "/api/shipments/{shipment_id}/void"): ("analyst", {"reason": "entered twice"}),
    ("GET", "/api/audit/{seq}/certificate"): ("viewer", None),
    ("POST", "/api/certificates/verify"): ("viewer", {"format": "x"}),
    ("GET", "/api/export/{dataset}"): ("viewer", None),
    ("GET", "/api/ownership"): ("viewer", None),
    ("GET", "/api/ownership/{entry_id}"): ("viewer", None),
    ("POST", "/api/ownership"): ("analyst", {"owner": "Acl Holdings", "owned": "Acl Cloud", "percent": "51"}),
    ("PATCH", "/api/ownership/{entry_id}"): ("analyst", {"percent": "40", "reason": "test"}),
    ("POST", "/api/ownership/{entry_id}/remove"): ("analyst", {"reason": "test"}),
    ("POST", "/api/ownership/import"): ("analyst", {"content": "owner,owned,percent\nA,B,5\n", "source": "t"}),
}
WRITES = [k for k in ROUTES if k[0] != "GET"]


def _path(path: str) -> str:
    return (path.replace("{number}", "ACL-1").replace("{seq}", "1").replace("{key_id}", "1")
            .replace("{change_id}", "1").replace("{item_id}", "1").replace("{shipment_id}", "1")
            .replace("{dataset}", "licences").replace("{entry_id}", "1"))


def _call(api: Api, method: str, path: str, headers: dict[str, str]) -> Any:
    body = ROUTES[(method, path)][1]
    return api.client.request(method, _path(path), json=body, headers=headers)


def test_the_table_lists_every_api_route(sqlite_api: Api) -> None:
    paths = sqlite_api.client.get("/openapi.json").json()["paths"]
    documented = {(method.upper(), path) for path, ops in paths.items() for method in ops}
    assert documented == set(ROUTES)


@pytest.mark.parametrize("method,path", list(ROUTES))
def test_no_key_or_a_bad_key_is_401(api: Api, method: str, path: str) -> None:
    role, _ = ROUTES[(method, path)]
    for headers in ({}, {"Authorization": "Bearer cc_000000000000_nope"}, {"X-API-Key": "garbage"},
                    {"Authorization": f"Bearer {api.keys['admin']}x"}):
        r = _call(api, method, path, headers)
        if role is None:
            assert r.status_code == 200
            continue
        assert r.status_code == 401, (method, path, headers, r.text)
        assert r.json()["error"]["code"] == "unauthorized"
        assert r.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("method,path", WRITES)
def test_every_write_route_refuses_too_low_a_role(api: Api, method: str, path: str) -> None:
    needed, _ = ROUTES[(method, path)]
    assert needed is not None
    before = api.client.get("/api/audit", headers=api.h("admin")).json()["total"]
    for role in ROLES[: ROLES.index(needed)]:
        r = _call(api, method, path, api.h(role))
        assert r.status_code == 403, (method, path, role, r.text)
        assert r.json()["error"]["code"] == "forbidden"
        assert needed in r.json()["error"]["message"]
    after = api.client.get("/api/audit", headers=api.h("admin")).json()["total"]
    assert after == before, "a refused write left a trace of having happened"
    if method == "POST" and path in ("/api/shipments",):
        api.client.post("/api/licences", json=LICENCE, headers=api.h("analyst"))
    for role in ROLES[ROLES.index(needed):]:
        r = _call(api, method, path, api.h(role))
        assert r.status_code not in (401, 403), (method, path, role, r.text)


def test_writes_are_attributed(api: Api) -> None:
    api.client.post("/api/licences", json=LICENCE, headers=api.h("analyst"))
    api.client.post("/api/shipments", json=SHIPMENT, headers=api.h("admin"))
    records = api.client.get("/api/audit", headers=api.h("viewer")).json()["records"]
    by_kind = {r["kind"]: r["actor"] for r in records}
    assert by_kind["licence.create"] == "analyst-user (key 2)"
    assert by_kind["shipment"] == "admin-user (key 3)"
