"""Charts for the policy lab (matplotlib, object API, no global pyplot state): PNG or SVG files, or SVG text for
the HTML report.

- ``landscape``: TPP vs performance density of the catalogue, log axes, the 3A090 regions in force on a date shaded,
  points coloured by their real classification that day, datacenter and non-datacenter markers, a source line.
- ``timeline``: a chip's licence status per destination over time (from ``services.assess.timeline``).
- ``before_after``: a scenario's impact: status counts before/after and the chips that change.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from chipcontrol.catalog import Catalog, CatalogEntry
from chipcontrol.errors import InvalidInput
from chipcontrol.lab.impact import Comparison
from chipcontrol.lab.regions import Region, control_regions
from chipcontrol.rules.ear import metrics
from chipcontrol.rules.ear.eccn_3a090 import classify
from chipcontrol.rules.ruleset import Ruleset

FORMATS = ("png", "svg")
DPI = 120
SOURCE = ("Data: chipcontrol catalogue — chips.csv (curated, cited per row) and Epoch AI, “Data on Machine Learning "
          "Hardware” (epoch.ai, CC BY 4.0).")
REGION_COLORS = {"3A090.a.1": "#d62728", "3A090.a.2": "#ff7f0e", "3A090.b.1": "#f2c12e", "3A090.b.2": "#9467bd",
                 "3A090.a (2022)": "#d62728"}
PARA_COLORS = {"a": "#a50f15", "b": "#d98c00", None: "#3b6ea8"}
CATEGORY_COLORS = {"no_license": "#4daf4a", "exception": "#a6d96a", "approval": "#fee08b", "case_by_case": "#fdae61",
                   "denial": "#d73027", "license": "#f46d43", "prohibited": "#67001f", "indeterminate": "#bdbdbd"}
CATEGORY_LABELS = {"no_license": "no licence required", "exception": "licence required, exception available",
                   "approval": "licence: presumption of approval", "case_by_case": "licence: case by case",
                   "denial": "licence: presumption of denial", "license": "licence required",
                   "prohibited": "prohibited", "indeterminate": "indeterminate (missing facts)"}
CATEGORY_SHORT = {"no_license": "no licence", "exception": "licence, exception", "approval": "licence (approval)",
                  "case_by_case": "licence (case by case)", "denial": "licence (denial)", "license": "licence",
                  "prohibited": "prohibited", "indeterminate": "indeterminate"}
# Chips labelled on the landscape by default (when in the catalogue): the ones the story is about.
DEFAULT_LABELS = ("NVIDIA A100 SXM4 80GB", "NVIDIA H100 SXM5 80GB", "NVIDIA H20 (HGX)", "NVIDIA L40S", "NVIDIA L40",
                  "NVIDIA L4", "NVIDIA L20", "NVIDIA A30", "NVIDIA GeForce RTX 4090", "NVIDIA GeForce RTX 4090 D",
                  "NVIDIA B200 (HGX, per GPU)", "AMD Instinct MI300X", "Intel Gaudi 3 (HL-325L OAM)",
                  "Huawei Ascend 910B (910B2)", "NVIDIA Tesla T4", "NVIDIA GeForce RTX 5090 D")


@dataclass(frozen=True, slots=True)
class ChartInfo:
    """What was drawn: for tests and for the CLI's summary line."""

    path: str
    format: str
    width_px: int
    height_px: int
    regions: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    points: int = 0
    omitted: int = 0
    title: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "format": self.format, "width_px": self.width_px, "height_px": self.height_px,
                "regions": list(self.regions), "labels": list(self.labels), "points": self.points,
                "omitted": self.omitted, "title": self.title, **self.extra}


def chart_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise InvalidInput(f"chart file {str(path)!r} must end in .png or .svg")
    return suffix


def _save(fig: Figure, out: str | Path | None, fmt: str) -> tuple[str, bytes]:
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "chipcontrol"}):
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=DPI, metadata={"Date": None} if fmt == "svg" else None)
    data = buf.getvalue()
    if out is not None:
        p = Path(out)
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        except OSError as exc:
            raise InvalidInput(f"cannot write chart {str(p)!r}: {exc.strerror}") from None
        return str(p), data
    return "", data


