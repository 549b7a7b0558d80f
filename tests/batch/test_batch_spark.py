"""Spark (mapInArrow on a local[2] session) and the single-machine path give identical files on 100k lines."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest

from chipcontrol.batch.generate import generate_shipments, write_frame
from chipcontrol.batch.runner import run_batch
from chipcontrol.settings import Settings

pytest.importorskip("pyspark", reason="the Spark engine is the optional extra chipcontrol[spark]")
pytest.importorskip("pandas", reason="pyspark's mapInArrow needs pandas (pyspark[sql])")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java 17+", allow_module_level=True)


def test_spark_and_single_machine_outputs_identical_on_100k_lines(tmp_path: Path) -> None:
    src = tmp_path / "shipments_100k.csv"
    df = generate_shipments(100_000, seed=42, until=dt.date(2026, 7, 1), malformed=0.002)
    write_frame(df, src)
    # three records with the wrong number of fields: rejects in both engines
    with open(src, "a", encoding="utf-8") as f:
        f.write("R1,NVIDIA H20 (HGX),,1,CN\nR2,NVIDIA H20 (HGX),,1,CN,US,A,CN,NVIDIA,,2025-01-01,extra\n")
    settings = Settings()
    single = run_batch(src, tmp_path / "single.parquet", settings=settings, audit=False)
    spark = run_batch(src, tmp_path / "spark.parquet", settings=settings, engine="spark", audit=False)
    a = pl.read_parquet(tmp_path / "single.parquet")
    b = pl.read_parquet(tmp_path / "spark.parquet")
    assert a.height == b.height == single.lines == spark.lines > 99_000
    assert a.equals(b)  # same lines, same order, every field
    assert single.output_sha256 == spark.output_sha256
    ra = pl.read_parquet(tmp_path / "single.rejects.parquet")
    rb = pl.read_parquet(tmp_path / "spark.rejects.parquet")
    assert ra.height == rb.height == single.rejects
    # the reason for a broken CSV record is worded by each reader; everything else is the same
    broken = pl.col("reason").str.contains("fields")
    assert ra.filter(broken).height == rb.filter(broken).height == 2
    assert ra.filter(~broken).sort("record").equals(rb.filter(~broken).sort("record"))
