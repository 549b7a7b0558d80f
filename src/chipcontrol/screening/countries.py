"""Country names and codes as they appear on the lists -> ISO 3166-1 alpha-2."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from chipcontrol.errors import UnknownCountry


def _countries() -> Any:
    """pycountry's database, imported on first use (it costs ~0.1 s; a screen without a country and
    with list countries from the cached index never needs it)."""
    import pycountry

    return pycountry.countries

_OVERRIDES: dict[str, str] = {
    "russia": "RU", "iran": "IR", "syria": "SY", "north korea": "KP", "south korea": "KR", "korea": "KR",
    "taiwan": "TW", "vietnam": "VN", "laos": "LA", "moldova": "MD", "bolivia": "BO", "venezuela": "VE",
    "tanzania": "TZ", "macau": "MO", "macao": "MO", "hong kong": "HK", "turkey": "TR", "uae": "AE",
    "uk": "GB", "england": "GB", "great britain": "GB", "usa": "US", "united states of america": "US",
    "czech republic": "CZ", "burma": "MM", "ivory coast": "CI", "palestine": "PS", "west bank": "PS",
    "kosovo": "XK", "british virgin islands": "VG", "virgin islands, british": "VG", "brunei": "BN",
    "cape verde": "CV", "congo": "CG", "democratic republic of the congo": "CD", "micronesia": "FM",
    "crimea region of ukraine": "UA", "prc": "CN", "people's republic of china": "CN",
}

# The EAR treats Hong Kong (and, in this project, Macau) as China for list purposes.
SAME_AS: dict[str, frozenset[str]] = {
    "CN": frozenset({"CN", "HK", "MO"}),
    "HK": frozenset({"CN", "HK", "MO"}),
    "MO": frozenset({"CN", "HK", "MO"}),
}


@lru_cache(maxsize=4096)
def country_code(value: str | None) -> str | None:
    """Best-effort ISO alpha-2 for a list's country text; None if unknown (never raises)."""
    if not value:
        return None
    text = " ".join(value.strip().split())
    if not text:
        return None
    key = text.lower()
    if key in _OVERRIDES:
        return _OVERRIDES[key]
    if len(text) == 2 and text.isalpha():
        c = _countries().get(alpha_2=text.upper())
        return str(c.alpha_2) if c is not None else None
    if len(text) == 3 and text.isalpha() and text.isupper():
        c = _countries().get(alpha_3=text.upper())
        if c is not None:
            return str(c.alpha_2)
    try:
        return str(_countries().lookup(text).alpha_2)
    except LookupError:
        return None


def query_country(value: str | None) -> str | None:
    """Validate a user-supplied country (ISO alpha-2, or a name); raise UnknownCountry if unknown."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if len(text) == 2:
        c = _countries().get(alpha_2=text.upper())
        if c is None and text.upper() != "XK":
            raise UnknownCountry(f"unknown country code {value!r} (use ISO 3166-1 alpha-2, e.g. CN)")
        return text.upper()
    code = country_code(text)
    if code is None:
        raise UnknownCountry(f"unknown country {value!r} (use ISO 3166-1 alpha-2, e.g. CN)")
    return code


def same_country(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return b in SAME_AS.get(a, frozenset({a}))
