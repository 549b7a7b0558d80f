"""Parse a chip spec file (YAML or JSON) into a ChipSpec, rejecting anything doubtful with one clear line."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

from chipcontrol.catalog import Catalog
from chipcontrol.errors import ChipControlError, InvalidSpec
from chipcontrol.model.spec import PRECISIONS, ChipSpec, Provenance
from chipcontrol.rules.loader import load_yaml
from chipcontrol.services.inputs import parse_country, read_user_file

_NUMERIC = ("die_area_mm2", "io_bandwidth_gbs", "memory_bandwidth_gbs", "interconnect_bandwidth_gbs",
            "memory_bandwidth_density")
_KEYS = {"name", "vendor", "datacenter", "dense_tops", "item_type", "accelerator", "accelerator_count",
         "commercially_available_in_us_on", "provenance", *_NUMERIC}
_MAX_VALUE = 1e9  # no dense TOPS, die area (mm2) or bandwidth (GB/s) of any real item comes near this
_PROVENANCE_KEYS = {"designed_in", "made_in", "fab", "direct_product", "us_content_above_de_minimis", "source"}


def _provenance(raw: Any, origin: str) -> Provenance | None:
    """The spec's ``provenance`` mapping: where it was designed and made, and the facts of 734.4/734.9."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise InvalidSpec(f"{origin}: 'provenance' must be a mapping of {', '.join(sorted(_PROVENANCE_KEYS))}")
    unknown = sorted(str(k) for k in set(raw) - _PROVENANCE_KEYS)
    if unknown:
        raise InvalidSpec(f"{origin}: unknown provenance key(s) {', '.join(unknown)}; allowed: "
                          f"{', '.join(sorted(_PROVENANCE_KEYS))}")
    countries: dict[str, str | None] = {}
    for key in ("designed_in", "made_in"):
        value = raw.get(key)
        if value is None:
            countries[key] = None
            continue
        if not isinstance(value, str):
            raise InvalidSpec(f"{origin}: provenance.{key} must be a country code such as TW")
        try:
            countries[key] = parse_country(value, f"provenance.{key}")[0]
        except ChipControlError as exc:
            raise InvalidSpec(f"{origin}: {exc}") from None
    flags: dict[str, bool | None] = {}
    for key in ("direct_product", "us_content_above_de_minimis"):
        value = raw.get(key)
        if value is not None and not isinstance(value, bool):
            raise InvalidSpec(f"{origin}: provenance.{key} must be true or false, got {value!r}")
        flags[key] = value
    source = raw.get("source", "")
    return Provenance(designed_in=countries["designed_in"], made_in=countries["made_in"], fab=str(raw.get("fab", "")),
                      direct_product=flags["direct_product"], us_content_above=flags["us_content_above_de_minimis"],
                      sources=(f"spec {origin}" + (f": {source}" if source else ""),), verification="U")


def load_spec_file(path: str | Path, catalog: Catalog | None = None) -> ChipSpec:
    p = Path(path)
    text = read_user_file(p, "spec", InvalidSpec)
    return spec_from_mapping(parse_spec_text(text, str(p), as_json=p.suffix.lower() == ".json"), origin=str(p),
                             catalog=catalog)


