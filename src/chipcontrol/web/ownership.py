"""The ownership register's pages: the list (filters, pages), adding and removing holdings, a CSV upload (or
paste), and each entry with the history of its pair. Analysts write; everyone signed in reads."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from chipcontrol.errors import ChipControlError
from chipcontrol.services import ownership_register as reg
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
OptText = Annotated[str | None, Form()]
MAX_UPLOAD = 20_000_000


def _back(path: str, *, message: str | None = None, error: str | None = None) -> RedirectResponse:
    sep = "&" if "?" in path else "?"
    q = f"message={quote(message)}" if message else f"error={quote(error or '')}"
    return RedirectResponse(f"{path}{sep}{q}", status_code=303)


def _safe_back(value: str | None, default: str = "/ownership") -> str:
    return value if value and value.startswith("/ownership") and not value.startswith("//") else default


@router.get("/ownership", response_class=HTMLResponse)
def ownership_page(request: Request, status: str | None = "current", owner: str | None = None,
                   owned: str | None = None, search: str | None = None, page: int = 1, message: str | None = None,
                   error: str | None = None) -> HTMLResponse:
    who = _who(request)
    filt = {"status": status or "current", "owner": owner or "", "owned": owned or "", "search": search or ""}
    try:
        data = reg.list_entries(_rt(request).store, reg.Filter(status=filt["status"], owner=_opt(owner),
                                                               owned=_opt(owned), search=_opt(search)),
                                limit=PAGE, offset=_offset(page))
    except ChipControlError as exc:
        data, error = {"total": 0, "entries": []}, f"{exc} [{exc.code}]"
    return _page(request, "ownership.html", who, data=data, filt=filt, statuses=(*reg.STATUSES, "all"),
                 pager=pager(data["total"], page, "page", request), message=message, error=error,
                 back=request.url.path + (f"?{request.url.query}" if request.url.query else ""))


@router.post("/ownership", response_model=None)
def ownership_add(request: Request, owner: OptText = None, owned: OptText = None, percent: OptText = None,
                  source: OptText = None, as_of: OptText = None) -> Response:
    who = _who(request)
    if not _same_origin(request):
        return error_page(request, 403, "cross-site request refused")
    try:
        out = reg.add(_rt(request).store, who, reg.Holding(owner or "", owned or "", percent or "", source or "",
                                                           _opt(as_of)))
    except ChipControlError as exc:
        return _back("/ownership", error=f"{exc} [{exc.code}]")
    e = out["entry"]
    return _back("/ownership", message=f"Entry {e['id']} recorded: {e['owner']} holds {e['percent']} % of "
                                       f"{e['owned']} (audit record {out['audit_seq']}).")


@router.post("/ownership/import", response_model=None)
async def ownership_import(request: Request) -> Response:
    who = _who(request)
    if not _same_origin(request):
        return error_page(request, 403, "cross-site request refused")
    form = await request.form()
    try:
        text, filename = await uploaded_text(form, "CSV file", MAX_UPLOAD)
        name = filename or "pasted CSV"
        out = reg.import_csv(_rt(request).store, who, text, name)
    except ChipControlError as exc:
        return _back("/ownership", error=f"{exc} [{exc.code}]")
    return _back("/ownership", message=f"{name}: {out['added']} added, {out['updated']} updated, {out['unchanged']} "
                                       "unchanged" + (f" (audit record {out['audit_seq']})." if out["audit_seq"]
                                                      else "; nothing changed."))


@router.post("/ownership/{entry_id}/remove", response_model=None)
def ownership_remove(request: Request, entry_id: int, reason: OptText = None, back: OptText = None) -> Response:
    who = _who(request)
    if not _same_origin(request):
        return error_page(request, 403, "cross-site request refused")
    to = _safe_back(back)
    try:
        out = reg.remove(_rt(request).store, who, entry_id, reason)
    except ChipControlError as exc:
        return _back(to, error=f"{exc} [{exc.code}]")
    return _back(to, message=f"Entry {entry_id} removed (audit record {out['audit_seq']}); it stays in the history.")


@router.post("/ownership/{entry_id}/update", response_model=None)
def ownership_update(request: Request, entry_id: int, percent: OptText = None, source: OptText = None,
                     as_of: OptText = None, reason: OptText = None) -> Response:
    who = _who(request)
    if not _same_origin(request):
        return error_page(request, 403, "cross-site request refused")
    try:
        out = reg.update(_rt(request).store, who, entry_id, percent=_opt(percent), source=source,
                         as_of=as_of, reason=reason)
    except ChipControlError as exc:
        return _back(f"/ownership/{entry_id}", error=f"{exc} [{exc.code}]")
    e = out["entry"]
    return _back(f"/ownership/{e['id']}", message=f"Entry {e['id']} recorded; it supersedes entry {entry_id} "
                                                  f"(audit record {out['audit_seq']}).")


@router.get("/ownership/{entry_id}", response_class=HTMLResponse)
def ownership_entry(request: Request, entry_id: int, message: str | None = None,
                    error: str | None = None) -> HTMLResponse:
    who = _who(request)
    try:
        entry = reg.get_entry(_rt(request).store, entry_id)
    except ChipControlError as exc:
        return error_page(request, 404, str(exc))
    return _page(request, "ownership_entry.html", who, entry=entry, message=message, error=error)
