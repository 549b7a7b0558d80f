"""Chinese names done right (issue 12): each normalisation rule with the issue's own examples, against
the real bundled lists and curated names; ranking, grouping and generic-only names; romanised Chinese."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from chipcontrol.screening import ListEntry, ListSnapshot, Screener, bundled_snapshots, compare_names
from chipcontrol.screening.chinese import han_pieces, pinyin, to_simplified, to_traditional
from chipcontrol.screening.text import analyse
from chipcontrol.screening.zh_names import curated_names

ROOT = Path(__file__).resolve().parents[2]


def words(name: str) -> list[str]:
    return [t.text for t in analyse(name) if t.kind != "legal"]


def top(screener: Screener, name: str) -> tuple[str, str, float] | None:
    r = screener.screen(name)
    return (r.hits[0].entry.name, r.hits[0].list_id, r.hits[0].score) if r.hits else None


# --- administrative suffixes after a place ----------------------------------------------------------

@pytest.mark.parametrize(("with_suffix", "without", "listed"), [
    ("深圳市华为技术有限公司", "深圳华为技术有限公司", "Huawei Technologies Co., Ltd."),
    ("北京市商汤科技开发有限公司", "北京商汤科技开发有限公司", "Beijing Sensetime Technology Development Co., Ltd."),
])
def test_city_suffix_after_a_place_is_part_of_the_place(screener: Screener, with_suffix: str, without: str,
                                                        listed: str) -> None:
    assert words(with_suffix) == words(without)
    assert "shi" not in " ".join(words(with_suffix))
    a, b = top(screener, with_suffix), top(screener, without)
    assert a is not None and b is not None
    assert a[0] == b[0] == listed and a[2] == b[2] >= 0.95


def test_other_administrative_suffixes() -> None:
    assert words("广东省深圳市") == ["guangdong", "shenzhen"]
    assert words("新疆维吾尔自治区") == ["xinjiang"]
    # a place the lexicon does not know, followed by 市, is still a place
    first = analyse("晋江市某某科技有限公司")[0]
    assert (first.text, first.kind) == ("jinjiang", "place")


# --- numerals, 新, repeated syllables ---------------------------------------------------------------

def test_numerals_stay_inside_a_brand(screener: Screener) -> None:
    assert words("华大九天") == ["huadajiutian"]
    assert "9" not in words("北京华大九天科技股份有限公司")
    hit = top(screener, "华大九天")
    assert hit is not None and "Huada Jiutian" in hit[0] and hit[2] >= 0.95


def test_numbered_institutes_become_numbers() -> None:
    assert "13" in words("中国电子科技集团公司第十三研究所")
    assert "13" in words("十三所")
    assert words("CETC 38th Research Institute")[1] == "38"  # an ordinal equals its number


def test_xin_is_never_split_off_as_new(screener: Screener) -> None:
    assert words("新芯") == ["xinxin"]
    assert "new" not in words("武汉新芯集成电路制造有限公司")
    cut = words("深圳市大疆创新科技有限公司")
    assert "new" not in cut and "chuang" not in cut and "dajiang" in cut
    hit = top(screener, "武汉新芯集成电路制造有限公司")
    assert hit is not None and hit[0] == "Wuhan Xinxin Semiconductor Manufacturing Company Limited"


def test_repeated_syllables_are_kept() -> None:
    assert pinyin("芯芯") == "xinxin"
    assert pinyin("晶晶") == "jingjing"
    assert words("新芯") != words("芯")


def test_polyphonic_characters_read_as_in_names() -> None:
    # pypinyin is read character by character; the generated phrase readings give these
    assert pinyin("重庆") == "chongqing" and pinyin("长沙") == "changsha" and pinyin("厦门") == "xiamen"
    assert pinyin("长城") == "changcheng" and pinyin("银行") == "yinhang"


# --- traditional characters ---------------------------------------------------------------------------

def test_traditional_characters(screener: Screener) -> None:
    assert to_simplified("華為技術有限公司") == "华为技术有限公司"
    assert words("華為技術有限公司") == words("华为技术有限公司")
    hit = top(screener, "華為技術有限公司")
    assert hit == ("Huawei Technologies Co., Ltd.", "entity_list", 1.0)


def test_curated_traditional_column_is_derived_with_opencc() -> None:
    for z in curated_names():
        assert z.traditional == to_traditional(z.name), z.name


# --- a fuller name scores at least as well as the brand ----------------------------------------------

def test_fuller_name_is_not_below_the_brand(screener: Screener) -> None:
    brand = top(screener, "摩尔线程")
    full = top(screener, "摩尔线程智能科技(北京)有限责任公司")
    assert brand is not None and full is not None
    assert brand[0] == full[0] == "Moore Thread Intelligent Technology (Beijing) Co., Ltd."
    assert full[2] >= brand[2]


# --- ranking and grouping -----------------------------------------------------------------------------

def _entry(entry_id: str, list_id: str, name: str, country: str) -> ListEntry:
    return ListEntry(entry_id=entry_id, list_id=list_id, name=name, country=country, country_code=country)


def test_at_equal_score_the_licence_list_ranks_first() -> None:
    # two listings of one name in different countries (so not one company): equal scores
    informational = ListSnapshot("test", "test", ("ns_cmic",), None, None, "x",
                                 (_entry("n1", "ns_cmic", "Example Photonics Co., Ltd.", "RU"),))
    restrictive = ListSnapshot("test", "test", ("entity_list",), None, None, "y",
                               (_entry("e1", "entity_list", "Example Photonics Co., Ltd.", "HK"),))
    for snaps in ((informational, restrictive), (restrictive, informational)):
        r = Screener(snaps, curated=()).screen("Example Photonics")
        assert len(r.hits) == 2 and r.hits[0].score == r.hits[1].score
        assert [h.list_id for h in r.hits] == ["entity_list", "ns_cmic"]


@pytest.mark.parametrize("query", ["杭州海康威视数字技术股份有限公司", "海康威视",
                                   "Hangzhou Hikvision Digital Technology Co., Ltd."])
def test_one_company_on_three_lists_is_one_result(screener: Screener, query: str) -> None:
    r = screener.screen(query)
    hik = [h for h in r.hits if "Hikvision Digital" in h.entry.name]
    assert len(hik) == 1
    h = hik[0]
    assert r.hits[0] is h and h.list_id == "entity_list"  # the listing with legal consequences speaks
    assert sorted({e.list_id for e in h.listings}) == ["1260h", "entity_list", "ns_cmic"]
    d = h.to_dict()
    assert d["listings"][0]["list"] == "entity_list"
    assert all(x["entry_id"] and x["entry_version"] for x in d["listings"])


def test_an_alias_from_another_list_applies_to_the_entity_list_entry(screener: Screener) -> None:
    # 大疆 reaches DJI through NS-CMIC's own Chinese alias; the result is the Entity List listing, explained
    r = screener.screen("深圳市大疆创新科技有限公司")
    assert r.hits and r.hits[0].list_id == "entity_list" and "DJI" in r.hits[0].entry.name
    assert {e.list_id for e in r.hits[0].listings} >= {"entity_list", "ns_cmic"}


# --- generic-only names -----------------------------------------------------------------------------

def test_generic_only_listed_name_matches_when_every_word_agrees(screener: Screener) -> None:
    hit = top(screener, "上海微电子装备(集团)股份有限公司")
    assert hit is not None and hit[0] == "Shanghai Micro Electronics Equipment (Group) Co., Ltd." and hit[2] >= 0.95
    assert screener.screen("北京科技发展有限公司").hits == ()
    r = screener.screen("上海微电子设备研究所")  # one word differs: not the listed company
    assert not [h for h in r.hits if "Micro Electronics Equipment" in h.entry.name]


# --- homophones, short words, acronyms --------------------------------------------------------------

def test_chinese_homophones_in_other_characters_are_other_names(screener: Screener) -> None:
    assert compare_names("中信", "中芯") < 0.5  # both read "zhongxin"
    r = screener.screen("中信证券股份有限公司")
    assert not [h for h in r.hits if "Semiconductor Manufacturing" in h.entry.name]


def test_a_short_listed_word_inside_a_longer_query(screener: Screener) -> None:
    r = screener.screen("TCL Technology Group Corporation")
    assert not r.hits  # the alias "TCL" of another party is a possible match at most
    assert any(h.matched_name == "TCL" for h in r.possible)
    tcl = next(h for h in r.possible if h.matched_name == "TCL")
    assert "a possible match to review, not a hit" in tcl.explanation()["summary"]
    assert compare_names("Midea Group", "MIEA JSC") < 0.8


# --- a Chinese brand read as its English name (subsidiaries) ----------------------------------------

def test_brand_reading_reaches_a_subsidiarys_english_listing() -> None:
    # an index without any registered Chinese name of Cambricon's subsidiaries: only the brand 寒武纪
    brands = [z for z in curated_names() if z.kind in ("brand", "short")]
    scr = Screener(bundled_snapshots(), curated=brands)
    r = scr.screen("安徽寒武纪信息科技有限公司")
    assert r.hits[0].entry.name == "Anhui Cambricon Information Technology Co., Ltd."
    assert "寒武纪 read as 'cambricon'" in r.hits[0].explanation()["summary"]
    assert r.hits[0].explanation()["read_as"].startswith("寒武纪")


# --- romanised Chinese ------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ("Haiguang Xinxi Jishu Youxian Gongsi", ["haiguang", "information", "technology"]),
    ("Shenzhen Shi Haisi Bandao Ti Youxian Gongsi", ["shenzhen", "haisi", "semiconductor"]),
    ("Hangzhou Haikangweishi Shuzi Jishu Gufen Youxian Gongsi", ["hangzhou", "haikangweishi", "digital", "technology"]),
    ("Zhongguo Dianzi Keji Jituan Gongsi Disan Shiba Yanjiu Suo",
     ["china", "electronic", "technology", "group", "38", "research", "institute"]),
    ("Gao Xin", ["gao", "xin"]),  # a person: syllables are not joined into a place
    ("Tengxun Konggu Youxian Gongsi", ["tengxun"]),  # one letter from tongxun (通讯) and still a name
])
def test_romanised_legal_forms_generic_words_and_places(raw: str, expected: list[str]) -> None:
    assert words(raw) == expected


def test_romanised_name_finds_the_listing(screener: Screener) -> None:
    hit = top(screener, "Hangzhou Haikangweishi Shuzi Jishu Gufen Youxian Gongsi")
    assert hit is not None and hit[0] == "Hangzhou Hikvision Digital Technology Co., Ltd."


def test_pieces_keep_their_original_characters() -> None:
    pieces = han_pieces("深圳市华为技术有限公司")
    assert [(p[1], p[2]) for p in pieces] == [("深圳市", "place"), ("华为", "han"), ("技术", "generic"),
                                              ("有限公司", "legal")]


def test_generated_chinese_data_is_up_to_date() -> None:
    """zh_pinyin.tsv and the lexicon's pinyin column are what the generator makes from the current data."""
    res = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "screening_zh_data.py"), "--check"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr


def test_other_usual_translation_of_a_dictionary_word() -> None:
    # 研究所 is "Research Institute" (CETC) or "Institute" (CAS); 中国 = "Chinese" as in the Academy's name
    cas = "Chinese Academy of Sciences Institute of Computing Technology"
    assert compare_names("中国科学院计算技术研究所", cas) >= 0.95
    assert compare_names("中国电子科技集团公司第十三研究所",
                         "China Electronics Technology Group Corporation 13th Research Institute") >= 0.95
    assert compare_names("中国科学院计算技术研究所", "Chinese Academy of Sciences Institute of Physics") < 0.8
