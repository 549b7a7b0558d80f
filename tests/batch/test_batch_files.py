"""Files in and out: CSV and Parquet, rejects (never an abort), the CLI, the audit record, the generator."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from chipcontrol.batch.evaluate import OUTPUT_SCHEMA, Evaluator
from chipcontrol.batch.generate import generate_shipments
from chipcontrol.batch.reader import read_input, sha256_file
from chipcontrol.batch.runner import run_batch
from chipcontrol.errors import ChipControlError
from chipcontrol.settings import Settings

HEADER = "line_id,chip,quantity,destination,end_user,end_user_hq,exporter,date\n"


def _run(tmp_path: Path, text: bytes | str, out: str = "out.csv") -> tuple[pl.DataFrame, pl.DataFrame]:
    src = tmp_path / "in.csv"
    src.write_bytes(text.encode() if isinstance(text, str) else text)
    res = run_batch(src, tmp_path / out, settings=Settings(), audit=False)
    rej_path = Path(res.rejects_file)
    read = pl.read_csv if rej_path.suffix == ".csv" else pl.read_parquet
    lines = (pl.read_csv(tmp_path / out, infer_schema=False) if out.endswith(".csv")
             else pl.read_parquet(tmp_path / out))
    return lines, read(rej_path, infer_schema=False) if rej_path.suffix == ".csv" else read(rej_path)


def test_malformed_lines_become_rejects_with_reasons(tmp_path: Path) -> None:
    text = HEADER + (
        "a1,NVIDIA H20 (HGX),8,CN,,,NVIDIA,2025-06-01\n"
        "a2,NVIDIA H20 (HGX),8,CN\n"                                            # too few fields
        "a3,NVIDIA H20 (HGX),8,CN,x,CN,NVIDIA,2025-06-01,surplus\n"            # too many fields
        "a4,NVIDIA Z9000,8,CN,,,,2025-06-01\n"                                  # unknown chip
        "a5,NVIDIA H20 (HGX),eight,CN,,,,2025-06-01\n"                          # bad quantity
        "a6,NVIDIA H20 (HGX),8,XX,,,,2025-06-01\n"                              # unknown country
        "a7,NVIDIA H20 (HGX),8,CN,,,,2021-01-01\n"                              # before the rules
        "a8,NVIDIA H20 (HGX),8,CN,,,,2025-02-30\n"                              # not a date
        ",NVIDIA H20 (HGX),8,CN,,,,2025-06-01\n"                                # no line id
        "a9,NVIDIA H20 (HGX),8,,,,,2025-06-01\n"                                # no destination
        '"a10","NVIDIA H20 (HGX)","1","HK","Huawei Technologies Co., Ltd.","CN","NVIDIA","2025-06-01"\n'
    )
    lines, rejects = _run(tmp_path, text)
    assert lines.get_column("line_id").to_list() == ["a1", "a10"]
    assert lines.row(1, named=True)["destination"] == "CN"  # Hong Kong is treated as China
    assert "screening.entity_list" in lines.row(1, named=True)["reason_rule_ids"]
    reasons = dict(zip(rejects.get_column("line_id").fill_null("?").to_list(), rejects.get_column("reason").to_list(),
                       strict=True))
    assert sum("fields" in r for r in rejects.get_column("reason").to_list()) == 2
    assert reasons["a4"].startswith("chip: unknown chip")
    assert reasons["a5"].startswith("quantity:")
    assert reasons["a6"].startswith("destination: unknown destination code")
    assert "before 2022-10-07" in reasons["a7"] and "calendar date" in reasons["a8"]
    assert reasons["a9"] == "destination is missing"
    assert "line_id is missing" in rejects.get_column("reason").to_list()
    assert rejects.height == 9
    assert all("\n" not in r for r in rejects.get_column("reason").to_list())


def test_invalid_utf8_rejects_only_that_line(tmp_path: Path) -> None:
    text = (HEADER + "b1,NVIDIA H20 (HGX),1,CN,Good Name Ltd,,,2025-06-01\n").encode() + \
        b"b2,NVIDIA H20 (HGX),1,CN,Bad \xff Name,,,2025-06-01\n"
    lines, rejects = _run(tmp_path, text, "out.parquet")
    assert lines.get_column("line_id").to_list() == ["b1"]
    assert rejects.get_column("reason").to_list() == ["end_user: not valid UTF-8 text"]


def test_parquet_in_and_out_with_typed_columns(tmp_path: Path) -> None:
    src = tmp_path / "in.parquet"
    pl.DataFrame({"Line_ID": ["p1", "p2"], "chip": ["NVIDIA H100 SXM5 80GB", "NVIDIA GeForce RTX 4090"],
                  "quantity": [8, None], "destination": ["AE", "DE"],
                  "date": [dt.date(2024, 5, 1), dt.date(2025, 3, 3)]}).write_parquet(src)
    res = run_batch(src, tmp_path / "out.parquet", settings=Settings(), audit=False)
    out = pl.read_parquet(tmp_path / "out.parquet")
    assert res.lines == 2 and res.rejects == 0
    assert out.schema == pl.Schema(OUTPUT_SCHEMA)
    assert out.get_column("as_of").to_list() == ["2024-05-01", "2025-03-03"]
    assert out.row(0, named=True)["license_required"] is True  # H100 to the UAE since 2023-11-17


def test_file_level_problems_are_one_line_errors(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("line_id,chip,date\nx,NVIDIA H20 (HGX),2025-01-01\n")
    with pytest.raises(ChipControlError, match="missing column"):
        run_batch(src, tmp_path / "o.csv", settings=Settings(), audit=False)
    with pytest.raises(ChipControlError, match=r"\.csv or \.parquet"):
        run_batch(src, tmp_path / "o.xlsx", settings=Settings(), audit=False)
    with pytest.raises(ChipControlError, match="not found"):
        run_batch(tmp_path / "nope.csv", tmp_path / "o.csv", settings=Settings(), audit=False)


def test_cli_generate_then_batch_records_the_audit(tmp_path: Path, cli: Callable[..., Any]) -> None:
    db = tmp_path / "audit.db"
    env = {"CHIPCONTROL_DATABASE_URL": f"sqlite:///{db}"}
    gen = cli("batch", "generate", "3000", "-o", str(tmp_path / "s.csv"), "--seed", "4", "--malformed", "0.01",
              "--until", "2026-07-01", extra_env=env)
    assert gen.code == 0, gen.err
    res = cli("batch", str(tmp_path / "s.csv"), "-o", str(tmp_path / "o.csv"), "--rejects", str(tmp_path / "r.csv"),
              "-f", "json", extra_env=env)
    assert res.code == 0, res.err
    assert res.err == ""  # no progress bar when stderr is not a terminal
    summary = res.json()
    out = pl.read_csv(tmp_path / "o.csv", infer_schema=False)
    rej = pl.read_csv(tmp_path / "r.csv", infer_schema=False)
    assert out.height + rej.height == 3000 == summary["lines"] + summary["rejects"]
    assert summary["output_sha256"] == sha256_file(tmp_path / "o.csv")
    assert summary["input_sha256"] == sha256_file(tmp_path / "s.csv")
    assert summary["audit_seq"] is not None

    from chipcontrol.services.audit import list_records
    from chipcontrol.store import open_store

    records = list_records(open_store(f"sqlite:///{db}"), kind="batch", full=True)["records"]
    assert len(records) == 1
    rec = records[0]
    assert rec["inputs"]["input_sha256"] == summary["input_sha256"]
    assert rec["result"]["output_sha256"] == summary["output_sha256"]
    assert rec["result"]["rejects"] == rej.height
    assert rec["snapshot_id"].startswith("lists-")

    bad = cli("batch", str(tmp_path / "s.csv"), "-o", str(tmp_path / "o.txt"), extra_env=env)
    assert bad.code == 2 and bad.err.startswith("error:") and bad.err.count("\n") == 1


def test_generator_is_realistic_and_deterministic() -> None:
    a = generate_shipments(20_000, seed=3, until=dt.date(2026, 7, 1))
    assert a.equals(generate_shipments(20_000, seed=3, until=dt.date(2026, 7, 1)))
    assert not a.equals(generate_shipments(20_000, seed=4, until=dt.date(2026, 7, 1)))
    dest = set(a.get_column("destination").to_list())
    assert {"CN", "HK", "MO", "RU", "US", "DE", "SG"} <= dest
    assert a.get_column("date").min() >= "2022-10-07" and a.get_column("date").max() <= "2026-07-01"
    assert a.filter(pl.col("spec").is_not_null()).height > 0 and a.filter(pl.col("chip").is_not_null()).height > 0
    assert a.filter(pl.col("end_user") == "Huawei Technologies Co., Ltd.").height > 0
    assert {"NVIDIA", "AMD"} <= set(a.get_column("exporter").drop_nulls().to_list())
    assert a.get_column("line_id").is_unique().all()
    # the facts an order file carries: parties in several roles, the headquarters mostly, owners on some lines
    share = {c: a.get_column(c).is_not_null().mean() for c in ("purchaser", "ultimate_consignee",
                                                               "intermediate_consignee", "owners", "end_user_hq")}
    assert 0.25 < share["purchaser"] < 0.7 and 0.15 < share["ultimate_consignee"] < 0.5
    assert 0.05 < share["intermediate_consignee"] < 0.4 and 0.05 < share["owners"] < 0.35
    assert 0.8 < share["end_user_hq"] < 0.97
    owners = a.get_column("owners").drop_nulls()
    assert owners.str.contains("Huawei International Pte. Ltd.=51").any()
    assert owners.str.contains("Sugon=49.99").any() and owners.str.contains("Sugon=50;").any()
    assert owners.str.contains("Huawei Technologies Co., Ltd.=30;Inspur Group Co., Ltd.=25").any()
    assert a.get_column("intermediate_consignee").drop_nulls().str.contains(";").any()
    assert a.get_column("answers").drop_nulls().len() > 0 and a.get_column("made_in").drop_nulls().len() > 0
    out, rejects = Evaluator(Settings()).evaluate(a)
    assert rejects.height == 0
    listed = out.filter(pl.col("reason_rule_ids").str.contains("screening.")).height
    assert 0.02 < listed / out.height < 0.3  # listed parties are present, not dominant
    assert 0.01 < out.filter(pl.col("outcome") == "indeterminate").height / out.height < 0.3  # questions appear
    assert out.filter(pl.col("affiliate")).height > 0


def test_progress_callback_reports_lines(tmp_path: Path) -> None:
    src = tmp_path / "s.csv"
    generate_shipments(2_500, seed=1, until=dt.date(2026, 7, 1)).write_csv(src)
    seen: list[tuple[int, int]] = []
    a = run_batch(src, tmp_path / "o.parquet", settings=Settings(), chunk_size=1000, audit=False,
                  progress=lambda d, t: seen.append((d, t)))
    assert seen == [(0, 2500), (1000, 2500), (2000, 2500), (2500, 2500)]
    assert not os.path.exists(tmp_path / "o.parquet.parts")
    b = run_batch(src, tmp_path / "o2.parquet", settings=Settings(), chunk_size=700, audit=False)
    assert a.output_sha256 == b.output_sha256  # the output's bytes do not depend on the chunking


def test_rejects_record_keeps_the_fields(tmp_path: Path) -> None:
    _, rejects = _run(tmp_path, HEADER + "c1,NVIDIA H20 (HGX),1,ZZ,Someone,,,2025-06-01\n", "o.parquet")
    record = json.loads(rejects.row(0, named=True)["record"])
    assert record["destination"] == "ZZ" and record["end_user"] == "Someone"
    assert read_input(tmp_path / "in.csv")[0].height == 1


def test_cli_workers_must_be_a_sensible_number(tmp_path: Path, cli: Callable[..., Any]) -> None:
    src = tmp_path / "s.csv"
    src.write_text(HEADER + "w1,NVIDIA H20 (HGX),1,CN,,,,2025-06-01\n")
    bad = cli("batch", str(src), "-o", str(tmp_path / "o.csv"), "--workers", "0")
    assert bad.code == 2 and bad.err.count("\n") == 1 and "workers" in bad.err


def test_pipelined_chunks_with_workers_give_the_same_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks keyed while worker processes decide the chunk before (keys shared across chunks wait for the chunk
    deciding them): the same output file, byte for byte, as one process."""
    from chipcontrol.batch import evaluate

    monkeypatch.setattr(evaluate, "_POOL_MIN", 10)
    src = tmp_path / "s.csv"
    generate_shipments(3_000, seed=9, until=dt.date(2026, 12, 1), malformed=0.01).write_csv(src)
    one = run_batch(src, tmp_path / "one.parquet", settings=Settings(), chunk_size=700, audit=False, workers=1)
    two = run_batch(src, tmp_path / "two.parquet", settings=Settings(), chunk_size=700, audit=False, workers=2)
    assert one.output_sha256 == two.output_sha256
    assert one.keys_evaluated == two.keys_evaluated and one.lines + one.rejects == 3_000


