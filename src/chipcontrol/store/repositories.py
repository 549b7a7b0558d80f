"""Data access for keys, licences, shipments, list snapshots and decision summaries. No business rules here:
the services decide; these read and write rows inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chipcontrol.store.models import (
    ApiKey,
    Decision,
    Licence,
    ListSnapshotRow,
    ScreeningResultRow,
    Shipment,
    ShipmentVoid,
    User,
)

# --- users and keys ------------------------------------------------------------------------------


def get_or_create_user(session: Session, name: str, created_at: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        user = User(name=name, created_at=created_at)
        session.add(user)
        session.flush()
    return user


def add_key(session: Session, *, user: User, prefix: str, secret_sha256: str, role: str, created_at: str,
            created_by: str) -> ApiKey:
    key = ApiKey(user_id=user.id, prefix=prefix, secret_sha256=secret_sha256, role=role, created_at=created_at,
                 created_by=created_by)
    session.add(key)
    session.flush()
    return key


def key_by_prefix(session: Session, prefix: str) -> tuple[ApiKey, User] | None:
    row = session.execute(select(ApiKey, User).join(User, User.id == ApiKey.user_id)
                          .where(ApiKey.prefix == prefix)).first()
    return None if row is None else (row[0], row[1])


def key_by_id(session: Session, key_id: int, *, for_update: bool = False) -> tuple[ApiKey, User] | None:
    q = select(ApiKey, User).join(User, User.id == ApiKey.user_id).where(ApiKey.id == key_id)
    if for_update:
        q = q.with_for_update(of=ApiKey)
    row = session.execute(q).first()
    return None if row is None else (row[0], row[1])


def list_keys(session: Session) -> list[tuple[ApiKey, User]]:
    rows = session.execute(select(ApiKey, User).join(User, User.id == ApiKey.user_id).order_by(ApiKey.id))
    return [(k, u) for k, u in rows]


def count_active_keys(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(ApiKey).where(ApiKey.revoked_at.is_(None))) or 0)


# --- licences and shipments ----------------------------------------------------------------------


def add_licence(session: Session, licence: Licence) -> Licence:
    session.add(licence)
    session.flush()
    return licence


def licence_by_number(session: Session, number: str, *, for_update: bool = False) -> Licence | None:
    q = select(Licence).where(Licence.number == number)
    if for_update:
        q = q.with_for_update()
    return session.scalar(q)


def list_licences(session: Session, *, limit: int = 200, offset: int = 0) -> Sequence[Licence]:
    return session.scalars(select(Licence).order_by(Licence.id.desc()).limit(limit).offset(offset)).all()


def count_licences(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Licence)) or 0)


def count_shipments(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Shipment)) or 0)


def voids_of(session: Session, shipment_ids: Sequence[int]) -> dict[int, ShipmentVoid]:
    if not shipment_ids:
        return {}
    return {v.shipment_id: v for v in session.scalars(select(ShipmentVoid)
                                                      .where(ShipmentVoid.shipment_id.in_(list(shipment_ids))))}


def add_shipment(session: Session, shipment: Shipment) -> Shipment:
    session.add(shipment)
    session.flush()
    return shipment


def list_shipments(session: Session, *, licence_id: int | None = None, limit: int = 200,
                   offset: int = 0) -> Sequence[tuple[Shipment, Licence]]:
    q = select(Shipment, Licence).join(Licence, Licence.id == Shipment.licence_id)
    if licence_id is not None:
        q = q.where(Shipment.licence_id == licence_id)
    rows = session.execute(q.order_by(Shipment.id.desc()).limit(limit).offset(offset))
    return [(s, lic) for s, lic in rows]


def shipment_totals(session: Session, licence_id: int) -> tuple[int, int]:
    """(number of shipments, total quantity) recorded against a licence."""
    n, q = session.execute(select(func.count(Shipment.id), func.coalesce(func.sum(Shipment.quantity), 0))
                           .where(Shipment.licence_id == licence_id)).one()
    return int(n), int(q)


# --- list snapshots, decisions, screening results ------------------------------------------------


def snapshot(session: Session, snapshot_id: str) -> ListSnapshotRow | None:
    return session.get(ListSnapshotRow, snapshot_id)


def add_snapshot(session: Session, row: ListSnapshotRow) -> ListSnapshotRow:
    session.add(row)
    session.flush()
    return row


def list_snapshots(session: Session) -> Sequence[ListSnapshotRow]:
    return session.scalars(select(ListSnapshotRow).order_by(ListSnapshotRow.created_at.desc())).all()


def add_decision(session: Session, row: Decision) -> Decision:
    session.add(row)
    return row


def add_screening(session: Session, row: ScreeningResultRow) -> ScreeningResultRow:
    session.add(row)
    return row


def recent_decisions(session: Session, limit: int = 50) -> Sequence[Decision]:
    return session.scalars(select(Decision).order_by(Decision.id.desc()).limit(limit)).all()


def recent_screenings(session: Session, limit: int = 50) -> Sequence[ScreeningResultRow]:
    return session.scalars(select(ScreeningResultRow).order_by(ScreeningResultRow.id.desc()).limit(limit)).all()
