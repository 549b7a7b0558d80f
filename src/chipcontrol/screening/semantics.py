"""What a hit on each list means: licence requirement, prohibition or information only."""

from __future__ import annotations

import re
from dataclasses import dataclass

from chipcontrol.model.citation import Citation
from chipcontrol.screening.model import ListEntry

# effect values
LICENSE_REQUIRED = "license_required"
PROHIBITED = "prohibited"
RESTRICTION = "restriction"  # no licence requirement, but conditions (e.g. UVL: no licence exceptions)
INFORMATIONAL = "informational"

BLOCKING_EFFECTS = frozenset({LICENSE_REQUIRED, PROHIBITED})


@dataclass(frozen=True, slots=True)
class ListSemantics:
    list_id: str
    title: str
    agency: str
    effect: str
    license_requirement: str
    meaning: str
    citation: Citation
    review_policy: str | None = None

    @property
    def imposes_requirement(self) -> bool:
        return self.effect in BLOCKING_EFFECTS


def _c(source_id: str, title: str, cfr: str = "", document: str = "", url: str = "") -> Citation:
    return Citation(source_id=source_id, title=title, cfr=cfr, document=document, url=url, verification="P")


LISTS: dict[str, ListSemantics] = {
    s.list_id: s
    for s in (
        ListSemantics(
            "entity_list", "Entity List", "BIS", LICENSE_REQUIRED,
            "Licence required for all items subject to the EAR (unless the entry limits it); "
            "no licence exceptions unless the entry says so.",
            "Listed on the BIS Entity List: an export, reexport or transfer (in-country) of any item "
            "subject to the EAR to this party needs a BIS licence, whatever the item's classification.",
            _c("ear-744.11", "Entity List", "15 CFR 744.11; Supp. No. 4 to part 744",
               url="https://www.ecfr.gov/current/title-15/part-744/appendix-Supplement%20No.%204%20to%20Part%20744"),
        ),
        ListSemantics(
            "meu", "Military End-User List", "BIS", LICENSE_REQUIRED,
            "Licence required for items listed in Supp. No. 2 to part 744 (15 CFR 744.21).",
            "Listed on the BIS Military End-User List: items in Supp. No. 2 to part 744 need a licence "
            "for this party; review policy is a presumption of denial.",
            _c("ear-744.21", "Military End-User List", "15 CFR 744.21; Supp. No. 7 to part 744"),
            review_policy="presumption_of_denial",
        ),
        ListSemantics(
            "dpl", "Denied Persons List", "BIS", PROHIBITED,
            "Prohibited: a denial order bars participation in any transaction involving items subject "
            "to the EAR.",
            "Listed on the BIS Denied Persons List: no export privileges; do not deal with this party in "
            "any transaction subject to the EAR.",
            _c("ear-764.3", "Denied Persons List", "15 CFR 764.3(a)(2); 15 CFR 766.25"),
        ),
        ListSemantics(
            "uvl", "Unverified List", "BIS", RESTRICTION,
            "No licence requirement by itself; licence exceptions unavailable and a UVL statement is "
            "required before export (15 CFR 744.15).",
            "Listed on the BIS Unverified List: BIS could not verify this party's bona fides.",
            _c("ear-744.15", "Unverified List", "15 CFR 744.15; Supp. No. 6 to part 744"),
        ),
        ListSemantics(
            "1260h", "Section 1260H List (Chinese Military Companies)", "DoD", INFORMATIONAL,
            "No EAR licence requirement by itself.",
            "Named by the US Department of Defense as a 'Chinese military company' under section 1260H; "
            "informational for export control (procurement and reputational consequences).",
            _c("ndaa-1260h", "Section 1260H list",
               document="Sec. 1260H, NDAA FY2021 (Pub. L. 116-283), 10 U.S.C. 113 note"),
        ),
        ListSemantics(
            "ns_cmic", "Non-SDN Chinese Military-Industrial Complex Companies List", "OFAC", INFORMATIONAL,
            "No EAR licence requirement by itself (restricts US persons' securities purchases).",
            "Listed by OFAC under E.O. 13959 as amended by E.O. 14032: US persons may not buy publicly "
            "traded securities of this party; exports are not restricted by this listing alone.",
            _c("ofac-cmic", "NS-CMIC List", "31 CFR part 586", document="E.O. 13959, as amended by E.O. 14032"),
        ),
        ListSemantics(
            "1286", "Section 1286 List", "DoD", INFORMATIONAL,
            "No EAR licence requirement by itself.",
            "Foreign institution of concern for DoD-funded research (NDAA FY2019 sec. 1286).",
            _c("ndaa-1286", "Section 1286 list", document="Sec. 1286, NDAA FY2019, 10 U.S.C. 4001 note"),
        ),
        ListSemantics(
            "isn", "Nonproliferation Sanctions", "State", INFORMATIONAL,
            "No EAR licence requirement by itself; check the sanction's terms.",
            "Sanctioned by the State Department under a nonproliferation authority.",
            _c("state-isn", "Nonproliferation Sanctions", document="State Dept. ISN sanctions (various statutes)"),
        ),
        ListSemantics(
            "sdn", "Specially Designated Nationals List", "OFAC", PROHIBITED,
            "Prohibited for US persons: property blocked, dealings prohibited (OFAC); some programmes also "
            "impose EAR licence requirements (15 CFR 744.8, 744.12-744.14).",
            "Listed on OFAC's SDN list: blocked person.",
            _c("ofac-sdn", "SDN List", "31 CFR chapter V"),
        ),
        ListSemantics(
            "ssi", "Sectoral Sanctions Identifications List", "OFAC", RESTRICTION,
            "Directive-specific restrictions on US persons; no EAR licence requirement by itself.",
            "Listed on OFAC's SSI list.",
            _c("ofac-ssi", "SSI List", "31 CFR part 589", document="E.O. 13662 directives"),
        ),
        ListSemantics(
            "fse", "Foreign Sanctions Evaders List", "OFAC", PROHIBITED,
            "Prohibited for US persons: transactions involving this party are prohibited (OFAC).",
            "Listed on OFAC's Foreign Sanctions Evaders list.",
            _c("ofac-fse", "FSE List", document="E.O. 13608"),
        ),
        ListSemantics(
            "plc", "Palestinian Legislative Council List", "OFAC", INFORMATIONAL,
            "No EAR licence requirement by itself.", "Listed on OFAC's NS-PLC list.",
            _c("ofac-plc", "NS-PLC List"),
        ),
        ListSemantics(
            "cap", "Correspondent Account or Payable-Through Account Sanctions List", "OFAC", INFORMATIONAL,
            "No EAR licence requirement by itself.", "Listed on OFAC's CAPTA list.",
            _c("ofac-capta", "CAPTA List"),
        ),
        ListSemantics(
            "ns_mbs", "Non-SDN Menu-Based Sanctions List", "OFAC", INFORMATIONAL,
            "No EAR licence requirement by itself.", "Listed on OFAC's NS-MBS list.",
            _c("ofac-nsmbs", "NS-MBS List"),
        ),
        ListSemantics(
            "itar_debarred", "ITAR Debarred List", "State (DDTC)", INFORMATIONAL,
            "No EAR licence requirement by itself; barred from ITAR-controlled defence trade.",
            "Debarred by the State Department's DDTC (22 CFR 127.7).",
            _c("itar-127.7", "AECA/ITAR debarred parties", "22 CFR 127.7"),
        ),
    )
}


