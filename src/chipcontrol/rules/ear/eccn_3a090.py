"""ECCN 3A090 / 4A090 classification, one function per dated logic version.

The functions are registered by name in ``LOGIC``; ``regulations/rule_versions.yaml`` says which name is in force
from which date. Thresholds are never written here: every number is read from the ``RuleContext`` with its
citation and recorded in the trace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from chipcontrol.model.citation import Citation
from chipcontrol.model.decision import Classification
from chipcontrol.model.spec import ChipSpec
from chipcontrol.model.trace import ParamRead, TraceStep
from chipcontrol.rules.ear import metrics
from chipcontrol.rules.ruleset import RuleContext

P = "ear.part_774.eccn_3a090."
P4 = "ear.part_774.eccn_4a090.paragraphs"
PZ = "ear.part_774.z_paragraphs"


@dataclass(slots=True)
class _Work:
    """Mutable scratchpad while one classification is built; frozen into a Classification at the end."""

    spec: ChipSpec
    ctx: RuleContext
    tf32_mode: str
    steps: list[TraceStep] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    near: list[str] = field(default_factory=list)
    tpp: metrics.Tpp = field(default_factory=lambda: metrics.Tpp(None, ""))
    pd: float | None = None

    def param(self, name: str) -> ParamRead:
        read = self.ctx.read(P + name)
        if read is None:  # a logic version asked for a parameter not in force: a data bug, caught by tests
            raise LookupError(f"parameter {P + name} not in force on {self.ctx.as_of}")
        return read

    def step(self, rule_id: str, question: str, answer: str, citation: Citation, detail: str = "",
             status: str = "ok", params: tuple[ParamRead, ...] = (), **inputs: object) -> None:
        self.steps.append(TraceStep(rule_id, question, answer, citation, detail, status,
                                    tuple(inputs.items()), params))

    def compare(self, label: str, value: float, read: ParamRead, op: str) -> bool:
        threshold = float(read.value)
        if metrics.near(value, threshold):
            self.near.append(f"{label} {value:g} is within 1% of {threshold:g} ({read.name})")
        if op == "gte":
            return value >= threshold
        if op == "gt":
            return value > threshold
        return value < threshold


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _metrics_steps(w: _Work, tpp_citation: Citation) -> None:
    spec = w.spec
    w.tpp = metrics.tpp(spec, w.tf32_mode)
    if w.tpp.value is None:
        w.missing.append("dense_tops")
        w.step("ear.ccl.metrics.tpp", "What is the total processing performance (TPP)?", "unknown",
               tpp_citation, "No dense throughput is known for this item; TPP cannot be computed.",
               status="indeterminate")
        return
    detail = "Dense rates only (no sparsity), highest over supported bit lengths; " + (
        "TF32 excluded (interpretation setting 'exclude')." if w.tf32_mode == "exclude"
        else f"TF32 counted at {w.tf32_mode} bits.")
    if w.tpp.from_reported:
        detail += " The per-precision rates on record are incomplete, so the published TPP figure is used."
    for mode, alt in w.tpp.tf32_alternatives:
        detail += f" Counting TF32 at {mode} bits would give TPP {alt:g}."
    w.step("ear.ccl.metrics.tpp", "What is the total processing performance (TPP)?",
           f"{w.tpp.value:g} ({w.tpp.basis})", tpp_citation, detail,
           tpp=w.tpp.value, rates=dict(spec.dense_tops))


def _pd_step(w: _Work, citation: Citation) -> None:
    w.pd = metrics.performance_density(w.tpp.value, w.spec.die_area_mm2)
    if w.pd is None:
        w.step("ear.ccl.metrics.performance_density", "What is the performance density (TPP / applicable die area)?",
               "unknown", citation, "The applicable die area (all non-planar logic dies) is not known.",
               status="indeterminate", die_area_mm2=w.spec.die_area_mm2)
    else:
        w.step("ear.ccl.metrics.performance_density", "What is the performance density (TPP / applicable die area)?",
               f"{w.pd:.4g} ({w.tpp.value:g} / {w.spec.die_area_mm2:g} mm2)", citation,
               "Applicable die area counts every non-planar logic die, caches included; HBM stacks are excluded.",
               die_area_mm2=w.spec.die_area_mm2, performance_density=w.pd)


def _finish(w: _Work, paragraph: str | None, sub: str | None, level: str | None,
            indeterminate: bool = False) -> Classification:
    ctx = w.ctx
    if w.pd is None and w.tpp.value is not None and w.spec.die_area_mm2:
        # reported whenever the die area is known, even where no paragraph needed it
        w.pd = metrics.performance_density(w.tpp.value, w.spec.die_area_mm2)
    z: tuple[str, ...] = ()
    zmap = ctx.value(PZ)
    if level in ("a", "b") and zmap:
        z = tuple(zmap.get(f"{'computer' if w.spec.item_type == 'computer' else 'ic'}_{level}", ()))
    interp = (("tf32_bit_length", w.tf32_mode),)
    return Classification(
        item=w.spec.display_name, as_of=ctx.as_of, rule_version=ctx.classification_version.id,
        rule_citation=ctx.classification_version.citation, paragraph=paragraph, subparagraph=sub, level=level,
        tpp=w.tpp.value, tpp_basis=w.tpp.basis, performance_density=w.pd, datacenter=w.spec.datacenter,
        trace=tuple(w.steps), indeterminate=indeterminate or bool(w.missing and paragraph is None),
        missing=tuple(dict.fromkeys(w.missing)), near_thresholds=tuple(w.near), z_equivalents=z,
        interpretations=interp, item_type=w.spec.item_type, memory_bandwidth_gbs=w.spec.memory_bandwidth_gbs)


def _hbm_not_covered(w: _Work) -> Classification:
    w.step("ear.ccl.eccn_3a090.c", "Is this high bandwidth memory controlled under 3A090?", "no",
           Citation(source_id="ear-2024-12-02-fdp-hbm", cfr="15 CFR 774 Supp. 1, ECCN 3A090.c",
                    fr="89 FR 96790", effective="2024-12-02", verification="PQ"),
           "3A090.c (HBM) applies from 2024-12-02; before that HBM stacks were not in 3A090.")
    return _finish(w, None, None, None)


def classify_3a090_not_yet_effective(spec: ChipSpec, ctx: RuleContext, tf32_mode: str = "exclude") -> Classification:
    """2022-10-07 to 2022-10-20: the October 2022 rule is in force but ECCN 3A090/4A090 is not yet."""
    w = _Work(spec, ctx, tf32_mode)
    w.tpp = metrics.tpp(spec, tf32_mode)
    src = ctx.ruleset.sources["ear-2022-10-21-acsme-ifr-3a090"]
    w.step("ear.ccl.eccn_3a090.effective", "Is ECCN 3A090 in force on this date?", "no: from 2022-10-21",
           Citation(source_id="ear-2022-10-21-acsme-ifr-3a090", cfr="15 CFR 774 Supp. 1, ECCN 3A090", fr=src["fr"],
                    published=src["published"], effective=src["effective"], verification=src["verification"],
                    note=src.get("note", "")),
           "The rule's DATES block staggers its provisions; ECCNs 3A090 and 4A090 took effect on 2022-10-21.")
    return _finish(w, None, None, None)


def classify_3a090_2022(spec: ChipSpec, ctx: RuleContext, tf32_mode: str = "exclude") -> Classification:
    """October 2022 test: bit length x TOPS >= 4800 AND aggregate bidirectional I/O >= 600 GB/s."""
    w = _Work(spec, ctx, tf32_mode)
    if spec.item_type == "hbm":
        return _hbm_not_covered(w)
    tops = w.param("a_2022_tops_x_bits")
    io = w.param("a_2022_io_bandwidth_gbs")
    _metrics_steps(w, tops.citation)
    if w.tpp.value is None:
        return _finish(w, None, None, None, indeterminate=True)
    perf = w.compare("bit length x TOPS", w.tpp.value, tops, "gte")
    w.step("ear.ccl.eccn_3a090.a_2022.performance", f"Is bit length x TOPS, aggregated over processor units, "
           f"{tops.value:g} or more?", _yes(perf), tops.citation, params=(tops,), value=w.tpp.value)
    if not perf:
        return _finish(w, None, None, None)
    if spec.io_bandwidth_gbs is None:
        w.missing.append("io_bandwidth_gbs")
        w.step("ear.ccl.eccn_3a090.a_2022.io", f"Is the aggregate bidirectional I/O to non-memory ICs "
               f"{io.value:g} GB/s or more?", "unknown", io.citation,
               "The I/O bandwidth is needed to decide the 2022 test.", status="indeterminate", params=(io,))
        return _finish(w, None, None, None, indeterminate=True)
    io_met = w.compare("I/O bandwidth", spec.io_bandwidth_gbs, io, "gte")
    w.step("ear.ccl.eccn_3a090.a_2022.io", f"Is the aggregate bidirectional I/O to non-memory ICs {io.value:g} "
           "GB/s or more?", _yes(io_met), io.citation, "Both prongs must be met in the 2022 test.",
           params=(io,), io_bandwidth_gbs=spec.io_bandwidth_gbs)
    if io_met:
        return _finish(w, "3A090.a", None, "a")
    return _finish(w, None, None, None)


def classify_3a090_2023(spec: ChipSpec, ctx: RuleContext, tf32_mode: str = "exclude") -> Classification:
    """October 2023 test: TPP and performance density; Note 2 excludes non-datacenter items below TPP 4800."""
    w = _Work(spec, ctx, tf32_mode)
    if spec.item_type == "hbm":
        return _hbm_not_covered(w)
    return _tpp_pd_test(w)


def _tpp_pd_test(w: _Work) -> Classification:
    a1, a2t, a2d = w.param("a1_tpp"), w.param("a2_tpp"), w.param("a2_pd")
    b1t, b1d, b2t, b2d = w.param("b1_tpp"), w.param("b1_pd"), w.param("b2_tpp"), w.param("b2_pd")
    note2 = w.param("note2_non_datacenter_tpp")
    _metrics_steps(w, a1.citation)
    tpp = w.tpp.value
    if tpp is None:
        return _finish(w, None, None, None, indeterminate=True)
    if w.compare("TPP", tpp, a1, "gte"):
        w.step("ear.ccl.eccn_3a090.a.1", f"Is TPP {a1.value:g} or more?", "yes", a1.citation,
               "Meets 3A090.a.1 whether or not designed or marketed for datacenters.", params=(a1,), tpp=tpp)
        return _finish(w, "3A090.a", "3A090.a.1", "a")
    w.step("ear.ccl.eccn_3a090.a.1", f"Is TPP {a1.value:g} or more?", "no", a1.citation, params=(a1,), tpp=tpp)
    if tpp < float(a2t.value) and tpp < float(b2t.value) and tpp < float(b1t.value):
        w.compare("TPP", tpp, a2t, "gte")
        w.step("ear.ccl.eccn_3a090.tpp_floor", f"Is TPP at least {min(a2t.value, b2t.value):g}, the lowest TPP any "
               "density prong reaches?", "no", a2t.citation, "No paragraph of 3A090 can apply.", params=(a2t,),
               tpp=tpp)
        return _finish(w, None, None, None)
    datacenter = w.spec.datacenter
    if datacenter is False:
        w.compare("TPP", tpp, note2, "lt")
        w.step("ear.ccl.eccn_3a090.note2", "Is the item outside 3A090 by Note 2 (not designed or marketed for "
               f"datacenters and TPP below {note2.value:g})?", "yes", note2.citation,
               "The density prongs of 3A090.a.2 and 3A090.b do not reach non-datacenter items.", params=(note2,),
               datacenter=False)
        return _finish(w, None, None, None)
    if datacenter is None:
        w.step("ear.ccl.eccn_3a090.note2", "Is the item designed or marketed for use in datacenters?", "unknown",
               note2.citation, "Note 2 excludes non-datacenter items below the TPP threshold; the flag decides.",
               status="indeterminate", params=(note2,))
    else:
        w.step("ear.ccl.eccn_3a090.note2", "Is the item outside 3A090 by Note 2?", "no", note2.citation,
               "The item is designed or marketed for use in datacenters.", params=(note2,), datacenter=True)
    _pd_step(w, a2d.citation)
    if w.pd is None:
        w.missing.append("die_area_mm2")
        if datacenter is None:
            w.missing.append("datacenter")
        return _finish(w, None, None, None, indeterminate=True)
    pd = w.pd
    result: tuple[str, str, str] | None = None
    a2 = w.compare("TPP", tpp, a2t, "gte") and w.compare("performance density", pd, a2d, "gte")
    w.step("ear.ccl.eccn_3a090.a.2", f"Is TPP {a2t.value:g} or more and performance density {a2d.value:g} or more?",
           _yes(a2), a2d.citation, params=(a2t, a2d), tpp=tpp, performance_density=pd)
    if a2:
        result = ("3A090.a", "3A090.a.2", "a")
    else:
        b1 = (w.compare("TPP", tpp, b1t, "gte") and tpp < float(a1.value)
              and w.compare("performance density", pd, b1d, "gte") and pd < float(a2d.value))
        w.step("ear.ccl.eccn_3a090.b.1", f"Is TPP {b1t.value:g} or more (below {a1.value:g}) with performance density "
               f"{b1d.value:g} or more (below {a2d.value:g})?", _yes(b1), b1d.citation, params=(b1t, b1d),
               tpp=tpp, performance_density=pd)
        if b1:
            result = ("3A090.b", "3A090.b.1", "b")
        else:
            b2 = (w.compare("TPP", tpp, b2t, "gte") and w.compare("performance density", pd, b2d, "gte")
                  and pd < float(a2d.value))
            w.step("ear.ccl.eccn_3a090.b.2", f"Is TPP {b2t.value:g} or more with performance density {b2d.value:g} "
                   f"or more (below {a2d.value:g})?", _yes(b2), b2d.citation, params=(b2t, b2d), tpp=tpp,
                   performance_density=pd)
            if b2:
                result = ("3A090.b", "3A090.b.2", "b")
    if result is None:
        return _finish(w, None, None, None)
    if datacenter is None:
        w.missing.append("datacenter")
        w.step("ear.ccl.eccn_3a090.result", "Which paragraph applies?", f"{result[1]} if designed or marketed for "
               "datacenters; none otherwise", note2.citation, status="indeterminate")
        return _finish(w, None, None, None, indeterminate=True)
    return _finish(w, *result)


def classify_3a090_2024_12(spec: ChipSpec, ctx: RuleContext, tf32_mode: str = "exclude") -> Classification:
    """December 2024: adds 3A090.c for high bandwidth memory (density > 2 GB/s/mm2)."""
    w = _Work(spec, ctx, tf32_mode)
    if spec.item_type != "hbm":
        return _tpp_pd_test(w)
    c = w.param("c_memory_bandwidth_density")
    density = spec.memory_bandwidth_density
    if density is None:
        w.missing.append("memory_bandwidth_density")
        w.step("ear.ccl.eccn_3a090.c", f"Is the memory bandwidth density above {c.value:g} GB/s/mm2?", "unknown",
               c.citation, "Memory bandwidth density (GB/s per mm2 of package or stack) is needed.",
               status="indeterminate", params=(c,))
        return _finish(w, None, None, None, indeterminate=True)
    met = w.compare("memory bandwidth density", density, c, "gt")
    w.step("ear.ccl.eccn_3a090.c", f"Is the memory bandwidth density above {c.value:g} GB/s/mm2?", _yes(met),
           c.citation, params=(c,), memory_bandwidth_density=density)
    return _finish(w, "3A090.c", "3A090.c", "c") if met else _finish(w, None, None, None)


def classify_3a090_2025_01(spec: ChipSpec, ctx: RuleContext, tf32_mode: str = "exclude") -> Classification:
    """January 2025: same parameters; Note 1 to 3A090.a adds a presumption for foundries and OSATs."""
    result = classify_3a090_2024_12(spec, ctx, tf32_mode)
    src = ctx.ruleset.sources["ear-2025-01-16-foundry-dd"]
    note = TraceStep(
        "ear.ccl.eccn_3a090.a.note1", "Does the foundry/OSAT presumption of Note 1 to 3A090.a apply?",
        "not assessed: applies only when a front-end fabricator or OSAT exports an applicable advanced logic IC",
        Citation(source_id="ear-2025-01-16-foundry-dd", cfr="15 CFR 774 Supp. 1, ECCN 3A090.a, Note 1",
                 fr=src.get("fr", ""), published=src.get("published", ""), effective=src.get("effective", ""),
                 verification="S"),
        "Such shipments are presumed 3A090.a and datacenter unless the designer is approved/authorized or the "
        "transistor-count attestation rebuts it.", status="info")
    return replace(result, trace=(*result.trace, note))


LOGIC: dict[str, Callable[[ChipSpec, RuleContext, str], Classification]] = {
    "classify_3a090_not_yet_effective": classify_3a090_not_yet_effective,
    "classify_3a090_2022": classify_3a090_2022,
    "classify_3a090_2023": classify_3a090_2023,
    "classify_3a090_2024_12": classify_3a090_2024_12,
    "classify_3a090_2025_01": classify_3a090_2025_01,
}


def classify(spec: ChipSpec, ctx: RuleContext, tf32_mode: str = "exclude") -> Classification:
    """Classify an IC, an HBM stack or a computer on ``ctx.as_of`` under the logic version then in force."""
    metrics.tf32_bits(tf32_mode)
    ctx.track("@classification")  # the logic and its version are the period's (see Ruleset.differing_parameters)
    fn = LOGIC[ctx.classification_logic]
    if spec.item_type != "computer":
        return fn(spec, ctx, tf32_mode)
    if spec.accelerator is None:
        raise ValueError("a computer spec needs an accelerator")
    inner = fn(spec.accelerator, ctx, tf32_mode)
    read = ctx.read(P4)
    if read is None:
        return replace(inner, item=spec.display_name, item_type="computer")
    para = read.value.get(inner.level) if inner.level else None
    step = TraceStep(
        "ear.ccl.eccn_4a090", "Does the computer, assembly or component contain an IC meeting 3A090?",
        f"yes: {spec.accelerator_count} x {inner.item} ({inner.paragraph}) -> {para}" if para
        else f"no: {inner.item} meets no 3A090 paragraph" + (" (indeterminate)" if inner.indeterminate else ""),
        read.citation, "4A090 follows the classification of the contained ICs.", parameters=(read,))
    zmap = ctx.value(PZ)
    z = tuple(zmap.get(f"computer_{inner.level}", ())) if (zmap and inner.level in ("a", "b")) else ()
    return replace(inner, item=spec.display_name, item_type="computer", paragraph=para,
                   subparagraph=para, contained_paragraph=inner.subparagraph or inner.paragraph,
                   trace=(*inner.trace, step), z_equivalents=z,
                   memory_bandwidth_gbs=spec.memory_bandwidth_gbs or inner.memory_bandwidth_gbs)
