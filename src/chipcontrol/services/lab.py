"""Use cases of the policy lab: read scenario files, run impact/diff/envelope on the catalogue, draw charts, write the
HTML report. The pure logic is in ``chipcontrol.lab``; this layer reads and writes files."""

from __future__ import annotations

import base64
import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chipcontrol.catalog import Catalog
from chipcontrol.errors import InvalidInput
from chipcontrol.lab.envelope import envelope as compute_envelope
from chipcontrol.lab.impact import Comparison, diff, impact
from chipcontrol.lab.regions import control_regions
from chipcontrol.lab.scenario import HYPOTHETICAL, Scenario, ScenarioError, parse_scenario
from chipcontrol.model.shipment import Shipment
from chipcontrol.model.spec import ChipSpec
from chipcontrol.rules.ruleset import EARLIEST, Ruleset
from chipcontrol.services import assess, lab_charts
from chipcontrol.services.inputs import read_user_file
from chipcontrol.settings import Settings


def load_scenario(path: str | Path, base: Ruleset | None = None) -> Scenario:
    """Read and validate a scenario file; every problem is one line naming the file and line."""
    return parse_scenario(read_user_file(path, "scenario", ScenarioError), str(Path(path)), base)


@dataclass(frozen=True, slots=True)
class Loaded:
    scenario: Scenario
    base: Ruleset
    ruleset: Ruleset


def load_and_apply(path: str | Path) -> Loaded:
    base = Ruleset.load()
    sc = load_scenario(path, base)
    return Loaded(sc, base, sc.apply(base))


def default_day(sc: Scenario) -> dt.date:
    """The latest date the scenario changes something (the day its effect is complete)."""
    days = [p.effective for p in sc.parameters] + [r.effective for r in sc.rules] + [v.effective for v in sc.versions]
    return max(days) if days else dt.date.today()


def catalogue_items(catalog: Catalog | None = None) -> list[tuple[str, ChipSpec]]:
    return [(e.key, e.spec) for e in (catalog or Catalog.load()).all()]


def shipment(destination: str, exporter: str | None = None) -> Shipment:
    ship, _, _ = assess.build_shipment(assess.CheckRequest(destination=destination, exporter=exporter), None)
    return ship


def _check_day(day: dt.date) -> dt.date:
    if day < EARLIEST:
        raise InvalidInput(f"date {day.isoformat()} is before 2022-10-07, when the advanced-computing rules began")
    return day


def impact_result(loaded: Loaded, day: dt.date, destination: str, exporter: str | None, settings: Settings
                  ) -> Comparison:
    return impact(catalogue_items(), loaded.base, loaded.ruleset, _check_day(day), shipment(destination, exporter),
                  f"scenario: {loaded.scenario.title}", settings.view, settings.tf32_bits)


def impact_json(loaded: Loaded, cmp: Comparison) -> dict[str, Any]:
    return {"scenario": loaded.scenario.summary(), "status": HYPOTHETICAL, **cmp.to_dict()}


def diff_result(day_from: dt.date, day_to: dt.date, destination: str, exporter: str | None, settings: Settings,
                scenario_path: str | None = None) -> tuple[Comparison, Scenario | None]:
    rs = Ruleset.load()
    sc = None
    label = "regulations"
    if scenario_path:
        sc = load_scenario(scenario_path, rs)
        rs = sc.apply(rs)
        label = f"scenario: {sc.title}"
    cmp = diff(catalogue_items(), rs, _check_day(day_from), _check_day(day_to), shipment(destination, exporter),
               label, settings.view, settings.tf32_bits)
    return cmp, sc


def envelope_result(chip: str | None, spec_path: str | None, destination: str, day: dt.date, policy: str,
                    exporter: str | None, keep: str, settings: Settings, scenario_path: str | None = None,
                    check: Sequence[str] = ()) -> dict[str, Any]:
    item = assess.resolve_item(chip, spec_path)
    rs = Ruleset.load()
    if scenario_path:
        rs = load_scenario(scenario_path, rs).apply(rs)
    env = compute_envelope(item.spec, rs, _check_day(day), shipment(destination, exporter), policy,
                                settings.view, settings.tf32_bits, keep)
    out = env.to_dict()
    out["ruleset_hash"] = rs.hash
    out["scenario"] = scenario_path
    checks = []
    cat = Catalog.load()
    for name in check:
        cand = cat.lookup(name)
        ok, lines = env.admits(cand.spec, settings.tf32_bits)
        checks.append({"candidate": cand.key, "admitted": ok, "checks": lines})
    out["candidates"] = checks
    return out


