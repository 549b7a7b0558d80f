"""Use case: measure the local accelerator and read the figures in the regulation's own terms.

Steps: validate everything the user gave (chip or spec, date, device, report path) before any timing; run the
backend (``chipcontrol.measure.runner``); build the report: measured TPP (classification's own TPP of the measured
spec), measured memory bandwidth, the comparison with the declared chip, the classification of the measured spec on
the date by the real rules (``services.assess.classify_item``), and the 2026 case-by-case thresholds read from the
ruleset; hash the report; record the hash in the audit log (kind ``measure``); write the HTML report.

The report's hash is SHA-256 over the canonical JSON (``store.audit.canonical_json``) of the report without its
``audit`` block; the ``audit`` block carries that hash and the audit record's sequence number. :func:`report_sha256`
recomputes it from a saved report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chipcontrol import __version__
from chipcontrol.errors import InvalidInput
from chipcontrol.measure import compare as cmp
from chipcontrol.measure.devices import Backend, open_backend, parse_device
from chipcontrol.measure.results import Measurement, Plan
from chipcontrol.measure.runner import Progress
from chipcontrol.measure.runner import measure as run_backend
from chipcontrol.model.decision import Classification
from chipcontrol.model.trace import ParamRead
from chipcontrol.rules.ruleset import Ruleset
from chipcontrol.services import assess
from chipcontrol.settings import Settings
from chipcontrol.store.audit import AuditEntry, canonical_json

SCHEMA = "chipcontrol.measure/1"
CBC_TPP = "ear.part_742.sec_742_6.case_by_case_max_tpp"
CBC_BW = "ear.part_742.sec_742_6.case_by_case_max_dram_bandwidth_gbs"
CBC_FEATURE = "review_2026_case_by_case"
METHOD = {
    "operations": "2·M·N·K per n×n×n matmul (one multiply-add = 2 operations), dense, no sparsity: as TPP counts",
    "figure": "per size: the best of the timed runs after warm-up and calibration; per precision: the best size "
              "of a sweep that stops when the next size improves by less than the plateau tolerance",
    "spread": "(best − worst) / best over the timed runs at the best size",
    "tpp": "the measured spec's TPP as classification computes it: max over measured precisions of TOPS × bit "
           "length (TF32 per CHIPCONTROL_TF32_BITS)",
    "memory_bandwidth": "the better of copy and triad, each at the largest buffer of its sweep (where it converged; "
                        "smaller buffers can be helped by caches), counting bytes read plus bytes written, over "
                        "buffers from 4 times the largest cache",
    "red_flag": "a sustained figure above the declared peak by more than the tolerance",
}


@dataclass(frozen=True, slots=True)
class MeasureRequest:
    """What the user asked for. ``plan`` overrides the backend's default plan (tests, benchmarks)."""

    device: str = "cpu"
    chip: str | None = None
    spec_path: str | None = None
    as_of: dt.date | None = None
    quick: bool = False
    report_path: str | None = None
    plan: Plan | None = None


@dataclass(frozen=True, slots=True)
class Job:
    """A validated request: the open backend, the plan, the declared item (if any) and the date."""

    request: MeasureRequest
    backend: Backend
    plan: Plan
    item: assess.Item | None
    as_of: dt.date


def check_report_path(path: str | None) -> None:
    if path is None:
        return
    p = Path(path)
    if p.suffix.lower() not in (".html", ".htm"):
        raise InvalidInput(f"report file {path!r} must end in .html")
    if p.exists() and p.is_dir():
        raise InvalidInput(f"report file {path!r} is a directory")
    parent = p.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise InvalidInput(f"cannot write report {path!r}: {str(parent)!r} is not a directory")


def prepare(req: MeasureRequest, today: dt.date | None = None) -> Job:
    """Validate everything before any timing: the declared item, the report path, the device (and open it)."""
    day = req.as_of or today or dt.date.today()
    item = None
    if req.chip is not None or req.spec_path is not None:
        item = assess.resolve_item(req.chip, req.spec_path)
        if item.spec.item_type == "hbm":
            raise InvalidInput(f"{item.spec.display_name!r} is a memory stack (hbm): it has no throughput to "
                               "compare with a measurement; name a chip")
    check_report_path(req.report_path)
    backend = open_backend(parse_device(req.device))
    return Job(req, backend, req.plan or backend.default_plan(req.quick), item, day)


