"""Licence determination: may this item go to this party, in this country, on this date?

One function, ``determine``, reads the features switched on by ``regulations/rule_versions.yaml`` for the date and
view, and the dated parameters (destination scopes, country groups, thresholds) with their citations. Each
requirement found is a ``Reason`` with its citation and its own review policy; the answer's review policy is the
most restrictive of them. Licence exceptions are offered only where every requirement found permits them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from chipcontrol.model.citation import Citation
from chipcontrol.model.decision import Classification, Determination, LicenseException, Reason
from chipcontrol.model.shipment import Shipment
from chipcontrol.model.spec import ChipSpec
from chipcontrol.model.trace import ParamRead, TraceStep
from chipcontrol.rules.ear import metrics
from chipcontrol.rules.ruleset import Obligation, RuleContext

P742 = "ear.part_742.sec_742_6."
P744 = "ear.part_744.sec_744_23."
P740 = "ear.part_740."
_GROUPS_CITATION = Citation(source_id="ear-supp1-740-baseline", title="Country Groups", cfr="15 CFR 740 Supp. No. 1",
                            document="Supplement No. 1 to Part 740, as in force on the date (dated data with its "
                            "change log in regulations/ear/part_740/supp_1/)", verification="S")
POLICY_ORDER = {"presumption_of_approval": 1, "case_by_case": 2, "presumption_of_denial": 3}


@dataclass(slots=True)
class _Found:
    reason: Reason
    policy: str | None
    allows_exceptions: bool
    conditions: tuple[str, ...] = ()


@dataclass(slots=True)
class _Work:
    spec: ChipSpec
    cls: Classification
    ship: Shipment
    ctx: RuleContext
    steps: list[TraceStep] = field(default_factory=list)
    found: list[_Found] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    indeterminate: bool = False

    def read(self, name: str) -> ParamRead | None:
        return self.ctx.read(name)

    def step(self, rule_id: str, question: str, answer: str, citation: Citation, detail: str = "",
             status: str = "ok", params: tuple[ParamRead, ...] = ()) -> None:
        self.steps.append(TraceStep(rule_id, question, answer, citation, detail, status, (), params))

    def require(self, rule_id: str, detail: str, citation: Citation, policy: str | None, *,
                allows_exceptions: bool, kind: str = "license_required", conditions: tuple[str, ...] = ()) -> None:
        self.found.append(_Found(Reason(rule_id, detail, citation, kind), policy, allows_exceptions, conditions))


def _group_label(ctx: RuleContext, country: str) -> str:
    groups = ctx.groups_of(country)
    return f"{country} ({', '.join(g[0] + ':' + g[1:] for g in groups)})" if groups else country


def _hq_in(ctx: RuleContext, hq: str | None, scope: Any) -> bool:
    return hq is not None and ctx.in_scope(hq, scope)


def _normalise_company(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.lower()).strip()


def obligation_covers_item(ob: Obligation, spec: ChipSpec) -> tuple[bool, str]:
    """Does an exporter-specific letter's product description cover this item? Returns (covered, why)."""
    name = spec.accelerator.name if (spec.item_type == "computer" and spec.accelerator) else spec.name
    for model in ob.models:
        if re.search(rf"(?<![A-Za-z0-9]){re.escape(model)}(?![A-Za-z0-9])", name, re.IGNORECASE):
            return True, f"named product {model}"
    target = spec.accelerator if (spec.item_type == "computer" and spec.accelerator) else spec

    def value_of(param: str) -> float | None:
        if param == "tpp":
            return metrics.tpp(target).value
        v = getattr(target, param, None)
        return float(v) if isinstance(v, (int, float)) else None

    def met(param: str, op: str, threshold: float) -> bool:
        value = value_of(param)
        return value is not None and (value >= threshold if op == "gte" else value > threshold)

    for param, op, threshold in ob.any_of:
        if met(param, op, threshold):
            return True, f"{param} {value_of(param):g} reaches {threshold:g}"
    if ob.all_of and all(met(*c) for c in ob.all_of):
        return True, " and ".join(f"{p} {value_of(p):g} reaches {t:g}" for p, _, t in ob.all_of)
    return False, ""


