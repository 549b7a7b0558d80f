"""What-if scenarios: a YAML file that overlays dated parameter values and adds rules to the real regulations.

A scenario never changes the rules' code. It produces a new file set (``Ruleset.load().files`` with some YAML texts
replaced or added) and builds a new ``Ruleset`` from it, so the same validation and the same decision functions run
on the overlaid data. The base ruleset is never mutated.

Format (see docs/lab.md)::

    scenario: Lower the 3A090.a line and add a bandwidth rule     # required, a short title
    description: Hypothetical ...                                 # optional
    parameters:                                                   # dated overlays of existing parameters
      - name: ear.part_774.eccn_3a090.a1_tpp
        effective: "2025-06-01"
        value: 4000
        until: "2026-01-01"        # optional, exclusive; without it the value holds for good
        note: why                  # optional
    rules:                                                        # added rules (obligations binding every exporter)
      - id: cn-bandwidth
        effective: "2025-06-01"
        description: China needs a licence above 1,400 GB/s memory or 1,100 GB/s interconnect bandwidth
        any_of:
          - {param: memory_bandwidth_gbs, gte: 1400}
          - {param: interconnect_bandwidth_gbs, gte: 1100}
        destinations: {countries: [CN, MO]}
        review_policy: presumption_of_denial   # optional, default case_by_case
    versions:                                                     # optional: added rule versions (logic switches)
      - id: enforce-ai-diffusion
        effective: "2025-06-01"
        enable: [ai_diffusion]

Every value a scenario adds is cited to a source ``scenario-<slug>`` with verification ``U`` and marked
HYPOTHETICAL, so a trace can never pass it off as law.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from chipcontrol.errors import ChipControlError, InvalidInput
from chipcontrol.rules.ear.eccn_3a090 import LOGIC
from chipcontrol.rules.ear.license import POLICY_ORDER
from chipcontrol.rules.loader import StrictLoader
from chipcontrol.rules.ruleset import EARLIEST, FEATURES, GROUPS, VIEWS, Ruleset

SCENARIO_KEYS = {"scenario", "description", "parameters", "rules", "versions"}
PARAM_KEYS = {"name", "effective", "value", "until", "note"}
RULE_KEYS = {"id", "effective", "description", "any_of", "models", "destinations", "end_user_hq", "review_policy",
             "exporter", "note"}
VERSION_KEYS = {"id", "effective", "enable", "disable", "classification", "views", "summary"}
SCOPE_KEYS = {"groups", "countries", "exclude_groups", "exclude_countries"}
# Spec fields an added rule may test (what chipcontrol.rules.ear.license.obligation_covers_item reads).
RULE_PARAMS = ("memory_bandwidth_gbs", "interconnect_bandwidth_gbs", "io_bandwidth_gbs", "die_area_mm2",
               "memory_bandwidth_density")
RULE_OPS = ("gte", "gt")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_CC_RE = re.compile(r"^[A-Z]{2}$")
HYPOTHETICAL = "HYPOTHETICAL"


class ScenarioError(InvalidInput):
    """A scenario file that cannot be used; the message names the file and line."""

    code = "invalid_scenario"


# ------------------------------------------------------------------------------------------------ line-aware YAML
Path_ = tuple[str | int, ...]


def load_with_lines(text: str, origin: str) -> tuple[Any, dict[Path_, int]]:
    """Parse YAML strictly (no implicit dates or yes/no booleans, no duplicate keys) and record the 1-based line of
    every node by its path of keys and indexes, e.g. ``("parameters", 0, "value")``."""
    loader = StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: dict[Path_, int] = {}
        _walk(node, (), lines)
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"{origin}:{mark.line + 1}" if mark is not None else origin
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(f"{where}: not valid YAML: {problem}") from None
    finally:
        loader.dispose()
    return data, lines


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.start_mark)
            lines[(*path, key)] = value_node.start_mark.line + 1
            lines[(*path, key, "__key__")] = key_node.start_mark.line + 1
            _walk(value_node, (*path, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), lines)


# ------------------------------------------------------------------------------------------------ the model
@dataclass(frozen=True, slots=True)
class ParamOverlay:
    name: str
    effective: dt.date
    value: Any
    until: dt.date | None
    note: str
    line: int


@dataclass(frozen=True, slots=True)
class AddedRule:
    id: str
    effective: dt.date
    description: str
    any_of: tuple[tuple[str, str, float], ...]
    models: tuple[str, ...]
    destinations: Mapping[str, Any]
    end_user_hq: Mapping[str, Any]
    review_policy: str
    exporter: str
    note: str
    line: int


@dataclass(frozen=True, slots=True)
class AddedVersion:
    id: str
    effective: dt.date
    enable: tuple[str, ...]
    disable: tuple[str, ...]
    classification: str | None
    views: tuple[str, ...]
    summary: str
    line: int


@dataclass(frozen=True, slots=True)
class Scenario:
    """A parsed, validated scenario. ``apply(base)`` returns the overlaid Ruleset (the base is untouched)."""

    title: str
    description: str
    origin: str
    slug: str
    parameters: tuple[ParamOverlay, ...] = ()
    rules: tuple[AddedRule, ...] = ()
    versions: tuple[AddedVersion, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def source_id(self) -> str:
        return f"scenario-{self.slug}"

    def files(self, base: Ruleset) -> dict[str, str]:
        """The overlaid file set: a new dict; the base's files are read, never written."""
        return overlay_files(self, base)

    def apply(self, base: Ruleset | None = None) -> Ruleset:
        rs = base or Ruleset.load()
        files = self.files(rs)
        try:
            return Ruleset(files)
        except ChipControlError as exc:  # validation of the overlaid data failed: point at the scenario
            raise ScenarioError(f"{self.origin}:{self._line_for(str(exc))}: the overlaid rules do not validate: "
                                f"{exc}") from None

    def _line_for(self, message: str) -> int:
        for p in self.parameters:
            if p.name.replace(".", "/") in message:
                return p.line
        for r in self.rules:
            if r.id in message:
                return r.line
        for v in self.versions:
            if v.id in message:
                return v.line
        return 1

    def summary(self) -> dict[str, Any]:
        return {
            "scenario": self.title, "description": self.description, "file": self.origin,
            "source_id": self.source_id, "status": HYPOTHETICAL,
            "parameters": [{"name": p.name, "effective": p.effective.isoformat(), "value": p.value,
                            "until": p.until.isoformat() if p.until else None, "note": p.note, "line": p.line}
                           for p in self.parameters],
            "rules": [{"id": r.id, "effective": r.effective.isoformat(), "description": r.description,
                       "any_of": [{"param": a, op: v} for a, op, v in r.any_of], "models": list(r.models),
                       "destinations": dict(r.destinations), "end_user_hq": dict(r.end_user_hq),
                       "review_policy": r.review_policy, "exporter": r.exporter, "line": r.line} for r in self.rules],
            "versions": [{"id": v.id, "effective": v.effective.isoformat(), "enable": list(v.enable),
                          "disable": list(v.disable), "classification": v.classification, "views": list(v.views),
                          "summary": v.summary, "line": v.line} for v in self.versions],
            "notes": list(self.notes),
        }


