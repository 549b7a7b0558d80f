"""Chinese names reached through translation (issue 12): company-name words translated word by word from
the lexicon (火炬 "torch", 中航 "AVIC"), 集团 against a listed "Corporation", and near-duplicate listings
resolved to one company. Against the real bundled lists; the indexes below hold the curated brands and
short names only, so a registered Chinese name can only be reached through its translation."""

from __future__ import annotations

import pytest

from chipcontrol.screening import Screener, bundled_snapshots, compare_names
from chipcontrol.screening.chinese import han_pieces, lexicon, translation_of
from chipcontrol.screening.matcher import TRANSLATED_SIM
from chipcontrol.screening.text import analyse
from chipcontrol.screening.zh_names import curated_names


@pytest.fixture(scope="module")
def brands_only() -> Screener:
    """The lists' own names and the curated brands/short names: no registered Chinese name."""
    return Screener(bundled_snapshots(), curated=[z for z in curated_names() if z.kind in ("brand", "short")])


def words(name: str) -> list[str]:
    return [t.text for t in analyse(name) if t.kind not in ("legal", "stop")]


# --- the lexicon's translations -----------------------------------------------------------------------

def test_every_translated_word_says_where_its_rendering_comes_from() -> None:
    terms = [lw for lw in lexicon().values() if lw.kind == "term" and lw.word in ("火炬", "中航", "联合", "长江")]
    assert len(terms) == 4
    assert all(lw.note for lw in terms)
    assert lexicon()["中航"].english == "avic" and "Aviation Industry Corporation of China" in lexicon()["中航"].note


@pytest.mark.parametrize(("name", "expected"), [
    ("福建火炬电子科技", ["fujian", "torch", "electronic", "technology"]),
    ("熊猫电子集团", ["panda", "electronic", "group"]),
    ("中航重机", ["avic", "heavy", "machinery"]),
    ("中电科思仪科技", ["cetc", "siyi", "technology"]),
    ("中国联合网络通信集团", ["china", "united", "network", "communication", "group"]),
    # 与 between two dictionary words is "and" (a stop word)
    ("上海微系统与信息技术研究所", ["shanghai", "microsystem", "information", "technology", "research", "institute"]),
])
def test_company_words_are_translated_word_by_word(name: str, expected: list[str]) -> None:
    assert words(name) == expected


@pytest.mark.parametrize(("name", "expected"), [
    ("中国移动通信集团", ["china", "mobile", "communication", "group"]),
    ("北京激光红外科技", ["beijing", "laser", "infrared", "technology"]),
    ("Beijing Jiguang Keji Youxian Gongsi", ["beijing", "laser", "technology"]),
])
def test_industry_vocabulary_is_translated(name: str, expected: list[str]) -> None:
    assert words(name) == expected


def test_a_translated_word_is_never_split_off_a_one_character_name() -> None:
    # 东方 is "oriental", but 东方红 is one name: 红 alone would be a single character split out
    assert words("东方红卫星") == ["dongfanghong", "satellite"]
    assert words("东方网力") == ["oriental", "wangli"]
    assert han_pieces("东方红")[0][2] == "han"


def test_romanised_words_are_translated_only_inside_a_company_name() -> None:
    assert words("Fujian Huoju Dianzi Keji Gufen Youxian Gongsi") == ["fujian", "torch", "electronic", "technology"]
    assert words("Dongfang Wei") == ["dongfang", "wei"]  # a person called Dongfang keeps the name
    assert words("Huoju") == ["huoju"]


def test_translation_of_knows_where_a_token_comes_from() -> None:
    lw = translation_of("火炬", "torch")
    assert lw is not None and lw.word == "火炬"
    assert translation_of("Huoju", "torch") is lw
    assert translation_of("火炬", "huoju") is None  # the romanised form is no translation
    assert translation_of("科技", "technology") is None  # generic words are not distinctive translations


# --- matching through a translation -------------------------------------------------------------------

def test_a_translation_is_derived_evidence() -> None:
    assert TRANSLATED_SIM < 1.0
    assert compare_names("火炬", "Torch") == TRANSLATED_SIM  # not as strong as the same word
    assert compare_names("火炬", "火炬") == 1.0


