"""Part 740, licence exceptions for advanced computing items: NAC and ACA (740.8), HBM (740.25), and the AI
Diffusion Rule's AIA (740.27), ACM (740.28) and LPP (740.29) in the law-as-written view; the Affiliates Rule's
temporary general licence and savings clause; a Data Center VEU the user holds (748.15, checked in part_748).

An exception is offered only where every requirement found permits it, with the conditions still to meet.
"""

from __future__ import annotations

from chipcontrol.model.decision import LicenseException
from chipcontrol.rules.ear.facts import yes_no
from chipcontrol.rules.ear.work import D5MO, Work

P740 = "ear.part_740."


def _hq_d5(w: Work, why: str) -> bool:
    days = w.read(P740 + "sec_740_8.nac_notice_days")
    cit = days.citation if days is not None else w.ctx.version_citation
    return any(w.in_scope(hq, D5MO) for _, hq in w.headquarters(why, cit))


def exceptions(w: Work) -> list[LicenseException]:
    """Licence exceptions available for the requirements found, each with its conditions."""
    ctx = w.ctx
    if not w.found:
        return []
    if not all(f.allows_exceptions for f in w.found):
        if any(f.allows_exceptions for f in w.found):
            w.step("ear.740.2", "May a licence exception be used?", "no: another requirement (part 736, 744 or 746, "
                   "or an is-informed letter) rules exceptions out", ctx.version.citation)
        return []
    out: list[LicenseException] = []
    out.extend(_nac_aca(w))
    out.extend(_hbm(w))
    if w.cls.level == "a" and "ai_diffusion" in ctx.features:
        out.extend(_ai_diffusion(w))
    return out


def _nac_aca(w: Work) -> list[LicenseException]:
    ctx, ship, cls = w.ctx, w.ship, w.cls
    if cls.level not in ("a", "b") or not ("nac_2023" in ctx.features or "nac_aca_2024" in ctx.features):
        return []
    days = w.read(P740 + "sec_740_8.nac_notice_days")
    notice = int(days.value) if days else 25
    cit = days.citation if days else ctx.version_citation
    dest = ship.destination
    if cls.level == "a" and cls.datacenter is not False:
        w.step("ear.740.8", "Is the item eligible for NAC/ACA?", "no: items designed or marketed for datacenters "
               "and meeting 3A090.a are excluded", cit)
        return []
    nac_conditions = (
        "written purchase order before shipment (commercial samples excepted)",
        f"notify BIS through SNAP-R at least {notice} calendar days before export or reexport, with the TPP, the "
        "performance density and a datasheet showing whether the item is designed or marketed for datacenters",
        f"ship only with the confirmation STELA gives on the {notice}th day after registration (a NAC number for "
        "AES); STELA may instead say a licence is needed — silence is not authorisation (740.8(c)(2))",
        "one notification covers several shipments to the same end user up to the notified value and quantity; at "
        "most one ultimate consignee and one end user, no distributor",
    )
    in_country = ship.transaction == "in_country_transfer"
    d5_dest = ctx.in_scope(dest, D5MO)
    if "nac_2023" in ctx.features:
        if in_country or not (d5_dest or _hq_d5(w, "NAC needs a 25-day notice for Macau/D:5-headquartered "
                                                  "entities, none otherwise.")):
            return [LicenseException("NAC", "15 CFR 740.8", (
                "no notification needed: " + ("transfer (in-country)" if in_country else
                                              "destination outside Macau/D:5, end user not headquartered there"),),
                cit, "Notified Advanced Computing (2023 text)")]
        return [LicenseException("NAC", "15 CFR 740.8", nac_conditions, cit, "Notified Advanced Computing (2023 text)")]
    if in_country:
        if d5_dest or ctx.in_group(dest, "D1") or ctx.in_group(dest, "D4"):
            return [LicenseException("ACA", "15 CFR 740.8(a)", (
                "no notification to BIS", "written purchase order before the transfer"), cit,
                "Advanced Computing Authorized: transfers (in-country), including within Macau and D:5")]
        return []
    if d5_dest or _hq_d5(w, "NAC (25-day notice) covers Macau/D:5 and Macau/D:5-headquartered entities; ACA (no "
                         "notice) covers other D:1/D:4 destinations."):
        return [LicenseException("NAC", "15 CFR 740.8(a)", nac_conditions, cit,
                                 "Notified Advanced Computing: Macau/D:5 or Macau/D:5-headquartered end users")]
    if ctx.in_group(dest, "D1") or ctx.in_group(dest, "D4"):
        return [LicenseException("ACA", "15 CFR 740.8(a)", (
            "no notification to BIS", "written purchase order before shipment",
            "not for Macau/D:5 or entities headquartered there"), cit,
            "Advanced Computing Authorized: D:1/D:4 destinations")]
    return []


