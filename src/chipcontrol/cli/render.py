"""Rendering for people: tables and trace trees with rich. JSON goes straight to stdout."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.tree import Tree

console = Console(width=None if sys.stdout.isatty() else 160)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def _status_style(step: dict[str, Any]) -> str:
    return {"indeterminate": "yellow", "assumed": "yellow", "near_threshold": "magenta", "info": "dim",
            "fail": "red", "warning": "yellow"}.get(step.get("status", ""), "")


def trace_tree(title: str, steps: list[dict[str, Any]]) -> Tree:
    tree = Tree(f"[bold]{title}[/bold]")
    for s in steps:
        style = _status_style(s)
        label = f"[cyan]{s['rule_id']}[/cyan]  {s['question']}  [bold]{s['answer']}[/bold]"
        node = tree.add(f"[{style}]{label}[/{style}]" if style else label)
        if s.get("detail"):
            node.add(f"[dim]{s['detail']}[/dim]")
        node.add(f"[green]{s['citation']}[/green]")
    return tree


def render_classification(d: dict[str, Any]) -> None:
    para = d["paragraph"] or "not 3A090/4A090"
    if d["indeterminate"]:
        para += f"  [yellow](indeterminate: {', '.join(d['missing'])} unknown)[/yellow]"
    console.print(f"[bold]{d['item']['name']}[/bold] on {d['as_of']}: [bold]{para}[/bold]"
                  + (f" ({d['subparagraph']})" if d["subparagraph"] and d["subparagraph"] != d["paragraph"] else ""))
    tpp = "unknown" if d["tpp"] is None else f"{d['tpp']:g}"
    pd = "unknown" if d["performance_density"] is None else f"{d['performance_density']:.3f}"
    console.print(f"TPP {tpp} ({d['tpp_basis']}), performance density {pd}, datacenter {d['datacenter']}, "
                  f"rule version {d['rule_version']}")
    if d["z_equivalents"]:
        console.print(f".z equivalents (if described in those ECCNs): {', '.join(d['z_equivalents'])}")
    for n in d["near_thresholds"]:
        console.print(f"[magenta]near threshold:[/magenta] {n}")
    console.print(trace_tree("Trace", d["trace"]))


_VERDICT = {"no_license_required": "[green]NO LICENCE REQUIRED[/green]",
            "license_required": "[red]LICENCE REQUIRED[/red]",
            "license_exception_available": "[yellow]LICENCE REQUIRED — licence exception available[/yellow]",
            "prohibited": "[bold red]PROHIBITED[/bold red]",
            "not_subject_to_ear": "[green]NOT SUBJECT TO THE EAR[/green]",
            "indeterminate": "[yellow]INDETERMINATE — answer the questions below[/yellow]"}


def _policy(p: str | None) -> str:
    return p.replace("_", " ") if p else "none published"


def render_questions(questions: list[dict[str, Any]]) -> None:
    for n, q in enumerate(questions, start=1):
        console.print(f"[bold yellow]Question {n}:[/bold yellow] [bold]{q['question']}[/bold]")
        console.print(f"  [dim]{q['why']} ({q['citation']})[/dim]")
        t = Table(show_header=True, box=None, padding=(0, 2))
        t.add_column("if the answer is")
        t.add_column("then")
        for r in q["replies"]:
            if r["outcome"] == "indeterminate":
                then = "still open: depends on " + ", ".join(r.get("depends_on") or ["another question"])
            elif r["license_required"]:
                then = (f"licence required ({_policy(r['review_policy'])})"
                        + (f"; exceptions: {', '.join(r['license_exceptions'])}" if r["license_exceptions"] else ""))
            else:
                then = r["outcome"].replace("_", " ")
            t.add_row(r["label"], then)
        console.print(t)
        console.print(f"  answer with: [cyan]{q['answer_with']}[/cyan]")


def render_check(d: dict[str, Any]) -> None:
    s = d["shipment"]
    console.print(f"[bold]{d['item']['name']}[/bold] → {s['destination']} from {s['origin']} on {d['as_of']} "
                  f"({d['view']} view): {_VERDICT[d['outcome']]}")
    if d.get("questions"):
        render_questions(d["questions"])
        if d["license_required"]:
            console.print("[red]A licence is required whatever the answers.[/red]")
    console.print(f"Classification: {d['paragraph'] or 'not 3A090/4A090'}; rule version {d['rule_version']}"
                  + ("" if d.get("subject_to_ear", True) else " — not subject to the EAR"))
    if d["review_policy"]:
        console.print(f"Review policy: [bold]{_policy(d['review_policy'])}[/bold]")
        for c in d["review_conditions"]:
            console.print(f"  • {c}")
    if d.get("parties"):
        t = Table(title="Parties", show_lines=False)
        for col in ("role", "name", "hits", "listed ownership", "effect"):
            t.add_column(col)
        for p in d["parties"]:
            hits = "; ".join(f"{h['listed_name']} ({h['list']}, {h['score']:.2f})" for h in p["hits"]) or "none"
            share = "" if p.get("listed_share") is None else f"{p['listed_share']:g} %"
            t.add_row(p["role"].replace("_", " "), p["name"], hits, share, p.get("effect") or "")
        console.print(t)
    if d["reasons"]:
        t = Table(title="Reasons", show_lines=False)
        t.add_column("rule")
        t.add_column("detail")
        t.add_column("citation", style="green")
        for r in d["reasons"]:
            t.add_row(r["rule_id"], r["detail"], r["citation"])
        console.print(t)
    for e in d["license_exceptions"]:
        console.print(f"[yellow]Licence exception {e['name']}[/yellow] ({e['cfr']}): {e['detail']}")
        for c in e["conditions"]:
            console.print(f"  • {c}")
    for w in d["warnings"] + d["notes"]:
        console.print(f"[yellow]note:[/yellow] {w}")
    for n in d.get("notices") or []:
        console.print(f"[blue]notice ({n['kind']}):[/blue] {n['text']} [green]{n['citation']}[/green]")
    if d["view_note"]:
        console.print(f"[dim]{d['view_note']}[/dim]")
    if "other_view" in d:
        o = d["other_view"]
        console.print(f"[yellow]In the {o['view']} view the answer differs:[/yellow] {o.get('outcome', '')}, licence "
                      f"required {o['license_required']}, review policy {o['review_policy']}")
    console.print(trace_tree("Trace", d["trace"]))


def render_timeline(d: dict[str, Any]) -> None:
    t = Table(title=f"{d['item']['name']}" + (f" → {d['destination']}" if d["destination"] else "")
              + f" ({d['view']} view)")
    for col in ("from", "to", "paragraph", "licence", "review policy", "exceptions", "what changed", "citation"):
        t.add_column(col, no_wrap=col in ("from", "to"))
    for p in d["periods"]:
        lic = "" if p["license_required"] is None else ("required" if p["license_required"] else "not required")
        t.add_row(p["from"], p["to"] or "", p["paragraph"] or "—", lic, (p["review_policy"] or "").replace("_", " "),
                  ", ".join(p["license_exceptions"]), p.get("change") or p["rule_version"], p["citation"])
    console.print(t)
    for m in d.get("milestones", []):
        mark = "[bold]*[/bold]" if m["changed_status"] else " "
        console.print(f"{mark} {m['date']}  {m['event']}  [dim]{m['citation']}[/dim]")
    if d.get("milestones"):
        console.print("[dim]* changed this item's status[/dim]")
    for n in d["notes"]:
        console.print(f"[yellow]note:[/yellow] {n}")


def render_chips(rows: list[dict[str, Any]], as_of: str) -> None:
    t = Table(title=f"Catalogue ({len(rows)} items), paragraph on {as_of}")
    for col in ("chip", "TPP", "PD", "datacenter", "paragraph", "status"):
        t.add_column(col)
    for r in rows:
        t.add_row(r["name"], "—" if r["tpp"] is None else f"{r['tpp']:g}",
                  "—" if r["performance_density"] is None else f"{r['performance_density']:.2f}",
                  str(r["datacenter"]), (r["paragraph"] or "—") + (" ?" if r["indeterminate"] else ""),
                  r["value_status"])
    console.print(t)


