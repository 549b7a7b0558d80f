"""Value types for restricted-party lists: one listed party, one dated list snapshot."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One listed party as published (names are never altered; matching works on copies)."""

    entry_id: str
    list_id: str
    name: str
    aliases: tuple[str, ...] = ()
    country: str | None = None  # as published ("China")
    country_code: str | None = None  # ISO 3166-1 alpha-2 where it could be determined
    address: str | None = None
    federal_register: str | None = None
    effective_date: str | None = None
    license_requirement: str | None = None  # the entry's own licence-requirement text
    license_policy: str | None = None
    notes: str | None = None
    programs: tuple[str, ...] = ()
    entity_type: str | None = None  # Entity | Individual | Vessel | ... where the source says
    source_url: str | None = None

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def version(self) -> str:
        """``entry_version``: a content hash of the entry's published fields (not of its id).

        It changes when the publisher changes anything in the entry (a new alias, address, licence
        text), so a decision recorded against (party, entry_id, entry_version) is asked again then.
        """
        d = self.to_dict()
        d.pop("entry_id", None)
        canon = json.dumps(d, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return "v1:" + hashlib.sha256(canon.encode("utf-8")).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"entry_id": self.entry_id, "list": self.list_id, "name": self.name}
        for key in ("aliases", "programs"):
            value = getattr(self, key)
            if value:
                d[key] = list(value)
        for key in ("country", "country_code", "address", "federal_register", "effective_date",
                    "license_requirement", "license_policy", "notes", "entity_type", "source_url"):
            value = getattr(self, key)
            if value:
                d[key] = value
        return d


@dataclass(frozen=True, slots=True)
class ListSnapshot:
    """A dated, hashed import of one source file (which may hold several lists, e.g. the CSL)."""

    source: str  # where the bytes came from (file name or description)
    source_format: str  # nsfreg-json | csl-csv | csl-json | ofac-sdn-csv
    list_ids: tuple[str, ...]
    snapshot_date: str | None  # the date the publisher's data refers to, where known
    retrieved: str | None  # when the file was fetched/extracted, where known
    sha256: str  # of the exact bytes imported
    entries: tuple[ListEntry, ...] = field(repr=False)

    def __len__(self) -> int:
        return len(self.entries)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for e in self.entries:
            out[e.list_id] = out.get(e.list_id, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        """Metadata (no entries): what a screening result cites as its data."""
        return {
            "source": self.source,
            "format": self.source_format,
            "lists": list(self.list_ids),
            "snapshot_date": self.snapshot_date,
            "retrieved": self.retrieved,
            "sha256": self.sha256,
            "entries": len(self.entries),
            "counts": self.counts(),
        }


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stable_entry_id(list_id: str, *parts: str | None) -> str:
    """A short id that survives re-imports of the same entry (hash of list + name + country)."""
    digest = hashlib.sha1("\x1f".join([list_id, *[(p or "") for p in parts]]).encode("utf-8")).hexdigest()
    return f"{list_id}:{digest[:12]}"
