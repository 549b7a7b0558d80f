"""Web pages of the compliance desk: the review queue (filters, bulk decisions), list changes and imports,
customer files, exports (CSV / JSON Lines downloads) and certificates (PDF / JSON downloads)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.datastructures import UploadFile

from chipcontrol.errors import ChipControlError, InvalidInput
from chipcontrol.services import certificate, export, lists, review
from chipcontrol.services.audit import AuditFilter
from chipcontrol.web.app import (
    PAGE,
    _offset,
    _opt,
    _page,
    _rt,
    _same_origin,
    _who,
    error_page,
    pager,
    uploaded_text,
)

router = APIRouter(include_in_schema=False)


# --- review queue ---------------------------------------------------------------------------------

@router.get("/review", response_class=HTMLResponse)
def review_page(request: Request, status: str | None = "undecided", list_id: Annotated[str | None, Query(
        alias="list")] = None, blocking: str | None = None, source: str | None = None, party: str | None = None,
                page: int = 1, message: str | None = None, error: str | None = None) -> HTMLResponse:
    who = _who(request)
    filt = {"status": status or "", "list": list_id or "", "blocking": blocking or "", "source": source or "",
            "party": party or ""}
    try:
        flt = review.QueueFilter(status=_opt(status), list_id=_opt(list_id),
                                 blocking={"yes": True, "no": False}.get(blocking or ""), source=_opt(source),
                                 party=_opt(party))
        data = review.list_items(_rt(request).store, flt, limit=PAGE, offset=_offset(page))
    except ChipControlError as exc:
        data, error = {"total": 0, "items": []}, str(exc)
    return _page(request, "review.html", who, data=data, filt=filt, pager=pager(data["total"], page, "page", request),
                 statuses=(*review.STATUSES, "undecided"), sources=review.SOURCES, message=message, error=error,
                 four_eyes=_rt(request).settings.review_four_eyes)


@router.post("/review/decide", response_model=None)
async def review_decide(request: Request) -> Response:
    who = _who(request)
    form = await request.form()
    back = str(form.get("back") or "/review")
    back = back if back.startswith("/") and not back.startswith("//") else "/review"
    if not _same_origin(request):
        return error_page(request, 403, "cross-site request refused")
    sep = "&" if "?" in back else "?"
    try:
        ids = [int(str(x)) for x in form.getlist("item")]
        if not ids:
            raise InvalidInput("select at least one hit")
        out = review.decide(_rt(request).store, _rt(request).settings, who, ids, str(form.get("verdict") or ""),
                            str(form.get("reason") or ""))
    except ValueError:
        return RedirectResponse(f"{back}{sep}error=bad+item+id", status_code=303)
    except ChipControlError as exc:
        from urllib.parse import quote

        return RedirectResponse(f"{back}{sep}error={quote(f'{exc} [{exc.code}]')}", status_code=303)
    statuses = sorted({i["status"] for i in out})
    from urllib.parse import quote

    msg = f"{len(out)} item(s) decided: now {', '.join(s.replace('_', ' ') for s in statuses)}"
    return RedirectResponse(f"{back}{sep}message={quote(msg)}", status_code=303)


@router.get("/review/{item_id}", response_class=HTMLResponse)
def review_item(request: Request, item_id: int, message: str | None = None, error: str | None = None
                ) -> HTMLResponse:
    who = _who(request)
    try:
        item = review.get_item(_rt(request).store, item_id)
    except ChipControlError as exc:
        return error_page(request, 404, str(exc))
    return _page(request, "review_item.html", who, item=item, message=message, error=error,
                 four_eyes=_rt(request).settings.review_four_eyes)


# --- lists, changes, customer files -----------------------------------------------------------------

@router.get("/lists", response_class=HTMLResponse)
def lists_page(request: Request, page: int = 1, ppage: int = 1, message: str | None = None,
               error: str | None = None) -> HTMLResponse:
    who = _who(request)
    rt = _rt(request)
    changes = lists.list_changes(rt, limit=PAGE, offset=_offset(page))
    parties = lists.list_parties(rt, limit=PAGE, offset=_offset(ppage))
    return _page(request, "lists.html", who, inuse=lists.snapshots_in_use(rt), changes=changes,
                 cpager=pager(changes["total"], page, "page", request), parties=parties,
                 ppager=pager(parties["total"], ppage, "ppage", request), formats=lists.FORMATS, message=message,
                 error=error)


@router.post("/lists/import", response_class=HTMLResponse, response_model=None)
async def lists_import(request: Request) -> Response:
    who = _who(request)
    if not _same_origin(request):
        return error_page(request, 403, "cross-site request refused")
    form = await request.form()
    try:
        upload = form.get("file")
        content = await upload.read() if isinstance(upload, UploadFile) else str(form.get("content") or "").encode()
        if not content:
            raise InvalidInput("choose a list file (or paste its content)")
        source = getattr(upload, "filename", None) or _opt(str(form.get("source") or "")) or "web upload"
        out = lists.import_list(_rt(request), fmt=str(form.get("format") or ""), content=content, source=source,
                                by=who, snapshot_date=_opt(str(form.get("snapshot_date") or "")))
    except ChipControlError as exc:
        return lists_page(request, error=f"{exc} [{exc.code}]")
    return RedirectResponse(f"/lists/changes/{out['change']['id']}", status_code=303)


@router.get("/lists/changes/{change_id}", response_class=HTMLResponse)
def list_change(request: Request, change_id: int) -> HTMLResponse:
    who = _who(request)
    try:
        change = lists.get_change(_rt(request), change_id)
    except ChipControlError as exc:
        return error_page(request, 404, str(exc))
    return _page(request, "list_change.html", who, change=change)


@router.post("/parties/import", response_class=HTMLResponse, response_model=None)
async def parties_import(request: Request) -> Response:
    who = _who(request)
    if not _same_origin(request):
        return error_page(request, 403, "cross-site request refused")
    form = await request.form()
    try:
        text, filename = await uploaded_text(form, "customer file")
        source = filename or "web upload"
        out = lists.import_parties(_rt(request), content=text, source=source, by=who)
    except ChipControlError as exc:
        return lists_page(request, error=f"{exc} [{exc.code}]")
    from urllib.parse import quote

    msg = f"{out['parties']} parties remembered; {out['hits']} hit(s) for {out['parties_hit']} of them in the queue"
    return RedirectResponse(f"/lists?message={quote(msg)}", status_code=303)


# --- exports and certificates ----------------------------------------------------------------------

@router.get("/export/{dataset}", response_model=None)
def export_download(request: Request, dataset: str, format: str = "csv",
                    kind: Annotated[list[str] | None, Query()] = None, actor: str | None = None,
                    date_from: Annotated[str | None, Query(alias="from")] = None,
                    date_to: Annotated[str | None, Query(alias="to")] = None) -> Response:
    _who(request)
    try:
        flt = AuditFilter.of([k for k in kind or [] if k], _opt(actor), _opt(date_from), _opt(date_to)) \
            if dataset == "audit" else None
        chunks = export.stream(_rt(request).store, dataset, format, audit_filter=flt)
    except ChipControlError as exc:
        return error_page(request, 400, str(exc))
    media = "text/csv; charset=utf-8" if format == "csv" else "application/x-ndjson"
    return StreamingResponse(chunks, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{export.filename(dataset, format)}"'})


@router.get("/audit/{seq}/certificate.{ext}", response_model=None)
def certificate_download(request: Request, seq: int, ext: str) -> Response:
    who = _who(request)
    if ext not in ("pdf", "json"):
        return error_page(request, 404, f"no certificate format {ext!r}: pdf or json")
    try:
        cert = certificate.build(_rt(request).store, seq, who)
    except ChipControlError as exc:
        return error_page(request, 404, str(exc))
    name = f"chipcontrol-certificate-{seq}.{ext}"
    if ext == "pdf":
        body = certificate.render_pdf(cert, _rt(request).settings)
        return Response(body, media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    from chipcontrol.store.audit import canonical_json

    return Response(canonical_json(cert).encode("utf-8"), media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
