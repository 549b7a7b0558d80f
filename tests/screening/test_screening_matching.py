"""Name matching against the real bundled lists: aliases, Chinese names, typos, generic words."""

from __future__ import annotations

import pytest

from chipcontrol.screening import Screener, compare_names
from chipcontrol.screening.text import analyse, clean_input


def top(screener: Screener, name: str, country: str | None = None) -> str | None:
    r = screener.screen(name, country)
    return r.hits[0].entry.name if r.hits else None


def names_hit(screener: Screener, name: str, country: str | None = None) -> list[str]:
    return [h.entry.name for h in screener.screen(name, country).hits]


# --- pinyin aliases vs English names, from the Entity List itself ------------------------------
# (query, listed primary name): the query is one form (pinyin or English) of a listed party.
PINYIN_VS_ENGLISH = [
    ("Langchao Beijing Electronic Information", "Inspur (Beijing) Electronic Information Industry Co., Ltd."),
    ("Langchao (Beijing) Electronic Information Industry",
     "Inspur (Beijing) Electronic Information Industry Co., Ltd."),
    ("Inspur Beijing Electronic Information Industry", "Inspur (Beijing) Electronic Information Industry Co., Ltd."),
    ("Beijing Suanneng Technology Co., Ltd.", "Sophgo Technologies Ltd."),
    ("Qingdao Suanneng", "Qingdao Sophgo Technology Co., Ltd."),
    ("Wuxi Sophgo", "Wuxi Suanneng Technology Co., Ltd."),
    ("Xiamen Suanneng Technology", "Xiamen Sophgo Technologies Limited"),
    ("Haiguang Xinxi Jishu Youxian Gongsi", "Higon"),
    ("Chengdu Haiguang Wei Dianzi Jishu", "Chengdu Haiguang Microelectronics Technology"),
    ("Beijing Nuodian Keji Youxian Gongsi", "PRC Lode Technology Company"),
    ("Ditai Keji Xianggang Youxian Gongsi", "Detail Technology (HK) Limited"),
    ("Beijing Haili Lianhe Keji", "Beijing Hileed Solutions Co., Ltd."),
    ("Nanjing Chunhui Keji Shiye Youxian Gongsi", "Nanjing Chunhui Technology Industry Co., Ltd."),
    ("Xi'an Xiangxun Keji Youxian Zeren Gongsi", "Xi'an Xiangxun Technology Co., Ltd."),
    ("Shandong Langchao Cheeloosoft", "Inspur Software Co., Ltd."),
    ("Hexinxingtong Technology (Beijing) Co., Ltd.", "Hexin Xingtong Technology (Beijing) Co., Ltd."),
    ("Hunan Guofang Keji University", "National University of Defense Technology (NUDT)"),
    ("Zhongxin Guoji Jicheng Dianlu Xinjishu Yanfa (Shanghai) Youxian Gongsi",
     "SMIC Advanced Technology R&D (Shanghai) Corporation"),
]


@pytest.mark.parametrize(("query", "listed"), PINYIN_VS_ENGLISH)
def test_pinyin_and_english_forms(screener: Screener, query: str, listed: str) -> None:
    assert listed in names_hit(screener, query)[:3]


# --- Chinese-character names of listed companies ------------------------------------------------
CHINESE = [
    ("华为技术有限公司", "Huawei Technologies Co., Ltd."),
    ("華為技術有限公司", "Huawei Technologies Co., Ltd."),
    ("北京算能科技有限公司", "Sophgo Technologies Ltd."),
    ("青岛算能科技有限公司", "Qingdao Sophgo Technology Co., Ltd."),
    ("厦门算能科技有限公司", "Xiamen Sophgo Technologies Limited"),
    ("海光信息技术股份有限公司", "Higon"),
    ("成都海光微电子技术有限公司", "Chengdu Haiguang Microelectronics Technology"),
    ("西安翔迅科技有限责任公司", "Xi'an Xiangxun Technology Co., Ltd."),
    ("南京春辉科技实业有限公司", "Nanjing Chunhui Technology Industry Co., Ltd."),
    ("新疆联海创智信息科技有限公司", "Xinjiang Lianhai Chuangzhi Information Technology Co., Ltd."),
    ("国防科技大学", "National University of Defense Technology (NUDT)"),
    ("上海航空电子有限责任公司", "Shanghai Aviation Electronic Co., Ltd."),
    ("中芯国际集成电路新技术研发(上海)有限公司", "SMIC Advanced Technology R&D (Shanghai) Corporation"),
]


