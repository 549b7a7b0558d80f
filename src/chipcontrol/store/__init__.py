"""The SQL store (SQLAlchemy 2 + Alembic): audit log, decisions, screening results, list snapshots, licences and
shipments, users and API keys. SQLite file by default, PostgreSQL through a URL.

Use :func:`open_store` (migrates on first open) and the ``read()``/``write()`` session context managers; the
services own transactions and rules, this package owns rows.
"""

from chipcontrol.store.db import Store, StoreError, close_all, close_store, normalise_url, open_store, upgrade

__all__ = ["Store", "StoreError", "close_all", "close_store", "normalise_url", "open_store", "upgrade"]
