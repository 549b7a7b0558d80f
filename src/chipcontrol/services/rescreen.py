"""When a restricted-party list changes: what changed (entries added, removed, changed) and who it now hits.

:func:`diff_entries` compares the entries of the lists a new snapshot covers with those it replaced, by entry id
and content hash. :func:`rescreen_parties` re-screens every party the store knows against the change: a small
index over the added and changed entries finds the parties that could now hit something (a lowered threshold, so
nothing is missed); only those are screened in full, and only hits on added or changed entries are new. A party's
hits on unchanged entries cannot be new, so 100,000 parties take seconds, not the hour a full re-screening would.
New hits go to the review queue (source ``rescreen``) and into the report.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sys
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from chipcontrol.errors import ChipControlError
from chipcontrol.screening import ListEntry, ListSnapshot, Screener
from chipcontrol.services import review
from chipcontrol.services.screening import screener
from chipcontrol.store import Store
from chipcontrol.store import audit as audit_store
from chipcontrol.store.models import KnownParty

PREFILTER = 0.85  # the change index screens at 85 % of the threshold: a superset of the real hits (at 90 % none
# was missed among 20,000 parties and 100 new and 100 changed Entity List entries; at 100 %, one)
REPORT_LIMIT = 1000


def entry_hash(e: ListEntry) -> str:
    return hashlib.sha256(audit_store.canonical_json(e.to_dict()).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class EntryDiff:
    lists: tuple[str, ...]
    added: tuple[ListEntry, ...]
    removed: tuple[ListEntry, ...]
    changed: tuple[tuple[ListEntry, ListEntry], ...]  # (before, after)

    @property
    def touched(self) -> tuple[ListEntry, ...]:
        """The entries a party could newly hit: added and changed (as they are now)."""
        return (*self.added, *(after for _, after in self.changed))

    def to_dict(self, limit: int = 200) -> dict[str, Any]:
        def brief(e: ListEntry) -> dict[str, Any]:
            return {"entry_id": e.entry_id, "list": e.list_id, "name": e.name, "country": e.country}

        return {"lists": list(self.lists), "added": len(self.added), "removed": len(self.removed),
                "changed": len(self.changed),
                "entries_added": [brief(e) for e in self.added[:limit]],
                "entries_removed": [brief(e) for e in self.removed[:limit]],
                "entries_changed": [{**brief(after), "fields": _changed_fields(before, after)}
                                    for before, after in self.changed[:limit]]}


def _changed_fields(a: ListEntry, b: ListEntry) -> list[str]:
    da, db = a.to_dict(), b.to_dict()
    return sorted(k for k in set(da) | set(db) if da.get(k) != db.get(k))


def diff_entries(before: Iterable[ListEntry], after: Iterable[ListEntry], lists: Sequence[str]) -> EntryDiff:
    """Compare two sets of entries of the same lists, by entry id, then content."""
    wanted = set(lists)
    old = {e.entry_id: e for e in before if e.list_id in wanted}
    new = {e.entry_id: e for e in after if e.list_id in wanted}
    added = tuple(new[k] for k in sorted(new.keys() - old.keys()))
    removed = tuple(old[k] for k in sorted(old.keys() - new.keys()))
    changed = tuple((old[k], new[k]) for k in sorted(old.keys() & new.keys())
                    if entry_hash(old[k]) != entry_hash(new[k]))
    return EntryDiff(tuple(sorted(wanted)), added, removed, changed)


def known_parties(store: Store) -> list[tuple[str, str | None]]:
    with store.read() as session:
        return [(n, c or None) for n, c in session.execute(select(KnownParty.name, KnownParty.country)
                                                           .order_by(KnownParty.id))]


def rescreen_parties(parties: Sequence[tuple[str, str | None]], diff: EntryDiff, *,
                     threshold: float | None = None, full: Screener | None = None, workers: int | None = None
                     ) -> tuple[list[review.Sighting], dict[str, Any]]:
    """Screen the parties against the change. Returns the new sightings (hits on added or changed entries) and
    the report. From ``PARALLEL_FROM`` parties on (Linux), the parties are split over one forked process per core
    (at most 4): the indexes are built first and shared copy-on-write, the children only screen."""
    t0 = time.perf_counter()
    touched = diff.touched
    scr = full or screener()
    thr = scr.threshold if threshold is None else threshold
    found: list[review.Sighting] = []
    errors = candidates = 0
    n = workers or (min(os.cpu_count() or 1, 4) if len(parties) >= PARALLEL_FROM and sys.platform == "linux" else 1)
    if touched and parties:
        delta = Screener([ListSnapshot(source="list change", source_format="delta", list_ids=diff.lists,
                                       snapshot_date=None, retrieved=None, sha256="", entries=touched)],
                         threshold=max(0.05, thr * PREFILTER))
        job = _Job(delta, scr, frozenset(e.entry_id for e in touched), thr)
        if n > 1:
            global _JOB
            _JOB = job
            try:
                with ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("fork")) as pool:
                    parts = list(pool.map(_scan_shared, [list(parties[i::n]) for i in range(n)]))
            finally:
                _JOB = None
        else:
            parts = [job.scan(parties)]
        for f, c, e in parts:
            found.extend(f)
            candidates += c
            errors += e
    report = {"parties": len(parties), "candidates": candidates, "new_hits": len(found),
              "parties_hit": len({s.party for s in found}), "errors": errors, "processes": n,
              "seconds": round(time.perf_counter() - t0, 3),
              "hits": [{"party": s.party, "country": s.country, "entry_id": s.listing.get("entry_id"),
                        "list": s.listing.get("list"), "listed_name": s.listing.get("name"),
                        "score": s.listing.get("score")} for s in found[:REPORT_LIMIT]]}
    return found, report


PARALLEL_FROM = 20_000


@dataclass(frozen=True, slots=True)
class _Job:
    delta: Screener
    full: Screener
    ids: frozenset[str]
    threshold: float

    def scan(self, parties: Sequence[tuple[str, str | None]]) -> tuple[list[review.Sighting], int, int]:
        found: list[review.Sighting] = []
        candidates = errors = 0
        for name, country in parties:
            try:
                if not self.delta.screen(name, country).hits:
                    continue
                candidates += 1
                hits = [h.to_dict() for h in self.full.screen(name, country, threshold=self.threshold).hits
                        if h.entry.entry_id in self.ids]
            except ChipControlError:
                errors += 1
                continue
            found.extend(review.sightings(name, country, hits))
        return found, candidates, errors


_JOB: _Job | None = None  # the job a forked worker inherits


def _scan_shared(parties: list[tuple[str, str | None]]) -> tuple[list[review.Sighting], int, int]:
    assert _JOB is not None
    return _JOB.scan(parties)
