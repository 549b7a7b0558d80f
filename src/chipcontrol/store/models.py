"""SQLAlchemy 2 models: the audit log (append-only, hash-chained), decisions, screening results, list snapshots,
licences and their drawdowns (shipments), users and API keys (hashed).

JSON payloads are stored as canonical text (sorted keys, no spaces) so the audit hash is computed over the exact
bytes stored, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class AuditRecord(Base):
    """One entry of the append-only log. ``hash`` = sha256 over the canonical JSON of every other field
    (including ``seq`` and ``prev_hash``); see :func:`chipcontrol.store.audit.record_hash`."""

    __tablename__ = "audit_records"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    created_at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    as_of: Mapped[str | None] = mapped_column(String(10))
    view: Mapped[str | None] = mapped_column(String(20))
    ruleset_hash: Mapped[str | None] = mapped_column(String(64))
    snapshot_id: Mapped[str | None] = mapped_column(String(80))
    algorithm: Mapped[str | None] = mapped_column(String(200))
    inputs_json: Mapped[str] = mapped_column(Text)
    result_json: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """A single row (id 1): the last sequence number and hash. Locked FOR UPDATE to append, so the chain stays
    linear under concurrent writers on PostgreSQL; on SQLite the write transaction is BEGIN IMMEDIATE."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class Decision(Base):
    """A summary row per decision (classify, check, timeline), pointing at its full audit record."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    audit_seq: Mapped[int] = mapped_column(ForeignKey("audit_records.seq"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    item: Mapped[str | None] = mapped_column(String(400))
    destination: Mapped[str | None] = mapped_column(String(2))
    as_of: Mapped[str | None] = mapped_column(String(10))
    outcome: Mapped[str | None] = mapped_column(String(80))
    license_required: Mapped[bool | None] = mapped_column(Boolean)
    paragraph: Mapped[str | None] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[str] = mapped_column(String(40))


class ScreeningResultRow(Base):
    __tablename__ = "screening_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    audit_seq: Mapped[int] = mapped_column(ForeignKey("audit_records.seq"), index=True)
    query: Mapped[str] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(String(2))
    hit_count: Mapped[int] = mapped_column(Integer)
    top_score: Mapped[float | None] = mapped_column(Float)
    top_list: Mapped[str | None] = mapped_column(String(40))
    algorithm: Mapped[str | None] = mapped_column(String(80))
    snapshot_id: Mapped[str | None] = mapped_column(String(80))
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[str] = mapped_column(String(40))


class ListSnapshotRow(Base):
    """A set of restricted-party list snapshots used for screening (id = hash over the member snapshots)."""

    __tablename__ = "list_snapshots"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    snapshot_date: Mapped[str | None] = mapped_column(String(40))
    sources_json: Mapped[str] = mapped_column(Text)
    entries: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    loaded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[str] = mapped_column(String(40))


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[str] = mapped_column(String(40))


class ApiKey(Base):
    """``secret_sha256`` is the SHA-256 of the key's 32-byte random secret; the key itself is never stored."""

    __tablename__ = "api_keys"
    __table_args__ = (CheckConstraint("role IN ('viewer', 'analyst', 'admin')", name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(200))
    revoked_at: Mapped[str | None] = mapped_column(String(40))


class Licence(Base):
    """A licence and its running balance. The CHECK constraints are the last line of defence: the ledger service
    checks first, under a row lock, and refuses with a reason."""

    __tablename__ = "licences"
    __table_args__ = (
        CheckConstraint("quantity_used >= 0", name="quantity_used_nonneg"),
        CheckConstraint("quantity_limit IS NULL OR quantity_used <= quantity_limit", name="quantity_within_limit"),
        CheckConstraint("value_used >= 0", name="value_used_nonneg"),
        CheckConstraint("value_limit IS NULL OR value_used <= value_limit", name="value_within_limit"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(100), unique=True)
    holder: Mapped[str | None] = mapped_column(String(400))
    items_json: Mapped[str] = mapped_column(Text)
    destinations_json: Mapped[str] = mapped_column(Text)
    end_users_json: Mapped[str] = mapped_column(Text)
    quantity_limit: Mapped[int | None] = mapped_column(BigInteger)
    value_limit: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))
    quantity_used: Mapped[int] = mapped_column(BigInteger, default=0)
    value_used: Mapped[Decimal] = mapped_column(Numeric(20, 2), default=Decimal(0))
    issued_on: Mapped[dt.date | None] = mapped_column(Date)
    expires_on: Mapped[dt.date] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[str] = mapped_column(String(40))
    audit_seq: Mapped[int | None] = mapped_column(ForeignKey("audit_records.seq"))


class Shipment(Base):
    """One drawdown against a licence."""

    __tablename__ = "shipments"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),
                      Index("ix_shipments_licence_created", "licence_id", "id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id"))
    item: Mapped[str] = mapped_column(String(400))
    destination: Mapped[str] = mapped_column(String(2))
    end_user: Mapped[str | None] = mapped_column(String(1000))
    quantity: Mapped[int] = mapped_column(BigInteger)
    value: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))
    shipped_on: Mapped[dt.date] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(200))
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[str] = mapped_column(String(40))
    audit_seq: Mapped[int | None] = mapped_column(ForeignKey("audit_records.seq"))
