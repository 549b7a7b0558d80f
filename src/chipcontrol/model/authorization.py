"""Authorisations a user holds and enters: a Validated End-User (VEU) authorisation (15 CFR 748.15)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class VeuAuthorization:
    """A VEU authorisation as published for its holder (Supp. No. 7 to part 748): the holder, the kind (a Data
    Center VEU names specific data centres), the eligible items (ECCN paragraphs such as "3A090.a" or catalogue
    names), the sites, a quantity cap in units where one applies, and its validity."""

    id: str
    holder: str
    kind: str  # data_center | general
    items: tuple[str, ...]
    sites: tuple[tuple[str, str], ...]  # (country, site name)
    valid_from: dt.date
    valid_until: dt.date | None = None
    max_units: int | None = None
    document: str = ""
    site: str | None = None  # the site this shipment goes to (given with the shipment)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "holder": self.holder, "kind": self.kind, "items": list(self.items),
                "sites": [{"country": c, "site": s} for c, s in self.sites],
                "valid_from": self.valid_from.isoformat(),
                "valid_until": self.valid_until.isoformat() if self.valid_until else None,
                "max_units": self.max_units, "document": self.document, "shipment_site": self.site}