def exporter_matches(ob: Obligation, exporter: str | None) -> bool:
    """An obligation binds its named exporter only; ``*`` (used by what-if scenario rules) binds every exporter."""
    if ob.exporter == "*":
        return True
    if not exporter:
        return False
    e = _normalise_company(exporter)
    names = [_normalise_company(n) for n in (ob.exporter, *ob.exporter_aliases)]
    return any(e == n or e.startswith(n + " ") for n in names)


def determine(spec: ChipSpec, cls: Classification, ship: Shipment, ctx: RuleContext) -> Determination:
    """Licence requirements, review policy and licence exceptions for one shipment on ``ctx.as_of``."""
    w = _Work(spec, cls, ship, ctx)
    dest = ship.destination
    w.step("ear.734.destination", "Where does the item go, from where?",
           f"{_group_label(ctx, dest)} from {ship.origin} ({ship.transaction.replace('_', ' ')})",
           _GROUPS_CITATION,
           "Country groups as in force on the date (Supp. No. 1 to part 740); Hong Kong is treated as China.")
    if dest == "US" and ship.origin == "US":
        w.step("ear.734.export", "Is this an export, reexport or transfer subject to the EAR?", "no: the item stays "
               "in the United States", ctx.version.citation)
        return _assemble(w)
    _embargo(w)
    _party_hits(w)
    if cls.level in ("a", "b"):
        _advanced_computing(w)
    elif cls.level == "c":
        _hbm(w)
    else:
        w.step("ear.742.6.a.6", "Is the item an advanced computing item (3A090, 4A090 or .z)?",
               "no" + (" (indeterminate: " + ", ".join(cls.missing) + " unknown)" if cls.indeterminate else ""),
               cls.rule_citation, status="indeterminate" if cls.indeterminate else "ok")
        if cls.indeterminate:
            w.indeterminate = True
    _obligations(w)
    _end_uses(w)
    return _assemble(w)


# ------------------------------------------------------------------------------------------------ requirements
def _embargo(w: _Work) -> None:
    read = w.read("ear.part_746.embargoed_destinations")
    if read is None:
        return
    section = read.value.get(w.ship.destination)
    if section:
        cit = Citation(**{**_cit_fields(read.citation), "cfr": section})
        w.require("ear.746", f"{w.ship.destination} is under embargo or special controls ({section}); a licence is "
                  "required for items on the Commerce Control List.", cit, "presumption_of_denial",
                  allows_exceptions=False)
        w.step("ear.746", "Is the destination embargoed or under part 746 special controls?", f"yes: {section}", cit)


def _cit_fields(c: Citation) -> dict[str, Any]:
    return {k: getattr(c, k) for k in ("source_id", "title", "cfr", "fr", "fr_doc", "published", "effective", "url",
                                        "document", "note", "verification")}


def _list_label(list_id: str) -> str:
    return {"entity_list": "Entity List", "meu": "Military End-User List", "dpl": "Denied Persons List",
            "1260h": "Section 1260H list", "ns_cmic": "NS-CMIC list"}.get(list_id, f"{list_id} list")


def _party_hits(w: _Work) -> None:
    for hit in w.ship.party_hits:
        cit = hit.citation
        if hit.kind == "informational":
            w.warnings.append(f"{hit.party} matches {hit.listed_name} on the {_list_label(hit.list)} "
                              f"(score {hit.score:.2f}): {hit.detail}")
            w.step(f"screening.{hit.list}", f"Is {hit.party} on a restricted-party list?",
                   f"listed (informational): {hit.listed_name}", cit, hit.detail, status="info")
            continue
        more = (f" Also matches {len(hit.also_matched)} other entr{'y' if len(hit.also_matched) == 1 else 'ies'} on "
                f"this list: {'; '.join(hit.also_matched[:5])}." if hit.also_matched else "")
        w.require(f"screening.{hit.list}", f"{hit.party} matches {hit.listed_name} on the {_list_label(hit.list)} "
                  f"(score {hit.score:.2f}): {hit.detail}{more}", cit,
                  None if hit.kind == "prohibited" else (hit.review_policy or "presumption_of_denial"),
                  allows_exceptions=False, kind=hit.kind)
        w.step(f"screening.{hit.list}", f"Is {hit.party} on a restricted-party list?",
               f"yes: {hit.listed_name} ({hit.list})", cit, hit.detail)


