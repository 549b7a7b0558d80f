"""The `chipcontrol` command line. Thin: parse, call one service, render.

Every command takes --format json. Bad input exits 2 with one line on stderr, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from typing import Annotated, Any

import typer

from chipcontrol.cli.options import Fmt, FormatOpt, OnOpt, SpecOpt, ViewOpt, settings_for
from chipcontrol.errors import ChipControlError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="US export controls (EAR) for AI chips: classify, check, screen, timeline — as of any date.")


ChipArg = Annotated[str | None, typer.Argument(help="catalogue chip name, e.g. 'NVIDIA H20'")]
ObligationsOpt = Annotated[list[str] | None, typer.Option(
    "--obligations", help="YAML file with your own exporter-specific obligation (is-informed letter); repeatable. "
    "Also read from CHIPCONTROL_OBLIGATIONS (paths separated by ':').")]


def _obligation_files(given: list[str] | None) -> list[str]:
    env = [p for p in os.environ.get("CHIPCONTROL_OBLIGATIONS", "").split(os.pathsep) if p]
    return env + list(given or ())


_settings = settings_for


def _party_screen() -> Any:
    from chipcontrol.services.parties import default_party_screener

    return default_party_screener()


@app.command()
def classify(chip: ChipArg = None, spec: SpecOpt = None, on: OnOpt = None, view: ViewOpt = None,
             fmt: FormatOpt = Fmt.table) -> None:
    """Classify a chip (or a computer containing chips) under ECCN 3A090/4A090 on a date, with a cited trace."""
    from chipcontrol.cli import render
    from chipcontrol.services import assess, inputs

    settings = _settings(view)
    day = inputs.parse_date(on)
    item = assess.resolve_item(chip, spec)
    data = assess.classification_json(item, assess.classify_item(item, day, settings), settings)
    render.emit_json(data) if fmt == Fmt.json else render.render_classification(data)


def _answers(given: list[str] | None) -> tuple[tuple[str, str], ...]:
    out = []
    for a in given or ():
        if "=" not in a:
            raise ChipControlError(f"--answer {a!r}: expected QUESTION_ID=VALUE, e.g. item.datacenter=yes")
        k, v = a.split("=", 1)
        out.append((k, v))
    return tuple(out)


@app.command()
def check(
    chip: ChipArg = None, spec: SpecOpt = None,
    to: Annotated[str | None, typer.Option("--to", help="destination country (ISO 3166-1 alpha-2; UA-43 for a "
                                           "region)")] = None,
    origin: Annotated[str, typer.Option("--from", help="exporting country (default US)")] = "US",
    made_in: Annotated[str | None, typer.Option("--made-in", help="where the item was produced (default: the "
                                                "catalogue's)")] = None,
    region: Annotated[str | None, typer.Option("--region", help="ISO 3166-2 region of the destination, e.g. "
                                               "UA-43")] = None,
    end_user: Annotated[str | None, typer.Option("--end-user", help="end user's name (screened)")] = None,
    end_user_hq: Annotated[str | None, typer.Option("--end-user-hq", help="country of the end user's (or "
                                                    "its ultimate parent's) headquarters")] = None,
    purchaser: Annotated[str | None, typer.Option("--purchaser", help="purchaser's name (screened)")] = None,
    ultimate_consignee: Annotated[str | None, typer.Option("--ultimate-consignee", help="ultimate consignee's "
                                                           "name (screened)")] = None,
    intermediate: Annotated[list[str] | None, typer.Option("--intermediate-consignee", help="an intermediate "
                                                           "consignee (screened; repeatable)")] = None,
    exporter: Annotated[str | None, typer.Option("--exporter", help="exporting company (screened)")] = None,
    owner: Annotated[list[str] | None, typer.Option("--owner", help="a direct owner of the end user and its "
                                                    "share, 'NAME=PERCENT' (screened; repeatable)")] = None,
    ownership: Annotated[str | None, typer.Option("--ownership", help="CSV of ownership links: "
                                                  "owner,owned,percent[,source]")] = None,
    qty: Annotated[int | None, typer.Option("--qty", help="quantity of units")] = None,
    end_use: Annotated[list[str] | None, typer.Option("--end-use", help="declared end use: supercomputer, "
                                                      "advanced_node_fab, military, military_intelligence or "
                                                      "acm_storage (repeatable)")] = None,
    listed: Annotated[list[str] | None, typer.Option("--listed-party", help="a party you know is on the Entity "
                                                     "List (repeatable)")] = None,
    answer: Annotated[list[str] | None, typer.Option("--answer", help="reply to a question the engine asked, "
                                                     "QUESTION_ID=VALUE (repeatable)")] = None,
    veu: Annotated[str | None, typer.Option("--veu", help="YAML file of a VEU authorisation you hold")] = None,
    veu_site: Annotated[str | None, typer.Option("--veu-site", help="the authorised data centre this shipment "
                                                 "goes to")] = None,
    obligations: ObligationsOpt = None, on: OnOpt = None, view: ViewOpt = None, fmt: FormatOpt = Fmt.table,
) -> None:
    """May this item go to these parties, in this country, on this date? Questions, reasons, review policy,
    exceptions."""
    from chipcontrol.cli import render
    from chipcontrol.services import assess, inputs

    if to is None:
        raise ChipControlError("--to COUNTRY is required (ISO 3166-1 alpha-2, e.g. CN)")
    settings = _settings(view)
    day = inputs.parse_date(on)
    item = assess.resolve_item(chip, spec)
    req = assess.CheckRequest(destination=to, origin=origin, end_user=end_user, end_user_hq=end_user_hq,
                              exporter=exporter, quantity=qty, end_uses=tuple(end_use or ()),
                              listed_parties=tuple(listed or ()), purchaser=purchaser,
                              ultimate_consignee=ultimate_consignee, intermediate_consignees=tuple(intermediate or ()),
                              owners=tuple(owner or ()), ownership_file=ownership, made_in=made_in, region=region,
                              answers=_answers(answer), veu_file=veu, veu_site=veu_site)
    rs = assess.load_ruleset(_obligation_files(obligations))
    data = assess.check_item(item, req, day, settings, screen=_party_screen() if req.named() else None, ruleset=rs)
    from chipcontrol.services.lists import freshness

    fresh = freshness(day, dt.date.today(), settings)
    data["freshness"] = fresh
    data["warnings"] = [*data["warnings"], *(w for w in fresh["warnings"] if w not in data["warnings"])]
    render.emit_json(data) if fmt == Fmt.json else render.render_check(data)


@app.command()
def timeline(
    chip: ChipArg = None, spec: SpecOpt = None,
    to: Annotated[str | None, typer.Option("--to", help="destination country; omit for classification only")] = None,
    origin: Annotated[str, typer.Option("--from", help="exporting country (default US)")] = "US",
    end_user: Annotated[str | None, typer.Option("--end-user")] = None,
    end_user_hq: Annotated[str | None, typer.Option("--end-user-hq")] = None,
    exporter: Annotated[str | None, typer.Option("--exporter")] = None,
    until: Annotated[str | None, typer.Option("--until", help="last day (default today)")] = None,
    obligations: ObligationsOpt = None, view: ViewOpt = None, fmt: FormatOpt = Fmt.table,
) -> None:
    """Every change in an item's status (for a destination) from 2022-10-07 to today, with citations."""
    from chipcontrol.cli import render
    from chipcontrol.services import assess, inputs

    settings = _settings(view)
    end = inputs.parse_date(until)
    item = assess.resolve_item(chip, spec)
    req = None
    if to is not None:
        req = assess.CheckRequest(destination=to, origin=origin, end_user=end_user, end_user_hq=end_user_hq,
                                  exporter=exporter)
    elif any(v is not None for v in (end_user, end_user_hq, exporter)):
        raise ChipControlError("--end-user, --end-user-hq and --exporter need --to COUNTRY")
    rs = assess.load_ruleset(_obligation_files(obligations))
    data = assess.timeline(item, req, settings, today=end, screen=_party_screen() if end_user else None, ruleset=rs)
    render.emit_json(data) if fmt == Fmt.json else render.render_timeline(data)


