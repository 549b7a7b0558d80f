"""REST API routes (FastAPI). Thin: validate, authenticate, call one service, return its JSON.

Every route but ``/api/health`` needs an API key (``Authorization: Bearer <key>`` or ``X-API-Key``). Decisions
(classify, check, screen, timeline) are recorded in the audit log by the services. Errors use one envelope:
``{"error": {"code": ..., "message": ...}}``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from chipcontrol import __version__
from chipcontrol.api import schemas as s
from chipcontrol.api.errors import describe
from chipcontrol.services import audit, certificate, decide, export, keys, ledger, lists, review
from chipcontrol.services import ownership_register as register
from chipcontrol.services.assess import PartyInput
from chipcontrol.services.audit import AuditFilter
from chipcontrol.services.keys import Principal
from chipcontrol.services.runtime import Runtime

_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <API key>")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="the API key")

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": s.ErrorEnvelope, "description": describe(400, "invalid input, or a body that is not JSON")},
    401: {"model": s.ErrorEnvelope, "description": describe(401, "no API key, or not a valid one")},
    403: {"model": s.ErrorEnvelope, "description": describe(403, "the key's role is too low")},
    404: {"model": s.ErrorEnvelope, "description": describe(404, "not found")},
    409: {"model": s.ErrorEnvelope, "description": describe(409, "conflict, or a drawdown refused with its reason")},
    422: {"model": s.ErrorEnvelope, "description": describe(422, "the request does not match the schema")},
}


async def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


async def principal(request: Request,
                    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
                    header: Annotated[str | None, Depends(_header)]) -> Principal:
    """Dependencies are async so they run on the event loop (no thread hop); the key lookup is one indexed read."""
    presented = bearer.credentials if bearer is not None else header
    rt: Runtime = request.app.state.runtime
    who = keys.authenticate(rt.store, presented)
    request.state.principal = who
    return who


def role(required: str) -> Callable[..., Awaitable[Principal]]:
    async def dependency(who: Annotated[Principal, Depends(principal)]) -> Principal:
        who.require(required)
        return who
    return dependency


Viewer = Annotated[Principal, Depends(role("viewer"))]
Analyst = Annotated[Principal, Depends(role("analyst"))]
Admin = Annotated[Principal, Depends(role("admin"))]
RT = Annotated[Runtime, Depends(runtime)]


def _json(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
    return Response(content=body, status_code=status, media_type="application/json")


router = APIRouter(prefix="/api", responses=ERRORS)


@router.get("/health", response_model=s.Health, tags=["service"], responses={})
def health(rt: RT) -> Response:
    """Liveness: the service answers and its database is reachable. No key needed."""
    from chipcontrol.rules.ruleset import Ruleset

    with rt.store.read() as session:
        session.connection().exec_driver_sql("SELECT 1")
    return _json({"status": "ok", "version": __version__, "database": rt.store.dialect,
                  "ruleset_hash": Ruleset.load().hash})


@router.get("/whoami", response_model=s.WhoAmI, tags=["service"])
def whoami(who: Viewer) -> Response:
    return _json({"name": who.name, "role": who.role, "key_id": who.key_id})


def _text(body: str, status: int = 200) -> Response:
    return Response(content=body.encode("utf-8"), status_code=status, media_type="application/json")


@router.post("/classify", response_model=s.Classification, tags=["decisions"])
async def classify(body: s.ClassifyIn, rt: RT, who: Viewer) -> Response:
    """Classify a catalogue chip or an inline spec under ECCN 3A090/4A090 on a date, with its cited trace."""
    pending = decide.prepare_classify(rt, who, decide.ItemRef(body.chip, body.spec), as_of=body.as_of,
                                      view=body.view)
    return _text(await decide.commit_json(rt, pending))


def _percent(value: str | float) -> str:
    return value if isinstance(value, str) else repr(value)


def _query(b: s.ShipmentFields) -> decide.ShipmentQuery:
    return decide.ShipmentQuery(
        destination=b.destination, origin=b.origin, end_user=b.end_user, end_user_hq=b.end_user_hq,
        exporter=b.exporter, quantity=b.quantity, end_uses=tuple(b.end_uses), listed_parties=tuple(b.listed_parties),
        purchaser=b.purchaser, ultimate_consignee=b.ultimate_consignee,
        intermediate_consignees=tuple(b.intermediate_consignees),
        parties=tuple(PartyInput(p.role, p.name, p.country, p.hq) for p in b.parties), owners=tuple(b.owners),
        ownership=tuple((r.owner, r.owned, _percent(r.percent), r.source) for r in b.ownership),
        made_in=b.made_in, region=b.region, answers=tuple(b.answers.items()))


@router.post("/check", response_model=s.CheckOut, tags=["decisions"])
async def check(body: s.CheckIn, rt: RT, who: Viewer) -> Response:
    """May this item go to these parties, in this country, on this date? Questions first (``outcome:
    indeterminate`` with ``questions`` when a fact that could change the answer is unknown: send the reply back in
    ``answers``), then the parties (hits, listed share, ownership chains, affiliate status), reasons with citations,
    exceptions, notices and the trace.

    Every party and owner named is screened (hits a person cleared as false positives, on an unchanged entry, are
    left out and named in ``review``); the ownership register adds its holdings above the parties. Without a party,
    or with the exporter only, the rules run on the event loop (well under a millisecond); with another party, in a
    worker thread. The audit record is committed (group commit) before the answer is sent."""
    ref, q = decide.ItemRef(body.chip, body.spec), _query(body)
    # The exporter alone: one name screened (remembered per name) and the store read only if it has hits; the
    # thread hop cost about 15 % of such a check's CPU (measured), more than the work it would move off the loop.
    if not decide.names_beyond_exporter(q):
        pending = decide.prepare_check(rt, who, ref, q, as_of=body.as_of, view=body.view)
    else:
        pending = await run_in_threadpool(decide.prepare_check, rt, who, ref, q, as_of=body.as_of, view=body.view)
    return _text(await decide.commit_json(rt, pending))


@router.post("/screen", response_model=s.ScreenOut, tags=["decisions"])
async def screen(body: s.ScreenIn, rt: RT, who: Viewer) -> Response:
    """Screen a party against the restricted-party lists, with an explained score per hit."""
    pending = await run_in_threadpool(decide.prepare_screen, rt, who, body.name, body.country)
    return _text(await decide.commit_json(rt, pending))


@router.post("/timeline", response_model=s.TimelineOut, tags=["decisions"])
async def timeline(body: s.TimelineIn, rt: RT, who: Viewer) -> Response:
    """Every change in an item's status (for a destination, if given) from 2022-10-07 to a date."""
    q = None
    if body.destination is not None:
        q = decide.ShipmentQuery(destination=body.destination, origin=body.origin, end_user=body.end_user,
                                 end_user_hq=body.end_user_hq, exporter=body.exporter)
    elif any(v is not None for v in (body.end_user, body.end_user_hq, body.exporter)):
        from chipcontrol.errors import InvalidInput

        raise InvalidInput("end_user, end_user_hq and exporter need a destination")
    pending = await run_in_threadpool(decide.prepare_timeline, rt, who, decide.ItemRef(body.chip, body.spec), q,
                                      until=body.until, view=body.view)
    return _text(await decide.commit_json(rt, pending))


