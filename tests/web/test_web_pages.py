"""The web UI through the real app: what a person sees on each page, that decisions and writes are recorded and
attributed, and that roles hold in the browser too."""

from __future__ import annotations

import re

from webtools import Web

HX = {"HX-Request": "true"}


def test_pages_need_a_signed_in_key(web: Web) -> None:
    r = web.client.get("/check")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/check"
    r = web.client.post("/login", data={"key": "cc_000000000000_wrong", "next": "/check"})
    assert r.status_code == 200 and "not valid" in r.text
    r = web.client.post("/login", data={"key": web.keys["viewer"], "next": "/check"})
    assert r.status_code == 303 and r.headers["location"] == "/check"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert "Signed in as <strong>viewer-user</strong>" in web.client.get("/").text
    assert web.client.post("/logout").status_code == 303
    assert web.client.get("/").status_code == 303


def test_login_does_not_redirect_off_site(web: Web) -> None:
    r = web.client.post("/login", data={"key": web.keys["viewer"], "next": "//evil.example/x"})
    assert r.headers["location"] == "/"


def test_classify_catalogue_chip_and_custom_spec(web: Web) -> None:
    c = web.sign_in("viewer")
    page = c.get("/classify").text
    assert 'hx-post="/classify"' in page and "NVIDIA H20" in page  # the catalogue datalist
    r = c.post("/classify", data={"chip": "NVIDIA H100 SXM5 80GB", "as_of": "2024-06-01"}, headers=HX)
    assert "<html" not in r.text  # a fragment for htmx
    assert re.search(r"ECCN <strong>3A090\.a", r.text)
    assert "15 CFR 774" in r.text and "audit record" in r.text
    spec = "name: Example X1\ndatacenter: true\ndense_tops: {fp16: 10}\ndie_area_mm2: 800\n"
    r = c.post("/classify", data={"chip": "", "spec": spec})
    assert "<html" in r.text and "Example X1" in r.text and "Not classified under 3A090/4A090" in r.text
    r = c.post("/classify", data={"chip": "", "spec": "name: [unclosed"}, headers=HX)
    assert 'class="error"' in r.text and "invalid_spec" in r.text


def test_check_shows_verdict_reasons_citations_and_trace(web: Web) -> None:
    c = web.sign_in("viewer")
    r = c.post("/check", data={"chip": "NVIDIA H20", "destination": "CN", "end_user": "Huawei Technologies",
                               "as_of": "2025-06-01"}, headers=HX)
    assert "Licence required" in r.text
    assert "presumption of denial" in r.text
    assert "Entity List" in r.text or "entity_list" in r.text
    assert "15 CFR 744.11" in r.text
    assert "<h3>Trace</h3>" in r.text
    r = c.post("/check", data={"chip": "NVIDIA H20", "destination": "ZZ"}, headers=HX)
    assert "unknown_country" in r.text


def test_screen_escapes_and_explains(web: Web) -> None:
    c = web.sign_in("viewer")
    r = c.post("/screen", data={"name": "Huawei Technologies Co., Ltd.", "country": "CN"}, headers=HX)
    assert "entity_list" in r.text and re.search(r"<td class=\"num\">0\.\d\d|1\.00", r.text)
    r = c.post("/screen", data={"name": "<script>alert(1)</script>"}, headers=HX)
    assert "<script>alert(1)</script>" not in r.text and "&lt;script&gt;" in r.text


def test_catalogue_and_timeline_chart(web: Web) -> None:
    c = web.sign_in("viewer")
    r = c.get("/chips", params={"q": "H20"})
    assert "NVIDIA H20" in r.text and "Epoch AI" in r.text
    r = c.get("/chips/NVIDIA H20", params={"to": "CN", "exporter": "NVIDIA"})
    assert r.status_code == 200
    assert "<svg" in r.text and "Licence to CN" in r.text and "2022-10-07" in r.text
    assert r.text.count('class="band"') >= 2


def test_licences_and_shipments_by_role(web: Web) -> None:
    c = web.sign_in("viewer")
    form = {"number": "W-1", "items": "NVIDIA H20", "destinations": "CN, SG", "expires_on": "2030-01-01",
            "quantity_limit": "5"}
    r = c.post("/licences", data=form)
    assert "needs the analyst role" in r.text and "No licences recorded" in r.text
    c = web.sign_in("analyst")
    assert '<textarea name="items" rows="2" required></textarea>' in c.get("/licences").text  # an empty form
    r = c.post("/licences", data=form)
    assert "Licence W-1 recorded" in r.text
    ship = {"licence_number": "W-1", "chip": "NVIDIA H20", "destination": "SG", "quantity": "4",
            "shipped_on": "2026-02-01"}
    r = c.post("/shipments", data=ship)
    assert "Shipment 1 recorded against W-1; 1 units left." in r.text
    r = c.post("/shipments", data=ship)
    assert "Refused" in r.text and "licence_balance_exceeded" in r.text
    r = c.post("/shipments", data={**ship, "quantity": "1"}, headers={"Origin": "http://evil.example"})
    assert "cross-site request refused" in r.text
    assert "4" in c.get("/licences/W-1").text


def test_audit_log_and_verify(web: Web) -> None:
    c = web.sign_in("viewer")
    checked = c.post("/check", data={"chip": "NVIDIA H20", "destination": "DE"}, headers=HX)
    m = re.search(r'data-audit="(\d+)"', checked.text)
    assert m
    r = c.get("/audit")
    assert "viewer-user (key 1)" in r.text and "check" in r.text and "NVIDIA H20 (HGX) → DE: " in r.text
    r = c.post("/audit/verify", headers=HX)
    assert "Chain intact" in r.text
    r = c.get(f"/audit/{m.group(1)}")
    assert "Inputs" in r.text and "&#34;destination&#34;: &#34;DE&#34;" in r.text
    assert "<dt>destination</dt><dd>DE</dd>" in r.text  # readable, not only raw JSON


def test_unknown_page_is_html(web: Web) -> None:
    r = web.sign_in("viewer").get("/no/such/page")
    assert r.status_code == 404 and "<html" in r.text