@pytest.mark.parametrize(("query", "listed", "chinese", "english"), [
    ("福建火炬电子科技股份有限公司", "Fujian Torch Electron Technology Co., Ltd.", "火炬", "torch"),
    ("熊猫电子集团有限公司", "Panda Electronics Group Co., Ltd.", "熊猫", "panda"),
    ("中航重机股份有限公司", "AVIC Heavy Machinery Company Limited", "中航", "avic"),
    ("国投智能(厦门)信息股份有限公司", "SDIC Intelligence (Xiamen) Information Co., Ltd.", "国投", "sdic"),
    ("Fujian Huoju Dianzi Keji Gufen Youxian Gongsi", "Fujian Torch Electron Technology Co., Ltd.",
     "huoju (火炬)", "torch"),
])
def test_registered_name_reaches_the_english_listing_through_its_translation(
        brands_only: Screener, query: str, listed: str, chinese: str, english: str) -> None:
    r = brands_only.screen(query)
    assert r.hits and r.hits[0].entry.name == listed
    h = r.hits[0]
    assert 0.8 <= h.score < 1.0
    expl = h.explanation()
    assert {"chinese": chinese, "english": english} in [
        {k: x[k] for k in ("chinese", "english")} for x in expl["translated_as"]]
    assert all(x["source"] for x in expl["translated_as"])
    assert f"{chinese} translated as {english!r}" in expl["summary"]
    assert h.to_dict()["explanation"]["translated_as"] == expl["translated_as"]


def test_the_same_characters_are_not_reported_as_a_translation(screener: Screener) -> None:
    # with the registered name indexed, 中航光电 meets its own characters: nothing was translated
    r = screener.screen("中航光电科技股份有限公司")
    assert r.hits[0].entry.name == "AVIC Jonhon Optronic Technology Co., Ltd."
    assert "translated_as" not in r.hits[0].explanation()


@pytest.mark.parametrize(("query", "listed"), [
    ("中国航天科技集团有限公司", "China Aerospace Science and Technology Corporation"),
    ("中国航空工业集团有限公司", "Aviation Industry Corporation of China, Ltd."),
    ("中国联合网络通信集团有限公司", "China United Network Communications Group Co., Ltd."),
    ("Zhongguo Hangtian Keji Jituan Youxian Gongsi", "China Aerospace Science and Technology Corporation"),
])
def test_jituan_meets_a_listed_corporation(brands_only: Screener, query: str, listed: str) -> None:
    r = brands_only.screen(query)
    assert r.hits and r.hits[0].score >= 0.95
    assert listed in {e.name for e in r.hits[0].listings}


def test_jituan_needs_a_listed_corporation() -> None:
    assert compare_names("中国航天科技集团有限公司", "China Aerospace Science and Technology Corporation") >= 0.95
    assert compare_names("中国航天科技集团有限公司", "China Aerospace Science and Technology Co., Ltd.") < 0.8
    assert compare_names("中国华能集团有限公司", "China Huateng Industry Co., Ltd.") < 0.8


@pytest.mark.parametrize("query", ["长城汽车股份有限公司", "中国东方航空股份有限公司", "交通银行股份有限公司",
                                   "中国长江电力股份有限公司", "新东方教育科技集团有限公司", "中粮集团有限公司"])
def test_translated_words_raise_no_alarm_on_unlisted_companies(screener: Screener, query: str) -> None:
    assert screener.screen(query).hits == ()


# --- near-duplicate listings ----------------------------------------------------------------------------

def _company(screener: Screener, list_id: str, name: str) -> set[tuple[str, str]]:
    entry = next(e for e in screener.entries if e.list_id == list_id and e.name == name)
    return {(e.list_id, e.name) for e in screener.company_of(entry)}


def test_near_duplicate_listings_on_two_lists_are_one_company(screener: Screener) -> None:
    # the same words but for a place on one side only
    assert ("1260h", "Zhejiang Dahua Technology Co., Ltd.") in _company(screener, "entity_list", "Dahua Technology")
    # the same name, the listed parent in the Cayman Islands
    assert ("ns_cmic", "Megvii Technology Limited") in _company(screener, "entity_list", "Megvii Technology")
    # a primary name printed word for word as another list's alias
    assert ("ns_cmic", "China Telecommunications Corporation") in _company(
        screener, "1260h", "China Telecom Group Co., Ltd.")


def test_listings_the_list_itself_keeps_apart_stay_apart(screener: Screener) -> None:
    huawei = _company(screener, "entity_list", "Huawei Technologies Co., Ltd.")
    assert ("entity_list", "Chengdu Huawei Technologies Co., Ltd.") not in huawei
    assert ("entity_list", "Xi'an Huawei Technologies Co., Ltd.") not in huawei
    # a parent and its listed subsidiary share the alias "China Telecom" only: two companies
    assert ("ns_cmic", "China Telecom Corporation Limited") not in _company(
        screener, "1260h", "China Telecom Group Co., Ltd.")


