"""The design envelope: the most a derivative of a base chip may keep and still ship without a licence (or under a
review policy no stricter than a given one) to a destination on a date.

Nothing here re-derives a threshold. Every probe builds a derivative ``ChipSpec`` (``dataclasses.replace``) and runs
the real rules (``classify`` then ``determine``); the limits are found by bisection, which is sound because the rules
are monotone in each dimension (more throughput, more bandwidth or a smaller die never makes an item less
controlled; the tests check this).

How the envelope is built:

1. **Design point.** If the base chip itself passes, the design point is the base. Otherwise every "more is worse"
   dimension (throughput at every precision, memory and interconnect bandwidth) is shrunk by one common factor
   ``t``; the largest passing ``t`` is found. Then, greedily, throughput, memory bandwidth and interconnect bandwidth
   are raised back one at a time, each to its own limit but never above the base chip's value.
2. **Limits.** From the design point, each dimension alone is pushed to its limit (the others held at the design
   point): uniform throughput scale, each precision's rate, memory bandwidth, interconnect bandwidth (the 2022 I/O
   aggregate moves with it), and the smallest die area. The rule that flips the answer at the limit is named.

The limits are a box around one design point, not the whole feasible region: a derivative outside the box may
still pass (and ``admits`` says which limit it exceeds), but one inside every limit of a monotone rule set passes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from chipcontrol.errors import InvalidInput
from chipcontrol.lab.impact import Status, evaluate, explain
from chipcontrol.model.decision import Determination
from chipcontrol.model.shipment import Shipment
from chipcontrol.model.spec import PRECISION_BITS, PRECISIONS, ChipSpec
from chipcontrol.rules.ear import metrics
from chipcontrol.rules.ear.license import POLICY_ORDER
from chipcontrol.rules.ruleset import Ruleset

POLICIES = ("none", "presumption_of_approval", "case_by_case")
KEEP = ("auto", "throughput", "memory", "interconnect", "balanced")
THROUGHPUT_CAP = 1000.0  # search up to 1000x the base throughput before calling a limit unbounded
BANDWIDTH_CAP = 1.0e6  # GB/s
AREA_FLOOR = 1.0  # mm2
REL_TOL = 1e-7
_PREC_ORDER = {p: i for i, p in enumerate(PRECISIONS)}


@dataclass(frozen=True, slots=True)
class Limit:
    """One dimension's limit at the design point."""

    dimension: str
    kind: str  # "max" or "min"
    unit: str
    base: float | None
    design: float | None
    limit: float | None  # the extreme passing value found; None when unbounded or infeasible
    first_failing: float | None
    unbounded: bool = False
    infeasible: bool = False
    binding: str = ""
    binding_details: tuple[str, ...] = ()
    tpp_at_limit: float | None = None
    note: str = ""

    def bound(self) -> str:
        """The limit as a person reads it: strict ("< 4000") when the first failing value is the same number."""
        if self.limit is None:
            return "unbounded" if self.unbounded else "none passes"
        strict = self.first_failing is not None and _g(self.first_failing) == _g(self.limit)
        shown = self.first_failing if strict else self.limit
        if self.kind == "max":
            return f"{'<' if strict else '≤'} {_g(shown)}"
        return f"{'>' if strict else '≥'} {_g(shown)}"

    def describe(self) -> str:
        if self.infeasible:
            return f"{self.dimension}: no value passes with the other dimensions at the design point"
        if self.unbounded:
            edge = f"no upper limit found up to {self.first_failing or _cap_text(self)}" if self.kind == "max" else \
                "no lower limit"
            return f"{self.dimension}: {edge} ({self.note or 'no rule depends on it here'})"
        assert self.limit is not None
        return f"{self.dimension}: {self.bound()} {self.unit}; binding: {self.binding}"

    def to_dict(self) -> dict[str, Any]:
        return {"dimension": self.dimension, "kind": self.kind, "unit": self.unit, "base": _r(self.base),
                "design": _r(self.design), "limit": _r(self.limit), "first_failing": _r(self.first_failing),
                "unbounded": self.unbounded, "infeasible": self.infeasible, "binding": self.binding,
                "binding_details": list(self.binding_details), "tpp_at_limit": _r(self.tpp_at_limit),
                "note": self.note, "bound": self.bound(), "text": self.describe()}