def _advanced_computing(w: _Work) -> None:
    ctx, ship, cls = w.ctx, w.ship, w.cls
    dest, hq = ship.destination, ship.end_user_hq
    level_name = f"{cls.paragraph} ({'.a' if cls.level == 'a' else '.b'}-level)"
    covered = False
    if "ai_diffusion" in ctx.features and cls.level == "a":
        read = w.read(P742 + "a_level_worldwide")
        if read is not None and read.value:
            covered = True
            policy, conds = _review_ai_diffusion(w)
            w.require("ear.742.6.a.6.iii.A", f"{level_name} items need a licence to all destinations (AI Diffusion "
                      "Rule, law as written).", read.citation, policy, allows_exceptions=True, conditions=conds)
            w.step("ear.742.6.a.6.iii.A", "Does the worldwide licence requirement for .a-level items apply?", "yes",
                   read.citation, params=(read,))
    scope_read = w.read(P742 + "advanced_computing_destinations")
    if not covered and "rs_advanced_computing" in ctx.features and scope_read is not None:
        inside = ctx.in_scope(dest, scope_read.value)
        w.step("ear.742.6.a.6", f"Is {dest} within the advanced-computing licence scope "
               f"({ctx.describe_scope(scope_read.value)})?", "yes" if inside else "no", scope_read.citation,
               params=(scope_read,))
        if inside:
            covered = True
            policy, conds = _review_destination(w)
            w.require("ear.742.6.a.6", f"{level_name} items need a licence to {_group_label(ctx, dest)}.",
                      scope_read.citation, policy, allows_exceptions=True, conditions=conds)
    hq_read = w.read(P744 + "headquarters_rule")
    if not covered and "hq_rule" in ctx.features and hq_read is not None:
        hq_hit = _hq_in(ctx, hq, hq_read.value)
        w.step("ear.744.23.a.3", "Is the end user, or its ultimate parent, headquartered in "
               f"{ctx.describe_scope(hq_read.value)}?",
               "unknown (no headquarters given)" if hq is None else ("yes: " + hq if hq_hit else "no: " + hq),
               hq_read.citation, params=(hq_read,))
        if hq_hit:
            covered = True
            if cls.datacenter is not False and cls.level == "a":
                policy = "presumption_of_denial"
                why = "datacenter items meeting 3A090.a are excluded from case-by-case review"
            else:
                policy, why = "case_by_case", "non-datacenter or .b-level items are reviewed case by case"
            w.require("ear.744.23.a.3.i", f"{level_name} items need a licence for an entity headquartered (or with "
                      f"an ultimate parent) in {hq}, wherever located; {why} (744.23(d)).", hq_read.citation, policy,
                      allows_exceptions=True)
    if not covered:
        w.step("ear.742.6.a.6.result", "Does any advanced-computing licence requirement apply?", "no",
               scope_read.citation if scope_read else cls.rule_citation)


def _review_destination(w: _Work) -> tuple[str, tuple[str, ...]]:
    """Review policy for the destination-based requirement (742.6(b)(10)), with any case-by-case conditions."""
    ctx, ship = w.ctx, w.ship
    denial = w.read(P742 + "denial_destinations")
    in_denial = denial is not None and ctx.in_scope(ship.destination, denial.value)
    hq_scope = w.read(P744 + "headquarters_rule")
    hq_denial = hq_scope is not None and _hq_in(ctx, ship.end_user_hq, hq_scope.value)
    if "review_2022" in ctx.features:
        policy = "presumption_of_denial" if in_denial else "case_by_case"
        if denial is not None:
            w.step("ear.742.6.b.10", "What review policy meets a licence application?", policy, denial.citation,
                   params=(denial,))
        return policy, ()
    if in_denial:
        cbc = _case_by_case_2026(w)
        if cbc is not None:
            return cbc
        policy = "presumption_of_denial"
        detail = f"{ship.destination} is in Macau or D:5"
    elif hq_denial:
        policy, detail = "presumption_of_denial", f"the end user is headquartered in {ship.end_user_hq}"
    else:
        policy = "presumption_of_approval"
        detail = "destination outside D:5/Macau and end user not D:5/Macau-headquartered"
    if denial is not None:
        w.step("ear.742.6.b.10.ii", "What review policy meets a licence application?", f"{policy}: {detail}",
               denial.citation, params=(denial,))
    return policy, ()


