"""The policy lab page in the web UI: the landscape chart on a date and a pasted scenario's impact."""

from __future__ import annotations

from webtools import Web

SCENARIO = """scenario: Lower 3A090.a to TPP 4000
parameters:
  - {name: ear.part_774.eccn_3a090.a1_tpp, effective: "2025-06-01", value: 4000}
"""


def test_lab_page_draws_the_regions_of_the_day(web: Web) -> None:
    c = web.sign_in("viewer")
    r = c.post("/lab", data={"as_of": "2024-06-01"})
    assert r.status_code == 200
    assert "<svg" in r.text and "3A090.a.1" in r.text and "2024-06-01" in r.text
    assert 'id="impact"' not in r.text


def test_lab_page_shows_a_scenario_impact(web: Web) -> None:
    c = web.sign_in("viewer")
    r = c.post("/lab", data={"as_of": "2025-07-01", "destination": "CN", "scenario": SCENARIO})
    assert r.status_code == 200 and "Hypothetical scenario: <strong>Lower 3A090.a to TPP 4000</strong>" in r.text
    assert 'id="impact"' in r.text and "RTX 4090 D" in r.text  # TPP 4707 is caught at 4000
    assert r.text.count("<svg") >= 2


def test_lab_page_rejects_a_bad_scenario_in_one_line(web: Web) -> None:
    c = web.sign_in("viewer")
    bad = SCENARIO.replace("value: 4000", "value: -4")
    r = c.post("/lab", data={"as_of": "2025-07-01", "destination": "CN", "scenario": bad})
    assert r.status_code == 200 and 'id="lab-error"' in r.text and "scenario:3" in r.text


def test_lab_page_needs_a_key(web: Web) -> None:
    r = web.client.get("/lab")
    assert r.status_code in (302, 303, 401)