def _hbm(w: Work) -> list[LicenseException]:
    ctx = w.ctx
    if w.cls.level != "c" or "hbm_3a090c" not in ctx.features:
        return []
    hbm = w.read(P740 + "sec_740_25.hbm_max_density")
    density = w.spec.memory_bandwidth_density
    if hbm is None or density is None or density >= float(hbm.value):
        return []
    return [LicenseException("HBM", "15 CFR 740.25", (
        "exporter headquartered in the US or A:5, with no D:5/Macau ultimate parent",
        "sold directly to the designer of the co-packaged commodity and shipped directly to the packaging site",
        "finished packages must not exceed the 3A090 parameters (3A090.a/.b outside US/A:5/A:6 sites, with "
        "return to the exporter and unit reconciliation)",
        "no distributors; no co-packaging at an advanced-node IC facility in Macau/D:5",
    ), hbm.citation, f"memory bandwidth density {density:g} < {hbm.value:g} GB/s/mm2")]


def total_tpp(w: Work) -> float | None:
    """TPP of the advanced computing ICs in this shipment: units x ICs per unit x TPP per IC."""
    tpp = w.cls.tpp
    if tpp is None or w.ship.quantity is None:
        return None
    per_unit = w.spec.accelerator_count if (w.spec.item_type == "computer" and w.spec.accelerator_count) else 1
    return w.ship.quantity * per_unit * tpp


def _ai_diffusion(w: Work) -> list[LicenseException]:
    ctx, ship, cls = w.ctx, w.ship, w.cls
    dest = ship.destination
    out: list[LicenseException] = []
    if ctx.in_scope(dest, D5MO) or _hq_d5(w, "AIA, ACM and LPP are not available for Macau/D:5-headquartered "
                                          "entities."):
        return out
    lpp = w.read(P740 + "ai_diffusion.lpp_tpp_per_year")
    tier1 = w.read(P740 + "ai_diffusion.supp5_para_a")
    aia = w.read(P740 + "ai_diffusion.aia_certification_tpp")
    hq = w.end_user_hq("AIA needs an ultimate consignee headquartered in a Supp. No. 5 para. (a) destination.",
                       tier1.citation if tier1 else ctx.version_citation)
    if tier1 is not None and dest in tier1.value and hq in (*tier1.value, "US"):
        out.append(LicenseException("AIA", "15 CFR 740.27", (
            "ultimate consignee located in, and not headquartered outside, a Supp. No. 5 para. (a) destination",
            "item designed by an approved or authorized IC designer (for 3A090.a ICs)",
            "one-time consignee certification"
            + (f"; submit it to BIS once cumulative TPP received reaches {aia.value:,}" if aia else ""),
        ), aia.citation if aia else tier1.citation, "Artificial Intelligence Authorization (law as written)"))
    if lpp is not None:
        conds = [f"no more than {lpp.value:,} cumulative TPP of advanced computing ICs per ultimate consignee per "
                 "calendar year", "directly to the ultimate consignee (not through distributors)",
                 "consignee certification"]
        total = total_tpp(w)
        if total is None and cls.tpp is not None:
            fact = yes_no("shipment.within_lpp_cap", f"Is the total TPP of the ICs shipped to this ultimate "
                          f"consignee this calendar year within {lpp.value:,}?", "License Exception LPP is capped by "
                          "cumulative TPP; the quantity was not given.", lpp.citation, yes="yes: within the cap",
                          no="no: over the cap", yes_first=False,
                          answer_with="--qty N (API: quantity), or --answer shipment.within_lpp_cap=yes|no")
            qty_ok = w.ask(fact) == "yes"
        else:
            qty_ok = total is not None and total <= float(lpp.value)
            if total is not None:
                per = (f" x {w.spec.accelerator_count} ICs" if w.spec.item_type == "computer" else "")
                conds.append(f"this shipment: {ship.quantity}{per} x TPP {cls.tpp:g} = {total:,.0f} TPP")
        if qty_ok:
            out.append(LicenseException("LPP", "15 CFR 740.29", tuple(conds), lpp.citation,
                                        "Low Processing Performance (law as written)"))
        else:
            w.step("ear.740.29", "Is the quantity within License Exception LPP?", "no: "
                   + (f"{total:,.0f} TPP exceeds {lpp.value:,}" if total is not None else "over the cap"),
                   lpp.citation)
    if w.has_end_use("acm_storage"):
        out.append(LicenseException("ACM", "15 CFR 740.28", (
            "to a private-sector end user for development, production, or storage in a warehouse before export, "
            "reexport or transfer to the ultimate end user",
            "items ultimately destined outside Macau and D:5, for no consignee headquartered there",
            "per-facility accounting, updated at least every six months",
        ), lpp.citation if lpp else ctx.version_citation, "Advanced Compute Manufacturing (law as written)"))
    else:
        w.step("ear.740.28", "Is License Exception ACM available?", "no: ACM covers only development, production or "
               "storage before export (declare --end-use acm_storage)", lpp.citation if lpp else ctx.version_citation,
               status="info")
    return out
