"""The ownership register on the command line: ``ownership add|list|show|update|remove|import``.

Registered by :func:`chipcontrol.cli.service.register`. Same conventions as the other service commands: one-line
errors (exit 2), ``--format json``, the database is CHIPCONTROL_DATABASE_URL (or ``--database``); every change is
recorded in the audit log as the person given with ``--as``.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from chipcontrol.cli.options import emit, wants_json
from chipcontrol.errors import InvalidInput

FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table (for people) or json")]
DatabaseOpt = Annotated[str | None, typer.Option("--database", help="database URL (default: "
                                                 "CHIPCONTROL_DATABASE_URL)")]
AsOpt = Annotated[str, typer.Option("--as", help="who records the change (in the audit log)")]

app = typer.Typer(help="The ownership register: who owns your customers (direct holdings, with source and date; "
                       "history kept; every change audited). Checks in the service take its holdings.",
                  no_args_is_help=True)


_json = wants_json
_emit = emit


def _store(database: str | None) -> Any:
    from chipcontrol.settings import Settings
    from chipcontrol.store import open_store

    return open_store(database or Settings.from_env().database_url)


def _person(name: str) -> Any:
    from chipcontrol.services.keys import Principal

    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise InvalidInput("--as NAME: the person recording the change is empty")
    return Principal(cleaned[:200], "analyst", None)


def _row(e: dict[str, Any]) -> str:
    when = f"as of {e['as_of']}" if e["as_of"] else "undated"
    src = f"  [{e['source'][:40]}]" if e["source"] else ""
    return (f"{e['id']:>6}  {e['status']:<10} {e['owner'][:38]:<38} holds {e['percent']:>7} % of "
            f"{e['owned'][:38]:<38} {when}{src}\n")


def _changed(out: dict[str, Any], fmt: str, verb: str) -> None:
    if _json(fmt):
        _emit(out)
        return
    e = out["entry"]
    sys.stdout.write(f"entry {e['id']} {verb}: {e['owner']} holds {e['percent']} % of {e['owned']}"
                     + (f" (supersedes {', '.join(map(str, out['superseded']))})" if out["superseded"] else "")
                     + f"; audit record {out['audit_seq']}\n")


@app.command("add")
def add(
    owner: Annotated[str, typer.Argument(help="the owner")],
    owned: Annotated[str, typer.Argument(help="the entity it holds directly")],
    percent: Annotated[str, typer.Argument(help="0-100")],
    source: Annotated[str, typer.Option("--source", help="where this is known from")] = "",
    as_of: Annotated[str | None, typer.Option("--as-of", help="the date the source states it for, YYYY-MM-DD")]
    = None,
    person: AsOpt = "cli", database: DatabaseOpt = None, fmt: FormatOpt = "table",
) -> None:
    """Record that OWNER holds PERCENT of OWNED. A pair already recorded is refused: use update."""
    from chipcontrol.services import ownership_register as reg

    out = reg.add(_store(database), _person(person), reg.Holding(owner, owned, percent, source, as_of))
    _changed(out, fmt, "recorded")


@app.command("update")
def update(
    entry: Annotated[int, typer.Argument(help="the current entry's id")],
    percent: Annotated[str | None, typer.Option("--percent", help="the new percentage")] = None,
    source: Annotated[str | None, typer.Option("--source", help="the new source")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="the new date, YYYY-MM-DD")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="why (recorded)")] = None,
    person: AsOpt = "cli", database: DatabaseOpt = None, fmt: FormatOpt = "table",
) -> None:
    """Change a holding: a new entry supersedes it; the old one stays in the history."""
    from chipcontrol.services import ownership_register as reg

    out = reg.update(_store(database), _person(person), entry, percent=percent, source=source, as_of=as_of,
                     reason=reason)
    _changed(out, fmt, "recorded")


@app.command("remove")
def remove(
    entry: Annotated[int, typer.Argument(help="the current entry's id")],
    reason: Annotated[str, typer.Option("--reason", help="why (recorded)")],
    person: AsOpt = "cli", database: DatabaseOpt = None, fmt: FormatOpt = "table",
) -> None:
    """End a holding; it stays in the history as removed."""
    from chipcontrol.services import ownership_register as reg

    out = reg.remove(_store(database), _person(person), entry, reason)
    if _json(fmt):
        _emit(out)
        return
    sys.stdout.write(f"entry {entry} removed; audit record {out['audit_seq']}\n")


@app.command("list")
def list_cmd(
    status: Annotated[str, typer.Option("--status", help="current | superseded | removed | all")] = "current",
    owner: Annotated[str | None, typer.Option("--owner", help="owner name contains")] = None,
    owned: Annotated[str | None, typer.Option("--owned", help="owned entity's name contains")] = None,
    search: Annotated[str | None, typer.Option("--search", help="either name or the source contains")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 50, offset: Annotated[int, typer.Option("--offset")] = 0,
    database: DatabaseOpt = None, fmt: FormatOpt = "table",
) -> None:
    """The register (current holdings by default)."""
    from chipcontrol.services import ownership_register as reg

    data = reg.list_entries(_store(database), reg.Filter(status=status, owner=owner, owned=owned, search=search),
                            limit=max(1, limit), offset=max(0, offset))
    if _json(fmt):
        _emit(data)
        return
    for e in data["entries"]:
        sys.stdout.write(_row(e))
    sys.stdout.write(f"{len(data['entries'])} of {data['total']} entr{'y' if data['total'] == 1 else 'ies'}\n")


@app.command("show")
def show(entry: Annotated[int, typer.Argument(help="an entry's id")], database: DatabaseOpt = None,
         fmt: FormatOpt = "table") -> None:
    """One entry and the history of its owner and owned pair."""
    from chipcontrol.services import ownership_register as reg

    data = reg.get_entry(_store(database), entry)
    if _json(fmt):
        _emit(data)
        return
    for e in data["history"]:
        sys.stdout.write(_row(e).rstrip("\n") + f"  recorded {e['recorded_at'][:19]} by {e['recorded_by']}"
                         + (f"; ended {e['ended_at'][:19]} by {e['ended_by']}: {e['end_reason']}"
                            if e["ended_at"] else "") + "\n")


@app.command("import")
def import_cmd(
    file: Annotated[str, typer.Argument(help="CSV owner,owned,percent[,source[,as_of]] with a header")],
    person: AsOpt = "cli", database: DatabaseOpt = None, fmt: FormatOpt = "table",
) -> None:
    """Import holdings: new pairs added, changed ones superseded, identical ones left alone. All or nothing: a bad
    row stores nothing and the error names its line."""
    from chipcontrol.services import inputs
    from chipcontrol.services import ownership_register as reg

    text = inputs.read_user_file(file, "ownership")
    out = reg.import_csv(_store(database), _person(person), text, file)
    if _json(fmt):
        _emit(out)
        return
    sys.stdout.write(f"{file}: {out['added']} added, {out['updated']} updated, {out['unchanged']} unchanged"
                     + (f"; audit record {out['audit_seq']}" if out["audit_seq"] else "") + "\n")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="ownership")
