"""Vectorised evaluation of shipment lines, equal to the per-shipment path by construction.

A batch of lines is evaluated in four steps:

1. **Normalise** each column through the very parsers the per-shipment path uses (``inputs.parse_country``,
   ``parse_party``, ``parse_date``, ``Catalog.lookup``, ``spec_from_mapping``, ``parse_owner`` and
   ``validate_links``, the check service's answer and region checks), applied once per *distinct* value and joined
   back; a line with any bad field becomes a reject with the reason (:mod:`chipcontrol.batch.columns`).
2. **Screen** each distinct (name, country) once, as ``check`` screens it (the end user against the destination,
   purchaser, consignees and owners without a country, the exporter against the origin), and reduce each line's
   parties to a signature of what reaches a decision (:mod:`chipcontrol.batch.parties`).
3. **Key** every line by everything ``determine`` reads: item, decision period (see :func:`decision_dates`),
   destination, origin, region, place of production, end-user headquarters, answers, the parties' signature,
   declared end uses, the exporter's prohibiting hits, the exporter-specific letters its name matches (or none
   named) where a letter in force covers the item, and the quantity only where License Exception LPP reads it
   (as within the cap or not).
4. **Decide** each distinct key once with the real engine: its first line's parsed fields make the request
   (``columns.canonical_request``), ``assess.build_shipment`` builds the shipment exactly as ``check`` builds it,
   then ``classify``, ``determine`` and the other view as ``check_item`` runs them — in this process, or in worker
   processes (:mod:`chipcontrol.batch.workers`) while the next frame is keyed; the decisions are joined back onto
   the lines.

What a key leaves out (names, scores, the exporter's spelling, the exact date inside a period, the quantity outside
LPP, inert parties) appears only in free text (details, warnings, the screening columns) or, for inert parties, as
their own ``ROLE: clear`` entry, never in a decision field. ``tests/batch`` compares every field with ``check_item``
line by line.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from chipcontrol.batch import columns as C
from chipcontrol.batch.columns import (
    CHECKS,
    DECISION_FIELDS,
    DECISION_TYPES,
    OUTPUT_SCHEMA,
    REJECT_SCHEMA,
    clean_frame,
    one_line,
    record_json,
)
from chipcontrol.batch.decision import Decision, from_check, hits_text, party_hits_text
from chipcontrol.batch.parties import Parties, PartyTable, Screen, parties_text
from chipcontrol.batch.workers import (
    DecisionPool,
    Job,
    PeriodMemo,
    PeriodToken,
    decide_shipment,
    gc_paused,
    shipment_for,
)
from chipcontrol.catalog import Catalog
from chipcontrol.errors import ChipControlError, InvalidInput
from chipcontrol.model.citation import Citation
from chipcontrol.model.decision import Classification
from chipcontrol.model.shipment import OwnershipLink, PartyHit, Shipment
from chipcontrol.model.spec import ChipSpec
from chipcontrol.rules.ear.eccn_3a090 import classify
from chipcontrol.rules.ear.license import exporter_matches, obligation_covers_item
from chipcontrol.rules.ruleset import EARLIEST, Ruleset
from chipcontrol.services import assess
from chipcontrol.services.specfile import spec_from_mapping
from chipcontrol.settings import Settings

# kept importable from here (older callers)
INPUT_COLUMNS, REQUIRED_COLUMNS, SEP = C.INPUT_COLUMNS, C.REQUIRED_COLUMNS, C.SEP
PartyScreen = Screen
__all__ = ["DECISION_FIELDS", "INPUT_COLUMNS", "OUTPUT_SCHEMA", "REJECT_SCHEMA", "REQUIRED_COLUMNS", "SEP",
           "EvalStats", "Evaluator", "Pending", "decision_dates"]

_KEY_COLUMNS, _REST = C.KEY_COLUMNS, C.REST_COLUMNS
_SOFT = (_REST.index("hq"), _REST.index("end_uses"))  # shared where the decision did not read them
_NONE = "\x00"  # stands for "not given" inside composite text keys (cleaned text never holds control characters)
_LPP_CAP = "ear.part_740.ai_diffusion.lpp_tpp_per_year"
_DECISION_FRAME = {**DECISION_TYPES, "parties": pl.String}  # a key's party entries (joined by _RS), per line
_KEY_SCHEMA = {"item_id": pl.Int32, "period": pl.Int32, "dest": pl.String, "origin_n": pl.String,
               "region_n": pl.String, "made_n": pl.String, "hq": pl.String, "facts": pl.String,
               "exp_class": pl.String, "exp_sig": pl.Int32, "end_uses": pl.String, "party_sig": pl.Int32,
               "qty_key": pl.Int64}
_MISSING: Any = object()
_US = "\x1f"  # between the parts of a composite key
_RS = "\x1e"  # between the names of one multi-valued cell inside a composite key


def decision_dates(rs: Ruleset) -> list[dt.date]:
    """The first day of each decision period: the ruleset's breakpoints, plus every date written inside a
    parameter's value and the day after it (a stay's end, a temporary licence's last day, a compliance date: the
    engine compares the date of the shipment with these), so any two days of one period get the same answer."""
    return list(rs.breakpoints)  # the ruleset's breakpoints include dates written inside values


@dataclass(slots=True)
class EvalStats:
    lines: int = 0
    rejects: int = 0
    keys_evaluated: int = 0
    parties_screened: int = 0
    keys_shared: int = 0  # keys answered by the same key's decision in another period (in this process)
    screened_in_workers: int = 0  # of parties_screened: names screened by the worker processes


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


def _decision_form(c: Classification) -> Classification:
    """A classification less what no decision field can read: its date, trace, rule version, near-threshold and
    ``.z`` notes, the TPP basis and performance density (the engine reads the level, paragraphs, TPP, datacenter
    flag, memory bandwidth, missing facts and interpretations) — and the rule's citation, which reaches a decision
    only through the question for a missing fact (``facts.item_fact``), so it is kept where facts are missing."""
    return dataclasses.replace(c, as_of=EARLIEST, trace=(), rule_version="", near_thresholds=(), z_equivalents=(),
                               tpp_basis="", performance_density=None,
                               rule_citation=c.rule_citation if c.indeterminate or c.missing else _NO_CITATION)


class _RowError(Exception):
    pass


@dataclass(slots=True)
class Pending:
    """A frame started: its valid lines with their keys, its distinct keys with their numbers (``kid``), rejects,
    the numbers of the keys it decides (in the order of the job's tasks) and the job deciding them."""

    ok: pl.DataFrame | None
    reps: pl.DataFrame | None
    rejects: pl.DataFrame
    new_kids: list[int]
    job: Job


_NO_CITATION = Citation(source_id="", document="")
_POOL_MIN = 4000  # fewer new keys than this are decided in-process (starting workers costs more than it saves)
_SCREEN_MIN = 256  # fewer new names than this are screened in-process


class Evaluator:
    """Evaluates frames of raw shipment lines. Caches (parsed values, screening, classifications, decisions)
    live as long as the evaluator, so a batch processed in chunks parses, screens and decides each distinct
    thing once. ``screen`` defaults to the party screener ``check`` uses
    (``chipcontrol.services.parties.default_party_screener``)."""

    def __init__(self, settings: Settings, *, screen: Screen | None = None, ruleset: Ruleset | None = None,
                 catalog: Catalog | None = None, workers: int = 1) -> None:
        self.settings = settings
        self.workers = workers
        self._pool: DecisionPool | None = None
        self._workers_screen = False  # the workers screen new names for the parent (see _prescreen)
        self._ships: dict[assess.CheckRequest, Shipment] = {}
        self.rs = ruleset or Ruleset.load()
        self.catalog = catalog or Catalog.load()
        if screen is None:
            from chipcontrol.services.parties import default_party_screener

            screen = default_party_screener()
        self.screen: Screen = screen
        self.parties = PartyTable(screen)
        self.stats = EvalStats()
        self._bp = decision_dates(self.rs)
        self._values: dict[str, dict[Any, tuple[Any, str | None]]] = {}
        self._items = _ItemTable()
        self._owner_sets: list[tuple[OwnershipLink, ...]] = [()]
        self._owner_ids: dict[tuple[OwnershipLink, ...], int] = {(): 0}
        self._combos: dict[str, Parties] = {}
        self._exp_class: dict[str | None, str] = {}
        self._exp_sig: dict[str, int] = {}
        self._classes: dict[tuple[int, int, str], Classification] = {}
        self._qty_rule: dict[tuple[int, int], tuple[int | None, ...] | None] = {}
        self._exp_matters: dict[tuple[int, int], bool] = {}
        # every key met so far, numbered in the order met (``kid``), and the decisions of those decided, by number:
        # a frame's keys are matched against them in Polars (no key becomes a Python tuple unless it is new)
        self._known = pl.DataFrame(schema={**_KEY_SCHEMA, "kid": pl.Int64})
        self._decided = pl.DataFrame(schema=_DECISION_FRAME)
        self._texts: dict[tuple[int, str | None], str | None] = {}  # parties column by (layout, key's entries)
        self._memo = PeriodMemo(self.rs, settings.view, *_SOFT)
        self._tokens: dict[tuple[int, int], PeriodToken] = {}
        self._class_forms: dict[int, list[tuple[Classification, ...]]] = {}

    # --------------------------------------------------------------------------------------- helpers
    def period_of(self, day: dt.date) -> int:
        return bisect.bisect_right(self._bp, day) - 1

    def _screen_cached(self, name: str, country: str | None) -> tuple[list[PartyHit], list[PartyHit]]:
        hits, res = self.parties.screen(name, country)
        return list(hits), list(res)

    def _parse(self, name: str, fn: Callable[[str], Any], value: str) -> Any:
        """One value through its parser, cached; raises _RowError with the reject reason."""
        cache = self._values.setdefault(name, {})
        found = cache.get(value)
        if found is None:
            try:
                found = (fn(value), None)
            except ChipControlError as exc:
                found = (None, f"{name}: {one_line(exc)}")
            cache[value] = found
        if found[1] is not None:
            raise _RowError(found[1])
        return found[0]

    def _map(self, s: pl.Series, name: str, fn: Callable[[str], Any], *dtypes: Any) -> tuple[list[pl.Series],
                                                                                              pl.Series]:
        """Each distinct value of ``s`` through ``fn`` once: (one series per output, the error series)."""
        cache = self._values.setdefault(name, {})
        uniq = s.drop_nulls().unique().to_list()
        for u in uniq:
            if u not in cache:
                try:
                    cache[u] = (fn(u), None)
                except ChipControlError as exc:
                    cache[u] = (None, f"{name}: {one_line(exc)}")
        if not uniq:
            return ([pl.Series(name, [None] * len(s), dtype=t) for t in dtypes],
                    pl.Series(name, [None] * len(s), dtype=pl.String))
        outs = []
        for i, t in enumerate(dtypes):
            vals = [cache[u][0] if len(dtypes) == 1 or cache[u][0] is None else cache[u][0][i] for u in uniq]
            if t == pl.String and s.dtype == pl.String and vals == uniq:
                outs.append(s)  # every value parses to itself (a country code, a clean name): nothing to replace
            else:
                outs.append(s.replace_strict(uniq, vals, default=None, return_dtype=t))
        errors = [cache[u][1] for u in uniq]
        if not any(errors):
            return outs, pl.repeat(None, len(s), dtype=pl.String, eager=True).alias(name)
        errs = s.replace_strict(uniq, errors, default=None, return_dtype=pl.String)
        return outs, errs

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
        return C.parse_line_date(raw).isoformat()

    def _region(self, pair: str) -> str:
        text, dest = pair.split(_US)
        return C.parse_region(text, dest)

    def _owners(self, pair: str) -> int:
        text, end_user = pair.split(_US)
        links = C.parse_owners(text, None if end_user == _NONE else end_user)
        return self._owner_ids.setdefault(links, len(self._owner_ids)) if links else 0

    def _owner_links(self, oid: int) -> tuple[OwnershipLink, ...]:
        if len(self._owner_sets) < len(self._owner_ids):
            self._owner_sets = [()] * len(self._owner_ids)
            for links, i in self._owner_ids.items():
                self._owner_sets[i] = links
        return self._owner_sets[oid]

    def _classification(self, item: int, period: int, view: str) -> Classification:
        key = (item, period, view)
        c = self._classes.get(key)
        if c is None:
            c = classify(self._items.specs[item], self.rs.context(self._bp[period], view), self.settings.tf32_bits)
            self._classes[key] = c
        return c

    def period_token(self, item: int, period: int) -> PeriodToken:
        """What shapes a key of this item in this period besides the key's own columns (see ``PeriodMemo``): the
        classification in both views as far as a decision reads it (``_decision_form``; as a number per distinct
        form), whether the exporter's name can matter, the quantity rule, how the views stand
        (:class:`~chipcontrol.batch.workers.PeriodToken`)."""
        token = self._tokens.get((item, period))
        if token is not None:
            return token
        form = tuple(_decision_form(self._classification(item, period, v)) for v in ("enforced", "as_written"))
        forms = self._class_forms.setdefault(item, [])
        if form not in forms:
            forms.append(form)
        cid = forms.index(form)
        if not self.rs.context(self._bp[period], self.settings.view).views_differ:
            views = 0
        else:
            views = 1 if (self._classification(item, period, "enforced") ==
                          self._classification(item, period, "as_written")) else 2
        token = self._tokens[(item, period)] = PeriodToken(cid, self.exporter_matters(item, period),
                                                           self.quantity_rule(item, period), views)
        return token

    def quantity_rule(self, item: int, period: int) -> tuple[int | None, ...] | None:
        """How the quantity can reach the answer for this item in this period.

        License Exception LPP is the only rule that reads it (AI Diffusion Rule, either view: the other view is part
        of the answer), for an .a-level item: whether the shipment's total TPP, ``quantity x ICs per unit x TPP``,
        is within the cap, or a question when no quantity is given. Returns None when the quantity cannot matter,
        ``()`` when the exact quantity must be kept (the item's level or TPP turns on a fact nobody gave), else the
        largest quantity within the cap per view (None for a view where LPP is not read)."""
        key = (item, period)
        if key in self._qty_rule:
            return self._qty_rule[key]
        spec = self._items.specs[item]
        per_unit = spec.accelerator_count if (spec.item_type == "computer" and spec.accelerator_count) else 1
        rule: list[int | None] = []
        for view in ("enforced", "as_written"):
            c = self._classification(item, period, view)
            ctx = self.rs.context(self._bp[period], view)
            if "ai_diffusion" not in ctx.features or not (c.level == "a" or c.indeterminate):
                rule.append(None)
                continue
            cap = ctx.read(_LPP_CAP)
            if c.indeterminate or c.tpp is None or cap is None or c.tpp <= 0:
                self._qty_rule[key] = ()
                return ()
            tpp, limit = c.tpp, float(cap.value)
            q = max(0, int(limit // (per_unit * tpp)))  # then the engine's own arithmetic decides the edge
            while (q + 1) * per_unit * tpp <= limit:
                q += 1
            while q > 0 and q * per_unit * tpp > limit:
                q -= 1
            rule.append(q)
        result = tuple(rule) if any(r is not None for r in rule) else None
        self._qty_rule[key] = result
        return result

    def exporter_matters(self, item: int, period: int) -> bool:
        """The exporter's name is read only by exporter-specific letters (is-informed letters) in force that cover
        the item; where none does, every exporter (named or not) gets the same answer. (Its screening hits are a key
        of their own.) An item whose classification turns on a fact nobody gave keeps the exporter: a reply can
        change what a letter covers."""
        key = (item, period)
        m = self._exp_matters.get(key)
        if m is None:
            day, spec = self._bp[period], self._items.specs[item]
            m = any(self._classification(item, period, v).indeterminate for v in ("enforced", "as_written")) or any(
                ob.in_force(day) and obligation_covers_item(ob, spec)[0] for ob in self.rs.obligations)
            self._exp_matters[key] = m
        return m

    def _exporter_class(self, exporter: str | None) -> str:
        """The exporter-specific obligations a name matches; no exporter named is a class of its own (the engine
        asks who exports where a letter applies)."""
        cls = self._exp_class.get(exporter)
        if cls is None:
            cls = _NONE if exporter is None else ";".join(
                ob.id for ob in self.rs.obligations if exporter_matches(ob, exporter))
            self._exp_class[exporter] = cls
        return cls

    def _prescreen(self, combos: Sequence[str]) -> None:
        """The names new party combinations will screen, screened by the worker processes side by side where
        there are many (the first frame of a large batch) and the screener is the one a fresh process gets (the
        default party screener over the bundled lists); the party table learns them in the order it would have
        screened them."""
        if self._pool is None or not self._workers_screen:
            return
        pairs: list[tuple[str, str | None]] = []
        for text in combos:
            eu, dest, pur, uc, ics, oid = text.split(_US)
            if eu != _NONE:
                pairs.append((eu, dest))
            pairs.extend((n, None) for n in (pur, uc) if n != _NONE)
            if ics != _NONE:
                pairs.extend((n, None) for n in ics.split(_RS))
            pairs.extend((link.owner, None) for link in self._owner_links(int(oid)))
        todo = self.parties.unscreened(pairs)
        if len(todo) < _SCREEN_MIN:
            return
        results = self._pool.screen(todo)
        if results is not None:
            self.parties.learn(todo, results)
            self.stats.screened_in_workers += len(todo)

    def _combo(self, text: str) -> Parties:
        found = self._combos.get(text)
        if found is None:
            eu, dest, pur, uc, ics, oid = text.split(_US)
            others = [(role, name) for role, name in (("purchaser", pur), ("ultimate_consignee", uc)) if name != _NONE]
            if ics != _NONE:
                others.extend(("intermediate_consignee", n) for n in ics.split(_RS))
            found = self.parties.parties(None if eu == _NONE else eu, dest, others, self._owner_links(int(oid)))
            self._combos[text] = found
        return found

    # --------------------------------------------------------------------------------------- deciding
    def decide(self, item: int, period: int, own: Sequence[Any], kept: Sequence[tuple[str, str]],
               rest: tuple[Any, ...], token: Any = None) -> Decision:
        """One decision with the real engine, as ``assess.check_item`` makes it for a line with this key (``rest``:
        the key less its period; ``own``: its request-only fields; its request: ``columns.key_request``) — or the
        decision of the same key in another period where the rules it read do not differ (``token``:
        :meth:`period_token`; None: always decided)."""
        def compute() -> Decision:
            ship = shipment_for(C.key_request(rest, own, kept), self._screen_cached, self._ships)
            return decide_shipment(self.rs, self.settings.view, self._items.specs[item], self._bp[period], ship,
                                   lambda view: self._classification(item, period, view))

        self.stats.keys_evaluated += 1
        if token is None:
            return compute()
        shared = self._memo.shared
        d = self._memo.decide(rest, token, self._bp[period], compute)
        self.stats.keys_shared += self._memo.shared - shared
        return d

    def _submit(self, tasks: list[tuple[int, int, tuple[Any, ...], tuple[tuple[str, str], ...], Any, Any]]) -> Job:
        """Decide keys (item, period, request-only fields, kept parties, key less its period, period token): here, or
        with ``workers`` > 1 and enough of them in worker processes, in the background (screening stays here: the
        workers get its results)."""
        if len(tasks) < _POOL_MIN or not self._start_pool(len(tasks)):
            with gc_paused():
                return Job.done([self.decide(*t) for t in tasks])
        assert self._pool is not None
        self.stats.keys_evaluated += len(tasks)
        return self._pool.submit([(item, self._bp[period], fields, kept, rest, token)
                                  for item, period, fields, kept, rest, token in tasks],
                                 self._items.specs, self.parties.screened_table)

    def expect(self, lines: int) -> None:
        """Frames of about this many lines in all are coming: start the worker processes now if they will be
        used, so that they load the rules and the screening index while the input is read."""
        self._start_pool(lines)

    def _start_pool(self, size: int) -> bool:
        """Start the worker processes, once, for work of this many keys or lines (none below ``_POOL_MIN``, with
        one worker, or for a ruleset other than the bundled one, which the workers load); whether they run."""
        if self._pool is None and self.workers > 1 and size >= _POOL_MIN and self.rs is Ruleset.load():
            self._workers_screen = self._default_screen()
            self._pool = DecisionPool(self.workers, self.settings.view, self.settings.tf32_bits, *_SOFT,
                                      screens=self._workers_screen)
        return self._pool is not None

    def _default_screen(self) -> bool:
        """Is this evaluator's screener the one a worker process gets: the default party screener over the bundled
        lists (not a store put in their place, and not a screener that leaves out cleared hits)?"""
        from chipcontrol.services.parties import default_party_screener
        from chipcontrol.services.screening import default_is_bundled

        return default_is_bundled() and self.screen is default_party_screener()

    def close(self) -> None:
        """Stop the worker processes, if any were started."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    # --------------------------------------------------------------------------------------- vectorised
    def evaluate(self, raw: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Raw lines (string columns named as INPUT_COLUMNS) -> (decisions per line, rejects)."""
        return self.finish(self.start(raw))

    def start(self, raw: pl.DataFrame) -> Pending:
        """Validate, screen and key a frame of raw lines and set its new keys deciding (in the background when
        there are workers). Call :meth:`finish` on each started frame, in the order started."""
        self._start_pool(raw.height)  # a large frame: the workers load the rules while this one is screened and keyed
        screened_before = self.parties.screened
        df, utf8_err = clean_frame(raw)
        s = df.get_column
        S, I32 = pl.String, pl.Int32
        (item_c,), chip_e = self._map(s("chip"), "chip", self._chip, I32)
        (item_s,), spec_e = self._map(s("spec"), "spec", self._spec, I32)
        (dest,), dest_e = self._map(s("destination"), "destination", C.parse_destination, S)
        (dest_region,), _ = self._map(s("destination"), "destination_region", lambda v: C.split_destination(v)[1], S)
        (origin,), origin_e = self._map(s("origin"), "origin", C.parse_origin, S)
        region_text = pl.coalesce(s("region"), dest_region)
        region_pair = pl.select(pl.concat_str([region_text, dest], separator=_US)).to_series()
        (region,), region_e = self._map(region_pair, "region", self._region, S)
        (facts, hq_answer), ans_e = self._map(s("answers"), "answers", C.parse_answers, S, S)
        (hq_cell,), hq_e = self._map(s("end_user_hq"), "end_user_hq", C.parse_hq, S)
        (hq_ans,), hq_ans_e = self._map(hq_answer, "answers", C.parse_hq, S)
        has_hq = s("end_user_hq").is_not_null()
        (made,), made_e = self._map(s("made_in"), "made_in", C.parse_made_in, S)
        (eu,), eu_e = self._map(s("end_user"), "end_user", C.party_parser("end user"), S)
        (exp,), exp_e = self._map(s("exporter"), "exporter", C.party_parser("exporter"), S)
        (qty,), qty_e = self._map(s("quantity"), "quantity", C.parse_quantity_text, pl.Int64)
        (uses,), uses_e = self._map(s("end_use"), "end_use", C.parse_end_uses, S)
        (pur,), pur_e = self._map(s("purchaser"), "purchaser", C.party_parser("purchaser"), S)
        (uc,), uc_e = self._map(s("ultimate_consignee"), "ultimate_consignee", C.party_parser("ultimate consignee"),
                                S)
        (ics,), ic_e = self._map(s("intermediate_consignee"), "intermediate_consignee",
                                 lambda v: _RS.join(C.parse_intermediates(v)) or None, S)
        owners_pair = pl.select(pl.when(s("owners").is_not_null()).then(
            pl.concat_str([s("owners"), eu.fill_null(_NONE)], separator=_US))).to_series()
        (owners_id,), owners_e = self._map(owners_pair, "owners", self._owners, I32)
        (day,), day_e = self._map(s("date"), "date", self._date, S)
        w = pl.DataFrame({
            "line_id": s("line_id"), "item_c": item_c, "item_s": item_s, "dest": dest, "origin_n": origin,
            "region_n": region, "facts": facts, "hq": pl.select(pl.when(has_hq).then(hq_cell).otherwise(hq_ans))
            .to_series(), "made_n": made, "eu": eu, "exp": exp, "qty": qty, "end_uses": uses, "pur": pur, "uc": uc,
            "ics": ics, "owners_id": owners_id, "as_of": day}, schema_overrides={"line_id": S})
        has_c, has_s = pl.col("chip").is_not_null(), pl.col("spec").is_not_null()
        checks: dict[str, Any] = {
            "utf8": utf8_err,
            "line_id": pl.when(pl.col("line_id").is_null()).then(pl.lit("line_id is missing")),
            "item": pl.when(has_c & has_s).then(pl.lit("give chip or spec, not both"))
            .when(~has_c & ~has_s).then(pl.lit("chip or spec is required")),
            "chip": chip_e, "spec": spec_e,
            "destination": pl.when(pl.col("destination").is_null()).then(pl.lit("destination is missing"))
            .otherwise(dest_e),
            "origin": origin_e, "region": region_e, "answers": ans_e,
            "end_user_hq": pl.select(pl.when(has_hq).then(hq_e).otherwise(hq_ans_e)).to_series(),
            "made_in": made_e, "end_user": eu_e, "exporter": exp_e, "quantity": qty_e, "end_use": uses_e,
            "purchaser": pur_e, "ultimate_consignee": uc_e, "intermediate_consignee": ic_e, "owners": owners_e,
            "date": pl.when(pl.col("date").is_null()).then(pl.lit("date is missing")).otherwise(day_e),
        }
        assert tuple(checks) == CHECKS
        reason = df.select(pl.coalesce([pl.lit(v) if isinstance(v, pl.Series) else v
                                        for v in checks.values()]).alias("reason")).to_series()
        bad = reason.is_not_null()
        rejects = pl.DataFrame({"line_id": s("line_id").filter(bad), "reason": reason.filter(bad),
                                "record": record_json(df.filter(bad))}, schema=REJECT_SCHEMA)
        raw_cols = ["destination", "origin", "end_user", "end_user_hq", "exporter", "purchaser", "ultimate_consignee",
                    "intermediate_consignee", "owners", "made_in", "region", "answers"]
        ok = pl.concat([w, df.select(raw_cols)], how="horizontal").filter(~bad).select(
            "line_id", pl.coalesce("item_c", "item_s").alias("item_id"), "dest", pl.col("origin_n").fill_null("US"),
            "region_n", "made_n", "hq", "facts", "eu", "exp", "qty", pl.col("end_uses").fill_null(""), "pur", "uc",
            "ics", pl.col("owners_id").fill_null(0), "as_of", *raw_cols)
        self.stats.lines += ok.height
        self.stats.rejects += rejects.height
        if ok.height == 0:
            self.stats.parties_screened += self.parties.screened - screened_before
            return Pending(None, None, rejects, [], Job.done([]))
        ok = self._key_columns(ok)
        self.stats.parties_screened += self.parties.screened - screened_before
        key = list(_KEY_COLUMNS)
        ok = ok.cast(_KEY_SCHEMA)  # type: ignore[arg-type]
        # each distinct key once: its number where met before (decided, or being decided by a frame started
        # earlier), else a new number; the new ones are decided on their first line
        reps = ok.unique(subset=key, keep="first", maintain_order=True).join(
            self._known, on=key, how="left", nulls_equal=True, maintain_order="left")
        is_new = reps.get_column("kid").is_null()
        n0 = self._known.height
        todo = reps.filter(is_new)
        todo = todo.with_columns(pl.int_range(n0, n0 + todo.height, dtype=pl.Int64).alias("kid"),
                                 pl.when(pl.col("qty_key").is_not_null()).then(pl.col("qty")).alias("qty_req"))
        self._known = pl.concat([self._known, todo.select(*key, "kid")])
        numbered = pl.concat([reps.filter(~is_new).select(*key, "kid"), todo.select(*key, "kid")])
        # keys that differ only in their period next to each other (one worker decides them, sharing where it can)
        keys = todo.select(key).rows()
        others = todo.select("combo", *C.REQUEST_ONLY).rows()
        groups: dict[tuple[Any, ...], list[int]] = {}
        rests = []
        for i, k in enumerate(keys):
            rest = (k[0], *k[2:])
            rests.append(rest)
            groups.setdefault(rest, []).append(i)
        order = [i for g in groups.values() for i in g]
        tasks = []
        for i in order:
            k, (combo, *own) = keys[i], others[i]
            # the request travels as the key less its period and the fields the key does not hold
            tasks.append((k[0], k[1], tuple(own), self._combos[combo].kept, rests[i], self.period_token(k[0], k[1])))
        return Pending(ok, numbered, rejects, [n0 + i for i in order], self._submit(tasks))

    def finish(self, p: Pending) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The started frame's output lines and rejects."""
        decisions = p.job.result()
        if p.new_kids:
            # the frame's new keys were numbered consecutively from the decided ones' count (frames finish in the
            # order started), in file order; the job answered them in task order
            first = min(p.new_kids)
            placed: list[Decision | None] = [None] * len(p.new_kids)
            for kid, d in zip(p.new_kids, decisions, strict=True):
                placed[kid - first] = d
            if first != self._decided.height or any(d is None for d in placed):
                raise RuntimeError("frames must be finished in the order they were started")
            self._decided = pl.concat([self._decided, self._decision_frame(placed)])  # type: ignore[arg-type]
        if p.ok is None or p.reps is None:
            return pl.DataFrame(schema=OUTPUT_SCHEMA), p.rejects
        joined = p.ok.join(p.reps, on=list(_KEY_COLUMNS), how="left", nulls_equal=True, maintain_order="left")
        joined = pl.concat([joined, self._decided[joined.get_column("kid")]], how="horizontal")
        # each line's parties column: its key's entries with its own inert parties put back in place
        shapes = joined.select("layout", "parties").unique()
        texts = []
        for lid, entries in shapes.iter_rows():
            found = self._texts.get((lid, entries), _MISSING)
            if found is _MISSING:
                found = self._texts[(lid, entries)] = parties_text(
                    self.parties.layout(lid), None if entries is None else entries.split(_RS))
            texts.append(found)
        shapes = shapes.with_columns(pl.Series("parties_text", texts, dtype=pl.String))
        joined = joined.join(shapes, on=["layout", "parties"], how="left", nulls_equal=True, maintain_order="left")
        joined = joined.drop("parties").rename({"parties_text": "parties"})
        names = pl.Series("n", self._items.names, dtype=pl.String)
        out = joined.select(
            "line_id", names.gather(joined.get_column("item_id")).alias("item"), pl.col("dest").alias("destination"),
            "as_of", *DECISION_FIELDS, "screening_hits", "party_hits", pl.lit(self.settings.view).alias("view"))
        return out.cast(OUTPUT_SCHEMA), p.rejects  # type: ignore[arg-type]

    @staticmethod
    def _decision_frame(rows: Sequence[Decision]) -> pl.DataFrame:
        """Decisions as a frame, built column by column (a frame built row by row makes a Series per row for the
        parties list); ``parties`` as its entries joined by a control character (split again per distinct shape)."""
        cols: list[Sequence[Any]] = list(zip(*rows, strict=True)) if rows else [() for _ in _DECISION_FRAME]
        out = []
        for (name, dtype), col in zip(_DECISION_FRAME.items(), cols, strict=True):
            if name == "parties":
                col = [None if v is None else _RS.join(v) for v in col]
            out.append(pl.Series(name, col, dtype=dtype))
        return pl.DataFrame(out)

    def _key_columns(self, ok: pl.DataFrame) -> pl.DataFrame:
        """period, party signature and screening texts, exporter class and signature, quantity key."""
        dates = ok.get_column("as_of").unique().to_list()
        ok = ok.with_columns(pl.col("as_of").replace_strict(
            dates, [self.period_of(dt.date.fromisoformat(d)) for d in dates], return_dtype=pl.Int32).alias("period"))
        parts = [pl.col(c).cast(pl.String).fill_null(_NONE) for c in ("eu", "dest", "pur", "uc", "ics", "owners_id")]
        combo = ok.select(pl.concat_str(parts, separator=_US)).to_series()
        uniq = combo.unique().to_list()
        self._prescreen([u for u in uniq if u not in self._combos])
        found = [self._combo(u) for u in uniq]
        ok = ok.with_columns(
            combo.alias("combo"),
            combo.replace_strict(uniq, [f.sig for f in found], return_dtype=pl.Int32).alias("party_sig"),
            combo.replace_strict(uniq, [f.layout for f in found], return_dtype=pl.Int32).alias("layout"),
            combo.replace_strict(uniq, [f.eu_hits for f in found], return_dtype=pl.String).alias("screening_hits"),
            combo.replace_strict(uniq, [f.party_hits for f in found], return_dtype=pl.String).alias("party_hits"))
        exps = ok.get_column("exp").fill_null(_NONE).unique().to_list()
        ip = ok.select("item_id", "period").unique()
        read = [i * 1024 + p for i, p in ip.iter_rows() if self.exporter_matters(i, p)]  # item, period codes
        # the class is mapped for every row first, then masked: polars (2.1) refuses a replace_strict evaluated
        # inside when/then as "incomplete" on some frames even when every value is mapped
        classes = ok.get_column("exp").fill_null(_NONE).replace_strict(
            exps, [self._exporter_class(None if e == _NONE else e) for e in exps], return_dtype=pl.String)
        ok = ok.with_columns(pl.when((pl.col("item_id").cast(pl.Int64) * 1024 + pl.col("period")).is_in(read))
                             .then(classes).otherwise(pl.lit("-")).alias("exp_class"))
        pair = ok.select(pl.concat_str([pl.col("exp"), pl.col("origin_n")], separator=_US)).to_series()
        pairs = pair.drop_nulls().unique().to_list()
        for p in pairs:
            if p not in self._exp_sig:
                name, org = p.split(_US)
                self._exp_sig[p] = self.parties.exporter(name, org)
        ok = ok.with_columns(pair.replace_strict(pairs, [self._exp_sig[p] for p in pairs], default=0,
                                                 return_dtype=pl.Int32).alias("exp_sig"))
        # quantity: the exact quantity, or whether it is within the LPP cap (-1 - bit per view), or nothing
        rules = []
        for i, p in ip.iter_rows():
            rule = self.quantity_rule(i, p)
            if rule is not None:
                rules.append((i, p, 1 if rule == () else 2, *(rule or (None, None))))
        if not rules:
            return ok.with_columns(pl.lit(None, dtype=pl.Int64).alias("qty_key"))
        qr = pl.DataFrame(rules, schema={"item_id": pl.Int32, "period": pl.Int32, "q_kind": pl.Int8,
                                         "q_enf": pl.Int64, "q_aw": pl.Int64}, orient="row")
        ok = ok.join(qr, on=["item_id", "period"], how="left", maintain_order="left")
        q = pl.col("qty")
        bits = ((q <= pl.col("q_enf")).fill_null(False).cast(pl.Int64)
                + 2 * (q <= pl.col("q_aw")).fill_null(False).cast(pl.Int64))
        return ok.with_columns(pl.when(pl.col("q_kind") == 1).then(q)
                               .when((pl.col("q_kind") == 2) & q.is_not_null()).then(-1 - bits)
                               .otherwise(None).alias("qty_key")).drop("q_kind", "q_enf", "q_aw")

    # --------------------------------------------------------------------------------------- per shipment
    def evaluate_rows(self, raw: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The per-shipment path: each line through ``assess.check_item`` with fresh screening calls.
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
        def f(name: str, fn: Callable[[str], Any], value: str | None = None, key: str | None = None) -> Any:
            v = row[name] if value is None else value
            return None if v is None else self._parse(key or name, fn, v)

        if row["line_id"] is None:
            raise _RowError("line_id is missing")
        if (row["chip"] is None) == (row["spec"] is None):
            raise _RowError("give chip or spec, not both" if row["chip"] is not None else "chip or spec is required")
        if row["chip"] is not None:
            f("chip", self._chip)
            entry = self.catalog.lookup(row["chip"])
            item = assess.Item(entry.spec, entry)
        else:
            item = assess.Item(self._items.specs[f("spec", self._spec)], None)
        if row["destination"] is None:
            raise _RowError("destination is missing")
        dest = f("destination", C.parse_destination)
        f("origin", C.parse_origin)
        region_text = row["region"] or C.split_destination(row["destination"])[1]
        if region_text is not None:
            self._parse("region", self._region, region_text + _US + dest)
        facts = f("answers", C.parse_answers)
        if row["end_user_hq"] is not None:
            f("end_user_hq", C.parse_hq)
        elif facts is not None and facts[1] is not None:
            self._parse("answers", C.parse_hq, facts[1])
        f("made_in", C.parse_made_in)
        end_user = f("end_user", C.party_parser("end user"))
        f("exporter", C.party_parser("exporter"))
        qty = f("quantity", C.parse_quantity_text)
        uses = f("end_use", C.parse_end_uses) or ""
        f("purchaser", C.party_parser("purchaser"))
        f("ultimate_consignee", C.party_parser("ultimate consignee"))
        f("intermediate_consignee", lambda v: _RS.join(C.parse_intermediates(v)) or None)
        oid = 0
        if row["owners"] is not None:
            oid = self._parse("owners", self._owners, row["owners"] + _US + (end_user or _NONE))
        if row["date"] is None:
            raise _RowError("date is missing")
        day = f("date", C.parse_line_date)
        req = C.make_request((*(row[c] for c in C.REQUEST_FIELDS[:5]), qty, uses,
                              *(row[c] for c in C.REQUEST_FIELDS[7:])))
        data = assess.check_item(item, req, day, self.settings, screen=self.screen, ruleset=self.rs)
        screened = data["screening"]
        eu_text = hits_text(screened[0]["hits"]) if screened and screened[0]["role"] == "end_user" else None
        others: list[tuple[str, str, Sequence[Any]]] = [(p["role"], p["party"], p["hits"]) for p in screened
                                                         if p["role"] != "end_user"]
        for link in self._owner_links(oid or 0):
            others.append(("owner", link.owner, self._screen_cached(link.owner, None)[0]))
        self.stats.parties_screened += len(screened) + (1 if row["exporter"] is not None else 0)
        return {"line_id": row["line_id"], "item": item.spec.display_name,
                "destination": data["shipment"]["destination"], "as_of": day.isoformat(),
                **dict(zip(DECISION_FIELDS, from_check(data), strict=True)),
                "screening_hits": eu_text, "party_hits": party_hits_text(others), "view": self.settings.view}

