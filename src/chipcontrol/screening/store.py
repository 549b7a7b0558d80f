"""Loaded snapshots: the bundled July 2026 lists and a store that never loses a good snapshot."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from importlib import resources

from chipcontrol.errors import ScreeningError
from chipcontrol.screening.importers import import_nsfreg_json
from chipcontrol.screening.matcher import DEFAULT_THRESHOLD, Screener
from chipcontrol.screening.model import ListSnapshot

BUNDLED_FILES: dict[str, str] = {
    "entity_list": "bis_entity_list.json",
    "meu": "bis_meu.json",
    "dpl": "bis_dpl.json",
    "1260h": "dow_1260h.json",
    "ns_cmic": "ofac_nscmic.json",
}
BUNDLED_SOURCE = "phagehunter/nsfreg@02787e8"


def bundled_bytes(list_id: str) -> bytes:
    try:
        fname = BUNDLED_FILES[list_id]
    except KeyError:
        raise ScreeningError(f"no bundled list {list_id!r}; bundled: {', '.join(BUNDLED_FILES)}") from None
    return resources.files("chipcontrol.screening").joinpath("data", fname).read_bytes()


@lru_cache(maxsize=1)
def bundled_snapshots() -> tuple[ListSnapshot, ...]:
    """The bundled snapshot (parsed once per process)."""
    out: list[ListSnapshot] = []
    for lid, fname in BUNDLED_FILES.items():
        out.append(import_nsfreg_json(bundled_bytes(lid), source=f"{BUNDLED_SOURCE} data/{fname}", list_id=lid))
    return tuple(out)


class SnapshotStore:
    """Holds the last good snapshot per list and the screener built over them.

    ``update`` runs an importer; if it raises, the store is unchanged and the error is re-raised
    as :class:`ScreeningError`. A snapshot replaces the lists it covers (by list id); other lists stay.
    """

    def __init__(self, snapshots: Sequence[ListSnapshot] = (), *, threshold: float = DEFAULT_THRESHOLD) -> None:
        self._lock = threading.Lock()
        self._snapshots: tuple[ListSnapshot, ...] = tuple(snapshots)
        self._threshold = threshold
        self._screener: Screener | None = None

    @classmethod
    def bundled(cls, *, threshold: float = DEFAULT_THRESHOLD) -> SnapshotStore:
        return cls(bundled_snapshots(), threshold=threshold)

    @classmethod
    def with_screener(cls, screener: Screener) -> SnapshotStore:
        """A store holding a ready screener (e.g. one loaded from an index cache) and its snapshots."""
        store = cls(screener.snapshots, threshold=screener.threshold)
        store._screener = screener
        return store

    @property
    def snapshots(self) -> tuple[ListSnapshot, ...]:
        return self._snapshots

    def update(self, importer: Callable[[], ListSnapshot]) -> ListSnapshot:
        """Run ``importer`` (e.g. ``lambda: import_csl_csv(data)``); install its snapshot on success."""
        try:
            snap = importer()
        except ScreeningError:
            raise
        except Exception as exc:  # an importer bug or unexpected input: still keep the old data
            raise ScreeningError(f"import failed: {type(exc).__name__}: {exc}") from exc
        if not isinstance(snap, ListSnapshot) or not snap.entries:
            raise ScreeningError("import produced no entries; keeping the previous snapshot")
        self.install(snap)
        return snap

    def install(self, snap: ListSnapshot) -> None:
        covered = set(snap.list_ids)
        with self._lock:
            kept = [s for s in self._snapshots if not covered.intersection(s.list_ids)]
            partial = [s for s in self._snapshots if covered.intersection(s.list_ids) and set(s.list_ids) - covered]
            if partial:
                # a multi-list snapshot (e.g. the CSL) only partly covered: keep it whole
                kept.extend(partial)
            self._snapshots = (*kept, snap)
            self._screener = None

    def screener(self) -> Screener:
        with self._lock:
            if self._screener is None:
                if not self._snapshots:
                    raise ScreeningError("no restricted-party lists are loaded")
                self._screener = Screener(self._snapshots, threshold=self._threshold)
            return self._screener
