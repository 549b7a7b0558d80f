"""Shared fixtures for the screening tests: the real bundled lists, no mocks, no network."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

try:
    import chipcontrol  # noqa: F401
except ImportError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from chipcontrol.screening import Screener, SnapshotStore

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def screener() -> Screener:
    return SnapshotStore.bundled().screener()


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES
