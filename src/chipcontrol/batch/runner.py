"""A batch run: read, evaluate in chunks, write, record — resumable after an interruption.

Chunks of ``chunk_size`` lines are evaluated in file order. Each chunk's results go to
``OUTPUT.parts/part-NNNNNN.parquet`` (and ``rejects-NNNNNN.parquet``), written to a temporary name, fsynced and
renamed; then ``manifest.json`` is rewritten the same way to list the chunk as done. After a crash (even
SIGKILL) ``--resume`` checks that the input, the settings and the rules are the same, skips the chunks the
manifest lists and recomputes the rest, so every input line is in the output exactly once. The final files are
assembled from the parts (again via a temporary name and a rename); the batch is recorded in the audit log with
the SHA-256 of the input and output files; the parts folder is removed last.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from chipcontrol.batch.columns import OUTPUT_SCHEMA, REJECT_SCHEMA
from chipcontrol.batch.evaluate import Evaluator, PartyScreen, Pending
from chipcontrol.batch.reader import file_format, read_input, sha256_file
from chipcontrol.errors import ChipControlError, InvalidInput
from chipcontrol.rules.ruleset import Ruleset
from chipcontrol.settings import Settings

ENGINES = ("polars", "rows", "spark")
MANIFEST_VERSION = 1
_FIRST_PART = 20_000  # lines of the first frame keyed before the workers get their first keys
_MIN_LINE_BYTES = 40  # a file of N bytes holds at least N / 40 lines worth deciding (a guess for starting workers)
ROW_GROUP = 100_000
Progress = Callable[[int, int], None]


class BatchError(ChipControlError):
    code = "batch"


@dataclass(slots=True)
class BatchResult:
    input: str
    output: str
    rejects_file: str
    engine: str
    input_sha256: str
    output_sha256: str
    lines: int
    rejects: int
    chunks: int
    chunks_resumed: int
    keys_evaluated: int
    parties_screened: int
    seconds: float
    audit_seq: int | None
    audit_note: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def default_rejects_path(output: Path) -> Path:
    fmt = file_format(output, "output")
    stem = output.name[: -len(output.suffix)]
    return output.with_name(f"{stem}.rejects.{'csv' if fmt == 'csv' else 'parquet'}")


def parts_dir(output: Path) -> Path:
    return output.with_name(output.name + ".parts")


def snapshot_id() -> str:
    """The id of the restricted-party list snapshots in use (the same id the service runtime records)."""
    from chipcontrol.services.screening import default_store

    snaps = default_store().snapshots
    return "lists-" + hashlib.sha256("\n".join(sorted(s.sha256 for s in snaps)).encode()).hexdigest()[:16]


# ------------------------------------------------------------------------------------------- atomic files
def _fsync_dir(d: Path) -> None:
    try:
        fd = os.open(d, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _commit(tmp: Path, final: Path) -> None:
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, final)
    _fsync_dir(final.parent)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    _commit(tmp, path)


def _write_frame(df: pl.DataFrame | pl.LazyFrame, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    lazy = df.lazy() if isinstance(df, pl.DataFrame) else df
    if file_format(path) == "csv":
        lazy.sink_csv(tmp)
    else:
        lazy.sink_parquet(tmp, row_group_size=ROW_GROUP)  # fixed row groups: same bytes however chunked
    _commit(tmp, path)


# ------------------------------------------------------------------------------------------- the run
def run_batch(input_path: str | Path, output_path: str | Path, *, settings: Settings,
              rejects_path: str | Path | None = None, resume: bool = False, engine: str = "polars",
              chunk_size: int = 100_000, progress: Progress | None = None, screen: PartyScreen | None = None,
              audit: bool = True, actor: str = "cli", spark_master: str = "local[2]",
              workers: int | None = None) -> BatchResult:
    """Evaluate every line of ``input_path`` into ``output_path`` (.csv or .parquet). ``workers``: processes that
    decide new keys in parallel (polars engine; default: one per CPU)."""
    t0 = time.perf_counter()
    inp, out = Path(input_path), Path(output_path)
    if engine not in ENGINES:
        raise InvalidInput(f"unknown engine {engine!r}; use one of: {', '.join(ENGINES)}")
    if chunk_size < 1:
        raise InvalidInput("chunk size must be at least 1")
    if workers is not None and not 1 <= workers <= 64:
        raise InvalidInput("workers must be between 1 and 64")
    file_format(out, "output")
    rej = Path(rejects_path) if rejects_path is not None else default_rejects_path(out)
    file_format(rej, "rejects file")
    if out.resolve() == inp.resolve() or rej.resolve() in (inp.resolve(), out.resolve()):
        raise InvalidInput("input, output and rejects must be three different files")
    if not inp.is_file():
        raise InvalidInput(f"input file {str(inp)!r} not found")
    rs = Ruleset.load()
    timings: dict[str, float] = {}
    if engine == "spark":
        if resume:
            raise InvalidInput("--resume is for the polars and rows engines; Spark re-runs failed tasks itself")
        from chipcontrol.batch.spark import evaluate_with_spark

        input_sha = sha256_file(inp)
        lines_df, rejects_df, stats = evaluate_with_spark(inp, settings, master=spark_master)
        t1 = time.perf_counter()
        _write_frame(lines_df, out)
        _write_frame(rejects_df, rej)
        timings["write"] = time.perf_counter() - t1
        res = BatchResult(str(inp), str(out), str(rej), engine, input_sha, sha256_file(out), lines_df.height,
                          rejects_df.height, 0, 0, stats.keys_evaluated, stats.parties_screened, 0.0, None,
                          timings=timings)
        return _finish(res, settings, rs, audit, actor, t0)

    work = parts_dir(out)
    if work.exists() and not resume:
        raise BatchError(f"{work} holds an interrupted run: add --resume to continue it, or delete the folder")
    n_workers = workers if workers is not None else (os.cpu_count() or 1)
    ev = Evaluator(settings, screen=screen, ruleset=rs, workers=n_workers if engine == "polars" else 1)
    try:
        # a file large enough to hold a batch worth deciding in parallel: the workers start (load the rules and the
        # screening index) while it is read
        ev.expect(inp.stat().st_size // _MIN_LINE_BYTES)
        t1 = time.perf_counter()
        input_sha = sha256_file(inp)
        frame, read_rejects = read_input(inp)
        timings["read"] = time.perf_counter() - t1
        total = frame.height
        n_chunks = (total + chunk_size - 1) // chunk_size
        manifest: dict[str, Any] = {
            "version": MANIFEST_VERSION, "input": str(inp), "input_sha256": input_sha, "engine": engine,
            "chunk_size": chunk_size, "chunks": n_chunks, "lines_read": total, "view": settings.view,
            "tf32_bits": settings.tf32_bits, "ruleset_hash": rs.hash, "done": {}}
        mpath = work / "manifest.json"
        resumed = 0
        if work.exists():
            try:
                old = json.loads(mpath.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                old = None
            if old is not None:
                for k in ("version", "input_sha256", "engine", "chunk_size", "view", "tf32_bits", "ruleset_hash"):
                    if old.get(k) != manifest[k]:
                        raise BatchError(f"cannot resume: the {k.replace('_', ' ')} differs from the interrupted run "
                                         f"({old.get(k)!r} then, {manifest[k]!r} now); delete {work} to start again")
                manifest["done"] = {k: v for k, v in old.get("done", {}).items()
                                    if (work / _part(int(k))).is_file() and (work / _rpart(int(k))).is_file()}
                resumed = len(manifest["done"])
                if "audit_seq" in old:
                    manifest["audit_seq"], manifest["output_sha256"] = old["audit_seq"], old.get("output_sha256")
        work.mkdir(parents=True, exist_ok=True)
        _write_json(mpath, manifest)
        done_lines = sum(int(v["read"]) for v in manifest["done"].values())
        if progress is not None:
            progress(done_lines, total)
    except BaseException:
        ev.close()  # the workers started early
        raise

    def finish(i: int, chunk: pl.DataFrame, result: tuple[pl.DataFrame, pl.DataFrame]) -> None:
        nonlocal done_lines
        lines, rejects = result
        _write_frame(lines, work / _part(i))
        _write_frame(rejects, work / _rpart(i))
        manifest["done"][str(i)] = {"read": chunk.height, "lines": lines.height, "rejects": rejects.height}
        _write_json(mpath, manifest)
        done_lines += chunk.height
        if progress is not None:
            progress(done_lines, total)

    t1 = time.perf_counter()
    # the audit store opened (its modules imported, its schema migrated) the first time this process would
    # otherwise wait for the workers
    prepare: Callable[[], None] | None = (lambda: _prepare_audit(settings)) if audit else None
    try:
        # polars: a chunk is validated, screened and keyed while the workers decide the keys of the one before
        started: tuple[int, pl.DataFrame, list[Pending]] | None = None
        first = True
        for i in range(n_chunks):
            if str(i) in manifest["done"]:
                continue
            chunk = frame.slice(i * chunk_size, chunk_size)
            if engine != "polars":
                finish(i, chunk, ev.evaluate_rows(chunk))
                continue
            # the first frame is started in two parts: the workers begin on the first part's keys while the rest
            # of it is keyed (nothing else can overlap that frame)
            cut = _FIRST_PART if first and chunk.height > 2 * _FIRST_PART else chunk.height
            pending = [ev.start(chunk.slice(0, cut))] + ([ev.start(chunk.slice(cut))] if cut < chunk.height else [])
            first = False
            if started is not None:
                if prepare is not None and not started[2][0].job.finished:
                    prepare()
                    prepare = None
                finish(started[0], started[1], _joined([ev.finish(p) for p in started[2]]))
            started = (i, chunk, pending)
        if started is not None:
            finish(started[0], started[1], _joined([ev.finish(p) for p in started[2]]))
    finally:
        ev.close()
    timings["evaluate"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    parts = [work / _part(i) for i in range(n_chunks)]
    rparts = [work / _rpart(i) for i in range(n_chunks)]
    lines_lazy = pl.scan_parquet(parts) if parts else pl.DataFrame(schema=OUTPUT_SCHEMA).lazy()
    _write_frame(lines_lazy, out)
    rej_frames = [read_rejects.lazy(), *(pl.scan_parquet(r) for r in rparts)]
    _write_frame(pl.concat(rej_frames), rej)
    timings["write"] = time.perf_counter() - t1
    n_lines = sum(int(v["lines"]) for v in manifest["done"].values())
    n_rej = read_rejects.height + sum(int(v["rejects"]) for v in manifest["done"].values())
    res = BatchResult(str(inp), str(out), str(rej), engine, input_sha, sha256_file(out), n_lines, n_rej, n_chunks,
                      resumed, ev.stats.keys_evaluated, ev.stats.parties_screened, 0.0, None, timings=timings)
    if audit and manifest.get("audit_seq") is not None and manifest.get("output_sha256") == res.output_sha256:
        res.audit_seq = int(manifest["audit_seq"])  # recorded before an interruption during clean-up
        audit = False
    res = _finish(res, settings, rs, audit, actor, t0, ev.parties.screened_table)
    if res.audit_seq is not None:
        manifest.update(audit_seq=res.audit_seq, output_sha256=res.output_sha256)
        _write_json(mpath, manifest)
    shutil.rmtree(work, ignore_errors=True)
    return res


def _joined(results: list[tuple[pl.DataFrame, pl.DataFrame]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The lines and rejects of a frame started in parts, in order."""
    if len(results) == 1:
        return results[0]
    return pl.concat([r[0] for r in results]), pl.concat([r[1] for r in results])


