"""Chinese short names read as abbreviations of longer Chinese names (issue 12): a stock short name or a
group's short name is made of its full name's characters, in order (中国海油 = 中国海洋石油, 中航西飞 =
中航西安飞机工业集团, 中国动力 = 中国船舶重工集团动力), and a name that shares one Chinese word with a listed
name but names another trade is not that company (长城汽车 is not 长城军工). Against the real bundled lists."""

from __future__ import annotations

import pytest

from chipcontrol.screening import Screener, bundled_snapshots
from chipcontrol.screening.chinese import han_syllables, split_syllables
from chipcontrol.screening.matcher import (
    ABBREVIATION_ROMANISED,
    ABBREVIATION_SIM,
    ABBREVIATION_SPAN,
    _abbreviation,
    _han_form,
    _initials,
    _roman_form,
)
from chipcontrol.screening.zh_names import curated_names


def abbreviation(short: str, full: str) -> float:
    a, b = _han_form(short), _han_form(full)
    assert a is not None and b is not None
    return _abbreviation(a, b)


@pytest.mark.parametrize(("short", "full"), [
    ("中国海油", "中国海洋石油有限公司"),  # distinctive characters kept: 海, 油
    ("中航西飞", "中航西安飞机工业集团股份有限公司"),
    ("中国航发", "中国航空发动机集团有限公司"),
    ("兵器工业集团", "中国兵器工业集团有限公司"),  # from the first character after the leading place
    ("中国动力", "中国船舶重工集团动力股份有限公司"),  # generic words only: to the last character
    ("中科院计算所", "中国科学院计算技术研究所"),
    ("航空工业", "中国航空工业集团有限公司"),  # to its last character before a closing 集团
    ("华澜微", "杭州华澜微电子股份有限公司"),
    ("寒武纪", "中科寒武纪科技股份有限公司"),  # without the group's prefix 中科 of the first, distinctive word
    ("国盾量子", "科大国盾量子技术股份有限公司"),  # ... 科大
])
def test_short_names_made_of_the_full_names_characters(short: str, full: str) -> None:
    assert abbreviation(short, full) >= ABBREVIATION_SIM
    assert abbreviation(full, short) == 0.0  # the longer name is never the abbreviation


@pytest.mark.parametrize(("short", "full"), [
    ("北京科技", "北京壁仞科技开发有限公司"),  # no character of the distinctive word 壁仞
    ("上海微电子", "上海微电子设备研究所"),  # generic words only: a prefix is not enough
    ("中国电子", "中国电子信息产业集团有限公司"),  # ... not even before 集团
    ("长城军工", "长城汽车股份有限公司"),  # not its characters
    ("北邮", "北京邮电大学"),  # two characters: only by its words' first characters (below)
    ("国海油", "中国海洋石油有限公司"),  # neither from its first character nor from the first after 中国
    ("航天电子", "航天时代电子技术股份有限公司"),  # keeps none of 时代, its distinctive word
    ("武纪科技", "中科寒武纪科技股份有限公司"),  # leaves out more than a two-character prefix
    ("盾量子", "科大国盾量子技术股份有限公司"),
    ("旭创科技", "中际旭创股份有限公司"),  # 科技 is not the full name's
])
def test_what_is_not_an_abbreviation(short: str, full: str) -> None:
    assert abbreviation(short, full) == 0.0


def initials(short: str, full: str) -> float:
    a, b = _han_form(short), _han_form(full)
    assert a is not None and b is not None
    return _initials(a, b)


@pytest.mark.parametrize(("short", "full"), [
    ("北邮", "北京邮电大学"),  # the first character of each word, the closing 大学 left out
    ("哈工大", "哈尔滨工业大学"),
    ("西工大", "西北工业大学"),  # one character of the distinctive word 西北
    ("川大", "四川大学"),  # a place by its last character
    ("北理工", "北京理工大学"),  # a word whole, another by its first character
    ("电子科大", "电子科技大学"),  # a beginning of a word (电子科技 is one word)
    ("中国联通", "中国联合网络通信集团有限公司"),  # one generic word (网络) and the closing 集团 left out
    ("中交集团", "中国交通建设集团有限公司"),
])
def test_short_names_made_of_the_words_first_characters(short: str, full: str) -> None:
    assert initials(short, full) >= ABBREVIATION_SIM
    assert initials(full, short) == 0.0


