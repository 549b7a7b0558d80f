"""The compliance desk in the web UI (through the real app): the review queue with two people, list imports with
their diff and new hits, exports and certificates, pagination, and the web defects of issue 13."""

from __future__ import annotations

import csv
import io
import re

from webtools import Web

HX = {"HX-Request": "true"}
HUAWEI = "Huawei Technologies Co., Ltd."
CSL_HEAD = "_id,source,name,addresses,federal_register_notice\n"
EL = "Entity List (EL) - Bureau of Industry and Security"


def test_review_queue_two_people(web: Web) -> None:
    c = web.sign_in("analyst")
    c.post("/screen", data={"name": HUAWEI}, headers=HX)
    page = c.get("/review").text
    assert "Review queue" in page and HUAWEI in page and 'name="item"' in page
    first = int(re.search(r'name="item" value="(\d+)"', page).group(1))  # type: ignore[union-attr]
    r = c.post("/review/decide", data={"item": [str(first)], "verdict": "false_positive", "reason": "other firm",
                                       "back": "/review"})
    assert r.status_code == 303 and "pending%20second" in r.headers["location"]
    r = c.post("/review/decide", data={"item": [str(first)], "verdict": "false_positive", "reason": "me again",
                                       "back": f"/review/{first}"})
    assert "four_eyes_required" in c.get(r.headers["location"]).text
    admin = web.sign_in("admin")
    admin.post("/review/decide", data={"item": [str(first)], "verdict": "false_positive", "reason": "confirmed",
                                       "back": "/review"})
    item = admin.get(f"/review/{first}").text
    assert "false positive" in item and "analyst-user" in item and "admin-user" in item and "confirmed" in item
    undecided = admin.get("/review", params={"status": "undecided", "list": "entity_list"}).text
    assert f'value="{first}"' not in undecided
    later = admin.post("/screen", data={"name": HUAWEI}, headers=HX).text
    assert "status-false_positive" in later or "false positive" in later


def test_list_import_shows_the_change_and_the_new_hit(web: Web) -> None:
    from chipcontrol.services.screening import set_default_store

    try:
        c = web.sign_in("admin")
        lists_page = c.get("/lists").text
        assert "days old" in lists_page and "Rules current to" in lists_page
        c.post("/screen", data={"name": "Zephyrine Quantum Devices"}, headers=HX)  # a party the store now knows
        before = CSL_HEAD + f'a1,"{EL}","Old Harbour Trading Co., Ltd.","1 Quay, Ningbo, China, CN",x\n'
        after = before + f'a2,"{EL}","Zephyrine Quantum Devices Co., Ltd.","5 Park, Hefei, China, CN",x\n'
        c.post("/lists/import", files={"file": ("before.csv", before.encode())}, data={"format": "csl-csv"})
        r = c.post("/lists/import", files={"file": ("after.csv", after.encode())}, data={"format": "csl-csv"})
        assert r.status_code == 303 and r.headers["location"].startswith("/lists/changes/")
        change = c.get(r.headers["location"]).text
        assert "Zephyrine Quantum Devices Co., Ltd." in change and "1 new hit" in change
        queue = c.get("/review", params={"source": "rescreen"}).text
        assert "Zephyrine Quantum Devices" in queue
        viewer = web.sign_in("viewer")
        assert "Import" in viewer.get("/lists").text  # the form is there, disabled for a viewer
        r = viewer.post("/lists/import", files={"file": ("x.csv", after.encode())}, data={"format": "csl-csv"})
        assert "forbidden" in r.text
    finally:
        set_default_store(None)


def test_audit_filter_totals_and_filtered_export(web: Web) -> None:
    c = web.sign_in("viewer")
    for name in ("Acme", "Beta"):
        c.post("/screen", data={"name": name}, headers=HX)
    c.post("/classify", data={"chip": "NVIDIA H20"}, headers=HX)
    page = c.get("/audit", params={"kind": "screen"}).text
    assert re.search(r"<strong>2</strong> record\(s\) match the filter", page)
    assert 'href="/export/audit?format=csv&amp;kind=screen"' in page
    rows = list(csv.DictReader(io.StringIO(c.get("/export/audit", params={"format": "csv", "kind": "screen"}).text)))
    assert [r["kind"] for r in rows] == ["screen", "screen"]
    empty = c.get("/audit", params={"from": "2001-01-01", "to": "2001-01-02"}).text
    assert "<strong>0</strong>" in empty
    kinds = re.findall(r"<option[^>]*>([a-z.]+)</option>", c.get("/audit").text)
    assert "lists.import" in kinds and "review.decide" in kinds and "shipment.void" in kinds


