"""Fixtures: ``web`` is the real app through TestClient, signed in (cookie) per role; ``live`` is the real app
served by uvicorn on 127.0.0.1 (a random port) in a background thread, for the browser tests."""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).parents[1] / "store"))
sys.path.insert(0, str(Path(__file__).parent))
import dbtools
from webtools import Live, Web, launch_browser

from chipcontrol.asgi import create_app
from chipcontrol.services import keys
from chipcontrol.settings import Settings


@pytest.fixture(params=dbtools.BACKENDS)
def web(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Web]:
    with dbtools.database(request.param, tmp_path) as url:
        app = create_app(Settings(database_url=url))
        made = {role: keys.create_key(app.state.runtime.store, name=f"{role}-user", role=role)[0]
                for role in keys.ROLES}
        with TestClient(app, follow_redirects=False) as client:
            yield Web(client, made)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium, one per test module (tests that use it are marked ``needs_chromium``)."""
    yield from launch_browser()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    db = f"sqlite:///{tmp_path / 'live.db'}"
    app = create_app(Settings(database_url=db))
    made = {role: keys.create_key(app.state.runtime.store, name=f"{role}-user", role=role)[0]
            for role in keys.ROLES}
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.time() + 60
    while not server.started:
        if time.time() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield Live(f"http://127.0.0.1:{port}", made, db)
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()
        dbtools.close_store(db)
