"""Part 744, control policy: end-user and end-use based.

- 744.11 and Supp. No. 4: Entity List parties in a covered role (purchaser, intermediate or ultimate consignee, end
  user); 744.21 and Supp. No. 7: military end users; Denied Persons (764.3, a prohibition in any role).
- The Affiliates Rule (90 FR 47201; Supp. No. 8 to part 744): an entity owned 50 percent or more, directly or
  indirectly, individually or in aggregate, by listed parties takes on the most restrictive owner's licence
  requirement, review policy and exception bar; stayed 2025-11-10 through 2026-11-09 (90 FR 50857), dated data.
- 744.23: end uses (supercomputer, advanced-node fabrication) as declared by the user.
- Exporter-specific "is-informed" letters (744.21(b), 744.23(b)), scoped to their exporter and its products.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from chipcontrol.model.citation import Citation
from chipcontrol.model.decision import LicenseException, PartyFinding
from chipcontrol.model.shipment import ROLE_LABELS, Party, PartyHit
from chipcontrol.model.spec import ChipSpec
from chipcontrol.rules.ear import metrics, ownership
from chipcontrol.rules.ear.facts import yes_no
from chipcontrol.rules.ear.work import D5MO, POLICY_ORDER, Work
from chipcontrol.rules.ruleset import Obligation, RuleContext, derived_read

P744 = "ear.part_744."
AFFILIATES = P744 + "sec_744_11.affiliates_rule"
COVERED_ROLES = P744 + "sec_744_11.covered_roles"
LIST_LABELS = {"entity_list": "Entity List", "meu": "Military End-User List", "dpl": "Denied Persons List",
               "1260h": "Section 1260H list", "ns_cmic": "NS-CMIC list", "sdn": "SDN list", "uvl": "Unverified List"}
_EFFECT_ORDER = {"informational": 0, "license_required": 1, "prohibited": 2}


def list_label(list_id: str) -> str:
    return LIST_LABELS.get(list_id, f"{list_id} list")


# ------------------------------------------------------------------------------------------------ affiliates rule
def affiliates_in_force(w: Work) -> tuple[bool, Any]:
    """Is the Affiliates Rule applied on this date? Returns (in force, the parameter as in force, or None).
    Records only whether it is applied (``@derived:affiliates_applied``): a caller that goes on to use the
    parameter's lists or presence reads its ``lists`` entry, and one that cites it reads it whole."""
    return bool(w.ctx.derived(APPLIED)), w.ctx.read_for_trace(AFFILIATES)


APPLIED = "affiliates_applied"


@derived_read(APPLIED)
def _applied_on(ctx: RuleContext) -> bool:
    """Is the Affiliates Rule in force and not stayed on the context's day? (False where it is not in force.)"""
    read = ctx.read_for_trace(AFFILIATES)
    return read is not None and _applied_value(read.value, ctx.as_of)


def _applied(w: Work, read: Any) -> bool:
    return _applied_value(read.value, w.ctx.as_of)


def _applied_value(value: Mapping[str, Any], as_of: dt.date) -> bool:
    day = as_of.isoformat()
    stayed_from, stayed_to = value.get("stayed_from"), value.get("stayed_through")
    if stayed_from and stayed_from <= day and (not stayed_to or day <= stayed_to):
        return False
    return bool(value.get("in_force"))


def _counts_for_affiliates(hit: PartyHit, lists: tuple[str, ...]) -> bool:
    if hit.kind == "informational":
        return False
    if hit.list == "sdn":
        return "sdn" in lists and bool(hit.programs)
    return hit.list in lists


def _listed_hits(w: Work, name: str, lists: tuple[str, ...]) -> list[PartyHit]:
    return [h for h in w.ship.hits_of(name) if _counts_for_affiliates(h, lists)]