def test_licences_paginate_and_any_number_is_reachable(web: Web) -> None:
    c = web.sign_in("analyst")
    for i in range(30):
        c.post("/licences", data={"number": f"P/{i:02d}", "items": "NVIDIA H20", "destinations": "CN",
                                  "expires_on": "2030-01-01", "quantity_limit": "5"})
    page = c.get("/licences").text
    assert "1–25 of 30" in page and 'href="/licences?page=2"' in page and page.count('href="/licences/P') == 25
    assert "P/00" in c.get("/licences", params={"page": 2}).text
    lic = c.get("/licences/P/07")
    assert lic.status_code == 200 and "Licence P/07" in lic.text and "active" in lic.text
    r = c.post("/shipments", data={"licence_number": "P/07", "chip": "NVIDIA H20", "destination": "CN",
                                   "quantity": "5", "shipped_on": "2026-02-01", "idempotency_key": "form-1"})
    assert "Shipment 1 recorded" in r.text
    again = c.post("/shipments", data={"licence_number": "P/07", "chip": "NVIDIA H20", "destination": "CN",
                                       "quantity": "5", "shipped_on": "2026-02-01", "idempotency_key": "form-1"})
    assert "already recorded" in again.text  # a double submit books once
    assert "exhausted" in c.get("/licences/P/07").text
    r = c.post("/shipments/1/void", data={"reason": "wrong licence"})
    assert r.status_code == 303
    after = c.get(r.headers["location"]).text
    assert "voided" in after and "wrong licence" in after and "active" in after


def test_certificate_downloads(web: Web) -> None:
    c = web.sign_in("viewer")
    m = re.search(r'data-audit="(\d+)"', c.post("/screen", data={"name": "华为"}, headers=HX).text)
    assert m
    page = c.get(f"/audit/{m.group(1)}").text
    assert "certificate.pdf" in page and "certificate.json" in page
    pdf = c.get(f"/audit/{m.group(1)}/certificate.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert c.get(f"/audit/{m.group(1)}/certificate.json").json()["subject"]["kind"] == "screen"


def test_web_defects(web: Web) -> None:
    c = web.sign_in("viewer")
    r = c.post("/check", data={"chip": "NVIDIA H20", "destination": "CN", "quantity": "1" + "0" * 30}, headers=HX)
    assert "invalid_input" in r.text and "between 1 and" in r.text  # the web form holds the API's limit
    r = c.post("/check", data={"chip": "H100", "destination": "CN"}, headers=HX)
    assert re.search(r'<a href="/check\?chip=NVIDIA%20H100[^"]*">', r.text), "ambiguous candidates are links"
    r = c.post("/check", data={"chip": "NVIDIA H20", "destination": "CN", "end_user": HUAWEI}, headers=HX)
    row = re.search(r'<tr class="listed-party">.*?</tr>', r.text, re.S)
    assert row and "listed party" in row.group(0) and 'tag ok' not in row.group(0)
    c.post("/screen", data={"name": "Acme"}, headers=HX)
    assert "hit(s)" in c.get("/").text  # screenings are among the recent decisions
    many = c.post("/screen", data={"name": HUAWEI}, headers=HX).text
    n = int(re.search(r"<h2>(\d+) hits", many).group(1))  # type: ignore[union-attr]
    assert n > 15 and many.count("<tr><td>") == n, "every hit is shown, not the first 15"
    timeline = c.get("/chips/NVIDIA H20", params={"to": "CN"}).text
    assert "case_by_case" not in timeline and "presumption_of_denial" not in timeline
    chips = c.get("/chips", params={"q": "H100"}).text
    assert 'id="value-codes"' in chips and "checked against an official source" in chips
    assert "Noto Sans CJK SC" in c.get("/static/style.css").text
