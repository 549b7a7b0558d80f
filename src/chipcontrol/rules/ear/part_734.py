"""Part 734, scope of the EAR: is this a movement the EAR governs, and is the item subject to the EAR?

- The transaction (734.13 export, 734.14 reexport, 734.16 transfer in-country): an import into the United States
  is none of them; an item staying in the United States is not exported.
- Items subject to the EAR (734.3(a)): everything in the United States, US-origin items wherever located,
  foreign-made items with US-origin controlled content above the de minimis level (734.4), and foreign-produced
  direct products under the foreign-direct-product rules that reach AI chips (734.9(e) Entity List footnotes,
  734.9(h) advanced computing, 734.9(i) supercomputer), each with its dated scope.

The facts (where produced, whether a direct product of US-origin technology or of a plant that is, US content)
come from the catalogue with sources, a spec, or the shipment; an unknown deciding fact is asked.
"""

from __future__ import annotations

from typing import Any

from chipcontrol.model.citation import Citation
from chipcontrol.model.spec import Provenance
from chipcontrol.rules.ear.facts import Fact, Reply, yes_no
from chipcontrol.rules.ear.work import D5MO, Stop, Work

P734 = "ear.part_734."
TARIFF = "notices.section_232_semiconductors"


def _cit(w: Work, name: str) -> Citation:
    read = w.read(name)
    return read.citation if read is not None else Citation(cfr="15 CFR part 734", verification="S")


def provenance(w: Work) -> Provenance:
    spec = w.spec.accelerator if (w.spec.item_type == "computer" and w.spec.accelerator) else w.spec
    return spec.provenance or w.spec.provenance or Provenance()


def jurisdiction(w: Work) -> None:
    """Is this an export, reexport or transfer of an item subject to the EAR? Raises Stop when it is not."""
    ship = w.ship
    kind = ship.transaction
    defs = _cit(w, P734 + "sec_734_3.subject_to_ear")
    if kind == "domestic":
        w.step("ear.734.13", "Is this an export, reexport or transfer (in-country)?", "no: the item stays in the "
               "United States", defs)
        raise Stop
    if kind == "import":
        w.step("ear.734.13", "Is this an export, reexport or transfer (in-country)?", f"no: an import into the United "
               f"States from {ship.origin} is not an export (734.13, 734.14)", defs,
               "Items in the United States are subject to the EAR (734.3(a)(1)): a later shipment out is an export.")
        tariff_notice(w, "the item is imported into the United States")
        raise Stop
    if ship.origin == "US":
        w.step("ear.734.3", "Is the item subject to the EAR?", "yes: an item in the United States (734.3(a)(1)), "
               "exported from it (734.13)", defs)
        return
    prov = provenance(w)
    made_in = ship.made_in or prov.made_in
    if made_in is None:
        fact = Fact("item.made_in", "Where was the item produced?", "A US-origin item is subject to the EAR wherever "
                    "it is; a foreign-produced one only through de minimis US content or a foreign-direct-product "
                    "rule.", "--made-in CC (API: made_in; spec provenance)", defs,
                    (Reply("US", "in the United States"), Reply("XX", "outside the United States")))
        made_in = w.ask(fact)
    if made_in == "US":
        w.step("ear.734.3", "Is the item subject to the EAR?", "yes: a US-origin item, wherever located "
               "(734.3(a)(2))", defs)
        return
    where = f"produced in {made_in}" if made_in != "XX" else "produced outside the United States"
    movement = "export from abroad" if made_in == ship.origin else "reexport"
    w.step("ear.734.14", "What kind of movement is this?", f"{movement.replace('_', ' ')}: a foreign-produced item "
           f"({where}) from {ship.origin} to {ship.destination}" if ship.transaction != "in_country_transfer"
           else f"transfer (in-country) within {ship.destination} of a foreign-produced item ({where})", defs)
    basis = _fdp_e(w, prov) or _fdp_h(w, prov) or _fdp_i(w, prov) or _de_minimis(w, prov, made_in)
    if basis:
        w.step("ear.734.3", "Is the foreign-produced item subject to the EAR?", f"yes: {basis}", defs)
        return
    w.subject_to_ear = False
    w.step("ear.734.3", "Is the foreign-produced item subject to the EAR?", "no: no foreign-direct-product rule "
           "reaches it and its US-origin controlled content does not exceed the de minimis level", defs,
           "Not subject to the EAR: no EAR licence requirement applies (other countries' laws may).")
    raise Stop


