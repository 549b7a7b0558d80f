"""Parsing of user inputs shared by the CLI, the API and batch files: dates, countries, quantities."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pycountry

from chipcontrol.errors import InvalidDate, InvalidInput, UnknownCountry
from chipcontrol.rules.ruleset import EARLIEST

ALIASES = {"UK": "GB"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def parse_date(text: str | None, today: dt.date | None = None) -> dt.date:
    """YYYY-MM-DD, a real day, not before 2022-10-07. None means today."""
    if text is None or text == "":
        return today or dt.date.today()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        raise InvalidDate(f"date {text!r} is not in the form YYYY-MM-DD")
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidDate(f"date {text!r} is not a calendar date") from None
    if day < EARLIEST:
        raise InvalidDate(f"date {day.isoformat()} is before 2022-10-07, when the advanced-computing rules began")
    return day


def parse_country(code: str | None, what: str = "country") -> tuple[str, str | None]:
    """An ISO 3166-1 alpha-2 code -> (code used by the EAR, note). Hong Kong becomes CN, as the EAR treats it."""
    if code is None or not code.strip():
        raise InvalidInput(f"{what} code is empty")
    c = code.strip().upper()
    c = ALIASES.get(c, c)
    if c == "HK":
        return "CN", "Hong Kong is treated as China (not a separate EAR destination since 2020-12-23, 85 FR 83765)"
    if len(c) != 2 or pycountry.countries.get(alpha_2=c) is None:
        hint = ""
        try:
            match = pycountry.countries.lookup(code.strip())
            hint = f" (did you mean {match.alpha_2} for {match.name}?)"
        except LookupError:
            pass
        raise UnknownCountry(f"unknown {what} code {code!r}: use an ISO 3166-1 alpha-2 code such as CN or DE{hint}")
    return c, None


def read_user_file(path: str | Path, what: str, error: type[InvalidInput] = InvalidInput) -> str:
    """A file the user named (spec, scenario, obligations, names), as text; one-line errors, never a traceback.

    A UTF-8 byte-order mark is dropped."""
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error(f"{what} file {str(p)!r} not found") from None
    except UnicodeDecodeError:
        raise error(f"{what} file {str(p)!r} is not UTF-8 text") from None
    except OSError as exc:
        raise error(f"{what} file {str(p)!r} cannot be read: {exc.strerror or exc}") from None


def parse_quantity(qty: int | None) -> int | None:
    if qty is None:
        return None
    if qty < 1:
        raise InvalidInput(f"quantity must be at least 1, got {qty}")
    return qty


def parse_party(name: str | None, what: str) -> str | None:
    if name is None:
        return None
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput(f"{what} name is empty")
    if len(cleaned) > 1000:
        raise InvalidInput(f"{what} name is longer than 1000 characters")
    if _CONTROL.search(name):
        raise InvalidInput(f"{what} name contains control characters")
    return cleaned