# ------------------------------------------------------------------------------------------------ charts
def landscape_chart(day: dt.date, out: str | None, scenario_path: str | None, settings: Settings,
                    labels: Sequence[str] = ()) -> tuple[lab_charts.ChartInfo, bytes]:
    rs = Ruleset.load()
    note = ""
    if scenario_path:
        sc = load_scenario(scenario_path, rs)
        rs = sc.apply(rs)
        note = f"{HYPOTHETICAL} scenario: {sc.title}"
    fmt = lab_charts.chart_format(out) if out else "png"
    return lab_charts.landscape(rs, _check_day(day), out, fmt, tuple(labels) or lab_charts.DEFAULT_LABELS, note,
                                settings.view, settings.tf32_bits)


def timeline_chart(chip: str | None, spec_path: str | None, destinations: Sequence[str], exporter: str | None,
                   out: str | None, settings: Settings, today: dt.date | None = None,
                   scenario_path: str | None = None) -> tuple[lab_charts.ChartInfo, bytes]:
    if not destinations:
        raise InvalidInput("give at least one --to COUNTRY")
    item = assess.resolve_item(chip, spec_path)
    rs = Ruleset.load()
    if scenario_path:
        rs = load_scenario(scenario_path, rs).apply(rs)
    rows = []
    for cc in destinations:
        tl = assess.timeline(item, assess.CheckRequest(destination=cc, exporter=exporter), settings, today=today,
                             ruleset=rs)
        label = tl["destination"] + (f" ({exporter})" if exporter else "")
        rows.append((label, tl))
    fmt = lab_charts.chart_format(out) if out else "png"
    return lab_charts.timeline_chart(item.spec.display_name, rows, out, fmt, rs.hash, settings.view)


def impact_chart(loaded: Loaded, cmp: Comparison, out: str | None) -> tuple[lab_charts.ChartInfo, bytes]:
    fmt = lab_charts.chart_format(out) if out else "png"
    return lab_charts.before_after(cmp, f"{HYPOTHETICAL} scenario: {loaded.scenario.title}", out, fmt)


