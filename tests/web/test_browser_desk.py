"""The compliance desk in real headless Chromium (Debian's /usr/bin/chromium driven by Playwright) against the real
app served by uvicorn: two people review a hit, a changed list brings a new hit to the queue, a downloaded
certificate verifies with the CLI, the audit log exported for a date range, a paginated licence list.

Set CHIPCONTROL_SCREENSHOTS=DIR to keep a screenshot of each page (Chinese names must be legible there)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from webtools import Live, needs_chromium, shot

from chipcontrol.services import ledger
from chipcontrol.services.keys import Principal
from chipcontrol.services.screening import set_default_store
from chipcontrol.store import open_store

EL = "Entity List (EL) - Bureau of Industry and Security"

pytestmark = needs_chromium


@pytest.fixture(autouse=True)
def _bundled_lists_after() -> Iterator[None]:
    yield
    set_default_store(None)


def _page(browser: Any, live: Live, role: str) -> Any:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = ctx.new_page()
    page.goto(f"{live.url}/login")
    page.fill("input[name=key]", live.keys[role])
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{live.url}/")
    return page


def test_two_people_review_a_hit(browser: Any, live: Live) -> None:
    from playwright.sync_api import expect

    ana = _page(browser, live, "analyst")
    ana.click("nav >> text=Screen a party")
    ana.fill("input[name=name]", "华为技术有限公司")
    ana.click("button:has-text('Screen')")
    expect(ana.locator("table.hits")).to_contain_text("Huawei")
    shot(ana, "desk-01-screen-chinese")
    ana.click("nav >> text=Review queue")
    ana.select_option("select[name=status]", "undecided")
    ana.fill("input[name=list]", "entity_list")
    ana.click("#review-filter button")
    row = ana.locator("#review-items tr[data-item]").first
    expect(row).to_contain_text("华为技术有限公司")
    item = row.get_attribute("data-item")
    row.locator("input[name=item]").check()
    ana.select_option("#review-bulk select[name=verdict]", "false_positive")
    ana.fill("#review-bulk input[name=reason]", "different company: Shenzhen registration differs")
    ana.click("#review-bulk button:has-text('Decide selected')")
    expect(ana.locator(".ok")).to_contain_text("pending second")
    shot(ana, "desk-02-review-first-person")

    admin = _page(browser, live, "admin")
    admin.goto(f"{live.url}/review/{item}")
    expect(admin.locator(".warn")).to_contain_text("second person")
    admin.select_option("#decide-form select[name=verdict]", "false_positive")
    admin.fill("#decide-form input[name=reason]", "confirmed against the Entity List address")
    admin.click("#decide-form button")
    expect(admin.locator("h1")).to_contain_text("false positive")
    expect(admin.locator("#decisions")).to_contain_text("analyst-user")
    expect(admin.locator("#decisions")).to_contain_text("admin-user")
    shot(admin, "desk-03-review-second-person")


def test_a_changed_list_brings_a_new_hit_to_the_queue(browser: Any, live: Live, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page = _page(browser, live, "admin")
    page.click("nav >> text=Screen a party")
    page.fill("input[name=name]", "Zephyrine Quantum Devices")
    page.click("button:has-text('Screen')")
    expect(page.locator("#result")).to_contain_text("No match")
    head = "_id,source,name,addresses,federal_register_notice\n"
    before = head + f'a1,"{EL}","Old Harbour Trading Co., Ltd.","1 Quay, Ningbo, China, CN",x\n'
    zephyrine = "Zephyrine Quantum Devices Co., Ltd. (泽菲林量子器件有限公司)"
    after = before + f'a2,"{EL}","{zephyrine}","5 Park, Hefei, China, CN",x\n'
    for name, text in (("before.csv", before), ("after.csv", after)):
        (tmp_path / name).write_text(text, "utf-8")
        page.click("nav >> text=Lists")
        expect(page.locator("#freshness")).to_contain_text("Rules current to")
        page.set_input_files("#list-import input[name=file]", str(tmp_path / name))
        page.select_option("#list-import select[name=format]", "csl-csv")
        page.click("#list-import button")
        page.wait_for_url(f"{live.url}/lists/changes/*")
    expect(page.locator("#diff-counts")).to_contain_text("1")
    expect(page.locator("#rescreen-summary")).to_contain_text("1 new hit")
    expect(page.locator("#new-hits")).to_contain_text("Zephyrine Quantum Devices")
    shot(page, "desk-04-list-change")
    page.click("#rescreen-summary a")
    expect(page.locator("#review-items")).to_contain_text("Zephyrine Quantum Devices")
    expect(page.locator("#review-items")).to_contain_text("泽菲林量子器件有限公司")
    shot(page, "desk-05-new-hit-in-queue")


def test_a_downloaded_certificate_verifies_with_the_cli(browser: Any, live: Live, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page = _page(browser, live, "viewer")
    page.click("nav >> text=Check a shipment")
    page.fill("input[name=chip]", "NVIDIA H20")
    page.fill("input[name=destination]", "CN")
    page.fill("input[name=end_user]", "华为技术有限公司")
    page.click("button:has-text('Check')")
    expect(page.locator("#verdict")).to_be_visible()
    expect(page.locator("tr.listed-party").first).to_contain_text("listed party")
    shot(page, "desk-06-check")
    seq = page.locator("section.result").get_attribute("data-audit")
    page.goto(f"{live.url}/audit/{seq}")
    expect(page.locator("#certificate")).to_be_visible()
    shot(page, "desk-07-audit-record")
    with page.expect_download() as dl:
        page.click("#cert-pdf")
    pdf = tmp_path / "certificate.pdf"
    dl.value.save_as(str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHIPCONTROL_")}
    run = subprocess.run([sys.executable, "-m", "chipcontrol", "audit", "verify-certificate", str(pdf),
                          "--database", live.db_url], capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "VALID" in run.stdout and "chain_head_in_log" in run.stdout
    shots = os.environ.get("CHIPCONTROL_SCREENSHOTS")
    if shots:
        (Path(shots) / "desk-certificate.pdf").write_bytes(pdf.read_bytes())


def test_export_the_audit_log_filtered_by_date(browser: Any, live: Live, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page = _page(browser, live, "viewer")
    for name in ("Acme Widgets", "中芯国际"):
        page.click("nav >> text=Screen a party")
        page.fill("input[name=name]", name)
        page.click("button:has-text('Screen')")
        expect(page.locator("#result h2")).to_be_visible()
    today = dt.datetime.now(dt.UTC).date().isoformat()
    page.click("nav >> text=Audit log")
    page.select_option("select[name=kind]", ["screen"])
    page.fill("input[name=from]", today)
    page.fill("input[name=to]", today)
    page.click("#audit-filter button:has-text('Filter')")
    expect(page.locator("#audit-total")).to_contain_text("2 record(s) match the filter")
    shot(page, "desk-08-audit-filtered")
    with page.expect_download() as dl:
        page.click("#export-csv")
    path = tmp_path / "audit.csv"
    dl.value.save_as(str(path))
    rows = list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))
    assert [r["kind"] for r in rows] == ["screen", "screen"]
    assert all(r["created_at"].startswith(today) for r in rows)
    assert "中芯国际" in rows[1]["inputs"]
    page.fill("input[name=from]", "2023-01-01")
    page.fill("input[name=to]", "2023-01-31")
    page.click("#audit-filter button:has-text('Filter')")
    expect(page.locator("#audit-total")).to_contain_text("0 record(s)")
    with page.expect_download() as dl:
        page.click("#export-jsonl")
    dl.value.save_as(str(tmp_path / "none.jsonl"))
    assert (tmp_path / "none.jsonl").read_text() == ""


def test_a_paginated_licence_page(browser: Any, live: Live) -> None:
    from playwright.sync_api import expect

    store = open_store(live.db_url)
    who = Principal("loader", "analyst", None)
    for i in range(60):
        ledger.create_licence(store, ledger.LicenceInput(number=f"EL/2026/{i:03d}", items=("NVIDIA H20",),
                                                         destinations=("CN",), expires_on="2030-12-31",
                                                         quantity_limit=1000), who)
    for i in range(40):
        ledger.record_shipment(store, ledger.ShipmentInput(licence_number="EL/2026/007", chip="NVIDIA H20",
                                                           destination="CN", quantity=1, reference=f"PO-{i}",
                                                           shipped_on="2026-04-01"), who)
    page = _page(browser, live, "analyst")
    page.click("nav >> text=Licences")
    expect(page.locator("#licences")).to_contain_text("EL/2026/059")
    assert page.locator("#licences tr").count() == 26  # a header and one page of 25
    expect(page.locator("nav.pager").first).to_contain_text("1–25 of 60")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 4000, f"the licence list page is {height} px tall"
    shot(page, "desk-09-licences-page-1")
    page.locator("nav.pager").first.locator("a[rel=next]").click()
    expect(page.locator("nav.pager").first).to_contain_text("26–50 of 60")
    page.locator("nav.pager").first.locator("a:text-is('3')").click()
    expect(page.locator("nav.pager").first).to_contain_text("51–60 of 60")
    page.click("#licences a:has-text('EL/2026/007')")
    expect(page.locator("h1")).to_contain_text("Licence EL/2026/007")
    expect(page.locator("nav.pager").first).to_contain_text("1–25 of 40")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 3000, f"one licence's page is {height} px tall"
    shot(page, "desk-10-licence-with-shipments")
