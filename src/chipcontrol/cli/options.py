"""Options shared by every command group (main, lab, batch, service), so each is declared once."""

from __future__ import annotations

import enum
from typing import Annotated, Any

import typer

from chipcontrol.settings import Settings


class Fmt(enum.StrEnum):
    table = "table"
    json = "json"


class View(enum.StrEnum):
    enforced = "enforced"
    as_written = "as_written"


FormatOpt = Annotated[Fmt, typer.Option("--format", "-f", help="table (for people) or json")]
OnOpt = Annotated[str | None, typer.Option("--on", help="date YYYY-MM-DD (default: today)")]
SpecOpt = Annotated[str | None, typer.Option("--spec", help="chip spec file (YAML or JSON)")]
ViewOpt = Annotated[View | None, typer.Option("--view", help="enforced (default) or as_written")]


def wants_json(fmt: str) -> bool:
    """For commands whose --format is a plain string: table or json, anything else a one-line error."""
    from chipcontrol.errors import ChipControlError

    if fmt not in ("table", "json"):
        raise ChipControlError(f"--format must be table or json, got {fmt!r}")
    return fmt == "json"


def emit(data: Any) -> None:
    """JSON to stdout (rendering imported only when used)."""
    from chipcontrol.cli.render import emit_json

    emit_json(data)


def settings_for(view: View | None) -> Settings:
    """Settings from the environment; --view overrides CHIPCONTROL_VIEW."""
    s = Settings.from_env()
    if view is not None:
        s = Settings(tf32_bits=s.tf32_bits, view=view.value, database_url=s.database_url,
                     screening_threshold=s.screening_threshold)
    return s