@router.get("/chips", response_model=s.ChipsOut, tags=["catalogue"])
def chips(rt: RT, who: Viewer,
          search: Annotated[str | None, Query(max_length=200, description="words in the name")] = None,
          as_of: Annotated[str | None, Query(description="YYYY-MM-DD")] = None,
          view: Annotated[s.View | None, Query()] = None) -> Response:
    """The catalogue, classified on a date (recorded in the audit log like any decision)."""
    return _json(decide.chips(rt, who, search, as_of=as_of, view=view))


@router.get("/licences", response_model=list[s.LicenceOut], tags=["ledger"])
def licences(rt: RT, who: Viewer, limit: Annotated[int, Query(ge=1, le=1000)] = 200,
             offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> Response:
    """Licences, newest first, with their status (active, expired, not_yet_valid, exhausted); ``X-Total-Count``
    gives the number of licences."""
    resp = _json(ledger.list_licences(rt.store, limit=limit, offset=offset))
    resp.headers["X-Total-Count"] = str(ledger.count_licences(rt.store))
    return resp


@router.post("/licences", response_model=s.LicenceOut, status_code=201, tags=["ledger"])
def create_licence(body: s.LicenceIn, rt: RT, who: Analyst) -> Response:
    """Record a licence (analyst or admin)."""
    inp = ledger.LicenceInput(number=body.number, items=tuple(body.items), destinations=tuple(body.destinations),
                              expires_on=body.expires_on, end_users=tuple(body.end_users),
                              quantity_limit=body.quantity_limit, value_limit=body.value_limit,
                              issued_on=body.issued_on, holder=body.holder, notes=body.notes)
    return _json(ledger.create_licence(rt.store, inp, who), 201)


@router.get("/licences/{number:path}", response_model=s.LicenceOut, tags=["ledger"])
def get_licence(number: Annotated[str, Path(max_length=100, description="any characters, '/' included")],
                rt: RT, who: Viewer, limit: Annotated[int, Query(ge=1, le=1000)] = 200,
                offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> Response:
    """A licence with its balance, its status and a page of its shipments (``shipments_total`` counts them all)."""
    return _json(ledger.get_licence(rt.store, number, limit=limit, offset=offset))


@router.get("/shipments", response_model=list[s.ShipmentOut], tags=["ledger"])
def shipments(rt: RT, who: Viewer, licence: Annotated[str | None, Query(max_length=100)] = None,
              limit: Annotated[int, Query(ge=1, le=1000)] = 200,
              offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> Response:
    """Shipments, newest first (``X-Total-Count``: how many there are)."""
    resp = _json(ledger.list_shipments(rt.store, licence_number=licence, limit=limit, offset=offset))
    resp.headers["X-Total-Count"] = str(ledger.count_shipments(rt.store, licence))
    return resp


IdemHeader = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200,
                                          description="a retry with the same key gets the first answer and never "
                                                      "books twice")]


@router.post("/shipments", response_model=s.ShipmentOut, status_code=201, tags=["ledger"])
def create_shipment(body: s.ShipmentIn, rt: RT, who: Analyst, idempotency_key: IdemHeader = None) -> Response:
    """Record a shipment against a licence, drawing it down; refused (409, with the reason) if the licence has
    expired, does not cover it, lacks the balance, if the end user is on a blocking list the licence does not name
    it for, or if the rules prohibit it on the shipment date. The end user is screened and the rules re-checked;
    findings that do not refuse it are in ``flags``. With an ``Idempotency-Key`` (or a reference already used for
    the same shipment) a retry gets the first answer (header ``Idempotent-Replayed: true``)."""
    inp = ledger.ShipmentInput(licence_number=body.licence_number, chip=body.chip, destination=body.destination,
                               quantity=body.quantity, end_user=body.end_user, value=body.value,
                               shipped_on=body.shipped_on, reference=body.reference)
    booked = ledger.book_shipment(rt.store, inp, who, idempotency_key=idempotency_key, settings=rt.settings)
    resp = _json(booked.body, booked.status)
    if booked.replayed:
        resp.headers["Idempotent-Replayed"] = "true"
    return resp


@router.post("/shipments/{shipment_id:int}/void", response_model=s.ShipmentOut, tags=["ledger"])
def void_shipment(shipment_id: Annotated[int, Path(ge=1, le=2**62)], body: s.VoidIn, rt: RT,
                  who: Analyst) -> Response:
    """Void a mistaken drawdown (analyst): a compensating record gives its quantity and value back to the licence;
    both are in the audit log."""
    return _json(ledger.void_shipment(rt.store, shipment_id, body.reason, who))


DateQuery = Annotated[str | None, Query(pattern=s.DATE, description="YYYY-MM-DD (UTC), inclusive")]


@router.get("/audit", response_model=s.AuditPage, tags=["audit"])
def audit_log(rt: RT, who: Viewer,
              before: Annotated[int | None, Query(ge=1, le=2**62, description="page: seq below this")] = None,
              limit: Annotated[int, Query(ge=1, le=500)] = 50,
              kind: Annotated[list[str] | None, Query(max_length=20, description="any of these kinds")] = None,
              actor: Annotated[str | None, Query(max_length=200)] = None,
              date_from: Annotated[str | None, Query(alias="from", pattern=s.DATE,
                                                     description="first day (UTC), YYYY-MM-DD")] = None,
              date_to: Annotated[str | None, Query(alias="to", pattern=s.DATE,
                                                   description="last day (UTC), YYYY-MM-DD")] = None,
              full: Annotated[bool, Query(description="include inputs and results")] = False) -> Response:
    """The audit log, newest first, filtered by kind (repeatable), actor and date range; ``total`` counts every
    record the filter selects."""
    if kind and any(len(k) > 40 for k in kind):
        from chipcontrol.errors import InvalidInput

        raise InvalidInput("a kind is at most 40 characters")
    return _json(audit.list_records(rt.store, before=before, limit=limit, kind=kind, actor=actor, full=full,
                                    date_from=date_from, date_to=date_to))


@router.get("/audit/{seq:int}/certificate", tags=["audit"], response_model=s.Certificate,
            responses={200: {"content": {"application/pdf": {}}}})
def audit_certificate(seq: Annotated[int, Path(ge=1, le=2**62)], rt: RT, who: Viewer,
                      format: Annotated[s.CertificateFormat, Query()] = "json") -> Response:
    """A certificate for a decision or screening: its JSON twin, or the PDF (with the twin embedded)."""
    cert = certificate.build(rt.store, seq, who)
    if format == "pdf":
        return Response(certificate.render_pdf(cert, rt.settings), media_type="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="chipcontrol-certificate-{seq}.pdf"'})
    resp = _json(cert)
    resp.headers["Content-Disposition"] = f'attachment; filename="chipcontrol-certificate-{seq}.json"'
    return resp


@router.post("/certificates/verify", response_model=s.CertificateVerification, tags=["audit"])
def verify_certificate(body: dict[str, Any], rt: RT, who: Viewer) -> Response:
    """Check a certificate (its JSON twin) against its own hashes and this service's audit log."""
    cert = certificate.load(json.dumps(body, ensure_ascii=False).encode("utf-8"))
    return _json(certificate.verify_certificate(cert, rt.store))


@router.get("/export/{dataset}", tags=["export"], response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}},
                             "description": "the rows, streamed"}})
