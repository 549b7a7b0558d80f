"""Part 742, control policy on the Commerce Control List: the advanced-computing licence requirements of
15 CFR 742.6(a)(6) and their review policy, 742.6(b)(10); high bandwidth memory (3A090.c).

Where a destination already needs a licence, the end user's headquarters decides the review policy (and, in part
740, which licence exception); where it does not, the headquarters rule of 744.23(a)(3) may still reach the item.
An unknown headquarters is asked, never assumed.
"""

from __future__ import annotations

from chipcontrol.model.citation import Citation
from chipcontrol.rules.ear.facts import yes_no
from chipcontrol.rules.ear.part_734 import tariff_notice
from chipcontrol.rules.ear.work import D5MO, Work

P742 = "ear.part_742.sec_742_6."
P744 = "ear.part_744.sec_744_23."
P740 = "ear.part_740."


def _hq_rule_citation(w: Work) -> Citation:
    read = w.read(P744 + "headquarters_rule")
    return read.citation if read is not None else w.ctx.version_citation


def _hq_d5(w: Work, why: str, citation: Citation) -> tuple[bool, str]:
    """Is any entity the item is destined to headquartered in Macau or D:5? (asks the end user's if unknown)"""
    for who, hq in w.headquarters(why, citation):
        if w.in_scope(hq, D5MO):
            return True, f"{who} is headquartered in {hq}"
    return False, ""


def advanced_computing(w: Work) -> None:
    """Do the advanced-computing licence requirements reach a 3A090/4A090 .a- or .b-level item?"""
    ctx, ship, cls = w.ctx, w.ship, w.cls
    dest = ship.destination
    level_name = f"{cls.paragraph} ({'.a' if cls.level == 'a' else '.b'}-level)"
    covered = False
    if cls.level == "a" and "ai_diffusion" in ctx.features:
        read = w.read(P742 + "a_level_worldwide")
        if read is not None and read.value:
            covered = True
            policy, conds = _review_ai_diffusion(w)
            w.require("ear.742.6.a.6.iii.A", f"{level_name} items need a licence to all destinations (AI Diffusion "
                      "Rule, law as written).", read.citation, policy, allows_exceptions=True, conditions=conds)
            w.step("ear.742.6.a.6.iii.A", "Does the worldwide licence requirement for .a-level items apply?", "yes",
                   read.citation, params=(read,))
    scope_read, inside = ctx.scope_member(P742 + "advanced_computing_destinations", dest)
    if not covered and "rs_advanced_computing" in ctx.features and scope_read is not None:
        if inside:
            scope_read = w.read(P742 + "advanced_computing_destinations")  # its citation reaches the answer
            assert scope_read is not None
        w.step("ear.742.6.a.6", f"Is {dest} within the advanced-computing licence scope "
               f"({ctx.describe_scope(scope_read.value)})?", "yes" if inside else "no", scope_read.citation,
               params=(scope_read,))
        if inside:
            covered = True
            policy, conds = _review_destination(w)
            w.require("ear.742.6.a.6", f"{level_name} items need a licence to {w.group_label(dest)}.",
                      scope_read.citation, policy, allows_exceptions=True, conditions=conds)
    hq_read = w.read(P744 + "headquarters_rule")
    if not covered and "hq_rule" in ctx.features and hq_read is not None:
        cit = _a_level_hq_citation(w, record=False) if cls.level == "a" else hq_read.citation
        mark = len(w.steps)
        hit, who = _hq_d5(w, "The headquarters rule requires a licence, wherever the item goes, for entities "
                          "headquartered in Macau or D:5 (or whose ultimate parent is).", cit)
        if cls.level == "a" and (hit or w.asked_since(mark)):
            _a_level_hq_citation(w)  # its citation reaches the requirement or the question: recorded
        w.step("ear.744.23.a.3", "Is the entity the item is destined to, or its ultimate parent, headquartered in "
               f"{ctx.describe_scope(hq_read.value)}?", f"yes: {who}" if hit else "no", cit, params=(hq_read,))
        if hit:
            covered = True
            if cls.datacenter is not False and cls.level == "a":
                policy = "presumption_of_denial"
                why = "datacenter items meeting 3A090.a are excluded from case-by-case review"
            else:
                policy, why = "case_by_case", "non-datacenter or .b-level items are reviewed case by case"
            w.require("ear.744.23.a.3.i", f"{level_name} items need a licence because {who}, wherever located; "
                      f"{why} (744.23(d)).", cit, policy, allows_exceptions=True)
    if not covered:
        w.step("ear.742.6.a.6.result", "Does any advanced-computing licence requirement apply?", "no",
               scope_read.citation if scope_read else cls.rule_citation)


def _a_level_hq_citation(w: Work, record: bool = True) -> Citation:
    """From January 2025 the headquarters requirement for .a-level items sits in 742.6(a)(6)(iii)(A) (BIS guidance
    of 2026-05-31: enforced although the rest of the AI Diffusion Rule is not). ``record=False``: for a step only,
    not recorded (the caller records it where the citation reaches a requirement or a question)."""
    if record:
        read = w.read(P742 + "a_level_hq_requirement")
        return read.citation if read is not None else _hq_rule_citation(w)
    read = w.ctx.read_for_trace(P742 + "a_level_hq_requirement") or w.ctx.read_for_trace(P744 + "headquarters_rule")
    return read.citation if read is not None else w.ctx.version.citation


