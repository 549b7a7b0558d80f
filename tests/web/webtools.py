"""Helpers for the web tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.testclient import TestClient


@dataclass
class Web:
    client: TestClient
    keys: dict[str, str]

    def sign_in(self, role: str) -> TestClient:
        self.client.cookies.set("chipcontrol_key", self.keys[role])
        return self.client


@dataclass
class Live:
    url: str
    keys: dict[str, str]
    db_url: str = ""
