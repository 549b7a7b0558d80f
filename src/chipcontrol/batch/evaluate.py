"""Vectorised evaluation of shipment lines, equal to the per-shipment path by construction.

A batch of lines is evaluated in four steps:

1. **Normalise** each column through the very parsers the per-shipment path uses (``inputs.parse_country``,
   ``parse_party``, ``parse_date``, ``Catalog.lookup``, ``spec_from_mapping``), applied once per *distinct*
   value and joined back; a line with any bad field becomes a reject with the reason.
2. **Screen** each distinct (end user, destination) pair once (the destination is the screening country
   the per-shipment path passes; it can move a score).
3. **Key** every line by what the rule engine reads: item, rule period (dates between two consecutive
   ``Ruleset.breakpoints`` share every rule), destination, origin, end-user headquarters, the set of
   exporter-specific obligations the exporter name matches, declared end uses, the end user's screening
   hits, and the quantity *only* where it can change the answer (License Exception LPP: the AI Diffusion
   feature in force and an .a-level item).
4. **Decide** each distinct key once with the real engine (``build_shipment``, ``classify``, ``determine``,
   and the other view exactly as ``check_item`` does), and join the decisions back onto the lines.

What a key leaves out (the end user's name, the exporter's spelling, the exact date inside a period, the
quantity outside LPP) appears only in free text (details, warnings, notes), never in the decision fields
written per line. ``tests/batch`` compares these fields with ``check_item`` line by line.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from chipcontrol.catalog import Catalog
from chipcontrol.errors import ChipControlError, InvalidInput
from chipcontrol.model.decision import Classification, Determination
from chipcontrol.model.shipment import END_USES, PartyHit, Shipment
from chipcontrol.model.spec import ChipSpec
from chipcontrol.rules.ear.eccn_3a090 import classify
from chipcontrol.rules.ear.license import determine, exporter_matches
from chipcontrol.rules.ruleset import Ruleset
from chipcontrol.services import assess, inputs
from chipcontrol.services.specfile import spec_from_mapping
from chipcontrol.settings import Settings

PartyScreen = Callable[[str, str | None], list[PartyHit]]

#: Input columns (CSV header or Parquet column names; case-insensitive). See docs/batch.md.
INPUT_COLUMNS: tuple[str, ...] = ("line_id", "chip", "spec", "quantity", "destination", "origin", "end_user",
                                  "end_user_hq", "exporter", "end_use", "date")
REQUIRED_COLUMNS: tuple[str, ...] = ("line_id", "destination", "date")
#: Separator of list values inside one output cell (citations contain ';').
SEP = " | "

DECISION_FIELDS: tuple[str, ...] = (
    "license_required", "prohibited", "outcome", "review_policy", "license_exceptions", "reason_rule_ids",
    "reason_citations", "paragraph", "indeterminate", "rule_version", "other_view_license_required",
    "other_view_review_policy")
_DECISION_TYPES: dict[str, Any] = {
    "license_required": pl.Boolean, "prohibited": pl.Boolean, "outcome": pl.String, "review_policy": pl.String,
    "license_exceptions": pl.String, "reason_rule_ids": pl.String, "reason_citations": pl.String,
    "paragraph": pl.String, "indeterminate": pl.Boolean, "rule_version": pl.String,
    "other_view_license_required": pl.Boolean, "other_view_review_policy": pl.String}
#: Output columns, in order, with their types.
OUTPUT_SCHEMA: dict[str, Any] = {
    "line_id": pl.String, "item": pl.String, "destination": pl.String, "as_of": pl.String,
    **_DECISION_TYPES, "screening_hits": pl.String, "view": pl.String}
#: Rejects: the line id where known, one line saying why, and the record as read (JSON or raw text).
REJECT_SCHEMA: dict[str, Any] = {"line_id": pl.String, "reason": pl.String, "record": pl.String}

Decision = tuple[Any, ...]
_KEY_COLUMNS = ("item_id", "period", "dest", "origin_n", "hq", "exp_class", "end_uses", "sig_id", "qty_key")


# ------------------------------------------------------------------------------------------- decision fields
def _dedupe_pairs(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: set[tuple[str, str]] = set()
    out: list[tuple[str, str]] = []
    for p in pairs:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def _decision(license_required: bool, prohibited: bool, outcome: str, review_policy: str | None,
              exceptions: Sequence[str], reasons: Iterable[tuple[str, str]], paragraph: str | None,
              indeterminate: bool, rule_version: str, other: tuple[bool, str | None] | None) -> Decision:
    pairs = _dedupe_pairs(reasons)
    return (license_required, prohibited, outcome, review_policy, SEP.join(exceptions),
            SEP.join(r for r, _ in pairs), SEP.join(c for _, c in pairs), paragraph, indeterminate, rule_version,
            None if other is None else other[0], None if other is None else other[1])


def decision_from_determination(d: Determination, other: Determination | None) -> Decision:
    """The per-line decision fields from the engine's result (and the other view's, as ``check_item`` keeps it)."""
    c = d.classification
    ov = None
    if other is not None and (other.license_required, other.review_policy) != (d.license_required, d.review_policy):
        ov = (other.license_required, other.review_policy)
    return _decision(d.license_required, d.prohibited, d.outcome, d.review_policy,
                     [e.name for e in d.license_exceptions], ((r.rule_id, r.citation.short()) for r in d.reasons),
                     c.paragraph, d.indeterminate or c.indeterminate, d.rule_version, ov)


def decision_from_check(data: dict[str, Any]) -> Decision:
    """The same fields read from ``check_item``'s JSON (the per-shipment path)."""
    other = data.get("other_view")
    return _decision(bool(data["license_required"]), bool(data["prohibited"]), str(data["outcome"]),
                     data["review_policy"], [e["name"] for e in data["license_exceptions"]],
                     ((r["rule_id"], r["citation"]) for r in data["reasons"]), data["paragraph"],
                     bool(data["indeterminate"]), str(data["rule_version"]),
                     None if other is None else (bool(other["license_required"]), other["review_policy"]))


