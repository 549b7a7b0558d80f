"""The `screen` cases of the acceptance contract, through the service function (JSON contract)."""

from __future__ import annotations

import json

from chipcontrol.services.screening import entity_list_hits, screen_many, screen_party


def test_exact_entity_list_name() -> None:
    r = screen_party("Huawei Technologies Co., Ltd.")
    top = r["hits"][0]
    assert top["name"] == "Huawei Technologies Co., Ltd."
    assert top["list"] == "entity_list"
    assert top["score"] == 1.0


def test_pinyin_alias_finds_inspur_beijing() -> None:
    r = screen_party("Langchao Beijing Electronic Information")
    top = r["hits"][0]
    assert top["name"] == "Inspur (Beijing) Electronic Information Industry Co., Ltd."
    assert top["matched_name"].startswith("Langchao")
    assert top["list"] == "entity_list"


def test_clean_party_has_no_entity_list_hits() -> None:
    r = screen_party("Example Robotics GmbH", "DE")
    assert [h for h in r["hits"] if h["list"] == "entity_list"] == []


def test_contract_fields_and_order() -> None:
    r = screen_party("Inspur", "CN")
    json.dumps(r)  # JSON-serialisable
    for key in ("query", "country", "algorithm", "snapshot", "threshold", "hits"):
        assert key in r
    assert r["algorithm"] == "chipcontrol-name-v2"
    assert r["country"] == "CN"
    assert r["snapshot"]["date"] == "2026-07-09"
    assert all(len(s["sha256"]) == 64 for s in r["snapshot"]["sources"])
    scores = [h["score"] for h in r["hits"]]
    assert scores == sorted(scores, reverse=True)
    assert r["hits"], "Inspur is listed"
    for h in r["hits"]:
        assert r["threshold"] <= h["score"] <= 1.0
        for key in ("name", "matched_name", "list", "score", "explanation", "country", "entry_id", "citation",
                    "license_requirement", "meaning"):
            assert key in h, key
        assert isinstance(h["citation"], str) and h["citation"]


def test_entity_list_hit_semantics() -> None:
    hits = entity_list_hits("Huawei Technologies Co., Ltd.", "CN")
    top = hits[0]
    assert top["list"] == "entity_list"
    assert top["effect"] == "license_required"
    assert "744.11" in top["citation"]
    assert "84 FR 22963" in top["citation"]
    assert "all items subject to the EAR" in top["license_requirement"]
    # Huawei's entry carries the Entity List FDP footnote (734.9(e))
    assert "foreign-direct-product" in top["meaning"]
    assert "734.9(e)" in top["citation_detail"]["note"]


def test_entity_list_hits_leave_out_informational_lists() -> None:
    # Qihoo 360 is on the 1260H list only
    r = screen_party("Qihoo 360")
    assert any(h["list"] == "1260h" for h in r["hits"])
    h1260 = next(h for h in r["hits"] if h["list"] == "1260h")
    assert h1260["effect"] == "informational"
    assert "No EAR licence requirement" in h1260["license_requirement"]
    assert all(h["list"] != "1260h" for h in entity_list_hits("Qihoo 360", None))


def test_meu_and_dpl_semantics() -> None:
    meu = screen_party("AECC Aero Science & Technology Co. Ltd.", lists=["meu"])["hits"][0]
    assert meu["list"] == "meu" and meu["effect"] == "license_required"
    assert "744.21" in meu["citation"] and "Supp. No. 2 to part 744" in meu["license_requirement"]
    dpl = screen_party("ADT Analog and Digital Technik", lists=["dpl"])["hits"][0]
    assert dpl["list"] == "dpl" and dpl["effect"] == "prohibited"
    assert "764.3" in dpl["citation"]


def test_screen_many_keeps_going_after_bad_rows() -> None:
    out = screen_many([("Huawei Technologies Co., Ltd.", "CN"), ("", None), ("Sophgo", "ZZ")])
    assert out[0]["hits"][0]["name"] == "Huawei Technologies Co., Ltd."
    assert out[1]["error"]["code"] == "invalid_input"
    assert out[2]["error"]["code"] == "unknown_country"
