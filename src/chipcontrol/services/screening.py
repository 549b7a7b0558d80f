"""Screening use cases: screen one party, a batch, or the parties of a shipment.

The default screener is built lazily, once per process, over the bundled July 2026 snapshot. Its
index is kept in a cache file (``screening-index-<fingerprint>.marshal`` under
``$CHIPCONTROL_CACHE_DIR``, else ``$XDG_CACHE_HOME/chipcontrol``, else ``~/.cache/chipcontrol``;
``CHIPCONTROL_SCREENING_CACHE=off`` turns it off). The fingerprint covers the bundled list files,
the curated names, the lexicon, the matcher's code and the algorithm name, so any change to the
lists rebuilds it; a missing, stale or unreadable cache file only costs a rebuild.
Adapters (CLI, API) call these functions and render the returned dicts.
"""

from __future__ import annotations

import gc
import hashlib
import marshal
import os
import sys
import threading
from collections.abc import Iterable
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

from chipcontrol.errors import ChipControlError, InvalidInput
from chipcontrol.model.shipment import PartyHit
from chipcontrol.screening import ALGORITHM, Screener, SnapshotStore
from chipcontrol.screening.semantics import BLOCKING_EFFECTS, meaning_of
from chipcontrol.screening.store import BUNDLED_FILES

__all__ = [
    "ALGORITHM",
    "bundled_store",
    "cache_dir",
    "default_is_bundled",
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


_FINGERPRINTED = ("chinese.py", "text.py", "matcher.py", "lexicon.py", "zh_names.py", "model.py", "importers.py",
                  "store.py", "countries.py", "data/zh_names.csv", "data/zh_lexicon.tsv", "data/zh_pinyin.tsv",
                  "data/zh_company_words.txt")


def index_fingerprint() -> str:
    """What the bundled index depends on: list files, curated data, matcher code, algorithm."""
    h = hashlib.sha256(f"{ALGORITHM}\x1f{sys.version_info[:2]}".encode())
    pkg = resources.files("chipcontrol.screening")
    for rel in (*(f"data/{f}" for f in BUNDLED_FILES.values()), *_FINGERPRINTED):
        h.update(rel.encode() + b"\x1f" + pkg.joinpath(rel).read_bytes() + b"\x1e")
    return h.hexdigest()[:20]


def cache_dir() -> Path | None:
    """Where the index cache lives (None when turned off)."""
    if os.environ.get("CHIPCONTROL_SCREENING_CACHE", "").strip().lower() in ("0", "off", "no", "false"):
        return None
    base = os.environ.get("CHIPCONTROL_CACHE_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return Path(xdg) / "chipcontrol" if xdg else Path.home() / ".cache" / "chipcontrol"


def _load_cached(path: Path) -> Screener | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    enabled = gc.isenabled()
    gc.disable()  # millions of small objects: the cyclic collector would triple the load time
    try:
        return Screener.from_state(marshal.loads(data))
    except Exception:  # a truncated or foreign file is only a cache miss
        return None
    finally:
        if enabled:
            gc.enable()


def _write_cache(directory: Path, path: Path, scr: Screener) -> None:
    import tempfile  # only when the cache is written (its import costs ~20 ms of every cold start)

    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".screening-index-")
        with os.fdopen(fd, "wb") as f:
            f.write(marshal.dumps(scr.to_state()))
        os.replace(tmp, path)
        for old in directory.glob("screening-index-*.marshal"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only home: run without a cache


def bundled_store() -> SnapshotStore:
    """A store over the bundled lists whose screener comes from the cache when it is current."""
    directory = cache_dir()
    if directory is None:
        return SnapshotStore.bundled()
    path = directory / f"screening-index-{index_fingerprint()}.marshal"
    scr = _load_cached(path)
    if scr is not None:
        return SnapshotStore.with_screener(scr)
    store = SnapshotStore.bundled()
    _write_cache(directory, path, store.screener())
    return store


def default_store() -> SnapshotStore:
    """The process-wide store (bundled lists unless replaced with :func:`set_default_store`)."""
    global _store
    with _lock:
        if _store is None:
            _store = bundled_store()
        return _store


def default_is_bundled() -> bool:
    """Is the process-wide store the bundled lists (the store a fresh process gets), not one put in its place?"""
    with _lock:
        return not _replaced


def set_default_store(store: SnapshotStore | None) -> None:
    """Replace the process-wide store (None: back to the bundled lists on next use)."""
    global _store, _replaced
    with _lock:
        _store = store
        _replaced = store is not None


_replaced = False


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
    """Adapter for the licence determination (``PartyScreen``): one :class:`PartyHit` per list.

    A company listed on several lists is one screening hit with several listings; each listing gives
    the hit on its own list (华为技术有限公司 -> Entity List, NS-CMIC, 1260H). The best-scoring
    listing on each list speaks for it; other listed names on that list are named in ``also_matched``.
    """
    result = screener().screen(name, country)
    best: dict[str, PartyHit] = {}
    others: dict[str, list[str]] = {}
    for h in result.hits:  # sorted by score
        for e in h.listings or (h.entry,):
            if e.list_id in best:
                if e.name != best[e.list_id].listed_name:
                    others[e.list_id].append(e.name)
                continue
            m = meaning_of(e)
            kind = m.effect if m.effect in BLOCKING_EFFECTS else "informational"
            via = f" ({h.via()})" if h.via() else ""
            detail = f"matched {h.matched_name!r}{via}; {m.license_requirement}"
            best[e.list_id] = PartyHit(party=name, list=e.list_id, listed_name=e.name, score=h.score, kind=kind,
                                       detail=detail, citation=m.citation, review_policy=m.review_policy)
            others[e.list_id] = []
    return [replace(hit, also_matched=tuple(dict.fromkeys(others[lst]))) for lst, hit in best.items()]