@app.command()
def screen(
    name: Annotated[str | None, typer.Argument(help="party name (any script)")] = None,
    country: Annotated[str | None, typer.Option("--country", help="party's country (supporting evidence)")] = None,
    file: Annotated[str | None, typer.Option("--file", help="screen every name in a file: one name per line, or a "
                                             "CSV with a 'name' column (and optionally 'country')")] = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Screen a party (or a file of parties) against the bundled restricted-party lists (Entity List, MEU, DPL, ...)."""
    from chipcontrol.cli import render_screen as render
    from chipcontrol.services import inputs
    from chipcontrol.services.screening import screen_many, screen_party

    if (name is None) == (file is None):
        raise ChipControlError("give either a NAME or --file FILE (exactly one)")
    if file is not None:
        rows = _read_party_file(file, country)
        results = screen_many(rows)
        if fmt == Fmt.json:
            render.emit_json({"count": len(results), "results": results})
        else:
            render.render_screen_many(results)
        return
    assert name is not None
    cc = None
    if country is not None:
        cc, _ = inputs.parse_country(country, "country")
    data = screen_party(name, cc)
    if fmt == Fmt.json:
        render.emit_json(data)
    else:
        render.render_screen(data)


def _read_party_file(path: str, default_country: str | None) -> list[tuple[str, str | None]]:
    import csv
    import io

    from chipcontrol.services.inputs import read_user_file

    text = read_user_file(path, "names")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise ChipControlError(f"{path!r} has no names")
    header = [h.strip().lower() for h in next(csv.reader([lines[0]]))]
    if "name" in header:
        reader = csv.DictReader(io.StringIO("\n".join(lines)))
        reader.fieldnames = [f.strip().lower() for f in (reader.fieldnames or [])]
        return [((row.get("name") or ""), (row.get("country") or default_country or None)) for row in reader]
    return [(ln.strip(), default_country) for ln in lines]


@app.command()
def chips(
    search: Annotated[str | None, typer.Argument(help="filter: words that must appear in the name")] = None,
    on: OnOpt = None, view: ViewOpt = None, fmt: FormatOpt = Fmt.table,
) -> None:
    """List or search the catalogue with TPP, performance density and the paragraph on a date."""
    from chipcontrol.catalog import Catalog
    from chipcontrol.cli import render
    from chipcontrol.services import assess, inputs

    settings = _settings(view)
    day = inputs.parse_date(on)
    cat = Catalog.load()
    entries = cat.search(search) if search else cat.all()
    rows = []
    for e in entries:
        item = assess.Item(e.spec, e)
        c = assess.classify_item(item, day, settings)
        rows.append({"name": e.key, "vendor": e.vendor, "origin": e.origin, "tpp": c.tpp,
                     "performance_density": c.performance_density, "datacenter": e.spec.datacenter,
                     "paragraph": c.paragraph, "subparagraph": c.subparagraph, "indeterminate": c.indeterminate,
                     "missing": list(c.missing), "value_status": e.value_status})
    if fmt == Fmt.json:
        render.emit_json({"as_of": day.isoformat(), "count": len(rows), "chips": rows})
    else:
        render.render_chips(rows, day.isoformat())


@app.command()
def rules(fmt: FormatOpt = Fmt.table) -> None:
    """The dated rule versions and parameters in force, with citations."""
    from chipcontrol.cli import render
    from chipcontrol.rules.ruleset import Ruleset

    rs = Ruleset.load()
    data: dict[str, Any] = {"ruleset_hash": rs.hash,
            "versions": [{"id": v.id, "effective": v.effective.isoformat(), "views": list(v.views),
                          "summary": v.summary, "citation": v.citation.short()} for v in rs.versions],
            "parameters": [{"name": p.name, "unit": p.unit,
                            "values": [{"effective": dv.effective.isoformat(), "value": dv.value,
                                        "citation": dv.citation.short()} for dv in p.values]}
                           for p in rs.parameters.values()]}
    if fmt == Fmt.json:
        render.emit_json(data)
        return
    from rich.table import Table

    t = Table(title=f"Rule versions (ruleset {rs.hash[:12]})")
    for col in ("effective", "id", "views", "summary", "citation"):
        t.add_column(col)
    for v in data["versions"]:
        t.add_row(v["effective"], v["id"], ", ".join(v["views"]), v["summary"], v["citation"])
    render.console.print(t)


@app.command()
def demo() -> None:
    """A short demonstration: the H20 story to China, then the catalogue classified today."""
    from chipcontrol.catalog import ORIGIN_CHIPS, Catalog
    from chipcontrol.cli import render
    from chipcontrol.services import assess

    settings = _settings(None)
    today = dt.date.today()
    h20 = assess.resolve_item("NVIDIA H20", None)
    render.console.rule("[bold]The H20 story: NVIDIA H20 to China, 2022-10-07 to today[/bold]")
    render.render_timeline(assess.timeline(h20, assess.CheckRequest(destination="CN", exporter="NVIDIA"), settings,
                                           today=today))
    moments = ((dt.date(2024, 6, 1), "before the letter"), (dt.date(2025, 4, 20), "after the April 2025 letter"))
    for day, label in moments:
        d = assess.check_item(h20, assess.CheckRequest(destination="CN", exporter="NVIDIA"), day, settings)
        render.console.print(f"{day} ({label}): licence required = [bold]{d['license_required']}[/bold]"
                             + (f", review policy {d['review_policy']}" if d["review_policy"] else ""))
    render.console.rule(f"[bold]The catalogue (chips.csv) classified on {today}[/bold]")
    rows = []
    for e in Catalog.load().all():
        if e.origin != ORIGIN_CHIPS:
            continue
        c = assess.classify_item(assess.Item(e.spec, e), today, settings)
        rows.append({"name": e.key, "tpp": c.tpp, "performance_density": c.performance_density,
                     "datacenter": e.spec.datacenter, "paragraph": c.paragraph, "indeterminate": c.indeterminate,
                     "value_status": e.value_status})
    render.render_chips(rows, today.isoformat())


def _register_subcommands() -> None:
    """Sub-command groups owned by other modules (lab, batch, service). Each module exposes a Typer ``app``
    or a ``register(app)`` function."""
    import importlib

    for module in ("chipcontrol.cli.lab", "chipcontrol.cli.batch", "chipcontrol.cli.service",
                   "chipcontrol.cli.measure"):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        mod.register(app)


_register_subcommands()


def run() -> None:
    """Entry point: one-line errors, exit 2 for bad input, 3 for a bug (traceback only with CHIPCONTROL_DEBUG)."""
    try:
        app(standalone_mode=False)
    except ChipControlError as exc:
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(2)
    except (typer.Exit, SystemExit) as exc:
        code = getattr(exc, "exit_code", getattr(exc, "code", 0))
        sys.exit(code if isinstance(code, int) else 0)
    except typer.Abort:
        sys.stderr.write("aborted\n")
        sys.exit(130)
    except Exception as exc:
        # click's usage errors (unknown option, missing argument): typer raises them from its own vendored copy
        # of click, so they are recognised by class name rather than by click.ClickException
        if any(c.__name__ == "ClickException" for c in type(exc).__mro__) and hasattr(exc, "format_message"):
            sys.stderr.write(f"error: {' '.join(exc.format_message().split())}\n")
            sys.exit(2)
        if os.environ.get("CHIPCONTROL_DEBUG"):
            raise
        sys.stderr.write(f"internal error: {type(exc).__name__}: {' '.join(str(exc).split())[:300]} "
                         "(set CHIPCONTROL_DEBUG=1 for details)\n")
        sys.exit(3)


if __name__ == "__main__":  # pragma: no cover
    run()