def _cap_text(lim: Limit) -> str:
    return f"{THROUGHPUT_CAP:g}x" if lim.unit == "x base" else f"{BANDWIDTH_CAP:g} {lim.unit}"


def _g(x: float | None) -> str:
    return "?" if x is None else f"{x:.6g}"


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 6)


@dataclass(frozen=True, slots=True)
class Envelope:
    base: ChipSpec
    destination: str
    day: dt.date
    policy: str
    exporter: str | None
    view: str
    base_status: Status
    feasible: bool
    shrink: float | None
    design: ChipSpec
    design_tpp: float | None
    limits: tuple[Limit, ...] = ()
    infeasible_reason: str = ""
    keep: str = "auto"
    design_kind: str = ""
    notes: tuple[str, ...] = field(default=())

    def limit(self, dimension: str) -> Limit:
        for lim in self.limits:
            if lim.dimension == dimension:
                return lim
        raise KeyError(dimension)

    @property
    def binding(self) -> str:
        """The constraint that binds the headline dimension (uniform throughput)."""
        for lim in self.limits:
            if lim.dimension == "throughput" and lim.binding:
                return lim.binding
        return self.infeasible_reason

    def admits(self, spec: ChipSpec, tf32_mode: str = "exclude") -> tuple[bool, list[str]]:
        """Is ``spec`` inside every limit of the envelope? Returns the verdict and one line per check."""
        if not self.feasible:
            return False, [f"no derivative passes: {self.infeasible_reason}"]
        lines: list[str] = []
        ok = True

        def check(name: str, value: float | None, lim: Limit) -> None:
            nonlocal ok
            if value is None:
                lines.append(f"{name}: unknown for the candidate (not checked)")
                return
            if lim.infeasible:
                ok = False
                lines.append(f"{name} {value:g}: outside (no value passes)")
                return
            if lim.unbounded or lim.limit is None:
                lines.append(f"{name} {value:g}: inside (unbounded)")
                return
            inside = value <= lim.limit * (1 + 1e-9) if lim.kind == "max" else value >= lim.limit * (1 - 1e-9)
            ok = ok and inside
            lines.append(f"{name} {value:g}: {'inside' if inside else 'OUTSIDE'} ({lim.bound()})")

        thr = self.limit("throughput")
        tpp = metrics.tpp(spec, tf32_mode).value
        if thr.unbounded:
            lines.append(f"TPP {tpp}: inside (unbounded)")
        else:
            tpp_fail = None
            if thr.first_failing is not None and thr.tpp_at_limit is not None and thr.limit:
                tpp_fail = thr.tpp_at_limit * thr.first_failing / thr.limit
            tpp_lim = replace(thr, dimension="TPP", limit=thr.tpp_at_limit, first_failing=tpp_fail, unit="TPP")
            check("TPP", tpp, tpp_lim)
        rates = {lim.dimension.removeprefix("rate:"): lim for lim in self.limits if lim.dimension.startswith("rate:")}
        for precision, rate in spec.dense_tops.items():
            if precision in rates:
                check(f"{precision} rate", rate, rates[precision])
            else:
                bits = PRECISION_BITS.get(precision) or metrics.tf32_bits(tf32_mode)
                if bits is None:
                    lines.append(f"{precision} rate {rate:g}: not counted in TPP (inside)")
                elif not thr.unbounded and thr.tpp_at_limit is not None:
                    inside = rate * bits <= thr.tpp_at_limit * (1 + 1e-9)
                    ok = ok and inside
                    lines.append(f"{precision} rate {rate:g} x {bits} = {rate * bits:g}: "
                                 f"{'inside' if inside else 'OUTSIDE'} (TPP limit {thr.tpp_at_limit:.6g})")
        check("memory bandwidth", spec.memory_bandwidth_gbs, self.limit("memory_bandwidth_gbs"))
        check("interconnect bandwidth", spec.interconnect_bandwidth_gbs, self.limit("interconnect_bandwidth_gbs"))
        area = [lim for lim in self.limits if lim.dimension == "die_area_mm2"]
        if area:
            check("die area", spec.die_area_mm2, area[0])
        return ok, lines

    def to_dict(self) -> dict[str, Any]:
        return {"base": self.base.display_name, "destination": self.destination, "as_of": self.day.isoformat(),
                "policy": self.policy, "exporter": self.exporter, "view": self.view,
                "base_status": self.base_status.to_dict(), "feasible": self.feasible,
                "shrink_factor": _r(self.shrink), "design_point": self.design.to_dict(),
                "design_tpp": _r(self.design_tpp), "binding": self.binding,
                "infeasible_reason": self.infeasible_reason, "keep": self.keep, "design_kind": self.design_kind,
                "limits": [lim.to_dict() for lim in self.limits], "notes": list(self.notes)}


