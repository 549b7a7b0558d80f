"""Scenario files: parsing, the overlay (never mutating the base), and one-line rejections naming the line."""

from __future__ import annotations

import copy
import datetime as dt
import re

import pytest

from chipcontrol.lab.scenario import ScenarioError, parse_scenario
from chipcontrol.rules.ruleset import Ruleset

A1 = "ear.part_774.eccn_3a090.a1_tpp"

GOOD = """\
scenario: Test scenario
description: a test
parameters:
  - name: ear.part_774.eccn_3a090.a1_tpp
    effective: "2025-06-01"
    value: 4000
    until: "2026-01-01"
  - name: ear.part_774.eccn_3a090.a1_tpp
    effective: "2026-06-01"
    value: 3500
rules:
  - id: cn-bandwidth
    effective: "2025-06-01"
    description: China needs a licence above 1,400 GB/s memory or 1,100 GB/s interconnect
    any_of:
      - {param: memory_bandwidth_gbs, gte: 1400}
      - {param: interconnect_bandwidth_gbs, gte: 1100}
    destinations: {countries: [CN, MO]}
versions:
  - id: enforce-diffusion
    effective: "2025-07-01"
    views: [enforced]
    enable: [ai_diffusion]
"""


def test_overlay_does_not_mutate_the_base(base: Ruleset) -> None:
    files_before = copy.deepcopy(base.files)
    hash_before = base.hash
    values_before = base.parameters[A1].values
    obligations_before = list(base.obligations)
    versions_before = base.versions
    ctx_before = base.context(dt.date(2025, 7, 1))
    sc = parse_scenario(GOOD, "good.yaml", base)
    rs = sc.apply(base)
    assert rs is not base and rs.hash != base.hash
    assert base.files == files_before and base.hash == hash_before
    assert base.parameters[A1].values == values_before
    assert base.obligations == obligations_before and base.versions == versions_before
    assert base.context(dt.date(2025, 7, 1)).values == ctx_before.values
    assert Ruleset.load().hash == hash_before  # the cached bundled ruleset is untouched too
    assert base.context(dt.date(2025, 7, 1)).value(A1) == 4800


def test_overlaid_values_are_dated_and_marked_hypothetical(base: Ruleset) -> None:
    rs = parse_scenario(GOOD, "good.yaml", base).apply(base)
    on = {d: rs.context(dt.date.fromisoformat(d)).value(A1) for d in
          ("2025-05-31", "2025-06-01", "2025-12-31", "2026-01-01", "2026-06-01", "2027-01-01")}
    assert on == {"2025-05-31": 4800, "2025-06-01": 4000, "2025-12-31": 4000, "2026-01-01": 4800,
                  "2026-06-01": 3500, "2027-01-01": 3500}
    read = rs.context(dt.date(2025, 6, 2)).read(A1)
    assert read is not None and read.citation.verification == "U"
    assert "HYPOTHETICAL" in read.citation.cfr and read.citation.source_id.startswith("scenario-")
    assert "HYPOTHETICAL" in rs.sources[read.citation.source_id]["title"]
    # the value restored at `until` keeps the regulations' own citation
    restored = rs.context(dt.date(2026, 2, 1)).read(A1)
    assert restored is not None and restored.citation.source_id == "ear-2023-11-17-acs-ifr"
    ob = [o for o in rs.obligations if o.id == "scenario-cn-bandwidth"]
    assert len(ob) == 1 and ob[0].exporter == "*" and ob[0].citation.verification == "U"
    assert ob[0].any_of == (("memory_bandwidth_gbs", "gte", 1400.0), ("interconnect_bandwidth_gbs", "gte", 1100.0))
    assert "ai_diffusion" not in rs.context(dt.date(2025, 6, 30)).features
    assert "ai_diffusion" in rs.context(dt.date(2025, 7, 1)).features
    assert "ai_diffusion" not in base.context(dt.date(2025, 7, 1)).features


def test_summary_lists_lines(base: Ruleset) -> None:
    s = parse_scenario(GOOD, "good.yaml", base).summary()
    assert [p["line"] for p in s["parameters"]] == [4, 8]
    assert s["rules"][0]["line"] == 12 and s["versions"][0]["line"] == 20 and s["status"] == "HYPOTHETICAL"