# ------------------------------------------------------------------------------------------------ parties
def restricted_parties(w: Work) -> None:
    """Is a party to the transaction, or 50 % of its ownership, on a list with legal effect, in a covered role?"""
    parties = w.all_parties()
    if not parties and not w.ship.exporter_hits:
        return
    roles_read = w.read(P744 + "sec_744_11.covered_roles")
    covered: tuple[str, ...] = tuple(roles_read.value) if roles_read is not None else (
        "purchaser", "intermediate_consignee", "ultimate_consignee", "end_user")
    # the rule can reach a party only through given ownership or a name resembling a listed group (see _party);
    # otherwise its status is shown in the trace only
    reaches = bool(w.ship.ownership) or any(p.resembles and p.role in covered for p in parties)
    in_force, aff_read = affiliates_in_force(w) if reaches else (False, None)
    lists: tuple[str, ...] = tuple(aff_read.value.get("lists", ())) if aff_read is not None else ()
    shares: dict[str, ownership.Share] = {}
    if w.ship.ownership:
        if any(w.ship.hits_of(n) for link in w.ship.ownership for n in (link.owner, link.owned)):
            w.ctx.entry(AFFILIATES, "lists")  # which lists count decides the listed shares
        shares = _shares(w, lists, parties)
    for hit in w.ship.exporter_hits:
        _exporter_hit(w, hit)
    for party in parties:
        _party(w, party, covered, in_force, aff_read, lists, shares.get(party.name))
    if aff_read is not None:
        _affiliates_step(w, in_force, aff_read)
    elif not reaches and (shown := w.ctx.read_for_trace(AFFILIATES)) is not None:
        _affiliates_step(w, _applied(w, shown), shown)


_SHARES: dict[tuple[int, tuple[str, ...]], tuple[Any, dict[str, ownership.Share]]] = {}


def _shares(w: Work, lists: tuple[str, ...], parties: tuple[Party, ...]) -> dict[str, ownership.Share]:
    """Listed shares of every party: computed once per shipment and set of lists (the same in every branch)."""
    key = (id(w.ship), lists)
    found = _SHARES.get(key)
    if found is not None and found[0] is w.ship:
        return found[1]
    listed = {n for link in w.ship.ownership for n in (link.owner, link.owned) if _listed_hits(w, n, lists)}
    if listed:
        shares = ownership.listed_shares(w.ship.ownership, lambda n: n in listed, [p.name for p in parties])
    else:  # no listed owner anywhere in the chains: every share is nil, no arithmetic needed
        owned = {ownership.key(link.owned) for link in w.ship.ownership}
        shares = {p.name: ownership.Share(Fraction(0), ()) for p in parties
                  if ownership.key(p.name) in owned}
    if len(_SHARES) > 2048:
        _SHARES.clear()
    _SHARES[key] = (w.ship, shares)
    return shares


def _exporter_hit(w: Work, hit: PartyHit) -> None:
    who = f"The exporter {hit.party}"
    if hit.kind == "prohibited":
        w.require(f"screening.{hit.list}", f"{who} matches {hit.listed_name} on the {list_label(hit.list)}: "
                  f"{hit.detail}", hit.citation, None, allows_exceptions=False, kind="prohibited")
        w.step(f"screening.{hit.list}.exporter", f"Is {who.lower()} on a restricted-party list?",
               f"yes: {hit.listed_name} ({list_label(hit.list)}): prohibited", hit.citation, status="fail")
    elif hit.kind == "license_required":
        w.warn(f"{who} matches {hit.listed_name} on the {list_label(hit.list)}: a listed exporter is not itself a "
               "ground for a licence under 744.11, but a transaction in items it produced or holds is a red flag "
               "for diversion (General Prohibition 10; Supp. No. 3 to part 732).")
        w.step(f"screening.{hit.list}.exporter", f"Is {who.lower()} on a restricted-party list?",
               f"yes: {hit.listed_name} ({list_label(hit.list)}); not a covered role", hit.citation, status="warning")


