"""`chipcontrol measure`: time this machine's CPU or GPU in the regulation's terms (docs/measure.md).

Registered by ``chipcontrol.cli.main`` through ``register(app)``. Thin: parse, call ``services.measure``, render.
Progress goes to stderr; with ``--format json`` stdout carries only the JSON report.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from chipcontrol.cli.options import Fmt, FormatOpt, OnOpt, SpecOpt, ViewOpt, settings_for

ChipArg = Annotated[str | None, typer.Argument(help="catalogue chip to compare with, e.g. 'NVIDIA H200 SXM 141GB'")]
DeviceOpt = Annotated[str, typer.Option("--device", help="cpu (NumPy), cuda or cuda:N (PyTorch, the 'measure' "
                                        "extra)")]
ReportOpt = Annotated[str | None, typer.Option("--report", help="also write a readable HTML report to this file")]
QuickOpt = Annotated[bool, typer.Option("--quick", help="fewer sizes, shorter runs (seconds instead of minutes)")]
RecordOpt = Annotated[bool, typer.Option("--record/--no-record", help="record the report's hash in the audit log "
                                         "(CHIPCONTROL_DATABASE_URL); default: record")]


class _Progress:
    """One line on stderr per figure started and per size timed."""

    def __init__(self) -> None:
        from rich.console import Console

        self.console = Console(stderr=True, highlight=False)

    def __call__(self, figure: str, point: Any) -> None:
        if point is None:
            self.console.print(f"[bold]measuring {figure}[/bold]")
            return
        size = f"n={point.size}" if point.unit == "TOPS" else f"{point.size / (1 << 20):g} MiB per array"
        self.console.print(f"  {figure} {size}: {point.best:.4g} {point.unit} (best of {len(point.seconds)}, "
                           f"spread {100 * point.spread:.1f} %)", style="dim")


def measure(chip: ChipArg = None, device: DeviceOpt = "cpu", spec: SpecOpt = None, on: OnOpt = None,
            view: ViewOpt = None, report: ReportOpt = None, quick: QuickOpt = False, record: RecordOpt = True,
            fmt: FormatOpt = Fmt.table) -> None:
    """Measure sustained dense matmul throughput per precision and memory bandwidth on this machine; measured TPP,
    the comparison with a declared chip (red flag above its peak) and the classification of the measured figures."""
    from chipcontrol.cli import render
    from chipcontrol.services import inputs
    from chipcontrol.services import measure as svc

    settings = settings_for(view)
    day = inputs.parse_date(on)
    req = svc.MeasureRequest(device=device, chip=chip, spec_path=spec, as_of=day, quick=quick, report_path=report)
    data = svc.measure(req, settings, progress=_Progress(), record=record)
    if fmt == Fmt.json:
        render.emit_json(data)
    else:
        render_measurement(data)


def render_measurement(d: dict[str, Any]) -> None:
    from rich.table import Table

    from chipcontrol.cli.render import console

    m = d["measurement"]
    dev = m["device"]
    cls = d["classification"]
    mc = cls["measured"]
    console.print(f"[bold]{dev['name']}[/bold] ({m['backend']}, plan {m['plan']['name']}, "
                  f"{m['elapsed_seconds']:g} s)")
    rows = {r["figure"]: r for r in (d.get("comparison") or {}).get("rows", [])}
    t = Table(title="Sustained dense matmul (ops counted as TPP counts them)")
    for col in ("precision", "TOPS", "spread", "best n", "declared", "ratio", "status"):
        t.add_column(col, overflow="fold")
    for p in m["precisions"]:
        r = rows.get(p["precision"], {})
        status = r.get("status", "")
        status = "[red]RED FLAG: above declared[/red]" if status == "above_declared" else status.replace("_", " ")
        if p["supported"]:
            t.add_row(p["precision"], f"{p['tops']:.4g}", f"{100 * p['spread']:.1f} %", str(p["best_size"]),
                      _g(r.get("declared")), _g(r.get("ratio")), status)
        else:
            t.add_row(p["precision"], "—", "", "", _g(r.get("declared")), "", f"[dim]{p['reason']}[/dim]")
    console.print(t)
    for b in m["bandwidth"]:
        gbs = "not measured: " + b.get("reason", "") if b.get("gbs") is None else f"{b['gbs']:.4g} GB/s"
        console.print(f"bandwidth {b['kind']}: {gbs}" + (f" (spread {100 * b['spread']:.1f} %; {b['counted']})"
                                                         if b.get("gbs") is not None else ""))
    meas = d["measured"]
    console.print(f"measured TPP [bold]{_g(meas['tpp'])}[/bold] ({meas['tpp_basis']}); memory bandwidth "
                  f"[bold]{_g(meas['memory_bandwidth_gbs'])}[/bold] GB/s")
    for label in ("memory_bandwidth", "tpp"):
        r = rows.get(label)
        if r:
            console.print(f"{label.replace('_', ' ')}: declared {_g(r['declared'])}, measured {_g(r['measured'])}, "
                          f"ratio {_g(r['ratio'])} ({r['status'].replace('_', ' ')})")
    comparison = d.get("comparison")
    if comparison:
        style = "red" if comparison["verdict"] == "red_flag" else "green"
        console.print(f"verdict: [{style}]{comparison['verdict'].replace('_', ' ')}[/{style}] against "
                      f"{d['declared']['compared_with']} (tolerance {100 * comparison['tolerance']:g} %)")
        for line in comparison["red_flags"] + comparison["notes"]:
            console.print(f"  • {line}")
    para = mc["paragraph"] or "not 3A090/4A090"
    if mc["indeterminate"]:
        para += f" (indeterminate: {', '.join(mc['missing'])} unknown)"
    console.print(f"measured spec on {cls['as_of']}: [bold]{para}[/bold]"
                  + ("" if cls["same_as_declared"] is None else
                     f"; declared spec: {cls['declared']['paragraph'] or 'not 3A090/4A090'}"
                     f" ({'same' if cls['same_as_declared'] else 'DIFFERENT'})"))
    cbc = cls["case_by_case_2026"]
    if cbc["in_force"]:
        within = cbc["measured"]["within_case_by_case"]
        console.print(f"2026 case-by-case thresholds: TPP < {_g(cbc['max_tpp']['value'])}, DRAM bandwidth < "
                      f"{_g(cbc['max_dram_bandwidth_gbs']['value'])} GB/s: measured figures "
                      f"{'within' if within else 'unknown' if within is None else 'not within'}")
    audit = d["audit"]
    console.print(f"report sha256 {audit['report_sha256']}; "
                  + (f"audit record #{audit['seq']}" if audit["seq"] is not None else "not recorded")
                  + (f"; HTML {audit['html']}" if audit.get("html") else ""))


def _g(value: Any) -> str:
    return "—" if value is None else f"{value:.4g}" if isinstance(value, float) else str(value)


def register(app: typer.Typer) -> None:
    app.command()(measure)