def _param(value: str, name: str = A1, effective: str = '"2025-06-01"') -> str:
    return f"scenario: bad\nparameters:\n  - name: {name}\n    effective: {effective}\n    value: {value}\n"


BAD = [
    # (text, line, words in the message)
    (_param("4000", name="ear.part_774.eccn_3a090.a9_tpp"), 3, "unknown parameter"),
    (_param("-5"), 5, "cannot be negative"),
    (_param('"lots"'), 5, "must be a number"),
    (_param("true"), 5, "must be a number"),
    (_param("4000", effective='"2025-02-30"'), 4, "not a calendar date"),
    (_param("4000", effective='"2021-01-01"'), 4, "before 2022-10-07"),
    (_param("[CN, China]", name="ear.part_740.supp_1.d5"), 5, "not an ISO 3166-1"),
    (_param("4000") + "  - name: " + A1 + '\n    effective: "2025-06-01"\n    value: 3000\n', 6, "duplicate date"),
    (_param("4000") + "  - name: " + A1 + '\n    effective: "2025-09-01"\n    value: 3000\n', 6, "overlaps"),
    (_param("4000") + "    until: \"2025-01-01\"\n", 6, "must be after"),
    (_param("4000") + "    colour: red\n", 6, "unknown key 'colour'"),
    ("scenario: bad\nparameters:\n  - name: x\n    value: [1, 2\n", 5, "not valid YAML"),
    ("scenario: bad\nscenario: again\nparameters: []\n", 2, "duplicate key"),
    ("scenario: bad\nrules:\n  - id: r\n    effective: \"2025-06-01\"\n    description: d\n    any_of:\n"
     "      - {param: tpp, gte: 4000}\n    destinations: {countries: [CN]}\n", 7, "unknown item parameter"),
    ("scenario: bad\nrules:\n  - id: r\n    effective: \"2025-06-01\"\n    description: d\n    any_of:\n"
     "      - {param: memory_bandwidth_gbs, gte: -1}\n    destinations: {countries: [CN]}\n", 7, "must be positive"),
    ("scenario: bad\nrules:\n  - id: r\n    effective: \"2025-06-01\"\n    description: d\n    any_of:\n"
     "      - {param: memory_bandwidth_gbs, gte: 1000}\n    destinations: {groups: [D9]}\n", 8,
     "unknown country group"),
    ("scenario: bad\nversions:\n  - id: v\n    effective: \"2025-06-01\"\n    enable: [warp_drive]\n", 5,
     "unknown feature"),
    ("scenario: nothing\n", 1, "changes nothing"),
    ("", 1, "empty"),
    ("- a list\n", 1, "must be a mapping"),
]


@pytest.mark.parametrize(("text", "line", "words"), BAD)
def test_bad_scenarios_are_rejected_naming_the_line(text: str, line: int, words: str, base: Ruleset) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "bad.yaml", base)
    msg = str(info.value)
    assert "\n" not in msg
    m = re.match(r"^bad\.yaml:(\d+): ", msg)
    assert m is not None, msg
    assert int(m.group(1)) == line, msg
    assert words in msg, msg


def test_cli_rejects_a_bad_scenario_in_one_line(cli, write) -> None:
    path = write(_param("-5"))
    r = cli("lab", "impact", str(path), "--to", "CN")
    assert r.code == 2
    assert r.err.count("\n") == 1 and "Traceback" not in r.err
    assert f"{path}:5:" in r.err and "negative" in r.err


def test_cli_missing_scenario_file(cli) -> None:
    r = cli("lab", "validate", "/nonexistent/scenario.yaml")
    assert r.code == 2 and "not found" in r.err and r.err.count("\n") == 1


@pytest.mark.parametrize("name", ["cn-bandwidth-2025-06.yaml", "tpp-4000-2025-06.yaml", "tighter-2026.yaml"])
def test_example_scenarios_validate(name: str, base: Ruleset) -> None:
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "examples" / "scenarios" / name
    sc = parse_scenario(path.read_text(encoding="utf-8"), str(path), base)
    assert sc.apply(base).hash != base.hash
