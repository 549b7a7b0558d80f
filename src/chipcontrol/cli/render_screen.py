"""Screening results in the terminal: hits (one row per company, all its listings), then possible matches."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from chipcontrol.cli.render import console, emit_json

__all__ = ["emit_json", "render_screen", "render_screen_many"]  # emit_json: the screen command renders JSON too


def _why(h: dict[str, Any]) -> str:
    why = h.get("explanation", "")
    return str(why.get("summary", "")) if isinstance(why, dict) else str(why)


def _lists(h: dict[str, Any]) -> str:
    listings = h.get("listings") or [{"list": h.get("list", "")}]
    return ", ".join(dict.fromkeys(str(x.get("list", "")) for x in listings))


def render_screen(d: dict[str, Any]) -> None:
    hits = d.get("hits") or []
    possible = d.get("possible_matches") or []
    where = f" ({d['country']})" if d.get("country") else ""
    console.print(f"[bold]{d['query']}[/bold]{where}: {len(hits)} hit(s) at or above {d.get('threshold')} "
                  f"[dim](algorithm {d.get('algorithm')}, lists of {(d.get('snapshot') or {}).get('date', '?')})[/dim]")
    if not hits:
        console.print("[green]No match on the restricted-party lists screened.[/green]")
    else:
        t = Table()
        for col in ("score", "lists", "listed name", "matched name", "meaning", "why"):
            t.add_column(col)
        for h in hits:
            t.add_row(f"{h['score']:.2f}", _lists(h), h["name"], h.get("matched_name", ""), h.get("meaning", ""),
                      _why(h))
        console.print(t)
    if possible:
        t = Table(title="Possible matches to review (below the threshold)")
        for col in ("score", "lists", "listed name", "matched name", "why"):
            t.add_column(col)
        for h in possible:
            t.add_row(f"{h['score']:.2f}", _lists(h), h["name"], h.get("matched_name", ""), _why(h))
        console.print(t)


def render_screen_many(results: list[dict[str, Any]]) -> None:
    t = Table(title=f"Screened {len(results)} name(s)")
    for col in ("row", "name", "hits", "best match", "list", "score", "to review"):
        t.add_column(col)
    for i, r in enumerate(results, 1):
        if "error" in r:
            t.add_row(str(r.get("row", i)), str(r.get("query") or ""), "[red]error[/red]", r["error"]["message"],
                      "", "", "")
            continue
        hits = r.get("hits") or []
        top = hits[0] if hits else None
        t.add_row(str(i), r["query"], str(len(hits)), top["name"] if top else "—", top["list"] if top else "",
                  f"{top['score']:.2f}" if top else "", str(len(r.get("possible_matches") or [])))
    console.print(t)