def _direct_product(w: Work, prov: Provenance, why: str, citation: Citation) -> bool:
    if prov.direct_product is not None:
        return prov.direct_product
    fact = yes_no("item.direct_product", "Is the item a direct product of US-origin technology or software (such as "
                  "3E001, 3D001, 4E001), or made by a plant, or a major component of a plant, that is?",
                  why, citation, yes="yes", no="no",
                  answer_with="provenance.direct_product in the spec, or --answer item.direct_product=yes|no")
    return w.ask(fact) == "yes"


def _fdp_e(w: Work, prov: Provenance) -> str:
    read = w.read(P734 + "sec_734_9.e_footnotes")
    if read is None:
        return ""
    in_force: dict[str, Any] = dict(read.value)
    who = []
    if prov.ordered_by_footnote in in_force:
        who.append((prov.ordered_by_footnote, "the item was produced, purchased or ordered by a footnote "
                    f"{prov.ordered_by_footnote} entity"))
    for p in w.all_parties():
        if p.role == "exporter":
            continue
        for h in p.hits:
            if h.fdp_footnote in in_force:
                role = p.role.replace("_", " ")
                who.append((h.fdp_footnote, f"{h.listed_name} (footnote {h.fdp_footnote}) is the {role}"))
    if not who:
        return ""
    fn, text = who[0]
    if not _direct_product(w, prov, "The Entity List foreign-direct-product rule reaches direct products of US "
                           "technology when a footnote entity is involved.", read.citation):
        w.step("ear.734.9.e", "Does the Entity List foreign-direct-product rule reach the item?",
               f"no: {text}, but the item is not a direct product of US technology", read.citation)
        return ""
    w.step("ear.734.9.e", "Does the Entity List foreign-direct-product rule reach the item?", f"yes: {text} "
           f"({in_force[fn]})", read.citation, params=(read,))
    return f"foreign direct product, 734.9(e), footnote {fn}"


def _fdp_h(w: Work, prov: Provenance) -> str:
    read = w.read(P734 + "sec_734_9.h_scope")
    if read is None or w.cls.level not in ("a", "b"):
        return ""
    scope: dict[str, Any] = dict(read.value)
    worldwide = "fdp_h_worldwide" in w.ctx.features
    dest_hit = worldwide or w.ctx.in_scope(w.ship.destination, scope.get("destinations"))
    who = "destined worldwide (law as written)" if worldwide else f"destined to {w.ship.destination}"
    if not dest_hit and scope.get("headquarters"):
        hqs = w.headquarters("The advanced-computing foreign-direct-product rule reaches items for entities "
                             "headquartered in Macau or D:5.", read.citation)
        hit = next(((p, hq) for p, hq in hqs if w.in_scope(hq, scope["headquarters"])), None)
        if hit is not None:
            dest_hit, who = True, f"for {hit[0]}, headquartered in {hit[1]}"
    if not dest_hit:
        w.step("ear.734.9.h", "Does the advanced-computing foreign-direct-product rule reach the item?",
               f"no: {w.ship.destination} is outside its destination scope", read.citation, params=(read,))
        return ""
    if not _direct_product(w, prov, "The advanced-computing foreign-direct-product rule reaches 3A090/4A090 items "
                           "that are direct products of US technology.", read.citation):
        w.step("ear.734.9.h", "Does the advanced-computing foreign-direct-product rule reach the item?",
               "no: not a direct product of US technology", read.citation)
        return ""
    w.step("ear.734.9.h", "Does the advanced-computing foreign-direct-product rule reach the item?", f"yes: {who}",
           read.citation, params=(read,))
    return "foreign direct product, 734.9(h) (advanced computing)"