def _party(w: Work, party: Party, covered: tuple[str, ...], in_force: bool, aff_read: Any,
           lists: tuple[str, ...], share: ownership.Share | None) -> None:
    effects: list[str] = []
    for hit in party.hits:
        effects.append(_hit(w, party, hit, covered))
    listed_share = float(share.percent) if share is not None else None
    chains = share.describe() if share is not None else ()
    affiliate = False
    owned = share is not None and share.percent > 0
    asks = not owned and in_force and bool(party.resembles) and not _owners_given(w, party)
    if party.role in covered and (owned or asks):
        # whether the rule is in force at all, and which lists count, decide whether the party can be an affiliate
        w.ctx.entry(AFFILIATES, "lists")
        if aff_read is not None and not any(h.list in lists and h.kind != "informational" for h in party.hits):
            if owned:
                assert share is not None
                affiliate = share.affiliate and in_force
                effects.append(_affiliate(w, party, share, in_force, aff_read, lists))
            else:
                effects.append(_resemblance_question(w, party, aff_read, lists))
    w.parties.append(PartyFinding(
        role=party.role, name=party.name, country=party.country, hq=party.hq,
        hits=tuple(_hit_dict(h) for h in party.hits), listed_share=listed_share, chains=chains,
        affiliate=affiliate, effect="; ".join(e for e in effects if e),
        resembles=tuple(f"{h.listed_name} ({list_label(h.list)})" for h in party.resembles)))


def _owners_given(w: Work, party: Party) -> bool:
    k = ownership.key(party.name)
    return any(ownership.key(link.owned) == k for link in w.ship.ownership)


def _hit_dict(h: PartyHit) -> dict[str, Any]:
    d: dict[str, Any] = {"list": h.list, "listed_name": h.listed_name, "score": round(h.score, 4), "kind": h.kind,
                         "detail": h.detail, "citation": h.citation.short()}
    if h.entry_id:
        d["entry_id"] = h.entry_id
    if h.entry_version:
        d["entry_version"] = h.entry_version
    if h.review_policy:
        d["review_policy"] = h.review_policy
    if h.also_matched:
        d["also_matched"] = list(h.also_matched)
    return d


def _hit(w: Work, party: Party, hit: PartyHit, covered: tuple[str, ...]) -> str:
    role = ROLE_LABELS.get(party.role, party.role)
    label = f"{party.name} ({role})"
    if hit.kind == "informational":
        w.warn(f"{label} matches {hit.listed_name} on the {list_label(hit.list)} (score {hit.score:.2f}): "
               f"{hit.detail}")
        w.step(f"screening.{hit.list}", f"Is {label} on a restricted-party list?",
               f"listed (informational): {hit.listed_name}", hit.citation, hit.detail, status="info")
        return f"informational listing on the {list_label(hit.list)}"
    more = (f" Also matches {len(hit.also_matched)} other entr{'y' if len(hit.also_matched) == 1 else 'ies'} on "
            f"this list: {'; '.join(hit.also_matched[:5])}." if hit.also_matched else "")
    if hit.kind == "prohibited":
        w.require(f"screening.{hit.list}", f"{label} matches {hit.listed_name} on the {list_label(hit.list)} "
                  f"(score {hit.score:.2f}): {hit.detail}{more}", hit.citation, None, allows_exceptions=False,
                  kind="prohibited")
        w.step(f"screening.{hit.list}", f"Is {label} on a restricted-party list?",
               f"yes: {hit.listed_name} ({list_label(hit.list)}): prohibited in any role", hit.citation, hit.detail,
               status="fail")
        return f"prohibited party ({list_label(hit.list)})"
    if party.role not in covered:
        w.warn(f"{label} matches {hit.listed_name} on the {list_label(hit.list)}; the list's licence requirement "
               f"covers the purchaser, consignees and end user, not the {role} — a red flag to resolve.")
        w.step(f"screening.{hit.list}", f"Is {label} on a restricted-party list in a covered role?",
               f"listed ({hit.listed_name}), but the {role} is not a covered role", hit.citation, status="warning")
        return f"listed on the {list_label(hit.list)} (role not covered)"
    w.require(f"screening.{hit.list}", f"{label} matches {hit.listed_name} on the {list_label(hit.list)} "
              f"(score {hit.score:.2f}): {hit.detail}{more}", hit.citation, hit.review_policy or
              "presumption_of_denial", allows_exceptions=False, kind=hit.kind)
    w.step(f"screening.{hit.list}", f"Is {label} on a restricted-party list?",
           f"yes: {hit.listed_name} ({list_label(hit.list)}) as {role}", hit.citation, hit.detail, status="fail")
    if hit.fdp_footnote:
        w.warn(f"{hit.listed_name} carries Entity List footnote {hit.fdp_footnote}: foreign-produced items may be "
               "subject to the EAR under 15 CFR 734.9(e) when it is a party.")
    return f"licence required ({list_label(hit.list)}, as {role})"


