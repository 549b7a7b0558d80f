"""The one JSON error envelope, ``{"error": {"code": ..., "message": ...}}``, with stable codes and statuses."""

from __future__ import annotations

import logging
import os

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from chipcontrol.errors import AmbiguousChip, ChipControlError

log = logging.getLogger("chipcontrol.api")

# The one table of error codes: status -> codes. The OpenAPI document, docs/service.md and the tests are held to
# it (tests/api/test_error_codes.py): every code a route can answer is listed, and every listed code is used.
DOCUMENTED: dict[int, tuple[str, ...]] = {
    400: ("invalid_input", "invalid_spec", "invalid_date", "unknown_country", "screening", "malformed_body"),
    401: ("unauthorized",),
    403: ("forbidden",),
    404: ("unknown_chip", "not_found", "licence_not_found", "shipment_not_found"),
    405: ("method_not_allowed",),
    409: ("ambiguous_chip", "licence_exists", "conflict", "licence_expired", "licence_not_yet_valid",
          "licence_out_of_scope", "licence_balance_exceeded", "end_user_listed", "shipment_prohibited",
          "shipment_reference_exists", "idempotency_key_reused", "shipment_already_voided", "four_eyes_required"),
    413: ("too_large",),
    415: ("unsupported_media_type",),
    422: ("invalid_request",),
    500: ("internal",),
}
STATUS = {code: status for status, codes in DOCUMENTED.items() for code in codes if status not in (400, 405)}
STATUS.update({"store": 503, "regulation_data": 500})
HTTP_CODES = {400: "malformed_body", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 406: "not_acceptable", 413: "too_large", 415: "unsupported_media_type"}


def describe(status: int, what: str) -> str:
    """The OpenAPI description of an error status: what it means and its codes."""
    codes = DOCUMENTED[status]
    return f"{what} (code{'s' if len(codes) > 1 else ''}: {', '.join(codes)})"


def envelope(status: int, code: str, message: str, **extra: object) -> JSONResponse:
    body: dict[str, object] = {"code": code, "message": message, **extra}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def status_for(exc: ChipControlError) -> int:
    """Known codes map to their status; other domain errors (invalid input and its kinds, screening) are 400."""
    return STATUS.get(exc.code, 400)


async def _domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ChipControlError)
    extra = {"candidates": exc.candidates[:50]} if isinstance(exc, AmbiguousChip) else {}
    return envelope(status_for(exc), exc.code, str(exc), **extra)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(x) for x in err.get("loc", ()) if x != "body") or "body"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return envelope(422, "invalid_request", "; ".join(parts) or "the request does not match the schema")


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    if code == "malformed_body":  # the body is not JSON that can be read: invalid UTF-8, nested too deep, ...
        message = "the request body cannot be read as JSON (invalid UTF-8, nested too deeply, or not JSON)"
    resp = envelope(exc.status_code, code, message)
    if exc.headers:
        resp.headers.update(exc.headers)
    if exc.status_code == 405:  # Starlette names only the first matching route's methods
        resp.headers["Allow"] = ", ".join(_allowed(request))
    return resp


def _allowed(request: Request) -> list[str]:
    methods: set[str] = set()
    for route in request.app.routes:
        match, _ = route.matches(request.scope)  # PARTIAL: the path matches, the method does not
        route_methods = getattr(route, "methods", None)
        if match != Match.NONE and route_methods:
            methods |= set(route_methods)
    return sorted(methods)


async def _internal(request: Request, exc: Exception) -> JSONResponse:
    log.exception("internal error on %s %s", request.method, request.url.path)
    if os.environ.get("CHIPCONTROL_DEBUG"):
        return envelope(500, "internal", f"{type(exc).__name__}: {exc}")
    return envelope(500, "internal", "internal error (logged; set CHIPCONTROL_DEBUG=1 for details)")


def install(app: FastAPI) -> None:
    app.add_exception_handler(ChipControlError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, _internal)