@pytest.mark.parametrize(("short", "full"), [
    ("北航", "北京航天长峰股份有限公司"),  # leaves out the distinctive word 长峰
    ("北航", "北京航空航天大学"),  # would leave out 航天, a word that is not closing, in a name of two
    ("北京理工", "北京理工大学"),  # every word whole: a prefix, no word cut short
    ("上海微电子", "上海微电子设备研究所"),  # leaves out 设备 and 研究所
    ("中国电子", "中国电子信息产业集团有限公司"),  # leaves out two generic words
    ("中国电信", "中国电子信息产业集团有限公司"),  # leaves out 产业 after the words it keeps (China Telecom is not CEC)
    ("国防科大", "中国人民解放军国防科技大学"),  # leaves out the distinctive 人民解放军
    ("工大", "哈尔滨工业大学"),  # the first word gives a character
])
def test_what_is_not_made_of_the_words_first_characters(short: str, full: str) -> None:
    assert initials(short, full) == 0.0


@pytest.fixture(scope="module")
def registered_only() -> Screener:
    """The lists' own names and the curated registered/former names: no brand or short name."""
    return Screener(bundled_snapshots(), curated=[z for z in curated_names() if z.kind in ("registered", "former")])


@pytest.fixture(scope="module")
def brands_only() -> Screener:
    return Screener(bundled_snapshots(), curated=[z for z in curated_names() if z.kind in ("brand", "short")])


@pytest.mark.parametrize(("query", "listed"), [
    ("中国海油", "CNOOC Limited"),  # SSE 600938's short name reaches the registered 中国海洋石油有限公司
    ("中航西飞", "AVIC Xi'an Aircraft Industry Group Company Ltd."),
    ("中国动力", "China Shipbuilding Industry Group Power Company Limited"),
])
def test_a_short_name_finds_the_registered_name(registered_only: Screener, query: str, listed: str) -> None:
    r = registered_only.screen(query)
    assert r.hits and any(e.name == listed for e in r.hits[0].listings)
    ex = r.hits[0].explanation()
    assert "abbreviation" in ex["read_as"] and "abbreviation" in ex["summary"]


@pytest.mark.parametrize(("query", "listed"), [
    ("北邮", "Beijing University of Posts and Telecommunications (BUPT)"),
    ("中交集团", "China Communications Construction Group (Limited)"),  # before CCCC's 中国交建 (China
    # Communications Construction Company), which 中交 also translates
])
def test_a_short_name_of_first_characters_finds_the_registered_name(registered_only: Screener, query: str,
                                                                    listed: str) -> None:
    r = registered_only.screen(query)
    assert r.hits and any(e.name == listed for e in r.hits[0].listings)
    assert "abbreviation" in r.hits[0].explanation()["read_as"]


def test_a_registered_name_finds_the_short_name(brands_only: Screener) -> None:
    r = brands_only.screen("中国船舶重工集团动力股份有限公司")  # only 中国动力 is indexed for it
    assert r.hits and r.hits[0].entry.name == "China Shipbuilding Industry Group Power Company Limited"
    assert r.hits[0].matched_name == "中国动力"


@pytest.mark.parametrize(("query", "listed", "read"), [
    # only 寒武纪 indexed for it; 中科寒武纪 is also read as the brand 寒武纪 after a prefix (the brand reading)
    ("中科寒武纪科技股份有限公司", "Cambricon Technologies Corporation Limited", "(寒武纪) read as 'cambricon'"),
    ("Kedaguodun Liangzi Jishu Gufen Youxian Gongsi", "QuantumCTek Co., Ltd.", "read as an abbreviation"),  # 国盾量子
])
def test_a_registered_name_finds_the_short_name_without_the_groups_prefix(brands_only: Screener, query: str,
                                                                          listed: str, read: str) -> None:
    r = brands_only.screen(query)
    assert r.hits and any(e.name == listed for e in r.hits[0].listings)
    assert read in r.hits[0].explanation()["read_as"]