def _most_restrictive(hits: list[PartyHit]) -> PartyHit:
    return max(hits, key=lambda h: (_EFFECT_ORDER.get(h.kind, 0), POLICY_ORDER.get(h.review_policy or
                                                                                   "presumption_of_denial", 0)))


def _affiliate(w: Work, party: Party, share: ownership.Share, in_force: bool, read: Any,
               lists: tuple[str, ...]) -> str:
    role = ROLE_LABELS.get(party.role, party.role)
    pct = f"{float(share.percent):g} %"
    chains = "; ".join(share.describe())
    owners = [name for path in share.paths for name, _ in path[:1]]
    owner_hits = [h for name in dict.fromkeys(owners) for h in _listed_hits(w, name, lists)]
    cit: Citation = read.citation
    question = f"Is {party.name} ({role}) owned 50 % or more by listed parties (Affiliates Rule)?"
    if in_force:
        w.read(AFFILIATES)  # its citation reaches the requirement
    else:
        w.step("ear.744.11.affiliates", question, f"listed ownership {pct} ({chains}); the rule is not applied on "
               "this date", cit, status="info")
        return f"listed ownership {pct}; Affiliates Rule not applied on this date"
    if not share.affiliate:
        w.warn(f"{party.name} ({role}) is {pct} owned by listed parties ({chains}): below 50 %, so the Affiliates "
               "Rule does not apply, but significant listed ownership is a red flag (Red Flag 29, Supp. No. 3 to part "
               "732): check for control or other ties before proceeding.")
        w.step("ear.744.11.affiliates", question, f"no: {pct} ({chains}); red flag", cit, status="warning")
        return f"listed ownership {pct} (red flag, under 50 %)"
    worst = _most_restrictive(owner_hits) if owner_hits else None
    kind = worst.kind if worst is not None else "license_required"
    policy = None if kind == "prohibited" else (worst.review_policy if worst and worst.review_policy
                                                 else "presumption_of_denial")
    source = f"{worst.listed_name} ({list_label(worst.list)})" if worst else "its listed owners"
    w.require("ear.744.11.affiliates", f"{party.name} ({role}) is {pct} owned by listed parties ({chains}): under "
              f"the Affiliates Rule it takes the most restrictive owner's restrictions, those of {source} — a licence "
              "for all items subject to the EAR, no licence exceptions"
              + (f", review policy {policy.replace('_', ' ')}" if policy else "") + ".", cit, policy,
              allows_exceptions=False, kind=kind)
    w.step("ear.744.11.affiliates", question, f"yes: {pct} ({chains})", cit,
           "Owned directly or indirectly, individually or in aggregate; an owner that is itself 50 % owned counts "
           "as listed.", status="fail")
    if worst is not None and worst.fdp_footnote:
        w.warn(f"{party.name} takes on {worst.listed_name}'s Entity List footnote {worst.fdp_footnote} "
               "(15 CFR 734.9(e)): foreign-produced items may be subject to the EAR.")
    _transition(w, party)
    return f"affiliate of {source}: licence required"