@pytest.mark.parametrize(("query", "listed"), CHINESE)
def test_chinese_character_names(screener: Screener, query: str, listed: str) -> None:
    assert listed in names_hit(screener, query)[:3]


def test_chinese_inspur_hits_an_inspur_entity(screener: Screener) -> None:
    assert (top(screener, "浪潮电子信息产业股份有限公司") or "").startswith("Inspur")


def test_chinese_huawei_top_hit_is_the_parent(screener: Screener) -> None:
    assert top(screener, "华为技术有限公司", "CN") == "Huawei Technologies Co., Ltd."


# --- typos ---------------------------------------------------------------------------------------
TYPOS = [
    ("Huawai Technologies Co., Ltd.", "Huawei Technologies Co., Ltd."),
    ("Huawie Technologies", "Huawei Technologies Co., Ltd."),
    ("Hikvison Digital Technology", "Hangzhou Hikvision Digital Technology Co., Ltd."),
    ("Inspur Electronc Information Industry", "Inspur Electronic Information Industry Co., Ltd."),
    ("Sopgho Technologies", "Sophgo Technologies Ltd."),
    ("Langchoa Beijing Electronic Information", "Inspur (Beijing) Electronic Information Industry Co., Ltd."),
    ("Semiconductor Manufacturing Internatonal Corporation",
     "Semiconductor Manufacturing International Corporation (SMIC)"),
]


@pytest.mark.parametrize(("query", "listed"), TYPOS)
def test_typos(screener: Screener, query: str, listed: str) -> None:
    assert listed in names_hit(screener, query)[:5]


def test_spacing_variants(screener: Screener) -> None:
    assert "Huawei Technologies Co., Ltd." in names_hit(screener, "Hua Wei Technologies")[:3]
    assert "Inspur (Beijing) Electronic Information Industry Co., Ltd." in names_hit(
        screener, "Lang Chao Beijing Electronic Information")[:3]


# --- generic words alone never match ------------------------------------------------------------
GENERIC_ONLY = [
    "Beijing Technology Development Co., Ltd.",
    "Shanghai Electronic Information Technology Co., Ltd.",
    "China International Trading Group",
    "Technology Co., Ltd.",
    "Moscow Industrial Group LLC",
    "Shenzhen Semiconductor Research Institute",
    "International Electronics Industries Inc.",
    "北京科技发展有限公司",
    "深圳电子信息技术有限公司",
    "Co., Ltd.",
    "Technolgy Developmnet Co Ltd",
]


@pytest.mark.parametrize("query", GENERIC_ONLY)
def test_generic_only_names_never_match(screener: Screener, query: str) -> None:
    assert screener.screen(query).hits == ()


def test_generic_words_do_not_carry_a_match(screener: Screener) -> None:
    # shares "Beijing", "Electronic", "Information", "Industry" with Inspur (Beijing) but no distinctive word
    r = screener.screen("Zorblax Beijing Electronic Information Industry Co., Ltd.")
    assert all("zorblax" not in h.explanation()["summary"] or h.score < 0.8 for h in r.hits)
    assert r.hits == ()


def test_whole_generic_listed_name_still_matches_word_for_word(screener: Screener) -> None:
    # a listed name made only of generic words is found by its full name (not by a part of it)
    assert "Beijing Institute of Technology" in names_hit(screener, "Beijing Institute of Technology")
    assert "Beijing Institute of Technology" not in names_hit(screener, "Beijing Technology")


# --- country is evidence, not a filter ----------------------------------------------------------
def test_country_is_a_small_boost_not_a_filter(screener: Screener) -> None:
    plain = screener.screen("Huawei Technologies Co Ltd")
    wrong = screener.screen("Huawei Technologies Co Ltd", "DE")
    right = screener.screen("Huawei Technologies Co Ltd", "CN")
    assert wrong.hits and wrong.hits[0].entry.name == "Huawei Technologies Co., Ltd."
    assert [h.score for h in wrong.hits] == [h.score for h in plain.hits]
    assert any(h.country_support for h in right.hits)
    assert not any(h.country_support for h in wrong.hits)
    hk = screener.screen("Inspur (HK) Electronics", "HK")
    assert hk.hits[0].country_support  # Hong Kong is listed under China


def test_explanation_names_the_matched_tokens(screener: Screener) -> None:
    h = screener.screen("Langchao Beijing Electronic Information").hits[0]
    ex = h.explanation()
    pairs = {(m["query"], m["listed"]) for m in ex["matched_tokens"]}
    assert ("langchao", "langchao") in pairs
    assert set(ex["generic_tokens"]) >= {"beijing", "electronic", "information"}
    assert ex["matched_alias"] is True
    assert "langchao=langchao" in ex["summary"]