def test_the_cached_index_reads_abbreviations_too(registered_only: Screener) -> None:
    again = Screener.from_state(registered_only.to_state())
    assert again.screen("中国海油").hits[0].entry.name == registered_only.screen("中国海油").hits[0].entry.name


def test_one_chinese_word_in_common_and_another_trade(screener: Screener) -> None:
    # 长城军工 (Anhui Greatwall Military Industry's short name) shares only 长城 with Great Wall Motor
    r = screener.screen("长城汽车股份有限公司")
    assert not [h for h in r.hits if "Greatwall" in h.entry.name]
    assert screener.screen("长城军工").hits[0].entry.name == "Anhui Greatwall Military Industry Co., Ltd"


def test_the_short_name_that_keeps_the_seat_ranks_first(brands_only: Screener) -> None:
    # 中芯北京 keeps the brand and the seat of 中芯国际集成电路制造(北京); the parent's 中芯国际 not its seat
    full = "中芯国际集成电路制造(北京)有限公司"
    assert abbreviation("中芯北京", full) > abbreviation("中芯国际", full)
    names = [h.entry.name for h in brands_only.screen(full).hits]
    beijing = names.index("Semiconductor Manufacturing International (Beijing) Corporation")
    assert beijing < names.index("Semiconductor Manufacturing International Corporation (SMIC)")
    # and before SMIC Northern's English listing, which has a place (Northern) the query lacks and lacks its
    # 国际: a short name keeping every distinctive and place character, only generic words left out
    assert beijing == 0 and "SMIC Northern Integrated Circuit Manufacturing (Beijing) Co., Ltd." in names
    # and the parent's short name still finds the parent's registered name first
    assert abbreviation("中芯国际", "中芯国际集成电路制造有限公司") > abbreviation("中芯国际", full)


def test_a_leading_place_left_out_is_no_loss(brands_only: Screener) -> None:
    # short names drop their seat: 中科飞测 keeps everything of 深圳中科飞测科技 that counts
    assert abbreviation("中科飞测", "深圳中科飞测科技股份有限公司") >= ABBREVIATION_SIM + ABBREVIATION_SPAN
    # ... but a seat in brackets after the name still tells a subsidiary apart (中芯北京, above)
    assert abbreviation("中芯国际", "中芯国际集成电路制造(北京)有限公司") < ABBREVIATION_SIM + ABBREVIATION_SPAN
    r = brands_only.screen("深圳中科飞测科技股份有限公司")  # only 中科飞测 indexed for Skyverse
    assert r.hits and r.hits[0].entry.name == "Skyverse"  # before Shenzhen Qianhai Skyverse Semiconductor


# --- romanised: syllable by syllable ------------------------------------------------------------------

def test_pinyin_words_cut_into_syllables() -> None:
    assert split_syllables("zhongguo") == ("zhong", "guo")
    assert split_syllables("jituan") == ("ji", "tuan")
    assert split_syllables("technology") is None  # not pinyin
    assert han_syllables("重工") == ("zhong", "gong") and han_syllables("长江") == ("chang", "jiang")


def test_a_romanised_registered_name_finds_the_chinese_short_name(brands_only: Screener) -> None:
    # only the short name 中国海油 is indexed for CNOOC Limited; the query is its registered name in pinyin
    r = brands_only.screen("Zhongguo Haiyang Shiyou Youxian Gongsi")
    assert r.hits and r.hits[0].entry.name == "CNOOC Limited"
    assert "zhong guo hai you read as an abbreviation" in r.hits[0].explanation()["read_as"]
    han = brands_only.screen("中国海洋石油有限公司").hits[0]
    assert r.hits[0].score == pytest.approx(han.score - ABBREVIATION_ROMANISED, abs=1e-3)  # homophones: less


def test_english_words_are_not_read_as_syllables() -> None:
    assert _roman_form("China National Offshore Oil Corporation") is None
    assert _roman_form("中国海油") is None