def _transition(w: Work, party: Party) -> None:
    """The Affiliates Rule's temporary general licence and savings clause, offered with their conditions."""
    day = w.ctx.as_of.isoformat()
    covers = frozenset({"ear.744.11.affiliates"})
    tgl = w.read(P744 + "sec_744_11.affiliates_tgl")
    if tgl is not None and day <= str(tgl.value.get("until")):
        where = w.ship.destination if party.role in ("end_user", "ultimate_consignee") else party.country
        if where is None:
            fact = yes_no(f"{party.role}.located_in_a5_a6", f"Is {party.name} located in a Country Group A:5 or A:6 "
                          "country?", "The Affiliates Rule's temporary general licence covered affiliates located "
                          "there.", tgl.citation, yes="yes", no="no", yes_first=False,
                          answer_with="the party's country (API: parties[].country)")
            located = w.ask(fact) == "yes"
        else:
            located = w.ctx.in_scope(where, tgl.value.get("located_in"))
        if located:
            w.authorizations.append((LicenseException(
                "TGL", "15 CFR part 736, Supp. No. 1 (temporary general licence No. 7; location unverified)", (
                    f"valid until {tgl.value.get('until')}",
                    "only transactions restricted solely by the Affiliates Rule, to or within A:5/A:6 destinations "
                    "(or certain joint ventures with US or allied partners)"), tgl.citation,
                "Temporary general licence for affiliates (scope from secondary sources)"), covers))
    savings = w.read(P744 + "sec_744_11.affiliates_savings")
    if savings is not None and day <= str(savings.value.get("completed_by")):
        w.authorizations.append((LicenseException(
            "SAVINGS", "savings clause of 90 FR 47201", (
                f"the item was en route aboard a carrier to a port of export on {savings.value.get('en_route_on')}, "
                "pursuant to actual orders, under the authorisation that applied before",
                f"the export, reexport or transfer is completed by {savings.value.get('completed_by')}"),
            savings.citation, "Savings clause of the Affiliates Rule"), covers))


def _resemblance_question(w: Work, party: Party, read: Any, lists: tuple[str, ...]) -> str:
    role = ROLE_LABELS.get(party.role, party.role)
    names = "; ".join(dict.fromkeys(h.listed_name for h in party.resembles[:3]))
    w.read(AFFILIATES)  # its citation reaches the question
    fact = yes_no(f"{party.role}.listed_ownership", f"Are listed parties (such as {names}) owners of 50 % or more "
                  f"of {party.name}, directly or indirectly, together?",
                  f"{party.name}'s name resembles listed parties ({names}); the Affiliates Rule (Supp. No. 8 to part "
                  "744) reaches entities 50 % or more owned by them, and Red Flag 29 requires knowing the ownership.",
                  read.citation, yes="yes: 50 % or more owned by listed parties", no="no: less than 50 %",
                  answer_with="--owner 'NAME=PERCENT' or --ownership FILE (API: owners, ownership), or --answer "
                  f"{party.role}.listed_ownership=yes|no")
    answered = fact.id in w.ship.facts
    if w.ask(fact) != "yes":
        if answered:
            w.warn(f"{party.name}'s name resembles listed parties ({names}); you answered that listed parties own "
                   "less than 50 % of it — keep the evidence (Red Flag 29).")
        return ("resembles a listed group; listed ownership under 50 % " +
                ("(as answered)" if answered else "(if so; ownership not given)"))
    worst = _most_restrictive(list(party.resembles))
    policy = worst.review_policy or "presumption_of_denial"
    w.require("ear.744.11.affiliates", f"{party.name} ({role}) is 50 % or more owned by listed parties such as "
              f"{names}: it takes on their restrictions (Affiliates Rule).", read.citation, policy,
              allows_exceptions=False, kind="license_required" if worst.kind != "prohibited" else "prohibited")
    return "affiliate of a listed group " + ("(as answered)" if answered else "(if so; ownership not given)")


