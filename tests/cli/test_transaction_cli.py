"""The whole transaction at the command line: parties, owners, ownership files, answers — and one-line errors
that name the file and line for bad ownership data."""

from __future__ import annotations

from pathlib import Path

import pytest

T4 = ("check", "NVIDIA Tesla T4", "--to", "TH", "--end-user", "Example Components Co., Ltd.", "--end-user-hq", "TH",
      "--on", "2026-12-01", "--format", "json")


def _one_line_error(r, *needles: str) -> None:
    assert r.code == 2, (r.code, r.err)
    assert "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1, r.err
    for n in needles:
        assert n in r.err, r.err


def test_ownership_file_chain_and_parties_in_json(cli, tmp_path: Path) -> None:
    f = tmp_path / "own.csv"
    f.write_text("owner,owned,percent,source\nHuawei International Pte. Ltd.,Example Holding Pte. Ltd.,60,ACRA\n"
                 "Example Holding Pte. Ltd.,Example Components Co., Ltd.,55,ACRA\n".replace(
                     "Example Components Co., Ltd.", '"Example Components Co., Ltd."'))
    d = cli(*T4, "--ownership", str(f), "--purchaser", "Example Trading Co., Ltd.").json()
    assert d["license_required"] is True and d["outcome"] == "license_required"
    end_user = next(p for p in d["parties"] if p["role"] == "end_user")
    assert end_user["listed_share"] == 55.0 and end_user["affiliate"] is True
    assert any("Huawei International" in c for c in end_user["ownership_chains"])
    assert {p["role"] for p in d["parties"]} == {"end_user", "purchaser"}


def test_questions_come_first_for_people(cli) -> None:
    r = cli("check", "NVIDIA H100 SXM5 80GB", "--to", "MY", "--end-user", "Example Cloud Sdn Bhd", "--on",
            "2026-12-01")
    assert r.code == 0, r.err
    assert r.out.index("Question 1") < r.out.index("Trace") and "--end-user-hq" in r.out
    answered = cli("check", "NVIDIA H100 SXM5 80GB", "--to", "MY", "--end-user", "Example Cloud Sdn Bhd",
                   "--end-user-hq", "MY", "--on", "2026-12-01", "--format", "json").json()
    assert answered["outcome"] == "no_license_required" and answered["questions"] == []


def test_answer_option_settles_a_question(cli) -> None:
    d = cli("check", "NVIDIA H20", "--to", "CN", "--on", "2025-06-01", "--answer", "exporter.is_nvidia=no",
            "--format", "json").json()
    assert d["outcome"] == "no_license_required" and d["shipment"]["answers"] == {"exporter.is_nvidia": "no"}


@pytest.mark.parametrize(("content", "needles"), [
    ("owner,owned,percent\nA,B,50\nB,A,50\n", ["own.csv:2", "cycle"]),
    ("owner,owned,percent\nHuawei,P,60\nSugon,P,50\n", ["own.csv:3", "over 100"]),
    ("owner,owned,percent\nHuawei,P,-5\n", ["own.csv:2", "outside 0-100"]),
    ("owner,owned,percent\nHuawei,P,half\n", ["own.csv:2", "not a number"]),
    ("owner,owned,percent,share_class\nHuawei,P,5,A\n", ["own.csv:1", "unknown column 'share_class'"]),
    ("owner,owned,percent\n,P,5\n", ["own.csv:2", "empty owner"]),
    ("", ["empty ownership file"]),
])
def test_bad_ownership_file_is_one_line_naming_file_and_line(cli, tmp_path: Path, content: str,
                                                             needles: list[str]) -> None:
    f = tmp_path / "own.csv"
    f.write_text(content)
    _one_line_error(cli(*T4, "--ownership", str(f)), *needles)


@pytest.mark.parametrize(("args", "needle"), [
    (("--owner", "Huawei"), "NAME=PERCENT"),
    (("--owner", "Huawei=150"), "outside 0-100"),
    (("--owner", "=20"), "owner name is empty"),
    (("--purchaser", "   "), "purchaser name is empty"),
    (("--intermediate-consignee", "bad\x01name"), "control characters"),
    (("--answer", "nonsense"), "QUESTION_ID=VALUE"),
    (("--answer", "BAD ID=yes"), "QUESTION_ID=VALUE"),
    (("--made-in", "Atlantis"), "unknown place of production"),
    (("--region", "UA-99"), "unknown region"),
    (("--end-use", "space_travel"), "unknown end use"),
    (("--veu-site", "Mumbai"), "needs --veu FILE"),
    (("--ownership", "/nonexistent/own.csv"), "not found"),
])
def test_bad_transaction_options_are_one_line(cli, args: tuple[str, ...], needle: str) -> None:
    _one_line_error(cli(*T4, *args), needle)


def test_bad_veu_file_is_one_line(cli, tmp_path: Path) -> None:
    f = tmp_path / "veu.yaml"
    f.write_text("id: X\nholder: Y\nitems: [3A090.a]\nsites: [{country: IN}]\nvalid_from: '2025-01-01'\n")
    _one_line_error(cli(*T4, "--veu", str(f), "--veu-site", "Z"), "each site needs 'country' and 'site'")
    f.write_text("id: X\ncolour: blue\n")
    _one_line_error(cli(*T4, "--veu", str(f)), "unknown key(s) colour")


def test_bad_spec_provenance_and_huge_numbers_are_one_line(cli, tmp_path: Path) -> None:
    f = tmp_path / "x.yaml"
    f.write_text("name: X\ndense_tops: {fp16: 1.0e+308}\n")
    _one_line_error(cli("classify", "--spec", str(f)), "implausibly large")
    f.write_text("name: X\ndense_tops: {fp16: 100}\nprovenance: {made_in: Narnia}\n")
    _one_line_error(cli("classify", "--spec", str(f)), "provenance.made_in")
    f.write_text("name: X\ndense_tops: {fp16: 100}\nprovenance: {direct_product: maybe}\n")
    _one_line_error(cli("classify", "--spec", str(f)), "true or false")