# ------------------------------------------------------------------------------------------------ derivatives
def _host_io(base: ChipSpec) -> float | None:
    """The part of the 2022 I/O aggregate that is not the chip-to-chip link (PCIe host I/O), held fixed."""
    if base.io_bandwidth_gbs is None:
        return None
    return max(0.0, base.io_bandwidth_gbs - (base.interconnect_bandwidth_gbs or 0.0))


def scale_throughput(spec: ChipSpec, base: ChipSpec, s: float) -> ChipSpec:
    """Every precision's rate (and any published TPP) at ``s`` times the base's."""
    return replace(spec, dense_tops={p: r * s for p, r in base.dense_tops.items()},
                   reported_tpp=None if base.reported_tpp is None else base.reported_tpp * s)


def set_rate(spec: ChipSpec, precision: str, rate: float) -> ChipSpec:
    return replace(spec, dense_tops={**spec.dense_tops, precision: rate})


def set_memory(spec: ChipSpec, value: float | None) -> ChipSpec:
    return replace(spec, memory_bandwidth_gbs=value)


def set_interconnect(spec: ChipSpec, base: ChipSpec, value: float | None) -> ChipSpec:
    host = _host_io(base)
    io = None if (host is None and value is None) else (host or 0.0) + (value or 0.0)
    return replace(spec, interconnect_bandwidth_gbs=value, io_bandwidth_gbs=io)


def set_area(spec: ChipSpec, value: float) -> ChipSpec:
    return replace(spec, die_area_mm2=value)


def _rate_maker(spec: ChipSpec, precision: str) -> Callable[[float], ChipSpec]:
    return lambda v: set_rate(spec, precision, v)


def _throughput_scale(spec: ChipSpec, base: ChipSpec) -> float:
    """The design point's uniform throughput scale relative to the base (from the largest-rate precision)."""
    p = max(base.dense_tops, key=lambda k: base.dense_tops[k], default=None)
    if p is None or not base.dense_tops[p]:
        return 1.0 if base.reported_tpp is None or not spec.reported_tpp else spec.reported_tpp / base.reported_tpp
    return spec.dense_tops.get(p, 0.0) / base.dense_tops[p]


# ------------------------------------------------------------------------------------------------ the search
class _Probe:
    """Runs the real rules on derivatives and counts the calls."""

    def __init__(self, ruleset: Ruleset, day: dt.date, ship: Shipment, policy: str, view: str, tf32: str) -> None:
        if policy not in POLICIES:
            raise InvalidInput(f"unknown review policy {policy!r}; use one of: {', '.join(POLICIES)}")
        self.rs, self.day, self.ship, self.policy, self.view, self.tf32 = ruleset, day, ship, policy, view, tf32
        self.calls = 0

    def run(self, spec: ChipSpec) -> tuple[bool, Determination]:
        self.calls += 1
        d = evaluate(spec, self.rs, self.day, self.ship, self.view, self.tf32)
        return self.ok(d), d

    def ok(self, d: Determination) -> bool:
        if d.prohibited:
            return False
        if d.indeterminate or d.classification.indeterminate:
            return False  # a missing fact decides: not demonstrably inside
        if not d.license_required:
            return True
        if self.policy == "none" or d.review_policy is None:
            return False
        return POLICY_ORDER.get(d.review_policy, 99) <= POLICY_ORDER[self.policy]


@dataclass(frozen=True, slots=True)
class _Found:
    lo: float  # passing
    hi: float | None  # failing (None: unbounded)
    d_lo: Determination
    d_hi: Determination | None


def _search_max(probe: _Probe, make: Callable[[float], ChipSpec], lo: float, cap: float) -> _Found | None:
    """Largest passing x in [lo, cap]; None when even ``lo`` fails."""
    ok, d_lo = probe.run(make(lo))
    if not ok:
        return None
    ok, d_cap = probe.run(make(cap))
    if ok:
        return _Found(cap, None, d_cap, None)
    hi, d_hi = cap, d_cap
    while hi - lo > max(REL_TOL * hi, 1e-9):
        mid = (lo + hi) / 2 if lo <= 0 or hi / lo < 4 else (lo * hi) ** 0.5
        ok, d = probe.run(make(mid))
        if ok:
            lo, d_lo = mid, d
        else:
            hi, d_hi = mid, d
    return _Found(lo, hi, d_lo, d_hi)


