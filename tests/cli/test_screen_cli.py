"""Screening at the command line, and screening wired into `check`."""

from __future__ import annotations

from pathlib import Path


def test_screen_contract(cli) -> None:
    d = cli("screen", "Huawei Technologies Co., Ltd.", "--format", "json").json()
    assert d["hits"][0]["name"] == "Huawei Technologies Co., Ltd." and d["hits"][0]["list"] == "entity_list"
    scores = [h["score"] for h in d["hits"]]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    d = cli("screen", "Langchao Beijing Electronic Information", "--format", "json").json()
    assert d["hits"][0]["name"] == "Inspur (Beijing) Electronic Information Industry Co., Ltd."
    d = cli("screen", "Example Robotics GmbH", "--country", "DE", "--format", "json").json()
    assert not [h for h in d["hits"] if h["list"] == "entity_list"]


def test_generic_words_alone_never_match(cli) -> None:
    d = cli("screen", "Beijing Technology Development Co., Ltd.", "--format", "json").json()
    assert d["hits"] == []


def test_screen_file(cli, tmp_path: Path) -> None:
    f = tmp_path / "parties.csv"
    f.write_text('name,country\n"Huawei Technologies Co., Ltd.",CN\nExample Robotics GmbH,DE\n华为技术有限公司,\n')
    d = cli("screen", "--file", str(f), "--format", "json").json()
    assert d["count"] == 3
    tops = [(r["hits"][0]["name"] if r["hits"] else None) for r in d["results"]]
    assert tops == ["Huawei Technologies Co., Ltd.", None, "Huawei Technologies Co., Ltd."]


def test_screen_bad_input(cli) -> None:
    r = cli("screen", "   ")
    assert r.code == 2 and "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1
    r = cli("screen", "x" * 10000)
    assert r.code == 2 and "Traceback" not in r.err
    r = cli("screen", "Huawei", "--country", "Atlantis")
    assert r.code == 2 and "unknown country" in r.err


def test_check_screens_the_end_user(cli) -> None:
    d = cli("check", "NVIDIA H20", "--to", "CN", "--end-user", "Huawei Technologies Co., Ltd.", "--on", "2024-06-01",
            "--format", "json").json()
    assert d["license_required"] and d["review_policy"] == "presumption_of_denial"
    listed = [r for r in d["reasons"] if r["rule_id"] == "screening.entity_list"]
    assert len(listed) == 1 and "744.11" in listed[0]["citation"]
    clean = cli("check", "NVIDIA H20", "--to", "CN", "--end-user", "Example Robotics GmbH", "--on", "2024-06-01",
                "--format", "json").json()
    assert clean["license_required"] is False
