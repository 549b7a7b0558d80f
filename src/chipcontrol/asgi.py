"""ASGI composition root (see chipcontrol.api)."""