def _case_by_case_2026(w: _Work) -> tuple[str, tuple[str, ...]] | None:
    """2026-01-15: case by case for exports from the US to China/Macau below TPP 21,000 and DRAM 6,500 GB/s."""
    ctx, ship, cls = w.ctx, w.ship, w.cls
    if "review_2026_case_by_case" not in ctx.features:
        return None
    dests = w.read(P742 + "case_by_case_destinations")
    max_tpp = w.read(P742 + "case_by_case_max_tpp")
    max_bw = w.read(P742 + "case_by_case_max_dram_bandwidth_gbs")
    if dests is None or max_tpp is None or max_bw is None or not ctx.in_scope(ship.destination, dests.value):
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
        w.step("ear.742.6.b.10.cbc", question, "unknown: " + ("TPP" if tpp is None else "DRAM bandwidth") +
               " not known", max_tpp.citation, status="indeterminate", params=params)
        w.warnings.append("Case-by-case eligibility under the 2026 review policy could not be decided: "
                          "total DRAM bandwidth or TPP unknown.")
        return None
    ok = tpp < float(max_tpp.value) and bw < float(max_bw.value)
    w.step("ear.742.6.b.10.cbc", question, f"{'yes' if ok else 'no'}: TPP {tpp:g}, DRAM bandwidth {bw:g} GB/s",
           max_tpp.citation, params=params)
    if not ok:
        return None
    conditions = (
        "item commercially available in the United States when the rule was published (2026-01-15)",
        "exporter certifies sufficient US supply; the export will not delay US orders",
        "production for China/Macau will not divert foundry capacity needed for US customers",
        "aggregate shipments to China/Macau no more than 50% of units shipped to US end users",
        "recipient has adequate security procedures, rigorous KYC and prevention of unauthorized remote access",
        "independent third-party testing in the United States verifies the performance before export",
        "not prohibited by end-user or end-use controls",
    )
    return "case_by_case", conditions


def _review_ai_diffusion(w: _Work) -> tuple[str, tuple[str, ...]]:
    """742.6(b)(10)(iii) as written (AI Diffusion Rule) for .a-level items."""
    ctx, ship = w.ctx, w.ship
    hq_scope = w.read(P744 + "headquarters_rule")
    d5 = hq_scope.value if hq_scope else {"groups": ["D5"], "countries": ["MO"]}
    tier1 = w.read(P740 + "ai_diffusion.supp5_para_a")
    alloc = w.read(P742 + "ai_diffusion_country_allocation_tpp")
    cit = alloc.citation if alloc else ctx.version.citation
    conds: tuple[str, ...] = ()
    if ctx.in_scope(ship.destination, d5):
        cbc = _case_by_case_2026(w)
        if cbc is not None:
            return cbc
        policy, detail = "presumption_of_denial", f"{ship.destination} is in Macau or D:5"
    elif _hq_in(ctx, ship.end_user_hq, d5):
        policy, detail = "presumption_of_denial", f"end user headquartered in {ship.end_user_hq}"
    elif tier1 is not None and ship.destination in tier1.value:
        policy, detail = "presumption_of_approval", "destination in Supp. No. 5 to part 740, para. (a)"
    else:
        cap = f"{alloc.value:,}" if alloc else "the allocation"
        policy = "presumption_of_approval"
        detail = f"presumption of approval within the country allocation of {cap} TPP (2025-2027), then denial"
        conds = (f"cumulative TPP licensed to {ship.destination} stays within the {cap} TPP allocation",)
    w.step("ear.742.6.b.10.iii", "What review policy meets a licence application (AI Diffusion Rule)?",
           f"{policy}: {detail}", cit)
    return policy, conds


