"""The one error hierarchy. Every error carries a stable ``code`` and a one-line message.

Adapters (CLI, API) turn these into a one-line message or a JSON error envelope; the core never
prints and never knows about HTTP.
"""

from __future__ import annotations


class ChipControlError(Exception):
    """Base class: a problem the user can act on, reported as one line."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:  # one line, always
        return " ".join(self.message.split())


class InvalidInput(ChipControlError):
    code = "invalid_input"


class InvalidSpec(InvalidInput):
    code = "invalid_spec"


class InvalidDate(InvalidInput):
    code = "invalid_date"


class UnknownCountry(InvalidInput):
    code = "unknown_country"


class UnknownChip(ChipControlError):
    code = "unknown_chip"


class AmbiguousChip(ChipControlError):
    code = "ambiguous_chip"

    def __init__(self, query: str, candidates: list[str]) -> None:
        shown = "; ".join(candidates[:12]) + (" ..." if len(candidates) > 12 else "")
        super().__init__(f"chip name {query!r} is ambiguous; candidates: {shown}")
        self.candidates = candidates


class Unauthorized(ChipControlError):
    """No valid credentials (API key)."""

    code = "unauthorized"


class Forbidden(ChipControlError):
    """Valid credentials, too low a role."""

    code = "forbidden"


class NotFound(ChipControlError):
    code = "not_found"


class Conflict(ChipControlError):
    code = "conflict"


class RegulationDataError(ChipControlError):
    """The bundled regulation data is malformed (a bug in the data, caught by tests)."""

    code = "regulation_data"


class ScreeningError(ChipControlError):
    code = "screening"
