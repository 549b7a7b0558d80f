"""Importers: bytes/text in, :class:`ListSnapshot` out. No network, no files opened here.

Each importer validates strictly and raises :class:`ScreeningError` on malformed input, so a caller
that holds the previous snapshot simply keeps it (see :class:`chipcontrol.screening.store.SnapshotStore`).

Formats:
* ``nsfreg-json``  -- one list per file: ``{"list_id", "source_file", "extracted", "count", "entities": [...]}``
  (phagehunter/nsfreg snapshot format; entities have name, aliases, country, address,
  federal_register, notes, effective_date, status).
* ``csl-csv``      -- trade.gov Consolidated Screening List CSV, current schema (with ``_id``) and the
  legacy 2019 schema (without).
* ``csl-json``     -- trade.gov CSL JSON: ``{"results": [...]}`` (API / downloadable file) or a bare list.
* ``ofac-sdn-csv`` -- OFAC SDN legacy CSV set (sdn.csv, optional alt.csv and add.csv), no header rows.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from chipcontrol.errors import ScreeningError
from chipcontrol.screening.countries import country_code
from chipcontrol.screening.model import ListEntry, ListSnapshot, sha256_hex, stable_entry_id

MAX_BYTES = 512 * 1024 * 1024

NSFREG_LIST_IDS: dict[str, str] = {
    "bis-entity-list": "entity_list",
    "bis-meu": "meu",
    "bis-dpl": "dpl",
    "bis-uvl": "uvl",
    "dow-1260h": "1260h",
    "dow-1286": "1286",
    "ofac-nscmic": "ns_cmic",
    "ofac-eo14032-annex": "eo14032_annex",
    "state-nonproliferation": "isn",
    "state-debarred-statutory": "itar_debarred",
    "state-debarred-admin": "itar_debarred",
    "fcc-covered": "fcc_covered",
    "dhs-uflpa": "uflpa",
    "cbp-wro": "cbp_wro",
}

# CSL "source" column -> list id, keyed by the abbreviation in parentheses.
CSL_SOURCE_IDS: dict[str, str] = {
    "EL": "entity_list",
    "MEU": "meu",
    "DPL": "dpl",
    "UVL": "uvl",
    "ISN": "isn",
    "SDN": "sdn",
    "SSI": "ssi",
    "DTC": "itar_debarred",
    "FSE": "fse",
    "PLC": "plc",
    "CAP": "cap",
    "CMIC": "ns_cmic",
    "NS-MBS LIST": "ns_mbs",
    "NS-MBS": "ns_mbs",
}


def _as_bytes(data: bytes | str, what: str) -> bytes:
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, bytes | bytearray):
        raise ScreeningError(f"{what}: expected bytes or text, got {type(data).__name__}")
    if not data.strip():
        raise ScreeningError(f"{what}: the input is empty")
    if len(data) > MAX_BYTES:
        raise ScreeningError(f"{what}: the input is larger than {MAX_BYTES} bytes")
    return bytes(data)


def _decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScreeningError(f"{what}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str | int | float):
        return None
    s = " ".join(str(value).split())
    return s or None


def _str_list(value: Any, where: str) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return tuple(p for p in (" ".join(x.split()) for x in value.split(";")) if p)
    if isinstance(value, list):
        out: list[str] = []
        for v in value:
            if not isinstance(v, str):
                raise ScreeningError(f"{where}: expected a list of strings, found {type(v).__name__}")
            v = " ".join(v.split())
            if v:
                out.append(v)
        return tuple(out)
    raise ScreeningError(f"{where}: expected a string or list of strings, found {type(value).__name__}")


def _dedupe(names: Iterable[str], primary: str) -> tuple[str, ...]:
    seen = {primary.casefold()}
    out: list[str] = []
    for n in names:
        k = n.casefold()
        if k not in seen:
            seen.add(k)
            out.append(n)
    return tuple(out)


def _finish(
    source: str, fmt: str, entries: list[ListEntry], data: bytes, snapshot_date: str | None,
    retrieved: str | None, list_ids: Sequence[str] | None = None,
) -> ListSnapshot:
    if not entries:
        raise ScreeningError(f"{source}: no entries found; refusing to load an empty list")
    ids = tuple(list_ids) if list_ids else tuple(dict.fromkeys(e.list_id for e in entries))
    return ListSnapshot(source=source, source_format=fmt, list_ids=ids, snapshot_date=snapshot_date,
                        retrieved=retrieved, sha256=sha256_hex(data), entries=tuple(entries))


# --- nsfreg JSON --------------------------------------------------------------------------------

def import_nsfreg_json(
    data: bytes | str, *, source: str = "nsfreg-json", list_id: str | None = None,
    snapshot_date: str | None = None,
) -> ListSnapshot:
    """Import one nsfreg list file. ``list_id`` overrides the id mapped from the file's own id."""
    raw = _as_bytes(data, source)
    try:
        doc = json.loads(_decode(raw, source))
    except json.JSONDecodeError as exc:
        raise ScreeningError(f"{source}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("entities"), list):
        raise ScreeningError(f"{source}: expected an object with an 'entities' list (nsfreg format)")
    file_id = doc.get("list_id")
    lid = list_id or (NSFREG_LIST_IDS.get(file_id, "") if isinstance(file_id, str) else "")
    if not lid:
        raise ScreeningError(f"{source}: unknown list_id {file_id!r}; pass list_id= explicitly")
    count = doc.get("count")
    ents = doc["entities"]
    if isinstance(count, int) and count != len(ents):
        raise ScreeningError(f"{source}: header says {count} entities but the file has {len(ents)} (truncated?)")
    entries: list[ListEntry] = []
    for i, e in enumerate(ents):
        where = f"{source}: entity #{i + 1}"
        if not isinstance(e, dict):
            raise ScreeningError(f"{where}: expected an object")
        name = _text(e.get("name"))
        if not name:
            raise ScreeningError(f"{where}: missing name")
        country = _text(e.get("country"))
        notes = _text(e.get("notes"))
        entries.append(ListEntry(
            entry_id=stable_entry_id(lid, name, country, _text(e.get("address"))),
            list_id=lid,
            name=name,
            aliases=_dedupe(_str_list(e.get("aliases"), where + " aliases"), name),
            country=country,
            country_code=country_code(country),
            address=_text(e.get("address")),
            federal_register=_text(e.get("federal_register")),
            effective_date=_text(e.get("effective_date")),
            license_requirement=notes if lid == "entity_list" else None,
            notes=notes,
        ))
    extracted = doc.get("extracted") if isinstance(doc.get("extracted"), str) else None
    src_file = doc.get("source_file") if isinstance(doc.get("source_file"), str) else None
    src = f"{source} ({src_file})" if src_file and src_file not in source else source
    return _finish(src, "nsfreg-json", entries, raw, snapshot_date or extracted, extracted, [lid])


# --- Consolidated Screening List ---------------------------------------------------------------

_ABBREV = re.compile(r"\(([^)]+)\)")


def csl_list_id(source_value: str) -> str:
    """Map a CSL ``source`` value ("Entity List (EL) - Bureau of Industry and Security") to a list id."""
    s = source_value.strip()
    for m in _ABBREV.finditer(s):
        key = m.group(1).strip().upper()
        if key in CSL_SOURCE_IDS:
            return CSL_SOURCE_IDS[key]
    low = s.lower()
    for needle, lid in (("entity list", "entity_list"), ("military end user", "meu"), ("denied persons", "dpl"),
                        ("unverified", "uvl"), ("nonproliferation", "isn"), ("specially designated", "sdn"),
                        ("sectoral", "ssi"), ("debarred", "itar_debarred"), ("evaders", "fse"),
                        ("military-industrial", "ns_cmic"), ("menu-based", "ns_mbs")):
        if needle in low:
            return lid
    slug = re.sub(r"[^a-z0-9]+", "_", low).strip("_")
    return slug[:40] or "unknown"


def _country_from_addresses(addresses: str | None) -> str | None:
    """CSL CSV addresses end with an ISO code: '..., Shijiazhuang, Hebei, China, CN; ...'."""
    if not addresses:
        return None
    first = addresses.split(";")[0]
    last = first.rsplit(",", 1)[-1].strip()
    return country_code(last) if last else None


_CSL_REQUIRED = ("source", "name")


def _csl_entry(row: Mapping[str, Any], where: str, addresses: str | None, country: str | None) -> ListEntry:
    src = _text(row.get("source"))
    name = _text(row.get("name"))
    if not src:
        raise ScreeningError(f"{where}: missing source")
    if not name:
        raise ScreeningError(f"{where}: missing name")
    lid = csl_list_id(src)
    programs = _str_list(row.get("programs"), where + " programs")
    cc = country_code(country) if country else _country_from_addresses(addresses)
    rid = _text(row.get("_id")) or _text(row.get("id")) or _text(row.get("entity_number"))
    return ListEntry(
        entry_id=f"{lid}:{rid}" if rid else stable_entry_id(lid, name, addresses),
        list_id=lid,
        name=name,
        aliases=_dedupe(_str_list(row.get("alt_names"), where + " alt_names"), name),
        country=country or cc,
        country_code=cc,
        address=addresses,
        federal_register=_text(row.get("federal_register_notice")),
        effective_date=_text(row.get("start_date")),
        license_requirement=_text(row.get("license_requirement")),
        license_policy=_text(row.get("license_policy")),
        notes=_text(row.get("remarks")),
        programs=programs,
        entity_type=_text(row.get("type")),
        source_url=_text(row.get("source_information_url")) or _text(row.get("source_list_url")),
    )


def import_csl_csv(
    data: bytes | str, *, source: str = "csl-csv", snapshot_date: str | None = None,
    retrieved: str | None = None,
) -> ListSnapshot:
    """Import a trade.gov Consolidated Screening List CSV (2025 schema or legacy 2019 schema)."""
    raw = _as_bytes(data, source)
    text = _decode(raw, source)
    if "\x00" in text:
        raise ScreeningError(f"{source}: contains NUL bytes; not a CSV file")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in _CSL_REQUIRED if c not in header]
    if missing:
        raise ScreeningError(f"{source}: not a CSL CSV (missing column(s) {', '.join(missing)}; header {header[:6]})")
    entries: list[ListEntry] = []
    try:
        for i, row in enumerate(reader):
            where = f"{source}: row {i + 2}"
            if None in row:
                raise ScreeningError(f"{where}: more fields than the header has columns")
            if not any((v or "").strip() for v in row.values()):
                continue
            addresses = _text(row.get("addresses"))
            entries.append(_csl_entry(row, where, addresses, None))
    except csv.Error as exc:
        raise ScreeningError(f"{source}: malformed CSV ({exc})") from None
    return _finish(source, "csl-csv", entries, raw, snapshot_date, retrieved)


