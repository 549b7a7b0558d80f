"""The web UI: server-rendered Jinja2 pages, htmx for in-page results. No JavaScript build chain.

Sign-in takes an API key and keeps it in an HttpOnly, SameSite=Strict cookie; every page then acts as that key's
user (decisions and writes are attributed in the audit log). Forms post normally; with htmx they swap in only the
result fragment.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode, urlparse

from fastapi import APIRouter, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import UploadFile

from chipcontrol import __version__
from chipcontrol.errors import ChipControlError, InvalidInput
from chipcontrol.services import audit, decide, inputs, keys, lab, ledger, specfile
from chipcontrol.services.keys import Principal
from chipcontrol.services.runtime import Runtime
from chipcontrol.settings import Settings
from chipcontrol.web.charts import timeline_svg

HERE = Path(__file__).resolve().parent
COOKIE = "chipcontrol_key"
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.globals["version"] = __version__
templates.env.filters["tojson_pretty"] = lambda v: json.dumps(v, indent=2, ensure_ascii=False, sort_keys=True)

router = APIRouter(include_in_schema=False)

Text = Annotated[str, Form()]
OptText = Annotated[str | None, Form()]


class NotSignedIn(Exception):
    pass


def _rt(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def _who(request: Request) -> Principal:
    try:
        return keys.authenticate(_rt(request).store, request.cookies.get(COOKIE))
    except keys.Unauthorized:
        raise NotSignedIn() from None


def _same_origin(request: Request) -> bool:
    """Writes must come from our own pages (SameSite=Strict already keeps the cookie off cross-site posts)."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return True
    return urlparse(origin).netloc == request.headers.get("host", "")


def _page(request: Request, template: str, who: Principal | None, /, **ctx: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, template, {"who": who, **ctx})


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _opt(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


async def uploaded_text(form: Any, what: str, max_bytes: int = 20_000_000) -> tuple[str, str | None]:
    """The text of a form's file upload (field ``file``), or else of its pasted ``content``: (text, the file's name
    or None). One-line errors for an empty, oversized or non-UTF-8 file."""
    upload = form.get("file")
    name: str | None = None
    if isinstance(upload, UploadFile) and upload.filename:
        raw, name = await upload.read(max_bytes + 1), upload.filename
    else:
        raw = str(form.get("content") or "").encode("utf-8")
    if len(raw) > max_bytes:
        raise InvalidInput(f"the {what} is larger than {max_bytes:,} bytes")
    if not raw.strip():
        raise InvalidInput(f"choose a {what} (or paste its content)")
    try:
        return raw.decode("utf-8-sig"), name
    except UnicodeDecodeError:
        raise InvalidInput(f"{name or 'the pasted ' + what}: not UTF-8 text") from None


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return templates.TemplateResponse(request, "error.html", {"who": None, "status": status, "message": message},
                                      status_code=status)


def _login_redirect(request: Request) -> RedirectResponse:
    nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(nxt)}", status_code=303)


def _result(request: Request, who: Principal, page: str, fragment: str, **ctx: Any) -> HTMLResponse:
    """A form's answer: the fragment for htmx, the whole page (form and answer) otherwise."""
    if _is_htmx(request):
        return _page(request, fragment, who, **ctx)
    return _page(request, page, who, fragment=fragment, **ctx)


# --- sign-in -------------------------------------------------------------------------------------

@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return _page(request, "login.html", None, next=next if next.startswith("/") else "/")


@router.post("/login", response_model=None)
def login(request: Request, key: Text, next: Annotated[str, Form()] = "/") -> Response:
    try:
        who = keys.authenticate(_rt(request).store, key)
    except keys.Unauthorized as exc:
        return _page(request, "login.html", None, next=next, error=str(exc))
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    resp = RedirectResponse(target, status_code=303)
    resp.set_cookie(COOKIE, key.strip(), httponly=True, samesite="strict", max_age=12 * 3600,
                    secure=request.url.scheme == "https")
    del who
    return resp


@router.post("/logout")
def logout() -> RedirectResponse:
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(COOKIE)
    return resp


# --- pages ---------------------------------------------------------------------------------------

@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    who = _who(request)
    with _rt(request).store.read() as session:
        from chipcontrol.store import repositories as repo

        recent: list[dict[str, Any]] = [
            {"seq": d.audit_seq, "kind": d.kind, "item": d.item, "destination": d.destination,
             "outcome": d.outcome, "actor": d.actor, "created_at": d.created_at}
            for d in repo.recent_decisions(session, 10)]
        recent += [{"seq": x.audit_seq, "kind": "screen", "item": x.query, "destination": x.country,
                    "outcome": f"{x.hit_count} hit(s)" + (f", top {x.top_list} {x.top_score:.2f}"
                                                         if x.top_score is not None else ""),
                    "actor": x.actor, "created_at": x.created_at}
                   for x in repo.recent_screenings(session, 10)]
    recent.sort(key=lambda d: int(d["seq"] or 0), reverse=True)
    return _page(request, "home.html", who, recent=recent[:10])