def export_rows(dataset: Annotated[s.Dataset, Path()], rt: RT, who: Viewer,
                format: Annotated[s.ExportFormat, Query()] = "csv",
                kind: Annotated[list[str] | None, Query(max_length=20, description="audit: any of these kinds")] = None,
                actor: Annotated[str | None, Query(max_length=200, description="audit: this actor")] = None,
                date_from: Annotated[str | None, Query(alias="from", pattern=s.DATE)] = None,
                date_to: Annotated[str | None, Query(alias="to", pattern=s.DATE)] = None) -> StreamingResponse:
    """Export a dataset as CSV or JSON Lines, streamed (audit log, screenings, decisions, licences, shipments).
    The audit log takes the audit page's filter."""
    flt = AuditFilter.of(kind, actor, date_from, date_to) if dataset == "audit" else None
    chunks = export.stream(rt.store, dataset, format, audit_filter=flt)
    media = "text/csv; charset=utf-8" if format == "csv" else "application/x-ndjson"
    return StreamingResponse(chunks, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{export.filename(dataset, format)}"'})


@router.get("/audit/verify", response_model=s.VerifyOut, tags=["audit"])
def audit_verify(rt: RT, who: Viewer) -> Response:
    """Walk the hash chain; ``ok`` is false and ``problems`` names each altered or removed record."""
    return _json(audit.verify(rt.store).to_dict())


@router.get("/audit/{seq}", response_model=s.AuditRecordOut, tags=["audit"])
def audit_record(seq: Annotated[int, Path(ge=1, le=2**62)], rt: RT, who: Viewer) -> Response:
    """One record in full: inputs, result, hashes."""
    return _json(audit.get_record(rt.store, seq))


@router.get("/keys", response_model=list[s.KeyOut], tags=["admin"])
def list_keys(rt: RT, who: Admin) -> Response:
    return _json(keys.list_keys(rt.store, who))


@router.post("/keys", response_model=s.NewKeyOut, status_code=201, tags=["admin"])
def create_key(body: s.KeyIn, rt: RT, who: Admin) -> Response:
    """Create an API key (admin). The key is in the response once; only its hash is stored."""
    key, info = keys.create_key(rt.store, name=body.name, role=body.role, by=who)
    return _json({"key": key, "info": info}, 201)


@router.delete("/keys/{key_id}", response_model=s.KeyOut, tags=["admin"])
def revoke_key(key_id: Annotated[int, Path(ge=1, le=2**62)], rt: RT, who: Admin) -> Response:
    """Revoke an API key (admin); you cannot revoke the key you are using."""
    return _json(keys.revoke_key(rt.store, key_id, who))


@router.get("/lists", response_model=s.ListsOut, tags=["lists"])
def lists_in_use(rt: RT, who: Viewer) -> Response:
    """The restricted-party list snapshots screening uses now, and how fresh they are."""
    return _json(lists.snapshots_in_use(rt))


@router.post("/lists/import", response_model=s.ListImportOut, status_code=201, tags=["admin"])
def import_list(body: s.ListImportIn, rt: RT, who: Admin) -> Response:
    """Import a list file (admin): CSL CSV/JSON, OFAC SDN CSV or nsfreg JSON. It replaces the lists it covers only
    if it imports cleanly (else 400, code screening, and nothing changes). The answer has the change against the
    entries it replaced (``change``: added, removed, changed) and the re-screening of every known party
    (``rescreen``: new hits, which are in the review queue)."""
    return _json(lists.import_list(rt, fmt=body.format, content=body.content.encode("utf-8"), source=body.source,
                                   by=who, snapshot_date=body.snapshot_date), 201)


@router.get("/lists/changes", response_model=s.ListChangesPage, tags=["lists"])
def list_changes(rt: RT, who: Viewer, limit: Annotated[int, Query(ge=1, le=500)] = 50,
                 offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> Response:
    """List imports, newest first, with their counts of entries added, removed and changed."""
    return _json(lists.list_changes(rt, limit=limit, offset=offset))


@router.get("/lists/changes/{change_id:int}", response_model=s.ListChangeOut, tags=["lists"])
def list_change(change_id: Annotated[int, Path(ge=1, le=2**62)], rt: RT, who: Viewer) -> Response:
    """One list change: its diff and its re-screening report."""
    return _json(lists.get_change(rt, change_id))


@router.get("/parties", response_model=s.PartiesPage, tags=["lists"])
def parties(rt: RT, who: Viewer, search: Annotated[str | None, Query(max_length=200)] = None,
            limit: Annotated[int, Query(ge=1, le=1000)] = 50,
            offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> Response:
    """The parties the store knows (re-screened at every list change)."""
    return _json(lists.list_parties(rt, search=search, limit=limit, offset=offset))


@router.post("/parties/import", response_model=s.PartiesImportOut, status_code=201, tags=["lists"])
def import_parties(body: s.PartiesImportIn, rt: RT, who: Analyst) -> Response:
    """Upload a customer file (analyst): each party is screened now and at every list change; hits go to the
    review queue."""
    return _json(lists.import_parties(rt, content=body.content, source=body.source, by=who), 201)


@router.get("/review", response_model=s.ReviewPage, tags=["review"])
def review_queue(rt: RT, who: Viewer,
                 status: Annotated[s.ReviewStatus | None, Query(description="undecided: open or pending_second")]
                 = None,
                 list_id: Annotated[str | None, Query(alias="list", max_length=40)] = None,
                 blocking: Annotated[bool | None, Query(description="hits on lists that require a licence or "
                                                                    "prohibit")] = None,
                 source: Annotated[s.ReviewSource | None, Query()] = None,
                 party: Annotated[str | None, Query(max_length=200)] = None,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 50,
                 offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> Response:
    """The review queue: screening hits to decide, oldest first, with the total under the filter."""
    flt = review.QueueFilter(status=status, list_id=list_id, blocking=blocking, source=source, party=party)
    return _json(review.list_items(rt.store, flt, limit=limit, offset=offset))


@router.get("/review/{item_id:int}", response_model=s.ReviewItemOut, tags=["review"])
def review_item(item_id: Annotated[int, Path(ge=1, le=2**62)], rt: RT, who: Viewer) -> Response:
    """One review item with the hit and every decision on it."""
    return _json(review.get_item(rt.store, item_id))


@router.post("/review/decisions", response_model=s.ReviewDecided, tags=["review"])
def review_decide(body: s.ReviewDecisionIn, rt: RT, who: Analyst) -> Response:
    """Decide one or more hits (analyst): true_match, false_positive or escalate, with a reason. Clearing a hit on a
    blocking list needs a second person (four-eyes): the first clearing leaves it pending_second; the same person
    confirming it gets 409 four_eyes_required."""
    return _json({"items": review.decide(rt.store, rt.settings, who, body.items, body.verdict, body.reason)})


# --- the ownership register ------------------------------------------------------------------------

EntryId = Annotated[int, Path(ge=1, le=2**62)]


@router.get("/ownership", response_model=s.OwnershipPage, tags=["ownership"])
def ownership_list(rt: RT, who: Viewer,
                   status: Annotated[s.OwnershipStatus, Query(description="current (default), superseded, removed "
                                                                          "or all")] = "current",
                   owner: Annotated[str | None, Query(max_length=200, description="words in the owner")] = None,
                   owned: Annotated[str | None, Query(max_length=200, description="words in the owned entity")]
                   = None,
                   search: Annotated[str | None, Query(max_length=200, description="words in either name or the "
                                                                                   "source")] = None,
                   limit: Annotated[int, Query(ge=1, le=1000)] = 50,
                   offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> Response:
    """The ownership register: who holds how much of whom, with source and date; ``total`` counts every entry the
    filter selects."""
    flt = register.Filter(status=status, owner=owner, owned=owned, search=search)
    return _json(register.list_entries(rt.store, flt, limit=limit, offset=offset))


@router.get("/ownership/{entry_id:int}", response_model=s.OwnershipEntryDetail, tags=["ownership"])
def ownership_entry(entry_id: EntryId, rt: RT, who: Viewer) -> Response:
    """One entry with the history of its pair (every row for the same owner and owned entity)."""
    return _json(register.get_entry(rt.store, entry_id))


@router.post("/ownership", response_model=s.OwnershipChange, status_code=201, tags=["ownership"])
def ownership_add(body: s.OwnershipEntryIn, rt: RT, who: Analyst) -> Response:
    """Record a holding (analyst). A pair already in the register is 409 conflict: update that entry instead. The
    register must stay consistent (no cycle, no entity over 100 %)."""
    h = register.Holding(body.owner, body.owned, _percent(body.percent), body.source, body.as_of)
    return _json(register.add(rt.store, who, h), 201)


@router.patch("/ownership/{entry_id:int}", response_model=s.OwnershipChange, tags=["ownership"])
def ownership_update(entry_id: EntryId, body: s.OwnershipUpdateIn, rt: RT, who: Analyst) -> Response:
    """Change a current holding's percentage, source or date (analyst): a new entry supersedes it; the old one is
    kept in the history."""
    return _json(register.update(rt.store, who, entry_id,
                                 percent=None if body.percent is None else _percent(body.percent),
                                 source=body.source, as_of=body.as_of, reason=body.reason))


@router.post("/ownership/{entry_id:int}/remove", response_model=s.OwnershipChange, tags=["ownership"])
def ownership_remove(entry_id: EntryId, body: s.OwnershipRemoveIn, rt: RT, who: Analyst) -> Response:
    """End a current holding (analyst), with a reason; it stays in the history as removed."""
    return _json(register.remove(rt.store, who, entry_id, body.reason))


@router.post("/ownership/import", response_model=s.OwnershipImportOut, status_code=201, tags=["ownership"])
def ownership_import(body: s.OwnershipImportIn, rt: RT, who: Analyst) -> Response:
    """Import a CSV ``owner,owned,percent[,source[,as_of]]`` (analyst): new pairs are added, known pairs with other
    facts supersede their entry, identical rows are left alone. All or nothing: a bad row stores nothing and the
    error names its line."""
    return _json(register.import_csv(rt.store, who, body.content, body.source), 201)
