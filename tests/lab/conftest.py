"""Fixtures for the policy lab tests.

- ``write(text, name)``: writes a scenario file into the test's tmp dir and returns its path.
- ``base``: the bundled regulations (``Ruleset.load()``, read-only).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from chipcontrol.rules.ruleset import Ruleset


@pytest.fixture()
def write(tmp_path: Path) -> Callable[..., Path]:
    def make(text: str, name: str = "scenario.yaml") -> Path:
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        return p
    return make


@pytest.fixture(scope="session")
def base() -> Ruleset:
    return Ruleset.load()
