"""The same evaluation on Apache Spark, via ``DataFrame.mapInArrow`` (optional extra ``chipcontrol[spark]``).

Spark reads the file (every column as text; a CSV record with the wrong number of fields lands in
``_corrupt_record`` and becomes a reject), each Python worker runs :class:`~chipcontrol.batch.evaluate.Evaluator`
over its Arrow batches (caches live per worker process, so each worker screens and decides each distinct
thing once), and the driver collects the results as Arrow. pyspark is imported only here, lazily.
"""

from __future__ import annotations

import csv
import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from chipcontrol.batch.columns import INPUT_COLUMNS, OUTPUT_SCHEMA, REJECT_SCHEMA
from chipcontrol.batch.evaluate import EvalStats, Evaluator
from chipcontrol.batch.reader import file_format, normalise_header
from chipcontrol.errors import InvalidInput
from chipcontrol.settings import Settings

CORRUPT = "_corrupt_record"
_KIND = "_kind"
_STATS = ("keys_evaluated", "parties_screened")
_evaluators: dict[tuple[str, str, float | None], Evaluator] = {}


def _arrow_type(dtype: Any) -> pa.DataType:
    if dtype == pl.Boolean:
        return pa.bool_()
    return pa.float64() if dtype == pl.Float64 else pa.string()


def result_schema() -> pa.Schema:
    """One schema for lines and rejects: the output columns, ``reason``/``record`` and a row kind."""
    fields = [pa.field(c, _arrow_type(t)) for c, t in OUTPUT_SCHEMA.items()]
    fields += [pa.field("reason", pa.string()), pa.field("record", pa.string()), pa.field(_KIND, pa.string())]
    fields += [pa.field(s, pa.int64()) for s in _STATS]
    return pa.schema(fields)


def _evaluator(settings: Settings) -> Evaluator:
    key = (settings.view, settings.tf32_bits, settings.screening_threshold)
    ev = _evaluators.get(key)
    if ev is None:
        ev = _evaluators[key] = Evaluator(settings)
    return ev


def evaluate_arrow(batches: Iterator[pa.RecordBatch], settings: Settings) -> Iterator[pa.RecordBatch]:
    """The function Spark runs on each partition: text columns in, :func:`result_schema` rows out."""
    ev = _evaluator(settings)
    schema = result_schema()
    for batch in batches:
        df = pl.DataFrame(pl.from_arrow(batch))
        before = (ev.stats.keys_evaluated, ev.stats.parties_screened)
        corrupt = df.get_column(CORRUPT).is_not_null() if CORRUPT in df.columns else pl.repeat(
            False, df.height, eager=True)
        good = df.filter(~corrupt).drop(CORRUPT, strict=False)
        lines, rejects = ev.evaluate(good)
        broken = df.filter(corrupt)
        if broken.height:
            rejects = pl.concat([rejects, pl.DataFrame({
                "line_id": broken.get_column("line_id") if "line_id" in broken.columns else None,
                "reason": pl.repeat("malformed CSV record (wrong number of fields)", broken.height, eager=True),
                "record": broken.get_column(CORRUPT)}, schema=REJECT_SCHEMA)])
        stats = pl.DataFrame({_KIND: ["stats"], "keys_evaluated": [ev.stats.keys_evaluated - before[0]],
                              "parties_screened": [ev.stats.parties_screened - before[1]]})
        out = pl.concat([lines.with_columns(pl.lit("line").alias(_KIND)),
                         rejects.with_columns(pl.lit("reject").alias(_KIND)), stats], how="diagonal")
        for c in schema.names:
            if c not in out.columns:
                out = out.with_columns(pl.lit(None, dtype=pl.String).alias(c))
        table = out.select(schema.names).to_arrow().cast(schema)
        yield from table.to_batches()


def spark_session(master: str = "local[2]") -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise InvalidInput("the Spark engine needs pyspark: pip install 'chipcontrol[spark]' (and Java 17+)") from None
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    spark = (SparkSession.builder.master(master).appName("chipcontrol-batch")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.shuffle.partitions", "4")
             .config("spark.sql.execution.arrow.maxRecordsPerBatch", "50000")
             .config("spark.driver.memory", os.environ.get("CHIPCONTROL_SPARK_DRIVER_MEMORY", "2g"))
             .config("spark.python.worker.reuse", "true")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def read_with_spark(spark: Any, path: Path) -> Any:
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType

    size = path.stat().st_size
    parallel = max(2, int(spark.sparkContext.defaultParallelism) * 2)
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(max(1 << 20, size // parallel + 1)))
    if file_format(path, "input") == "parquet":
        sdf = spark.read.parquet(str(path))
        cols = normalise_header(list(sdf.columns), path)
        sdf = sdf.toDF(*cols)
        return sdf.select([F.col(c).cast("string").alias(c) for c in cols if c in INPUT_COLUMNS])
    with open(path, "rb") as f:
        first = f.readline().decode("utf-8", errors="replace")
    header = next(csv.reader(io.StringIO(first)))
    cols = normalise_header(header, path)
    schema = StructType([StructField(c, StringType(), True) for c in cols] + [StructField(CORRUPT, StringType())])
    sdf = (spark.read.option("header", "true").option("mode", "PERMISSIVE").option("escape", '"')
           .option("multiLine", "false").option("columnNameOfCorruptRecord", CORRUPT).option("encoding", "UTF-8")
           .schema(schema).csv(str(path)))
    return sdf.select([c for c in cols if c in INPUT_COLUMNS] + [CORRUPT])


def evaluate_with_spark(path: Path, settings: Settings, *, master: str = "local[2]",
                        spark: Any = None) -> tuple[pl.DataFrame, pl.DataFrame, EvalStats]:
    """(lines, rejects, stats) for a whole file, evaluated on Spark; lines in file order."""
    session = spark or spark_session(master)
    sdf = read_with_spark(session, path)
    schema = result_schema()
    from pyspark.sql.types import StructType

    spark_schema = StructType.fromJson(_spark_json(schema))
    frozen = Settings(tf32_bits=settings.tf32_bits, view=settings.view, database_url=settings.database_url,
                      screening_threshold=settings.screening_threshold)

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from chipcontrol.batch.spark import evaluate_arrow

        return evaluate_arrow(batches, frozen)

    table = sdf.mapInArrow(run, spark_schema).toArrow()
    df = pl.DataFrame(pl.from_arrow(table))
    st = df.filter(pl.col(_KIND) == "stats")
    stats = EvalStats(keys_evaluated=int(st.get_column("keys_evaluated").sum()),
                      parties_screened=int(st.get_column("parties_screened").sum()))
    kind = pl.col(_KIND)
    lines = df.filter(kind == "line").select(list(OUTPUT_SCHEMA)).cast(OUTPUT_SCHEMA)  # type: ignore[arg-type]
    rejects = df.filter(kind == "reject").select(list(REJECT_SCHEMA))
    stats.lines, stats.rejects = lines.height, rejects.height
    return lines, rejects, stats


def _spark_json(schema: pa.Schema) -> dict[str, Any]:
    types = {pa.string(): "string", pa.bool_(): "boolean", pa.int64(): "long", pa.float64(): "double"}
    return {"type": "struct", "fields": [{"name": f.name, "type": types[f.type], "nullable": True, "metadata": {}}
                                         for f in schema]}
