"""Part 746, embargoes and other special controls: Cuba, Iran, North Korea, Syria, Russia and Belarus, and the
Crimea region and the so-called DNR and LNR regions of Ukraine (746.6), each with its own review policy.

A shipment to Ukraine without a region asks where in Ukraine: the covered regions need a licence for almost every
item subject to the EAR. The ISO 3166-2 codes used for the regions (UA-43 Crimea, UA-14 Donetsk, UA-09 Luhansk) are
this engine's convention; the EAR names the regions, and the so-called DNR/LNR need not follow oblast borders.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chipcontrol.model.citation import Citation
from chipcontrol.rules.ear.facts import Fact, Reply
from chipcontrol.rules.ear.work import Work, cit_fields

EMBARGOES = "ear.part_746.embargoed_destinations"
REGIONS = "ear.part_746.sec_746_6.covered_regions"


def embargoes(w: Work) -> None:
    """Is the destination, or the region within it, under an embargo or part 746 special control?"""
    ship = w.ship
    if w.ctx.entry(EMBARGOES, ship.destination):  # the list is read whole (its citation) only where it applies
        read = w.read(EMBARGOES)
        assert read is not None
        _apply(w, ship.destination, read.value[ship.destination], read.citation)
    regions = w.read(REGIONS)
    if regions is None:
        return
    covered: Mapping[str, Any] = regions.value
    if not any(code.startswith(ship.destination + "-") for code in covered):
        return
    names = "; ".join(f"{v.get('name')} ({k})" for k, v in covered.items())
    w.warn(f"{ship.destination}: part 746.6 controls the {names}; check where in {ship.destination} the item goes.")
    region = ship.region
    if region is None:
        first = next(iter(covered))
        fact = Fact(f"destination.{ship.destination.lower()}_region", f"Is the destination in a covered region of "
                    f"{ship.destination} ({names})?", "A licence is required for almost every item subject to the EAR "
                    "to those regions (746.6), with a policy of denial.", "--region CODE or --to UA-43 (API: region)",
                    regions.citation, (Reply(first, "yes: in a covered region"),
                                       Reply(ship.destination, "no: elsewhere in the country")))
        region = w.ask(fact)
    entry = covered.get(region)
    w.step("ear.746.6", f"Is the destination within a covered region of {ship.destination}?",
           f"yes: {entry.get('name')} ({region})" if entry else f"no: {region}", regions.citation,
           params=(regions,))
    if entry:
        _apply(w, region, entry, regions.citation)


def _apply(w: Work, where: str, entry: Mapping[str, Any], base: Citation) -> None:
    cit = Citation(**{**cit_fields(base), "cfr": str(entry.get("cfr", base.cfr)),
                      "note": str(entry.get("note", base.note))})
    policy = str(entry.get("policy", "presumption_of_denial"))
    name = entry.get("name", where)
    w.require("ear.746", f"{name} is under embargo or special controls ({entry.get('cfr')}): a licence is required "
              f"for items on the Commerce Control List; review policy {policy.replace('_', ' ')}.", cit, policy,
              allows_exceptions=False)
    w.step("ear.746", "Is the destination embargoed or under part 746 special controls?",
           f"yes: {name}, {entry.get('cfr')}", cit, str(entry.get("note", "")), status="fail")