def run(job: Job, progress: Progress | None = None) -> Measurement:
    """Time every figure the backend offers (the long part)."""
    try:
        return run_backend(job.backend, job.plan, progress)
    finally:
        job.backend.close()


def _summary(c: Classification) -> dict[str, Any]:
    return {k: v for k, v in c.to_dict().items() if k != "trace"}


def _compare_value(read: ParamRead, comparison: str, value: float | None) -> bool | None:
    if value is None:
        return None
    limit = float(read.value)
    return value < limit if comparison != "lte" else value <= limit


def case_by_case_2026(rs: Ruleset, day: dt.date, view: str, figures: dict[str, tuple[float | None, float | None]]
                      ) -> dict[str, Any]:
    """The 2026 case-by-case thresholds in force on ``day`` (read from the ruleset) and where each set of figures
    (label → (TPP, DRAM bandwidth)) falls."""
    ctx = rs.context(day, view)
    max_tpp, max_bw = ctx.read(CBC_TPP), ctx.read(CBC_BW)
    if max_tpp is None or max_bw is None or CBC_FEATURE not in ctx.features:
        return {"in_force": False, "parameters": [CBC_TPP, CBC_BW],
                "note": f"the 2026 case-by-case review thresholds are not in force on {day.isoformat()} "
                        f"({view} view)"}
    cmp_tpp = rs.parameters[CBC_TPP].comparison or "lt"
    cmp_bw = rs.parameters[CBC_BW].comparison or "lt"
    out: dict[str, Any] = {"in_force": True, "max_tpp": max_tpp.to_dict(), "max_dram_bandwidth_gbs": max_bw.to_dict(),
                           "comparison": {"tpp": cmp_tpp, "dram_bandwidth": cmp_bw}}
    for label, (tpp, bw) in figures.items():
        tpp_ok, bw_ok = _compare_value(max_tpp, cmp_tpp, tpp), _compare_value(max_bw, cmp_bw, bw)
        both = None if tpp_ok is None or bw_ok is None else (tpp_ok and bw_ok)
        out[label] = {"tpp": tpp, "memory_bandwidth_gbs": bw, "tpp_below": tpp_ok, "bandwidth_below": bw_ok,
                      "within_case_by_case": both}
    out["note"] = ("For exports from the United States to China or Macau, case-by-case review needs TPP and total "
                   "DRAM bandwidth below these values, plus certifications, among them independent third-party "
                   "testing in the United States that verifies the performance before export.")
    return out