def _affiliates_step(w: Work, in_force: bool, read: Any) -> None:
    value: Mapping[str, Any] = read.value
    day = w.ctx.as_of.isoformat()
    if in_force:
        through = value.get("stayed_through")
        answer = "in force"
        if through and through < day:
            current = w.ctx.ruleset.current_to
            answer += (f" again after the stay ({value.get('note', 'reimposed as published')}; ruleset current to "
                       f"{current.isoformat() if current else 'an unrecorded date'})")
    else:
        answer = (f"stayed {value.get('stayed_from')} through {value.get('stayed_through')}"
                  if value.get("stayed_from") and value["stayed_from"] <= day else "not in force")
    w.step("ear.744.11.affiliates.status", "Is the Affiliates Rule (50 % ownership) applied on this date?", answer,
           read.citation, status="info", params=(read,))


# ------------------------------------------------------------------------------------------------ end uses
def end_uses(w: Work) -> None:
    """744.23 end uses, as declared by the user (they turn on knowledge of the end use)."""
    ctx, ship = w.ctx, w.ship
    if "end_use_744_23" not in ctx.features:
        return
    for use, param, text in (
        ("supercomputer", "supercomputer_destinations", "for a 'supercomputer' end use"),
        ("advanced_node_fab", "advanced_node_fab_destinations", "for the development or production of ICs at an "
         "advanced-node fabrication facility"),
    ):
        name = P744 + "sec_744_23." + param
        read, inside = ctx.scope_member(name, ship.destination)
        if read is None:
            continue
        asked = use in ship.end_uses  # for the trace; the answer reads it only inside the scope
        if not (asked or inside):
            continue  # the control cannot reach this destination: nothing to ask or record
        if inside and w.has_end_use(use):
            read = w.read(name)  # its citation reaches the answer
            assert read is not None
        w.step(f"ear.744.23.{use}", f"Is the item {text} in {ctx.describe_scope(read.value)}?",
               "yes" if (asked and inside) else ("no" if asked or not inside else "not declared by the user"),
               read.citation, "End-use controls are answered by the user (knowledge of the end use).",
               params=(read,))
        if asked and inside:
            policy, why = review_744_23(w, read.citation)
            w.require(f"ear.744.23.{use}", f"Licence required {text} in {ship.destination} (§ 744.23); review "
                      f"policy under {why}.", read.citation, policy, allows_exceptions=False)


# ------------------------------------------------------------------------------------------------ is-informed
@functools.lru_cache(maxsize=4096)
def _normalise_company(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.lower()).strip()


def exporter_matches(ob: Obligation, exporter: str | None) -> bool:
    """An obligation binds its named exporter only; ``*`` (used by what-if scenario rules) binds every exporter."""
    if ob.exporter == "*":
        return True
    if not exporter:
        return False
    e = _normalise_company(exporter)
    names = [_normalise_company(n) for n in (ob.exporter, *ob.exporter_aliases)]
    return any(e == n or e.startswith(n + " ") for n in names)


def _vendor_matches(ob: Obligation, spec: ChipSpec) -> bool:
    """A letter reaches its exporter's own products: an item of another maker is outside it. Unknown maker: in."""
    if ob.exporter == "*" or not spec.vendor:
        return True
    return exporter_matches(ob, spec.vendor)


_COVERS: dict[tuple[str, int], tuple[ChipSpec, tuple[bool, str]]] = {}


def obligation_covers_item(ob: Obligation, spec: ChipSpec) -> tuple[bool, str]:
    """Does an exporter-specific letter's product description cover this item? Returns (covered, why)."""
    key = (ob.id, id(spec))
    hit = _COVERS.get(key)
    if hit is not None and hit[0] is spec:
        return hit[1]
    result = _covers(ob, spec)
    if len(_COVERS) > 20_000:
        _COVERS.clear()
    _COVERS[key] = (spec, result)
    return result


def _covers(ob: Obligation, spec: ChipSpec) -> tuple[bool, str]:
    target = spec.accelerator if (spec.item_type == "computer" and spec.accelerator) else spec
    for model in ob.models:
        if re.search(rf"(?<![A-Za-z0-9]){re.escape(model)}(?![A-Za-z0-9])", target.name, re.IGNORECASE):
            return True, f"named product {model}"
    if not _vendor_matches(ob, target):  # a performance description reaches the exporter's own products only
        return False, ""

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