def _px(fig: Figure) -> tuple[int, int]:
    w, h = fig.get_size_inches()
    return round(w * DPI), round(h * DPI)


def _footer(fig: Figure, lines: Sequence[str]) -> None:
    fig.text(0.01, 0.008, "\n".join(lines), fontsize=7.5, color="#444444", ha="left", va="bottom", wrap=True)


# ------------------------------------------------------------------------------------------------ landscape
def _short(key: str) -> str:
    for vendor in ("NVIDIA ", "AMD Instinct ", "AMD ", "Intel ", "Huawei ", "Google "):
        if key.startswith(vendor):
            key = key[len(vendor):]
            break
    return key.replace("GeForce ", "").replace(" (HGX, per GPU)", "").replace(" (HGX)", "")


def landscape(ruleset: Ruleset, day: dt.date, out: str | Path | None = None, fmt: str = "png",
              labels: Sequence[str] = DEFAULT_LABELS, title_note: str = "", view: str = "enforced",
              tf32_mode: str = "exclude", catalog: Catalog | None = None) -> tuple[ChartInfo, bytes]:
    """TPP vs performance density with the 3A090 regions in force on ``day`` shaded."""
    ctx = ruleset.context(day, view)
    regions, plane_note = control_regions(ctx)
    entries = (catalog or Catalog.load()).all()
    pts: list[tuple[CatalogEntry, float, float, str | None, bool]] = []
    omitted = 0
    for e in entries:
        c = classify(e.spec, ctx, tf32_mode)
        pd = metrics.performance_density(c.tpp, e.spec.die_area_mm2)
        if c.tpp is None or pd is None or c.tpp <= 0:
            omitted += 1
            continue
        pts.append((e, c.tpp, pd, c.level if c.level in ("a", "b") else None, c.indeterminate))
    fig = Figure(figsize=(11, 7.4))
    ax = fig.add_axes((0.07, 0.14, 0.6, 0.78))
    ax.set_xscale("log")
    ax.set_yscale("log")
    xs = [p[1] for p in pts] or [1000.0]
    ys = [p[2] for p in pts] or [1.0]
    thresholds_x = [r.tpp_min for r in regions]
    x0 = min([*xs, *thresholds_x]) / 1.6
    x1 = min(max([*xs, *thresholds_x]) * 1.6, max(thresholds_x, default=5000.0) * 15)
    y0, y1 = min(ys) / 1.6, min(max(ys) * 1.6, 60.0)
    for r in regions:
        y0 = min(y0, (r.pd_min or y1) / 1.6)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    beyond = [e.key for e, tpp, pd, _, _ in pts if tpp > x1 or pd > y1]
    drawn: list[str] = []
    handles: list[Any] = []
    for r in reversed(regions):  # b first, a.1 on top
        color = REGION_COLORS.get(r.name, "#999999")
        rx0, rx1 = r.tpp_min, r.tpp_max or x1
        ry0, ry1 = r.pd_min or y0, r.pd_max or y1
        ax.add_patch(Rectangle((rx0, ry0), rx1 - rx0, ry1 - ry0, facecolor=color, alpha=0.16, edgecolor=color,
                               linewidth=1.0, hatch="//" if r.datacenter_only else None, zorder=1))
        drawn.append(r.name)
    for r in regions:
        color = REGION_COLORS.get(r.name, "#999999")
        handles.append(Patch(facecolor=color, alpha=0.35, edgecolor=color, hatch="//" if r.datacenter_only else None,
                             label=r.label + (" (datacenter)" if r.datacenter_only else "")))
    marker = {True: "o", False: "^", None: "s"}
    for e, tpp, pd, level, indet in pts:
        color = PARA_COLORS[level]
        ax.scatter([tpp], [pd], marker=marker[e.spec.datacenter], s=34, zorder=3,
                   facecolors="white" if indet else color, edgecolors=color, linewidths=1.0)
    labelled = _place_labels(fig, ax, pts, labels)
    ax.set_xlabel("Total processing performance, TPP (dense; log scale)")
    ax.set_ylabel("Performance density, TPP / applicable die area in mm² (log scale)")
    ax.grid(True, which="major", alpha=0.3)
    title = f"AI chips and the ECCN 3A090 lines in force on {day.isoformat()}"
    ax.set_title(title + (f"\n{title_note}" if title_note else ""), fontsize=12, loc="left")
    handles.extend([
        Line2D([], [], marker="o", linestyle="", color="#555555", label="designed/marketed for datacenters"),
        Line2D([], [], marker="^", linestyle="", color="#555555", label="not for datacenters"),
        Line2D([], [], marker="s", linestyle="", color="#555555", label="datacenter flag unknown"),
        Line2D([], [], marker="o", linestyle="", color=PARA_COLORS["a"], label="classified 3A090.a that day"),
        Line2D([], [], marker="o", linestyle="", color=PARA_COLORS["b"], label="classified 3A090.b that day"),
        Line2D([], [], marker="o", linestyle="", color=PARA_COLORS[None], label="not 3A090 that day"),
        Line2D([], [], marker="o", linestyle="", markerfacecolor="white", color="#555555",
               label="indeterminate (a fact is missing)"),
    ])
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.68, 0.92), fontsize=8, frameon=False,
               title="Regions and markers", title_fontsize=9)
    notes = [n for n in (plane_note,) if n]
    if not regions:
        ax.text(0.5, 0.5, plane_note or "no 3A090 region in force", transform=ax.transAxes, ha="center",
                fontsize=11, color="#666666")
    _footer(fig, [
        SOURCE,
        f"Rules: 15 CFR 774 Supp. No. 1, ECCN 3A090, values in force on {day.isoformat()} (chipcontrol ruleset "
        f"{ruleset.hash[:12]}, {view} view); TPP from dense rates, TF32 {tf32_mode}. "
        + (" ".join(n[0].upper() + n[1:] + "." for n in notes)),
        f"{len(pts) - len(beyond)} chips shown; {omitted} without a known TPP or die area are not shown"
        + (f"; beyond the axes: {', '.join(_short(k) for k in beyond)}" if beyond else "")
        + ". Hatched regions apply only to items designed or marketed for datacenters. Not legal advice.",
    ])
    path, data = _save(fig, out, fmt)
    w, h = _px(fig)
    return ChartInfo(path, fmt, w, h, tuple(drawn), tuple(labelled), len(pts), omitted, title), data


