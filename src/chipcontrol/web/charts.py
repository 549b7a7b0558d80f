"""Server-side SVG charts (no JavaScript): a chip's timeline as coloured bands per period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from markupsafe import Markup, escape

PARAGRAPH_COLOURS: dict[str | None, str] = {None: "#d9dde3"}
PALETTE = ["#3b6ea8", "#c0504d", "#9bbb59", "#8064a2", "#f79646", "#4bacc6", "#7f7f7f", "#2c4d75", "#d19a2a"]
LICENCE_COLOURS = {True: "#c0392b", False: "#27ae60", None: "#bdc3c7"}
LIGHT = {"#d9dde3", "#bdc3c7"}


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def timeline_svg(data: dict[str, Any], width: int = 900) -> Markup:
    """Two lanes over time: the classification paragraph, and (with a destination) whether a licence is needed.
    Each band has a <title> with its dates, paragraph, licence answer and citation."""
    periods: list[dict[str, Any]] = data.get("periods") or []
    if not periods:
        return Markup("<p>No periods.</p>")
    start = _d(periods[0]["from"])
    end = _d(data.get("through") or periods[-1]["to"])
    span = max((end - start).days, 1)
    left, right, lane_h, top = 150, 20, 34, 30
    lanes = ["classification"] + (["licence"] if data.get("destination") else [])
    height = top + len(lanes) * (lane_h + 12) + 40
    plot_w = width - left - right

    def x(day: dt.date) -> float:
        return left + plot_w * (day - start).days / span

    colours: dict[str | None, str] = dict(PARAGRAPH_COLOURS)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img" viewBox="0 0 {width} {height}" '
           f'width="100%" aria-label="timeline of {escape(data["item"]["name"])}">']
    out.append(f'<text x="{left}" y="16" class="chart-title">{escape(data["item"]["name"])}'
               f'{" → " + escape(data["destination"]) if data.get("destination") else ""}, '
               f'{start.isoformat()} to {end.isoformat()} ({escape(data.get("view", ""))} view)</text>')
    for i, lane in enumerate(lanes):
        y = top + i * (lane_h + 12)
        label = "Classification" if lane == "classification" else f"Licence to {data['destination']}"
        out.append(f'<text x="{left - 8}" y="{y + lane_h / 2 + 4}" text-anchor="end" class="lane">'
                   f'{escape(label)}</text>')
        for p in periods:
            a, b = _d(p["from"]), _d(p["to"] or end.isoformat())
            x0, x1 = x(a), x(b + dt.timedelta(days=1)) if b < end else x(end)
            if lane == "classification":
                key = p.get("paragraph")
                if key not in colours:
                    colours[key] = PALETTE[(len(colours) - 1) % len(PALETTE)]
                fill, text = colours[key], (key or "not 3A090/4A090")
            else:
                lic = p.get("license_required")
                fill = LICENCE_COLOURS.get(lic, "#bdc3c7")
                text = {True: "licence required", False: "no licence", None: "n/a"}.get(lic, "?")
                if lic and p.get("review_policy"):
                    text += f" ({p['review_policy']})"
            tip = (f"{p['from']} to {p['to']}: {p.get('paragraph') or 'not 3A090/4A090'}"
                   + (f"; licence required: {p.get('license_required')}" if lane == "licence" else "")
                   + f"; {p.get('citation', '')}")
            out.append(f'<g class="band"><title>{escape(tip)}</title>'
                       f'<rect x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 1):.1f}" height="{lane_h}" '
                       f'fill="{fill}" stroke="#fff"/>')
            if x1 - x0 > 60:
                dark = " dark" if fill in LIGHT else ""
                out.append(f'<text x="{x0 + 4:.1f}" y="{y + lane_h / 2 + 4}" class="band-label{dark}">'
                           f'{escape(text[: int((x1 - x0) / 6.5)])}</text>')
            out.append("</g>")
    axis_y = top + len(lanes) * (lane_h + 12)
    out.append(f'<line x1="{left}" y1="{axis_y}" x2="{width - right}" y2="{axis_y}" stroke="#333"/>')
    for year in range(start.year + 1, end.year + 1):
        day = dt.date(year, 1, 1)
        out.append(f'<line x1="{x(day):.1f}" y1="{top - 4}" x2="{x(day):.1f}" y2="{axis_y + 5}" stroke="#999" '
                   f'stroke-dasharray="2,3"/><text x="{x(day):.1f}" y="{axis_y + 18}" text-anchor="middle" '
                   f'class="tick">{year}</text>')
    for p in periods[1:]:
        xs = x(_d(p["from"]))
        out.append(f'<line x1="{xs:.1f}" y1="{top - 4}" x2="{xs:.1f}" y2="{axis_y}" stroke="#222" stroke-width="1.5">'
                   f'<title>{escape(p["from"])}: {escape(p.get("rule_version", ""))}</title></line>')
    out.append("</svg>")
    return Markup("".join(out))
