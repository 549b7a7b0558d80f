"""Fixtures for the service tests.

Which to use when:
- ``desk_store``: a fresh database, on SQLite and (when CHIPCONTROL_TEST_POSTGRES_URL is set) on PostgreSQL.
- ``desk_rt``: a Runtime over ``desk_store`` (what the API and the web UI use), with the bundled lists restored
  afterwards (list imports change the process-wide lists).
- ``csl``: builds a Consolidated Screening List CSV from (list, name, address) rows, for list-change tests.
"""

from __future__ import annotations

import csv
import hashlib
import io
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "store"))
import dbtools

from chipcontrol.services.runtime import Runtime
from chipcontrol.services.screening import set_default_store
from chipcontrol.settings import Settings
from chipcontrol.store import Store, open_store

SOURCES = {"entity_list": "Entity List (EL) - Bureau of Industry and Security",
           "meu": "Military End User (MEU) List - Bureau of Industry and Security",
           "dpl": "Denied Persons List (DPL) - Bureau of Industry and Security"}


@pytest.fixture(params=dbtools.BACKENDS)
def desk_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with dbtools.database(request.param, tmp_path) as url:
        yield open_store(url)


@pytest.fixture
def desk_rt(desk_store: Store) -> Iterator[Runtime]:
    yield Runtime(Settings(database_url=desk_store.url), desk_store)
    set_default_store(None)


@pytest.fixture(scope="session")
def csl() -> Callable[[list[tuple[str, str, str]]], str]:
    def make(rows: list[tuple[str, str, str]]) -> str:
        out = io.StringIO()
        w = csv.writer(out)
        w.writerow(["_id", "source", "name", "addresses", "federal_register_notice", "license_requirement"])
        for list_id, name, address in rows:  # the CSL's _id names an entry across versions (here: by its name)
            w.writerow([hashlib.sha1(name.encode()).hexdigest(), SOURCES[list_id], name, address, "91 FR 1234",
                        "For all items subject to the EAR."])
        return out.getvalue()
    return make
