"""The ownership register's table holds its own invariants, whatever writes to it: one current entry per owner and
owned pair (a unique key set only while current), a known status, and a current entry always keyed."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from chipcontrol.store import Store
from chipcontrol.store.models import OwnershipEntry


def _row(**over: Any) -> OwnershipEntry:
    base: dict[str, Any] = {"owner": "A", "owner_key": "a", "owned": "B", "owned_key": "b", "percent": "10",
                            "source": "", "status": "current", "current_key": "k" * 64, "recorded_by": "t",
                            "recorded_at": "2026-01-01T00:00:00+00:00"}
    return OwnershipEntry(**{**base, **over})


@pytest.mark.parametrize("second", [
    {"percent": "20"},                                   # a second current entry for the pair
    {"status": "superseded"},                            # not current, but still keyed
    {"current_key": None},                               # current, but not keyed
    {"status": "deleted", "current_key": None},          # no such status
])
def test_the_table_refuses_what_would_break_the_register(store: Store, second: dict[str, Any]) -> None:
    with store.write() as s:
        s.add(_row())
    with pytest.raises(IntegrityError), store.write() as s:
        s.add(_row(**second))
        s.flush()


def test_history_rows_share_a_pair_once_they_are_no_longer_current(store: Store) -> None:
    with store.write() as s:
        s.add(_row())
        s.add(_row(status="superseded", current_key=None))
        s.add(_row(status="removed", current_key=None))
    with store.read() as s:
        assert s.query(OwnershipEntry).count() == 3