def _place_labels(fig: Figure, ax: Any, pts: Sequence[tuple[CatalogEntry, float, float, str | None, bool]],
                  labels: Sequence[str]) -> list[str]:
    """Greedy label placement in display space: each label takes the first candidate offset whose box overlaps no
    placed label and no marker; a thin leader line joins it to its point."""
    fig.canvas.draw_idle()
    scale = DPI / 72.0
    markers = [tuple(ax.transData.transform((tpp, pd))) for _, tpp, pd, _, _ in pts]
    groups: dict[tuple[float, float], list[str]] = {}
    wanted = list(dict.fromkeys(labels))
    for e, tpp, pd, _, _ in pts:
        if e.key in wanted:
            groups.setdefault((tpp, pd), []).append(e.key)
    placed: list[tuple[float, float, float, float]] = []
    done: list[str] = []
    base_offsets = ((8, 6), (8, -14), (-8, 6), (-8, -14), (0, 16), (0, -22), (14, -4), (-14, -4))
    offsets = [(dx * r, dy * r) for r in (1.0, 1.8, 2.8, 4.0) for dx, dy in base_offsets]
    order = sorted(groups.items(), key=lambda kv: (-kv[0][0], -kv[0][1]))
    for (tpp, pd), keys in order:
        text = " / ".join(_short(k) for k in keys)
        px, py = ax.transData.transform((tpp, pd))
        w = 0.56 * 8 * len(text) * scale
        h = 11 * scale
        best = None
        for dx, dy in offsets:
            ox, oy = px + dx * scale, py + dy * scale
            bx0 = ox if dx >= 0 else ox - w
            box = (bx0, oy - 2 * scale, bx0 + w, oy + h)
            if any(not (box[2] < b[0] or box[0] > b[2] or box[3] < b[1] or box[1] > b[3]) for b in placed):
                continue
            if any(box[0] - 3 < mx < box[2] + 3 and box[1] - 3 < my < box[3] + 3 for mx, my in markers):
                continue
            best = (dx, dy, box)
            break
        if best is None:
            best = (8, 6, (px, py, px + w, py + h))
        dx, dy, box = best
        placed.append(box)
        ax.annotate(text, (tpp, pd), xytext=(dx, dy), textcoords="offset points", fontsize=8, zorder=4,
                    ha="left" if dx >= 0 else "right", va="bottom",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
                    arrowprops={"arrowstyle": "-", "color": "#666666", "lw": 0.6, "shrinkA": 0, "shrinkB": 3})
        done.extend(keys)
    return done