def _hbm(w: _Work) -> None:
    ctx, ship = w.ctx, w.ship
    if "hbm_3a090c" not in ctx.features:
        return
    scope = w.read(P742 + "hbm_destinations")
    hq_scope = w.read(P744 + "headquarters_rule")
    if scope is None:
        return
    inside = ctx.in_scope(ship.destination, scope.value)
    hq_hit = hq_scope is not None and _hq_in(ctx, ship.end_user_hq, hq_scope.value)
    w.step("ear.742.6.a.6.i.B", f"Is {ship.destination} in {ctx.describe_scope(scope.value)}, or the end user "
           "headquartered there?", "yes" if (inside or hq_hit) else "no", scope.citation, params=(scope,))
    if inside or hq_hit:
        policy = "presumption_of_denial" if hq_hit else "presumption_of_approval"
        w.require("ear.742.6.a.6.i.B" if inside else "ear.744.23.a.3.i.B",
                  "3A090.c high bandwidth memory needs a licence to Macau/D:5 and for Macau/D:5-headquartered "
                  "entities.", scope.citation, policy, allows_exceptions=True)


def _obligations(w: _Work) -> None:
    ctx, ship = w.ctx, w.ship
    for ob in ctx.ruleset.obligations:
        if not ob.in_force(ctx.as_of):
            continue
        covered, why = obligation_covers_item(ob, w.spec)
        if not covered:
            continue
        dest_hit = ctx.in_scope(ship.destination, ob.destinations)
        hq_hit = _hq_in(ctx, ship.end_user_hq, ob.end_user_hq)
        if not (dest_hit or hq_hit):
            continue
        if not exporter_matches(ob, ship.exporter):
            msg = (f"An {ob.kind.replace('_', ' ')} to {ob.exporter} ({ob.id}, from {ob.effective}) covers this item "
                   f"({why}) for this destination; it binds {ob.exporter} only"
                   + (" — no exporter was given." if not ship.exporter else f", not {ship.exporter}."))
            w.warnings.append(msg)
            w.step(f"ear.744.is_informed.{ob.id}", "Does an exporter-specific letter bind this exporter?",
                   f"no: it binds {ob.exporter}", ob.citation, msg, status="info")
            continue
        target = f"{ship.destination}" if dest_hit else f"an entity headquartered in {ship.end_user_hq}"
        w.require(f"ear.744.is_informed.{ob.id}", f"{ob.exporter} was informed that a licence is required for this "
                  f"item ({why}) to {target}. {ob.description}", ob.citation, ob.review_policy,
                  allows_exceptions=False, conditions=(ob.review_policy_note,) if ob.review_policy_note else ())
        w.step(f"ear.744.is_informed.{ob.id}", "Does an exporter-specific is-informed letter apply?",
               f"yes: {ob.exporter}, {why}", ob.citation, ob.review_policy_note)


def _end_uses(w: _Work) -> None:
    ctx, ship = w.ctx, w.ship
    if "end_use_744_23" not in ctx.features:
        return
    for use, param, text in (
        ("supercomputer", "supercomputer_destinations", "for a 'supercomputer' end use"),
        ("advanced_node_fab", "advanced_node_fab_destinations", "for the development or production of ICs at an "
         "advanced-node fabrication facility"),
    ):
        read = w.read(P744 + param)
        if read is None:
            continue
        asked = use in ship.end_uses
        inside = ctx.in_scope(ship.destination, read.value)
        w.step(f"ear.744.23.{use}", f"Is the item {text} in {ctx.describe_scope(read.value)}?",
               "yes" if (asked and inside) else ("no" if asked or not inside else "not declared by the user"),
               read.citation, "End-use controls are answered by the user (knowledge of the end use).",
               params=(read,))
        if asked and inside:
            w.require(f"ear.744.23.{use}", f"Licence required {text} in {ship.destination} (§ 744.23).",
                      read.citation, "presumption_of_denial", allows_exceptions=False)


