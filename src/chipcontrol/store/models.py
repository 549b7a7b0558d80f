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
    UniqueConstraint,
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
                      Index("ix_shipments_licence_created", "licence_id", "id"),
                      Index("uq_shipments_licence_reference", "licence_id", "reference", unique=True))

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


# --- the compliance desk (migration 0002) ---------------------------------------------------------


class ShipmentVoid(Base):
    """The compensating record that voids a mistaken drawdown: the shipment row stays, its quantity and value go
    back to the licence balance, and the void has its own audit record."""

    __tablename__ = "shipment_voids"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[str] = mapped_column(String(40))
    audit_seq: Mapped[int | None] = mapped_column(ForeignKey("audit_records.seq"))


class IdempotencyKey(Base):
    """The first answer to a request sent with an ``Idempotency-Key`` header, replayed to every retry. ``scope``
    is the operation and the caller; ``request_sha256`` detects a key reused for a different request."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("scope", "key", name="uq_idempotency_keys_scope_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(300))
    key: Mapped[str] = mapped_column(String(200))
    request_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    response_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(40))


class KnownParty(Base):
    """A party the store knows (from checks, screenings, licences, drawdowns or an uploaded customer file): the
    set re-screened when a restricted-party list changes. One row per (normalised name, country)."""

    __tablename__ = "known_parties"
    __table_args__ = (UniqueConstraint("party_key", "country", name="uq_known_parties_party_country"),)
    __ignore_duplicates__ = True  # the group-commit writer inserts these with ON CONFLICT DO NOTHING

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_key: Mapped[str] = mapped_column(String(400))
    name: Mapped[str] = mapped_column(String(1000))
    country: Mapped[str] = mapped_column(String(2), default="")
    source: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[str] = mapped_column(String(40))
    audit_seq: Mapped[int | None] = mapped_column(BigInteger)


class ReviewItem(Base):
    """One screening hit to be decided: a (normalised party, list entry, entry version). The decision is
    remembered here and applied to later screenings of the same party until the entry changes (a new version is
    a new item). ``status``: open | pending_second (cleared once, needs a second person) | true_match |
    false_positive | escalated."""

    __tablename__ = "review_items"
    __table_args__ = (UniqueConstraint("party_key", "entry_id", "entry_version", name="uq_review_items_triple"),
                      Index("ix_review_items_status_id", "status", "id"))
    __ignore_duplicates__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_key: Mapped[str] = mapped_column(String(400))
    party: Mapped[str] = mapped_column(String(1000))
    country: Mapped[str | None] = mapped_column(String(2))
    entry_id: Mapped[str] = mapped_column(String(200))
    entry_version: Mapped[str] = mapped_column(String(64))
    list_id: Mapped[str] = mapped_column(String(40))
    listed_name: Mapped[str] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float)
    blocking: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(40))
    audit_seq: Mapped[int | None] = mapped_column(BigInteger)
    hit_json: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[str] = mapped_column(String(40))
    decided_at: Mapped[str | None] = mapped_column(String(40))


class ReviewDecision(Base):
    """One person's decision on a review item (true_match, false_positive, escalate), with the reason."""

    __tablename__ = "review_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("review_items.id"), index=True)
    verdict: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String(200))
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[str] = mapped_column(String(40))
    audit_seq: Mapped[int | None] = mapped_column(BigInteger)


class ListChange(Base):
    """A list import compared with the snapshot it replaced (entries added, removed, changed) and the
    re-screening of every known party that followed it."""

    __tablename__ = "list_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    snapshot_row: Mapped[str] = mapped_column(String(80))
    lists_json: Mapped[str] = mapped_column(Text)
    added: Mapped[int] = mapped_column(Integer)
    removed: Mapped[int] = mapped_column(Integer)
    changed: Mapped[int] = mapped_column(Integer)
    diff_json: Mapped[str] = mapped_column(Text)
    report_json: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[str] = mapped_column(String(40))
    audit_seq: Mapped[int | None] = mapped_column(BigInteger)


# --- the ownership register (migration 0003) --------------------------------------------------------


class OwnershipEntry(Base):
    """One fact in the ownership register the user maintains: ``owner`` holds ``percent`` (exact decimal text,
    0-100) of ``owned`` directly, according to ``source`` as of ``as_of``.

    A row is never changed but to end it: a new fact for the same pair is a new row that ``supersedes`` the old
    one (which becomes ``superseded``), a removal makes it ``removed``; who ended it, when and why are kept.
    ``current_key`` (SHA-256 of the folded owner and owned names) is set only while the row is current, so the
    unique constraint keeps one current fact per pair (NULLs do not collide, on SQLite and PostgreSQL alike)."""

    __tablename__ = "ownership_entries"
    __table_args__ = (CheckConstraint("status IN ('current', 'superseded', 'removed')", name="status"),
                      CheckConstraint("(status = 'current') = (current_key IS NOT NULL)", name="current_key"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(1000))
    owner_key: Mapped[str] = mapped_column(String(400), index=True)
    owned: Mapped[str] = mapped_column(String(1000))
    owned_key: Mapped[str] = mapped_column(String(400), index=True)
    percent: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(Text, default="")
    as_of: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="current")
    current_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    supersedes: Mapped[int | None] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[str] = mapped_column(String(40))
    audit_seq: Mapped[int | None] = mapped_column(BigInteger)
    ended_at: Mapped[str | None] = mapped_column(String(40))
    ended_by: Mapped[str | None] = mapped_column(String(200))
    end_reason: Mapped[str | None] = mapped_column(Text)
    superseded_by: Mapped[int | None] = mapped_column(Integer)
