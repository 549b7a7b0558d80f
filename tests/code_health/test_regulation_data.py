"""Lint of the regulation data and the strict loader: the data cannot drift without a failing test."""

from __future__ import annotations

import datetime as dt

import pytest

from chipcontrol.errors import RegulationDataError
from chipcontrol.rules.ear.eccn_3a090 import LOGIC
from chipcontrol.rules.loader import load_yaml
from chipcontrol.rules.ruleset import FEATURES, Ruleset


def test_strict_loader_rejects_duplicate_keys() -> None:
    with pytest.raises(RegulationDataError, match="duplicate key"):
        load_yaml("a: 1\na: 2\n", "x.yaml")


def test_strict_loader_keeps_dates_and_norway_as_text() -> None:
    data = load_yaml("d: 2023-11-17\nc: [NO, DE, ON, yes]\nb: true\n")
    assert data == {"d": "2023-11-17", "c": ["NO", "DE", "ON", "yes"], "b": True}


def test_every_value_is_cited_and_dated(ruleset: Ruleset) -> None:
    assert len(ruleset.parameters) >= 30
    for p in ruleset.parameters.values():
        assert p.description and p.unit, p.name
        dates = [v.effective for v in p.values]
        assert dates == sorted(set(dates)), p.name
        for v in p.values:
            c = v.citation
            # EAR rules cite 15 CFR; notices outside export control (the Section 232 duty) cite their own law
            assert c.cfr.startswith("15 CFR") or p.name.startswith("notices."), (p.name, c)
            assert c.fr or c.document, (p.name, c)
            assert c.verification in {"P", "PQ", "S", "U", "D"}
            assert c.source_id in ruleset.sources


def test_rule_versions_table_is_consistent(ruleset: Ruleset) -> None:
    for v in ruleset.versions:
        if v.classification:
            assert v.classification in LOGIC, v.id
        assert set(v.enable) | set(v.disable) <= FEATURES
        assert v.citation.fr or v.citation.document
    assert ruleset.versions[0].effective == dt.date(2022, 10, 7)


def _files(ruleset: Ruleset, path: str, old: str, new: str) -> dict[str, str]:
    files = dict(ruleset.files)
    assert old in files[path]
    files[path] = files[path].replace(old, new, 1)
    return files


@pytest.mark.parametrize(("path", "old", "new", "message"), [
    ("ear/part_774/eccn_3a090/a1_tpp.yaml", 'effective: "2023-11-17"', "effective: 20231117", "quoted date"),
    ("ear/part_774/eccn_3a090/a1_tpp.yaml", 'effective: "2023-11-17"', 'effective: "2023-02-30"', "calendar date"),
    ("ear/part_774/eccn_3a090/a1_tpp.yaml", "source: ear-2023-11-17-acs-ifr", "source: nowhere", "not in sources"),
    ("ear/part_774/eccn_3a090/a1_tpp.yaml", "value: 4800", "value: -4800", "negative"),
    ("ear/part_774/eccn_3a090/a1_tpp.yaml", "unit: TPP", "unit: TPP\nunits: x", "unknown keys"),
    ("rule_versions.yaml", "enable: [hq_rule", "enable: [no_such_feature", "unknown features"),
    ("ear/part_740/supp_1/d5.yaml", 'effective: "2026-02-03"', 'effective: "2024-01-01"', "must increase"),
])
def test_malformed_data_is_rejected_naming_the_file(ruleset: Ruleset, path: str, old: str, new: str,
                                                    message: str) -> None:
    with pytest.raises(RegulationDataError, match=message) as info:
        Ruleset(_files(ruleset, path, old, new))
    assert path.split("/")[-1] in str(info.value) or "rule_versions" in str(info.value)


def test_country_group_changes(ctx) -> None:
    assert not ctx("2024-03-14").in_group("NI", "D5") and ctx("2024-03-15").in_group("NI", "D5")
    assert ctx("2024-05-29").in_group("CY", "D5") and not ctx("2024-05-30").in_group("CY", "D5")
    assert ctx("2026-02-02").in_group("KH", "D5") and not ctx("2026-02-03").in_group("KH", "D5")
    assert ctx("2026-02-03").in_group("KH", "D1")
    assert ctx("2024-06-01").in_group("NO", "A5")  # Norway stays a country code


def test_ruleset_hash_changes_with_content(ruleset: Ruleset) -> None:
    other = Ruleset(_files(ruleset, "ear/part_774/eccn_3a090/a1_tpp.yaml", "value: 4800", "value: 4000"))
    assert other.hash != ruleset.hash
    assert other.context(dt.date(2024, 6, 1)).value("ear.part_774.eccn_3a090.a1_tpp") == 4000
    assert ruleset.context(dt.date(2024, 6, 1)).value("ear.part_774.eccn_3a090.a1_tpp") == 4800