# ------------------------------------------------------------------------------------------------ exceptions
def _exceptions(w: _Work) -> list[LicenseException]:
    ctx, ship, cls = w.ctx, w.ship, w.cls
    if not w.found or not all(f.allows_exceptions for f in w.found):
        if w.found and any(f.allows_exceptions for f in w.found):
            w.step("ear.740.2", "May a licence exception be used?", "no: another requirement (part 744/746 or an "
                   "is-informed letter) rules exceptions out", ctx.version.citation)
        return []
    out: list[LicenseException] = []
    dest, hq = ship.destination, ship.end_user_hq
    d5mo = {"groups": ["D5"], "countries": ["MO"]}
    dc_a = cls.level == "a" and cls.datacenter is not False
    days = w.read(P740 + "sec_740_8.nac_notice_days")
    notice = int(days.value) if days else 25
    nac_conditions = (
        "written purchase order before shipment (commercial samples excepted)",
        f"notify BIS through SNAP-R at least {notice} calendar days before export or reexport, with the TPP, the "
        "performance density and a datasheet showing whether the item is designed or marketed for datacenters",
        "ship only after BIS confirms (STELA) that NAC may be used, or the notice period ends without objection",
        "one notification may cover several shipments to the same end user up to the notified value and quantity",
    )
    if cls.level in ("a", "b") and ("nac_2023" in ctx.features or "nac_aca_2024" in ctx.features):
        cit = days.citation if days else ctx.version.citation
        if dc_a:
            w.step("ear.740.8", "Is the item eligible for NAC/ACA?", "no: datacenter items meeting 3A090.a are "
                   "excluded" + (" (datacenter flag unknown)" if cls.datacenter is None else ""), cit)
        elif "nac_2023" in ctx.features:
            notify = ctx.in_scope(dest, d5mo) or _hq_in(ctx, hq, d5mo)
            out.append(LicenseException("NAC", "15 CFR 740.8", nac_conditions if notify else (
                "no notification needed for D:1/D:4 destinations outside D:5/Macau",), cit,
                "Notified Advanced Computing (2023 text)"))
        elif ctx.in_scope(dest, d5mo) or _hq_in(ctx, hq, d5mo):
            out.append(LicenseException("NAC", "15 CFR 740.8(a)(2)", nac_conditions, cit,
                                        "Notified Advanced Computing: Macau/D:5 or Macau/D:5-headquartered end users"))
        elif ctx.in_group(dest, "D1") or ctx.in_group(dest, "D4"):
            out.append(LicenseException("ACA", "15 CFR 740.8(a)(1)", (
                "no notification to BIS", "not for Macau/D:5 or entities headquartered there"), cit,
                "Advanced Computing Authorized: D:1/D:4 destinations"))
    if cls.level == "c" and "hbm_3a090c" in ctx.features:
        hbm = w.read(P740 + "sec_740_25.hbm_max_density")
        density = w.spec.memory_bandwidth_density
        if hbm is not None and density is not None and density < float(hbm.value):
            out.append(LicenseException("HBM", "15 CFR 740.25", (
                "exporter headquartered in the US or A:5, with no D:5/Macau ultimate parent",
                "sold directly to the designer of the co-packaged commodity and shipped directly to the packaging site",
                "finished packages must not exceed the 3A090 parameters (3A090.a/.b outside US/A:5/A:6 sites, with "
                "return to the exporter and unit reconciliation)",
                "no distributors; no co-packaging at an advanced-node IC facility in Macau/D:5",
            ), hbm.citation, f"memory bandwidth density {density:g} < {hbm.value:g} GB/s/mm2"))
    if "ai_diffusion" in ctx.features and cls.level == "a":
        out.extend(_ai_diffusion_exceptions(w, d5mo))
    return out


