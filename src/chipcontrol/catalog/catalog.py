"""The chip catalogue: curated ``chips.csv`` rows plus generated Epoch AI additions."""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from chipcontrol.catalog import provenance
from chipcontrol.catalog.entries import (
    ORIGIN_CHIPS,
    CatalogEntry,
    entry_from_chips_row,
    entry_from_epoch_row,
)
from chipcontrol.catalog.names import NameIndex, words
from chipcontrol.errors import AmbiguousChip, UnknownChip

CHIPS_FILE = "chips.csv"
EPOCH_FILE = "epoch_additions.csv"


class UnknownChipName(UnknownChip):
    """``UnknownChip`` carrying the close catalogue names offered to the user."""

    def __init__(self, query: str, suggestions: list[str]) -> None:
        hint = f"; did you mean: {'; '.join(suggestions)}" if suggestions else ""
        super().__init__(f"unknown chip {query!r}{hint}")
        self.query = query
        self.suggestions = suggestions


def _read_text(name: str) -> str:
    return resources.files("chipcontrol.catalog").joinpath("chips", name).read_text(encoding="utf-8")


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


class Catalog:
    """Immutable set of entries with a name index; use ``Catalog.load()`` for the bundled data."""

    def __init__(self, entries: Iterable[CatalogEntry]) -> None:
        self._entries = list(entries)
        self._by_key: dict[str, CatalogEntry] = {}
        for entry in self._entries:
            if entry.key in self._by_key:
                raise ValueError(f"duplicate catalogue key {entry.key!r}")
            self._by_key[entry.key] = entry
        self._index = NameIndex(
            (e.key, e.vendor, e.model, e.origin == ORIGIN_CHIPS) for e in self._entries
        )
        self._search_text = {e.key: " ".join(words(e.key)) for e in self._entries}

    @classmethod
    def load(cls) -> Catalog:
        """The bundled catalogue (cached)."""
        return default_catalog()

    @classmethod
    def from_text(cls, chips_csv: str, epoch_csv: str = "", provenance_csv: str | None = None) -> Catalog:
        """Build from CSV text (curated rows first, then Epoch additions), with the jurisdiction facts of
        ``provenance.csv`` (the bundled file unless given)."""
        entries = [entry_from_chips_row(r) for r in _rows(chips_csv)]
        if epoch_csv:
            entries += [entry_from_epoch_row(r) for r in _rows(epoch_csv)]
        rules = provenance.parse(_read_text(provenance.PROVENANCE_FILE) if provenance_csv is None else provenance_csv)
        return cls(provenance.apply(entries, rules))

    @classmethod
    def from_files(cls, chips_csv: Path, epoch_csv: Path | None = None) -> Catalog:
        """Build from CSV files."""
        epoch = epoch_csv.read_text(encoding="utf-8") if epoch_csv is not None else ""
        return cls.from_text(chips_csv.read_text(encoding="utf-8"), epoch)

    def __len__(self) -> int:
        return len(self._entries)

    def all(self) -> list[CatalogEntry]:
        """Every entry, curated rows first, in file order."""
        return list(self._entries)

    def get(self, key: str) -> CatalogEntry | None:
        """The entry with exactly this key, or ``None``."""
        return self._by_key.get(key)

    def lookup(self, query: str) -> CatalogEntry:
        """Resolve a user-supplied chip name; raises ``UnknownChip`` or ``AmbiguousChip``."""
        found = self._index.candidates(query)
        if len(found) == 1:
            return self._by_key[found[0]]
        if found:
            raise AmbiguousChip(query, found)
        raise UnknownChipName(query, self._index.suggestions(query))

    def search(self, text: str) -> list[CatalogEntry]:
        """Entries whose name contains every word of ``text`` (as substrings); all for blank text."""
        qwords = words(text)
        return [e for e in self._entries if all(w in self._search_text[e.key] for w in qwords)]


@functools.cache
def default_catalog() -> Catalog:
    """The bundled catalogue, built once per process."""
    return Catalog.from_text(_read_text(CHIPS_FILE), _read_text(EPOCH_FILE))
