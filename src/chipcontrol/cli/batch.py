"""`chipcontrol batch INPUT -o OUTPUT` and `chipcontrol batch generate N -o FILE`."""

from __future__ import annotations

import datetime as dt
import enum
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from chipcontrol.cli.options import View
from chipcontrol.settings import Settings


class _DefaultRun(TyperGroup):
    """`batch INPUT ...` means `batch run INPUT ...`; `batch generate ...` is the generator."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


batch_app = typer.Typer(cls=_DefaultRun, no_args_is_help=True, add_completion=False,
                        help="Evaluate shipment files (CSV or Parquet) line by line, fast: `chipcontrol batch INPUT "
                             "-o OUTPUT`; or make a synthetic file: `chipcontrol batch generate N -o FILE`.")


class Engine(enum.StrEnum):
    polars = "polars"
    spark = "spark"
    rows = "rows"


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        Task,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text("" if speed is None else f"{speed:,.0f} lines/s", style="progress.data.speed")

    bar = Progress(TextColumn("batch"), BarColumn(), MofNCompleteColumn(), Rate(), TimeElapsedColumn(),
                   TextColumn("ETA"), TimeRemainingColumn(), console=Console(stderr=True), transient=False)
    task = bar.add_task("batch", total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    with bar:
        yield update


@batch_app.command("run")
def run_cmd(
    input_file: Annotated[Path, typer.Argument(metavar="INPUT", help="shipment lines: .csv or .parquet")],
    output: Annotated[Path, typer.Option("--output", "-o", help="decisions: .csv or .parquet")],
    rejects: Annotated[Path | None, typer.Option("--rejects", help="malformed lines and why (default: "
                                                 "OUTPUT's name + .rejects.csv/.parquet)")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="continue an interrupted run of the same input")] = False,
    engine: Annotated[Engine, typer.Option("--engine", help="polars (vectorised, default), spark (mapInArrow on "
                                           "local Spark; needs chipcontrol[spark]) or rows (one check per line)")]
    = Engine.polars,
    chunk_size: Annotated[int, typer.Option("--chunk-size", help="lines per resumable chunk")] = 100_000,
    view: Annotated[View | None, typer.Option("--view", help="enforced (default) or as_written")] = None,
    spark_master: Annotated[str, typer.Option("--spark-master", help="Spark master URL")] = "local[2]",
    workers: Annotated[int | None, typer.Option("--workers", help="processes deciding in parallel (polars engine; "
                                                "default: one per CPU)")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="summary as table or json")] = "table",
) -> None:
    """Evaluate every line of INPUT; write decisions to OUTPUT and malformed lines to the rejects file."""
    from chipcontrol.batch.runner import run_batch
    from chipcontrol.errors import InvalidInput

    if fmt not in ("table", "json"):
        raise InvalidInput("--format must be table or json")
    settings = Settings.from_env()
    if view is not None:
        settings = Settings(tf32_bits=settings.tf32_bits, view=view.value, database_url=settings.database_url,
                            screening_threshold=settings.screening_threshold)
    with _progress_bar(sys.stderr.isatty() and engine != Engine.spark) as progress:
        res = run_batch(input_file, output, settings=settings, rejects_path=rejects, resume=resume,
                        engine=engine.value, chunk_size=chunk_size, progress=progress, spark_master=spark_master,
                        workers=workers)
    data: dict[str, Any] = res.to_dict()
    if fmt == "json":
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    rate = (res.lines + res.rejects) / res.seconds if res.seconds else 0.0
    audit = f"audit #{res.audit_seq}" if res.audit_seq is not None else f"audit {res.audit_note or 'off'}"
    resumed = f", {res.chunks_resumed} of {res.chunks} chunks from the interrupted run" if res.chunks_resumed else ""
    sys.stdout.write(
        f"{res.lines:,} lines -> {res.output}; {res.rejects:,} rejects -> {res.rejects_file}\n"
        f"{res.engine}: {res.seconds:.1f} s ({rate:,.0f} lines/s), {res.keys_evaluated:,} distinct decisions, "
        f"{res.parties_screened:,} parties screened{resumed}; {audit}\n"
        f"input sha256 {res.input_sha256}\noutput sha256 {res.output_sha256}\n")


@batch_app.command("generate")
def generate_cmd(
    n: Annotated[int, typer.Argument(help="number of lines")],
    output: Annotated[Path, typer.Option("--output", "-o", help=".csv or .parquet")],
    seed: Annotated[int, typer.Option("--seed", help="random seed (same seed, same file)")] = 0,
    malformed: Annotated[float, typer.Option("--malformed", help="share of lines given one defect (0..1)")] = 0.0,
    until: Annotated[str | None, typer.Option("--until", help="last shipment date (default today)")] = None,
) -> None:
    """Write N synthetic order lines (customers with product baskets and buying channels, catalogue chips and inline
    specs, weighted destinations, purchasers, consignees and owners listed and clean, some facts unknown, dates from
    2022-10-07)."""
    from chipcontrol.batch.generate import write_shipments
    from chipcontrol.services import inputs

    end = inputs.parse_date(until) if until else dt.date.today()
    count = write_shipments(output, n, seed=seed, until=end, malformed=malformed)
    sys.stdout.write(f"{count:,} lines -> {output}\n")


def register(app: typer.Typer) -> None:
    app.add_typer(batch_app, name="batch")