def test_batch_hits_go_to_the_review_queue_once_per_party(tmp_path: Path) -> None:
    db = tmp_path / "desk.db"
    src = tmp_path / "in.csv"
    src.write_text(HEADER + "a1,NVIDIA Tesla T4,1,DE,Huawei Technologies Co. Ltd.,DE,Example Co,2024-06-01\n"
                   + "a2,NVIDIA Tesla T4,2,DE,Huawei Technologies Co. Ltd.,DE,Example Co,2024-07-01\n"
                   + "a3,NVIDIA Tesla T4,1,DE,Example Robotics GmbH,DE,Example Co,2024-06-01\n")
    settings = Settings(database_url=f"sqlite:///{db}")
    res = run_batch(src, tmp_path / "o.csv", settings=settings, audit=True)
    assert res.audit_seq is not None and res.audit_note == ""

    from chipcontrol.services.review import QueueFilter, list_items
    from chipcontrol.store import open_store

    items = list_items(open_store(settings.database_url), QueueFilter(source="batch"))["items"]
    parties = {i["party"] for i in items}
    assert parties == {"Huawei Technologies Co. Ltd."}
    assert all(i["audit_seq"] == res.audit_seq and i["status"] == "open" for i in items)
    # the same party in two lines is one sighting per listing, not two
    assert len({(i["entry_id"], i["entry_version"]) for i in items}) == len(items)


