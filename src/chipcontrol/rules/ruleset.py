"""The regulations as an immutable, dated tree, and its read-only view on one date.

``Ruleset.load()`` parses and validates ``regulations/``. ``Ruleset.context(as_of, view)`` returns a
``RuleContext``: every parameter value in force that day (with its citation), the logic version and the
licensing features switched on. Contexts are cached per period between two effective dates, so evaluating
many items on many dates costs one dictionary look-up per call.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from chipcontrol.errors import InvalidDate, InvalidInput, RegulationDataError
from chipcontrol.model.citation import Citation
from chipcontrol.model.frozen import quick_init
from chipcontrol.model.trace import ParamRead
from chipcontrol.rules.loader import (
    VERIFICATION_TAGS,
    content_hash,
    load_yaml,
    parse_citation,
    parse_date,
    parse_sources,
    read_tree,
    regulations_root,
)

VIEWS = ("enforced", "as_written")
EARLIEST = dt.date(2022, 10, 7)
GROUPS = ("A5", "A6", "D1", "D4", "D5", "E1", "E2")
_GROUP_PARAM = {g: f"ear.part_740.supp_1.{g.lower()}" for g in GROUPS}
_PARAM_KEYS = {"description", "unit", "comparison", "values", "metadata", "documentation"}
_VALUE_KEYS = {"effective", "value", "citation"}
_VERSION_KEYS = {"id", "effective", "source", "changes", "classification", "enable", "disable", "views",
                 "summary", "enforcement_note"}
FEATURES = frozenset({
    "rs_advanced_computing", "review_2022", "end_use_744_23", "hq_rule", "review_2023", "nac_2023",
    "nac_aca_2024", "hbm_3a090c", "ai_diffusion", "review_2026_case_by_case", "fdp_h_worldwide",
})


@dataclass(frozen=True, slots=True)
class DatedValue:
    effective: dt.date
    value: Any
    citation: Citation


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    description: str
    unit: str
    values: tuple[DatedValue, ...]
    comparison: str = ""

    def at(self, day: dt.date) -> DatedValue | None:
        """The value in force on ``day``, or None before the first value."""
        i = bisect.bisect_right([v.effective for v in self.values], day) - 1
        return self.values[i] if i >= 0 else None


@dataclass(frozen=True, slots=True)
class RuleVersion:
    id: str
    effective: dt.date
    citation: Citation
    changes: tuple[str, ...]
    classification: str | None
    enable: tuple[str, ...]
    disable: tuple[str, ...]
    views: tuple[str, ...]
    summary: str
    enforcement_note: str = ""


@dataclass(frozen=True, slots=True)
class Obligation:
    """An exporter-specific requirement (an is-informed letter), scoped to an exporter and a product."""

    id: str
    kind: str
    exporter: str
    exporter_aliases: tuple[str, ...]
    effective: dt.date
    citation: Citation
    description: str
    models: tuple[str, ...]
    any_of: tuple[tuple[str, str, float], ...]
    destinations: Mapping[str, Any]
    end_user_hq: Mapping[str, Any]
    review_policy: str
    review_policy_note: str = ""
    all_of: tuple[tuple[str, str, float], ...] = ()
    until: dt.date | None = None
    events: tuple[tuple[dt.date, str, str], ...] = ()  # (date, what happened, its source and verification tag)

    def in_force(self, day: dt.date) -> bool:
        return self.effective <= day and (self.until is None or day <= self.until)


@quick_init
@dataclass(frozen=True, slots=True)
class RuleContext:
    """Everything in force on one date, in one view."""

    as_of: dt.date
    view: str
    ruleset: Ruleset
    values: Mapping[str, DatedValue]
    features: frozenset[str]
    classification_logic: str
    classification_version: RuleVersion
    version: RuleVersion
    versions_in_force: tuple[RuleVersion, ...]
    groups: Mapping[str, frozenset[str]]
    not_applied: tuple[RuleVersion, ...] = field(default=())
    reads: Mapping[str, ParamRead] = field(default_factory=dict)
    scope_cache: dict[tuple[int, str], tuple[Mapping[str, Any], bool]] = field(default_factory=dict, repr=False,
                                                                             compare=False)

    def read(self, name: str) -> ParamRead | None:
        """The parameter in force (value, effective date, citation), or None if not in force or rescinded."""
        if _TRACKING:
            _TRACKING[-1].add(name)
        return self.reads.get(name)

    def in_force(self, name: str) -> bool:
        """Is the parameter in force (and not rescinded)? Records only that this was asked (``name?``)."""
        if _TRACKING:
            _TRACKING[-1].add(name + "?")
        return name in self.reads

    def entry(self, name: str, key: str) -> Any:
        """One entry of a mapping-valued parameter in force (None when absent or not in force). Records only this
        entry (``name[key]``): a caller that goes on to use the value's citation or other entries reads it whole."""
        if _TRACKING:
            _TRACKING[-1].add(f"{name}[{key}]")
        r = self.reads.get(name)
        return r.value.get(key) if r is not None and isinstance(r.value, Mapping) else None

    def obligation_in_force(self, ob: Obligation) -> bool:
        """Is an exporter-specific obligation in force on this date? (Recorded as ``@obligation:ID``.)"""
        if _TRACKING:
            _TRACKING[-1].add("@obligation:" + ob.id)
        return ob.in_force(self.as_of)

    def read_for_trace(self, name: str) -> ParamRead | None:
        """``read`` without recording it: only for trace steps and notes, never for anything that can reach an
        answer (outcome, requirement, review policy, exceptions, reasons, questions, parties)."""
        return self.reads.get(name)

    def value(self, name: str) -> Any:
        if _TRACKING:
            _TRACKING[-1].add(name)
        dv = self.values.get(name)
        return None if dv is None else dv.value

    def in_group(self, country: str, group: str) -> bool:
        """Is ``country`` in the country group? (Recorded as ``@group:GROUP:COUNTRY``.)"""
        if _TRACKING:
            _TRACKING[-1].add(f"@group:{group}:{country}")
        return country in self.groups.get(group, frozenset())

    @property
    def views_differ(self) -> bool:
        """Does some rule version on this date apply in one view only (so ``check`` also reports the other view)?"""
        return bool(self.not_applied) or any("enforced" not in v.views for v in self.versions_in_force)

    def derived(self, name: str) -> Any:
        """A registered function of the day's rules (:func:`derived_read`), recorded as ``@derived:NAME`` instead
        of the parameters it reads: two days differ for it only where its results do."""
        if _TRACKING:
            _TRACKING[-1].add("@derived:" + name)
        return _DERIVED[name](self)

    def track(self, name: str) -> None:
        """Record that an evaluation read something of the context that is not a parameter (see
        :meth:`Ruleset.differing_parameters` for the names: ``@groups``, ``@group:G``, ``@classification``)."""
        if _TRACKING:
            _TRACKING[-1].add(name)

    @property
    def version_citation(self) -> Citation:
        """The citation of the latest rule version in force (recorded as ``@version``): what a step cites where
        no parameter stands behind it."""
        if _TRACKING:
            _TRACKING[-1].add("@version")
        return self.version.citation

    def groups_of(self, country: str) -> list[str]:
        return [g for g in GROUPS if country in self.groups[g]]

    def scope_member(self, name: str, country: str) -> tuple[ParamRead | None, bool]:
        """A scope-valued parameter in force (None if not) and whether ``country`` is inside it. Records only the
        membership (``name<COUNTRY>``, false on a day the parameter is not in force, so inside implies in force): a
        caller whose answer tells "not in force" from "outside" records that too (``in_force``), and one that goes
        on to use the read's citation or value reads it whole (``read``)."""
        if _TRACKING:
            _TRACKING[-1].add(f"{name}<{country}>")
        r = self.reads.get(name)
        return (None, False) if r is None else (r, self._scope_cached(country, r.value))

    def in_scope(self, country: str, scope: Mapping[str, Any] | None) -> bool:
        """Is ``country`` inside a scope {groups, countries, exclude_groups, exclude_countries}? (Remembered per
        scope and country for the period: the groups do not change within it.)"""
        if not scope:
            return False
        if _TRACKING:
            names = _TRACKING[-1]
            for g in (*scope.get("groups", ()), *scope.get("exclude_groups", ())):
                names.add(f"@group:{g}:{country}")
        return self._scope_cached(country, scope)

    def _scope_cached(self, country: str, scope: Mapping[str, Any] | None) -> bool:
        if not scope:
            return False
        key = (id(scope), country)
        hit = self.scope_cache.get(key)
        if hit is not None and hit[0] is scope:
            return hit[1]
        found = self._in_scope(country, scope)
        if len(self.scope_cache) > 20_000:
            self.scope_cache.clear()
        self.scope_cache[key] = (scope, found)
        return found

    def _in_scope(self, country: str, scope: Mapping[str, Any]) -> bool:
        inside = country in scope.get("countries", ()) or any(
            country in self.groups.get(g, frozenset()) for g in scope.get("groups", ()))
        if not inside:
            return False
        if country in scope.get("exclude_countries", ()):
            return False
        return not any(country in self.groups.get(g, frozenset()) for g in scope.get("exclude_groups", ()))

    def describe_scope(self, scope: Mapping[str, Any]) -> str:
        cached = _SCOPE_TEXT.get(id(scope))
        if cached is not None and cached[0] is scope:
            return cached[1]
        text = _describe_scope(scope)
        _SCOPE_TEXT[id(scope)] = (scope, text)
        return text


