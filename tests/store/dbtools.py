"""Test databases: a SQLite file per test, and (when CHIPCONTROL_TEST_POSTGRES_URL is set) a fresh PostgreSQL
database per test on that server. Imported by the conftest files of tests/store, tests/api and tests/web."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from chipcontrol.store import close_store

PG_ENV = "CHIPCONTROL_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgresql"]


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty database on the server in CHIPCONTROL_TEST_POSTGRES_URL; dropped afterwards."""
    import psycopg

    admin = os.environ.get(PG_ENV)
    if not admin:
        pytest.skip(f"{PG_ENV} is not set (run: eval \"$(bash scripts/ci_services.sh)\")")
    base = make_url(admin.replace("postgresql+psycopg://", "postgresql://"))
    name = f"cc_test_{uuid.uuid4().hex[:12]}"
    dsn = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = base.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        close_store(url)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def database(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'chipcontrol-test.db'}"
        try:
            yield url
        finally:
            close_store(url)
    else:
        with postgres_database() as url:
            yield url
