"""Service commands: ``serve``, ``db upgrade``, ``audit verify|log``, ``keys create|list|revoke`` (and, from
:mod:`chipcontrol.cli.desk`, the review queue, list imports, customer files, exports and certificates).

Registered into the main CLI by :func:`register`. Same conventions as the other commands: one-line errors,
``--format json``.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from chipcontrol.errors import ChipControlError
from chipcontrol.settings import Settings


def _fmt_json(fmt: str) -> bool:
    if fmt not in ("table", "json"):
        raise ChipControlError(f"--format must be table or json, got {fmt!r}")
    return fmt == "json"


FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table (for people) or json")]

db_app = typer.Typer(help="The database: migrations.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log: verify the hash chain, read records.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys (stored hashed) and roles: viewer, analyst, admin.", no_args_is_help=True)


def serve(
    host: Annotated[str, typer.Option("--host", help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port")] = 8000,
    access_log: Annotated[bool, typer.Option("--access-log/--no-access-log", help="log each request")] = True,
    workers: Annotated[int, typer.Option("--workers", help="worker processes (e.g. one per core)")] = 1,
) -> None:
    """Start the REST API (/api, docs at /docs) and the web UI (/) on CHIPCONTROL_DATABASE_URL (SQLite by
    default). Applies the database migrations first; creates and prints an admin key if there is none."""
    import uvicorn

    from chipcontrol.services import keys
    from chipcontrol.services.runtime import Runtime

    if not 0 < port < 65536:
        raise ChipControlError(f"--port must be between 1 and 65535, got {port}")
    if not 1 <= workers <= 64:
        raise ChipControlError(f"--workers must be between 1 and 64, got {workers}")
    settings = Settings.from_env()
    rt = Runtime.open(settings)
    first = keys.bootstrap_admin(rt.store)
    if first:
        sys.stderr.write(f"No API keys existed: created an admin key (shown once, keep it safe):\n  {first}\n"
                         "Sign in at the web UI with it, or send it as 'Authorization: Bearer <key>'.\n")
    sys.stderr.write(f"chipcontrol: database {rt.store.engine.url.render_as_string(hide_password=True)}; "
                     f"web UI and API on http://{host}:{port}/ (API docs at /docs)\n")
    # by name: the ASGI root builds the app from the same CHIPCONTROL_* settings (and this process's open store)
    if workers == 1:
        uvicorn.run("chipcontrol.asgi:app", host=host, port=port, access_log=access_log, log_level="info")
        return
    _serve_workers(host, port, access_log, workers)


def _serve_workers(host: str, port: int, access_log: bool, workers: int) -> None:
    """uvicorn's workers, each on its own socket of one SO_REUSEPORT group (:mod:`chipcontrol.cli.workers`)."""
    import uvicorn

    from chipcontrol.cli.workers import listening_sockets, supervise

    sockets = listening_sockets(host, port, workers)
    config = uvicorn.Config("chipcontrol.asgi:app", host=host, port=port, access_log=access_log, log_level="info",
                            workers=workers)
    supervise(config, sockets)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the Alembic migrations to CHIPCONTROL_DATABASE_URL (idempotent)."""
    from chipcontrol.store import Store
    from chipcontrol.store.db import current_revision

    store = Store(Settings.from_env().database_url)
    store.upgrade()
    sys.stdout.write(f"database at revision {current_revision(store.engine)}\n")


@audit_app.command("verify")
def audit_verify(fmt: FormatOpt = "table") -> None:
    """Walk the hash chain. Exit 0 if intact; exit 1 naming every altered or removed record."""
    from chipcontrol.services import audit

    result = audit.verify(Settings.from_env())
    if _fmt_json(fmt):
        from chipcontrol.cli.render import emit_json

        emit_json(result.to_dict())
    elif result.ok:
        sys.stdout.write(f"audit log intact: {result.records} record(s), head {result.head_seq} "
                         f"{result.head_hash[:16]}\n")
    else:
        for p in result.problems:
            sys.stdout.write(f"record {p.seq}: {p.problem}: {p.detail}\n")
        sys.stdout.write(f"audit log BROKEN: {len(result.problems)} problem(s) in {result.records} record(s)\n")
    if not result.ok:
        sys.exit(1)  # SystemExit: the main entry point keeps this status (typer.Exit would be swallowed)


@audit_app.command("log")
def audit_log(
    limit: Annotated[int, typer.Option("--limit", help="how many (newest first)")] = 20,
    kind: Annotated[list[str] | None, typer.Option("--kind", help="only these kinds (check, classify, ...; "
                                                   "repeatable)")] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="only this actor")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="first day (UTC), YYYY-MM-DD")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="last day (UTC), YYYY-MM-DD")] = None,
    full: Annotated[bool, typer.Option("--full", help="include inputs and results")] = False,
    fmt: FormatOpt = "table",
) -> None:
    """The newest audit records (filtered by kind, actor and date range)."""
    from chipcontrol.services import audit
    from chipcontrol.store import open_store

    data = audit.list_records(open_store(Settings.from_env().database_url), limit=limit, kind=kind, actor=actor,
                              date_from=date_from, date_to=date_to, full=full)
    if _fmt_json(fmt):
        from chipcontrol.cli.render import emit_json

        emit_json(data)
        return
    for r in data["records"]:
        sys.stdout.write(f"{r['seq']:>6}  {r['created_at'][:19]}  {r['kind']:<16} {r['actor']:<24} "
                         f"{r['hash'][:12]}\n")
    sys.stdout.write(f"{len(data['records'])} of {data['total']} record(s) selected\n")


def _store() -> Any:
    from chipcontrol.store import open_store

    return open_store(Settings.from_env().database_url)


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option("--role", help="viewer | analyst | admin")],
    name: Annotated[str, typer.Option("--name", help="who the key is for (recorded as the actor)")] = "admin",
    fmt: FormatOpt = "table",
) -> None:
    """Create an API key; it is printed once (only its hash is stored)."""
    from chipcontrol.services import keys

    key, info = keys.create_key(_store(), name=name, role=role)
    if _fmt_json(fmt):
        from chipcontrol.cli.render import emit_json

        emit_json({"key": key, "info": info})
    else:
        sys.stdout.write(f"{key}\n")
        sys.stderr.write(f"key {info['id']} for {info['name']} ({info['role']}); shown once, keep it safe\n")


@keys_app.command("list")
def keys_list(fmt: FormatOpt = "table") -> None:
    """The keys (never the secrets)."""
    from chipcontrol.services import keys

    rows = keys.list_keys(_store(), keys.SYSTEM)
    if _fmt_json(fmt):
        from chipcontrol.cli.render import emit_json

        emit_json(rows)
        return
    for k in rows:
        state = f"revoked {k['revoked_at'][:19]}" if k["revoked_at"] else "active"
        sys.stdout.write(f"{k['id']:>4}  cc_{k['prefix']}_…  {k['role']:<8} {k['name']:<24} {state}\n")


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[int, typer.Argument(help="the key's id (see keys list)")]) -> None:
    """Revoke a key."""
    from chipcontrol.services import keys

    k = keys.revoke_key(_store(), key_id, keys.SYSTEM)
    sys.stdout.write(f"key {k['id']} ({k['name']}) revoked at {k['revoked_at']}\n")


def register(app: typer.Typer) -> None:
    from chipcontrol.cli import desk, ownership

    app.command()(serve)
    app.add_typer(db_app, name="db")
    app.add_typer(audit_app, name="audit")
    app.add_typer(keys_app, name="keys")
    desk.register(app, audit_app)
    ownership.register(app)