_SCOPE_TEXT: dict[int, tuple[Mapping[str, Any], str]] = {}
_TRACKING: list[set[str]] = []  # the innermost ``tracking_reads`` block's set of parameter names read
_DERIVED: dict[str, Callable[[RuleContext], Hashable]] = {}


def derived_read(name: str) -> Callable[[Callable[[RuleContext], Hashable]], Callable[[RuleContext], Hashable]]:
    """Register a function of one day's rules (its context, date included) as a read of its own, for
    ``RuleContext.derived``: where an answer depends only on what the function returns (a rule applied or stayed on
    the day, say) rather than on every part of the parameters behind it. The function must read the context
    without recording (``read_for_trace``) and return a comparable value."""
    def register(fn: Callable[[RuleContext], Hashable]) -> Callable[[RuleContext], Hashable]:
        if name in _DERIVED and _DERIVED[name] is not fn:
            raise ValueError(f"derived read {name!r} registered twice")
        _DERIVED[name] = fn
        return fn
    return register


class Features(frozenset[str]):
    """The logic features of a context; ``"name" in features`` is recorded (``@feature:name``) inside
    :func:`tracking_reads`."""

    __slots__ = ()

    def __contains__(self, name: object) -> bool:
        if _TRACKING:
            _TRACKING[-1].add(f"@feature:{name}")
        return frozenset.__contains__(self, name)


