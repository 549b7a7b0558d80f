"""A user's own exporter-specific obligation (is-informed letter) applies to that exporter only, from its date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from chipcontrol.errors import ChipControlError
from chipcontrol.rules.ruleset import Ruleset
from chipcontrol.services import assess
from chipcontrol.settings import Settings

LETTER = """\
id: acme-2026-03-01
kind: is_informed_letter
exporter: {name: Acme Chips, aliases: ["Acme Chips Inc."]}
effective: "2026-03-01"
citation: {document: "BIS letter to Acme Chips of 2026-03-01", cfr: "15 CFR 744.23(b)", verification: P}
description: Licence required for the L20 to China and D:5.
items: {models: ["L20"]}
destinations: {groups: [D5], countries: [CN, MO]}
review_policy: presumption_of_denial
"""


@pytest.fixture
def letter(tmp_path: Path) -> str:
    f = tmp_path / "acme.yaml"
    f.write_text(LETTER)
    return str(f)


def _check(rs: Ruleset, exporter: str | None, day: str) -> dict:
    item = assess.resolve_item("NVIDIA L20", None)
    return assess.check_item(item, assess.CheckRequest(destination="CN", exporter=exporter),
                             dt.date.fromisoformat(day), Settings(), ruleset=rs)


def test_user_letter_binds_its_exporter_from_its_date(letter: str) -> None:
    rs = assess.load_ruleset([letter])
    assert not _check(rs, "Acme Chips Inc.", "2026-02-28")["license_required"]
    d = _check(rs, "Acme Chips Inc.", "2026-03-01")
    assert d["license_required"] and d["review_policy"] == "presumption_of_denial"
    assert "BIS letter to Acme Chips" in d["reasons"][0]["citation"]
    assert not _check(rs, "Other Co", "2026-04-01")["license_required"]
    assert not _check(Ruleset.load(), "Acme Chips Inc.", "2026-04-01")["license_required"]  # base unchanged


def test_malformed_user_letter_is_rejected(tmp_path: Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(LETTER.replace('cfr: "15 CFR 744.23(b)", ', ""))
    with pytest.raises(ChipControlError, match="inline citation"):
        assess.load_ruleset([str(f)])