def test_a_query_of_generic_words_only_matches_when_every_word_agrees(screener: Screener) -> None:
    # "micro electronic" joined is still generic for a query that has no distinctive word of its own
    smee = "Shanghai Micro Electronics Equipment (Group) Co., Ltd."
    r = screener.screen("上海微电子装备(集团)股份有限公司")
    assert r.hits and r.hits[0].entry.name == smee
    r = screener.screen("上海微电子设备研究所")
    assert not [h for h in r.hits if h.entry.name == smee]


# --- a space typed one letter off ---------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "expected"), [
    ("Huawei Technologie sCo., Ltd.", ["huawei", "technology"]),
    ("Huawei Machin eCo., Ltd.", ["huawei", "machinery"]),
    ("Technologiesc o", ["technology"]),
    ("Green Eco Ltd", ["green", "eco"]),  # a name is never changed: "greene" is no known word
])
def test_a_space_one_letter_off_between_known_words(typed: str, expected: list[str]) -> None:
    assert words(typed) == expected


def test_a_misplaced_space_still_finds_the_listing(screener: Screener) -> None:
    r = screener.screen("Huawei Technologie sCo., Ltd.")
    assert r.hits and r.hits[0].entry.name == "Huawei Technologies Co., Ltd."


# --- a romanised word shared by a dictionary word and a brand -----------------------------------------

def test_zhongxin_is_center_as_the_last_word_of_a_romanised_company_name() -> None:
    # 中心 and 中芯 are both "zhongxin": a brand comes first, the dictionary word last
    assert words("Guojia Chaoji Jisuan Shenzhen Zhongxin") == ["national", "supercomputing", "shenzhen", "center"]
    assert words("Zhongxin Guoji Jicheng Dianlu Zhizao Youxian Gongsi")[0] == "zhongxin"
    assert words("Zhongxin") == ["zhongxin"]  # no company words around it: a name


def test_romanised_supercomputing_center_finds_its_listing(brands_only: Screener) -> None:
    r = brands_only.screen("Guojia Chaoji Jisuan Shenzhen Zhongxin")
    assert r.hits and r.hits[0].entry.name == "National Supercomputing Center Shenzhen"


@pytest.mark.parametrize(("query", "listed"), [
    # 浪潮 reads "inspur" (learnt from 浪潮信息 on Inspur Electronic Information Industry); "Langchao" is also a
    # word of Inspur (Beijing)'s alias "Langchao (Beijing) Electronic Information Industry", a company that
    # "inspur" names too, so the romanised brand still reads "inspur"
    ("Langchao Ruanjian Gufen Youxian Gongsi", "Inspur Software Co., Ltd."),
    ("Langchao Dianzi Xinxi Chanye Gufen Youxian Gongsi", "Inspur Electronic Information Industry Co., Ltd."),
])
def test_a_romanised_brand_that_its_own_companies_also_write(brands_only: Screener, query: str, listed: str) -> None:
    r = brands_only.screen(query)
    assert r.hits and r.hits[0].entry.name == listed
    assert "read as 'inspur'" in (r.hits[0].reading or "")


def test_a_brand_read_as_an_abbreviation_keeps_its_romanisation_apart(brands_only: Screener) -> None:
    # 中芯 = "smic" (an abbreviation of generic words): "Zhongxin" is not read so, being a Latin word on the lists
    assert "zhongxin" not in brands_only._equiv_roman
    assert brands_only._equiv_roman.get("langchao") == "浪潮"


def test_a_brand_after_a_prefix_kept_in_one_word(brands_only: Screener) -> None:
    # 中际旭创 is one word to the segmenter (two unknown words joined); 旭创 is the brand the index teaches
    # (旭创科技 on "Zhongji Innolight"): read as the brand after a prefix of one or two characters
    r = brands_only.screen("中际旭创股份有限公司")
    assert r.hits and r.hits[0].entry.name == "Zhongji Innolight Co., Ltd."
    assert (r.hits[0].reading or "").startswith("中际旭创 (旭创) read as")


def test_no_brand_is_read_after_a_longer_prefix(brands_only: Screener) -> None:
    # three characters before 旭创 in one word: a name of its own, not read as the brand
    r = brands_only.screen("中际天旭创股份有限公司")
    assert not [h for h in r.hits if "Innolight" in h.entry.name and "旭创" in (h.reading or "")]


def test_microscale_is_a_dictionary_word(brands_only: Screener) -> None:
    # 微尺度 "microscale" (physics): the laboratory's registered name, held back, meets its English listing
    assert words("合肥微尺度物质科学国家实验室") == ["hefei", "microscale", "physics", "science", "national",
                                                   "laboratory"]
    r = brands_only.screen("合肥微尺度物质科学国家实验室")
    assert r.hits and r.hits[0].entry.name == "Hefei National Laboratory for Physical Sciences at Microscale"
    assert translation_of("微尺度", "microscale") is not None