@contextlib.contextmanager
def tracking_reads() -> Iterator[set[str]]:
    """Records the name of every parameter read through ``RuleContext.read`` / ``value`` inside the block (of any
    context), and what else of a context it looked at (see :meth:`Ruleset.differing_parameters` for the names): what
    an evaluation depended on. A block inside another adds what it recorded to the enclosing block's names."""
    names: set[str] = set()
    _TRACKING.append(names)
    try:
        yield names
    finally:
        _TRACKING.pop()
        if _TRACKING:  # an enclosing block read all of it too
            _TRACKING[-1].update(names)


def _describe_scope(scope: Mapping[str, Any]) -> str:
    inc = [f"{g[0]}:{g[1:]}" for g in scope.get("groups", ())] + list(scope.get("countries", ()))
    text = " or ".join(inc) if inc else "nowhere"
    exc = [f"{g[0]}:{g[1:]}" for g in scope.get("exclude_groups", ())] + list(scope.get("exclude_countries", ()))
    return text + (f" (not also in {' or '.join(exc)})" if exc else "")


class Ruleset:
    """All regulation data, validated. Build with ``Ruleset.load()`` (cached) or ``Ruleset.from_files``."""

    def __init__(self, files: Mapping[str, str]) -> None:
        self.files = dict(files)
        self.hash = content_hash(files)
        if "sources.yaml" not in files or "rule_versions.yaml" not in files:
            raise RegulationDataError("regulations: sources.yaml and rule_versions.yaml are required")
        self.sources = parse_sources(load_yaml(files["sources.yaml"], "sources.yaml"), "sources.yaml")
        self.parameters: dict[str, Parameter] = {}
        self.obligations: list[Obligation] = []
        meta = load_yaml(files["ruleset.yaml"], "ruleset.yaml") if "ruleset.yaml" in files else {}
        if not isinstance(meta, dict) or set(meta) - {"current_to", "note"}:
            raise RegulationDataError("ruleset.yaml: expected a mapping with current_to and note")
        self.current_to: dt.date | None = (parse_date(meta["current_to"], "ruleset.yaml: current_to")
                                           if meta.get("current_to") else None)
        self.current_note = str(meta.get("note", ""))
        for path, text in sorted(files.items()):
            if path.startswith(("ear/", "notices/")):
                name = path[: -len(".yaml")].replace("/", ".")
                self.parameters[name] = self._parse_parameter(name, load_yaml(text, path), path)
            elif path.startswith("obligations/"):
                self.obligations.append(self._parse_obligation(load_yaml(text, path), path))
        for g, pname in _GROUP_PARAM.items():
            if pname not in self.parameters:
                raise RegulationDataError(f"regulations: country group {g} missing ({pname})")
        self.versions = self._parse_versions(load_yaml(files["rule_versions.yaml"], "rule_versions.yaml"))
        dates = {EARLIEST}
        for p in self.parameters.values():
            dates.update(v.effective for v in p.values if v.effective > EARLIEST)
        dates.update(v.effective for v in self.versions if v.effective > EARLIEST)
        dates.update(o.effective for o in self.obligations if o.effective > EARLIEST)
        dates.update(o.until + dt.timedelta(days=1) for o in self.obligations if o.until and o.until >= EARLIEST)
        # dates written inside values (a stay's last day, a temporary licence's end, a compliance date): the rules
        # compare the shipment's date with them, so the answer can change on that day or the day after
        for p in self.parameters.values():
            for v in p.values:
                for d in _dates_in(v.value):
                    if d > EARLIEST:
                        dates.add(d)
        if self.current_to is not None:
            dates.add(self.current_to + dt.timedelta(days=1))
        self.breakpoints: tuple[dt.date, ...] = tuple(sorted(dates))
        self._contexts: dict[tuple[int, str], RuleContext] = {}
        self._differing: dict[tuple[dt.date, dt.date, int], frozenset[str]] = {}
        self._view_diffs: dict[int, frozenset[str]] = {}

    # ---------------------------------------------------------------- construction
    @classmethod
    def from_dir(cls, root: Path) -> Ruleset:
        return cls(read_tree(root))

    @staticmethod
    @lru_cache(maxsize=1)
    def load() -> Ruleset:
        """The bundled regulations (parsed once per process)."""
        return Ruleset.from_dir(regulations_root())

    def _parse_parameter(self, name: str, data: Any, origin: str) -> Parameter:
        if not isinstance(data, dict):
            raise RegulationDataError(f"{origin}: expected a mapping")
        unknown = set(data) - _PARAM_KEYS
        if unknown:
            raise RegulationDataError(f"{origin}: unknown keys {sorted(unknown)}")
        for key in ("description", "unit", "values"):
            if key not in data:
                raise RegulationDataError(f"{origin}: missing '{key}'")
        raw = data["values"]
        if not isinstance(raw, list) or not raw:
            raise RegulationDataError(f"{origin}: 'values' must be a non-empty list")
        values: list[DatedValue] = []
        for i, item in enumerate(raw):
            where = f"{origin}: values[{i}]"
            if not isinstance(item, dict) or set(item) != _VALUE_KEYS:
                raise RegulationDataError(f"{where}: needs exactly effective, value, citation")
            eff = parse_date(item["effective"], f"{where}.effective")
            if values and eff <= values[-1].effective:
                raise RegulationDataError(
                    f"{where}: effective dates must increase ({eff} after {values[-1].effective})")
            value = item["value"]
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
                raise RegulationDataError(f"{where}: negative value {value}")
            values.append(DatedValue(eff, value, parse_citation(item["citation"], self.sources, f"{where}.citation")))
        comparison = str(data.get("comparison", ""))
        if comparison and comparison not in ("gte", "gt", "lt", "lte"):
            raise RegulationDataError(f"{origin}: comparison must be gte, gt, lt or lte")
        return Parameter(name, str(data["description"]).strip(), str(data["unit"]), tuple(values), comparison)

    def _parse_versions(self, data: Any) -> tuple[RuleVersion, ...]:
        if not isinstance(data, list) or not data:
            raise RegulationDataError("rule_versions.yaml: expected a non-empty list")
        out: list[RuleVersion] = []
        for i, row in enumerate(data):
            where = f"rule_versions.yaml[{i}]"
            if not isinstance(row, dict):
                raise RegulationDataError(f"{where}: expected a mapping")
            unknown = set(row) - _VERSION_KEYS
            if unknown:
                raise RegulationDataError(f"{where}: unknown keys {sorted(unknown)}")
            eff = parse_date(row.get("effective"), f"{where}.effective")
            if out and eff < out[-1].effective:
                raise RegulationDataError(f"{where}: rows must be in date order")
            if row.get("source") not in self.sources:
                raise RegulationDataError(f"{where}: unknown source {row.get('source')!r}")
            feats = tuple(row.get("enable", ())) + tuple(row.get("disable", ()))
            bad = [f for f in feats if f not in FEATURES]
            if bad:
                raise RegulationDataError(f"{where}: unknown features {bad}")
            views = tuple(row.get("views", VIEWS))
            if any(v not in VIEWS for v in views):
                raise RegulationDataError(f"{where}: views must be among {VIEWS}")
            src = self.sources[row["source"]]
            cit = Citation(source_id=row["source"], title=src.get("title", ""), cfr="15 CFR parts 734-774 (as amended)",
                           fr=src.get("fr", ""), fr_doc=src.get("fr_doc", ""), published=src.get("published", ""),
                           effective=src.get("effective", ""), url=src.get("url", ""),
                           document=src.get("document", ""), verification=src.get("verification", ""))
            out.append(RuleVersion(
                id=str(row["id"]), effective=eff, citation=cit, changes=tuple(row.get("changes", ())),
                classification=row.get("classification"), enable=tuple(row.get("enable", ())),
                disable=tuple(row.get("disable", ())), views=views, summary=str(row.get("summary", "")),
                enforcement_note=" ".join(str(row.get("enforcement_note", "")).split())))
        if out[0].classification is None or out[0].effective != EARLIEST:
            raise RegulationDataError(
                "rule_versions.yaml: the first row must start on 2022-10-07 with a classification")
        return tuple(out)

    def _parse_obligation(self, data: Any, origin: str) -> Obligation:
        if not isinstance(data, dict):
            raise RegulationDataError(f"{origin}: expected a mapping")
        try:
            exporter = data["exporter"]
            items = data.get("items", {})
            conds: dict[str, list[tuple[str, str, float]]] = {"any_of": [], "all_of": []}
            for key, out in conds.items():
                for cond in items.get(key, ()):
                    (op,) = [k for k in cond if k != "param"]
                    if op not in ("gte", "gt"):
                        raise ValueError(f"{key} condition must use gte or gt, not {op}")
                    out.append((str(cond["param"]), str(op), float(cond[op])))
            until = parse_date(data["until"], f"{origin}.until") if data.get("until") else None
            return Obligation(
                id=str(data["id"]), kind=str(data["kind"]), exporter=str(exporter["name"]),
                exporter_aliases=tuple(str(a) for a in exporter.get("aliases", ())),
                effective=parse_date(data["effective"], f"{origin}.effective"),
                citation=self._obligation_citation(data["citation"], origin),
                description=" ".join(str(data.get("description", "")).split()),
                models=tuple(str(m) for m in items.get("models", ())), any_of=tuple(conds["any_of"]),
                all_of=tuple(conds["all_of"]), until=until,
                events=tuple((parse_date(e["date"], f"{origin}.events"), str(e["text"]),
                              f"{e['source']} [{e['verification']}]") for e in data.get("events", ())),
                destinations=dict(data.get("destinations", {})), end_user_hq=dict(data.get("end_user_hq", {})),
                review_policy=str(data.get("review_policy", "unpublished")),
                review_policy_note=str(data.get("review_policy_note", "")))
        except (KeyError, TypeError, ValueError) as exc:
            raise RegulationDataError(f"{origin}: malformed obligation ({exc})") from None

    def _obligation_citation(self, data: Any, origin: str) -> Citation:
        """Bundled letters cite a source in sources.yaml; a user's own letter may cite its document inline."""
        if isinstance(data, dict) and "source" not in data:
            unknown = set(data) - {"document", "cfr", "verification", "note", "url"}
            if unknown or not data.get("document") or not data.get("cfr"):
                raise RegulationDataError(f"{origin}.citation: an inline citation needs 'document' and 'cfr' "
                                          "(and optionally verification, note, url)")
            tag = str(data.get("verification", "P"))
            if tag not in VERIFICATION_TAGS:
                raise RegulationDataError(f"{origin}.citation: verification must be one of {sorted(VERIFICATION_TAGS)}")
            return Citation(source_id=f"user:{origin}", document=str(data["document"]), cfr=str(data["cfr"]),
                            note=str(data.get("note", "")), url=str(data.get("url", "")), verification=tag)
        return parse_citation(data, self.sources, f"{origin}.citation")

    def with_obligations(self, extra: Mapping[str, str]) -> Ruleset:
        """A new ruleset with user-supplied obligation files (name -> YAML text) added; this one is unchanged."""
        files = dict(self.files)
        for name, text in extra.items():
            stem = Path(name).name
            files[f"obligations/user/{stem if stem.endswith('.yaml') else stem + '.yaml'}"] = text
        return Ruleset(files)

    # ---------------------------------------------------------------- views by date
    def context(self, as_of: dt.date, view: str = "enforced") -> RuleContext:
        if view not in VIEWS:
            raise InvalidInput(f"unknown view {view!r}; use one of: {', '.join(VIEWS)}")
        if as_of < EARLIEST:
            raise InvalidDate(f"date {as_of.isoformat()} is before 2022-10-07, when the advanced-computing rules began")
        idx = bisect.bisect_right(self.breakpoints, as_of) - 1
        key = (idx, view)
        ctx = self._contexts.get(key)
        if ctx is None:
            ctx = self._build_context(self.breakpoints[idx], view)
            self._contexts[key] = ctx
        return ctx if ctx.as_of == as_of else _with_date(ctx, as_of)

    def _build_context(self, day: dt.date, view: str) -> RuleContext:
        values = {}
        for name, p in self.parameters.items():
            dv = p.at(day)
            if dv is not None:
                values[name] = dv
        features: set[str] = set()
        logic = ""
        class_version = self.versions[0]
        latest = self.versions[0]
        in_force: list[RuleVersion] = []
        not_applied: list[RuleVersion] = []
        for v in self.versions:
            if v.effective > day:
                break
            if view not in v.views:
                not_applied.append(v)
                continue
            in_force.append(v)
            features.update(v.enable)
            features.difference_update(v.disable)
            if v.classification:
                logic = v.classification
            if "classification" in v.changes:
                class_version = v
            latest = v
        groups = {g: frozenset(values[_GROUP_PARAM[g]].value) for g in GROUPS}
        reads = {name: ParamRead(name=name, value=dv.value, effective_from=dv.effective.isoformat(),
                                 citation=dv.citation) for name, dv in values.items() if dv.value is not None}
        return RuleContext(as_of=day, view=view, ruleset=self, values=values, features=Features(features),
                           classification_logic=logic, classification_version=class_version, version=latest,
                           versions_in_force=tuple(in_force), groups=groups, not_applied=tuple(not_applied),
                           reads=reads)

    def differing_parameters(self, a: dt.date, b: dt.date) -> frozenset[str] | None:
        """How the rules on day ``a`` differ from those on day ``b``, for an evaluation that records what it reads
        (:func:`tracking_reads`): the names it may have recorded that can answer differently on the two days. A
        parameter (``name``) whose value in force differs or holds a date on which an answer can change between the
        two days (the date, or the day after it); whether it is in force (``name?``); one entry of a mapping
        (``name[key]``) on the same terms; one country's membership of a scope-valued parameter (``name<CC>``,
        country groups as on each day); an exporter-specific obligation coming into or out of force
        (``@obligation:ID``); a registered derived read whose result differs (``@derived:NAME``,
        :func:`derived_read`); the day falling after ``current_to`` (``@current_to``); in either view, a logic
        feature switched on or off (``@feature:NAME``), the classification logic or its version
        (``@classification``), the citation of the latest rule version (``@version``); a country's membership of a
        country group (``@group:G:CC``, with ``@group:G`` and ``@groups`` for a reader of a whole group or of all).
        An evaluation on ``a`` that recorded none of them gives the same result on ``b`` (the rule version's id
        aside, which is the day's own). None only before the earliest date."""
        lo, hi = min(a, b), max(a, b)
        if lo < EARLIEST:
            return None
        key = (lo, hi, len(_DERIVED))  # a derived read registered later is compared too
        found = self._differing.get(key)
        if found is not None:
            return found
        ca, cb = self.context(lo), self.context(hi)
        names = _logic_differences(ca, cb) | _logic_differences(self.context(lo, "as_written"),
                                                                self.context(hi, "as_written"))
        for g in ca.groups.keys() | cb.groups.keys():
            ga, gb = ca.groups.get(g, frozenset()), cb.groups.get(g, frozenset())
            if ga != gb:
                names.update(("@groups", f"@group:{g}"))
                names.update(f"@group:{g}:{c}" for c in ga ^ gb)

        def moves(value: Any) -> bool:
            return any(lo < d <= hi or lo < d + _DAY <= hi for d in _dates_in(value))

        groups_moved = "@groups" in names
        members = sorted(set().union(*ca.groups.values(), *cb.groups.values()))
        names.update("@obligation:" + o.id for o in self.obligations if o.in_force(lo) != o.in_force(hi))
        names.update("@derived:" + n for n, fn in _DERIVED.items() if fn(ca) != fn(cb))
        if self.current_to is not None and (lo > self.current_to) != (hi > self.current_to):
            names.add("@current_to")
        for name in ca.values.keys() | cb.values.keys():
            va, vb = ca.values.get(name), cb.values.get(name)
            xa, xb = (None if v is None else v.value for v in (va, vb))
            if (xa is None) != (xb is None):
                names.add(name + "?")
            if (_is_scope(xa) or _is_scope(xb)) and (va is not vb or groups_moved):
                # one country's membership (read by ``scope_member``), with each day's country groups
                for c in {*members, *(xa or {}).get("countries", ()), *(xb or {}).get("countries", ())}:
                    if ca._scope_cached(c, xa) != cb._scope_cached(c, xb):
                        names.add(f"{name}<{c}>")
            if va is vb and not moves(xa):
                continue
            names.add(name)
            ma, mb = (x if isinstance(x, Mapping) else {} for x in (xa, xb))
            for k in ma.keys() | mb.keys():
                ea, eb = ma.get(k), mb.get(k)
                if ea != eb or moves(ea):
                    names.add(f"{name}[{k}]")
        found = self._differing[key] = frozenset(names)
        return found

    def view_differences(self, day: dt.date) -> frozenset[str]:
        """What an evaluation may record (see :meth:`differing_parameters`) that differs between the two views on
        ``day``: logic features, the classification logic, the rule version's citation (parameters and country
        groups are the same in both views). An evaluation that recorded none of them gives the same result in the
        other view, for the same classification."""
        period = bisect.bisect_right(self.breakpoints, day) - 1
        found = self._view_diffs.get(period)
        if found is None:
            found = self._view_diffs[period] = frozenset(_logic_differences(self.context(day),
                                                                            self.context(day, "as_written")))
        return found

    def events(self) -> list[tuple[dt.date, str, Citation]]:
        """Every dated change in the data (for timelines): date, what, citation."""
        out: list[tuple[dt.date, str, Citation]] = []
        for v in self.versions:
            out.append((v.effective, f"rule version {v.id}: {v.summary}", v.citation))
        for p in self.parameters.values():
            for dv in p.values:
                out.append((dv.effective, f"{p.name} = {dv.value!r}", dv.citation))
        for o in self.obligations:
            out.append((o.effective, f"{o.kind} {o.id}", o.citation))
        return sorted(out, key=lambda e: e[0])


