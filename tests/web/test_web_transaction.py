"""The check page with the whole transaction (party rows, owner rows, an ownership CSV, answers) and the ownership
register's pages, through the real app (TestClient, signed in by cookie), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

from webtools import Web

HX = {"HX-Request": "true"}
ORDER: dict[str, Any] = {
    "chip": "NVIDIA H100 SXM5 80GB", "destination": "MY", "as_of": "2026-12-01",
    "party_role": ["end_user", "purchaser", "ultimate_consignee"],
    "party_name": ["Example Cloud Sdn Bhd", "Acme Trading Pte Ltd", "Example DC Sdn Bhd"],
    "party_country": ["MY", "SG", "MY"], "party_hq": ["", "", ""],
    "owner_name": ["Example Holdings Ltd", "Tan Family Trust"], "owner_percent": ["51", "20"],
}


def _error(html: str) -> str:
    m = re.search(r'class="error"[^>]*><strong>(.*?)</strong>', html, re.S)
    return m.group(1) if m else ""


def test_questions_come_first_and_a_reply_button_checks_again_with_the_answer(web: Web) -> None:
    c = web.sign_in("viewer")
    page = c.get("/check").text
    assert 'name="party_role"' in page and 'name="owner_name"' in page and 'name="ownership_upload"' in page
    assert "party-row-template" in page and "/static/check.js" in page
    html = c.post("/check", data=ORDER).text
    assert 'data-outcome="indeterminate"' in html
    assert html.index('id="questions"') < html.index('id="parties"') < html.index("<h3>Reasons</h3>")
    buttons = re.findall(r'name="answer" value="([^"]+)"', html)
    assert buttons == ["end_user.headquarters=CN", "end_user.headquarters=MY"]
    # the reply form carries the whole order: every party and owner row
    form = html[html.index('id="answer-form"'):html.index("</form>", html.index('id="answer-form"'))]
    for name in ("Example Cloud Sdn Bhd", "Acme Trading Pte Ltd", "Example DC Sdn Bhd", "Tan Family Trust"):
        assert f'value="{name}"' in form
    parties = html[html.index('id="parties"'):html.index("</table>", html.index('id="parties"'))]
    assert parties.count('class="party') == 3 and "Example Holdings Ltd" not in parties

    answered = c.post("/check", data={**ORDER, "answer": buttons[0]}).text
    assert 'data-outcome="license_required"' in answered and 'id="questions"' not in answered
    assert "end_user.headquarters=CN</textarea>" in answered  # the answers box keeps the reply
    other = c.post("/check", data={**ORDER, "answers": "end_user.headquarters=CN", "answer": buttons[1]}).text
    assert 'data-outcome="no_license_required"' in other  # a clicked reply replaces the one typed before
    assert "end_user.headquarters=MY</textarea>" in other


def test_owners_and_an_ownership_csv_show_listed_share_chains_and_affiliate_status(web: Web) -> None:
    c = web.sign_in("viewer")
    csv = ("owner,owned,percent,source,as_of\n"
           "\"Huawei Technologies Co., Ltd.\",Example Holdings Ltd,60,annual report,2025-12-31\n"
           "Example Holdings Ltd,Example Cloud Sdn Bhd,51,registry,2026-01-10\n")
    data = {**ORDER, "owner_name": [""], "owner_percent": [""], "end_user_hq": "MY"}
    html = c.post("/check", files={"ownership_upload": ("chains.csv", csv.encode(), "text/csv")}, data=data,
                  headers=HX).text
    assert 'data-outcome="license_required"' in html
    row = re.search(r'<tr class="party party-listed" data-role="end_user">.*?</tr>', html, re.S)
    assert row, html[:2000]
    assert "51 %" in row.group(0) and "affiliate" in row.group(0)
    assert "Huawei Technologies Co., Ltd. (60 %) -&gt; Example Holdings Ltd (51 %)" in row.group(0)
    bad = c.post("/check", data={**data, "ownership_csv": "owner,owned,percent\nA,B,60\nC,B,50\n"}, headers=HX)
    assert _error(bad.text) == "ownership CSV:3: owners of &#39;B&#39; add up to 110 %, over 100 %"
    bad = c.post("/check", data={**data, "party_name": ["", "Acme", "X"], "party_country": ["MY", "", ""]},
                 headers=HX)
    assert _error(bad.text) == "party row 1: the name is empty"
    bad = c.post("/check", data={**data, "answers": "no equals sign"}, headers=HX)
    assert _error(bad.text).startswith("answers line 1: expected QUESTION_ID=VALUE")


def test_chinese_party_names_stay_legible(web: Web) -> None:
    c = web.sign_in("viewer")
    html = c.post("/check", data={"chip": "NVIDIA H20", "destination": "CN", "party_role": ["purchaser"],
                                  "party_name": ["华为技术有限公司"], "party_country": ["CN"], "party_hq": ["CN"],
                                  "as_of": "2025-06-01"}, headers=HX).text
    assert "华为技术有限公司" in html and 'data-outcome="license_required"' in html
    row = re.search(r'<tr class="party party-listed" data-role="purchaser">.*?</tr>', html, re.S)
    assert row and "entity_list" in row.group(0)


def test_the_register_pages_add_import_change_remove_and_show_history(web: Web) -> None:
    c = web.sign_in("analyst")
    r = c.post("/ownership", data={"owner": "Example Holdings Ltd", "owned": "Example Cloud Sdn Bhd", "percent": "51",
                                   "source": "registry filing", "as_of": "2026-01-10"})
    assert r.status_code == 303 and "Entry%201%20recorded" in r.headers["location"]
    r = c.post("/ownership/import", files={"file": ("owners.csv", b"owner,owned,percent\nA,B,5\nA,C,x\n",
                                                    "text/csv")})
    assert "owners.csv%3A3%3A%20percentage" in r.headers["location"]
    page = c.get(r.headers["location"]).text
    assert "owners.csv:3: percentage &#39;x&#39; is not a number" in page
    r = c.post("/ownership/import", data={"content": "owner,owned,percent,source\n华为投资控股有限公司,A,100,年报\n"})
    assert "1%20added" in r.headers["location"]
    listing = c.get("/ownership").text
    assert "华为投资控股有限公司" in listing and "年报" in listing and "Example Holdings Ltd" in listing
    r = c.post("/ownership/1/update", data={"percent": "49.99", "source": "registry filing", "as_of": "2026-01-10",
                                            "reason": "new filing"})
    assert r.headers["location"].startswith("/ownership/3?message=")
    history = c.get("/ownership/3").text
    assert re.search(r"<tr class=\"this\"><td><a href=\"/ownership/3\">3</a></td><td class=\"num\">49.99 %", history)
    assert "superseded" in history and "new filing" in history
    r = c.post("/ownership/3/remove", data={"reason": "sold", "back": "/ownership"})
    assert "removed" in r.headers["location"]
    assert "49.99" not in c.get("/ownership").text
    assert "49.99" in c.get("/ownership", params={"status": "all", "owned": "cloud"}).text
    audit = c.get("/audit").text
    for kind in ("ownership.add", "ownership.import", "ownership.update", "ownership.remove"):
        assert kind in audit


def test_viewers_read_the_register_but_cannot_change_it(web: Web) -> None:
    c = web.sign_in("analyst")
    c.post("/ownership", data={"owner": "A", "owned": "B", "percent": "10"})
    c = web.sign_in("viewer")
    page = c.get("/ownership").text
    assert "<td>A</td>" in page and "disabled" in page and "/ownership/1/remove" not in page
    r = c.post("/ownership", data={"owner": "C", "owned": "D", "percent": "10"})
    assert "forbidden" in r.headers["location"]
    r = c.post("/ownership/1/remove", data={"reason": "x"}, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    assert c.get("/ownership", params={"status": "nonsense"}).status_code == 200  # the error is shown, not a 500
