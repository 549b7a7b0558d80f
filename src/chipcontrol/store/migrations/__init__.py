"""Alembic migrations for the chipcontrol store (applied by `chipcontrol db upgrade` and on `serve`)."""