def _logic_differences(x: RuleContext, y: RuleContext) -> set[str]:
    """What of two contexts' logic an evaluation may record that differs: features switched on or off
    (``@feature:NAME``), the classification logic or its version (``@classification``), the citation of the latest
    rule version (``@version``)."""
    names = {"@feature:" + f for f in x.features ^ y.features}
    if (x.classification_logic, x.classification_version.id) != (y.classification_logic, y.classification_version.id):
        names.add("@classification")
    if x.version.citation != y.version.citation:
        names.add("@version")
    return names


_DAY = dt.timedelta(days=1)
_SCOPE_KEYS = frozenset({"groups", "countries", "exclude_groups", "exclude_countries"})


def _is_scope(value: Any) -> bool:
    return isinstance(value, Mapping) and bool(value) and set(value) <= _SCOPE_KEYS
_INCLUSIVE_ENDS = ("until", "through", "completed_by")  # value keys naming a last day: the change is the day after


def _dates_in(value: Any, key: str = "") -> list[dt.date]:
    """The days on which a date written inside a parameter value can change an answer: the date itself, or the
    day after it where the key names a last day (``until``, ``stayed_through``, ``completed_by``)."""
    out: list[dt.date] = []
    if isinstance(value, str):
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            with contextlib.suppress(ValueError):
                d = dt.date.fromisoformat(value)
                out.append(d + dt.timedelta(days=1) if key.endswith(_INCLUSIVE_ENDS) else d)
    elif isinstance(value, Mapping):
        for k, v in value.items():
            out.extend(_dates_in(v, str(k)))
    elif isinstance(value, (list, tuple)):
        for v in value:
            out.extend(_dates_in(v, key))
    return out


def _with_date(ctx: RuleContext, as_of: dt.date) -> RuleContext:
    return RuleContext(as_of=as_of, view=ctx.view, ruleset=ctx.ruleset, values=ctx.values, features=ctx.features,
                       classification_logic=ctx.classification_logic,
                       classification_version=ctx.classification_version, version=ctx.version,
                       versions_in_force=ctx.versions_in_force, groups=ctx.groups, not_applied=ctx.not_applied,
                       reads=ctx.reads, scope_cache=ctx.scope_cache)