# ------------------------------------------------------------------------------------------------ report
_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1180px;margin:2em auto;padding:0 1em;
color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.8em;border-bottom:1px solid #ddd}
.warn{background:#fff4e5;border-left:4px solid #f0a020;padding:.6em 1em;margin:1em 0}
table{border-collapse:collapse;width:100%;font-size:.86em;margin:.6em 0}
th,td{border:1px solid #ddd;padding:.35em .5em;text-align:left;vertical-align:top}th{background:#f4f4f4}
td.num{text-align:right}.small{font-size:.8em;color:#555}figure{margin:1em 0}figure svg{max-width:100%;height:auto}
.cat{display:inline-block;width:.8em;height:.8em;border-radius:2px;margin-right:.3em;vertical-align:middle}
"""


def _e(x: Any) -> str:
    return html.escape("" if x is None else str(x))


def _svg_inline(data: bytes) -> str:
    text = data.decode("utf-8")
    start = text.find("<svg")
    return text[start:] if start >= 0 else text


def _status_cell(st: dict[str, Any]) -> str:
    color = lab_charts.CATEGORY_COLORS.get(st["category"], "#ccc")
    return f'<span class="cat" style="background:{color}"></span>{_e(st["label"])}'


def report_html(path: str | Path, day: dt.date | None, destination: str, exporter: str | None,
                settings: Settings, png: bool = False) -> tuple[str, dict[str, Any]]:
    """One self-contained HTML page for a scenario: what it changes, the impact table and the charts (inline SVG, or
    base64 PNG with ``png``). Returns the page and a summary."""
    loaded = load_and_apply(path)
    sc = loaded.scenario
    on = _check_day(day or default_day(sc))
    cmp = impact_result(loaded, on, destination, exporter, settings)

    def figure(info_data: tuple[lab_charts.ChartInfo, bytes], caption: str) -> str:
        _, data = info_data
        if png:
            body = f'<img alt="{_e(caption)}" src="data:image/png;base64,{base64.b64encode(data).decode()}">'
        else:
            body = _svg_inline(data)
        return f"<figure>{body}<figcaption class=small>{_e(caption)}</figcaption></figure>"

    fmt = "png" if png else "svg"
    charts = [
        figure(lab_charts.before_after(cmp, f"{HYPOTHETICAL} scenario: {sc.title}", None, fmt),
               "Status of every catalogue chip before and after the scenario."),
        figure(lab_charts.landscape(loaded.base, on, None, fmt, lab_charts.DEFAULT_LABELS, "regulations",
                                    settings.view, settings.tf32_bits),
               f"The regulations on {on}: 3A090 regions and the catalogue."),
        figure(lab_charts.landscape(loaded.ruleset, on, None, fmt, lab_charts.DEFAULT_LABELS,
                                    f"{HYPOTHETICAL} scenario: {sc.title}", settings.view, settings.tf32_bits),
               f"The scenario on {on}: 3A090 regions (added bandwidth rules are not on this plane; see the table)."),
    ]
    regions_base, _ = control_regions(loaded.base.context(on, settings.view))
    regions_sc, _ = control_regions(loaded.ruleset.context(on, settings.view))
    rows_params = "".join(
        f"<tr><td>{p.line}</td><td><code>{_e(p.name)}</code></td><td>{_e(p.effective)}</td><td>{_e(p.until or '')}</td>"
        f"<td>{_e(p.value)}</td><td>{_e(_value_on(loaded.base, p.name, p.effective))}</td><td>{_e(p.note)}</td></tr>"
        for p in sc.parameters)
    rows_rules = "".join(
        f"<tr><td>{r.line}</td><td>{_e(r.id)}</td><td>{_e(r.effective)}</td><td>{_e(r.description)}</td>"
        f"<td>{_e(', '.join(f'{a} {op} {v:g}' for a, op, v in r.any_of) or ', '.join(r.models))}</td>"
        f"<td>{_e(loaded.base.context(on).describe_scope(r.destinations) if r.destinations else '')}</td>"
        f"<td>{_e(r.review_policy.replace('_', ' '))}</td><td>{_e(r.exporter)}</td></tr>" for r in sc.rules)
    rows_versions = "".join(
        f"<tr><td>{v.line}</td><td>{_e(v.id)}</td><td>{_e(v.effective)}</td><td>{_e(', '.join(v.enable))}</td>"
        f"<td>{_e(', '.join(v.disable))}</td><td>{_e(v.classification or '')}</td><td>{_e(v.summary)}</td></tr>"
        for v in sc.versions)
    rows_changes = "".join(
        f"<tr><td>{_e(c.item)}</td><td>{_status_cell(c.before.to_dict())}</td><td>{_status_cell(c.after.to_dict())}"
        f"</td><td>{_e(c.reason)}</td></tr>" for c in cmp.changes)
    counts = "".join(
        f"<tr><td>{_status_cell({'category': k, 'label': lab_charts.CATEGORY_LABELS[k]})}</td>"
        f"<td class=num>{cmp.counts_before.get(k, 0)}</td><td class=num>{cmp.counts_after.get(k, 0)}</td></tr>"
        for k in lab_charts.CATEGORY_COLORS if cmp.counts_before.get(k) or cmp.counts_after.get(k))
    ship = f"to {cmp.shipment.destination}" + (f", exporter {exporter}" if exporter else ", exporter not named")
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f"<title>{_e(HYPOTHETICAL)} scenario: {_e(sc.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(sc.title)}</h1>",
        f"<p class=small>Scenario file <code>{_e(sc.origin)}</code> · assessed on {on} {ship} · {settings.view} view · "
        f"generated by chipcontrol on {dt.date.today()} · base ruleset {loaded.base.hash[:12]}, scenario ruleset "
        f"{loaded.ruleset.hash[:12]}</p>",
        f"<div class=warn><b>{HYPOTHETICAL}.</b> This page applies a what-if scenario to the US Export Administration "
        "Regulations as recorded in chipcontrol. Every value the scenario adds is cited as unverified ("
        "<code>U</code>) and is not law. Nothing here is legal advice.</div>",
        f"<p>{_e(sc.description)}</p>" if sc.description else "",
        "<h2>What the scenario changes</h2>",
        ("<table><tr><th>line</th><th>parameter</th><th>from</th><th>until</th><th>scenario value</th>"
         f"<th>regulations on that date</th><th>note</th></tr>{rows_params}</table>") if sc.parameters else "",
        ("<table><tr><th>line</th><th>added rule</th><th>from</th><th>description</th><th>covers</th>"
         f"<th>destinations</th><th>review policy</th><th>binds</th></tr>{rows_rules}</table>") if sc.rules else "",
        ("<table><tr><th>line</th><th>added version</th><th>from</th><th>enables</th><th>disables</th>"
         f"<th>classification</th><th>summary</th></tr>{rows_versions}</table>") if sc.versions else "",
        "".join(f"<p class=small>Note: {_e(n)}</p>" for n in sc.notes),
        f"<h2>Impact on the catalogue: {len(cmp.changes)} of {cmp.items} chips change status</h2>",
        "<table><tr><th>status</th><th>regulations</th><th>scenario</th></tr>" + counts + "</table>",
        ("<table><tr><th>chip</th><th>regulations</th><th>scenario</th><th>reason</th></tr>" + rows_changes
         + "</table>") if cmp.changes else "<p>No catalogue chip changes status.</p>",
        "<h2>Charts</h2>", *charts,
        "<h2>3A090 lines on this date</h2><table><tr><th>regulations</th><th>scenario</th></tr>"
        f"<tr><td>{'<br>'.join(_e(r.label) for r in regions_base) or '—'}</td>"
        f"<td>{'<br>'.join(_e(r.label) for r in regions_sc) or '—'}</td></tr></table>",
        f"<p class=small>{_e(lab_charts.SOURCE)} Rules: chipcontrol regulations data with per-value citations "
        "(Federal Register documents; verification tags P/PQ/S/U). Each status comes from the same classification "
        "and licence rules run on the regulations and on the overlaid scenario data.</p>",
        "</body></html>",
    ]
    page = "\n".join(p for p in parts if p)
    summary = {"scenario": sc.title, "as_of": on.isoformat(), "destination": cmp.shipment.destination,
               "changed": len(cmp.changes), "items": cmp.items, "charts": len(charts), "bytes": len(page.encode())}
    return page, summary


def _value_on(rs: Ruleset, name: str, day: dt.date) -> Any:
    dv = rs.parameters[name].at(day)
    return None if dv is None else dv.value


def write_report(path: str | Path, out: str | Path, day: dt.date | None, destination: str, exporter: str | None,
                 settings: Settings, png: bool = False) -> dict[str, Any]:
    page, summary = report_html(path, day, destination, exporter, settings, png)
    p = Path(out)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot write report {str(p)!r}: {exc.strerror}") from None
    summary["path"] = str(p)
    return summary


# ------------------------------------------------------------------------------------------------ web page
def web_lab(day: dt.date, destination: str | None, scenario_text: str | None, settings: Settings) -> dict[str, Any]:
    """What the web UI's lab page shows: the landscape chart on a date (under a pasted scenario, if any) and, with a
    destination, the scenario's impact on the catalogue with its before/after chart. Charts are inline SVG."""
    base = Ruleset.load()
    loaded: Loaded | None = None
    if scenario_text and scenario_text.strip():
        sc = parse_scenario(scenario_text, "scenario", base)
        loaded = Loaded(sc, base, sc.apply(base))
    rs = loaded.ruleset if loaded else base
    note = f"{HYPOTHETICAL} scenario: {loaded.scenario.title}" if loaded else ""
    _, svg = lab_charts.landscape(rs, _check_day(day), None, "svg", lab_charts.DEFAULT_LABELS, note, settings.view,
                                  settings.tf32_bits)
    out: dict[str, Any] = {"as_of": day.isoformat(), "landscape_svg": _svg_inline(svg), "impact": None,
                           "impact_svg": None, "scenario": loaded.scenario.summary() if loaded else None}
    if loaded is not None and destination:
        cmp = impact_result(loaded, day, destination, None, settings)
        out["impact"] = impact_json(loaded, cmp)
        _, chart = lab_charts.before_after(cmp, f"{HYPOTHETICAL} scenario: {loaded.scenario.title}", None, "svg")
        out["impact_svg"] = _svg_inline(chart)
    return out
