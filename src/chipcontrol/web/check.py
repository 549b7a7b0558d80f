"""The check page: the whole transaction as a form (party rows, owner rows, an ownership CSV pasted or uploaded,
place of production, region, answers) and its answer with the questions first, each reply one click away.

The form's state is one dict (``CheckForm.state``): the page re-renders it, and each question's reply buttons
re-submit it with the reply added (a plain form post: the whole page comes back with the answer filled in).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData, UploadFile

from chipcontrol.errors import ChipControlError, InvalidInput
from chipcontrol.services import decide, ownership_register
from chipcontrol.services.assess import PartyInput
from chipcontrol.web.app import _chip_names, _item_ref, _opt, _page, _result, _rt, _who

router = APIRouter(include_in_schema=False)

SCALARS = ("chip", "as_of", "view", "destination", "origin", "end_user", "end_user_hq", "exporter", "quantity",
           "made_in", "region")
TEXTS = ("spec", "ownership_csv", "answers")  # multi-line: carried in hidden textareas
ROLES = (("purchaser", "purchaser"), ("intermediate_consignee", "intermediate consignee"),
         ("ultimate_consignee", "ultimate consignee"), ("end_user", "end user"), ("exporter", "exporter"))
END_USES = (("supercomputer", "supercomputer"), ("advanced_node_fab", "advanced-node fab"),
            ("military", "military"), ("military_intelligence", "military-intelligence"),
            ("acm_storage", "advanced-computing storage"))
MAX_ROWS = 50
MAX_CSV = 2_000_000


@dataclass
class CheckForm:
    """What the person typed, kept as typed (the page shows it again), and read into a request by ``query``."""

    fields: dict[str, str] = field(default_factory=dict)
    end_uses: list[str] = field(default_factory=list)
    parties: list[dict[str, str]] = field(default_factory=list)
    owners: list[dict[str, str]] = field(default_factory=list)

    @property
    def state(self) -> dict[str, Any]:
        return {**self.fields, "end_uses": self.end_uses, "parties": self.parties, "owners": self.owners}

    @classmethod
    def empty(cls, chip: str | None = None) -> CheckForm:
        return cls({"chip": chip or "", "origin": "US"})


def _s(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _answers_text(given: str, clicked: list[str]) -> str:
    """The answers box with the clicked replies merged in (a reply to a question already answered replaces it)."""
    merged: dict[str, str] = {}
    for n, line in enumerate(given.replace(";", "\n").splitlines(), start=1):
        if not line.strip():
            continue
        if "=" not in line:
            raise InvalidInput(f"answers line {n}: expected QUESTION_ID=VALUE, e.g. end_user.headquarters=MY")
        k, v = line.split("=", 1)
        merged[k.strip()] = v.strip()
    for a in clicked:
        if "=" in a:
            k, v = a.split("=", 1)
            merged[k.strip()] = v.strip()
    return "\n".join(f"{k}={v}" for k, v in merged.items())


async def read_form(raw: FormData) -> CheckForm:
    """The form as typed: scalars, end uses, party rows, owner rows, the ownership CSV (an upload replaces the
    pasted text) and the answers (the clicked reply merged in)."""
    f = CheckForm({k: _s(raw.get(k)).strip() for k in SCALARS})
    f.fields.setdefault("origin", "US")
    f.fields["origin"] = f.fields["origin"] or "US"
    for k in TEXTS:
        f.fields[k] = _s(raw.get(k))
    upload = raw.get("ownership_upload")
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read(MAX_CSV + 1)
        if len(data) > MAX_CSV:
            raise InvalidInput(f"the ownership file is larger than {MAX_CSV:,} bytes")
        try:
            f.fields["ownership_csv"] = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput(f"ownership file {upload.filename!r} is not UTF-8 text") from None
        f.fields["ownership_name"] = upload.filename
    f.end_uses = [u for u in (_s(x) for x in raw.getlist("end_use")) if u]
    cols = [[_s(x) for x in raw.getlist(f"party_{c}")] for c in ("role", "name", "country", "hq")]
    width = max((len(c) for c in cols), default=0)
    for i in range(width):
        role, name, country, hq = (c[i].strip() if i < len(c) else "" for c in cols)
        if name or country or hq:
            f.parties.append({"role": role or "purchaser", "name": name, "country": country, "hq": hq})
    names, pcts = [_s(x) for x in raw.getlist("owner_name")], [_s(x) for x in raw.getlist("owner_percent")]
    for i in range(max(len(names), len(pcts))):
        name, pct = (names[i].strip() if i < len(names) else ""), (pcts[i].strip() if i < len(pcts) else "")
        if name or pct:
            f.owners.append({"name": name, "percent": pct})
    f.fields["answers"] = _answers_text(f.fields["answers"], [_s(x) for x in raw.getlist("answer")])
    return f


def query(f: CheckForm) -> decide.ShipmentQuery:
    """The request: one-line errors name the row a bad value is in."""
    v = f.fields
    if not v.get("destination"):
        raise InvalidInput("destination code is empty")
    if len(f.parties) > MAX_ROWS or len(f.owners) > MAX_ROWS:
        raise InvalidInput(f"at most {MAX_ROWS} party rows and {MAX_ROWS} owner rows")
    parties = []
    for n, p in enumerate(f.parties, start=1):
        if not p["name"]:
            raise InvalidInput(f"party row {n}: the name is empty")
        parties.append(PartyInput(p["role"], p["name"], _opt(p["country"]), _opt(p["hq"])))
    owners = []
    for n, o in enumerate(f.owners, start=1):
        if not o["name"] or not o["percent"]:
            raise InvalidInput(f"owner row {n}: give the owner's name and its percentage")
        owners.append(f"{o['name']}={o['percent']}")
    rows: tuple[tuple[str, str, str, str], ...] = ()
    if v.get("ownership_csv", "").strip():
        rows = ownership_register.check_rows(v["ownership_csv"], v.get("ownership_name") or "ownership CSV")
    qty = None
    if v.get("quantity"):
        try:
            qty = int(v["quantity"])
        except ValueError:
            raise InvalidInput(f"quantity {v['quantity']!r} is not a whole number") from None
    answers = tuple((k, val) for k, val in (line.split("=", 1) for line in v["answers"].splitlines() if "=" in line))
    return decide.ShipmentQuery(
        destination=v["destination"], origin=v.get("origin") or "US", end_user=_opt(v.get("end_user")),
        end_user_hq=_opt(v.get("end_user_hq")), exporter=_opt(v.get("exporter")), quantity=qty,
        end_uses=tuple(f.end_uses), parties=tuple(parties), owners=tuple(owners), ownership=rows,
        made_in=_opt(v.get("made_in")), region=_opt(v.get("region")), answers=answers)


def review_states(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The review queue's state of each hit, by party and entry id (for the parties table)."""
    return {f"{r.get('party')}\x1f{r.get('entry_id')}": r for r in data.get("review") or [] if isinstance(r, dict)}


def _ctx(form: CheckForm) -> dict[str, Any]:
    return {"form": form.state, "chips": _chip_names(), "roles": ROLES, "end_use_options": END_USES,
            "scalars": SCALARS, "texts": TEXTS}


@router.get("/check", response_class=HTMLResponse)
def check_form(request: Request, chip: str | None = None) -> HTMLResponse:
    return _page(request, "check.html", _who(request), **_ctx(CheckForm.empty(chip)))


@router.post("/check", response_class=HTMLResponse)
async def check(request: Request) -> HTMLResponse:
    who = _who(request)
    raw = await request.form()
    form = CheckForm.empty(_s(raw.get("chip")))
    try:
        form = await read_form(raw)
        ref = _item_ref(_opt(form.fields.get("chip")), form.fields.get("spec"))
        q = query(form)
        data = await run_in_threadpool(decide.check, _rt(request), who, ref, q, as_of=_opt(form.fields.get("as_of")),
                                       view=_opt(form.fields.get("view")))
        return _result(request, who, "check.html", "_check.html", data=data, reviews=review_states(data),
                       **_ctx(form))
    except ChipControlError as exc:
        return _result(request, who, "check.html", "_error.html", error=exc, **_ctx(form))
