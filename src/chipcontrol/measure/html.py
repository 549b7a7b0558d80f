"""The readable report: one self-contained HTML page from the report JSON (so a saved JSON report can be rendered
again). Curves are matplotlib SVG, inline; no scripts, no external files."""

from __future__ import annotations

import html
import io
from collections.abc import Iterable, Sequence
from typing import Any

COLORS = {"fp64": "#1f77b4", "fp32": "#2ca02c", "tf32": "#17becf", "fp16": "#ff7f0e", "bf16": "#d62728",
          "fp8": "#9467bd", "int8": "#8c564b", "fp4": "#e377c2", "int4": "#7f7f7f", "fp6": "#bcbd22",
          "copy": "#1f77b4", "triad": "#ff7f0e"}
STATUS_TEXT = {"above_declared": "RED FLAG: above declared peak", "consistent": "consistent",
               "far_below": "far below declared", "not_declared": "not declared", "not_measured": "not measured"}
CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:1100px;color:#222;
line-height:1.4;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}td,th{border:1px solid #ddd;padding:.25rem .5rem;
text-align:left;vertical-align:top}th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}
.red{color:#b00020;font-weight:bold}.ok{color:#1b7a1b;font-weight:bold}.muted{color:#666}
.verdict{font-size:1.1rem;padding:.5rem .75rem;border-radius:4px;display:inline-block}
.verdict.red_flag{background:#fde7ea}.verdict.consistent{background:#e8f5e9}
.verdict.no_declared_figures{background:#eee}code{font-size:.85rem}
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _num(value: Any, digits: int = 4) -> str:
    if value is None:
        return "—"
    if isinstance(value, (int, float)):
        return f"{value:.{digits}g}"
    return _e(value)


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>"
                                   for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _kv(d: dict[str, Any]) -> str:
    rows = []
    for k, v in d.items():
        if isinstance(v, dict):
            v = ", ".join(f"{kk}: {vv}" for kk, vv in v.items()) or "—"
        elif isinstance(v, list):
            v = "; ".join(", ".join(f"{kk} {vv}" for kk, vv in x.items()) if isinstance(x, dict) else str(x)
                          for x in v) or "—"
        rows.append((_e(k), _e("—" if v is None else v)))
    return _table(("field", "value"), rows)


def curves_svg(report: dict[str, Any]) -> str:
    """Throughput vs matmul size per precision, and bandwidth vs buffer size, as one inline SVG."""
    import matplotlib
    from matplotlib.figure import Figure

    m = report["measurement"]
    fig = Figure(figsize=(10, 3.8))
    ax1, ax2 = fig.subplots(1, 2)
    for p in m["precisions"]:
        if not p.get("supported"):
            continue
        pts = p["sweep"]["points"]
        ax1.plot([q["size"] for q in pts], [q["best"] for q in pts], marker="o", label=p["precision"],
                 color=COLORS.get(p["precision"]))
    ax1.set_xscale("log", base=2)
    ax1.set_yscale("log")
    ax1.set_xlabel("n (n×n×n matmul)")
    ax1.set_ylabel("sustained dense TOPS (best run)")
    ax1.set_title("Matmul throughput vs size")
    ax1.grid(True, which="both", alpha=0.3)
    if ax1.lines:
        ax1.legend(fontsize=8)
    for b in m["bandwidth"]:
        if not b.get("sweep"):
            continue
        pts = b["sweep"]["points"]
        ax2.plot([q["size"] / (1 << 20) for q in pts], [q["best"] for q in pts], marker="s", label=b["kind"],
                 color=COLORS.get(b["kind"]))
    ax2.set_xscale("log", base=2)
    ax2.set_xlabel("buffer per array (MiB)")
    ax2.set_ylabel("GB/s (bytes read + written)")
    ax2.set_title("Memory bandwidth vs buffer size")
    ax2.grid(True, which="both", alpha=0.3)
    if ax2.lines:
        ax2.legend(fontsize=8)
    fig.tight_layout()
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "chipcontrol"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    return text[text.find("<svg"):]


def _precision_rows(report: dict[str, Any]) -> list[list[str]]:
    cmp_rows = {r["figure"]: r for r in (report.get("comparison") or {}).get("rows", [])}
    rows = []
    for p in report["measurement"]["precisions"]:
        r = cmp_rows.get(p["precision"], {})
        status = r.get("status", "")
        cls = ' class="red"' if status == "above_declared" else ""
        if p["supported"]:
            measured, spread, size = _num(p["tops"]), f"{100 * p['spread']:.1f} %", str(p["best_size"])
            why = _e(p.get("method"))
        else:
            measured, spread, size, why = "—", "—", "—", f'<span class="muted">{_e(p["reason"])}</span>'
        rows.append([_e(p["precision"]), measured, spread, size, _num(r.get("declared")), _num(r.get("ratio"), 3),
                     f"<span{cls}>{_e(STATUS_TEXT.get(status, status))}</span>", why])
    return rows


def render_html(report: dict[str, Any]) -> str:
    """The whole page."""
    m = report["measurement"]
    dev = m["device"]
    cls = report["classification"]
    mc = cls["measured"]
    meas = report["measured"]
    comparison = report.get("comparison")
    audit = report.get("audit") or {}
    para = mc["paragraph"] or "not 3A090/4A090"
    if mc["indeterminate"]:
        para += f" (indeterminate: {', '.join(mc['missing'])} unknown)"
    parts = [f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Measurement: {_e(dev['name'])}"
             f"</title><style>{CSS}</style></head><body>",
             f"<h1>Measured in the regulation's terms: {_e(dev['name'])}</h1>",
             f"<p class=\"muted\">Device {_e(dev.get('kind'))}"
             + (f":{_e(dev.get('index'))}" if dev.get("index") is not None else "")
             + f", backend {_e(m['backend'])}, plan {_e(m['plan']['name'])}, started {_e(m['started_at'])}, "
             f"{_num(m['elapsed_seconds'])} s. Classified on {_e(cls['as_of'])} ({_e(cls['view'])} view).</p>"]
    verdict = comparison["verdict"] if comparison else "no_declared_figures"
    verdict_text = {"red_flag": "RED FLAG: a sustained figure exceeds the declared peak",
                    "consistent": "Consistent with the declared figures",
                    "no_declared_figures": "No declared figures to compare with"}[verdict]
    parts.append(f'<p class="verdict {verdict}">{_e(verdict_text)}</p>')
    parts.append(_table(("figure", "value"), [
        ["measured TPP", f"{_num(meas['tpp'], 6)} <span class=\"muted\">({_e(meas['tpp_basis'])})</span>"],
        ["measured memory bandwidth", f"{_num(meas['memory_bandwidth_gbs'], 6)} GB/s"],
        [f"classification of the measured spec on {_e(cls['as_of'])}", f"<b>{_e(para)}</b>"],
        ["declared item", _e(report["declared"]["compared_with"]) if report.get("declared") else "—"],
        ["classification of the declared spec", _e((cls.get("declared") or {}).get("paragraph") or
                                                   ("not 3A090/4A090" if cls.get("declared") else "—"))],
    ]))
    if comparison and comparison["red_flags"]:
        parts.append("<ul>" + "".join(f'<li class="red">{_e(f)}</li>' for f in comparison["red_flags"]) + "</ul>")
    if comparison and comparison["notes"]:
        parts.append("<ul>" + "".join(f"<li>{_e(n)}</li>" for n in comparison["notes"]) + "</ul>")
    parts.append("<h2>Throughput and bandwidth curves</h2>")
    parts.append(curves_svg(report))
    tol = (comparison or {}).get("tolerance")
    parts.append("<h2>Declared vs measured</h2>")
    if tol is not None:
        parts.append(f"<p>Red flag: measured above declared by more than {100 * tol:g} %.</p>")
    parts.append(_table(("precision", "measured TOPS", "spread", "best n", "declared TOPS", "ratio", "status",
                         "method / why not measured"), _precision_rows(report), numeric=(1, 2, 3, 4, 5)))
    bw_rows = {r["figure"]: r for r in (comparison or {}).get("rows", [])}
    rows = [[_e(b["kind"]), _num(b.get("gbs")), f"{100 * b['spread']:.1f} %" if b.get("spread") is not None else "—",
             _num(b.get("bytes_per_array", 0) / (1 << 20), 5) + " MiB" if b.get("gbs") else "—",
             _e(b["counted"] if b.get("gbs") else b.get("reason"))] for b in m["bandwidth"]]
    parts.append(_table(("kernel", "measured GB/s", "spread", "buffer per array", "bytes counted"), rows,
                        numeric=(1, 2, 3)))
    for fig in ("memory_bandwidth", "tpp"):
        r = bw_rows.get(fig)
        if r:
            parts.append(f"<p>{_e(fig.replace('_', ' '))}: declared {_num(r['declared'], 6)}, measured "
                         f"{_num(r['measured'], 6)} {_e(r['unit'])}, ratio {_num(r['ratio'], 3)} — "
                         f"{_e(STATUS_TEXT.get(r['status'], r['status']))}</p>")
    parts.append(f"<h2>Classification on {_e(cls['as_of'])}</h2>")
    crow = [["measured spec", _e(para), _num(mc["tpp"], 6), _num(mc["performance_density"]),
             _e(mc["rule_version"])]]
    dc = cls.get("declared")
    if dc:
        dpara = dc["paragraph"] or "not 3A090/4A090"
        crow.append(["declared spec", _e(dpara), _num(dc["tpp"], 6), _num(dc["performance_density"]),
                     _e(dc["rule_version"])])
    parts.append(_table(("spec", "paragraph", "TPP", "performance density", "rule version"), crow, numeric=(2, 3)))
    cbc = cls["case_by_case_2026"]
    if cbc["in_force"]:
        ops = {"lt": "&lt;", "lte": "≤"}
        lim = (f"2026 case-by-case review (China/Macau): TPP {ops.get(cbc['comparison']['tpp'], '&lt;')} "
               f"{_num(cbc['max_tpp']['value'], 6)} and DRAM bandwidth "
               f"{ops.get(cbc['comparison']['dram_bandwidth'], '&lt;')} "
               f"{_num(cbc['max_dram_bandwidth_gbs']['value'], 6)} GB/s ({_e(cbc['max_tpp']['citation'])}).")
        parts.append(f"<p>{lim}</p>")
        rows = [[_e(label), _num(cbc[label]["tpp"], 6), _num(cbc[label]["memory_bandwidth_gbs"], 6),
                 _e({True: "yes", False: "no", None: "unknown"}[cbc[label]["within_case_by_case"]])]
                for label in ("measured", "declared") if label in cbc]
        parts.append(_table(("figures", "TPP", "DRAM GB/s", "below both"), rows, numeric=(1, 2)))
    parts.append(f"<p class=\"muted\">{_e(cbc['note'])}</p>")
    parts.append("<details><summary>Trace of the measured spec's classification</summary>")
    parts.append(_table(("rule", "question", "answer", "citation"),
                        [[_e(s["rule_id"]), _e(s["question"]), _e(s["answer"]), _e(s["citation"])]
                         for s in mc.get("trace", [])]))
    parts.append("</details>")
    parts.append("<h2>Device</h2>" + _kv(dict(dev)))
    parts.append("<h2>Software</h2>" + _kv(dict(m["software"])))
    parts.append("<h2>Method</h2>" + _kv(dict(report["method"])) + _kv(dict(m["plan"])))
    if m.get("notes"):
        parts.append("<ul>" + "".join(f"<li>{_e(n)}</li>" for n in m["notes"]) + "</ul>")
    parts.append("<h2>Integrity</h2>")
    parts.append(f"<p>Report SHA-256 <code>{_e(audit.get('report_sha256', 'not computed'))}</code> "
                 f"({_e(audit.get('note', ''))}); audit record "
                 f"{_e(audit.get('seq') if audit.get('seq') is not None else 'none')}; ruleset "
                 f"<code>{_e(cls['ruleset_hash'][:16])}</code>.</p>")
    parts.append("</body></html>")
    return "\n".join(parts)
