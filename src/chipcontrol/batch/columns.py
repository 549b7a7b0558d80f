"""The batch file format: input columns, their per-value parsers (the engine's own), and the output columns.

Every parser here takes one cell's text and returns the value the per-shipment path would use, or raises the
engine's error; the vectorised path runs each on *distinct* values only, the per-line path on every line, in the
order of :data:`CHECKS`, so both name the same first bad field. Multi-valued cells are separated by ``;``:
``intermediate_consignee`` (names), ``owners`` (``NAME=PERCENT``, direct owners of the end user) and ``answers``
(``QUESTION_ID=VALUE``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

import polars as pl

from chipcontrol.errors import InvalidInput
from chipcontrol.model.shipment import END_USES, OwnershipLink
from chipcontrol.services import assess, inputs
from chipcontrol.services.parties import parse_owner, validate_links

#: Input columns (CSV header or Parquet column names; case-insensitive). See docs/batch.md.
INPUT_COLUMNS: tuple[str, ...] = (
    "line_id", "chip", "spec", "quantity", "destination", "origin", "end_user", "end_user_hq", "exporter",
    "end_use", "date", "purchaser", "ultimate_consignee", "intermediate_consignee", "owners", "made_in", "region",
    "answers")
REQUIRED_COLUMNS: tuple[str, ...] = ("line_id", "destination", "date")
#: Separator of list values inside one output cell (citations contain ';').
SEP = " | "
#: Separator of several values inside one input cell.
CELL_SEP = ";"

#: The order in which a line's fields are checked; the first bad one is the reject's reason.
CHECKS: tuple[str, ...] = (
    "utf8", "line_id", "item", "chip", "spec", "destination", "origin", "region", "answers", "end_user_hq",
    "made_in", "end_user", "exporter", "quantity", "end_use", "purchaser", "ultimate_consignee",
    "intermediate_consignee", "owners", "date")

#: Fields decided once per distinct decision key (equal to ``check``'s answer for every line with that key).
DECISION_TYPES: dict[str, Any] = {
    "outcome": pl.String, "license_required": pl.Boolean, "prohibited": pl.Boolean, "subject_to_ear": pl.Boolean,
    "review_policy": pl.String, "license_exceptions": pl.String, "questions": pl.String,
    "reason_rule_ids": pl.String, "reason_citations": pl.String, "paragraph": pl.String,
    "indeterminate": pl.Boolean, "parties": pl.String, "listed_share": pl.Float64, "affiliate": pl.Boolean,
    "questions_json": pl.String, "rule_version": pl.String, "other_view_outcome": pl.String,
    "other_view_license_required": pl.Boolean, "other_view_review_policy": pl.String}
DECISION_FIELDS: tuple[str, ...] = tuple(DECISION_TYPES)
#: Output columns, in order, with their types.
OUTPUT_SCHEMA: dict[str, Any] = {
    "line_id": pl.String, "item": pl.String, "destination": pl.String, "as_of": pl.String, **DECISION_TYPES,
    "screening_hits": pl.String, "party_hits": pl.String, "view": pl.String}
#: Rejects: the line id where known, one line saying why, and the record as read (JSON or raw text).
REJECT_SCHEMA: dict[str, Any] = {"line_id": pl.String, "reason": pl.String, "record": pl.String}

_INT = re.compile(r"\s*\+?\d{1,12}\s*")
_REGION_IN_DEST = re.compile(r"[A-Za-z]{2}-[A-Za-z0-9]{1,3}")


def one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def cells(text: str) -> list[str]:
    """The values of a multi-valued cell: split on ';', stripped, blanks dropped."""
    return [v.strip() for v in text.split(CELL_SEP) if v.strip()]


# ------------------------------------------------------------------------------------------- per-value parsers
def parse_quantity_text(text: str) -> int:
    if not _INT.fullmatch(text):
        raise InvalidInput(f"quantity must be a whole number, got {text!r}")
    q = inputs.parse_quantity(int(text))
    assert q is not None
    return q


def parse_end_uses(text: str) -> str:
    """'supercomputer;advanced_node_fab' (separated by ';', '|' or ',') -> canonical sorted ';'-joined text."""
    uses = sorted({u.strip() for u in re.split(r"[;|,]", text) if u.strip()})
    bad = [u for u in uses if u not in END_USES]
    if bad:
        raise InvalidInput(f"unknown end use {bad[0]!r}; declare one of: {', '.join(END_USES)}")
    return ";".join(uses)


def parse_line_date(text: str) -> dt.date:
    return inputs.parse_date(text)


def split_destination(text: str) -> tuple[str, str | None]:
    """A destination cell -> (the cell's country part, the cell itself when it names a region such as UA-43),
    as ``check --to UA-43`` reads it."""
    raw = text.strip()
    if _REGION_IN_DEST.fullmatch(raw):
        return raw[:2], raw
    return text, None


def parse_destination(text: str) -> str:
    return inputs.parse_country(split_destination(text)[0], "destination")[0]


def parse_region(text: str, dest: str) -> str:
    """An ISO 3166-2 region of the destination (``check --region``)."""
    region = assess.parse_region(text, dest)  # the engine's own check
    assert region is not None
    return region


def answer_pairs(text: str) -> tuple[tuple[str, str], ...]:
    """``ID=VALUE;ID=VALUE`` -> pairs, as ``check --answer ID=VALUE`` reads each."""
    out = []
    for part in cells(text):
        if "=" not in part:
            raise InvalidInput(f"{part!r}: expected QUESTION_ID=VALUE, e.g. item.datacenter=yes")
        k, v = part.split("=", 1)
        out.append((k, v))
    return tuple(out)


def parse_answers(text: str) -> tuple[str, str | None]:
    """-> (the answers as canonical JSON, the end user's headquarters if answered), validated as ``check``
    validates ``--answer``. The headquarters is left out of the JSON: ``check`` takes it as the end user's
    headquarters when none is given, and never asks for it when one is."""
    given = assess.parse_answers(assess.CheckRequest(destination="", answers=answer_pairs(text)))
    hq = given.pop("end_user.headquarters", None)
    return json.dumps(sorted(given.items()), ensure_ascii=False), hq


def parse_origin(text: str) -> str:
    return inputs.parse_country(text, "origin")[0]


def parse_hq(text: str) -> str:
    return inputs.parse_country(text, "end-user headquarters")[0]


def parse_made_in(text: str) -> str:
    return inputs.parse_country(text, "place of production")[0]


def party_parser(what: str) -> Callable[[str], str]:
    """A parser for a party name cell (``what``: how errors name the party)."""
    def parse(text: str) -> str:
        name = inputs.parse_party(text, what)
        assert name is not None
        return name

    return parse


def parse_intermediates(text: str) -> tuple[str, ...]:
    return tuple(party_parser("intermediate consignee")(v) for v in cells(text))


def parse_owners(text: str, end_user: str | None) -> tuple[OwnershipLink, ...]:
    """``NAME=PERCENT;...``: direct owners of the end user, validated together (no more than 100 %, no owner
    twice, the end user not its own owner)."""
    if end_user is None:
        raise InvalidInput("owners are the end user's owners: name the end user (end_user column)")
    links = [parse_owner(v, end_user) for v in cells(text)]
    return validate_links(OwnershipLink(lk.owner, lk.owned, lk.percent) for lk in links)


# ------------------------------------------------------------------------------------------- requests
#: The fields of a line that make its request, in the order :func:`make_request` takes them (text as cleaned;
#: ``quantity`` parsed, ``end_use`` canonical).
REQUEST_FIELDS: tuple[str, ...] = (
    "destination", "origin", "end_user", "end_user_hq", "exporter", "quantity", "end_use", "purchaser",
    "ultimate_consignee", "intermediate_consignee", "owners", "made_in", "region", "answers")


def make_request(fields: Sequence[Any], kept: Sequence[tuple[str, str]] | None = None) -> assess.CheckRequest:
    """The request ``check`` would get for a line (its :data:`REQUEST_FIELDS`); with ``kept``, only those of its
    purchaser and consignees (role, name) that can reach the decision."""
    (dest, origin, end_user, hq, exporter, qty, end_uses, purchaser, consignee, ic, owners, made_in, region,
     answers) = fields
    intermediates = tuple(cells(ic)) if ic else ()
    if kept is not None:
        named = dict(kept[:2])
        purchaser, consignee = named.get("purchaser"), named.get("ultimate_consignee")
        intermediates = tuple(n for r, n in kept if r == "intermediate_consignee")
    return assess.CheckRequest(
        destination=dest, origin=origin or "US", end_user=end_user, end_user_hq=hq, exporter=exporter,
        quantity=qty, end_uses=tuple(end_uses.split(";")) if end_uses else (), purchaser=purchaser,
        ultimate_consignee=consignee, intermediate_consignees=intermediates,
        owners=tuple(cells(owners)) if owners else (), made_in=made_in, region=region,
        answers=answer_pairs(answers) if answers else ())


#: A key's request from its first line's *parsed* fields, in the order :func:`canonical_request` takes them.
CANONICAL_FIELDS: tuple[str, ...] = (
    "destination", "origin", "end_user", "end_user_hq", "exporter", "quantity", "end_use", "owners", "made_in",
    "region", "answers")


#: A decision key's columns, as the batch's frame of valid lines names them (``evaluate``); the key less its period
#: (``REST_COLUMNS``) is what ``workers.PeriodMemo`` shares a decision across.
KEY_COLUMNS: tuple[str, ...] = ("item_id", "period", "dest", "origin_n", "region_n", "made_n", "hq", "facts",
                                "exp_class", "exp_sig", "end_uses", "party_sig", "qty_key")
REST_COLUMNS: tuple[str, ...] = tuple(c for c in KEY_COLUMNS if c != "period")
#: The request fields (``CANONICAL_FIELDS``, in order) as the frame names them; those the key does not hold
#: (``REQUEST_ONLY``: names, the quantity where LPP reads it, the owners cell) travel with the key.
REQUEST_COLUMNS: tuple[str, ...] = ("dest", "origin_n", "eu", "hq", "exp", "qty_req", "end_uses", "owners", "made_n",
                                    "region_n", "facts")
REQUEST_ONLY: tuple[str, ...] = tuple(c for c in REQUEST_COLUMNS if c not in KEY_COLUMNS)
_FROM_REST = tuple(REST_COLUMNS.index(c) if c in REST_COLUMNS else -1 - REQUEST_ONLY.index(c)
                   for c in REQUEST_COLUMNS)


def key_request(rest: Sequence[Any], own: Sequence[Any], kept: Sequence[tuple[str, str]]) -> assess.CheckRequest:
    """:func:`canonical_request` for a key given as its columns less its period (``REST_COLUMNS``) and its
    request-only fields (``REQUEST_ONLY``)."""
    return canonical_request(tuple(rest[j] if j >= 0 else own[-1 - j] for j in _FROM_REST), kept)


@lru_cache(maxsize=4096)
def _answer_items(facts: str) -> tuple[tuple[str, str], ...]:
    return tuple((str(k), str(v)) for k, v in json.loads(facts))


def canonical_request(fields: Sequence[Any], kept: Sequence[tuple[str, str]]) -> assess.CheckRequest:
    """The request for a key, from its first line's fields as parsed (country codes, folded names, the effective
    headquarters, the answers less the headquarters as canonical JSON, the quantity only where the key holds it,
    the owners cell as given) and the purchaser and consignees that can reach the decision: ``build_shipment``
    makes the same shipment of it as of the line's own text (parsing parsed values changes nothing), and keys that
    differ only in their date get the very same request."""
    dest, origin, end_user, hq, exporter, qty, end_uses, owners, made_in, region, facts = fields
    named = dict(kept[:2])
    return assess.CheckRequest(
        destination=dest, origin=origin, end_user=end_user, end_user_hq=hq, exporter=exporter, quantity=qty,
        end_uses=tuple(end_uses.split(";")) if end_uses else (), purchaser=named.get("purchaser"),
        ultimate_consignee=named.get("ultimate_consignee"),
        intermediate_consignees=tuple(n for r, n in kept if r == "intermediate_consignee"),
        owners=tuple(cells(owners)) if owners else (), made_in=made_in, region=region,
        answers=_answer_items(facts) if facts else ())


# ------------------------------------------------------------------------------------------- frames
def clean_frame(df: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
    """All input columns present as strings, blank cells as null; also a per-row error for U+FFFD (bad UTF-8)."""
    cols = []
    for c in INPUT_COLUMNS:
        if c in df.columns:
            e = pl.col(c).cast(pl.String)
            cols.append(pl.when(e.str.strip_chars() == "").then(None).otherwise(e).alias(c))
        else:
            cols.append(pl.lit(None, dtype=pl.String).alias(c))
    out = df.select(cols)
    bad = pl.coalesce([pl.when(pl.col(c).str.contains("\ufffd", literal=True))
                      .then(pl.lit(f"{c}: not valid UTF-8 text")) for c in INPUT_COLUMNS])
    return out, out.select(bad.alias("e")).to_series()


def record_json(df: pl.DataFrame) -> pl.Series:
    """Each line's fields as JSON (the given columns only), for the rejects file."""
    return df.select(pl.struct([c for c in INPUT_COLUMNS if c in df.columns]).struct.json_encode()).to_series()


def joined(values: Iterable[str]) -> str:
    return SEP.join(values)