def test_list_filter(screener: Screener) -> None:
    r = screener.screen("Huawei Technologies Co., Ltd.", lists=["ns_cmic"])
    assert r.hits and {h.list_id for h in r.hits} == {"ns_cmic"}


# --- normalisation -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Huawei Technologies Co., Ltd.", ["huawei", "technology"]),
        ("华为技术有限公司", ["huawei", "technology"]),
        ("ООО Ромашка", ["romashka"]),
        ("Siemens Aktiengesellschaft", ["siemens"]),
        ("Foo GmbH & Co. KG", ["foo"]),
        ("Bar S.A. de C.V.", ["bar"]),
        ("Xi'an Huawei", ["xian", "huawei"]),
        ("中国电子科技集团公司第十三研究所",
         ["china", "electronic", "technology", "group", "13", "research", "institute"]),
        ("ＨＵＡＷＥＩ", ["huawei"]),
        ("Zürich Präzision AG", ["zurich", "prazision"]),
    ],
)
def test_normalisation(raw: str, expected: list[str]) -> None:
    toks = [t.text for t in analyse(clean_input(raw)) if t.kind in ("name", "generic", "place")]
    assert toks == expected


def test_compare_names_basic() -> None:
    assert compare_names("Huawei Technologies Co., Ltd.", "HUAWEI TECHNOLOGIES COMPANY LIMITED") == 1.0
    assert compare_names("Olaf Scholz", "Olaf Scholze") > 0.9
    assert compare_names("Octavian Scholz", "Olaf Scholz") < 0.8
    assert compare_names("Beijing Technology Co", "Shanghai Technology Co") < 0.8


# --- a short legal form typed one letter off (issue 12) ------------------------------------------

@pytest.mark.parametrize(("name", "legal"), [
    ("Huawei Investment & Holding ro., Ltd.", ["co", "ltd"]),  # before another legal form
    ("Hangzhou Hualan Microelectronics Co., rtd.", ["co", "ltd"]),  # last word of a company's name
    ("Alpha Beta Technology lnc", ["inc"]),
])
def test_a_mistyped_short_legal_form_is_a_legal_form(name: str, legal: list[str]) -> None:
    assert [t.text for t in analyse(clean_input(name)) if t.kind == "legal"] == legal


@pytest.mark.parametrize("name", ["Chan Tai Ho", "Lim Boon Ing", "NIO Ing"])
def test_a_persons_last_name_is_no_mistyped_legal_form(name: str) -> None:
    # no legal form or generic word before it (a person), or too few words
    assert not [t for t in analyse(clean_input(name)) if t.kind == "legal"]


def test_mistyped_legal_form_finds_the_company(screener: Screener) -> None:
    assert top(screener, "Hangzhou Hualan Microelectronics Co., rtd.") == "Hangzhou Hualan Microelectronics Co., Ltd."


# --- a space typed one letter off between a listed name's words (issue 12) ------------------------

@pytest.mark.parametrize(("typed", "listed"), [
    ("Leo nTechnology Co., Ltd.", "Leon Technology Co., Ltd."),
    ("China Thre eGorges Corporation", "China Three Gorges Corporation"),  # a number word
    ("MG ITech Co., Ltd.", "MGI Tech Co., Ltd."),
    ("Kuang-Cii Group", "Kuang-Chi Group"),  # a hyphenated word with a part mistyped, read as one
])
def test_a_space_one_letter_off_is_put_back(screener: Screener, typed: str, listed: str) -> None:
    assert top(screener, typed) == listed


@pytest.mark.parametrize("name", [
    "Huawei Technologies Co., Ltd.",  # every word known: left as typed
    "Zyxwvu Qwertyu Trading",  # unknown words that no moved letter makes known
    "华为技术有限公司",
    "TP-Link Technologies Co., Ltd.",  # both parts known words
])
def test_no_space_is_moved_without_a_reason(screener: Screener, name: str) -> None:
    assert screener._moved_space(name) is None


def test_the_name_as_typed_is_still_read(screener: Screener) -> None:
    # the moved reading comes besides the query as typed: a name that is listed as typed stays found
    assert screener._moved_space("Leo nTechnology Co., Ltd.") == "Leon Technology Co., Ltd."
    assert top(screener, "Huawei Technologies Co., Ltd.") == "Huawei Technologies Co., Ltd."
