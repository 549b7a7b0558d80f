"""Part 748, Validated End-User authorisation (748.15; Data Center VEU from 2024-10-02, 89 FR 80080).

A user enters the VEU authorisation they hold; the engine checks the item, the site, the quantity and the dates
against it. A Data Center VEU authorises export and reexport (not transfer in-country) to its holder, for use at the
named data centres. It overcomes the licence requirements of 742.6 and the headquarters rule, not Entity List,
end-use or embargo requirements (those rule out exceptions here too).
"""

from __future__ import annotations

import re

from chipcontrol.model.authorization import VeuAuthorization
from chipcontrol.model.decision import LicenseException
from chipcontrol.rules.ear.work import Work

VEU = "ear.part_748.sec_748_15.data_center_veu"


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.casefold()).strip()


def veu(w: Work) -> list[LicenseException]:
    """Does the user's VEU authorisation cover this shipment? Returns the authorisation as an exception-like entry."""
    auth = w.ship.veu
    if not isinstance(auth, VeuAuthorization):
        return []
    read = w.read(VEU)
    cit = read.citation if read is not None else w.ctx.version_citation
    problems = _problems(w, auth)
    question = f"Does the VEU authorisation {auth.id} ({auth.holder}) cover this shipment?"
    if problems:
        w.step("ear.748.15", question, "no: " + "; ".join(problems), cit, status="warning")
        w.warn(f"VEU {auth.id} does not cover this shipment: " + "; ".join(problems) + ".")
        return []
    w.step("ear.748.15", question, f"yes: item, site {auth.site}, dates and quantity within the authorisation", cit)
    conds = ["the holder's VEU conditions (Supp. No. 7 to part 748) and the data-centre security requirements",
             "records and reports as the authorisation requires", "no transfer (in-country) under the VEU"]
    if auth.max_units is not None:
        conds.append(f"cumulative units under {auth.id} stay within {auth.max_units:,}")
    return [LicenseException("VEU", "15 CFR 748.15", tuple(conds), cit,
                             f"Validated End-User authorisation {auth.id} held by {auth.holder}")]


def _problems(w: Work, auth: VeuAuthorization) -> list[str]:
    ship, cls, spec = w.ship, w.cls, w.spec
    out: list[str] = []
    if w.read(VEU) is None:
        out.append(f"Data Center VEU authorisations do not exist on {w.ctx.as_of} (from 2024-10-02)")
    if ship.transaction not in ("export", "reexport"):
        out.append(f"a VEU authorises export and reexport only, not a {ship.transaction.replace('_', ' ')}")
    if w.ctx.as_of < auth.valid_from or (auth.valid_until is not None and w.ctx.as_of > auth.valid_until):
        out.append(f"the authorisation is valid {auth.valid_from} to {auth.valid_until or 'open'}")
    end_user = w.end_user()
    if end_user is None or _norm(end_user.name) != _norm(auth.holder):
        out.append(f"the end user must be the holder, {auth.holder}")
    site = next(((c, s) for c, s in auth.sites if auth.site is not None and _norm(s) == _norm(auth.site)), None)
    if site is None:
        out.append("the shipment's site is not one of the authorised data centres" if auth.site else
                   "no site given for the shipment (--veu-site)")
    elif site[0] != ship.destination:
        out.append(f"site {site[1]} is in {site[0]}, not {ship.destination}")
    names = {_norm(spec.display_name), _norm(spec.name)}
    if spec.accelerator is not None:
        names |= {_norm(spec.accelerator.display_name), _norm(spec.accelerator.name)}
    paras = {p for p in (cls.paragraph, cls.subparagraph, cls.contained_paragraph) if p}
    if not any(_norm(i) in names or i in paras or any(p.startswith(i) for p in paras) for i in auth.items):
        out.append(f"the item ({cls.paragraph or spec.display_name}) is not among the eligible items "
                   f"({', '.join(auth.items)})")
    if auth.max_units is not None and ship.quantity is not None and ship.quantity > auth.max_units:
        out.append(f"quantity {ship.quantity} exceeds the {auth.max_units} units authorised")
    return out
