"""Browser test in real headless Chromium (Debian's /usr/bin/chromium driven by Playwright): an order with three
parties and two owners, entered row by row; the question an unknown headquarters raises, shown first with what each
reply gives; one click on a reply, and the answer that follows. Then the ownership register page.

Set CHIPCONTROL_SCREENSHOTS=DIR to keep a screenshot of each step."""

from __future__ import annotations

from typing import Any

from webtools import Live, needs_chromium, shot

pytestmark = needs_chromium


def _sign_in(page: Any, live: Live, role: str) -> None:
    page.goto(f"{live.url}/login?next=/check")
    page.fill("input[name=key]", live.keys[role])
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{live.url}/check")


def test_three_parties_two_owners_a_question_and_its_answer(browser: Any, live: Live) -> None:
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _sign_in(page, live, "viewer")
    page.fill("input[name=chip]", "NVIDIA H100 SXM5 80GB")
    page.fill("input[name=as_of]", "2026-12-01")
    page.fill("input[name=destination]", "MY")

    # three parties, one row each: the form starts with one, the button adds the others
    parties = [("end_user", "Example Cloud Sdn Bhd", "MY"), ("purchaser", "Acme Trading Pte Ltd", "SG"),
               ("ultimate_consignee", "Example DC Sdn Bhd", "MY")]
    for i, (role, name, country) in enumerate(parties):
        if i:
            page.click("button[data-add=party]")
        row = page.locator("tbody[data-rows=party] tr").nth(i)
        row.locator("select[name=party_role]").select_option(role)
        row.locator("input[name=party_name]").fill(name)
        row.locator("input[name=party_country]").fill(country)
    # a row added by mistake and removed again
    page.click("button[data-add=party]")
    expect(page.locator("tbody[data-rows=party] tr")).to_have_count(4)
    page.locator("tbody[data-rows=party] tr").nth(3).locator("button.remove-row").click()
    expect(page.locator("tbody[data-rows=party] tr")).to_have_count(3)
    # two owners of the end user
    for i, (name, pct) in enumerate((("Example Holdings Ltd", "51"), ("陈氏家族信托", "20"))):
        if i:
            page.click("button[data-add=owner]")
        row = page.locator("tbody[data-rows=owner] tr").nth(i)
        row.locator("input[name=owner_name]").fill(name)
        row.locator("input[name=owner_percent]").fill(pct)
    shot(page, "transaction-01-order")

    page.click("#check-form button.primary")
    verdict = page.locator("#verdict")
    expect(verdict).to_contain_text("Indeterminate")
    questions = page.locator("#questions")
    expect(questions).to_contain_text("Where is the end user, or its ultimate parent, headquartered?")
    # the questions come before everything else in the answer
    assert page.evaluate("""() => {
        const q = document.querySelector('#questions'), p = document.querySelector('#parties');
        return !!(q.compareDocumentPosition(p) & Node.DOCUMENT_POSITION_FOLLOWING);
    }""")
    cn = questions.locator("tr.reply[data-reply=CN]")
    expect(cn).to_contain_text("licence required")
    expect(cn).to_contain_text("presumption of denial")
    expect(questions.locator("tr.reply[data-reply=MY]")).to_contain_text("no licence required")
    party_rows = page.locator("#parties tr.party")
    expect(party_rows).to_have_count(3)
    expect(page.locator("#parties")).to_contain_text("Acme Trading Pte Ltd")
    expect(page.locator("#parties tr[data-role=end_user]")).to_contain_text("0 %")  # owners given, none listed
    shot(page, "transaction-02-question")

    # one click on a reply: the same order is checked again with the answer
    cn.locator("button.answer").click()
    page.wait_for_load_state()
    expect(page.locator("#verdict")).to_contain_text("Licence required")
    expect(page.locator("#questions")).to_have_count(0)
    expect(page.locator("textarea[name=answers]")).to_have_value("end_user.headquarters=CN")
    expect(page.locator("#parties tr.party")).to_have_count(3)
    expect(page.locator("tbody[data-rows=owner] tr")).to_have_count(2)
    expect(page.locator("tbody[data-rows=owner] input[name=owner_name]").nth(1)).to_have_value("陈氏家族信托")
    expect(page.locator("ul.reasons")).to_contain_text("headquarter")
    shot(page, "transaction-03-answered")
    assert errors == []


def test_the_register_feeds_the_check(browser: Any, live: Live) -> None:
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _sign_in(page, live, "analyst")
    page.click("nav >> text=Ownership")
    add = page.locator("#ownership-add")
    add.locator("input[name=owner]").fill("华为技术有限公司")
    add.locator("input[name=percent]").fill("60")
    add.locator("input[name=owned]").fill("Example Holdings Ltd")
    add.locator("input[name=source]").fill("年报 2025")
    add.locator("input[name=as_of]").fill("2025-12-31")
    add.locator("button.primary").click()
    expect(page.locator(".ok")).to_contain_text("Entry 1 recorded")
    page.locator("#ownership-import textarea[name=content]").fill(
        "owner,owned,percent,source,as_of\nExample Holdings Ltd,Example Cloud Sdn Bhd,51,registry,2026-01-10\n")
    page.locator("#ownership-import button.primary").click()
    expect(page.locator(".ok")).to_contain_text("1 added")
    expect(page.locator("#ownership")).to_contain_text("华为技术有限公司")
    shot(page, "transaction-04-register")

    page.click("nav >> text=Check a shipment")
    page.fill("input[name=chip]", "NVIDIA H100 SXM5 80GB")
    page.fill("input[name=as_of]", "2026-12-01")
    page.fill("input[name=destination]", "MY")
    page.fill("input[name=end_user]", "Example Cloud Sdn Bhd")
    page.fill("input[name=end_user_hq]", "MY")
    page.click("#check-form button.primary")
    expect(page.locator("#verdict")).to_contain_text("Licence required")
    end_user = page.locator("#parties tr[data-role=end_user]")
    expect(end_user).to_contain_text("affiliate")
    expect(end_user).to_contain_text("华为技术有限公司 (60 %) -> Example Holdings Ltd (51 %)")
    expect(page.locator("#register-used")).to_contain_text("registry")
    shot(page, "transaction-05-register-check")
