"""List imports (admin): a good file is in force at once and kept in the database; a bad one changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from apitools import Api
from fastapi.testclient import TestClient

from chipcontrol.asgi import create_app
from chipcontrol.services.screening import set_default_store
from chipcontrol.settings import Settings

SAMPLE = Path(__file__).parents[1] / "screening" / "fixtures" / "csl_sample_2025-06.csv"


@pytest.fixture(autouse=True)
def _bundled_lists_after() -> Iterator[None]:
    yield
    set_default_store(None)  # the import changed the process-wide lists; later tests expect the bundled ones


def test_import_then_screen_then_bad_import(sqlite_api: Api) -> None:
    api = sqlite_api
    before = api.client.get("/api/lists", headers=api.h("viewer")).json()["snapshot_id"]
    r = api.client.post("/api/lists/import", json={"format": "csl-csv", "content": SAMPLE.read_text("utf-8"),
                                                   "source": "trade.gov CSL sample", "snapshot_date": "2025-06-01"},
                        headers=api.h("admin"))
    assert r.status_code == 201, r.text
    after = r.json()["snapshot_id"]
    assert after != before
    hits = api.client.post("/api/screen", json={"name": "Academy of Aerospace Solid Propulsion Technology"},
                           headers=api.h("viewer")).json()
    assert hits["snapshot_id"] == after and hits["hits"][0]["list"] == "meu"
    r = api.client.post("/api/lists/import", json={"format": "csl-csv", "content": "no,such\nheader,here\n",
                                                   "source": "broken"}, headers=api.h("admin"))
    assert r.status_code == 400 and r.json()["error"]["code"] == "screening"
    assert api.client.get("/api/lists", headers=api.h("viewer")).json()["snapshot_id"] == after
    kinds = [x["kind"] for x in api.client.get("/api/audit", headers=api.h("viewer")).json()["records"]]
    assert "lists.import" in kinds and "lists.import.failed" in kinds
    r = api.client.post("/api/lists/import", json={"format": "csl-csv", "content": "x", "source": "y"},
                        headers=api.h("analyst"))
    assert r.status_code == 403
    # a restart (fresh process-wide lists) re-installs the imported file from the database
    set_default_store(None)
    with TestClient(create_app(Settings(database_url=api.db_url))) as restarted:
        assert restarted.get("/api/lists", headers=api.h("viewer")).json()["snapshot_id"] == after