def obligations(w: Work) -> None:
    """Exporter-specific licence requirements (is-informed letters), each binding its own exporter."""
    ctx, ship = w.ctx, w.ship
    for ob in ctx.ruleset.obligations:
        covered, why = obligation_covers_item(ob, w.spec)  # the item first: a letter's dates matter only where it can
        if not covered or not ctx.obligation_in_force(ob):
            continue
        dest_hit = ctx.in_scope(ship.destination, ob.destinations)
        hq_hit = False
        if not dest_hit and ob.end_user_hq:
            hq_hit = any(w.in_scope(hq, ob.end_user_hq) for _, hq in w.headquarters(
                f"{ob.exporter}'s letter {ob.id} reaches entities headquartered in "
                f"{ctx.describe_scope(ob.end_user_hq)}.", ob.citation))
        if not (dest_hit or hq_hit):
            continue
        if ship.exporter is None and ob.exporter != "*":
            fact = yes_no(f"exporter.is_{_normalise_company(ob.exporter).replace(' ', '_')}",
                          f"Is {ob.exporter} the exporter?", f"{ob.exporter} was informed by letter ({ob.id}) that "
                          "this item needs a licence; the letter binds only its addressee.", ob.citation,
                          yes=f"yes: {ob.exporter} exports", no=f"no: another exporter (not bound by {ob.id})",
                          answer_with="--exporter NAME (API: exporter)")
            bound = w.ask(fact) == "yes"
        else:
            bound = exporter_matches(ob, ship.exporter)
        if not bound:
            msg = (f"An {ob.kind.replace('_', ' ')} to {ob.exporter} ({ob.id}, from {ob.effective}) covers this item "
                   f"({why}) for this destination; it binds {ob.exporter} only"
                   + (f", not {ship.exporter}." if ship.exporter else "."))
            w.warn(msg)
            w.step(f"ear.744.is_informed.{ob.id}", "Does an exporter-specific letter bind this exporter?",
                   f"no: it binds {ob.exporter}", ob.citation, msg, status="info")
            continue
        target = f"{ship.destination}" if dest_hit else "an entity headquartered in Macau or D:5"
        policy = ob.review_policy if ob.review_policy not in ("", "none", "unpublished") else None
        w.require(f"ear.744.is_informed.{ob.id}", f"{ob.exporter} was informed that a licence is required for this "
                  f"item ({why}) to {target}. {ob.description}", ob.citation, policy,
                  allows_exceptions=False, conditions=(ob.review_policy_note,) if ob.review_policy_note else ())
        w.step(f"ear.744.is_informed.{ob.id}", "Does an exporter-specific is-informed letter apply?",
               f"yes: {ob.exporter}, {why}", ob.citation, ob.review_policy_note)


# ------------------------------------------------------------------------------------------------ 744.23(d)
def review_744_23(w: Work, citation: Citation) -> tuple[str, str]:
    """Review policy for a 744.23 licence (headquarters rule, supercomputer and fab end uses), 744.23(d):
    (d)(2) approval for end users headquartered in the US, A:5 or A:6 and not majority-owned by a Macau/D:5-
    headquartered entity; (d)(3)(i) case by case for 3A090/4A090/.z items other than datacenter 3A090.a items;
    (d)(1) denial for Macau/D:5 and entities headquartered there; (d)(3)(iii) case by case otherwise. Returns
    (policy, the paragraph and why)."""
    ctx, cls = w.ctx, w.cls
    hq = w.end_user_hq("744.23(d) reviews applications by the end user's headquarters.", citation)
    us_ally = hq == "US" or ctx.in_group(hq, "A5") or ctx.in_group(hq, "A6")
    if us_ally and not w.in_scope(hq, D5MO):
        fact = yes_no("end_user.majority_owned_by_d5", "Is the end user majority-owned by an entity headquartered in "
                      "Macau or a Country Group D:5 country?", "744.23(d)(2) gives a presumption of approval only to "
                      "end users headquartered in the US, A:5 or A:6 that are not.", citation,
                      yes="yes: majority-owned from Macau/D:5", no="no")
        if w.ask(fact) == "no":
            return "presumption_of_approval", f"744.23(d)(2): end user headquartered in {hq}"
    if cls.level in ("a", "b") and not (cls.level == "a" and cls.datacenter is not False):
        return "case_by_case", "744.23(d)(3)(i): not a datacenter item meeting 3A090.a"
    if w.in_scope(w.ship.destination, D5MO) or w.in_scope(hq, D5MO):
        return "presumption_of_denial", ("744.23(d)(1): Macau/D:5 destination or headquarters (case by case "
                                         "instead where a foreign-made item performs the same function, (d)(3)(ii))")
    return "case_by_case", "744.23(d)(3)(iii)"