def test_every_exporter_named_in_a_file(tmp_path: Path) -> None:
    # regression: with no blank exporter in a chunk, polars refused the exporter-class mapping inside when/then
    out, rej = _run(tmp_path, HEADER
                    + "e1,NVIDIA A800 SXM4 80GB,10,GB,Starling Networks Ltd,GB,NVIDIA,2025-04-09\n"
                    + "e2,NVIDIA A800 SXM4 80GB,1,BR,Vega Digital JSC,CN,Arrow Electronics,2023-01-24\n"
                    + "e3,NVIDIA H20,5,CN,Quantum Leaf Data Systems Co. Ltd.,CN,NVIDIA,2025-06-01\n")
    assert rej.height == 0 and out.height == 3
    by_line = {r["line_id"]: r for r in out.iter_rows(named=True)}
    assert by_line["e3"]["license_required"] in ("true", "True", True)


def test_a_first_frame_started_in_two_parts_gives_the_same_file(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The first frame of a large batch is keyed in two parts (its first part's keys decided meanwhile): the same
    lines and rejects, byte for byte, as the frame in one piece."""
    from chipcontrol.batch import runner

    src = tmp_path / "s.csv"
    generate_shipments(1_200, seed=3, until=dt.date(2026, 7, 1)).write_csv(src)
    with src.open("a", encoding="utf-8") as f:
        f.write("bad-1,,,,,,,,,,,\n")  # a reject in the second part
    whole = run_batch(src, tmp_path / "whole.parquet", settings=Settings(), audit=False)
    monkeypatch.setattr(runner, "_FIRST_PART", 100)
    parts = run_batch(src, tmp_path / "parts.parquet", settings=Settings(), audit=False)
    assert whole.rejects == parts.rejects == 1
    assert whole.output_sha256 == parts.output_sha256
    assert sha256_file(Path(whole.rejects_file)) == sha256_file(Path(parts.rejects_file))
