"""The transaction being assessed: the item's route, every party, who owns them, and the facts the user gave."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from chipcontrol.model.citation import Citation
from chipcontrol.model.frozen import quick_init

END_USES = ("supercomputer", "advanced_node_fab", "military", "military_intelligence", "acm_storage")
ROLES = ("exporter", "purchaser", "intermediate_consignee", "ultimate_consignee", "end_user")
ROLE_LABELS = {"exporter": "exporter", "purchaser": "purchaser", "intermediate_consignee": "intermediate consignee",
               "ultimate_consignee": "ultimate consignee", "end_user": "end user"}
_EMPTY: Mapping[str, Any] = MappingProxyType({})


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
    entry_id: str = ""
    entry_version: str = ""  # content hash of the list entry (a person's review decision holds while it is unchanged)
    fdp_footnote: str = ""  # e.g. "4": the entry's foreign-direct-product footnote (15 CFR 734.9(e))
    programs: tuple[str, ...] = ()  # sanctions programmes (SDN entries)


@quick_init
@dataclass(frozen=True, slots=True)
class Party:
    """One party of the transaction in one role.

    ``hq`` is where the party, or its ultimate parent, is headquartered (None: not given). ``hits`` are its
    restricted-party list hits; ``resembles`` are entries on lists with legal effect whose distinctive name the
    party shares without matching (a listed group's name: Red Flag 29 asks who owns it).
    """

    role: str
    name: str
    country: str | None = None
    hq: str | None = None
    hits: tuple[PartyHit, ...] = ()
    resembles: tuple[PartyHit, ...] = ()

    @property
    def label(self) -> str:
        return f"{ROLE_LABELS.get(self.role, self.role)} {self.name}"


@dataclass(frozen=True, slots=True)
class OwnershipLink:
    """``owner`` holds ``percent`` (0-100) of ``owned``, directly. ``source`` says where this is known from."""

    owner: str
    owned: str
    percent: Fraction
    source: str = ""
    origin: str = ""  # where the link was given: "--owner", "FILE:LINE", "register"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"owner": self.owner, "owned": self.owned, "percent": float(self.percent)}
        if self.source:
            d["source"] = self.source
        if self.origin:
            d["given_in"] = self.origin
        return d


@quick_init
@dataclass(frozen=True, slots=True)
class Shipment:
    """Destination and origin are ISO 3166-1 alpha-2 codes, already normalised (Hong Kong as CN).

    ``end_user``/``end_user_hq``/``exporter``/``party_hits`` describe the end user and exporter; ``parties`` adds
    purchasers and consignees (and may restate the end user). ``ownership`` holds direct ownership links; the
    hits of owners who are not parties are in ``owner_hits``. ``facts`` holds the user's answers to the engine's
    questions (by question id). ``made_in`` is where the item was produced when the user says so (None: the
    catalogue's default or unknown).
    """

    destination: str
    origin: str = "US"
    end_user: str | None = None
    end_user_hq: str | None = None
    exporter: str | None = None
    quantity: int | None = None
    end_uses: frozenset[str] = field(default_factory=frozenset)
    party_hits: tuple[PartyHit, ...] = ()
    parties: tuple[Party, ...] = ()
    ownership: tuple[OwnershipLink, ...] = ()
    owner_hits: Mapping[str, tuple[PartyHit, ...]] = field(default_factory=lambda: _EMPTY)
    facts: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    made_in: str | None = None
    region: str | None = None  # ISO 3166-2 subdivision of the destination, where given (e.g. UA-43)
    exporter_hits: tuple[PartyHit, ...] = ()
    veu: Any = None  # a validated end-user authorisation the user holds (rules.ear.part_748.VeuAuthorization)

    @property
    def transaction(self) -> str:
        """Export (leaves the US), reexport (between two foreign countries), in-country transfer, or import into
        the US (which is not an export)."""
        if self.origin == self.destination:
            return "domestic" if self.origin == "US" else "in_country_transfer"
        if self.destination == "US":
            return "import"
        return "export" if self.origin == "US" else "reexport"

    def all_parties(self) -> tuple[Party, ...]:
        """Every party in a role, the end user (from ``end_user``) included once."""
        out = list(self.parties)
        if self.end_user is not None and not any(p.role == "end_user" for p in out):
            out.append(Party("end_user", self.end_user, hq=self.end_user_hq, hits=self.party_hits))
        elif self.end_user is None and self.party_hits and not any(p.role == "end_user" for p in out):
            out.append(Party("end_user", "(end user named by the user)", hq=self.end_user_hq, hits=self.party_hits))
        return tuple(out)

    def hits_of(self, name: str) -> tuple[PartyHit, ...]:
        """Hits of a named owner or party (by exact name as given)."""
        found = self.owner_hits.get(name)
        if found is not None:
            return found
        for p in self.all_parties():
            if p.name == name:
                return p.hits
        return ()

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "destination": self.destination, "origin": self.origin, "end_user": self.end_user,
            "end_user_hq": self.end_user_hq, "exporter": self.exporter, "quantity": self.quantity,
            "end_uses": sorted(self.end_uses), "transaction": self.transaction}
        if self.parties:
            d["parties"] = [{"role": p.role, "name": p.name, "country": p.country, "hq": p.hq}
                            for p in self.parties]
        if self.ownership:
            d["ownership"] = [link.to_dict() for link in self.ownership]
        if self.made_in:
            d["made_in"] = self.made_in
        if self.region:
            d["region"] = self.region
        if self.facts:
            d["answers"] = {k: (v if isinstance(v, (str, int, float, bool)) or v is None else str(v))
                            for k, v in sorted(self.facts.items())}
        return d
