"""``chipcontrol serve --workers N``: each worker accepts on its own socket of one SO_REUSEPORT group, so a burst of
keep-alive connections is spread over the workers (with one shared socket the first worker awake took them all)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pytest

from chipcontrol.cli.workers import listening_sockets
from chipcontrol.errors import ChipControlError

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc to see which process holds a socket")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_group_spreads_connections_and_refuses_a_second_server() -> None:
    port = _port()
    group = listening_sockets("127.0.0.1", port, 2)
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(32)]
    try:
        accepted = []
        for sock in group:
            sock.setblocking(False)
            n = 0
            while True:
                try:
                    conn, _ = sock.accept()
                except BlockingIOError:
                    break
                conn.close()
                n += 1
            accepted.append(n)
        assert sum(accepted) == 32 and min(accepted) > 0, accepted  # all on one socket: p = 2**-31
        with pytest.raises(ChipControlError, match=f"cannot listen on 127.0.0.1:{port}"):
            listening_sockets("127.0.0.1", port, 2)  # a second server does not join the first one's group
    finally:
        for c in clients:
            c.close()
        for sock in group:
            sock.close()


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                cmd = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"resource_tracker" not in cmd:
                out.append(int(entry.name))
    return out


def _established(port: int) -> set[str]:
    """Socket inodes of the server side of established TCP connections on a local port."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        f = line.split()
        if int(f[1].split(":")[1], 16) == port and f[3] == "01":
            inodes.add(f[9])
    return inodes


def _sockets_of(pid: int) -> set[str]:
    out = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            link = os.readlink(fd)
        except OSError:
            continue
        if link.startswith("socket:["):
            out.add(link[8:-1])
    return out


def test_two_workers_both_serve_a_burst_of_keep_alive_connections(tmp_path: Path) -> None:
    port = _port()
    env = {**os.environ, "CHIPCONTROL_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"}
    log = tempfile.TemporaryFile()  # noqa: SIM115 (kept open for the server; closed with the test process)
    server = subprocess.Popen([sys.executable, "-m", "chipcontrol", "serve", "--port", str(port), "--no-access-log",
                               "--workers", "2"], env=env, stdout=subprocess.DEVNULL, stderr=log)
    try:
        deadline = time.time() + 120
        while len(_children(server.pid)) < 2 or not _up(port):
            if server.poll() is not None or time.time() > deadline:
                log.seek(0)
                raise AssertionError(f"the server did not start: {log.read().decode(errors='replace')[-3000:]}")
            time.sleep(0.2)
        workers = _children(server.pid)
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(16)]  # all queued at once
        try:
            for c in clients:
                c.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
            for c in clients:
                assert c.recv(100).startswith(b"HTTP/1.1 200 ")
            established = _established(port)
            per_worker = [len(_sockets_of(w) & established) for w in workers]
            assert sum(per_worker) == 16 and min(per_worker) > 0, per_worker  # one worker idle: p = 2**-15
        finally:
            for c in clients:
                c.close()
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
        assert not any(Path(f"/proc/{w}").exists() for w in workers)
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()  # its workers notice their parent is gone and stop
                server.wait()


def test_workers_stop_when_their_parent_is_killed(tmp_path: Path) -> None:
    port = _port()
    env = {**os.environ, "CHIPCONTROL_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"}
    server = subprocess.Popen([sys.executable, "-m", "chipcontrol", "serve", "--port", str(port), "--no-access-log",
                               "--workers", "2"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while len(_children(server.pid)) < 2 or not _up(port):
        assert server.poll() is None and time.time() < deadline, "the server did not start"
        time.sleep(0.2)
    workers = _children(server.pid)
    server.kill()
    server.wait()
    deadline = time.time() + 30
    while any(_alive(w) for w in workers) and time.time() < deadline:
        time.sleep(0.2)
    assert not any(_alive(w) for w in workers), "a worker outlived its parent"
    assert not _up(port)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _up(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


async def _fails_at_startup(scope: dict[str, object], receive: object, send: object) -> None:
    """An ASGI app whose start-up fails (as the service's does when, say, its database cannot be opened)."""
    assert scope["type"] == "lifespan"
    await receive()  # type: ignore[operator]
    await send({"type": "lifespan.startup.failed", "message": "start-up fails in this test"})  # type: ignore[operator]


def test_a_worker_that_cannot_start_stops_the_group_with_status_3() -> None:
    """A worker whose start-up fails would fail again if restarted: the supervisor stops every worker and exits
    with uvicorn's start-up failure status (3) instead of restarting it forever."""
    import uvicorn

    from chipcontrol.cli.workers import STARTUP_FAILURE, supervise

    config = uvicorn.Config(_fails_at_startup, lifespan="on", log_level="critical")
    # a supervisor that restarted the worker forever would be stopped after 60 s (as by Ctrl-C): it then returns
    # without the failure status, and the test fails instead of hanging
    watchdog = threading.Timer(60, os.kill, (os.getpid(), signal.SIGTERM))
    watchdog.start()
    try:
        with pytest.raises(SystemExit) as stopped:
            supervise(config, listening_sockets("127.0.0.1", _port(), 2))
    finally:
        watchdog.cancel()
    assert stopped.value.code == STARTUP_FAILURE == 3
