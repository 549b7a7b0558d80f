"""`chipcontrol lab`: what-if scenarios, the design envelope, charts and the scenario report.

Registered by ``chipcontrol.cli.main`` through ``register(app)``. Thin: parse, call ``services.lab``, render.
"""

from __future__ import annotations

import enum
from typing import Annotated, Any

import typer

from chipcontrol.cli.options import Fmt, FormatOpt, ViewOpt, settings_for
from chipcontrol.errors import ChipControlError

lab_app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                      help="Policy lab: what-if scenarios, design envelopes, charts and reports.")
chart_app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                        help="Charts as PNG or SVG (by the --out extension).")


_settings = settings_for


class Policy(enum.StrEnum):
    none = "none"
    presumption_of_approval = "presumption_of_approval"
    case_by_case = "case_by_case"


class Keep(enum.StrEnum):
    auto = "auto"
    throughput = "throughput"
    memory = "memory"
    interconnect = "interconnect"
    balanced = "balanced"


ScenarioArg = Annotated[str, typer.Argument(help="scenario file (YAML); see docs/lab.md")]
ToOpt = Annotated[str, typer.Option("--to", help="destination country (ISO 3166-1 alpha-2)")]
ExporterOpt = Annotated[str | None, typer.Option("--exporter", help="exporting company (exporter-specific letters "
                                                 "bind only their exporter)")]
OutOpt = Annotated[str, typer.Option("--out", "-o", help="output file: .png or .svg")]
ScenarioOpt = Annotated[str | None, typer.Option("--scenario", help="apply a scenario file first")]


def _day(text: str | None) -> Any:
    from chipcontrol.services import inputs

    return inputs.parse_date(text)


def _console() -> Any:
    from chipcontrol.cli import render

    return render.console


def _render_comparison(d: dict[str, Any], title: str) -> None:
    from rich.table import Table

    con = _console()
    t = Table(title=title, show_lines=False)
    for col in ("chip", d["before"]["label"], d["after"]["label"], "reason"):
        t.add_column(col, overflow="fold")
    for c in d["changes"]:
        t.add_row(c["item"], c["before"]["label"], c["after"]["label"], c["reason"])
    con.print(t)
    con.print(f"{d['changed']} of {d['items_compared']} catalogue chips change status (to {d['destination']}"
              + (f", exporter {d['exporter']}" if d["exporter"] else ", no exporter named") + ").")


@lab_app.command("validate")
def validate(scenario: ScenarioArg, fmt: FormatOpt = Fmt.table) -> None:
    """Check a scenario file: parse it, apply it to the regulations, report what it changes."""
    from chipcontrol.cli import render
    from chipcontrol.services import lab

    loaded = lab.load_and_apply(scenario)
    data = loaded.scenario.summary() | {"ruleset_hash": loaded.ruleset.hash, "base_ruleset_hash": loaded.base.hash}
    if fmt == Fmt.json:
        render.emit_json(data)
        return
    con = _console()
    con.print(f"[bold]{data['scenario']}[/bold] ({data['file']}): valid — [yellow]HYPOTHETICAL[/yellow]")
    for p in data["parameters"]:
        con.print(f"  line {p['line']}: {p['name']} = {p['value']!r} from {p['effective']}"
                  + (f" until {p['until']}" if p["until"] else ""))
    for r in data["rules"]:
        con.print(f"  line {r['line']}: rule {r['id']} from {r['effective']}: {r['description']}")
    for v in data["versions"]:
        con.print(f"  line {v['line']}: version {v['id']} from {v['effective']}: enable {v['enable']} "
                  f"disable {v['disable']}")
    for n in data["notes"]:
        con.print(f"  [yellow]note:[/yellow] {n}")


@lab_app.command("impact")
def impact_cmd(
    scenario: ScenarioArg, to: ToOpt,
    on: Annotated[str | None, typer.Option("--on", help="date YYYY-MM-DD (default: the scenario's latest date)")]
    = None,
    exporter: ExporterOpt = None, view: ViewOpt = None, fmt: FormatOpt = Fmt.table,
    chart: Annotated[str | None, typer.Option("--chart", help="also draw the before/after chart (.png/.svg)")] = None,
) -> None:
    """Every catalogue chip whose status changes under a scenario: before, after and why."""
    from chipcontrol.cli import render
    from chipcontrol.services import lab

    settings = _settings(view)
    loaded = lab.load_and_apply(scenario)
    day = _day(on) if on else lab.default_day(loaded.scenario)
    cmp = lab.impact_result(loaded, day, to, exporter, settings)
    data = lab.impact_json(loaded, cmp)
    if chart:
        info, _ = lab.impact_chart(loaded, cmp, chart)
        data["chart"] = info.to_dict()
    if fmt == Fmt.json:
        render.emit_json(data)
        return
    _console().print(f"[yellow]HYPOTHETICAL[/yellow] scenario [bold]{loaded.scenario.title}[/bold] on {day}")
    _render_comparison(data, f"Impact of {loaded.scenario.title} on {day}")
    if chart:
        _console().print(f"chart written: {chart}")