def hits_text(hits: Iterable[PartyHit]) -> str:
    return SEP.join(f"{h.list}: {h.listed_name} ({h.score:.2f})" for h in hits)


def hits_text_from_check(data: dict[str, Any]) -> str | None:
    screened = data.get("screening") or []
    if not screened:
        return None
    return SEP.join(f"{h['list']}: {h['listed_name']} ({h['score']:.2f})" for h in screened[0]["hits"])


# ------------------------------------------------------------------------------------------- field parsers
_INT = re.compile(r"\s*\+?\d{1,12}\s*")


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


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


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
    return df.select(pl.struct([c for c in INPUT_COLUMNS if c in df.columns]).struct.json_encode()).to_series()


@dataclass(slots=True)
class EvalStats:
    lines: int = 0
    rejects: int = 0
    keys_evaluated: int = 0
    parties_screened: int = 0


# ------------------------------------------------------------------------------------------- the evaluator
@dataclass(slots=True)
class _ItemTable:
    specs: list[ChipSpec] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    by_key: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, spec: ChipSpec) -> int:
        i = self.by_key.get(key)
        if i is None:
            i = len(self.specs)
            self.by_key[key] = i
            self.specs.append(spec)
            self.names.append(spec.display_name)
        return i


class Evaluator:
    """Evaluates frames of raw shipment lines. Caches (parsed values, screening, classifications, decisions)
    live as long as the evaluator, so a batch processed in chunks parses, screens and decides each distinct
    thing once. ``screen`` defaults to ``chipcontrol.services.screening.party_hits``."""

    def __init__(self, settings: Settings, *, screen: PartyScreen | None = None, ruleset: Ruleset | None = None,
                 catalog: Catalog | None = None) -> None:
        self.settings = settings
        self.rs = ruleset or Ruleset.load()
        self.catalog = catalog or Catalog.load()
        if screen is None:
            from chipcontrol.services.screening import party_hits

            screen = party_hits
        self.screen: PartyScreen = screen
        self.stats = EvalStats()
        self._bp = list(self.rs.breakpoints)
        self._values: dict[str, dict[str, tuple[Any, str | None]]] = {}
        self._items = _ItemTable()
        self._pairs: dict[str, tuple[int, str]] = {}  # "name\x1fdest" -> (signature id, hits text)
        self._sig_index: dict[tuple[Any, ...], int] = {(): 0}
        self._sig_rep: list[tuple[str | None, list[PartyHit]]] = [(None, [])]
        self._exp_class: dict[str | None, str] = {}
        self._exp_rep: dict[str, str | None] = {}
        self._classes: dict[tuple[int, int, str], Classification] = {}
        self._qty_matters: dict[tuple[int, int], bool] = {}
        self._decisions: dict[tuple[Any, ...], Decision] = {}

    # --------------------------------------------------------------------------------------- helpers
    def period_of(self, day: dt.date) -> int:
        return bisect.bisect_right(self._bp, day) - 1

    def _map(self, s: pl.Series, name: str, fn: Callable[[str], Any], dtype: Any) -> tuple[pl.Series, pl.Series]:
        cache = self._values.setdefault(name, {})
        uniq = s.drop_nulls().unique().to_list()
        for u in uniq:
            if u not in cache:
                try:
                    cache[u] = (fn(u), None)
                except ChipControlError as exc:
                    cache[u] = (None, f"{name}: {_one_line(exc)}")
        if not uniq:
            return pl.Series(name, [None] * len(s), dtype=dtype), pl.Series(name, [None] * len(s), dtype=pl.String)
        vals = s.replace_strict(uniq, [cache[u][0] for u in uniq], default=None, return_dtype=dtype)
        errs = s.replace_strict(uniq, [cache[u][1] for u in uniq], default=None, return_dtype=pl.String)
        return vals, errs

    def _chip(self, raw: str) -> int:
        entry = self.catalog.lookup(raw)
        return self._items.add("c:" + entry.key, entry.spec)

    def _spec(self, raw: str) -> int:
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"not valid JSON (column {exc.colno}: {exc.msg})") from None
        return self._items.add("s:" + raw, spec_from_mapping(data, origin="spec", catalog=self.catalog))

    def _date(self, raw: str) -> str:
        return parse_line_date(raw).isoformat()

    def _classification(self, item: int, period: int, view: str) -> Classification:
        key = (item, period, view)
        c = self._classes.get(key)
        if c is None:
            c = classify(self._items.specs[item], self.rs.context(self._bp[period], view), self.settings.tf32_bits)
            self._classes[key] = c
        return c

    def quantity_matters(self, item: int, period: int) -> bool:
        """LPP is the only rule that reads the quantity: the AI Diffusion feature in force and an .a-level item."""
        key = (item, period)
        m = self._qty_matters.get(key)
        if m is None:
            ctx = self.rs.context(self._bp[period], self.settings.view)
            m = "ai_diffusion" in ctx.features and self._classification(item, period, self.settings.view).level == "a"
            self._qty_matters[key] = m
        return m

    def _exporter_class(self, exporter: str | None) -> str:
        cls = self._exp_class.get(exporter)
        if cls is None:
            cls = ";".join(ob.id for ob in self.rs.obligations if exporter_matches(ob, exporter))
            self._exp_class[exporter] = cls
            self._exp_rep.setdefault(cls, exporter)
        return cls

    def _screen_pair(self, name: str, dest: str) -> tuple[int, str]:
        hits = self.screen(name, dest)
        self.stats.parties_screened += 1
        # What of the hits reaches the decision fields: for each hit with legal effect its list (the reason's
        # rule id), effect, citation and review policy. Names, scores and informational hits reach only text.
        sig = tuple(dict.fromkeys((h.list, h.kind, h.citation, h.review_policy) for h in hits
                                  if h.kind != "informational"))
        sid = self._sig_index.get(sig)
        if sid is None:
            sid = len(self._sig_rep)
            self._sig_index[sig] = sid
            self._sig_rep.append((name, list(hits)))
        return sid, hits_text(hits)

    def decide(self, item: int, period: int, dest: str, origin: str, hq: str | None, exp_class: str,
               end_uses: str, sig_id: int, qty: int | None) -> Decision:
        """One decision with the real engine, as ``assess.check_item`` makes it for a line with this key.

        The shipment is the one ``assess.build_shipment`` makes from the line's fields (already normalised by
        the same parsers) with the representative end user's screening hits."""
        rep_name, hits = self._sig_rep[sig_id]
        ship = Shipment(destination=dest, origin=origin, end_user=rep_name, end_user_hq=hq,
                        exporter=self._exp_rep[exp_class], quantity=qty,
                        end_uses=frozenset(end_uses.split(";")) if end_uses else frozenset(), party_hits=tuple(hits))
        day = self._bp[period]
        view = self.settings.view
        ctx = self.rs.context(day, view)
        spec = self._items.specs[item]
        d = determine(spec, self._classification(item, period, view), ship, ctx)
        other = None
        if ctx.not_applied or any("enforced" not in v.views for v in ctx.versions_in_force):
            other_view = "as_written" if view == "enforced" else "enforced"
            other = determine(spec, self._classification(item, period, other_view), ship,
                              self.rs.context(day, other_view))
        self.stats.keys_evaluated += 1
        return decision_from_determination(d, other)

    # --------------------------------------------------------------------------------------- vectorised
    def evaluate(self, raw: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Raw lines (string columns named as INPUT_COLUMNS) -> (decisions per line, rejects)."""
        df, utf8_err = clean_frame(raw)
        s = df.get_column
        item_c, chip_e = self._map(s("chip"), "chip", self._chip, pl.Int32)
        item_s, spec_e = self._map(s("spec"), "spec", self._spec, pl.Int32)
        dest, dest_e = self._map(s("destination"), "destination",
                                 lambda v: inputs.parse_country(v, "destination")[0], pl.String)
        origin, origin_e = self._map(s("origin"), "origin", lambda v: inputs.parse_country(v, "origin")[0], pl.String)
        hq, hq_e = self._map(s("end_user_hq"), "end_user_hq",
                             lambda v: inputs.parse_country(v, "end-user headquarters")[0], pl.String)
        eu, eu_e = self._map(s("end_user"), "end_user", lambda v: inputs.parse_party(v, "end user"), pl.String)
        exp, exp_e = self._map(s("exporter"), "exporter", lambda v: inputs.parse_party(v, "exporter"), pl.String)
        qty, qty_e = self._map(s("quantity"), "quantity", parse_quantity_text, pl.Int64)
        uses, uses_e = self._map(s("end_use"), "end_use", parse_end_uses, pl.String)
        day, day_e = self._map(s("date"), "date", self._date, pl.String)
        w = pl.DataFrame({
            "line_id": s("line_id"), "item_c": item_c, "item_s": item_s, "dest": dest, "origin_n": origin, "hq": hq,
            "end_user": eu, "exporter": exp, "qty": qty, "end_uses": uses, "as_of": day,
            "e_utf8": utf8_err, "e_chip": chip_e, "e_spec": spec_e, "e_dest": dest_e, "e_origin": origin_e,
            "e_hq": hq_e, "e_eu": eu_e, "e_exp": exp_e, "e_qty": qty_e, "e_uses": uses_e, "e_day": day_e,
        }, schema_overrides={"line_id": pl.String})
        has_c, has_s = pl.col("chip").is_not_null(), pl.col("spec").is_not_null()
        item_rule = df.select(pl.when(has_c & has_s).then(pl.lit("give chip or spec, not both"))
                              .when(~has_c & ~has_s).then(pl.lit("chip or spec is required"))).to_series()
        reason = w.select(pl.coalesce(
            pl.col("e_utf8"),
            pl.when(pl.col("line_id").is_null()).then(pl.lit("line_id is missing")),
            pl.lit(item_rule), pl.col("e_chip"), pl.col("e_spec"),
            pl.when(pl.col("dest").is_null() & pl.col("e_dest").is_null()).then(pl.lit("destination is missing")),
            pl.col("e_dest"), pl.col("e_origin"), pl.col("e_hq"), pl.col("e_eu"), pl.col("e_exp"), pl.col("e_qty"),
            pl.col("e_uses"),
            pl.when(pl.col("as_of").is_null() & pl.col("e_day").is_null()).then(pl.lit("date is missing")),
            pl.col("e_day")).alias("reason")).to_series()
        bad = reason.is_not_null()
        rejects = pl.DataFrame({"line_id": s("line_id").filter(bad), "reason": reason.filter(bad),
                                "record": record_json(df.filter(bad))}, schema=REJECT_SCHEMA)
        ok = w.filter(~bad).select(
            "line_id", pl.coalesce("item_c", "item_s").alias("item_id"), "dest",
            pl.col("origin_n").fill_null("US"), "hq", "end_user", "exporter", "qty",
            pl.col("end_uses").fill_null(""), "as_of")
        self.stats.lines += ok.height
        self.stats.rejects += rejects.height
        if ok.height == 0:
            return pl.DataFrame(schema=OUTPUT_SCHEMA), rejects
        # periods: per distinct date
        dates = ok.get_column("as_of").unique().to_list()
        ok = ok.with_columns(pl.col("as_of").replace_strict(
            dates, [self.period_of(dt.date.fromisoformat(d)) for d in dates], return_dtype=pl.Int32).alias("period"))
        # screening: per distinct (end user, destination)
        pair = pl.concat_str([pl.col("end_user"), pl.col("dest")], separator="\x1f")
        ok = ok.with_columns(pair.alias("pair"))
        pairs = ok.get_column("pair").drop_nulls().unique().to_list()
        for p in pairs:
            if p not in self._pairs:
                name, dst = p.split("\x1f")
                self._pairs[p] = self._screen_pair(name, dst)
        if pairs:
            ok = ok.with_columns(
                pl.col("pair").replace_strict(pairs, [self._pairs[p][0] for p in pairs], default=0,
                                              return_dtype=pl.Int32).alias("sig_id"),
                pl.col("pair").replace_strict(pairs, [self._pairs[p][1] for p in pairs], default=None,
                                              return_dtype=pl.String).alias("screening_hits"))
        else:
            ok = ok.with_columns(pl.lit(0, dtype=pl.Int32).alias("sig_id"),
                                 pl.lit(None, dtype=pl.String).alias("screening_hits"))
        # exporter: the set of exporter-specific obligations the name matches
        none = "\x00"  # no exporter given (a cleaned name never holds control characters)
        exps = ok.get_column("exporter").fill_null(none).unique().to_list()
        classes = [self._exporter_class(None if e == none else e) for e in exps]
        ok = ok.with_columns(pl.col("exporter").fill_null(none).replace_strict(exps, classes, return_dtype=pl.String)
                             .alias("exp_class"))
        # quantity: only where LPP can read it
        ip = ok.select("item_id", "period").unique()
        matters = [i * 1024 + p for i, p in ip.iter_rows() if self.quantity_matters(i, p)]  # item, period codes
        ok = ok.with_columns(pl.when((pl.col("item_id").cast(pl.Int64) * 1024 + pl.col("period")).is_in(matters))
                             .then(pl.col("qty")).otherwise(None).alias("qty_key"))
        # decide each distinct key once
        keys = ok.select(_KEY_COLUMNS).unique()
        rows: list[Decision] = []
        for k in keys.iter_rows():
            d = self._decisions.get(k)
            if d is None:
                d = self.decide(*k)
                self._decisions[k] = d
            rows.append(d)
        dec = pl.DataFrame(rows, schema=_DECISION_TYPES, orient="row")
        keys = pl.concat([keys, dec], how="horizontal")
        joined = ok.join(keys, on=list(_KEY_COLUMNS), how="left", nulls_equal=True, maintain_order="left")
        names = pl.Series("n", self._items.names, dtype=pl.String)
        out = joined.select(
            "line_id", names.gather(joined.get_column("item_id")).alias("item"), pl.col("dest").alias("destination"),
            "as_of", *DECISION_FIELDS, "screening_hits", pl.lit(self.settings.view).alias("view"))
        return out.cast(OUTPUT_SCHEMA), rejects  # type: ignore[arg-type]

    # --------------------------------------------------------------------------------------- per shipment
    def evaluate_rows(self, raw: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The per-shipment path: each line through ``assess.check_item`` with a fresh screening call.
        The reference the vectorised path is tested against, and the baseline of the benchmark."""
        df, utf8_err = clean_frame(raw)
        records = record_json(df)
        out: list[dict[str, Any]] = []
        rej: list[dict[str, Any]] = []
        for i, row in enumerate(df.iter_rows(named=True)):
            try:
                if utf8_err[i] is not None:
                    raise _RowError(str(utf8_err[i]))
                out.append(self._check_row(row))
            except _RowError as exc:
                rej.append({"line_id": row["line_id"], "reason": str(exc), "record": records[i]})
        self.stats.lines += len(out)
        self.stats.rejects += len(rej)
        return pl.DataFrame(out, schema=OUTPUT_SCHEMA), pl.DataFrame(rej, schema=REJECT_SCHEMA)

    def _check_row(self, row: dict[str, Any]) -> dict[str, Any]:
        def field_(name: str, fn: Callable[[str], Any], default: Any = None) -> Any:
            v = row[name]
            if v is None:
                return default
            try:
                return fn(v)
            except ChipControlError as exc:
                raise _RowError(f"{name}: {_one_line(exc)}") from None

        if row["line_id"] is None:
            raise _RowError("line_id is missing")
        if (row["chip"] is None) == (row["spec"] is None):
            raise _RowError("give chip or spec, not both" if row["chip"] is not None else "chip or spec is required")
        if row["chip"] is not None:
            entry = field_("chip", self.catalog.lookup)
            item = assess.Item(entry.spec, entry)
        else:
            item = assess.Item(self._items.specs[field_("spec", self._spec)], None)
        if row["destination"] is None:
            raise _RowError("destination is missing")
        field_("destination", lambda v: inputs.parse_country(v, "destination"))
        field_("origin", lambda v: inputs.parse_country(v, "origin"))
        field_("end_user_hq", lambda v: inputs.parse_country(v, "end-user headquarters"))
        field_("end_user", lambda v: inputs.parse_party(v, "end user"))
        field_("exporter", lambda v: inputs.parse_party(v, "exporter"))
        qty = field_("quantity", parse_quantity_text)
        uses = field_("end_use", parse_end_uses, "")
        if row["date"] is None:
            raise _RowError("date is missing")
        day = field_("date", parse_line_date)
        req = assess.CheckRequest(destination=row["destination"], origin=row["origin"] or "US",
                                  end_user=row["end_user"], end_user_hq=row["end_user_hq"], exporter=row["exporter"],
                                  quantity=qty, end_uses=tuple(uses.split(";")) if uses else ())
        data = assess.check_item(item, req, day, self.settings, screen=self.screen, ruleset=self.rs)
        if row["end_user"] is not None:
            self.stats.parties_screened += 1
        return {"line_id": row["line_id"], "item": item.spec.display_name,
                "destination": data["shipment"]["destination"], "as_of": day.isoformat(),
                **dict(zip(DECISION_FIELDS, decision_from_check(data), strict=True)),
                "screening_hits": hits_text_from_check(data), "view": self.settings.view}


class _RowError(Exception):
    pass
