"""Initial schema: audit log (append-only, hash-chained), decisions, screening results, list snapshots,
users and API keys, licences and shipments.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

GENESIS = "0" * 64

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "audit_records",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("as_of", sa.String(length=10), nullable=True),
        sa.Column("view", sa.String(length=20), nullable=True),
        sa.Column("ruleset_hash", sa.String(length=64), nullable=True),
        sa.Column("snapshot_id", sa.String(length=80), nullable=True),
        sa.Column("algorithm", sa.String(length=200), nullable=True),
        sa.Column("inputs_json", sa.Text(), nullable=False),
        sa.Column("result_json", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_records")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_records_hash")),
    )
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_records_kind"), ["kind"], unique=False)

    op.create_table(
        "list_snapshots",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("snapshot_date", sa.String(length=40), nullable=True),
        sa.Column("sources_json", sa.Text(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("loaded_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_snapshots")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("revoked_at", sa.String(length=40), nullable=True),
        sa.CheckConstraint("role IN ('viewer', 'analyst', 'admin')", name=op.f("ck_api_keys_role")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_api_keys_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_keys_prefix")),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_keys_user_id"), ["user_id"], unique=False)

    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("item", sa.String(length=400), nullable=True),
        sa.Column("destination", sa.String(length=2), nullable=True),
        sa.Column("as_of", sa.String(length=10), nullable=True),
        sa.Column("outcome", sa.String(length=80), nullable=True),
        sa.Column("license_required", sa.Boolean(), nullable=True),
        sa.Column("paragraph", sa.String(length=40), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_seq"], ["audit_records.seq"], name=op.f("fk_decisions_audit_seq_audit_records")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions_audit_seq"), ["audit_seq"], unique=False)

    op.create_table(
        "licences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("holder", sa.String(length=400), nullable=True),
        sa.Column("items_json", sa.Text(), nullable=False),
        sa.Column("destinations_json", sa.Text(), nullable=False),
        sa.Column("end_users_json", sa.Text(), nullable=False),
        sa.Column("quantity_limit", sa.BigInteger(), nullable=True),
        sa.Column("value_limit", sa.Numeric(precision=20, scale=2), nullable=True),
        sa.Column("quantity_used", sa.BigInteger(), nullable=False),
        sa.Column("value_used", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "quantity_limit IS NULL OR quantity_used <= quantity_limit", name=op.f("ck_licences_quantity_within_limit")
        ),
        sa.CheckConstraint("quantity_used >= 0", name=op.f("ck_licences_quantity_used_nonneg")),
        sa.CheckConstraint(
            "value_limit IS NULL OR value_used <= value_limit", name=op.f("ck_licences_value_within_limit")
        ),
        sa.CheckConstraint("value_used >= 0", name=op.f("ck_licences_value_used_nonneg")),
        sa.ForeignKeyConstraint(["audit_seq"], ["audit_records.seq"], name=op.f("fk_licences_audit_seq_audit_records")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licences")),
        sa.UniqueConstraint("number", name=op.f("uq_licences_number")),
    )
    op.create_table(
        "screening_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("hit_count", sa.Integer(), nullable=False),
        sa.Column("top_score", sa.Float(), nullable=True),
        sa.Column("top_list", sa.String(length=40), nullable=True),
        sa.Column("algorithm", sa.String(length=80), nullable=True),
        sa.Column("snapshot_id", sa.String(length=80), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_seq"], ["audit_records.seq"], name=op.f("fk_screening_results_audit_seq_audit_records")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_results")),
    )
    with op.batch_alter_table("screening_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screening_results_audit_seq"), ["audit_seq"], unique=False)

    op.create_table(
        "shipments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("licence_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=400), nullable=False),
        sa.Column("destination", sa.String(length=2), nullable=False),
        sa.Column("end_user", sa.String(length=1000), nullable=True),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.Numeric(precision=20, scale=2), nullable=True),
        sa.Column("shipped_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_shipments_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["audit_seq"], ["audit_records.seq"], name=op.f("fk_shipments_audit_seq_audit_records")
        ),
        sa.ForeignKeyConstraint(["licence_id"], ["licences.id"], name=op.f("fk_shipments_licence_id_licences")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
    )
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.create_index("ix_shipments_licence_created", ["licence_id", "id"], unique=False)

    op.bulk_insert(
        sa.table(
            "audit_head",
            sa.column("id", sa.Integer()),
            sa.column("seq", sa.BigInteger()),
            sa.column("hash", sa.String()),
        ),
        [{"id": 1, "seq": 0, "hash": GENESIS}],
    )
    _append_only_triggers()


def _append_only_triggers() -> None:
    """The database itself refuses UPDATE and DELETE on audit_records (a tamperer must drop the trigger first;
    `chipcontrol audit verify` still catches what they do)."""
    if op.get_bind().dialect.name == "sqlite":
        for what in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_records_no_{what.lower()} BEFORE {what} ON audit_records "
                "BEGIN SELECT RAISE(ABORT, 'audit_records is append-only'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION audit_records_append_only() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'audit_records is append-only'; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records "
            "FOR EACH ROW EXECUTE FUNCTION audit_records_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_records_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_records_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_records_append_only ON audit_records")
        op.execute("DROP FUNCTION IF EXISTS audit_records_append_only()")
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_index("ix_shipments_licence_created")

    op.drop_table("shipments")
    with op.batch_alter_table("screening_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screening_results_audit_seq"))

    op.drop_table("screening_results")
    op.drop_table("licences")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_audit_seq"))

    op.drop_table("decisions")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_keys_user_id"))

    op.drop_table("api_keys")
    op.drop_table("users")
    op.drop_table("list_snapshots")
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_records_kind"))

    op.drop_table("audit_records")
    op.drop_table("audit_head")
