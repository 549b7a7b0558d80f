"""Screening for a batch: every distinct (name, country) screened once, and each line's parties reduced to a
*signature* — what of their screening and ownership can reach a decision field.

``check`` screens the end user with the destination as country, the purchaser and consignees and every owner
without a country, and the exporter with the origin (``assess.build_shipment``). The signature of a line's parties
keeps, in the engine's order (end user, purchaser, ultimate consignee, intermediate consignees):

- for each party, each hit's list, effect, citation, review policy, foreign-direct-product footnote and programmes
  (informational hits too: they show in the party's effect), and the listed groups its name resembles (list,
  effect, review policy, citation);
- whether a party is the end user under another role (its name folded as ownership links match names), which
  gives it the end user's owners;
- for each owner, in order: its percentage, its hits as above plus the listed name (an affiliate's effect names
  its most restrictive owner), and which party, if any, bears the same name.

Names and scores reach only the screening text columns, never the decision fields.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from chipcontrol.batch.decision import hits_text, party_hits_text
from chipcontrol.model.shipment import OwnershipLink, PartyHit
from chipcontrol.rules.ear import ownership

Screen = Callable[[str, str | None], "list[PartyHit] | tuple[list[PartyHit], list[PartyHit]]"]
Screened = tuple[tuple[PartyHit, ...], tuple[PartyHit, ...]]
_NO_COUNTRY = "\x00"


def _hit_sig(hits: Sequence[PartyHit], with_name: bool = False) -> tuple[Any, ...]:
    return tuple((h.list, h.kind, h.citation, h.review_policy, h.fdp_footnote, h.programs)
                 + ((h.listed_name,) if with_name else ()) for h in hits)


def _resembles_sig(hits: Sequence[PartyHit]) -> tuple[Any, ...]:
    return tuple((h.list, h.kind, h.review_policy, h.citation) for h in hits)


class PartyTable:
    """Screens names once and interns party signatures (id 0: no party named at all)."""

    def __init__(self, screen: Screen) -> None:
        self._screen = screen
        self._done: dict[tuple[str, str], Screened] = {}
        self._sigs: dict[tuple[Any, ...], int] = {(None, (), ()): 0}
        self._exp_sigs: dict[tuple[Any, ...], int] = {(): 0}
        self.screened = 0

    def screen(self, name: str, country: str | None) -> Screened:
        key = (name, country or _NO_COUNTRY)
        found = self._done.get(key)
        if found is None:
            res = self._screen(name, country)
            hits, resembles = res if isinstance(res, tuple) else (res, [])
            found = self._done[key] = (tuple(hits), tuple(resembles))
            self.screened += 1
        return found

    def exporter(self, name: str, origin: str) -> int:
        """Signature of the exporter's hits (screened against the origin): a listed exporter's effect."""
        sig = tuple((h.list, h.kind, h.citation) for h in self.screen(name, origin)[0] if h.kind != "informational")
        return self._exp_sigs.setdefault(sig, len(self._exp_sigs))

    def parties(self, end_user: str | None, dest: str, others: Sequence[tuple[str, str]],
                owners: Sequence[OwnershipLink]) -> tuple[int, str | None, str | None]:
        """(signature id, the end user's hits text, the other parties' and owners' hits text) for one line's
        parties: ``others`` are (role, name) in the engine's order."""
        eu_sig = None
        eu_text = None
        eu_key = ownership.key(end_user) if end_user is not None else None
        if end_user is not None:
            hits, res = self.screen(end_user, dest)
            eu_sig = (_hit_sig(hits), _resembles_sig(res))
            eu_text = hits_text(hits)
        party_sigs = []
        screened: list[tuple[str, str, Sequence[PartyHit]]] = []
        for role, name in others:
            hits, res = self.screen(name, None)
            party_sigs.append((role, _hit_sig(hits), _resembles_sig(res), ownership.key(name) == eu_key))
            screened.append((role, name, hits))
        names = [name for _, name in others]
        owner_sigs = []
        for link in owners:
            hits = self.screen(link.owner, None)[0]
            same = names.index(link.owner) if link.owner in names else -1
            owner_sigs.append((link.percent, _hit_sig(hits, with_name=True), same))
            screened.append(("owner", link.owner, hits))
        sig = (eu_sig, tuple(party_sigs), tuple(owner_sigs))
        sid = self._sigs.setdefault(sig, len(self._sigs))
        return sid, eu_text, party_hits_text(screened)
