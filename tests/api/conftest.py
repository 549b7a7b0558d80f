"""Fixtures: ``api`` is the real app (FastAPI TestClient) on a fresh database, SQLite and (when
CHIPCONTROL_TEST_POSTGRES_URL is set) PostgreSQL, with one API key per role."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "store"))
sys.path.insert(0, str(Path(__file__).parent))
import dbtools
from apitools import Api, make_api


@pytest.fixture(params=dbtools.BACKENDS)
def api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Api]:
    with dbtools.database(request.param, tmp_path) as url:
        yield from make_api(url)


@pytest.fixture
def sqlite_api(tmp_path: Path) -> Iterator[Api]:
    with dbtools.database("sqlite", tmp_path) as url:
        yield from make_api(url)
