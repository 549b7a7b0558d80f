"""The compliance desk on the command line: ``review list|show|decide``, ``lists import|changes``, ``parties
import``, ``export``, ``audit certificate`` and ``audit verify-certificate``.

Registered by :func:`chipcontrol.cli.service.register`. Same conventions as the other commands: one-line errors
(exit 2), ``--format json``; the database is CHIPCONTROL_DATABASE_URL (or ``--database``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from chipcontrol.cli.options import emit, wants_json
from chipcontrol.errors import InvalidInput
from chipcontrol.settings import Settings

FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table (for people) or json")]
DatabaseOpt = Annotated[str | None, typer.Option("--database", help="database URL (default: "
                                                 "CHIPCONTROL_DATABASE_URL)")]

review_app = typer.Typer(help="The review queue: decide screening hits (true match, false positive, escalate).",
                         no_args_is_help=True)
lists_app = typer.Typer(help="Restricted-party lists: import a new snapshot (diff + re-screening), list changes.",
                        no_args_is_help=True)
parties_app = typer.Typer(help="Known parties: upload a customer file (screened now and at every list change).",
                          no_args_is_help=True)


_json = wants_json
_emit = emit


def _settings(database: str | None = None) -> Settings:
    import dataclasses

    s = Settings.from_env()
    return dataclasses.replace(s, database_url=database) if database else s


def _runtime(database: str | None = None) -> Any:
    from chipcontrol.services.runtime import Runtime

    return Runtime.open(_settings(database))


def _person(name: str | None) -> Any:
    from chipcontrol.services.keys import Principal

    if name is None or not name.strip():
        raise InvalidInput("--as NAME is required: the person deciding (recorded; four-eyes compares people)")
    return Principal(" ".join(name.split())[:200], "admin", None)


def _read(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"{what} file {path!r} not found") from None
    except OSError as exc:
        raise InvalidInput(f"{what} file {path!r} cannot be read: {exc.strerror or exc}") from None


# --- review ---------------------------------------------------------------------------------------

@review_app.command("list")
def review_list(
    status: Annotated[str | None, typer.Option("--status", help="open | pending_second | true_match | "
                                               "false_positive | escalated | undecided")] = "undecided",
    list_id: Annotated[str | None, typer.Option("--list", help="only hits on this list (entity_list, ...)")] = None,
    party: Annotated[str | None, typer.Option("--party", help="party name contains")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 50, offset: Annotated[int, typer.Option("--offset")] = 0,
    database: DatabaseOpt = None, fmt: FormatOpt = "table",
) -> None:
    """The review queue (undecided items by default), oldest first."""
    from chipcontrol.services import review

    rt = _runtime(database)
    data = review.list_items(rt.store, review.QueueFilter(status=status or None, list_id=list_id, party=party),
                             limit=max(1, limit), offset=max(0, offset))
    if _json(fmt):
        _emit(data)
        return
    for it in data["items"]:
        sys.stdout.write(f"{it['id']:>6}  {it['status']:<15} {it['list']:<12} {it['score']:.2f}  {it['party'][:40]:<40}"
                         f" ~ {it['listed_name'][:50]}\n")
    sys.stdout.write(f"{len(data['items'])} of {data['total']} item(s)\n")


@review_app.command("show")
def review_show(item: Annotated[int, typer.Argument(help="review item id")], database: DatabaseOpt = None,
                fmt: FormatOpt = "table") -> None:
    """One item: the hit and every decision on it."""
    from chipcontrol.services import review

    data = review.get_item(_runtime(database).store, item)
    if _json(fmt):
        _emit(data)
        return
    sys.stdout.write(f"item {data['id']}: {data['party']} ~ {data['listed_name']} ({data['list']}, entry "
                     f"{data['entry_id']} v{data['entry_version']}), score {data['score']:.2f}, status "
                     f"{data['status']}\n")
    for d in data["decisions"]:
        sys.stdout.write(f"  {d['created_at'][:19]}  {d['reviewer']}: {d['verdict']} — {d['reason']}\n")


@review_app.command("decide")
def review_decide(
    items: Annotated[list[int], typer.Argument(help="review item ids")],
    verdict: Annotated[str, typer.Option("--verdict", help="true_match | false_positive | escalate")],
    reason: Annotated[str, typer.Option("--reason", help="why (recorded)")],
    person: Annotated[str | None, typer.Option("--as", help="who decides (recorded; four-eyes compares people)")]
    = None,
    database: DatabaseOpt = None, fmt: FormatOpt = "table",
) -> None:
    """Decide one or more items. Clearing a blocking-list hit needs a second person (--as someone else)."""
    from chipcontrol.services import review

    rt = _runtime(database)
    out = review.decide(rt.store, rt.settings, _person(person), items, verdict, reason)
    if _json(fmt):
        _emit({"items": out})
        return
    for it in out:
        sys.stdout.write(f"item {it['id']}: {it['status']}\n")


# --- lists and parties ------------------------------------------------------------------------------

@lists_app.command("import")
def lists_import(
    file: Annotated[str, typer.Argument(help="the list file")],
    list_format: Annotated[str, typer.Option("--list-format", help="csl-csv | csl-json | ofac-sdn-csv | "
                                             "nsfreg-json")],
    snapshot_date: Annotated[str | None, typer.Option("--snapshot-date", help="YYYY-MM-DD the data refers to")]
    = None,
    person: Annotated[str | None, typer.Option("--as", help="who imports (recorded)")] = "cli",
    database: DatabaseOpt = None, fmt: FormatOpt = "table",
) -> None:
    """Import a list snapshot: shows what changed and re-screens every party the store knows."""
    from chipcontrol.services import lists

    rt = _runtime(database)
    lists.restore_imports(rt)
    data = lists.import_list(rt, fmt=list_format, content=_read(file, "list"), source=Path(file).name,
                             by=_person(person), snapshot_date=snapshot_date)
    if _json(fmt):
        _emit(data)
        return
    ch, rs = data["change"], data["rescreen"]
    sys.stdout.write(f"imported {data['imported']['entries']} entries ({', '.join(data['imported']['lists'])}); "
                     f"change {ch['id']}: {ch['added']} added, {ch['removed']} removed, {ch['changed']} changed\n")
    sys.stdout.write(f"re-screened {rs['parties']} known parties in {rs['seconds']} s: {rs['new_hits']} new hit(s) "
                     f"for {rs['parties_hit']} party(ies), now in the review queue\n")
    for h in rs["hits"][:20]:
        sys.stdout.write(f"  {h['party']} ~ {h['listed_name']} ({h['list']}, {h['score']})\n")


@lists_app.command("changes")
def lists_changes(database: DatabaseOpt = None, fmt: FormatOpt = "table") -> None:
    """The list imports and what each changed."""
    from chipcontrol.services import lists

    data = lists.list_changes(_runtime(database))
    if _json(fmt):
        _emit(data)
        return
    for c in data["changes"]:
        sys.stdout.write(f"{c['id']:>4}  {c['created_at'][:19]}  {','.join(c['lists']):<24} +{c['added']} "
                         f"-{c['removed']} ~{c['changed']}\n")


@parties_app.command("import")
def parties_import(
    file: Annotated[str, typer.Argument(help="one name per line, or CSV with name[,country]")],
    person: Annotated[str | None, typer.Option("--as", help="who uploads (recorded)")] = "cli",
    database: DatabaseOpt = None, fmt: FormatOpt = "table",
) -> None:
    """Upload a customer file: screened now (hits to the review queue) and at every list change."""
    from chipcontrol.services import lists

    raw = _read(file, "parties")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"parties file {file!r} is not UTF-8 text") from None
    data = lists.import_parties(_runtime(database), content=text, source=Path(file).name, by=_person(person))
    if _json(fmt):
        _emit(data)
    else:
        sys.stdout.write(f"{data['parties']} parties; {data['hits']} hit(s) for {data['parties_hit']} of them, in the "
                         "review queue\n")


# --- export and certificates ------------------------------------------------------------------------

def export_cmd(
    dataset: Annotated[str, typer.Argument(help="audit | screenings | decisions | licences | shipments")],
    out: Annotated[str | None, typer.Option("--output", "-o", help="file (default: standard output)")] = None,
    export_format: Annotated[str, typer.Option("--format", "-f", help="csv or jsonl")] = "csv",
    kind: Annotated[list[str] | None, typer.Option("--kind", help="audit: only these kinds (repeatable)")] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="audit: only this actor")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="audit: first day, YYYY-MM-DD")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="audit: last day, YYYY-MM-DD")] = None,
    database: DatabaseOpt = None,
) -> None:
    """Export a dataset as CSV or JSON Lines (streamed)."""
    from chipcontrol.services import export
    from chipcontrol.services.audit import AuditFilter
    from chipcontrol.store import open_store

    flt = AuditFilter.of(kind, actor, date_from, date_to) if dataset == "audit" else None
    chunks = export.stream(open_store(_settings(database).database_url), dataset, export_format, audit_filter=flt)
    if out is None:
        for c in chunks:
            sys.stdout.buffer.write(c)
        sys.stdout.flush()
        return
    with open(out, "wb") as fh:
        for c in chunks:
            fh.write(c)


def certificate_cmd(
    seq: Annotated[int, typer.Argument(help="the audit record of the decision or screening")],
    out: Annotated[str, typer.Option("--output", "-o", help="file to write (.pdf or .json)")],
    database: DatabaseOpt = None,
) -> None:
    """Write the certificate of a decision or screening: PDF (JSON twin embedded) or, for a .json name, the twin."""
    from chipcontrol.services import certificate
    from chipcontrol.services.keys import SYSTEM
    from chipcontrol.store import open_store

    settings = _settings(database)
    cert = certificate.build(open_store(settings.database_url), seq, SYSTEM)
    if out.lower().endswith(".json"):
        from chipcontrol.store.audit import canonical_json

        Path(out).write_text(canonical_json(cert) + "\n", encoding="utf-8")
    else:
        Path(out).write_bytes(certificate.render_pdf(cert, settings))
    sys.stdout.write(f"certificate for audit record {seq} written to {out} (sha256 {cert['certificate_sha256']})\n")


def verify_certificate_cmd(
    file: Annotated[str, typer.Argument(help="a certificate: its PDF or its JSON twin")],
    database: DatabaseOpt = None, fmt: FormatOpt = "table",
) -> None:
    """Check a certificate offline against its own hashes and, with --database, against the audit chain. Exit 0
    when it holds, 1 naming what does not."""
    from sqlalchemy.exc import SQLAlchemyError  # imported here: every other command starts without SQLAlchemy

    from chipcontrol.services import certificate
    from chipcontrol.store import open_store

    cert = certificate.load(_read(file, "certificate"))
    store = open_store(database, migrate=False) if database else None
    try:
        result = certificate.verify_certificate(cert, store)
    except SQLAlchemyError:
        raise InvalidInput(f"no chipcontrol audit log can be read at {database!r}") from None
    if _json(fmt):
        _emit(result)
    else:
        for c in result["checks"]:
            sys.stdout.write(f"{'ok  ' if c['ok'] else 'FAIL'}  {c['check']}: {c['detail']}\n")
        where = ("against its own hashes and the audit log" if result["checked_against_database"]
                 else "offline against its own hashes (no --database)")
        sys.stdout.write(f"certificate for audit record {result['seq']} ({result['kind']}): "
                         f"{'VALID' if result['ok'] else 'NOT VALID'}, checked {where}\n")
    if not result["ok"]:
        sys.exit(1)


def register(app: typer.Typer, audit_app: typer.Typer) -> None:
    app.add_typer(review_app, name="review")
    app.add_typer(lists_app, name="lists")
    app.add_typer(parties_app, name="parties")
    app.command("export")(export_cmd)
    audit_app.command("certificate")(certificate_cmd)
    audit_app.command("verify-certificate")(verify_certificate_cmd)