def _item_ref(chip: str | None, spec: str | None) -> decide.ItemRef:
    if spec is not None and _opt(spec) and not _opt(chip):
        return decide.ItemRef(spec=specfile.parse_spec_text(spec))
    return decide.ItemRef(chip=_opt(chip))


def _chip_names() -> list[str]:
    from chipcontrol.catalog import Catalog

    return [e.key for e in Catalog.load().all()]


@router.get("/classify", response_class=HTMLResponse)
def classify_form(request: Request, chip: str | None = None) -> HTMLResponse:
    return _page(request, "classify.html", _who(request), chips=_chip_names(), form={"chip": chip or ""})


@router.post("/classify", response_class=HTMLResponse)
def classify(request: Request, chip: OptText = None, spec: OptText = None, as_of: OptText = None,
             view: OptText = None) -> HTMLResponse:
    who = _who(request)
    form = {"chip": chip or "", "spec": spec or "", "as_of": as_of or "", "view": view or ""}
    try:
        ref = _item_ref(chip, spec)
        data = decide.classify(_rt(request), who, ref, as_of=_opt(as_of), view=_opt(view))
        return _result(request, who, "classify.html", "_classification.html", data=data, chips=_chip_names(),
                       form=form)
    except ChipControlError as exc:
        return _result(request, who, "classify.html", "_error.html", error=exc, chips=_chip_names(), form=form)


@router.get("/screen", response_class=HTMLResponse)
def screen_form(request: Request) -> HTMLResponse:
    return _page(request, "screen.html", _who(request), form={})


@router.post("/screen", response_class=HTMLResponse)
def screen(request: Request, name: Text, country: OptText = None) -> HTMLResponse:
    who = _who(request)
    form = {"name": name, "country": country or ""}
    try:
        data = decide.screen(_rt(request), who, name, _opt(country))
        return _result(request, who, "screen.html", "_screen.html", data=data, form=form)
    except ChipControlError as exc:
        return _result(request, who, "screen.html", "_error.html", error=exc, form=form)


@router.get("/chips", response_class=HTMLResponse)
def chips(request: Request, q: str | None = None, as_of: str | None = None) -> HTMLResponse:
    who = _who(request)
    try:
        data = decide.chips(_rt(request), who, _opt(q), as_of=_opt(as_of))
        error = None
    except ChipControlError as exc:
        data, error = {"chips": [], "count": 0, "as_of": as_of}, exc
    ctx = {"data": data, "q": q or "", "as_of": as_of or "", "error": error}
    if _is_htmx(request):
        return _page(request, "_chips_table.html", who, **ctx)
    return _page(request, "chips.html", who, **ctx)


@router.get("/chips/{name:path}", response_class=HTMLResponse)
def chip_page(request: Request, name: str, to: str | None = None, exporter: str | None = None,
              view: str | None = None) -> HTMLResponse:
    who = _who(request)
    form = {"to": to or "", "exporter": exporter or "", "view": view or ""}
    try:
        dest = _opt(to)
        q = decide.ShipmentQuery(destination=dest, exporter=_opt(exporter)) if dest else None
        data = decide.timeline(_rt(request), who, decide.ItemRef(chip=name), q, view=_opt(view))
        return _page(request, "chip.html", who, data=data, chart=timeline_svg(data), form=form, name=name)
    except ChipControlError as exc:
        return _page(request, "chip.html", who, data=None, error=exc, form=form, name=name)


@router.get("/lab", response_class=HTMLResponse)
def lab_page(request: Request, as_of: str | None = None) -> HTMLResponse:
    who = _who(request)
    return _lab(request, who, as_of, None, None)


@router.post("/lab", response_class=HTMLResponse)
def lab_run(request: Request, as_of: OptText = None, destination: OptText = None,
            scenario: OptText = None) -> HTMLResponse:
    return _lab(request, _who(request), as_of, destination, scenario)