# ------------------------------------------------------------------------------------------------ parsing
class _Parser:
    def __init__(self, origin: str, lines: dict[Path_, int], base: Ruleset) -> None:
        self.origin = origin
        self.lines = lines
        self.base = base

    def line(self, path: Path_) -> int:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def fail(self, path: Path_, message: str) -> ScenarioError:
        return ScenarioError(f"{self.origin}:{self.line(path)}: {message}")

    def keys(self, data: Any, path: Path_, allowed: set[str], required: tuple[str, ...], what: str) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(path, f"{what} must be a mapping, got {_kind(data)}")
        for key in data:
            if key not in allowed:
                raise self.fail((*path, str(key), "__key__"),
                                f"unknown key {key!r} in {what}; allowed: {', '.join(sorted(allowed))}")
        for key in required:
            if key not in data or data[key] is None:
                raise self.fail(path, f"{what} needs {key!r}")
        return data

    def date(self, value: Any, path: Path_, what: str) -> dt.date:
        if not isinstance(value, str) or not _DATE_RE.match(value):
            raise self.fail(path, f"{what} must be a date 'YYYY-MM-DD', got {value!r}")
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise self.fail(path, f"{what} {value!r} is not a calendar date") from None
        if day < EARLIEST:
            raise self.fail(path, f"{what} {value} is before 2022-10-07, when the advanced-computing rules began")
        return day

    def text(self, value: Any, path: Path_, what: str) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self.fail(path, f"{what} must be text, got {_kind(value)}")
        return " ".join(value.split())

    def ident(self, value: Any, path: Path_, what: str) -> str:
        if not isinstance(value, str) or not _ID_RE.match(value):
            raise self.fail(path, f"{what} must be an identifier (letters, digits, '-', '_', '.'), got {value!r}")
        return value

    def str_list(self, value: Any, path: Path_, what: str) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(path, f"{what} must be a list of text values")
        return list(value)

    def scope(self, value: Any, path: Path_, what: str) -> dict[str, list[str]]:
        data = self.keys(value, path, SCOPE_KEYS, (), what)
        out: dict[str, list[str]] = {}
        for key, items in data.items():
            lst = self.str_list(items, (*path, key), f"{what}.{key}")
            for i, item in enumerate(lst):
                if "groups" in key and item not in GROUPS:
                    raise self.fail((*path, key, i), f"unknown country group {item!r}; use one of "
                                    f"{', '.join(GROUPS)}")
                if "countries" in key and not _CC_RE.match(item):
                    raise self.fail((*path, key, i), f"{item!r} is not an ISO 3166-1 alpha-2 code")
            out[key] = lst
        return out

    # ---------------------------------------------------------------- sections
    def parameter(self, data: Any, path: Path_) -> ParamOverlay:
        d = self.keys(data, path, PARAM_KEYS, ("name", "effective"), "a parameter overlay")
        if "value" not in d:
            raise self.fail(path, "a parameter overlay needs 'value'")
        name = d["name"]
        if not isinstance(name, str) or name not in self.base.parameters:
            close = [n for n in self.base.parameters if isinstance(name, str) and name.split(".")[-1] in n]
            hint = f"; did you mean {close[0]}?" if close else "; run `chipcontrol rules` for the names"
            raise self.fail((*path, "name"), f"unknown parameter {name!r}{hint}")
        eff = self.date(d["effective"], (*path, "effective"), "effective")
        until = self.date(d["until"], (*path, "until"), "until") if d.get("until") is not None else None
        if until is not None and until <= eff:
            raise self.fail((*path, "until"), f"until {until} must be after effective {eff}")
        value = self.value(name, d["value"], (*path, "value"))
        return ParamOverlay(name, eff, value, until, self.text(d.get("note"), (*path, "note"), "note"),
                            self.line(path))

    def value(self, name: str, value: Any, path: Path_) -> Any:
        """The value must have the shape of the parameter's values in the regulations."""
        param = self.base.parameters[name]
        samples = [v.value for v in param.values if v.value is not None]
        unit = f" ({param.unit})" if param.unit else ""
        if value is None:
            if any(v.value is None for v in param.values):
                return None
            raise self.fail(path, f"{name} cannot be empty (null)")
        sample = samples[-1] if samples else None
        if isinstance(sample, bool):
            if not isinstance(value, bool):
                raise self.fail(path, f"{name} must be true or false, got {value!r}")
            return value
        if isinstance(sample, (int, float)):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise self.fail(path, f"{name} must be a number{unit}, got {_kind(value)} {value!r}")
            if math.isnan(value) or math.isinf(value):
                raise self.fail(path, f"{name} must be a finite number, got {value!r}")
            if value < 0:
                raise self.fail(path, f"{name} cannot be negative, got {value!r}")
            if value == 0 and "tpp" in name:
                raise self.fail(path, f"{name} of 0 would control every item; use a positive threshold")
            return value
        if isinstance(sample, list):
            lst = self.str_list(value, path, name)
            for i, item in enumerate(lst):
                if not _CC_RE.match(item):
                    raise self.fail((*path, i), f"{item!r} is not an ISO 3166-1 alpha-2 code")
            return lst
        if isinstance(sample, dict):
            if set(sample) <= SCOPE_KEYS:
                return self.scope(value, path, name)
            if not isinstance(value, dict):
                raise self.fail(path, f"{name} must be a mapping, got {_kind(value)}")
            known = set().union(*(set(s) for s in samples if isinstance(s, dict)))
            unknown = sorted(str(k) for k in value if k not in known)
            if unknown:
                raise self.fail(path, f"{name}: unknown keys {unknown}; known: {', '.join(sorted(known))}")
            return value
        if isinstance(value, (dict, list)):
            raise self.fail(path, f"{name} must be a single value")
        return value

    def rule(self, data: Any, path: Path_) -> AddedRule:
        d = self.keys(data, path, RULE_KEYS, ("id", "effective", "description"), "an added rule")
        rid = self.ident(d["id"], (*path, "id"), "rule id")
        eff = self.date(d["effective"], (*path, "effective"), "effective")
        any_of: list[tuple[str, str, float]] = []
        raw = d.get("any_of") or []
        if not isinstance(raw, list):
            raise self.fail((*path, "any_of"), "any_of must be a list of {param: NAME, gte: NUMBER}")
        for i, cond in enumerate(raw):
            cpath = (*path, "any_of", i)
            if not isinstance(cond, dict) or "param" not in cond:
                raise self.fail(cpath, "each any_of entry is {param: NAME, gte: NUMBER} (or gt)")
            ops = [k for k in cond if k != "param"]
            if len(ops) != 1 or ops[0] not in RULE_OPS:
                raise self.fail(cpath, f"each any_of entry needs exactly one comparison: {' or '.join(RULE_OPS)}")
            param, op = cond["param"], ops[0]
            if param not in RULE_PARAMS:
                raise self.fail((*cpath, "param"), f"unknown item parameter {param!r}; an added rule may test "
                                f"{', '.join(RULE_PARAMS)} (use a parameter overlay to move TPP or density lines)")
            threshold = cond[op]
            if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not math.isfinite(threshold):
                raise self.fail((*cpath, op), f"{param} threshold must be a number, got {threshold!r}")
            if threshold <= 0:
                raise self.fail((*cpath, op), f"{param} threshold must be positive, got {threshold!r}")
            any_of.append((str(param), str(op), float(threshold)))
        models = tuple(self.str_list(d.get("models") or [], (*path, "models"), "models"))
        if not any_of and not models:
            raise self.fail(path, f"rule {rid!r} covers nothing: give any_of conditions or models")
        dests = self.scope(d.get("destinations") or {}, (*path, "destinations"), "destinations")
        hq = self.scope(d.get("end_user_hq") or {}, (*path, "end_user_hq"), "end_user_hq")
        if not dests and not hq:
            raise self.fail(path, f"rule {rid!r} applies nowhere: give destinations (or end_user_hq)")
        policy = d.get("review_policy", "case_by_case")
        if policy not in POLICY_ORDER:
            raise self.fail((*path, "review_policy"), f"review_policy must be one of {', '.join(POLICY_ORDER)}, got "
                            f"{policy!r}")
        exporter = d.get("exporter", "*")
        if not isinstance(exporter, str) or not exporter.strip():
            raise self.fail((*path, "exporter"), "exporter must be a company name or '*' (every exporter)")
        return AddedRule(rid, eff, self.text(d["description"], (*path, "description"), "description"),
                         tuple(any_of), models, dests, hq, str(policy), exporter.strip(),
                         self.text(d.get("note"), (*path, "note"), "note"), self.line(path))

    def version(self, data: Any, path: Path_) -> AddedVersion:
        d = self.keys(data, path, VERSION_KEYS, ("id", "effective"), "an added rule version")
        vid = self.ident(d["id"], (*path, "id"), "version id")
        eff = self.date(d["effective"], (*path, "effective"), "effective")
        feats: dict[str, tuple[str, ...]] = {}
        for key in ("enable", "disable"):
            lst = self.str_list(d.get(key) or [], (*path, key), key)
            for i, f in enumerate(lst):
                if f not in FEATURES:
                    raise self.fail((*path, key, i), f"unknown feature {f!r}; known: {', '.join(sorted(FEATURES))}")
            feats[key] = tuple(lst)
        cls = d.get("classification")
        if cls is not None and cls not in LOGIC:
            raise self.fail((*path, "classification"), f"unknown classification logic {cls!r}; known: "
                            f"{', '.join(LOGIC)}")
        views = tuple(self.str_list(d.get("views") or list(VIEWS), (*path, "views"), "views"))
        if any(v not in VIEWS for v in views) or not views:
            raise self.fail((*path, "views"), f"views must be among {', '.join(VIEWS)}")
        if not feats["enable"] and not feats["disable"] and cls is None:
            raise self.fail(path, f"version {vid!r} changes nothing: give enable, disable or classification")
        return AddedVersion(vid, eff, feats["enable"], feats["disable"], cls, views,
                            self.text(d.get("summary"), (*path, "summary"), "summary"), self.line(path))


