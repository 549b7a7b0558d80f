"""Alembic environment: runs against the engine given in ``config.attributes['engine']`` (see store.db), or the
URL in CHIPCONTROL_DATABASE_URL when run by the ``alembic`` command."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Engine

from chipcontrol.store.db import make_engine
from chipcontrol.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine: Engine | None = config.attributes.get("engine")
    if engine is None:
        engine = make_engine(os.environ.get("CHIPCONTROL_DATABASE_URL", "sqlite:///chipcontrol.db"))
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `chipcontrol db upgrade`")
run_migrations_online()