def _lab(request: Request, who: Principal, as_of: str | None, destination: str | None,
         scenario: str | None) -> HTMLResponse:
    form = {"as_of": as_of or "", "destination": destination or "", "scenario": scenario or ""}
    try:
        day = inputs.parse_date(_opt(as_of))
        dest = inputs.parse_country(destination, "destination")[0] if _opt(destination) else None
        data = lab.web_lab(day, dest, _opt(scenario), Settings.from_env())
        return _page(request, "lab.html", who, data=data, form=form, error=None)
    except ChipControlError as exc:
        return _page(request, "lab.html", who, data=None, form=form, error=exc)


PAGE = 25


def _offset(page: int | None) -> int:
    return (max(1, page or 1) - 1) * PAGE


@router.get("/licences", response_class=HTMLResponse)
def licences(request: Request, page: int = 1, spage: int = 1) -> HTMLResponse:
    return _licence_page(request, _who(request), page=page, spage=spage)


def _licence_page(request: Request, who: Principal, page: int = 1, spage: int = 1, **ctx: Any) -> HTMLResponse:
    rt = _rt(request)
    ctx.setdefault("form", {})
    ctx.setdefault("sform", {})
    return _page(request, "licences.html", who,
                 licences=ledger.list_licences(rt.store, limit=PAGE, offset=_offset(page)),
                 lpager=pager(ledger.count_licences(rt.store), page, "page", request),
                 shipments=ledger.list_shipments(rt.store, limit=PAGE, offset=_offset(spage)),
                 spager=pager(ledger.count_shipments(rt.store), spage, "spage", request),
                 chips=_chip_names(), idem=uuid.uuid4().hex, **ctx)