def _kind(value: Any) -> str:
    return {bool: "a boolean", int: "a number", float: "a number", str: "text", list: "a list",
            dict: "a mapping", type(None): "nothing"}.get(type(value), type(value).__name__)


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return (s or "scenario")[:48].rstrip("-")


def parse_scenario(text: str, origin: str = "<scenario>", base: Ruleset | None = None) -> Scenario:
    """Parse and validate a scenario file's text. Raises ``ScenarioError`` naming ``origin:line``."""
    rs = base or Ruleset.load()
    data, lines = load_with_lines(text, origin)
    p = _Parser(origin, lines, rs)
    if data is None:
        raise ScenarioError(f"{origin}:1: the scenario file is empty")
    d = p.keys(data, (), SCENARIO_KEYS, ("scenario",), "the scenario file")
    title = p.text(d["scenario"], ("scenario",), "scenario")
    if not title:
        raise p.fail(("scenario",), "scenario needs a title")
    sections: dict[str, list[Any]] = {}
    for key in ("parameters", "rules", "versions"):
        raw = d.get(key) or []
        if not isinstance(raw, list):
            raise p.fail((key,), f"{key} must be a list")
        sections[key] = raw
    if not any(sections.values()):
        raise p.fail((), "the scenario changes nothing: give parameters, rules or versions")
    params = tuple(p.parameter(item, ("parameters", i)) for i, item in enumerate(sections["parameters"]))
    rules = tuple(p.rule(item, ("rules", i)) for i, item in enumerate(sections["rules"]))
    versions = tuple(p.version(item, ("versions", i)) for i, item in enumerate(sections["versions"]))
    _check_overlaps(p, params)
    seen: dict[str, int] = {}
    existing = {o.id for o in rs.obligations} | {v.id for v in rs.versions}
    ids: list[tuple[str, int]] = [(r.id, r.line) for r in rules] + [(v.id, v.line) for v in versions]
    for item_id, item_line in ids:
        if item_id in seen or item_id in existing:
            raise ScenarioError(f"{origin}:{item_line}: duplicate id {item_id!r}"
                                + (f" (first at line {seen[item_id]})" if item_id in seen else
                                   " (already used in the regulations)"))
        seen[item_id] = item_line
    notes = _notes(params, rs)
    return Scenario(title=title, description=p.text(d.get("description"), ("description",), "description"),
                    origin=origin, slug=_slug(title), parameters=params, rules=rules, versions=versions, notes=notes)