# ------------------------------------------------------------------------------------------------ timeline
def _daynum(day: dt.date) -> float:
    """Matplotlib's date number (days since its default epoch, 1970-01-01)."""
    return float((day - dt.date(1970, 1, 1)).days)


def category_of_period(p: dict[str, Any]) -> str:
    if p.get("license_required") is None:
        return "indeterminate"
    if not p["license_required"]:
        return "indeterminate" if p.get("indeterminate") else "no_license"
    if p.get("license_exceptions"):
        return "exception"
    return {"presumption_of_approval": "approval", "case_by_case": "case_by_case",
            "presumption_of_denial": "denial"}.get(p.get("review_policy") or "", "license")


def timeline_chart(item_name: str, rows: Sequence[tuple[str, dict[str, Any]]], out: str | Path | None = None,
                   fmt: str = "png", ruleset_hash: str = "", view: str = "enforced") -> tuple[ChartInfo, bytes]:
    """One bar per destination; ``rows`` are (destination label, ``assess.timeline`` result)."""
    height = 1.9 + 0.55 * len(rows)
    fig = Figure(figsize=(11, height))
    ax = fig.add_axes((0.1, 1.15 / height, 0.87, 1 - 1.75 / height))
    used: list[str] = []
    start = end = None
    for i, (label, tl) in enumerate(rows):
        for p in tl["periods"]:
            a = dt.date.fromisoformat(p["from"])
            b = dt.date.fromisoformat(p["to"]) + dt.timedelta(days=1)
            start = a if start is None else min(start, a)
            end = b if end is None else max(end, b)
            cat = category_of_period(p)
            if cat not in used:
                used.append(cat)
            x0 = _daynum(a)
            width = _daynum(b) - x0
            ax.broken_barh([(x0, width)], (i - 0.38, 0.76), facecolors=CATEGORY_COLORS[cat], edgecolor="white",
                           linewidth=1.2)
            text = (p["subparagraph"] or p["paragraph"] or "not 3A090")
            if width > 75:
                ax.text(x0 + width / 2, i, text, ha="center", va="center", fontsize=7.5, clip_on=True)
        del label
    ax.set_yticks(range(len(rows)), [r[0] for r in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    if start is not None and end is not None:
        ax.set_xlim(_daynum(start), _daynum(end))
        ticks = [dt.date(y, m, 1) for y in range(start.year, end.year + 1) for m in (1, 7)
                 if start <= dt.date(y, m, 1) <= end]
        ax.set_xticks([_daynum(t) for t in ticks], [t.strftime("%Y-%m") for t in ticks])
    ax.grid(True, axis="x", alpha=0.3)
    ax.set_title(f"{item_name}: licence status by destination ({view} view)", loc="left", fontsize=12)
    handles = [Patch(facecolor=CATEGORY_COLORS[c], label=CATEGORY_LABELS[c]) for c in CATEGORY_COLORS if c in used]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.35 / max(1, len(rows)) - 0.08),
              ncol=min(4, len(handles)) or 1,
              fontsize=8, frameon=False)
    _footer(fig, [f"Rules: chipcontrol regulations (ruleset {ruleset_hash[:12]}), US EAR as in force on each date "
                  "from 2022-10-07; bar text is the 3A090/4A090 paragraph. Chip data: chips.csv and Epoch AI (CC BY "
                  "4.0). Not legal advice."])
    path, data = _save(fig, out, fmt)
    w, h = _px(fig)
    return ChartInfo(path, fmt, w, h, labels=tuple(r[0] for r in rows), title=item_name,
                     extra={"categories": used}), data