def _json_addresses(value: Any, where: str) -> tuple[str | None, str | None]:
    if value is None or value == "":
        return None, None
    if isinstance(value, str):
        return _text(value), None
    if not isinstance(value, list):
        raise ScreeningError(f"{where}: addresses must be a list")
    parts: list[str] = []
    country: str | None = None
    for a in value:
        if isinstance(a, str):
            parts.append(a)
            continue
        if not isinstance(a, dict):
            raise ScreeningError(f"{where}: each address must be an object or a string")
        fields = [_text(a.get(k)) for k in ("address", "city", "state", "postal_code", "country")]
        parts.append(", ".join(f for f in fields if f))
        if country is None:
            country = _text(a.get("country"))
    joined = "; ".join(p for p in parts if p)
    return joined or None, country


def import_csl_json(
    data: bytes | str, *, source: str = "csl-json", snapshot_date: str | None = None,
    retrieved: str | None = None,
) -> ListSnapshot:
    """Import CSL JSON: ``{"results": [...]}`` (API/download) or a bare list of result objects."""
    raw = _as_bytes(data, source)
    try:
        doc = json.loads(_decode(raw, source))
    except json.JSONDecodeError as exc:
        raise ScreeningError(f"{source}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    results = doc.get("results") if isinstance(doc, dict) else doc
    if not isinstance(results, list):
        raise ScreeningError(f"{source}: expected a 'results' list (CSL JSON format)")
    entries: list[ListEntry] = []
    for i, r in enumerate(results):
        where = f"{source}: result #{i + 1}"
        if not isinstance(r, dict):
            raise ScreeningError(f"{where}: expected an object")
        addresses, country = _json_addresses(r.get("addresses"), where)
        entries.append(_csl_entry(r, where, addresses, country))
    return _finish(source, "csl-json", entries, raw, snapshot_date, retrieved)


# --- OFAC SDN legacy CSV -------------------------------------------------------------------------

def _ofac(value: str | None) -> str | None:
    if value is None:
        return None
    v = value.strip()
    return None if v in ("", "-0-") else " ".join(v.split())


def _ofac_rows(data: bytes, what: str, min_fields: int) -> list[list[str]]:
    text = _decode(data, what)
    if "\x00" in text:
        raise ScreeningError(f"{what}: contains NUL bytes")
    rows: list[list[str]] = []
    try:
        for i, row in enumerate(csv.reader(io.StringIO(text, newline=""))):
            if not row or (len(row) == 1 and (not row[0].strip() or row[0].strip() == "\x1a")):
                continue
            if len(row) < min_fields:
                raise ScreeningError(f"{what}: line {i + 1} has {len(row)} fields, expected {min_fields}")
            if not row[0].strip().isdigit():
                raise ScreeningError(f"{what}: line {i + 1} does not start with an entity number")
            rows.append(row)
    except csv.Error as exc:
        raise ScreeningError(f"{what}: malformed CSV ({exc})") from None
    return rows


def import_ofac_sdn_csv(
    sdn: bytes | str, alt: bytes | str | None = None, add: bytes | str | None = None, *,
    source: str = "ofac-sdn-csv", snapshot_date: str | None = None,
) -> ListSnapshot:
    """Import OFAC's legacy SDN CSV set (sdn.csv with optional alt.csv and add.csv)."""
    raw_sdn = _as_bytes(sdn, source + " sdn.csv")
    raw_alt = _as_bytes(alt, source + " alt.csv") if alt is not None else b""
    raw_add = _as_bytes(add, source + " add.csv") if add is not None else b""
    aliases: dict[str, list[str]] = {}
    for row in _ofac_rows(raw_alt, source + " alt.csv", 4) if raw_alt else []:
        n = _ofac(row[3])
        if n:
            aliases.setdefault(row[0].strip(), []).append(n)
    addrs: dict[str, list[tuple[str, str | None]]] = {}
    for row in _ofac_rows(raw_add, source + " add.csv", 5) if raw_add else []:
        parts = [p for p in (_ofac(row[2]), _ofac(row[3]), _ofac(row[4])) if p]
        addrs.setdefault(row[0].strip(), []).append((", ".join(parts), _ofac(row[4])))
    entries: list[ListEntry] = []
    for row in _ofac_rows(raw_sdn, source + " sdn.csv", 4):
        ent = row[0].strip()
        name = _ofac(row[1])
        if not name:
            raise ScreeningError(f"{source} sdn.csv: entity {ent} has no name")
        a = addrs.get(ent, [])
        country = next((c for _, c in a if c), None)
        entries.append(ListEntry(
            entry_id=f"sdn:{ent}",
            list_id="sdn",
            name=name,
            aliases=_dedupe(aliases.get(ent, []), name),
            country=country,
            country_code=country_code(country),
            address="; ".join(x for x, _ in a if x) or None,
            programs=tuple(p.strip(" []") for p in re.split(r"\]\s*\[", _ofac(row[3]) or "") if p.strip(" []")),
            entity_type=(_ofac(row[2]) or "entity").title(),
            notes=_ofac(row[11]) if len(row) > 11 else None,
        ))
    digest_input = raw_sdn + b"\x00" + raw_alt + b"\x00" + raw_add
    return _finish(source, "ofac-sdn-csv", entries, digest_input, snapshot_date, None, ["sdn"])
