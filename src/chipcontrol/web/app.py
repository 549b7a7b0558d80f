"""The web UI: server-rendered Jinja2 pages, htmx for in-page results. No JavaScript build chain.

Sign-in takes an API key and keeps it in an HttpOnly, SameSite=Strict cookie; every page then acts as that key's
user (decisions and writes are attributed in the audit log). Forms post normally; with htmx they swap in only the
result fragment.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlparse

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from chipcontrol import __version__
from chipcontrol.errors import ChipControlError
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

        recent = [{"seq": d.audit_seq, "kind": d.kind, "item": d.item, "destination": d.destination,
                   "outcome": d.outcome, "actor": d.actor, "created_at": d.created_at}
                  for d in repo.recent_decisions(session, 10)]
    return _page(request, "home.html", who, recent=recent)


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


@router.get("/check", response_class=HTMLResponse)
def check_form(request: Request, chip: str | None = None) -> HTMLResponse:
    return _page(request, "check.html", _who(request), chips=_chip_names(), form={"chip": chip or "",
                                                                                   "origin": "US"})


@router.post("/check", response_class=HTMLResponse)
def check(request: Request, destination: Text, chip: OptText = None, spec: OptText = None, origin: OptText = None,
          end_user: OptText = None, end_user_hq: OptText = None, exporter: OptText = None,
          quantity: OptText = None, end_use: Annotated[list[str] | None, Form()] = None, as_of: OptText = None,
          view: OptText = None) -> HTMLResponse:
    who = _who(request)
    form = {"chip": chip or "", "spec": spec or "", "destination": destination, "origin": origin or "US",
            "end_user": end_user or "", "end_user_hq": end_user_hq or "", "exporter": exporter or "",
            "quantity": quantity or "", "end_uses": end_use or [], "as_of": as_of or "", "view": view or ""}
    try:
        ref = _item_ref(chip, spec)
        qty = None
        if _opt(quantity):
            try:
                qty = int(str(quantity).strip())
            except ValueError:
                raise ChipControlError(f"quantity {quantity!r} is not a whole number") from None
        q = decide.ShipmentQuery(destination=destination, origin=_opt(origin) or "US", end_user=_opt(end_user),
                                 end_user_hq=_opt(end_user_hq), exporter=_opt(exporter), quantity=qty,
                                 end_uses=tuple(end_use or ()))
        data = decide.check(_rt(request), who, ref, q, as_of=_opt(as_of), view=_opt(view))
        return _result(request, who, "check.html", "_check.html", data=data, chips=_chip_names(), form=form)
    except ChipControlError as exc:
        return _result(request, who, "check.html", "_error.html", error=exc, chips=_chip_names(), form=form)


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


@router.get("/licences", response_class=HTMLResponse)
def licences(request: Request) -> HTMLResponse:
    who = _who(request)
    rt = _rt(request)
    return _page(request, "licences.html", who, licences=ledger.list_licences(rt.store),
                 shipments=ledger.list_shipments(rt.store, limit=50), chips=_chip_names(), form={}, sform={})


def _licence_page(request: Request, who: Principal, **ctx: Any) -> HTMLResponse:
    rt = _rt(request)
    ctx.setdefault("form", {})
    ctx.setdefault("sform", {})
    return _page(request, "licences.html", who, licences=ledger.list_licences(rt.store),
                 shipments=ledger.list_shipments(rt.store, limit=50), chips=_chip_names(), **ctx)


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
                    reference: OptText = None) -> HTMLResponse:
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
        out = ledger.record_shipment(_rt(request).store, ledger.ShipmentInput(
            licence_number=licence_number, chip=chip, destination=destination, quantity=qty,
            end_user=_opt(end_user), value=_opt(value), shipped_on=_opt(shipped_on), reference=_opt(reference)), who)
        lic = out["licence"]
        left = lic["quantity_remaining"]
        return _licence_page(request, who, smessage=f"Shipment {out['id']} recorded against {lic['number']}"
                             + (f"; {left} units left." if left is not None else "."))
    except ChipControlError as exc:
        return _licence_page(request, who, sform=sform, serror=f"Refused: {exc} [{exc.code}]")


@router.get("/licences/{number}", response_class=HTMLResponse)
def licence_page(request: Request, number: str) -> HTMLResponse:
    who = _who(request)
    try:
        lic = ledger.get_licence(_rt(request).store, number)
    except ChipControlError as exc:
        return error_page(request, 404, str(exc))
    return _page(request, "licence.html", who, lic=lic)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, before: int | None = None, kind: str | None = None) -> HTMLResponse:
    who = _who(request)
    data = audit.list_records(_rt(request).store, before=before, limit=50, kind=_opt(kind), full=True)
    return _page(request, "audit.html", who, data=data, kind=kind or "", verification=None)


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
    return str(kind)


templates.env.globals["summarise"] = summarise
templates.env.globals["today"] = lambda: dt.date.today().isoformat()


def install(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(router)

    async def not_signed_in(request: Request, exc: Exception) -> Response:
        if _is_htmx(request):
            resp = HTMLResponse("", status_code=401)
            resp.headers["HX-Redirect"] = "/login"
            return resp
        return _login_redirect(request)

    app.add_exception_handler(NotSignedIn, not_signed_in)
