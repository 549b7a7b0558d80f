"""What a user sees at the command line: the JSON contract, readable output, and one-line errors."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest


def test_classify_json_contract(cli) -> None:
    r = cli("classify", "NVIDIA L40", "--on", "2024-01-01", "--format", "json")
    assert r.code == 0, r.err
    d = r.json()
    assert d["paragraph"] == "3A090.b" and d["subparagraph"] == "3A090.b.1"
    assert d["rule_version"] == "ear-2023-11-17"
    assert abs(d["tpp"] - 2896.8) < 0.01 and abs(d["performance_density"] - 4.757) < 0.001
    for step in d["trace"]:
        assert {"rule_id", "question", "answer", "citation"} <= set(step) and step["citation"]


def test_classify_people_output_is_a_tree(cli) -> None:
    r = cli("classify", "h20", "--on", "2024-06-01")
    assert r.code == 0 and "NVIDIA H20 (HGX)" in r.out and "Trace" in r.out and "88 FR 73458" in r.out


def test_check_json_contract(cli) -> None:
    r = cli("check", "NVIDIA GeForce RTX 4090", "--to", "CN", "--on", "2024-06-01", "--format", "json")
    assert r.code == 0, r.err
    d = r.json()
    assert d["license_required"] is True and d["paragraph"] == "3A090.a"
    assert [e["name"] for e in d["license_exceptions"]] == ["NAC"]
    assert all(reason["citation"] for reason in d["reasons"])


def test_hong_kong_is_china(cli) -> None:
    d = cli("check", "NVIDIA H100 SXM5 80GB", "--to", "HK", "--on", "2024-06-01", "--format", "json").json()
    assert d["license_required"] and d["shipment"]["destination"] == "CN"
    assert any("Hong Kong" in n for n in d["notes"])


def test_timeline_replays_the_h20_story(cli) -> None:
    r = cli("timeline", "NVIDIA H20", "--to", "CN", "--exporter", "NVIDIA", "--until", "2026-11-25", "--format", "json")
    assert r.code == 0, r.err
    periods = r.json()["periods"]
    assert periods[0]["from"] == "2022-10-07" and periods[-1]["to"] == "2026-11-25"
    for a, b in itertools.pairwise(periods):  # no gaps, no overlaps
        assert b["from"] > a["to"]

    def on(day: str) -> dict:
        return [p for p in periods if p["from"] <= day <= p["to"]][-1]
    assert on("2024-06-01")["license_required"] is False
    assert on("2025-04-08")["license_required"] is False
    assert on("2025-04-09")["license_required"] is True
    assert on("2025-09-01")["license_required"] is True and on("2026-02-01")["license_required"] is True
    assert on("2025-04-20")["citation"] and "8-K" in on("2025-04-20")["citation"]
    milestones = {m["date"]: m for m in r.json()["milestones"]}
    assert milestones["2025-04-09"]["changed_status"] is True
    assert "licences" in milestones["2025-08-08"]["event"] and milestones["2025-08-08"]["changed_status"] is False
    assert "Case-by-case" in milestones["2026-01-15"]["event"]


def test_timeline_without_destination_is_classification_only(cli) -> None:
    d = cli("timeline", "NVIDIA A800 SXM4 80GB", "--until", "2024-01-01", "--format", "json").json()
    paras = [(p["from"], p["paragraph"]) for p in d["periods"]]
    assert paras == [("2022-10-07", None), ("2023-11-17", "3A090.a")]


def test_spec_file(cli, tmp_path: Path) -> None:
    f = tmp_path / "x1.yaml"
    f.write_text("name: X1\ndatacenter: true\ndense_tops: {int8: 600}\ndie_area_mm2: 1000\n")
    d = cli("classify", "--spec", str(f), "--on", "2024-06-01", "--format", "json").json()
    assert d["paragraph"] == "3A090.a" and d["tpp"] == 4800
    j = tmp_path / "x2.json"
    j.write_text('{"name": "X2", "datacenter": true, "dense_tops": {"fp16": 100}, "die_area_mm2": 1000}')
    assert cli("classify", "--spec", str(j), "--on", "2024-06-01", "--format", "json").json()["paragraph"] is None


def test_server_spec_is_4a090(cli, tmp_path: Path) -> None:
    f = tmp_path / "server.yaml"
    f.write_text("name: HGX box\nitem_type: computer\naccelerator: NVIDIA H100 SXM5 80GB\naccelerator_count: 8\n")
    d = cli("classify", "--spec", str(f), "--on", "2024-06-01", "--format", "json").json()
    assert d["paragraph"] == "4A090.a"


BAD = [
    (("classify", "NVIDIA Q9000"), "unknown"),
    (("classify", "H100"), "ambiguous"),
    (("classify", "NVIDIA H20", "--on", "2022-10-06"), "before 2022-10-07"),
    (("classify", "NVIDIA H20", "--on", "2024-02-30"), "not a calendar date"),
    (("classify", "NVIDIA H20", "--on", "June 2024"), "YYYY-MM-DD"),
    (("check", "NVIDIA H20", "--to", "XX"), "unknown destination code"),
    (("check", "NVIDIA H20", "--to", "China"), "did you mean CN"),
    (("check", "NVIDIA H20", "--to", "CN", "--qty", "0"), "at least 1"),
    (("check", "NVIDIA H20", "--to", "CN", "--end-user", "   "), "empty"),
    (("check", "NVIDIA H20"), "--to"),
    (("check", "NVIDIA H20", "--to", "CN", "--end-use", "weapons"), "unknown end use"),
    (("classify",), "exactly one"),
    (("classify", "--spec", "/nonexistent/spec.yaml"), "not found"),
]


@pytest.mark.parametrize(("args", "message"), BAD)
def test_bad_input_is_one_line_without_traceback(cli, args: tuple[str, ...], message: str) -> None:
    r = cli(*args)
    assert r.code != 0
    assert message.lower() in r.err.lower(), r.err
    assert "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1, r.err


SPECS = [
    ("name: X\ndense_tops: {fp16: -5}\n", "must not be negative"),
    ("name: X\ndense_tops: {fp16: lots}\n", "must be a number"),
    ("name: X\ndense_tops: {fp16: 100}\ncolour: red\n", "unknown key"),
    ("name: X\ndense_tops: {fp17: 100}\n", "unknown precision"),
    ("name: X\ndatacenter: true\n", "no throughput"),
    ("name: X\ndense_tops: {fp16: 100}\nname: Y\n", "duplicate key"),
    ("- just\n- a list\n", "mapping"),
    ("name: X\ndense_tops: {fp16: 100\n", "YAML"),
    ("name: X\ndense_tops: {fp16: 100}\ndatacenter: maybe\n", "true or false"),
]


@pytest.mark.parametrize(("text", "message"), SPECS)
def test_malformed_spec_files(cli, tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(text)
    r = cli("classify", "--spec", str(f))
    assert r.code == 2 and message.lower() in r.err.lower(), r.err
    assert "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1


def test_indeterminate_is_shown_not_guessed(cli, tmp_path: Path) -> None:
    f = tmp_path / "noarea.yaml"
    f.write_text("name: X\ndatacenter: true\ndense_tops: {fp16: 200}\n")
    d = cli("classify", "--spec", str(f), "--on", "2024-06-01", "--format", "json").json()
    assert d["paragraph"] is None and d["indeterminate"] and d["missing"] == ["die_area_mm2"]


def test_chips_lists_the_catalogue(cli) -> None:
    d = cli("chips", "--on", "2024-06-01", "--format", "json").json()
    assert d["count"] >= 72
    by = {c["name"]: c for c in d["chips"]}
    assert by["NVIDIA L40"]["paragraph"] == "3A090.b" and by["NVIDIA H20 (HGX)"]["paragraph"] is None
    s = cli("chips", "rtx 4090", "--format", "json").json()
    assert {c["name"] for c in s["chips"]} == {"NVIDIA GeForce RTX 4090", "NVIDIA GeForce RTX 4090 D"}


def test_tf32_setting_from_environment(cli) -> None:
    base = cli("classify", "AWS Trainium (Trn1)", "--on", "2024-06-01", "--format", "json").json()
    wide = cli("classify", "AWS Trainium (Trn1)", "--on", "2024-06-01", "--format", "json",
               extra_env={"CHIPCONTROL_TF32_BITS": "32"}).json()
    assert base["paragraph"] is None and wide["paragraph"] == "3A090.a"
    bad = cli("classify", "NVIDIA H20", extra_env={"CHIPCONTROL_TF32_BITS": "64"})
    assert bad.code == 2 and "CHIPCONTROL_TF32_BITS" in bad.err


def test_as_written_view(cli) -> None:
    d = cli("check", "NVIDIA H100 SXM5 80GB", "--to", "IN", "--end-user-hq", "IN", "--on", "2025-06-01",
            "--format", "json").json()
    assert d["license_required"] is False and d["other_view"]["license_required"] is True
    w = cli("check", "NVIDIA H100 SXM5 80GB", "--to", "IN", "--end-user-hq", "IN", "--on", "2025-06-01", "--view",
            "as_written", "--format", "json").json()
    assert w["license_required"] is True and w["view"] == "as_written" and w["view_note"]
