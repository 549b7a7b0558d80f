"""Browser tests in real headless Chromium (Debian's /usr/bin/chromium driven by Playwright), against the real
app served by uvicorn: sign in, classify, check, screen, and read what a person sees.

Set CHIPCONTROL_SCREENSHOTS=DIR to keep a screenshot of each page."""

from __future__ import annotations

import re
from typing import Any

from webtools import Live, needs_chromium, shot

pytestmark = needs_chromium


def _sign_in(page: Any, live: Live, role: str) -> None:
    page.goto(f"{live.url}/")
    assert page.url.endswith("/login?next=/")
    page.fill("input[name=key]", live.keys[role])
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{live.url}/")
    assert f"Signed in as {role}-user ({role})" in page.inner_text("header")


def test_classify_then_check_then_screen(browser: Any, live: Live) -> None:
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _sign_in(page, live, "viewer")
    shot(page, "01-home")

    # classify a catalogue chip
    page.click("nav >> text=Classify")
    page.fill("input[name=chip]", "NVIDIA H100 SXM5 80GB")
    page.fill("input[name=as_of]", "2024-06-01")
    page.click("button:has-text('Classify')")
    verdict = page.locator("#verdict")
    expect(verdict).to_contain_text("ECCN 3A090.a")
    assert page.url.endswith("/classify")  # htmx swapped the result in place
    assert page.locator("table.trace tr").count() >= 3  # header + steps
    expect(page.locator("table.trace")).to_contain_text("15 CFR 774")
    shot(page, "02-classify")

    # on to a shipment check of that chip, from the result's link
    page.click("text=Check a shipment of this chip")
    assert page.input_value("input[name=chip]") == "NVIDIA H100 SXM5 80GB"
    page.fill("input[name=destination]", "CN")
    page.fill("input[name=end_user]", "Huawei Technologies")
    page.click("button:has-text('Check')")
    expect(page.locator("#verdict")).to_contain_text("Licence required")
    reasons = page.locator("ul.reasons")
    expect(reasons).to_contain_text("Huawei")
    expect(reasons.locator(".cite").first).to_contain_text("15 CFR")
    links = reasons.locator(".cite a")
    assert links.count() >= 1 and links.first.get_attribute("href").startswith("https://")
    shot(page, "03-check")

    # screen the party
    page.click("nav >> text=Screen a party")
    page.fill("input[name=name]", "华为技术有限公司")
    page.click("button:has-text('Screen')")
    hits = page.locator("table.hits")
    expect(hits).to_contain_text("Huawei")
    expect(hits).to_contain_text("entity_list")
    heading = page.locator("#result h2").inner_text()
    assert re.match(r"\d+ hits? for “华为技术有限公司”", heading)
    shot(page, "04-screen")

    # every one of those decisions is in the audit log, and the chain verifies
    page.click("nav >> text=Audit log")
    table = page.locator("#audit")
    for kind in ("classify", "check", "screen"):
        expect(table).to_contain_text(kind)
    page.click("button:has-text('Verify the chain')")
    expect(page.locator("#verify")).to_contain_text("Chain intact")
    shot(page, "05-audit")
    assert errors == []


def test_timeline_chart_and_ledger(browser: Any, live: Live) -> None:
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _sign_in(page, live, "analyst")
    page.click("nav >> text=Catalogue")
    page.fill("input[name=q]", "H20")
    expect(page.locator("#chips")).to_contain_text("NVIDIA H20")
    page.click("#chips a:has-text('NVIDIA H20')")
    page.fill("input[name=to]", "CN")
    page.fill("input[name=exporter]", "NVIDIA")
    page.click("button:has-text('Show timeline')")
    chart = page.locator("#chart svg")
    expect(chart).to_be_visible()
    assert chart.locator("g.band").count() >= 2
    box = chart.bounding_box()
    assert box is not None and box["width"] > 600
    shot(page, "06-timeline")

    page.click("nav >> text=Licences")
    page.fill("#licence-form input[name=number]", "BR-1")
    page.fill("#licence-form textarea[name=items]", "NVIDIA H20")
    page.fill("#licence-form input[name=destinations]", "CN")
    page.fill("#licence-form input[name=quantity_limit]", "10")
    page.fill("#licence-form input[name=expires_on]", "2030-12-31")
    page.click("#licence-form button")
    expect(page.locator("#licence-form .ok")).to_contain_text("Licence BR-1 recorded")
    for qty, message in (("8", "2 units left"), ("3", "licence_balance_exceeded")):
        page.fill("#shipment-form input[name=licence_number]", "BR-1")
        page.fill("#shipment-form input[name=chip]", "NVIDIA H20")
        page.fill("#shipment-form input[name=destination]", "CN")
        page.fill("#shipment-form input[name=quantity]", qty)
        page.click("#shipment-form button")
        expect(page.locator("#shipment-form")).to_contain_text(message)
    expect(page.locator("#licences")).to_contain_text("2 / 10")
    shot(page, "07-licences")