def pager(total: int, page: int | None, param: str, request: Request, size: int = PAGE) -> dict[str, Any]:
    """Page links for a list page: the current page, the count of pages, and the URL of any page (the query
    string kept, this page's parameter replaced)."""
    pages = max(1, (total + size - 1) // size)
    current = min(max(1, page or 1), pages)
    base = [(k, v) for k, v in request.query_params.multi_items() if k != param]

    def url(n: int) -> str:
        return f"{request.url.path}?{urlencode([*base, (param, str(n))])}"

    shown = sorted({1, pages, *range(max(1, current - 2), min(pages, current + 2) + 1)})
    return {"total": total, "page": current, "pages": pages, "size": size, "first": (current - 1) * size + 1,
            "last": min(total, current * size), "prev": url(current - 1) if current > 1 else None,
            "next": url(current + 1) if current < pages else None, "links": [(n, url(n)) for n in shown]}


def _lines(text: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (text or "").replace(";", "\n").splitlines() if p.strip())


@router.post("/licences", response_class=HTMLResponse)
def create_licence(request: Request, number: Text, items: Text, destinations: Text, expires_on: Text,
                   end_users: OptText = None, quantity_limit: OptText = None, value_limit: OptText = None,
                   issued_on: OptText = None, holder: OptText = None) -> HTMLResponse:
    who = _who(request)
    form = {"number": number, "items": items, "destinations": destinations, "expires_on": expires_on,
            "end_users": end_users or "", "quantity_limit": quantity_limit or "", "value_limit": value_limit or "",
            "issued_on": issued_on or "", "holder": holder or ""}
    if not _same_origin(request):
        return _licence_page(request, who, form=form, lerror="cross-site request refused")
    try:
        who.require("analyst")
        qty = int(quantity_limit) if quantity_limit and _opt(quantity_limit) else None
        lic = ledger.create_licence(_rt(request).store, ledger.LicenceInput(
            number=number, items=_lines(items), destinations=tuple(c.strip() for c in destinations.replace(";", ",")
                                                                   .split(",") if c.strip()),
            expires_on=expires_on, end_users=_lines(end_users), quantity_limit=qty,
            value_limit=_opt(value_limit), issued_on=_opt(issued_on), holder=_opt(holder)), who)
        return _licence_page(request, who, lmessage=f"Licence {lic['number']} recorded (audit record "
                                                    f"{lic['audit_seq']}).")
    except ValueError:
        return _licence_page(request, who, form=form, lerror="quantity limit must be a whole number")
    except ChipControlError as exc:
        return _licence_page(request, who, form=form, lerror=f"{exc} [{exc.code}]")


@router.post("/shipments", response_class=HTMLResponse)
def create_shipment(request: Request, licence_number: Text, chip: Text, destination: Text, quantity: Text,
                    end_user: OptText = None, value: OptText = None, shipped_on: OptText = None,
                    reference: OptText = None, idempotency_key: OptText = None) -> HTMLResponse:
    who = _who(request)
    sform = {"licence_number": licence_number, "chip": chip, "destination": destination, "quantity": quantity,
             "end_user": end_user or "", "value": value or "", "shipped_on": shipped_on or "",
             "reference": reference or ""}
    if not _same_origin(request):
        return _licence_page(request, who, sform=sform, serror="cross-site request refused")
    try:
        who.require("analyst")
        try:
            qty = int(quantity)
        except ValueError:
            raise ChipControlError(f"quantity {quantity!r} is not a whole number") from None
        booked = ledger.book_shipment(_rt(request).store, ledger.ShipmentInput(
            licence_number=licence_number, chip=chip, destination=destination, quantity=qty,
            end_user=_opt(end_user), value=_opt(value), shipped_on=_opt(shipped_on), reference=_opt(reference)),
            who, idempotency_key=_opt(idempotency_key), settings=_rt(request).settings)
        if booked.status >= 400:
            err = booked.body["error"]
            return _licence_page(request, who, sform=sform, serror=f"Refused: {err['message']} [{err['code']}]")
        out = booked.body
        lic = out["licence"]
        left = lic["quantity_remaining"]
        flags = "".join(f" Flag: {f['message']}." for f in out.get("flags") or [])
        again = " (already recorded: this is the first answer)" if booked.replayed else ""
        return _licence_page(request, who, smessage=f"Shipment {out['id']} recorded against {lic['number']}"
                             + (f"; {left} units left." if left is not None else ".") + again + flags)
    except ChipControlError as exc:
        return _licence_page(request, who, sform=sform, serror=f"Refused: {exc} [{exc.code}]")


@router.post("/shipments/{shipment_id}/void", response_class=HTMLResponse)
def void_shipment(request: Request, shipment_id: int, reason: Text) -> Response:
    who = _who(request)
    if not _same_origin(request):
        return error_page(request, 403, "cross-site request refused")
    try:
        out = ledger.void_shipment(_rt(request).store, shipment_id, reason, who)
    except ChipControlError as exc:
        return _licence_page(request, who, serror=f"Void refused: {exc} [{exc.code}]")
    return RedirectResponse(f"/licences/{quote(out['licence_number'])}?voided={shipment_id}", status_code=303)


@router.get("/licences/{number:path}", response_class=HTMLResponse)
def licence_page(request: Request, number: str, page: int = 1, voided: int | None = None) -> HTMLResponse:
    who = _who(request)
    try:
        lic = ledger.get_licence(_rt(request).store, number, limit=PAGE, offset=_offset(page))
    except ChipControlError as exc:
        return error_page(request, 404, str(exc))
    return _page(request, "licence.html", who, lic=lic, voided=voided,
                 pager=pager(lic["shipments_total"], page, "page", request))


AUDIT_KINDS = ("classify", "check", "screen", "timeline", "chips", "licence.create", "shipment", "shipment.refused",
               "shipment.void", "batch", "key.create", "key.revoke", "lists.import", "lists.import.failed",
               "lists.rescreen", "parties.import", "review.decide", "ownership.add", "ownership.update",
               "ownership.remove", "ownership.import")


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, before: int | None = None, kind: Annotated[list[str] | None, Query()] = None,
               actor: str | None = None, date_from: Annotated[str | None, Query(alias="from")] = None,
               date_to: Annotated[str | None, Query(alias="to")] = None) -> HTMLResponse:
    who = _who(request)
    store = _rt(request).store
    kinds = [k for k in (kind or []) if k]
    filt = {"kind": kinds, "actor": actor or "", "from": date_from or "", "to": date_to or ""}
    query = urlencode([*(("kind", k) for k in kinds), *((k, v) for k, v in filt.items() if k != "kind" and v)])
    try:
        data = audit.list_records(store, before=before, limit=50, kind=kinds, actor=_opt(actor), full=True,
                                  date_from=_opt(date_from), date_to=_opt(date_to))
        error = None
    except ChipControlError as exc:
        data, error = {"total": 0, "records": [], "next_before": None}, exc
    all_kinds = sorted(set(AUDIT_KINDS) | set(audit.kinds(store)))
    return _page(request, "audit.html", who, data=data, filt=filt, query=query, kinds=all_kinds,
                 actors=audit.actors(store), before=before, error=error, verification=None)


@router.post("/audit/verify", response_class=HTMLResponse)
def audit_verify(request: Request) -> HTMLResponse:
    who = _who(request)
    return _page(request, "_verify.html", who, verification=audit.verify(_rt(request).store))


@router.get("/audit/{seq}", response_class=HTMLResponse)
def audit_record(request: Request, seq: int) -> HTMLResponse:
    who = _who(request)
    try:
        rec = audit.get_record(_rt(request).store, seq)
    except ChipControlError as exc:
        return error_page(request, 404, str(exc))
    return _page(request, "audit_record.html", who, rec=rec)


