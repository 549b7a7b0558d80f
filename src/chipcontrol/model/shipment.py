"""The transaction being assessed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chipcontrol.model.citation import Citation

END_USES = ("supercomputer", "advanced_node_fab")


@dataclass(frozen=True, slots=True)
class PartyHit:
    """A restricted-party list hit on a party of the transaction (from screening, or given by the user)."""

    party: str
    list: str
    listed_name: str
    score: float
    kind: str  # license_required | prohibited | informational
    detail: str
    citation: Citation
    review_policy: str | None = None
    also_matched: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Shipment:
    """Destination and origin are ISO 3166-1 alpha-2 codes, already normalised (Hong Kong as CN)."""

    destination: str
    origin: str = "US"
    end_user: str | None = None
    end_user_hq: str | None = None
    exporter: str | None = None
    quantity: int | None = None
    end_uses: frozenset[str] = field(default_factory=frozenset)
    party_hits: tuple[PartyHit, ...] = ()

    @property
    def transaction(self) -> str:
        if self.origin == self.destination:
            return "in_country_transfer"
        return "export" if self.origin == "US" else "reexport"

    def to_dict(self) -> dict[str, Any]:
        return {"destination": self.destination, "origin": self.origin, "end_user": self.end_user,
                "end_user_hq": self.end_user_hq, "exporter": self.exporter, "quantity": self.quantity,
                "end_uses": sorted(self.end_uses), "transaction": self.transaction}
