"""The web UI (Jinja2 + htmx): composed into the app by :mod:`chipcontrol.asgi`."""

from chipcontrol.web.app import error_page, install

__all__ = ["error_page", "install"]