@lab_app.command("diff")
def diff_cmd(
    date_from: Annotated[str, typer.Option("--from", help="first date YYYY-MM-DD")],
    date_to: Annotated[str, typer.Option("--to-date", help="second date YYYY-MM-DD")],
    to: ToOpt, exporter: ExporterOpt = None, scenario: ScenarioOpt = None, view: ViewOpt = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Every catalogue chip whose status differs between two dates (regulations, or a scenario)."""
    from chipcontrol.cli import render
    from chipcontrol.services import lab

    settings = _settings(view)
    cmp, _ = lab.diff_result(_day(date_from), _day(date_to), to, exporter, settings, scenario)
    data = cmp.to_dict()
    if fmt == Fmt.json:
        render.emit_json(data)
    else:
        _render_comparison(data, f"Changes from {date_from} to {date_to}")


@lab_app.command("envelope")
def envelope_cmd(
    to: ToOpt,
    base: Annotated[str | None, typer.Option("--base", help="base chip (catalogue name)")] = None,
    spec: Annotated[str | None, typer.Option("--spec", help="base chip from a spec file instead")] = None,
    on: Annotated[str | None, typer.Option("--on", help="date YYYY-MM-DD (default: today)")] = None,
    policy: Annotated[Policy, typer.Option("--policy", help="most restrictive acceptable outcome: none (no licence), "
                                           "presumption_of_approval or case_by_case")] = Policy.none,
    exporter: ExporterOpt = None,
    keep: Annotated[Keep, typer.Option("--keep", help="what the design point keeps at the base value when the base "
                                       "chip does not pass (auto: throughput if possible, else balanced)")] = Keep.auto,
    check: Annotated[list[str] | None, typer.Option("--check", help="a catalogue chip to test against the envelope "
                                                    "(repeatable)")] = None,
    scenario: ScenarioOpt = None, view: ViewOpt = None, fmt: FormatOpt = Fmt.table,
) -> None:
    """The most a derivative of a base chip may keep and still ship (no licence, or under a review policy)."""
    from chipcontrol.cli import render
    from chipcontrol.services import lab

    if base is None and spec is None:
        raise ChipControlError("give --base CHIP (a catalogue name) or --spec FILE")
    settings = _settings(view)
    data = lab.envelope_result(base, spec, to, _day(on), policy.value, exporter, keep.value, settings, scenario,
                               tuple(check or ()))
    if fmt == Fmt.json:
        render.emit_json(data)
        return
    _render_envelope(data)


def _num(v: float | None) -> str:
    return "—" if v is None else f"{v:.6g}"


def _render_envelope(d: dict[str, Any]) -> None:
    from rich.table import Table

    con = _console()
    target = "without a licence" if d["policy"] == "none" else f"with review no stricter than {d['policy']}"
    con.print(f"[bold]Design envelope of {d['base']}[/bold] → {d['destination']} on {d['as_of']}, {target}"
              + (f", exporter {d['exporter']}" if d["exporter"] else ", no exporter named"))
    con.print(f"Base chip: {d['base_status']['label']}")
    if not d["feasible"]:
        con.print(f"[red]No derivative ships {target}:[/red] {d['infeasible_reason']}")
        return
    t = Table(title=f"Limits at the design point ({d['design_kind']})")
    for col in ("dimension", "base", "design point", "limit", "binding constraint"):
        t.add_column(col, overflow="fold")
    for lim in d["limits"]:
        limit = lim["bound"]
        if lim["dimension"] == "throughput" and lim["tpp_at_limit"] is not None and not lim["unbounded"]:
            limit += f" (TPP {lim['tpp_at_limit']:.6g})"
        t.add_row(f"{lim['dimension']} ({lim['unit']})", _num(lim["base"]), _num(lim["design"]), limit,
                  lim["binding"] or lim["note"])
    con.print(t)
    for n in d["notes"]:
        con.print(f"[dim]note: {n}[/dim]")
    for c in d["candidates"]:
        verdict = "[green]inside[/green]" if c["admitted"] else "[red]outside[/red]"
        con.print(f"{c['candidate']}: {verdict} the envelope")
        for line in c["checks"]:
            con.print(f"  • {line}")


@chart_app.command("landscape")
def chart_landscape(
    out: OutOpt, on: Annotated[str | None, typer.Option("--on", help="date YYYY-MM-DD (default: today)")] = None,
    scenario: ScenarioOpt = None,
    label: Annotated[list[str] | None, typer.Option("--label", help="catalogue chip to label (repeatable; default: "
                                                    "a standard set)")] = None,
    view: ViewOpt = None, fmt: FormatOpt = Fmt.table,
) -> None:
    """TPP vs performance density of the catalogue, with the 3A090 regions in force shaded."""
    from chipcontrol.catalog import Catalog
    from chipcontrol.cli import render
    from chipcontrol.services import lab

    labels = [Catalog.load().lookup(x).key for x in (label or ())]
    info, _ = lab.landscape_chart(_day(on), out, scenario, _settings(view), labels)
    render.emit_json(info.to_dict()) if fmt == Fmt.json else _console().print(
        f"wrote {info.path} ({info.width_px}x{info.height_px} px, {info.points} chips, regions: "
        f"{', '.join(info.regions) or 'none'})")


@chart_app.command("timeline")
def chart_timeline(
    out: OutOpt,
    chip: Annotated[str | None, typer.Argument(help="catalogue chip name")] = None,
    spec: Annotated[str | None, typer.Option("--spec", help="chip spec file")] = None,
    to: Annotated[list[str] | None, typer.Option("--to", help="destination (repeatable)")] = None,
    exporter: ExporterOpt = None, scenario: ScenarioOpt = None, view: ViewOpt = None, fmt: FormatOpt = Fmt.table,
) -> None:
    """A chip's licence status over time, one bar per destination."""
    from chipcontrol.cli import render
    from chipcontrol.services import lab

    info, _ = lab.timeline_chart(chip, spec, tuple(to or ("CN",)), exporter, out, _settings(view),
                                 scenario_path=scenario)
    render.emit_json(info.to_dict()) if fmt == Fmt.json else _console().print(
        f"wrote {info.path} ({info.width_px}x{info.height_px} px; rows: {', '.join(info.labels)})")


@chart_app.command("impact")
def chart_impact(
    scenario: ScenarioArg, out: OutOpt, to: ToOpt,
    on: Annotated[str | None, typer.Option("--on", help="date (default: the scenario's latest date)")] = None,
    exporter: ExporterOpt = None, view: ViewOpt = None, fmt: FormatOpt = Fmt.table,
) -> None:
    """A scenario's before/after: status counts and the chips that change."""
    from chipcontrol.cli import render
    from chipcontrol.services import lab

    settings = _settings(view)
    loaded = lab.load_and_apply(scenario)
    day = _day(on) if on else lab.default_day(loaded.scenario)
    cmp = lab.impact_result(loaded, day, to, exporter, settings)
    info, _ = lab.impact_chart(loaded, cmp, out)
    render.emit_json(info.to_dict()) if fmt == Fmt.json else _console().print(
        f"wrote {info.path} ({info.width_px}x{info.height_px} px; {info.points} chips change)")


@lab_app.command("report")
def report_cmd(
    scenario: ScenarioArg,
    out: Annotated[str, typer.Option("--out", "-o", help="HTML file to write")] = "report.html",
    on: Annotated[str | None, typer.Option("--on", help="date (default: the scenario's latest date)")] = None,
    to: Annotated[str, typer.Option("--to", help="destination country (default CN)")] = "CN",
    exporter: ExporterOpt = None,
    png: Annotated[bool, typer.Option("--png", help="embed PNG (base64) instead of inline SVG")] = False,
    view: ViewOpt = None, fmt: FormatOpt = Fmt.table,
) -> None:
    """One self-contained HTML page for a scenario: changes, impact table and charts."""
    from chipcontrol.cli import render
    from chipcontrol.services import lab

    summary = lab.write_report(scenario, out, _day(on) if on else None, to, exporter, _settings(view), png)
    render.emit_json(summary) if fmt == Fmt.json else _console().print(
        f"wrote {summary['path']}: {summary['changed']} of {summary['items']} chips change status on "
        f"{summary['as_of']} ({summary['bytes']:,} bytes, {summary['charts']} charts)")


lab_app.add_typer(chart_app, name="chart")


def register(app: typer.Typer) -> None:
    """Add the `lab` sub-command group to the main CLI."""
    app.add_typer(lab_app, name="lab")


__all__ = ["lab_app", "register"]