def parse_spec_text(text: str, origin: str = "spec", as_json: bool | None = None) -> dict[str, Any]:
    """A spec as text (a file's content, or pasted into a form), YAML or JSON, as a mapping.

    ``as_json`` None guesses from the first character. Syntax errors name the line; never a traceback."""
    stripped = text.strip()
    if not stripped:
        raise InvalidSpec(f"{origin}: the spec is empty")
    if len(stripped) > 100_000:
        raise InvalidSpec(f"{origin}: the spec is longer than 100,000 characters")
    data: Any
    if as_json or (as_json is None and stripped.startswith("{")):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise InvalidSpec(f"{origin}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    else:
        try:
            data = load_yaml(stripped, origin)
        except ChipControlError as exc:
            raise InvalidSpec(f"not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidSpec(f"{origin}: a spec must be a mapping of keys to values")
    return data


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidSpec(f"{where} must be a number, got {value!r}")
    f = float(value)
    if math.isnan(f) or math.isinf(f):
        raise InvalidSpec(f"{where} must be a finite number, got {value!r}")
    if f < 0:
        raise InvalidSpec(f"{where} must not be negative, got {value!r}")
    if f > _MAX_VALUE:
        raise InvalidSpec(f"{where} is implausibly large ({value!r}); the largest accepted value is {_MAX_VALUE:g}")
    return f


def spec_from_mapping(data: Any, origin: str = "spec", catalog: Catalog | None = None) -> ChipSpec:
    """Validate a spec mapping (the acceptance contract's format plus item_type/accelerator for computers)."""
    if not isinstance(data, dict):
        raise InvalidSpec(f"{origin}: a spec must be a mapping of keys to values")
    unknown = sorted(str(k) for k in set(data) - _KEYS)
    if unknown:
        raise InvalidSpec(f"{origin}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_KEYS))}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InvalidSpec(f"{origin}: 'name' is required and must be text")
    vendor = data.get("vendor")
    if vendor is not None and not isinstance(vendor, str):
        raise InvalidSpec(f"{origin}: 'vendor' must be text")
    datacenter = data.get("datacenter")
    if datacenter is not None and not isinstance(datacenter, bool):
        raise InvalidSpec(f"{origin}: 'datacenter' must be true or false, got {datacenter!r}")
    item_type = data.get("item_type", "ic")
    if item_type not in ("ic", "computer", "hbm"):
        raise InvalidSpec(f"{origin}: 'item_type' must be ic, computer or hbm, got {item_type!r}")
    numbers = {k: _number(data[k], f"{origin}: '{k}'") for k in _NUMERIC if data.get(k) is not None}
    rates: dict[str, float] = {}
    raw = data.get("dense_tops")
    if raw is not None:
        if not isinstance(raw, dict):
            raise InvalidSpec(f"{origin}: 'dense_tops' must map precisions to dense TOPS")
        for prec, value in raw.items():
            if prec not in PRECISIONS:
                raise InvalidSpec(f"{origin}: unknown precision {prec!r} in dense_tops; use: {', '.join(PRECISIONS)}")
            if value is None:
                continue
            rates[prec] = _number(value, f"{origin}: dense_tops.{prec}")
    avail = data.get("commercially_available_in_us_on")
    avail_date: dt.date | None = None
    if avail is not None:
        try:
            avail_date = dt.date.fromisoformat(str(avail))
        except ValueError:
            raise InvalidSpec(f"{origin}: 'commercially_available_in_us_on' must be YYYY-MM-DD") from None
    accelerator: ChipSpec | None = None
    count = 0
    if item_type == "computer":
        acc = data.get("accelerator")
        if acc is None:
            raise InvalidSpec(f"{origin}: a computer spec needs 'accelerator' (a catalogue name or a spec mapping)")
        if isinstance(acc, str):
            accelerator = (catalog or Catalog.load()).lookup(acc).spec
        else:
            accelerator = spec_from_mapping(acc, origin=f"{origin}: accelerator", catalog=catalog)
        raw_count = data.get("accelerator_count", 1)
        if isinstance(raw_count, bool) or not isinstance(raw_count, int) or raw_count < 1:
            raise InvalidSpec(f"{origin}: 'accelerator_count' must be a whole number of at least 1")
        count = raw_count
    elif data.get("accelerator") is not None:
        raise InvalidSpec(f"{origin}: 'accelerator' is only for item_type: computer")
    if item_type == "ic" and (not rates or all(v == 0 for v in rates.values())):
        raise InvalidSpec(f"{origin}: no throughput given; 'dense_tops' needs at least one non-zero dense rate")
    if item_type == "hbm" and "memory_bandwidth_density" not in numbers:
        raise InvalidSpec(f"{origin}: an hbm spec needs 'memory_bandwidth_density' (GB/s per mm2)")
    return ChipSpec(
        name=name.strip(), vendor=vendor, datacenter=datacenter, dense_tops=rates,
        die_area_mm2=numbers.get("die_area_mm2"), io_bandwidth_gbs=numbers.get("io_bandwidth_gbs"),
        memory_bandwidth_gbs=numbers.get("memory_bandwidth_gbs"),
        interconnect_bandwidth_gbs=numbers.get("interconnect_bandwidth_gbs"), item_type=item_type,
        accelerator=accelerator, accelerator_count=count,
        memory_bandwidth_density=numbers.get("memory_bandwidth_density"),
        commercially_available_in_us_on=avail_date, provenance=_provenance(data.get("provenance"), origin),
        sources=(f"spec file {origin}",))