def summarise(rec: dict[str, Any]) -> str:
    """One line for the audit table."""
    r, i = rec.get("result") or {}, rec.get("inputs") or {}
    kind = rec["kind"]
    if kind == "check":
        return (f"{(r.get('item') or {}).get('name')} → {(r.get('shipment') or {}).get('destination')}: "
                f"{r.get('outcome')}")
    if kind == "classify":
        return f"{(r.get('item') or {}).get('name')}: {r.get('paragraph') or 'not controlled'}"
    if kind == "screen":
        return f"{i.get('name')!r}: {len(r.get('hits') or [])} hit(s)"
    if kind == "timeline":
        return f"{(r.get('item') or {}).get('name')}: {len(r.get('periods') or [])} period(s)"
    if kind in ("shipment", "shipment.refused"):
        err = (r.get("error") or {}).get("code")
        return f"{i.get('quantity')} × {i.get('item')} on {i.get('licence_number')}" + (f": {err}" if err else "")
    if kind == "licence.create":
        return f"licence {r.get('number')}"
    if kind in ("key.create", "key.revoke"):
        return f"{kind.split('.')[1]} key {r.get('id')} for {r.get('name')} ({r.get('role')})"
    if kind == "chips":
        return f"catalogue: {r.get('count')} chip(s)" + (f" matching {i.get('search')!r}" if i.get("search") else "")
    if kind == "batch":
        return f"{r.get('lines')} line(s), {r.get('rejects')} reject(s)"
    if kind == "shipment.void":
        return f"void shipment {i.get('shipment')}: {i.get('reason')}"
    if kind == "review.decide":
        return (f"{r.get('party')} ~ {r.get('listed_name')} ({r.get('list')}): {i.get('verdict')} → "
                f"{r.get('status')}")
    if kind == "lists.import":
        d = r.get("diff") or {}
        return (f"{', '.join(r.get('lists') or [])}: {r.get('entries')} entries; +{d.get('added', 0)} "
                f"-{d.get('removed', 0)} ~{d.get('changed', 0)}")
    if kind == "lists.import.failed":
        return f"{i.get('source')}: {(r.get('error') or {}).get('message')}"
    if kind == "lists.rescreen":
        return f"{r.get('parties')} parties re-screened: {r.get('new_hits')} new hit(s)"
    if kind == "parties.import":
        return f"{r.get('parties')} parties from {i.get('source')}: {r.get('hits')} hit(s)"
    if kind in ("ownership.add", "ownership.update"):
        e = (r.get("entries") or [{}])[0]
        return f"{e.get('owner')} holds {e.get('percent')} % of {e.get('owned')}" + (
            f" (supersedes {', '.join(map(str, r.get('superseded') or []))})" if r.get("superseded") else "")
    if kind == "ownership.remove":
        return f"removed: {r.get('owner')} holds {r.get('percent')} % of {r.get('owned')} ({i.get('reason')})"
    if kind == "ownership.import":
        return (f"{i.get('file')}: {r.get('added')} added, {r.get('updated')} updated, {r.get('unchanged')} "
                "unchanged")
    return str(kind)


templates.env.globals["summarise"] = summarise
templates.env.globals["today"] = lambda: dt.date.today().isoformat()
templates.env.globals["CERTIFIABLE"] = ("check", "classify", "screen", "timeline", "shipment", "shipment.refused",
                                        "review.decide", "lists.rescreen")
templates.env.globals["POLICY_LABELS"] = {
    "case_by_case": "case-by-case review", "presumption_of_denial": "presumption of denial",
    "presumption_of_approval": "presumption of approval", "policy_of_denial": "policy of denial",
    "denial": "denial"}
templates.env.globals["VALUE_CODES"] = {
    "V": "checked against an official source (vendor datasheet, BIS)",
    "E": "taken from the Epoch AI dataset",
    "D": "derived (e.g. sparse ÷ 2, per-GPU from 8-GPU totals)",
    "R": "a recalled vendor figure, not re-checked",
    "U": "unverified: press only, or conflicting sources"}


def install(app: FastAPI) -> None:
    from chipcontrol.web import check, desk, ownership

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(desk.router)
    app.include_router(check.router)
    app.include_router(ownership.router)
    app.include_router(router)

    async def not_signed_in(request: Request, exc: Exception) -> Response:
        if _is_htmx(request):
            resp = HTMLResponse("", status_code=401)
            resp.headers["HX-Redirect"] = "/login"
            return resp
        return _login_redirect(request)

    app.add_exception_handler(NotSignedIn, not_signed_in)
