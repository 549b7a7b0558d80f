"""Engines, sessions and migrations.

SQLite: WAL, ``busy_timeout``, foreign keys on; write transactions start with ``BEGIN IMMEDIATE`` and are also
serialised inside the process (a lock) and across processes (an exclusive ``flock`` on
``<database>-writer.lock``, e.g. two uvicorn workers), so two writers never race for SQLite's file lock and none
waits in SQLite's back-off loop (which sleeps up to 100 ms per retry). PostgreSQL: row locks (``SELECT ... FOR
UPDATE``) in the repositories; READ COMMITTED.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from chipcontrol.errors import ChipControlError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class StoreError(ChipControlError):
    code = "store"


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean psycopg 3 (the driver installed); anything else as given."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise StoreError(f"CHIPCONTROL_DATABASE_URL is not a database URL: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database or ""
        if db and db != ":memory:" and not db.startswith("file:"):
            Path(db).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=8,
                               max_overflow=16)
        _sqlite_events(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_size=10, max_overflow=60, pool_pre_ping=True)
    raise StoreError(f"unsupported database {parsed.get_backend_name()!r}: use sqlite:///FILE or postgresql://...")


class _FileLock:
    """An exclusive advisory lock on a file (``fcntl.flock``), held across a write transaction: writers in other
    processes wait in the kernel, woken the moment it is free."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd: int | None = None
        self._pid = 0

    def __enter__(self) -> None:
        import fcntl

        if self._fd is None or self._pid != os.getpid():  # a forked child opens its own
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
            self._pid = os.getpid()
        fcntl.flock(self._fd, fcntl.LOCK_EX)

    def __exit__(self, *exc: object) -> None:
        import fcntl

        assert self._fd is not None
        fcntl.flock(self._fd, fcntl.LOCK_UN)


class _Both:
    def __init__(self, first: Any, second: Any) -> None:
        self._first, self._second = first, second

    def __enter__(self) -> None:
        self._first.__enter__()
        try:
            self._second.__enter__()
        except BaseException:
            self._first.__exit__(None, None, None)
            raise

    def __exit__(self, *exc: object) -> None:
        try:
            self._second.__exit__(*exc)
        finally:
            self._first.__exit__(*exc)


def _writer_lock(url: str, dialect: str) -> contextlib.AbstractContextManager[Any]:
    if dialect != "sqlite":
        return contextlib.nullcontext()
    lock: Any = threading.Lock()
    db = make_url(url).database or ""
    if db and db != ":memory:" and not db.startswith("file:") and sys.platform != "win32":
        lock = _Both(lock, _FileLock(Path(f"{Path(db).expanduser().resolve()}-writer.lock")))
    return lock  # type: ignore[no-any-return]


class Store:
    """One database: an engine, a read session factory and a write session factory."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url)
        self.dialect = self.engine.dialect.name
        self._write_engine = self.engine.execution_options(sqlite_immediate=True)
        self._write_lock = _writer_lock(self.url, self.dialect)
        self._chain: Any = None

    def chain(self) -> Any:
        """The store's group-commit audit writer (:class:`chipcontrol.store.audit.ChainWriter`)."""
        if self._chain is None:
            from chipcontrol.store.audit import ChainWriter

            self._chain = ChainWriter(self.write_connection)
        return self._chain

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            yield s

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: committed on exit, rolled back on an exception."""
        with self._write_lock, Session(self._write_engine, expire_on_commit=False) as s, s.begin():
            yield s

    @contextlib.contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """The same write transaction on a Core connection, without an ORM session (the audit writer's hot path:
        the session's bookkeeping cost about a quarter of a one-record transaction)."""
        with self._write_lock, self._write_engine.begin() as conn:
            yield conn

    def upgrade(self) -> None:
        upgrade(self.engine)

    def dispose(self) -> None:
        if self._chain is not None:
            self._chain.close()
        self.engine.dispose()


def alembic_config(engine: Engine | None = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the Alembic migrations (idempotent)."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        rev: str | None = MigrationContext.configure(conn).get_current_revision()
        return rev


_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


def open_store(url: str, *, migrate: bool = True) -> Store:
    """The process-wide store for a URL (migrated to head on first open)."""
    key = normalise_url(url)
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            store = Store(key)
            if migrate:
                store.upgrade()
            _stores[key] = store
        return store


def close_store(url: str) -> None:
    """Dispose of the process-wide store for a URL (its writer thread and pool), if open."""
    with _stores_lock:
        store = _stores.pop(normalise_url(url), None)
    if store is not None:
        store.dispose()


def close_all() -> None:
    with _stores_lock:
        for s in _stores.values():
            s.dispose()
        _stores.clear()