def _check_overlaps(p: _Parser, params: tuple[ParamOverlay, ...]) -> None:
    by_name: dict[str, list[ParamOverlay]] = {}
    for ov in params:
        by_name.setdefault(ov.name, []).append(ov)
    for name, ovs in by_name.items():
        ovs.sort(key=lambda o: o.effective)
        for a, b in itertools.pairwise(ovs):
            if a.effective == b.effective:
                raise ScenarioError(f"{p.origin}:{b.line}: duplicate date {b.effective} for {name} "
                                    f"(also at line {a.line})")
            if a.until is None or a.until > b.effective:
                end = "open-ended" if a.until is None else f"until {a.until}"
                raise ScenarioError(f"{p.origin}:{b.line}: {name} from {b.effective} overlaps the overlay at line "
                                    f"{a.line} (from {a.effective}, {end}); give the earlier one an 'until'")


def _notes(params: tuple[ParamOverlay, ...], rs: Ruleset) -> tuple[str, ...]:
    notes: list[str] = []
    for ov in params:
        param = rs.parameters[ov.name]
        end = ov.until or dt.date.max
        hidden = [v.effective.isoformat() for v in param.values if ov.effective <= v.effective < end]
        if hidden:
            notes.append(f"{ov.name}: the scenario value replaces the regulations' value(s) dated "
                         f"{', '.join(hidden)}")
    return tuple(notes)