def _review_destination(w: Work) -> tuple[str, tuple[str, ...]]:
    """Review policy for the destination-based requirement (742.6(b)(10)), with any case-by-case conditions."""
    ctx, ship = w.ctx, w.ship
    denial, in_denial = ctx.scope_member(P742 + "denial_destinations", ship.destination)  # its citation: steps
    if "review_2022" in ctx.features:
        policy = "presumption_of_denial" if in_denial else "case_by_case"
        if denial is not None:
            w.step("ear.742.6.b.10", "What review policy meets a licence application?", policy, denial.citation,
                   params=(denial,))
        return policy, ()
    if in_denial:
        cbc = case_by_case_2026(w)
        if cbc is not None:
            return cbc
        policy = "presumption_of_denial"
        detail = f"{ship.destination} is in Macau or D:5"
    else:
        denial = w.read(P742 + "denial_destinations")  # its citation reaches a question
        hit, who = _hq_d5(w, "The review policy is a presumption of denial for entities headquartered in Macau or "
                          "D:5, a presumption of approval otherwise.",
                          denial.citation if denial is not None else _hq_rule_citation(w))
        if hit:
            policy, detail = "presumption_of_denial", who
        else:
            policy = "presumption_of_approval"
            detail = "destination outside D:5/Macau and no entity headquartered there"
    if denial is not None:
        w.step("ear.742.6.b.10.ii", "What review policy meets a licence application?",
               f"{policy.replace('_', ' ')}: {detail}", denial.citation, params=(denial,))
    return policy, ()


def case_by_case_2026(w: Work) -> tuple[str, tuple[str, ...]] | None:
    """2026-01-15: case by case for exports from the US to China/Macau below TPP 21,000 and DRAM 6,500 GB/s, for
    items commercially available in the US when the rule was published."""
    ctx, ship, cls = w.ctx, w.ship, w.cls
    dests, inside = ctx.scope_member(P742 + "case_by_case_destinations", ship.destination)  # its citation: steps
    if dests is None or not inside or "review_2026_case_by_case" not in ctx.features:
        return None  # (the feature is asked only for a destination inside the scope: elsewhere it cannot matter)
    max_tpp = w.read(P742 + "case_by_case_max_tpp")
    max_bw = w.read(P742 + "case_by_case_max_dram_bandwidth_gbs")
    if max_tpp is None or max_bw is None:
        return None
    params = (dests, max_tpp, max_bw)
    question = (f"Is this an export from the United States with TPP below {max_tpp.value:g} and total DRAM bandwidth "
                f"below {max_bw.value:g} GB/s (case-by-case review)?")
    if ship.transaction != "export":
        w.step("ear.742.6.b.10.cbc", question, f"no: a {ship.transaction.replace('_', ' ')} from {ship.origin}",
               max_tpp.citation, "Reexports, exports from abroad and in-country transfers keep the presumption of "
               "denial.", params=params)
        return None
    tpp, bw = cls.tpp, cls.memory_bandwidth_gbs
    if tpp is None or bw is None:
        missing = "TPP" if tpp is None else "total DRAM bandwidth"
        fact = yes_no("item.below_case_by_case_limits",
                      f"Is the item's TPP below {max_tpp.value:g} and its total DRAM bandwidth below "
                      f"{max_bw.value:g} GB/s?", f"The 2026 case-by-case review turns on it ({missing} unknown).",
                      max_tpp.citation, yes="yes: below both limits", no="no", yes_first=False,
                      answer_with="memory_bandwidth_gbs / dense_tops in the spec, or --answer "
                      "item.below_case_by_case_limits=yes|no")
        ok = w.ask(fact) == "yes"
        detail = "assumed (see questions)"
    else:
        ok = tpp < float(max_tpp.value) and bw < float(max_bw.value)
        detail = f"TPP {tpp:g}, DRAM bandwidth {bw:g} GB/s"
    w.step("ear.742.6.b.10.cbc", question, f"{'yes' if ok else 'no'}: {detail}", max_tpp.citation, params=params)
    if not ok:
        return None
    avail = w.read(P742 + "case_by_case_us_availability_date")
    if avail is not None and not _available_in_us(w, str(avail.value), avail.citation):
        return None
    conditions = (
        "exporter certifies sufficient US supply; the export will not delay US orders",
        "production for China/Macau will not divert foundry capacity needed for US customers",
        "aggregate shipments to China/Macau no more than 50% of units shipped to US end users",
        "recipient has adequate security procedures, rigorous KYC and prevention of unauthorized remote access",
        "independent third-party testing in the United States verifies the performance before export",
        "not prohibited by end-user or end-use controls",
    )
    tariff_notice(w, "when the item enters the United States, e.g. for the third-party testing this review policy "
                  "requires")
    return "case_by_case", conditions


