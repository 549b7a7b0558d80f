"""The REST API: FastAPI routes over the services, one JSON error envelope. Composed into the app by
:mod:`chipcontrol.asgi`."""

from chipcontrol.api.errors import envelope, http_error, install
from chipcontrol.api.routes import router

__all__ = ["envelope", "http_error", "install", "router"]
