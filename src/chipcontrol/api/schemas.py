"""Request and response models of the REST API (the OpenAPI document is generated from these)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

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


class ShipmentFields(Strict):
    destination: str = Field(max_length=100, description="ISO 3166-1 alpha-2", examples=["CN"])
    origin: str = Field(default="US", max_length=100)
    end_user: str | None = Field(default=None, max_length=1000, description="screened against restricted lists")
    end_user_hq: str | None = Field(default=None, max_length=100)
    exporter: str | None = Field(default=None, max_length=1000)
    quantity: int | None = Field(default=None, ge=1, le=MAX_INT)
    end_uses: list[Literal["supercomputer", "advanced_node_fab"]] = Field(default_factory=list, max_length=2)
    listed_parties: list[str] = Field(default_factory=list, max_length=20,
                                      description="parties you know are on the Entity List")


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


class CheckOut(Open):
    outcome: str
    license_required: bool | None
    as_of: str
    view: str
    ruleset_hash: str
    reasons: list[dict[str, Any]]
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
