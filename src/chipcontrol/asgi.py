"""ASGI composition root: the REST API (``/api``) and the web UI (``/``) over one runtime.

``uvicorn chipcontrol.asgi:app`` serves it with settings from ``CHIPCONTROL_*``; ``create_app(settings)`` builds
one for tests. Opening the runtime applies the Alembic migrations.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from chipcontrol import __version__, api, web
from chipcontrol.services.runtime import Runtime
from chipcontrol.settings import Settings


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None, warm: bool = True) -> FastAPI:
    rt = runtime or Runtime.open(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if warm:
            rt.warm()
        yield

    app = FastAPI(title="chipcontrol", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="US export controls (EAR) for AI chips: classify, check, screen, timeline; licences "
                              "ledger; review queue; list changes; certificates; exports; audit log. Every route "
                              "but /api/health needs an API key.")
    app.state.runtime = rt

    @app.get("/docs", include_in_schema=False)
    async def docs() -> Response:
        """Swagger UI from the vendored assets (web/static/swagger): works offline."""
        return get_swagger_ui_html(openapi_url="/openapi.json", title="chipcontrol API",
                                   swagger_js_url="/static/swagger/swagger-ui-bundle.js",
                                   swagger_css_url="/static/swagger/swagger-ui.css",
                                   swagger_favicon_url="/static/swagger/favicon-32x32.png")
    api.install(app)
    app.include_router(api.router)
    web.install(app)

    async def http_error(request: Request, exc: Exception) -> Response:
        """JSON envelope under /api, an HTML page elsewhere."""
        assert isinstance(exc, StarletteHTTPException)
        if request.url.path.startswith("/api"):
            return await api.http_error(request, exc)
        return web.error_page(request, exc.status_code, str(exc.detail))

    app.add_exception_handler(StarletteHTTPException, http_error)
    return app


class _LazyApp:
    """``chipcontrol.asgi:app`` for uvicorn: built on first use, so importing this module opens no database."""

    def __init__(self) -> None:
        self._app: FastAPI | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self._app is None:
            self._app = create_app()
        await self._app(scope, receive, send)


app = _LazyApp()
