"""Reading shipment files: CSV (RFC 4180) or Parquet, every column as text.

A CSV record with the wrong number of fields becomes a reject with its line number and raw text (never an
abort). Invalid UTF-8 is replaced by U+FFFD, which the evaluation rejects per line.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv

from chipcontrol.batch.columns import INPUT_COLUMNS, REJECT_SCHEMA, REQUIRED_COLUMNS
from chipcontrol.errors import InvalidInput

PARQUET_SUFFIXES = (".parquet", ".pq")


def file_format(path: str | Path, what: str = "file") -> str:
    """'csv' or 'parquet' from the file name; anything else is an error."""
    suffix = Path(path).suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    if suffix == ".csv":
        return "csv"
    raise InvalidInput(f"{what} {str(path)!r}: name it .csv or .parquet")


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def normalise_header(names: list[str], path: str | Path) -> list[str]:
    """Header names stripped and lower-cased; the required ones must be there, and chip or spec."""
    cols = [n.strip().lower().lstrip("\ufeff") for n in names]
    dup = sorted({c for c in cols if cols.count(c) > 1})
    if dup:
        raise InvalidInput(f"{path}: column {dup[0]!r} appears twice")
    missing = [c for c in REQUIRED_COLUMNS if c not in cols]
    if missing:
        raise InvalidInput(f"{path}: missing column(s) {', '.join(missing)}; expected: {', '.join(INPUT_COLUMNS)}")
    if "chip" not in cols and "spec" not in cols:
        raise InvalidInput(f"{path}: needs a 'chip' or a 'spec' column")
    return cols


def read_input(path: str | Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(lines as text columns in file order, rejects for records that could not be read)."""
    p = Path(path)
    if not p.is_file():
        raise InvalidInput(f"input file {str(p)!r} not found")
    fmt = file_format(p, "input")
    if fmt == "parquet":
        try:
            df = pl.read_parquet(p)
        except Exception as exc:  # a file-level problem, reported in one line
            raise InvalidInput(f"{p}: not a readable Parquet file ({type(exc).__name__})") from None
        cols = normalise_header(df.columns, p)
        df = df.rename(dict(zip(df.columns, cols, strict=True)))
        keep = [c for c in cols if c in INPUT_COLUMNS]
        return df.select([_as_text(df, c) for c in keep]), pl.DataFrame(schema=REJECT_SCHEMA)
    return _read_csv(p)


def _as_text(df: pl.DataFrame, c: str) -> pl.Expr:
    dtype = df.schema[c]
    if dtype == pl.String:
        return pl.col(c)
    if dtype == pl.Date:
        return pl.col(c).dt.strftime("%Y-%m-%d").alias(c)
    return pl.col(c).cast(pl.String).alias(c)


def _read_csv(p: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    with open(p, "rb") as f:
        first = f.readline()
    if not first.strip():
        raise InvalidInput(f"{p}: empty file (a header line is required)")
    header = next(csv.reader(io.StringIO(first.decode("utf-8", errors="replace"))))
    cols = normalise_header(header, p)
    bad: list[dict[str, Any]] = []

    def on_invalid(row: Any) -> str:
        where = f"line {row.number}" if row.number is not None else "a record"
        bad.append({"line_id": None, "reason": f"{where}: expected {row.expected_columns} fields, got "
                    f"{row.actual_columns}", "record": row.text})
        return "skip"

    try:
        table = pacsv.read_csv(
            p, read_options=pacsv.ReadOptions(use_threads=False, column_names=cols, skip_rows=1,
                                              block_size=16 << 20),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(column_types={c: pa.binary() for c in cols},
                                                 include_columns=[c for c in cols if c in INPUT_COLUMNS]))
    except pa.ArrowInvalid as exc:
        raise InvalidInput(f"{p}: not a readable CSV file ({' '.join(str(exc).split())[:200]})") from None
    arrays = {}
    for name in table.column_names:
        col = table.column(name)
        try:
            arrays[name] = col.cast(pa.string())
        except pa.ArrowInvalid:  # invalid UTF-8 somewhere: decode value by value with U+FFFD
            arrays[name] = pa.array([None if v is None else v.decode("utf-8", errors="replace")
                                     for v in col.to_pylist()], type=pa.string())
    df = pl.DataFrame(pl.from_arrow(pa.table(arrays))) if arrays else pl.DataFrame()
    return df, pl.DataFrame(bad, schema=REJECT_SCHEMA)
