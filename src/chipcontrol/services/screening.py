"""Screening use cases: screen one party, a batch, or the parties of a shipment.

The default screener is built lazily, once per process, over the bundled July 2026 snapshot.
Adapters (CLI, API) call these functions and render the returned dicts.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from chipcontrol.errors import ChipControlError, InvalidInput
from chipcontrol.model.shipment import PartyHit
from chipcontrol.screening import ALGORITHM, Screener, SnapshotStore
from chipcontrol.screening.semantics import BLOCKING_EFFECTS

__all__ = [
    "ALGORITHM",
    "default_store",
    "entity_list_hits",
    "party_hits",
    "screen_many",
    "screen_party",
    "screener",
    "set_default_store",
]

_lock = threading.Lock()
_store: SnapshotStore | None = None


def default_store() -> SnapshotStore:
    """The process-wide store (bundled lists unless replaced with :func:`set_default_store`)."""
    global _store
    with _lock:
        if _store is None:
            _store = SnapshotStore.bundled()
        return _store


def set_default_store(store: SnapshotStore | None) -> None:
    """Replace the process-wide store (None: back to the bundled lists on next use)."""
    global _store
    with _lock:
        _store = store


def screener() -> Screener:
    """The cached screener over the default store (index built on first use)."""
    return default_store().screener()


def screen_party(
    name: str, country: str | None = None, *, lists: list[str] | None = None, threshold: float | None = None,
) -> dict[str, Any]:
    """Screen one name. Returns the JSON contract:

    ``{"query", "country", "algorithm", "snapshot", "threshold", "hits": [{"name", "matched_name", "list",
    "score", "explanation", "country", "entry_id", "citation", "license_requirement", "meaning", ...}]}``
    with hits sorted by score, descending, all at or above the threshold. Raises InvalidInput for bad input.
    """
    result = screener().screen(name, country, lists=lists, threshold=threshold)
    return result.to_dict()


def screen_many(
    names: Iterable[tuple[str, str | None]], *, lists: list[str] | None = None, threshold: float | None = None,
) -> list[dict[str, Any]]:
    """Screen a batch of (name, country) pairs. A bad row gives an ``error`` entry; the batch goes on."""
    scr = screener()
    out: list[dict[str, Any]] = []
    for i, item in enumerate(names):
        try:
            if not isinstance(item, tuple | list) or len(item) != 2:
                raise InvalidInput(f"row {i + 1}: expected (name, country)")
            name, country = item
            out.append(scr.screen(name, country, lists=lists, threshold=threshold).to_dict())
        except ChipControlError as exc:
            query = item[0] if isinstance(item, tuple | list) and item else None
            out.append({"query": query if isinstance(query, str) else None, "row": i + 1,
                        "algorithm": ALGORITHM, "error": {"code": exc.code, "message": str(exc)}, "hits": []})
    return out


def entity_list_hits(name: str, country: str | None = None) -> list[dict[str, Any]]:
    """Hits on lists that impose a licence requirement or a prohibition (Entity List, MEU, DPL, ...).

    Each hit dict is as in :func:`screen_party` and carries ``effect`` (``license_required`` or
    ``prohibited``), ``review_policy`` and ``citation``. Informational lists (1260H, NS-CMIC) are left out.
    """
    result = screener().screen(name, country)
    return [h.to_dict() for h in result.hits if h.meaning.effect in BLOCKING_EFFECTS]


def party_hits(name: str, country: str | None = None) -> list[PartyHit]:
    """Adapter for the licence determination (``PartyScreen``): all hits as :class:`PartyHit`."""
    result = screener().screen(name, country)
    best: dict[str, PartyHit] = {}
    others: dict[str, list[str]] = {}
    for h in result.hits:  # sorted by score: the first hit on each list speaks for it, the rest are named
        if h.list_id in best:
            others[h.list_id].append(h.entry.name)
            continue
        kind = h.meaning.effect if h.meaning.effect in BLOCKING_EFFECTS else "informational"
        detail = f"matched {h.matched_name!r}; {h.meaning.license_requirement}"
        best[h.list_id] = PartyHit(party=name, list=h.list_id, listed_name=h.entry.name, score=h.score, kind=kind,
                                   detail=detail, citation=h.meaning.citation, review_policy=h.meaning.review_policy)
        others[h.list_id] = []
    return [replace(hit, also_matched=tuple(dict.fromkeys(others[lst]))) for lst, hit in best.items()]
