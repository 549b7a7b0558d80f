"""A structured citation: where a rule value or a fact comes from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Citation:
    """A pointer into the primary (or, where marked, secondary) record.

    ``verification`` uses the digest's tags: P (primary text read), PQ (primary wording quoted by a
    secondary source), S (secondary only), U (unverified), D (derived arithmetic).
    """

    source_id: str = ""
    title: str = ""
    cfr: str = ""
    fr: str = ""
    fr_doc: str = ""
    published: str = ""
    effective: str = ""
    url: str = ""
    document: str = ""
    note: str = ""
    verification: str = ""
    extra: tuple[tuple[str, str], ...] = field(default=())

    def short(self) -> str:
        """One line a person reads: CFR paragraph, then the instrument and its dates."""
        parts: list[str] = []
        if self.cfr:
            parts.append(self.cfr)
        if self.fr:
            doc = self.fr
            if self.published:
                doc += f" ({self.published})"
            parts.append(doc)
        elif self.document:
            parts.append(self.document)
        if self.effective:
            parts.append(f"effective {self.effective}")
        if self.verification:
            parts.append(f"[{self.verification}]")
        return "; ".join(parts) if parts else (self.title or self.source_id)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"text": self.short()}
        for key in ("source_id", "title", "cfr", "fr", "fr_doc", "published", "effective", "url", "document",
                    "note", "verification"):
            value = getattr(self, key)
            if value:
                d[key] = value
        return d

    def __bool__(self) -> bool:
        return bool(self.cfr or self.fr or self.document or self.source_id)
