"""Helpers for the API tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from fastapi.testclient import TestClient

from chipcontrol.asgi import create_app
from chipcontrol.services import keys
from chipcontrol.settings import Settings


@dataclass
class Api:
    client: TestClient
    keys: dict[str, str]
    db_url: str

    def h(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}


def make_api(db_url: str) -> Iterator[Api]:
    app = create_app(Settings(database_url=db_url))
    store = app.state.runtime.store
    created = {role: keys.create_key(store, name=f"{role}-user", role=role)[0] for role in keys.ROLES}
    with TestClient(app) as client:
        yield Api(client, created, db_url)
