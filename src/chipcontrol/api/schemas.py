"""Request and response models of the REST API (the OpenAPI document is generated from these)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

View = Literal["enforced", "as_written"]
Role = Literal["viewer", "analyst", "admin"]
MAX_INT = 10**12
DATE = r"^\d{4}-\d{2}-\d{2}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorBody(Open):
    code: str = Field(description="stable error code, e.g. invalid_input, unknown_chip, unauthorized, forbidden, "
                                  "licence_balance_exceeded")
    message: str = Field(description="one line a person can act on")
    candidates: list[str] | None = Field(default=None, description="for ambiguous_chip: the matching chips")


class ErrorEnvelope(Strict):
    error: ErrorBody


class ItemIn(Strict):
    chip: str | None = Field(default=None, max_length=400, description="catalogue chip name, e.g. 'NVIDIA H20'",
                             examples=["NVIDIA H20"])
    spec: dict[str, Any] | None = Field(default=None, description="an inline chip spec (the spec file format); "
                                        "give either chip or spec")


class ClassifyIn(ItemIn):
    as_of: str | None = Field(default=None, pattern=DATE, description="YYYY-MM-DD (default today)",
                              examples=["2025-06-01"])
    view: View | None = None


PartyRole = Literal["exporter", "purchaser", "intermediate_consignee", "ultimate_consignee", "end_user"]
EndUse = Literal["supercomputer", "advanced_node_fab", "military", "military_intelligence", "acm_storage"]
Outcome = Literal["prohibited", "license_required", "license_exception_available", "no_license_required",
                  "indeterminate", "not_subject_to_ear"]
Percent = Annotated[str, StringConstraints(max_length=40)] | Annotated[float, Field(ge=0, le=100)]
AnswerId = Annotated[str, StringConstraints(max_length=100)]
AnswerValue = Annotated[str, StringConstraints(max_length=200)]
PartyName = Annotated[str, StringConstraints(max_length=1000)]


class PartyIn(Strict):
    role: PartyRole = Field(description="the party's role in the transaction; the Entity List's licence requirement "
                                        "covers purchaser, consignees and end user (15 CFR 744.11)")
    name: str = Field(max_length=1000, description="screened against every list, in any script",
                      examples=["Example Cloud Sdn Bhd"])
    country: str | None = Field(default=None, max_length=100, description="ISO 3166-1 alpha-2 where the party is")
    hq: str | None = Field(default=None, max_length=100, description="ISO code of the country where the party, or "
                           "its ultimate parent, is headquartered (unknown: the answer may ask)")


class OwnershipRowIn(Strict):
    owner: str = Field(max_length=1000, description="the owner (screened)")
    owned: str = Field(max_length=1000, description="the entity it holds directly")
    percent: Percent = Field(description="0-100, exact decimal (25.1 + 24.9 is 50)", examples=["51"])
    source: str = Field(default="", max_length=2000, description="where this is known from")


class ShipmentFields(Strict):
    destination: str = Field(max_length=100, description="ISO 3166-1 alpha-2 (or an ISO 3166-2 region, e.g. UA-43)",
                             examples=["CN"])
    origin: str = Field(default="US", max_length=100)
    end_user: str | None = Field(default=None, max_length=1000, description="screened against restricted lists")
    end_user_hq: str | None = Field(default=None, max_length=100, description="ISO code of the end user's (or its "
                                    "ultimate parent's) headquarters")
    exporter: str | None = Field(default=None, max_length=1000)
    quantity: int | None = Field(default=None, ge=1, le=MAX_INT)
    end_uses: list[EndUse] = Field(default_factory=list, max_length=5, description="declared end uses (15 CFR "
                                   "744.23 and part 744)")
    listed_parties: list[PartyName] = Field(default_factory=list, max_length=20,
                                            description="parties you know are on the Entity List")
    purchaser: str | None = Field(default=None, max_length=1000, description="screened")
    ultimate_consignee: str | None = Field(default=None, max_length=1000, description="screened")
    intermediate_consignees: list[PartyName] = Field(default_factory=list, max_length=20,
                                                     description="screened; at most 20")
    parties: list[PartyIn] = Field(default_factory=list, max_length=50, description="parties with their country and "
                                   "headquarters; at most 50 (the first end_user/exporter row is the end "
                                   "user/exporter when those fields are empty)")
    owners: list[Annotated[str, StringConstraints(max_length=1100)]] = Field(
        default_factory=list, max_length=50, description="direct owners of the end user, 'NAME=PERCENT' (screened; "
        "at most 50)", examples=[["Example Holdings Ltd=51"]])
    ownership: list[OwnershipRowIn] = Field(default_factory=list, max_length=1000, description="ownership links for "
                                            "chains (at most 1,000); with the service's ownership register, the "
                                            "register's holdings are added for every party whose owners these rows "
                                            "do not give")
    made_in: str | None = Field(default=None, max_length=100, description="ISO code of where the item was produced "
                                "(default: the catalogue's)")
    region: str | None = Field(default=None, max_length=20, description="ISO 3166-2 region of the destination, "
                               "e.g. UA-43")
    answers: dict[AnswerId, AnswerValue] = Field(default_factory=dict, max_length=50, description="replies to the "
                                                 "answer's questions: question id -> reply (at most 50)",
                                                 examples=[{"end_user.headquarters": "MY"}])


class CheckIn(ShipmentFields):
    chip: str | None = Field(default=None, max_length=400, examples=["NVIDIA H20"])
    spec: dict[str, Any] | None = None
    as_of: str | None = Field(default=None, pattern=DATE, examples=["2025-06-01"])
    view: View | None = None


class TimelineIn(ItemIn):
    destination: str | None = Field(default=None, max_length=100)
    origin: str = Field(default="US", max_length=100)
    end_user: str | None = Field(default=None, max_length=1000)
    end_user_hq: str | None = Field(default=None, max_length=100)
    exporter: str | None = Field(default=None, max_length=1000)
    until: str | None = Field(default=None, pattern=DATE, description="last day (default today)")
    view: View | None = None


class ScreenIn(Strict):
    name: str = Field(max_length=2000, examples=["Huawei Technologies"])
    country: str | None = Field(default=None, max_length=100)


class LicenceIn(Strict):
    number: str = Field(max_length=100, examples=["D1234567"])
    items: list[str] = Field(min_length=1, max_length=100, examples=[["NVIDIA H20"]])
    destinations: list[str] = Field(min_length=1, max_length=250, examples=[["CN"]])
    end_users: list[str] = Field(default_factory=list, max_length=100, description="empty: any end user")
    quantity_limit: int | None = Field(default=None, ge=1, le=MAX_INT)
    value_limit: float | None = Field(default=None, ge=0, lt=1e15)
    issued_on: str | None = Field(default=None, pattern=DATE)
    expires_on: str = Field(pattern=DATE, examples=["2027-12-31"])
    holder: str | None = Field(default=None, max_length=400)
    notes: str | None = Field(default=None, max_length=4000)


class ShipmentIn(Strict):
    licence_number: str = Field(max_length=100)
    chip: str = Field(max_length=400)
    destination: str = Field(max_length=100)
    quantity: int = Field(ge=1, le=MAX_INT)
    end_user: str | None = Field(default=None, max_length=1000)
    value: float | None = Field(default=None, ge=0, lt=1e15)
    shipped_on: str | None = Field(default=None, pattern=DATE, description="default today")
    reference: str | None = Field(default=None, max_length=200)


class KeyIn(Strict):
    name: str = Field(max_length=200, description="the person or system the key belongs to")
    role: Role


# --- responses (documented fields; every response may carry more) ---------------------------------

class Health(Strict):
    status: Literal["ok"]
    version: str
    database: str
    ruleset_hash: str


class WhoAmI(Strict):
    name: str
    role: Role
    key_id: int | None


class Classification(Open):
    paragraph: str | None = None
    ruleset_hash: str
    view: str
    as_of: str
    audit_seq: int


class ReplyOut(Open):
    reply: str = Field(description="the value to send back in answers")
    label: str = Field(description="the reply in plain words")
    outcome: Outcome
    license_required: bool | None
    review_policy: str | None
    license_exceptions: list[str]
    reasons: list[str] = Field(description="rule ids of the requirements this reply gives")
    depends_on: list[str] | None = Field(default=None, description="other questions that still decide it")


class QuestionOut(Open):
    id: str = Field(description="send the reply as answers[id]", examples=["end_user.headquarters"])
    question: str
    why: str
    answer_with: str
    citation: str
    replies: list[ReplyOut] = Field(description="each reply and the answer it gives")


class PartyFindingOut(Open):
    role: str
    name: str
    country: str | None
    hq: str | None
    hits: list[dict[str, Any]] = Field(description="restricted-party list hits, each with list, listed_name, score, "
                                                   "kind, citation, entry_id")
    listed_share: float | None = Field(description="percent owned by listed parties, directly or indirectly, "
                                                   "individually or in aggregate (null: no ownership given)")
    affiliate: bool = Field(description="50 % or more owned by listed parties with the Affiliates Rule in force")
    effect: str = Field(description="what this party does to the answer, in words")
    ownership_chains: list[str] | None = Field(default=None, description="each ownership path that counts")
    resembles: list[str] | None = Field(default=None, description="listed groups whose name it shares")


class NoticeOut(Open):
    kind: str = Field(description="e.g. tariff")
    text: str
    citation: str


class RegisterUse(Open):
    entry: int
    owner: str
    owned: str
    percent: str
    source: str
    as_of: str | None


class CheckOut(Open):
    outcome: Outcome = Field(description="indeterminate: a fact that could change the answer is unknown; see "
                                         "questions")
    indeterminate: bool
    questions: list[QuestionOut] = Field(description="the missing facts, first things to act on: answer one with "
                                                     "answers[id] = reply")
    license_required: bool | None = Field(description="null unless a requirement applies whatever the replies")
    subject_to_ear: bool | None = Field(description="null when jurisdiction turns on an unknown fact")
    prohibited: bool
    review_policy: str | None
    as_of: str
    view: str
    ruleset_hash: str
    reasons: list[dict[str, Any]]
    license_exceptions: list[dict[str, Any]]
    parties: list[PartyFindingOut] = Field(description="every party with its hits, listed share, ownership chains "
                                                       "and affiliate status")
    notices: list[NoticeOut] = Field(description="cited notes outside the licence answer (tariffs)")
    warnings: list[str]
    ownership_register: list[RegisterUse] | None = Field(default=None, description="holdings taken from the "
                                                         "ownership register")
    trace: list[dict[str, Any]]
    audit_seq: int


class ScreenOut(Open):
    query: str
    algorithm: str
    hits: list[dict[str, Any]]
    snapshot_id: str
    audit_seq: int


class TimelineOut(Open):
    periods: list[dict[str, Any]]
    events: list[dict[str, Any]]
    ruleset_hash: str
    audit_seq: int


class ChipRow(Open):
    name: str
    paragraph: str | None = None


class ChipsOut(Open):
    as_of: str
    count: int
    chips: list[ChipRow]
    audit_seq: int


class LicenceOut(Open):
    number: str
    items: list[str]
    destinations: list[str]
    end_users: list[str]
    quantity_limit: int | None
    quantity_used: int
    quantity_remaining: int | None
    value_limit: float | None
    value_used: float
    value_remaining: float | None
    expires_on: str
    status: Literal["active", "expired", "not_yet_valid", "exhausted"]


class ShipmentOut(Open):
    id: int
    licence_number: str
    item: str
    destination: str
    quantity: int
    shipped_on: str
    audit_seq: int | None
    voided: dict[str, Any] | None = None


class AuditRecordOut(Open):
    seq: int
    created_at: str
    actor: str
    kind: str
    hash: str
    prev_hash: str


class AuditPage(Strict):
    total: int = Field(description="every record the filter selects, on all pages")
    records: list[AuditRecordOut]
    next_before: int | None
    filter: dict[str, Any]


class Problem(Strict):
    seq: int
    problem: str
    detail: str


class VerifyOut(Strict):
    ok: bool
    records: int
    head_seq: int
    head_hash: str
    problems: list[Problem]


class KeyOut(Open):
    id: int
    name: str
    role: Role
    prefix: str
    created_at: str
    revoked_at: str | None


class NewKeyOut(Strict):
    key: str = Field(description="shown once; store it safely")
    info: KeyOut


class ListImportIn(Strict):
    format: Literal["csl-csv", "csl-json", "ofac-sdn-csv", "nsfreg-json"]
    content: str = Field(max_length=50_000_000, description="the file's text (CSV or JSON)")
    source: str = Field(max_length=400, description="where the file came from (recorded with the snapshot)")
    snapshot_date: str | None = Field(default=None, pattern=DATE)


class ListsOut(Open):
    snapshot_id: str
    sources: list[dict[str, Any]]


class ListImportOut(Open):
    imported: dict[str, Any]
    snapshot_id: str


# --- the compliance desk ---------------------------------------------------------------------------

Verdict = Literal["true_match", "false_positive", "escalate"]
ReviewStatus = Literal["open", "pending_second", "true_match", "false_positive", "escalated", "undecided"]
ReviewSource = Literal["check", "screen", "shipment", "rescreen", "customer_file", "batch"]
Dataset = Literal["audit", "screenings", "decisions", "licences", "shipments"]
ExportFormat = Literal["csv", "jsonl"]
CertificateFormat = Literal["json", "pdf"]


class ReviewDecisionIn(Strict):
    items: list[Annotated[int, Field(ge=1, le=2**62)]] = Field(min_length=1, max_length=500,
                                                              description="review item ids (bulk)")
    verdict: Verdict
    reason: str = Field(min_length=1, max_length=2000, description="why: recorded with the decision")


class ReviewItemOut(Open):
    id: int
    party: str
    entry_id: str
    entry_version: str
    list: str
    listed_name: str
    score: float
    blocking: bool
    source: str
    status: str
    created_at: str


class ReviewPage(Strict):
    total: int
    limit: int
    offset: int
    items: list[ReviewItemOut]


class ReviewDecided(Strict):
    items: list[ReviewItemOut]


class VoidIn(Strict):
    reason: str = Field(min_length=1, max_length=2000)


class PartiesImportIn(Strict):
    content: str = Field(max_length=20_000_000, description="one name per line, or CSV with name[,country]")
    source: str = Field(max_length=400, description="where the file came from")


class PartiesImportOut(Open):
    parties: int
    hits: int
    parties_hit: int
    audit_seq: int


class PartyOut(Open):
    id: int
    name: str
    country: str | None
    source: str


class PartiesPage(Strict):
    total: int
    limit: int
    offset: int
    parties: list[PartyOut]


class ListChangeOut(Open):
    id: int
    lists: list[str]
    added: int
    removed: int
    changed: int
    created_at: str


class ListChangesPage(Strict):
    total: int
    limit: int
    offset: int
    changes: list[ListChangeOut]


class Certificate(Open):
    format: str
    subject: dict[str, Any]
    audit_record: dict[str, Any]
    chain_head: dict[str, Any]
    certificate_sha256: str


class CertificateCheck(Strict):
    check: str
    ok: bool
    detail: str


class CertificateVerification(Open):
    ok: bool
    checks: list[CertificateCheck]


# --- the ownership register ------------------------------------------------------------------------

OwnershipStatus = Literal["current", "superseded", "removed", "all"]


class OwnershipEntryIn(Strict):
    owner: str = Field(max_length=400, examples=["Example Holdings Ltd"])
    owned: str = Field(max_length=400, examples=["Example Cloud Sdn Bhd"])
    percent: Percent = Field(description="0-100, exact decimal", examples=["51"])
    source: str = Field(default="", max_length=2000, description="where this is known from",
                        examples=["company registry filing"])
    as_of: str | None = Field(default=None, pattern=DATE, description="the date the source states it for (not in "
                              "the future)")


class OwnershipUpdateIn(Strict):
    percent: Percent | None = None
    source: str | None = Field(default=None, max_length=2000)
    as_of: str | None = Field(default=None, pattern=DATE)
    reason: str | None = Field(default=None, max_length=2000, description="why (recorded)")


class OwnershipRemoveIn(Strict):
    reason: str = Field(min_length=1, max_length=2000, description="why (recorded)")


class OwnershipImportIn(Strict):
    content: str = Field(max_length=20_000_000, description="CSV owner,owned,percent[,source[,as_of]] with a header")
    source: str = Field(default="upload", max_length=200, description="the file's name (errors name its lines)")


class OwnershipEntryOut(Open):
    id: int
    owner: str
    owned: str
    percent: str
    source: str
    as_of: str | None
    status: Literal["current", "superseded", "removed"]
    supersedes: int | None
    superseded_by: int | None
    recorded_by: str
    recorded_at: str
    audit_seq: int | None
    ended_at: str | None
    ended_by: str | None
    end_reason: str | None


class OwnershipEntryDetail(OwnershipEntryOut):
    history: list[OwnershipEntryOut] = Field(description="every row for this owner and owned entity, newest first")


class OwnershipPage(Strict):
    total: int
    limit: int
    offset: int
    entries: list[OwnershipEntryOut]


class OwnershipChange(Strict):
    entry: OwnershipEntryOut
    audit_seq: int
    superseded: list[int] = Field(description="entries this change superseded")


class OwnershipImportOut(Strict):
    added: int
    updated: int
    unchanged: int
    entries: list[OwnershipEntryOut] = Field(description="the rows written (or, when nothing changed, the rows "
                                                         "already holding these facts)")
    ended: list[int] = Field(description="entries superseded by this import")
    audit_seq: int | None = Field(description="null when nothing changed")