def _search_min(probe: _Probe, make: Callable[[float], ChipSpec], hi: float, floor: float) -> _Found | None:
    """Smallest passing x in [floor, hi]; None when even ``hi`` fails. (lo/hi of the result: passing/failing.)"""
    ok, d_hi = probe.run(make(hi))
    if not ok:
        return None
    ok, d_floor = probe.run(make(floor))
    if ok:
        return _Found(floor, None, d_floor, None)
    lo, d_lo = floor, d_floor
    while hi - lo > max(REL_TOL * hi, 1e-9):
        mid = (lo + hi) / 2 if hi / lo < 4 else (lo * hi) ** 0.5
        ok, d = probe.run(make(mid))
        if ok:
            hi, d_hi = mid, d
        else:
            lo, d_lo = mid, d
    return _Found(hi, lo, d_hi, d_lo)


def _limit(dimension: str, kind: str, unit: str, base: float | None, design: float | None, found: _Found | None,
           tpp_of: Callable[[float], float | None] | None = None, note: str = "") -> Limit:
    if found is None:
        return Limit(dimension, kind, unit, base, design, None, None, infeasible=True, note=note)
    if found.hi is None:
        return Limit(dimension, kind, unit, base, design, None, None, unbounded=True, note=note,
                     tpp_at_limit=None)
    assert found.d_hi is not None
    reason, details = explain(found.d_lo, found.d_hi)
    return Limit(dimension, kind, unit, base, design, found.lo, found.hi, binding=details[0] if details else reason,
                 binding_details=details,
                 tpp_at_limit=tpp_of(found.lo) if tpp_of else None, note=note)


def _shrunk(base: ChipSpec, t: float, fixed: tuple[str, ...]) -> ChipSpec:
    """The base with every "more is worse" dimension not in ``fixed`` multiplied by ``t``."""
    s = base if "throughput" in fixed else scale_throughput(base, base, t)
    if "memory" not in fixed and base.memory_bandwidth_gbs is not None:
        s = set_memory(s, base.memory_bandwidth_gbs * t)
    if "interconnect" not in fixed and base.interconnect_bandwidth_gbs is not None:
        s = set_interconnect(s, base, base.interconnect_bandwidth_gbs * t)
    return s


def _design_point(probe: _Probe, base: ChipSpec, keep: str) -> tuple[ChipSpec, float] | None:
    """A passing derivative: ``keep`` held at the base value, the rest shrunk together by the largest passing factor,
    then raised back one at a time (throughput, memory, interconnect), never above the base."""
    fixed = () if keep == "balanced" else (keep,)
    found = _search_max(probe, lambda t: _shrunk(base, t, fixed), 1e-9, 1.0)
    if found is None:
        return None
    design = _shrunk(base, found.lo, fixed)
    if "throughput" not in fixed:
        f = _search_max(probe, lambda s: scale_throughput(design, base, s), found.lo, 1.0)
        if f is not None:
            design = scale_throughput(design, base, f.lo)
    if "memory" not in fixed and base.memory_bandwidth_gbs is not None:
        f = _search_max(probe, lambda v: set_memory(design, v), design.memory_bandwidth_gbs or 0.0,
                        base.memory_bandwidth_gbs)
        if f is not None:
            design = set_memory(design, f.lo)
    if "interconnect" not in fixed and base.interconnect_bandwidth_gbs is not None:
        f = _search_max(probe, lambda v: set_interconnect(design, base, v), design.interconnect_bandwidth_gbs or 0.0,
                        base.interconnect_bandwidth_gbs)
        if f is not None:
            design = set_interconnect(design, base, f.lo)
    return design, found.lo


