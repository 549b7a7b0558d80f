"""The service runtime: settings plus the open store, shared by the API, the web UI and admin commands.

``Runtime.open(settings)`` opens (and migrates) the database named by ``settings.database_url``; ``warm()`` loads
the catalogue, the rules and the screening index so the first request is as fast as the rest.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import threading
from dataclasses import dataclass, field
from typing import Any

from chipcontrol import __version__
from chipcontrol.settings import Settings
from chipcontrol.store import Store, open_store
from chipcontrol.store import audit as audit_store
from chipcontrol.store import repositories as repo
from chipcontrol.store.models import ListSnapshotRow

ENGINE_VERSION = f"chipcontrol-{__version__}"


@dataclass
class Runtime:
    settings: Settings
    store: Store
    _snap_key: Any = field(default=None, repr=False)
    _snap_id: str | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def open(cls, settings: Settings | None = None) -> Runtime:
        s = settings or Settings.from_env()
        return cls(s, open_store(s.database_url))

    def with_view(self, view: str | None) -> Settings:
        if view is None or view == self.settings.view:
            return self.settings
        return dataclasses.replace(self.settings, view=view)

    def warm(self) -> None:
        from chipcontrol.catalog import Catalog
        from chipcontrol.rules.ruleset import Ruleset
        from chipcontrol.services.lists import restore_imports
        from chipcontrol.services.screening import screener

        Catalog.load()
        Ruleset.load()
        restore_imports(self)
        screener()
        self.snapshot_id()
        # The catalogue, rules and screening index are millions of long-lived objects: move them out of the
        # garbage collector's reach so that its full collections (which walk every tracked object) do not stall
        # answers for tens of milliseconds.
        gc.collect()
        gc.freeze()

    def snapshot_id(self) -> str:
        """The id of the restricted-party list snapshots screening uses now; recorded in ``list_snapshots`` the
        first time it is seen."""
        from chipcontrol.services.screening import default_store

        snaps = default_store().snapshots
        with self._lock:
            if self._snap_key is snaps and self._snap_id is not None:
                return self._snap_id
        sources = [s.to_dict() for s in snaps]
        digest = hashlib.sha256("\n".join(sorted(s.sha256 for s in snaps)).encode()).hexdigest()
        sid = f"lists-{digest[:16]}"
        with self.store.write() as session:
            if repo.snapshot(session, sid) is None:
                dates = [s.snapshot_date for s in snaps if s.snapshot_date]
                repo.add_snapshot(session, ListSnapshotRow(
                    id=sid, snapshot_date=max(dates) if dates else None,
                    sources_json=audit_store.canonical_json(sources), entries=sum(len(s) for s in snaps),
                    content=None, loaded_by="system", created_at=audit_store.utc_now()))
        with self._lock:
            self._snap_key, self._snap_id = snaps, sid
        return sid
