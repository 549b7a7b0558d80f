"""Fixtures: ``db_url`` runs a test on SQLite (a file) and on PostgreSQL (skipped unless
CHIPCONTROL_TEST_POSTGRES_URL is set; scripts/ci_services.sh starts one); ``store`` is that database, migrated."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import dbtools

from chipcontrol.store import Store, open_store


@pytest.fixture(params=dbtools.BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with dbtools.database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def store(db_url: str) -> Store:
    return open_store(db_url)