def envelope(base: ChipSpec, ruleset: Ruleset, day: dt.date, ship: Shipment, policy: str = "none",
             view: str = "enforced", tf32_mode: str = "exclude", keep: str = "auto") -> Envelope:
    """The design envelope of ``base`` for ``ship`` on ``day`` (see the module docstring)."""
    if base.item_type != "ic":
        raise InvalidInput("the design envelope is computed for integrated circuits (item_type ic)")
    if not base.dense_tops and base.reported_tpp is None:
        raise InvalidInput(f"{base.display_name}: no throughput is known, so there is nothing to scale")
    if keep not in KEEP:
        raise InvalidInput(f"unknown --keep {keep!r}; use one of: {', '.join(KEEP)}")
    probe = _Probe(ruleset, day, ship, policy, view, tf32_mode)
    base_ok, base_det = probe.run(base)
    notes: list[str] = []
    if base_ok:
        design, used = base, "base"
        t_star: float | None = 1.0
    else:
        order = ("throughput", "balanced") if keep == "auto" else (keep,)
        point = None
        for k in order:
            point = _design_point(probe, base, k)
            if point is not None:
                break
            notes.append(f"keeping {k} at the base value, no derivative passes" if k != "balanced" else
                         "no derivative passes even with every dimension shrunk")
        if point is None:
            _, d = probe.run(_shrunk(base, 1e-9, ()))
            why = "; ".join(r.detail for r in d.reasons) or ("indeterminate: " + ", ".join(d.classification.missing))
            return Envelope(base, ship.destination, day, policy, ship.exporter, view, Status.of(base_det), False,
                            None, base, None, (), infeasible_reason=" ".join(why.split())[:400], keep=keep,
                            notes=tuple(notes))
        design, t_star, used = point[0], point[1], k
        kept = "all dimensions" if k == "balanced" else f"{k} kept at the base value, the other dimensions"
        notes.append(f"the base chip does not pass ({Status.of(base_det).label()}); design point: {kept} "
                     f"shrunk by {t_star:.4g}, then raised back greedily (throughput, memory, interconnect) but "
                     "never above the base")
    d0 = design

    def tpp_scaled(s: float) -> float | None:
        return metrics.tpp(scale_throughput(d0, base, s), tf32_mode).value

    limits: list[Limit] = []
    s0 = _throughput_scale(d0, base)
    f = _search_max(probe, lambda s: scale_throughput(d0, base, s), s0, THROUGHPUT_CAP)
    limits.append(_limit("throughput", "max", "x base", 1.0, s0, f, tpp_scaled,
                         "all precisions scaled together"))
    for precision, rate in sorted(d0.dense_tops.items(), key=lambda kv: _PREC_ORDER.get(kv[0], 99)):
        cap = max(rate, base.dense_tops.get(precision, rate)) * THROUGHPUT_CAP or THROUGHPUT_CAP
        f = _search_max(probe, _rate_maker(d0, precision), rate, cap)
        note = "not counted in TPP (TF32 setting)" if (precision == "tf32" and tf32_mode == "exclude") else ""
        limits.append(_limit(f"rate:{precision}", "max", "TOPS", base.dense_tops.get(precision), rate, f,
                             note=note or "other precisions at the design point"))
    mem0 = d0.memory_bandwidth_gbs
    f = _search_max(probe, lambda v: set_memory(d0, v), mem0 or 0.0, BANDWIDTH_CAP)
    limits.append(_limit("memory_bandwidth_gbs", "max", "GB/s", base.memory_bandwidth_gbs, mem0, f))
    ic0 = d0.interconnect_bandwidth_gbs
    f = _search_max(probe, lambda v: set_interconnect(d0, base, v), ic0 or 0.0, BANDWIDTH_CAP)
    limits.append(_limit("interconnect_bandwidth_gbs", "max", "GB/s", base.interconnect_bandwidth_gbs, ic0, f,
                         note="the 2022 I/O aggregate moves with it (host I/O held)"))
    if d0.die_area_mm2:
        area0 = d0.die_area_mm2
        f = _search_min(probe, lambda v: set_area(d0, v), area0, AREA_FLOOR)
        limits.append(_limit("die_area_mm2", "min", "mm2", base.die_area_mm2, area0, f,
                             note="performance density = TPP / applicable die area"))
    else:
        notes.append("die area unknown in the base: the density prongs cannot be searched (and a datacenter "
                     "derivative whose density decides is indeterminate)")
    notes.append(f"{probe.calls} rule evaluations")
    return Envelope(base, ship.destination, day, policy, ship.exporter, view, Status.of(base_det), True, t_star, d0,
                    metrics.tpp(d0, tf32_mode).value, tuple(limits), keep=keep, design_kind=used, notes=tuple(notes))