def _part(i: int) -> str:
    return f"part-{i:06d}.parquet"


def _rpart(i: int) -> str:
    return f"rejects-{i:06d}.parquet"


def _finish(res: BatchResult, settings: Settings, rs: Ruleset, audit: bool, actor: str, t0: float,
            screened: Mapping[tuple[str, str], tuple[Sequence[Any], Sequence[Any]]] | None = None) -> BatchResult:
    if audit:
        res.audit_seq, res.audit_note = record_audit(res, settings, rs, actor)
        if res.audit_seq is not None and screened:
            res.audit_note = queue_hits(settings, screened, res.audit_seq) or res.audit_note
    res.seconds = time.perf_counter() - t0
    return res


def queue_hits(settings: Settings, screened: Mapping[tuple[str, str], tuple[Sequence[Any], Sequence[Any]]],
               audit_seq: int) -> str:
    """Every hit the run screened goes to the review queue once per distinct party, pointing at the batch's audit
    record (``services.review.enqueue_screened``). Returns a note when the queue could not be written."""
    found = [(name, None if country == "\x00" else country, list(hits))
             for (name, country), (hits, _) in screened.items() if hits]
    if not found:
        return ""
    try:
        from chipcontrol.services.review import enqueue_screened
        from chipcontrol.store import open_store
    except ModuleNotFoundError as exc:
        return f"hits not queued for review: {exc}"
    enqueue_screened(open_store(settings.database_url), found, "batch", audit_seq)
    return ""


def _prepare_audit(settings: Settings) -> None:
    """Import the audit service and open its store ahead of :func:`record_audit`, where it would otherwise wait;
    a failure here is left for ``record_audit`` to meet and report."""
    try:
        from chipcontrol.services import audit, review  # noqa: F401 - imported now, used at the end
        from chipcontrol.store import open_store

        open_store(settings.database_url)
        snapshot_id()
    except Exception:  # reported by record_audit, at the end, as before
        return


def record_audit(res: BatchResult, settings: Settings, rs: Ruleset, actor: str = "cli") -> tuple[int | None, str]:
    """Record the batch in the audit log (``chipcontrol.services.audit.record_batch``)."""
    try:
        from chipcontrol.services.audit import record_batch
    except ModuleNotFoundError as exc:  # the audit service is optional in a stripped-down install
        return None, f"not recorded: {exc}"
    seq = record_batch(settings, input_sha256=res.input_sha256, output_sha256=res.output_sha256, lines=res.lines,
                       rejects=res.rejects, ruleset_hash=rs.hash, snapshot_id=snapshot_id(),
                       actor=actor)
    return int(seq), ""


def empty_rejects() -> pl.DataFrame:
    return pl.DataFrame(schema=REJECT_SCHEMA)