# ------------------------------------------------------------------------------------------------ overlay
def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120)


def _citation(sc: Scenario, cfr: str, note: str) -> dict[str, str]:
    cit = {"source": sc.source_id, "cfr": f"{HYPOTHETICAL}: {cfr} (scenario '{sc.title}')", "verification": "U"}
    if note:
        cit["note"] = note
    return cit


def _param_path(name: str) -> str:
    return name.replace(".", "/") + ".yaml"


def overlay_files(sc: Scenario, base: Ruleset) -> dict[str, str]:
    """The base file set with the scenario applied. Only the touched files are re-serialised."""
    from chipcontrol.rules.loader import load_yaml

    files = dict(base.files)  # a copy: the base Ruleset (and its files) are never written
    sources = load_yaml(files["sources.yaml"], "sources.yaml")
    sources[sc.source_id] = {
        "title": f"{HYPOTHETICAL} scenario: {sc.title}",
        "document": f"scenario file {sc.origin} (chipcontrol policy lab)",
        "verification": "U",
        "note": f"{HYPOTHETICAL} what-if rule from a scenario file; not published, not law.",
    }
    files["sources.yaml"] = _dump(sources)
    by_name: dict[str, list[ParamOverlay]] = {}
    for ov in sc.parameters:
        by_name.setdefault(ov.name, []).append(ov)
    for name, ovs in by_name.items():
        path = _param_path(name)
        doc = load_yaml(files[path], path)
        param = base.parameters[name]
        original: list[dict[str, Any]] = list(doc["values"])
        values = original
        for ov in sorted(ovs, key=lambda o: o.effective):
            values = _insert(values, original, ov, param.at(ov.until) if ov.until else None, sc)
        doc["values"] = values
        files[path] = _dump(doc)
    for r in sc.rules:
        cond = [{"param": a, op: v} for a, op, v in r.any_of]
        items: dict[str, Any] = {}
        if r.models:
            items["models"] = list(r.models)
        if cond:
            items["any_of"] = cond
        ob: dict[str, Any] = {
            "id": f"scenario-{r.id}", "kind": "scenario_rule",
            "exporter": {"name": r.exporter},
            "effective": r.effective.isoformat(),
            "citation": _citation(sc, f"hypothetical rule '{r.id}'", r.note),
            "description": f"[{HYPOTHETICAL}] {r.description}",
            "items": items, "destinations": dict(r.destinations), "end_user_hq": dict(r.end_user_hq),
            "review_policy": r.review_policy,
        }
        files[f"obligations/scenario-{r.id}.yaml"] = _dump(ob)
    if sc.versions:
        rows: list[dict[str, Any]] = list(load_yaml(files["rule_versions.yaml"], "rule_versions.yaml"))
        for v in sc.versions:
            row: dict[str, Any] = {"id": f"scenario-{v.id}", "effective": v.effective.isoformat(),
                                   "source": sc.source_id, "changes": ["licensing"], "views": list(v.views),
                                   "summary": f"[{HYPOTHETICAL}] {v.summary or v.id}"}
            if v.classification:
                row["changes"] = ["classification", "licensing"]
                row["classification"] = v.classification
            if v.enable:
                row["enable"] = list(v.enable)
            if v.disable:
                row["disable"] = list(v.disable)
            idx = len(rows)
            while idx > 0 and str(rows[idx - 1]["effective"]) > row["effective"]:
                idx -= 1
            rows.insert(idx, row)
        files["rule_versions.yaml"] = _dump(rows)
    return files


def _insert(values: list[dict[str, Any]], original: list[dict[str, Any]], ov: ParamOverlay, resume: Any,
            sc: Scenario) -> list[dict[str, Any]]:
    """Insert one overlay into a parameter's dated values: base values inside [effective, until) are dropped; at
    ``until`` the base value then in force resumes (re-stated with its own citation)."""
    eff = ov.effective.isoformat()
    end = ov.until.isoformat() if ov.until else None
    kept = [v for v in values if not (str(v["effective"]) >= eff and (end is None or str(v["effective"]) < end))]
    new = {"effective": eff, "value": ov.value,
           "citation": _citation(sc, f"hypothetical value of {ov.name}", ov.note)}
    out = [v for v in kept if str(v["effective"]) < eff] + [new]
    later = [v for v in kept if str(v["effective"]) > eff]
    if end is not None and not any(str(v["effective"]) == end for v in later):
        if resume is not None:
            base_row = next(v for v in original if str(v["effective"]) == resume.effective.isoformat())
            out.append({"effective": end, "value": base_row["value"], "citation": base_row["citation"]})
        else:  # the parameter had no value yet at `until`: it stays absent (None)
            out.append({"effective": end, "value": None, "citation": new["citation"]})
    return out + later
