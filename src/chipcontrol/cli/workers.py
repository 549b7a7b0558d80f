"""``chipcontrol serve --workers N``: N uvicorn worker processes, each accepting on its own listening socket.

The sockets are bound here, all with ``SO_REUSEPORT`` on the same address, so the kernel spreads new connections
over the workers (by a hash of the connection's addresses). With one socket shared by every worker, the worker
whose event loop woke first accepted every connection waiting (asyncio and uvloop accept in a loop): a burst of
keep-alive connections all went to one worker and the other idled (measured: 16 connections, one worker served
all of them). Each socket is created with its protocol set to TCP, so the event loop sets ``TCP_NODELAY`` on the
connections it accepts (without it every answer waits for the client's delayed ACK, about 40 ms).

A worker that dies is started again on its own socket (connections the kernel queues there meanwhile wait for it);
SIGINT or SIGTERM stops them all, and a worker whose parent is gone stops by itself.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
from typing import Any

from chipcontrol.errors import ChipControlError

log = logging.getLogger("uvicorn.error")
STARTUP_FAILURE = 3  # uvicorn's exit status for a worker that could not start (app, bind): restarting won't help


def listening_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` TCP sockets listening on host:port in one ``SO_REUSEPORT`` group. Refuses (ChipControlError) when
    the address is in use, including by another server's group: the first bind is made without the option."""
    if not hasattr(socket, "SO_REUSEPORT"):
        raise ChipControlError("--workers above 1 needs SO_REUSEPORT (Linux, macOS, BSD); run one worker")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    out: list[socket.socket] = []
    try:
        with socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP) as probe:  # free, and no group there
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
        for _ in range(count):
            sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
            out.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            sock.listen(2048)
            sock.set_inheritable(True)
    except OSError as exc:
        for sock in out:
            sock.close()
        raise ChipControlError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return out


def _worker(config: Any, sock: socket.socket, parent: int) -> None:
    """A worker process: uvicorn's server on its one socket. It exits when its parent is gone (killed with
    SIGKILL, say), so no orphan keeps serving on the port."""
    import uvicorn

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)  # uvicorn's graceful shutdown

    threading.Thread(target=watch, name="chipcontrol-parent-watch", daemon=True).start()
    config.configure_logging()
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C reaches every process of the group; the parent reports it
        uvicorn.Server(config).run(sockets=[sock])


def supervise(config: Any, sockets: list[socket.socket]) -> None:
    """Run one worker per socket until SIGINT/SIGTERM; start a worker again if it dies. A worker that failed to
    start would fail the same way again: then all stop and the process exits with uvicorn's status for it (3)."""
    ctx = multiprocessing.get_context("spawn")  # the parent has threads and an open database: never fork it
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}

    def start(i: int) -> Any:
        proc = ctx.Process(target=_worker, args=(config, sockets[i], os.getpid()), name=f"chipcontrol-worker-{i + 1}")
        proc.start()
        return proc

    procs = [start(i) for i in range(len(sockets))]
    failed = False
    try:
        while not stop.wait(0.5):
            for i, proc in enumerate(procs):
                if proc.is_alive():
                    continue
                if proc.exitcode == STARTUP_FAILURE:
                    log.error("worker %s failed to start; stopping", proc.pid)
                    failed = True
                    stop.set()
                    break
                log.warning("worker %s exited (status %s); starting another", proc.pid, proc.exitcode)
                procs[i] = start(i)
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
        for proc in procs:
            proc.join(30)
            if proc.is_alive():
                proc.kill()
                proc.join()
        for sock in sockets:
            sock.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if failed:
        raise SystemExit(STARTUP_FAILURE)