def build_report(measurement: Measurement, item: assess.Item | None, day: dt.date, settings: Settings,
                 ruleset: Ruleset | None = None) -> dict[str, Any]:
    """The report (without its ``audit`` block): figures, comparison and classification on ``day``."""
    rs = ruleset or Ruleset.load()
    tops = measurement.dense_tops()
    bw = measurement.memory_bandwidth_gbs()
    device_name = str(measurement.device.get("name") or measurement.backend)
    declared = cmp.declared_chip(item.spec) if item is not None else None
    mspec = cmp.measured_spec(f"{device_name} (measured)", tops, bw, declared)
    mclass = assess.classify_item(assess.Item(mspec, None), day, settings, rs)
    report: dict[str, Any] = {
        "schema": SCHEMA,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "measurement": measurement.to_dict(),
        "method": METHOD,
        "measured": {"dense_tops": tops, "memory_bandwidth_gbs": bw, "tpp": mclass.tpp, "tpp_basis": mclass.tpp_basis,
                     "tf32_bits": settings.tf32_bits, "spec": mspec.to_dict()},
        "declared": None,
        "comparison": None,
    }
    figures: dict[str, tuple[float | None, float | None]] = {"measured": (mclass.tpp, bw)}
    classification: dict[str, Any] = {"as_of": day.isoformat(), "view": settings.view, "ruleset_hash": rs.hash,
                                      "measured": {**_summary(mclass),
                                                   "trace": [s.to_dict() for s in mclass.trace]},
                                      "declared": None, "same_as_declared": None}
    if item is not None and declared is not None:
        dclass = assess.classify_item(assess.Item(declared, item.entry if declared is item.spec else None), day,
                                      settings, rs)
        unmeasured = {p.precision: p.reason for p in measurement.precisions if not p.supported}
        comparison = cmp.compare(tops, bw, declared.dense_tops, declared.memory_bandwidth_gbs, mclass.tpp, dclass.tpp,
                                 unmeasured)
        report["declared"] = {"item": item.describe(), "compared_with": declared.display_name,
                              "tpp": dclass.tpp, "tpp_basis": dclass.tpp_basis,
                              "note": ("the item is a computer: the measurement is compared with one of its "
                                       f"{item.spec.accelerator_count} accelerator(s)")
                              if declared is not item.spec else ""}
        report["comparison"] = comparison.to_dict()
        classification["declared"] = _summary(dclass)
        classification["same_as_declared"] = ((mclass.paragraph, mclass.subparagraph, mclass.indeterminate)
                                              == (dclass.paragraph, dclass.subparagraph, dclass.indeterminate))
        figures["declared"] = (dclass.tpp, declared.memory_bandwidth_gbs)
    classification["case_by_case_2026"] = case_by_case_2026(rs, day, settings.view, figures)
    report["classification"] = classification
    return report


def report_sha256(report: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of the report without its ``audit`` block (what the audit log records)."""
    body = {k: v for k, v in report.items() if k != "audit"}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def audit_entry(report: dict[str, Any], request: MeasureRequest, digest: str, actor: str = "cli") -> AuditEntry:
    m = report["measurement"]
    cls = report["classification"]
    return AuditEntry(
        kind="measure", actor=actor,
        inputs={"device": request.device, "device_name": m["device"].get("name"),
                "stable_id": m["device"].get("stable_id"), "chip": request.chip, "spec": request.spec_path,
                "quick": request.quick, "plan": m["plan"]},
        result={"report_sha256": digest, "backend": m["backend"],
                "dense_tops": report["measured"]["dense_tops"],
                "memory_bandwidth_gbs": report["measured"]["memory_bandwidth_gbs"],
                "tpp": report["measured"]["tpp"],
                "verdict": report["comparison"]["verdict"] if report["comparison"] else None,
                "paragraph": cls["measured"]["paragraph"]},
        as_of=cls["as_of"], view=cls["view"], ruleset_hash=cls["ruleset_hash"],
        algorithm=f"chipcontrol-{__version__} {SCHEMA} {m['backend']}")


def record_report(report: dict[str, Any], request: MeasureRequest, settings: Settings, actor: str = "cli") -> int:
    """Record the report's hash in the audit log (kind ``measure``); returns the record's sequence number."""
    from chipcontrol.services.audit import record
    from chipcontrol.store import open_store

    return record(open_store(settings.database_url), audit_entry(report, request, report_sha256(report), actor))


def write_html(report: dict[str, Any], path: str) -> str:
    from chipcontrol.measure.html import render_html

    p = Path(path)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(render_html(report), encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot write report {path!r}: {exc.strerror}") from None
    return str(p)


def measure(req: MeasureRequest, settings: Settings, *, progress: Progress | None = None, record: bool = True,
            actor: str = "cli", today: dt.date | None = None) -> dict[str, Any]:
    """The whole use case: validate, measure, report, hash, record, write the HTML. Returns the report with its
    ``audit`` block."""
    job = prepare(req, today)
    rs = Ruleset.load()
    measurement = run(job, progress)
    report = build_report(measurement, job.item, job.as_of, settings, rs)
    digest = report_sha256(report)
    seq = record_report(report, req, settings, actor) if record else None
    report["audit"] = {"kind": "measure", "report_sha256": digest, "seq": seq,
                       "note": "sha256 of the canonical JSON of this report without this 'audit' block"
                               + ("" if record else "; not recorded (--no-record)")}
    if req.report_path:
        report["audit"]["html"] = write_html(report, req.report_path)
    return report
