"""Alembic migrations: they build exactly the models' schema, run twice harmlessly, and downgrade cleanly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from chipcontrol.store import Store
from chipcontrol.store.db import current_revision, downgrade, upgrade
from chipcontrol.store.models import Base


def test_upgrade_builds_the_models_schema(store: Store) -> None:
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], f"models and migrations differ: {diff}"
    assert current_revision(store.engine) == "0003"
    tables = set(inspect(store.engine).get_table_names())
    assert {"audit_records", "audit_head", "decisions", "screening_results", "list_snapshots", "users", "api_keys",
            "licences", "shipments", "review_items", "review_decisions", "known_parties", "list_changes",
            "idempotency_keys", "shipment_voids", "ownership_entries"} <= tables


def test_upgrade_is_idempotent_and_seeds_the_chain_head(store: Store) -> None:
    upgrade(store.engine)
    upgrade(store.engine)
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, seq, hash FROM audit_head")).all()
    assert rows == [(1, 0, "0" * 64)]


def test_downgrade_to_base_and_back(store: Store) -> None:
    downgrade(store.engine, "base")
    assert "audit_records" not in inspect(store.engine).get_table_names()
    upgrade(store.engine)
    assert "audit_records" in inspect(store.engine).get_table_names()


def test_the_ownership_register_migration_goes_down_to_0002_and_back(store: Store) -> None:
    downgrade(store.engine, "0002")
    assert current_revision(store.engine) == "0002"
    assert "ownership_entries" not in inspect(store.engine).get_table_names()
    assert "review_items" in inspect(store.engine).get_table_names()
    upgrade(store.engine)
    assert current_revision(store.engine) == "0003"
    assert "ownership_entries" in inspect(store.engine).get_table_names()