# ------------------------------------------------------------------------------------------------ before/after
def before_after(cmp: Comparison, title: str, out: str | Path | None = None, fmt: str = "png",
                 max_rows: int = 28) -> tuple[ChartInfo, bytes]:
    """Status counts before/after (left) and each changed chip's status before and after (right)."""
    changes = list(cmp.changes)
    shown = changes[:max_rows]
    n = max(len(shown), 6)
    height = 2.4 + 0.3 * n
    fig = Figure(figsize=(12, height))
    bottom = 1.0 / height
    top = 1 - 0.9 / height
    ax1 = fig.add_axes((0.15, bottom + 0.05, 0.22, top - bottom - 0.05))
    cats = [c for c in CATEGORY_COLORS if cmp.counts_before.get(c) or cmp.counts_after.get(c)]
    ys = range(len(cats))
    before = [cmp.counts_before.get(c, 0) for c in cats]
    after = [cmp.counts_after.get(c, 0) for c in cats]
    ax1.barh([y - 0.2 for y in ys], before, height=0.38, color="#9e9e9e", label=cmp.before.label)
    ax1.barh([y + 0.2 for y in ys], after, height=0.38, color=[CATEGORY_COLORS[c] for c in cats],
             label=cmp.after.label)
    for y, (b, a) in enumerate(zip(before, after, strict=True)):
        ax1.text(b, y - 0.2, f" {b}", va="center", fontsize=7)
        ax1.text(a, y + 0.2, f" {a}", va="center", fontsize=7)
    ax1.set_yticks(list(ys), [CATEGORY_SHORT[c] for c in cats], fontsize=8)
    ax1.invert_yaxis()
    ax1.set_xlabel(f"catalogue items (of {cmp.items})")
    ax1.legend(fontsize=7, loc="upper left", bbox_to_anchor=(-0.4, -0.13), frameon=False)
    ax1.set_title("Status counts", fontsize=10, loc="left")
    ax2 = fig.add_axes((0.45, bottom + 0.05, 0.53, top - bottom - 0.05))
    ax2.set_xlim(0, 3)
    ax2.set_ylim(n - 0.5, -0.5)
    ax2.axis("off")
    ax2.text(0.0, -0.9, "chip", fontsize=9, weight="bold")
    ax2.text(1.08, -0.9, "before: " + cmp.before.label[:28], fontsize=9, weight="bold")
    ax2.text(2.03, -0.9, "after: " + ("scenario" if cmp.after.label.startswith("scenario") else cmp.after.label[:28]),
             fontsize=9, weight="bold")
    for i, ch in enumerate(shown):
        ax2.text(0.0, i, _short(ch.item)[:34], va="center", fontsize=8)
        for x, st in ((1.08, ch.before), (2.03, ch.after)):
            ax2.add_patch(Rectangle((x, i - 0.4), 0.92, 0.8, facecolor=CATEGORY_COLORS[st.category], alpha=0.85,
                                    edgecolor="white"))
            para = st.subparagraph or st.paragraph or "not 3A090"
            ax2.text(x + 0.03, i, f"{para} · {CATEGORY_SHORT[st.category]}", va="center", fontsize=7.2)
    if not shown:
        ax2.text(1.5, 2, "no catalogue chip changes status", ha="center", fontsize=11, color="#666666")
    more = len(changes) - len(shown)
    fig.suptitle(f"{title}\n{len(changes)} of {cmp.items} catalogue chips change status — to "
                 f"{cmp.shipment.destination} on {cmp.after.day.isoformat()}", x=0.01, ha="left", fontsize=11)
    _footer(fig, [SOURCE + (f" {more} further changes are listed in the table." if more > 0 else ""),
                  "Scenario rules are HYPOTHETICAL (cited as verification U), evaluated by the same rules as the "
                  "regulations. Not legal advice."])
    path, data = _save(fig, out, fmt)
    w, h = _px(fig)
    return ChartInfo(path, fmt, w, h, labels=tuple(ch.item for ch in shown), points=len(changes), title=title,
                     extra={"categories": cats}), data


def regions_summary(regions: Sequence[Region]) -> list[str]:
    return [r.label for r in regions]
