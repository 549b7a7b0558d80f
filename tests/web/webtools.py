"""Helpers for the web tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

CHROMIUM = "/usr/bin/chromium"  # Debian's chromium, driven by Playwright (no browser download)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                    reason=f"{CHROMIUM} not found (Debian: apt-get install -y chromium)")


def launch_browser() -> Iterator[Any]:
    """Headless Chromium for a module's browser tests (use as the body of a fixture)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def shot(page: Any, name: str) -> None:
    """A full-page screenshot when CHIPCONTROL_SCREENSHOTS=DIR is set."""
    folder = os.environ.get("CHIPCONTROL_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


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
