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
- *inert* parties (no hit, no resemblance, not owned through the end user's owners) are left out of the key and of
  the shipment decided for it: the engine reads a party only for its hits, resemblances, ownership and (not in a
  batch) headquarters, so an inert party adds nothing but its own ``ROLE: clear`` entry to ``parties``, which
  :func:`parties_text` puts back in its place. Where no end user and no other party is kept, one inert party stays
  (last), so that the answer still shows whether the engine listed the parties at all;
- for each owner with a hit, in order: its percentage, its hits as above plus the listed name (an affiliate's effect
  names its most restrictive owner), and which party, if any, bears the same name; and whether any owner was
  screened clean. A clean owner's share never counts (in a batch every owner owns the end user directly, so no
  chain runs through it): it tells only that ownership was given (listed share 0 rather than unknown, and no
  question about the ownership of an end user whose name resembles a listed group).

Names and scores reach only the screening text columns, never the decision fields.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from chipcontrol.batch.columns import SEP
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


@dataclass(frozen=True, slots=True)
class Parties:
    """A line's parties reduced: signature id, layout id (roles in order, which inert), the screening texts, and
    the parties its key's shipment keeps (role, name)."""

    sig: int
    layout: int
    eu_hits: str | None
    party_hits: str | None
    kept: tuple[tuple[str, str], ...]


class PartyTable:
    """Screens names once and interns party signatures (id 0: no party named at all)."""

    def __init__(self, screen: Screen) -> None:
        self._screen = screen
        self._done: dict[tuple[str, str], Screened] = {}
        self._sigs: dict[tuple[Any, ...], int] = {(None, (), False, (), False): 0}
        self._exp_sigs: dict[tuple[Any, ...], int] = {(): 0}
        self._layouts: dict[tuple[tuple[str, bool], ...], int] = {(): 0}
        self._layout_list: list[tuple[tuple[str, bool], ...]] = [()]
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

    def unscreened(self, pairs: Sequence[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
        """The (name, country) pairs not screened yet, each once, in order."""
        seen: set[tuple[str, str]] = set()
        out = []
        for name, country in pairs:
            key = (name, country or _NO_COUNTRY)
            if key not in self._done and key not in seen:
                seen.add(key)
                out.append((name, country))
        return out

    def learn(self, pairs: Sequence[tuple[str, str | None]], results: Sequence[Screened]) -> None:
        """Screenings made elsewhere by this table's screener (the batch's worker processes), in the order given."""
        for (name, country), found in zip(pairs, results, strict=True):
            key = (name, country or _NO_COUNTRY)
            if key not in self._done:
                self._done[key] = found
                self.screened += 1

    @property
    def screened_table(self) -> dict[tuple[str, str], Screened]:
        """Every screening done, by (name, country or "\\x00"), in the order done."""
        return self._done

    def exporter(self, name: str, origin: str) -> int:
        """Signature of the exporter's hits (screened against the origin) that reach a decision: a prohibition
        (a listing that requires a licence is only a warning for an exporter, not a covered role)."""
        sig = tuple((h.list, h.kind, h.citation) for h in self.screen(name, origin)[0] if h.kind == "prohibited")
        return self._exp_sigs.setdefault(sig, len(self._exp_sigs))

    def parties(self, end_user: str | None, dest: str, others: Sequence[tuple[str, str]],
                owners: Sequence[OwnershipLink]) -> Parties:
        """One line's parties (``others``: (role, name) in the engine's order, the end user apart) as the key and
        the screening texts need them."""
        eu_sig = None
        eu_text = None
        eu_key = ownership.key(end_user) if end_user is not None else None
        if end_user is not None:
            hits, res = self.screen(end_user, dest)
            eu_sig = (_hit_sig(hits), _resembles_sig(res))
            eu_text = hits_text(hits)
        party_sigs = []
        layout: list[tuple[str, bool]] = [("end_user", False)] if end_user is not None else []
        kept: list[tuple[str, str]] = []
        placeholder: tuple[str, str] | None = None
        screened: list[tuple[str, str, Sequence[PartyHit]]] = []
        for role, name in others:
            hits, res = self.screen(name, None)
            same = ownership.key(name) == eu_key
            inert = not hits and not res and not (owners and same)
            layout.append((role, inert))
            if inert:
                placeholder = placeholder or (role, name)
            else:
                party_sigs.append((role, _hit_sig(hits), _resembles_sig(res), same))
                kept.append((role, name))
            screened.append((role, name, hits))
        names = [name for _, name in others]
        owner_sigs = []
        clean_owner = False
        for link in owners:
            hits = self.screen(link.owner, None)[0]
            if hits:
                same_name = names.index(link.owner) if link.owner in names else -1
                owner_sigs.append((link.percent, _hit_sig(hits, with_name=True), same_name))
            else:
                clean_owner = True
            screened.append(("owner", link.owner, hits))
        # one inert party stands in for all where nothing else would show whether the engine listed the parties
        stand_in = placeholder if (end_user is None and not kept) else None
        sig = (eu_sig, tuple(party_sigs), stand_in is not None, tuple(owner_sigs), clean_owner)
        sid = self._sigs.setdefault(sig, len(self._sigs))
        lid = self._layouts.setdefault(tuple(layout), len(self._layouts))
        if stand_in is not None:
            kept.append(("intermediate_consignee", stand_in[1]))
        return Parties(sid, lid, eu_text, party_hits_text(screened), tuple(kept))

    def layout(self, lid: int) -> tuple[tuple[str, bool], ...]:
        if len(self._layout_list) < len(self._layouts):
            self._layout_list = sorted(self._layouts, key=self._layouts.__getitem__)
        return self._layout_list[lid]


def parties_text(layout: Sequence[tuple[str, bool]], entries: Sequence[str] | None) -> str | None:
    """A line's ``parties`` column from the decision of its key, whose shipment left out the line's inert parties
    (but perhaps one standing in for them, last): the kept parties' entries in order, ``ROLE: clear`` for each
    inert one."""
    if not entries:
        return None
    out: list[str] = []
    kept = iter(entries)
    for role, inert in layout:
        out.append(f"{role}: clear" if inert else next(kept))
    return SEP.join(out)