def _fdp_i(w: Work, prov: Provenance) -> str:
    read = w.read(P734 + "sec_734_9.i_destinations")
    if read is None or not w.ctx.in_scope(w.ship.destination, read.value):
        return ""
    if not w.has_end_use("supercomputer"):
        return ""
    if not _direct_product(w, prov, "The supercomputer foreign-direct-product rule reaches direct products of US "
                           "technology for supercomputers in China or Macau.", read.citation):
        return ""
    w.step("ear.734.9.i", "Does the supercomputer foreign-direct-product rule reach the item?",
           f"yes: a declared supercomputer end use in {w.ship.destination}", read.citation, params=(read,))
    return "foreign direct product, 734.9(i) (supercomputer)"


def _de_minimis(w: Work, prov: Provenance, made_in: str) -> str:
    read = w.read(P734 + "sec_734_4.de_minimis")
    if read is None:
        return ""
    levels: dict[str, Any] = dict(read.value)
    e_dest = w.ctx.in_group(w.ship.destination, "E1") or w.ctx.in_group(w.ship.destination, "E2")
    pct = levels.get("e1_e2_percent", 10) if e_dest else levels.get("percent", 25)
    above = prov.us_content_above
    if above is None:
        fact = yes_no("item.us_content_above_de_minimis", f"Does controlled US-origin content exceed {pct} % of the "
                      "item's value?", "Foreign-made items with more US-origin controlled content than the de "
                      "minimis level are subject to the EAR (734.4).", read.citation, yes=f"yes: above {pct} %",
                      no=f"no: {pct} % or less", answer_with="provenance.us_content_above in the spec, or "
                      "--answer item.us_content_above_de_minimis=yes|no")
        above = w.ask(fact) == "yes"
    w.step("ear.734.4", f"Does US-origin controlled content exceed the de minimis level ({pct} %)?",
           "yes" if above else "no", read.citation, params=(read,))
    return f"de minimis: US-origin controlled content above {pct} % (734.4)" if above else ""


def d5_or_macau(w: Work, country: str | None) -> bool:
    return w.in_scope(country, D5MO)


def tariff_notice(w: Work, why: str) -> None:
    """Section 232 duty on certain advanced chips imported into the US: a cited note, never part of the licence
    answer (tariff is not export control)."""
    read = w.read(TARIFF)
    if read is None:
        return
    value: dict[str, Any] = dict(read.value)
    tpp, bw = w.cls.tpp, w.cls.memory_bandwidth_gbs
    bands = value.get("bands", [])
    inside = None
    if tpp is not None and bw is not None:
        inside = any(b["tpp_above"] < tpp < b["tpp_below"] and b["dram_above"] < bw < b["dram_below"] for b in bands)
    text = (f"{value.get('title')}: a {value.get('rate')} duty from {read.effective_from} on articles in "
            f"{', '.join(value.get('hts', []))} whose logic ICs have "
            + " or ".join(f"TPP {b['tpp_above']:g}-{b['tpp_below']:g} and DRAM bandwidth {b['dram_above']:g}-"
                          f"{b['dram_below']:g} GB/s" for b in bands) + f" (exclusive), {why}. ")
    if inside is None:
        text += "This item's TPP or DRAM bandwidth is unknown: check the annex."
    else:
        text += ("This item falls within the annex parameters" if inside else
                 "This item is outside the annex parameters") + f" (TPP {tpp:g}, DRAM {bw:g} GB/s)."
    text += " Exemptions are by use (" + "; ".join(value.get("exemptions", [])) + "). Import duty, not an EAR licence."
    w.notices.append({"kind": "tariff", "text": text, "citation": read.citation.short(),
                      "applies": inside})