def _available_in_us(w: Work, day: str, citation: Citation) -> bool:
    """Was the item commercially available in the United States on ``day`` (the rule's publication)?"""
    spec = w.spec.accelerator if (w.spec.item_type == "computer" and w.spec.accelerator) else w.spec
    on = spec.commercially_available_in_us_on
    question = f"Was the item commercially available in the United States on {day}?"
    if on is not None:
        ok = on.isoformat() <= day
        w.step("ear.742.6.b.10.cbc.us_available", question, f"{'yes' if ok else 'no'}: available from "
               f"{on.isoformat()}", citation, "Only items commercially available in the US when the rule was "
               "published may be reviewed case by case.")
        return ok
    if spec.us_availability is not None:
        ok = spec.us_availability
        w.step("ear.742.6.b.10.cbc.us_available", question, ("yes" if ok else "no") + f" (catalogue: "
               f"{spec.us_availability_source or 'no source'})", citation)
        return ok
    fact = yes_no("item.us_available_2026_01_15", question, "Case-by-case review under the 2026 policy needs "
                  "it; otherwise the presumption of denial stays.", citation,
                  yes="yes: on sale in the US by then", no="no: not on sale in the US by then", yes_first=False,
                  answer_with="commercially_available_in_us_on: YYYY-MM-DD in the spec, or --answer "
                  "item.us_available_2026_01_15=yes|no")
    return w.ask(fact) == "yes"


def _review_ai_diffusion(w: Work) -> tuple[str, tuple[str, ...]]:
    """742.6(b)(10)(iii) as written (AI Diffusion Rule) for .a-level items."""
    ctx, ship = w.ctx, w.ship
    tier1 = w.read(P740 + "ai_diffusion.supp5_para_a")
    alloc = w.read(P742 + "ai_diffusion_country_allocation_tpp")
    cit = alloc.citation if alloc else ctx.version_citation
    conds: tuple[str, ...] = ()
    if ctx.in_scope(ship.destination, D5MO):
        cbc = case_by_case_2026(w)
        if cbc is not None:
            return cbc
        policy, detail = "presumption_of_denial", f"{ship.destination} is in Macau or D:5"
    else:
        hit, who = _hq_d5(w, "Under the AI Diffusion Rule the review policy turns on the end user's headquarters.",
                          cit)
        if hit:
            policy, detail = "presumption_of_denial", who
        elif tier1 is not None and ship.destination in tier1.value:
            policy, detail = "presumption_of_approval", "destination in Supp. No. 5 to part 740, para. (a)"
        else:
            cap = f"{alloc.value:,}" if alloc else "the allocation"
            policy = "presumption_of_approval"
            detail = f"presumption of approval within the country allocation of {cap} TPP (2025-2027), then denial"
            conds = (f"cumulative TPP licensed to {ship.destination} stays within the {cap} TPP allocation",)
    w.step("ear.742.6.b.10.iii", "What review policy meets a licence application (AI Diffusion Rule)?",
           f"{policy.replace('_', ' ')}: {detail}", cit)
    return policy, conds


def hbm(w: Work) -> None:
    """3A090.c high bandwidth memory: licence to Macau/D:5 and for Macau/D:5-headquartered entities."""
    ctx, ship = w.ctx, w.ship
    if "hbm_3a090c" not in ctx.features:
        return
    scope = w.read(P742 + "hbm_destinations")
    if scope is None:
        return
    compliance = w.read(P742 + "hbm_compliance_date")
    if compliance is not None and ctx.as_of.isoformat() < str(compliance.value):
        w.step("ear.742.6.a.6.i.B", "Is compliance with the 3A090.c (HBM) licence requirement due on this date?",
               f"no: published and effective 2024-12-02, compliance from {compliance.value}", compliance.citation,
               "A transition: the requirement is in the regulations, but compliance is not yet required.",
               status="info", params=(compliance,))
        w.warn(f"3A090.c high bandwidth memory: the licence requirement takes effect for compliance on "
               f"{compliance.value}; plan for it.")
        return
    inside = ctx.in_scope(ship.destination, scope.value)
    hq_hit, who = _hq_d5(w, "High bandwidth memory needs a licence for Macau/D:5-headquartered entities wherever "
                         "located, and their review policy is a presumption of denial.", scope.citation)
    w.step("ear.742.6.a.6.i.B", f"Is {ship.destination} in {ctx.describe_scope(scope.value)}, or the entity the "
           "item is destined to headquartered there?", ("yes: " + (who or ship.destination)) if (inside or hq_hit)
           else "no", scope.citation, params=(scope,))
    if inside or hq_hit:
        policy = "presumption_of_denial" if hq_hit else "presumption_of_approval"
        w.require("ear.742.6.a.6.i.B" if inside else "ear.744.23.a.3.i.B",
                  "3A090.c high bandwidth memory needs a licence to Macau/D:5 and for Macau/D:5-headquartered "
                  "entities.", scope.citation, policy, allows_exceptions=True)