def _ai_diffusion_exceptions(w: _Work, d5mo: dict[str, list[str]]) -> list[LicenseException]:
    ctx, ship, cls = w.ctx, w.ship, w.cls
    dest, hq = ship.destination, ship.end_user_hq
    out: list[LicenseException] = []
    if ctx.in_scope(dest, d5mo) or _hq_in(ctx, hq, d5mo):
        return out
    lpp = w.read(P740 + "ai_diffusion.lpp_tpp_per_year")
    tier1 = w.read(P740 + "ai_diffusion.supp5_para_a")
    aia = w.read(P740 + "ai_diffusion.aia_certification_tpp")
    if tier1 is not None and dest in tier1.value and (hq is None or hq in tier1.value):
        out.append(LicenseException("AIA", "15 CFR 740.27", (
            "ultimate consignee located in, and not headquartered outside, a Supp. No. 5 para. (a) destination",
            "item designed by an approved or authorized IC designer (for 3A090.a ICs)",
            "one-time consignee certification"
            + (f"; submit it to BIS once cumulative TPP received reaches {aia.value:,}" if aia else ""),
        ), aia.citation if aia else tier1.citation, "Artificial Intelligence Authorization (law as written)"))
    if lpp is not None:
        conds = [f"no more than {lpp.value:,} TPP per ultimate consignee per calendar year",
                 "not through distributors", "consignee certification"]
        qty_ok = True
        if ship.quantity is not None and cls.tpp is not None:
            total = ship.quantity * cls.tpp
            qty_ok = total <= float(lpp.value)
            conds.append(f"this shipment: {ship.quantity} x TPP {cls.tpp:g} = {total:,.0f} TPP")
        if qty_ok:
            out.append(LicenseException("LPP", "15 CFR 740.29 (section number unverified)", tuple(conds),
                                        lpp.citation, "Low Processing Performance (law as written)"))
        else:
            w.step("ear.740.lpp", "Is the quantity within License Exception LPP?", "no: "
                   f"{ship.quantity} x {cls.tpp:g} exceeds {lpp.value:,} TPP", lpp.citation)
    out.append(LicenseException("ACM", "15 CFR 740.28", (
        "development, production or storage by a private-sector end user",
        "items ultimately destined outside Macau and D:5", "per-facility accounting, updated at least every six months",
    ), lpp.citation if lpp else ctx.version.citation, "Advanced Compute Manufacturing (law as written)"))
    return out


# ------------------------------------------------------------------------------------------------ assembly
def _assemble(w: _Work) -> Determination:
    ctx = w.ctx
    exceptions = _exceptions(w)
    prohibited = any(f.reason.kind == "prohibited" for f in w.found)
    required = [f for f in w.found if f.reason.kind in ("license_required", "prohibited")]
    policies = [f.policy for f in required if f.policy]
    policy = max(policies, key=lambda p: POLICY_ORDER.get(p, 0)) if policies else None
    conditions: list[str] = []
    for f in required:
        if f.policy == policy:
            conditions.extend(c for c in f.conditions if c not in conditions)
    view_note = ""
    if ctx.view == "enforced" and ctx.not_applied:
        view_note = " ".join(f"{v.id}: {v.enforcement_note}" for v in ctx.not_applied if v.enforcement_note)
    elif ctx.view == "as_written" and any("as_written" in v.views and "enforced" not in v.views
                                          for v in ctx.versions_in_force):
        view_note = ("Law as written: includes rules BIS announced it would not enforce (AI Diffusion Rule, "
                     "non-enforcement announced 2025-05-13; GAO B-337935 holds it remains in force).")
    return Determination(
        as_of=ctx.as_of, view=ctx.view, rule_version=ctx.version.id, classification=w.cls,
        destination=w.ship.destination, license_required=bool(required), prohibited=prohibited,
        review_policy=None if prohibited else policy, review_conditions=tuple(conditions),
        reasons=tuple(f.reason for f in w.found), license_exceptions=tuple(exceptions),
        trace=(*w.cls.trace, *w.steps), indeterminate=w.indeterminate, warnings=tuple(w.warnings),
        view_note=view_note, inputs=w.ship.to_dict())