# ------------------------------------------------------------------------------------------------ 744.21, 744.22, 744.6
def military_end_uses(w: Work) -> None:
    """744.21 military end use or user, 744.22 military-intelligence end use or user (declared by the user)."""
    ship = w.ship
    read = w.read(P744 + "sec_744_21.countries") if w.has_end_use("military") else None
    if read is not None:
        scope: Mapping[str, Any] = read.value
        dest = ship.destination
        if dest in scope.get("any_item", ()):
            w.require("ear.744.21", f"A licence is required for any item subject to the EAR for a military end use "
                      f"or end user in {dest} (744.21); review policy of denial.", read.citation, "policy_of_denial",
                      allows_exceptions=False)
            w.step("ear.744.21", f"Is the item for a military end use or end user in {dest}?", "yes (declared): any "
                   "item subject to the EAR", read.citation, status="fail", params=(read,))
        elif dest in scope.get("supp2_items", ()):
            if w.found:
                w.require("ear.744.21", f"A military end use or end user in {dest}: an application needing a licence "
                          "for any reason meets a presumption of denial (744.21(e)).", read.citation,
                          "presumption_of_denial", allows_exceptions=False)
            else:
                fact = yes_no("item.in_supp2_part_744", "Is the item listed in Supplement No. 2 to part 744 (items "
                              "subject to the military end-use control)?", "744.21 requires a licence for those "
                              f"items for a military end use or end user in {dest}.", read.citation,
                              yes="yes: a Supp. No. 2 item", no="no")
                if w.ask(fact) == "yes":
                    w.require("ear.744.21", f"A licence is required for Supp. No. 2 items for a military end use or "
                              f"end user in {dest} (744.21); presumption of denial.", read.citation,
                              "presumption_of_denial", allows_exceptions=False)
            w.step("ear.744.21", f"Is the item for a military end use or end user in {dest}?", "yes (declared)",
                   read.citation, params=(read,))
        else:
            w.step("ear.744.21", f"Is {dest} within the military end-use control?", "no", read.citation,
                   params=(read,))
    mi = w.read(P744 + "sec_744_22.countries") if w.has_end_use("military_intelligence") else None
    if mi is not None:
        inside = ship.destination in mi.value.get("countries", ()) or any(
            w.ctx.in_group(ship.destination, g) for g in mi.value.get("groups", ()))
        w.step("ear.744.22", f"Is the item for a military-intelligence end use or end user in {ship.destination}?",
               "yes (declared)" if inside else "declared, but the destination is outside 744.22", mi.citation,
               status="fail" if inside else "ok", params=(mi,))
        if inside:
            w.require("ear.744.22", "A licence is required for any item subject to the EAR for a "
                      f"military-intelligence end use or end user in {ship.destination} (744.22); presumption of "
                      "denial.", mi.citation, "presumption_of_denial", allows_exceptions=False)
    us_person = w.ctx.read_for_trace(P744 + "sec_744_6.us_person_support")  # informational: a trace step only
    if us_person is not None and (w.cls.level in ("a", "b") or ship.end_uses & {"supercomputer",
                                                                                "advanced_node_fab"}):
        w.step("ear.744.6", "Do US-person support restrictions matter here?", "informational", us_person.citation,
               str(us_person.value), status="info")