def semantics_for(list_id: str) -> ListSemantics:
    sem = LISTS.get(list_id)
    if sem is None:
        return ListSemantics(
            list_id, list_id, "", INFORMATIONAL, "No EAR licence requirement known for this list.",
            f"Listed on {list_id}.", _c(list_id, list_id),
        )
    return sem


_FDP_PARA = re.compile(r"734\.9\s*\(([a-z])\)\s*(?:\((\d)\))?")
_FOOTNOTE_AFTER_PARA = re.compile(r"734\.9\s*\([a-z]\)(?:\s*\(\d\))?\s*,?\s*(\d)\b")
_FOOTNOTE_AT_END = re.compile(r"\)\s*\.?\s*(\d)\s*\.?\s*$")


def fdp_note(entry: ListEntry) -> str | None:
    """A note when the Entity List entry carries a foreign-direct-product footnote."""
    text = " ".join(x for x in (entry.license_requirement, entry.notes) if x)
    if not text:
        return None
    paras = sorted({f"734.9({m.group(1)})" + (f"({m.group(2)})" if m.group(2) else "")
                    for m in _FDP_PARA.finditer(text)})
    footnotes = sorted({m.group(1) for m in _FOOTNOTE_AFTER_PARA.finditer(text)}
                       | {m.group(1) for m in _FOOTNOTE_AT_END.finditer(text)})
    mentions = bool(re.search(r"footnote|foreign[- ]direct[- ]product|\bFDP\b", text, re.IGNORECASE))
    if not paras and not mentions:
        return None
    where = ", ".join(f"15 CFR {p}" for p in paras) or "15 CFR 734.9"
    fn = f" (footnote {', '.join(footnotes)})" if footnotes else ""
    return (f"Entity List foreign-direct-product rule applies to this entry{fn}: foreign-produced items "
            f"may be subject to the EAR under {where}.")


@dataclass(frozen=True, slots=True)
class HitMeaning:
    effect: str
    license_requirement: str
    meaning: str
    citation: Citation
    review_policy: str | None
    notes: tuple[str, ...]


def _review_policy(text: str | None) -> str | None:
    if not text:
        return None
    t = text.lower()
    if "denial" in t:
        return "presumption_of_denial"
    if "case-by-case" in t or "case by case" in t:
        return "case_by_case"
    if "approval" in t:
        return "presumption_of_approval"
    return None


def meaning_of(entry: ListEntry) -> HitMeaning:
    sem = semantics_for(entry.list_id)
    notes: list[str] = []
    requirement = sem.license_requirement
    if entry.list_id == "entity_list" and entry.license_requirement:
        requirement = " ".join(entry.license_requirement.split())
    if entry.list_id == "entity_list":
        note = fdp_note(entry)
        if note:
            notes.append(note)
    cit = sem.citation
    extra_fr = entry.federal_register or ""
    citation = Citation(
        source_id=cit.source_id, title=cit.title, cfr=cit.cfr, fr=extra_fr, document=cit.document,
        url=cit.url, note=" ".join(notes), verification=cit.verification,
        effective=entry.effective_date or "",
    )
    meaning = sem.meaning
    if notes:
        meaning = f"{meaning} {' '.join(notes)}"
    policy = _review_policy(entry.license_policy) or sem.review_policy
    return HitMeaning(sem.effect, requirement, meaning, citation, policy, tuple(notes))
