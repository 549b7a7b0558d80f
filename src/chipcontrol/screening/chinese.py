"""Chinese text analysis for party names: OpenCC, a jieba segmenter with a company-name dictionary, rules.

``han_pieces(run)`` turns one run of Han characters into ``(folded, original, hint)`` pieces:

* traditional characters are converted to simplified first (OpenCC ``t2s``), so 華為 = 华为;
* the run is segmented with jieba over our own dictionary (``data/zh_lexicon.tsv``: legal forms,
  generic industry words, places, administrative suffixes; plus the short names of the curated
  Chinese names, so that a brand such as 云从 is never split into 云 "cloud" + 从);
* an administrative suffix after a place joins the place (深圳市 = 深圳 = "shenzhen"; 新疆维吾尔自治区);
  a leading unknown word followed by 市/省/县 is a place too (昆山市);
* 第十三 is the ordinal "13th" and a numeral before 所/研究所/厂/院 is a number ("十三所" = "13");
  every other numeral stays inside the name (华大九天 = "huadajiutian", never "huada 9 tian");
* consecutive words that are not legal forms, generic words or places form one name, romanised
  as one token with every syllable kept (新芯 = "xinxin", 创新 inside a name = "chuangxin"):
  a single character is never split out of a name and never translated on its own.

hint: ``legal`` (legal form), ``generic`` / ``term`` / ``place`` (dictionary word, translated in mode
"dict", romanised in mode "pinyin", translated the other usual way in mode "alt": 研究所 "research
institute" / "institute", 科技 "technology" / "science technology"), ``number``, ``han`` (romanised name).
"""

from __future__ import annotations

import io
import logging
import os
import re
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import opencc

# jieba, OpenCC and pypinyin are imported on first use: a name without Han characters never pays
# for them. pypinyin is used character by character (its phrase dictionary, ~0.3 s to import, is not
# loaded): the readings of polyphonic characters inside known words come from ``data/zh_pinyin.tsv``
# (generated from pypinyin's phrase dictionary by benchmarks/screening_zh_data.py), so the romanisation
# is the same whatever pypinyin was imported with.

ADMIN_SUFFIX_AFTER_UNKNOWN = frozenset({"市", "省", "县", "自治区", "特别行政区", "新区"})
NUMBER_SUFFIXES = ("研究所", "研究院", "所", "厂", "院", "分院")
CHINESE_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
CHINESE_UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1000}
_NUMERAL_CHARS = frozenset(CHINESE_DIGITS) | frozenset(CHINESE_UNITS)


@dataclass(frozen=True, slots=True)
class LexWord:
    word: str
    kind: str  # legal | generic | term | place | admin
    english: str
    pinyin: str = ""  # toneless, syllables joined (data column, kept in step with :func:`pinyin` by a test)
    alt: str | None = None  # another usual English rendering (研究所 "institute"; "" = left out), if any
    note: str = ""  # where the rendering comes from (data column), for explanations


@lru_cache(maxsize=1)
def lexicon() -> dict[str, LexWord]:
    """The Chinese company-name lexicon (data file), keyed by simplified word."""
    text = resources.files("chipcontrol.screening").joinpath("data", "zh_lexicon.tsv").read_text("utf-8")
    out: dict[str, LexWord] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        word, kind, english, *rest = line.split("\t")
        primary, _, alt = english.partition("|")
        out[word] = LexWord(word, kind, primary, rest[0] if rest else "", alt if "|" in english else None,
                            rest[1] if len(rest) > 1 else "")
    return out


@lru_cache(maxsize=1)
def pinyin_overrides() -> dict[str, str]:
    """Readings of words whose pinyin is not the characters' default readings (重庆 chongqing, 长城
    changcheng, 银行 yinhang): ``data/zh_pinyin.tsv``, derived from pypinyin's phrase dictionary."""
    text = resources.files("chipcontrol.screening").joinpath("data", "zh_pinyin.tsv").read_text("utf-8")
    out: dict[str, str] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            word, reading = line.split("\t")
            out[word] = reading
    return out


@lru_cache(maxsize=1)
def pinyin_lexicon() -> dict[str, LexWord]:
    """Lexicon words keyed by their toneless pinyin (``youxiangongsi``, ``keji``, ``shenzhen``): how a
    romanised Chinese name's legal forms, generic words and places are recognised without pypinyin.
    The data column starts with ``-`` for a reading that is also the pinyin of a curated company name (中心
    and 中芯 are both "zhongxin"): that one stays a name (see :func:`ambiguous_pinyin`). Words of one
    character are left out (too ambiguous)."""
    out: dict[str, LexWord] = {}
    for lw in lexicon().values():
        if len(lw.word) < 2 or not lw.pinyin or lw.pinyin.startswith("-"):
            continue
        prev = out.get(lw.pinyin)
        if prev is None or (prev.kind != lw.kind and lw.kind == "legal"):
            out[lw.pinyin] = lw
    return out


@lru_cache(maxsize=1)
def admin_pinyin() -> frozenset[str]:
    """Readings of the administrative suffixes (shi, sheng, qu, xinqu, zizhiqu ...): after a romanised
    place they join it ("Shenzhen Shi" = "Shenzhen")."""
    return frozenset(lw.pinyin for lw in lexicon().values()
                     if lw.kind == "admin" and lw.pinyin and not lw.pinyin.startswith("-"))


@lru_cache(maxsize=1)
def ambiguous_pinyin() -> dict[str, LexWord]:
    """Lexicon words whose reading is also a curated company name's (中心 and 中芯 are both "zhongxin";
    pinyin column ``-zhongxin``), keyed by that reading: a romanised name reads them as the dictionary word
    only where a company name puts such a word, last (see ``text._latin_pieces``)."""
    return {lw.pinyin[1:]: lw for lw in lexicon().values()
            if len(lw.word) >= 2 and lw.pinyin.startswith("-") and len(lw.pinyin) > 1}


_converter_lock = threading.Lock()


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def to_simplified(text: str) -> str:
    """Traditional -> simplified Chinese with OpenCC (``t2s``); other text unchanged."""
    with _converter_lock:
        return str(_t2s().convert(text))


@lru_cache(maxsize=4)
def _s2t(config: str) -> opencc.OpenCC:
    import opencc

    return opencc.OpenCC(config)


def to_traditional(text: str, region: str = "tw") -> str:
    """Simplified -> traditional with OpenCC (``s2tw`` or ``s2hk``): how traditional forms are derived."""
    with _converter_lock:
        return str(_s2t("s2hk" if region == "hk" else "s2tw").convert(text))


class _Segmenter:
    """A jieba tokenizer over our dictionary only (built in memory; no cache files)."""

    def __init__(self, extra_words: Iterable[str] = ()) -> None:
        lines: list[str] = []
        for w, lw in lexicon().items():
            # legal forms and generic words win over names inside which they could be read
            freq = {"legal": 50000, "admin": 3000, "place": 20000, "generic": 10000, "term": 10000}[lw.kind]
            lines.append(f"{w} {freq * len(w)}")
        for w in extra_words:
            if len(w) >= 2 and w not in lexicon():
                lines.append(f"{w} {30000 * len(w)}")
        jieba = _import_jieba()
        jieba.setLogLevel(logging.WARNING)
        tk: Any = jieba.Tokenizer()
        tk.FREQ, tk.total = tk.gen_pfdict(io.BytesIO("\n".join(lines).encode("utf-8")))
        tk.initialized = True
        self._tk = tk

    def cut(self, run: str) -> list[str]:
        return [w for w in self._tk.cut(run, HMM=False) if w]


_segmenter: _Segmenter | None = None
_seg_lock = threading.Lock()
_company_words: tuple[str, ...] | None = None


def set_company_words(words: Iterable[str] | None) -> None:
    """Replace the company-name words the segmenter knows (None: the curated names' short forms)."""
    global _segmenter, _company_words
    with _seg_lock:
        _company_words = None if words is None else tuple(dict.fromkeys(words))
        _segmenter = None
    han_pieces.cache_clear()


def _get_segmenter() -> _Segmenter:
    global _segmenter
    with _seg_lock:
        if _segmenter is None:
            words = _company_words
            if words is None:
                from chipcontrol.screening.zh_names import company_words

                words = company_words()
            _segmenter = _Segmenter(words)
        return _segmenter


@lru_cache(maxsize=1)
def _base_segmenter() -> _Segmenter:
    return _Segmenter(())


def base_cores(name: str) -> list[str]:
    """The name chunks (2+ characters) of ``name`` segmented with the lexicon alone."""
    out: list[str] = []
    for run in re.findall(r"[\u3007\u3400-\u4dbf\u4e00-\u9fff]+", to_simplified(name)):
        words = _base_segmenter().cut(run)
        pieces = _merge(_classify_words(words))
        out.extend(t for t, k in pieces if k == "name" and len(t) >= 2)
    return out


def segment(run: str) -> list[str]:
    """jieba segmentation of a simplified Han run over the company-name dictionary (raw words)."""
    return _get_segmenter().cut(run)


_import_lock = threading.Lock()


def _import_jieba() -> Any:
    """Import jieba without ``pkg_resources`` (~0.2 s to import, deprecated): jieba falls back to opening
    its package files directly, and we never read them (our tokenizer is built from our dictionary)."""
    with _import_lock:
        if "jieba" not in sys.modules and "pkg_resources" not in sys.modules:
            sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # makes the import fail fast
            try:
                import jieba
            finally:
                del sys.modules["pkg_resources"]
        import jieba
    return jieba


@lru_cache(maxsize=1)
def _char_reader() -> Any:
    with _import_lock:
        if "pypinyin" not in sys.modules:
            # the phrase dictionary is not needed for single characters; without it the import is ~5x faster
            old = os.environ.get("PYPINYIN_NO_PHRASES")
            os.environ["PYPINYIN_NO_PHRASES"] = "1"
            try:
                import pypinyin  # noqa: F401  (the import itself, with the variable set)
            finally:
                if old is None:
                    del os.environ["PYPINYIN_NO_PHRASES"]
                else:
                    os.environ["PYPINYIN_NO_PHRASES"] = old
        from pypinyin import Style, lazy_pinyin

    def read(ch: str) -> str:
        return str(lazy_pinyin(ch, style=Style.NORMAL)[0]).lower()

    return read


@lru_cache(maxsize=65536)
def pinyin(chunk: str) -> str:
    """Toneless pinyin of a Han chunk, syllables joined, every syllable kept (芯芯 -> "xinxin").

    Known words with a non-default reading come from :func:`pinyin_overrides` (longest first); every
    other character gets its default reading. Deterministic: never depends on pypinyin's import mode."""
    over = pinyin_overrides()
    read = None
    out: list[str] = []
    i, n = 0, len(chunk)
    while i < n:
        for size in range(min(8, n - i), 1, -1):
            hit = over.get(chunk[i : i + size])
            if hit is not None:
                out.append(hit)
                i += size
                break
        else:
            if read is None:
                read = _char_reader()
            out.append(read(chunk[i]))
            i += 1
    return "".join(out)


# The toneless syllables of Mandarin pinyin (pypinyin's readings of the CJK block; interjections left out),
# to cut a romanised word into syllables ("Zhongguo" = zhong guo) and a reading into its characters'.
_SYLLABLE_TEXT = """
a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can cang cao ce cen ceng
cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui chun chuo ci cong cou cu
cuan cui cun cuo da dai dan dang dao de dei den deng di dia dian diao die ding diu dong dou du duan dui dun duo e
ei en eng er fa fan fang fei fen feng fiao fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan
guang gui gun guo ha hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo ji jia jian jiang
jiao jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke kei ken keng kong kou ku kua kuai kuan kuang kui
kun kuo la lai lan lang lao le lei len leng li lia lian liang liao lie lin ling liu lo long lou lu luan lun luo lv
lve ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu na nai nan nang nao ne nei nen neng
ni nian niang niao nie nin ning niu nong nou nu nuan nun nuo nv nve o ou pa pai pan pang pao pei pen peng pi pian
piao pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu quan que qun ran rang rao re ren reng
ri rong rou ru rua ruan rui run ruo sa sai san sang sao se sen seng sha shai shan shang shao she shei shen sheng shi
shou shu shua shuai shuan shuang shui shun shuo si song sou su suan sui sun suo ta tai tan tang tao te tei teng ti
tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo wu xi xia xian xiang xiao xie xin
xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong you yu yuan yue yun za zai zan zang zao ze zei
zen zeng zha zhai zhan zhang zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi
zong zou zu zuan zui zun zuo
"""
SYLLABLES = frozenset(_SYLLABLE_TEXT.split())
_LONGEST_SYLLABLE = max(map(len, SYLLABLES))


@lru_cache(maxsize=16384)
def split_syllables(word: str, count: int = 0) -> tuple[str, ...] | None:
    """A romanised word cut into pinyin syllables, the fewest possible ("zhongguo" = zhong guo, "xian" =
    xian), or exactly ``count`` of them when given; None when it is not pinyin ("technology")."""
    n = len(word)
    best: list[tuple[str, ...] | None] = [None] * (n + 1)  # best[i]: the cut of word[i:]
    best[n] = ()
    for i in range(n - 1, -1, -1):
        options: list[tuple[str, ...]] = []
        for size in range(min(_LONGEST_SYLLABLE, n - i), 0, -1):
            rest = best[i + size]
            if rest is not None and word[i : i + size] in SYLLABLES:
                options.append((word[i : i + size], *rest))
        if options:
            best[i] = min(options, key=len)
    if not count or best[0] is None or len(best[0]) == count:
        return best[0]
    return _exactly(word, count)


def _exactly(word: str, count: int) -> tuple[str, ...] | None:
    if count == 0:
        return () if not word else None
    for size in range(min(_LONGEST_SYLLABLE, len(word)), 0, -1):
        if word[:size] in SYLLABLES:
            rest = _exactly(word[size:], count - 1)
            if rest is not None:
                return (word[:size], *rest)
    return None


def han_syllables(word: str) -> tuple[str, ...]:
    """One syllable per character of a Han word, read as a word (重工 = zhong gong, 长江 = chang jiang)."""
    per = tuple(pinyin(ch) for ch in word)
    whole = pinyin(word)
    if "".join(per) == whole:
        return per
    return split_syllables(whole, len(word)) or per


def chinese_number(s: str) -> int | None:
    """十三 -> 13, 七〇一 -> 701, 二十 -> 20; None when ``s`` is not a numeral."""
    if not s or any(ch not in _NUMERAL_CHARS for ch in s):
        return None
    if not any(ch in CHINESE_UNITS for ch in s):  # digit by digit: 七〇一
        return int("".join(str(CHINESE_DIGITS[ch]) for ch in s))
    total, current = 0, 0
    for ch in s:
        if ch in CHINESE_DIGITS:
            current = CHINESE_DIGITS[ch]
        else:
            total += (current or 1) * CHINESE_UNITS[ch]
            current = 0
    return total + current


def ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"



@lru_cache(maxsize=65536)
def han_pieces(run: str, mode: str = "dict") -> tuple[tuple[str, str, str], ...]:
    """Analyse one Han run (see the module docstring). ``mode``: "dict" translates dictionary words
    to English; "pinyin" romanises them (集成电路 -> "jichengdianlu", to meet pinyin aliases); "alt" uses
    the lexicon's other usual English rendering where it has one."""
    run = to_simplified(run)
    lex = lexicon()
    merged = _merge(_classify_words(segment(run)))
    return _render(merged, mode, lex)


def _classify_words(words: list[str]) -> list[tuple[str, str]]:
    """(text, kind) with kind in legal | generic | place | admin | ordinal | number | name."""
    lex = lexicon()
    items: list[tuple[str, str]] = []
    i = 0
    while i < len(words):
        w = words[i]
        # 第十三 -> ordinal ; 十三所 -> number
        if w == "第" or w in _NUMERAL_CHARS:
            j = i + 1 if w == "第" else i
            k = j
            while k < len(words) and len(words[k]) == 1 and words[k] in _NUMERAL_CHARS:
                k += 1
            num = chinese_number("".join(words[j:k])) if k > j else None
            if num is not None and (w == "第" or (k < len(words) and words[k] in NUMBER_SUFFIXES)):
                items.append(("".join(words[i:k]), "ordinal" if w == "第" else "number"))
                i = k
                continue
        lw = lex.get(w)
        items.append((w, lw.kind if lw is not None else "name"))
        i += 1
    return items


CONJUNCTIONS = frozenset({"与", "和", "及"})  # "and" between two dictionary words (微系统与信息技术)


def _merge(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Place + administrative suffix; a leading unknown word + 市/省/县; consecutive name words; a
    translated word next to a single character stays in the name (东方红 is one name, never 东方 "oriental"
    + 红); 与/和/及 between two dictionary words is the stop word "and"."""
    dictionary = ("legal", "generic", "term", "place")
    items = [(t, "stop" if t in CONJUNCTIONS and k == "name" and 0 < i < len(items) - 1
              and items[i - 1][1] in dictionary and items[i + 1][1] in dictionary else k)
             for i, (t, k) in enumerate(items)]
    merged: list[tuple[str, str]] = []
    for text, kind in items:
        prev = merged[-1] if merged else None
        if kind == "admin":
            if prev is not None and prev[1] == "place":
                merged[-1] = (prev[0] + text, "place")
                continue
            if prev is not None and prev[1] == "name" and len(merged) == 1 and len(prev[0]) >= 2 \
                    and text in ADMIN_SUFFIX_AFTER_UNKNOWN:
                merged[-1] = (prev[0] + text, "place")
                continue
            kind = "name"  # 区 inside a name stays in the name
        if kind == "name" and prev is not None and prev[1] == "name":
            merged[-1] = (prev[0] + text, "name")
            continue
        merged.append((text, kind))
    if any(k == "term" for _, k in merged):
        out: list[tuple[str, str]] = []
        for i, (text, kind) in enumerate(merged):
            if kind == "term" and any(0 <= j < len(merged) and merged[j][1] == "name" and len(merged[j][0]) == 1
                                      for j in (i - 1, i + 1)):
                kind = "name"
            if kind == "name" and out and out[-1][1] == "name":
                out[-1] = (out[-1][0] + text, "name")
            else:
                out.append((text, kind))
        merged = out
    return merged


def _render(merged: list[tuple[str, str]], mode: str, lex: dict[str, LexWord]) -> tuple[tuple[str, str, str], ...]:
    out: list[tuple[str, str, str]] = []
    for text, kind in merged:
        if kind == "stop":
            continue
        if kind == "legal":
            out.append((lex[text].english, text, "legal"))
        elif kind in ("generic", "term", "place"):
            base = _place_base(text) if kind == "place" else text
            lw = lex.get(base)
            if mode == "pinyin" or lw is None:
                out.append((pinyin(base), text, kind))
            elif mode == "alt" and lw.alt is not None:
                if lw.alt:
                    out.append((lw.alt, text, kind))
            else:
                out.append((lw.english, text, kind))
        elif kind == "ordinal":
            n = chinese_number(text[1:])
            out.append((ordinal(n) if n is not None else pinyin(text), text, "number"))
        elif kind == "number":
            n = chinese_number(text)
            out.append((str(n) if n is not None else pinyin(text), text, "number"))
        else:
            out.append((pinyin(text), text, "han"))
    return tuple(out)


@lru_cache(maxsize=65536)
def translation_of(source: str, text: str) -> LexWord | None:
    """The lexicon word a token was translated from, when its text is (a word of) the English rendering of
    a distinctive dictionary word (kind ``term``): 火炬 -> "torch", "Huoju" -> "torch", 中航 -> "avic".
    ``source`` is the token's original Chinese characters or romanised syllables."""
    if not source:
        return None
    if any("\u3400" <= ch <= "\u9fff" for ch in source):
        lw = lexicon().get(to_simplified(source))
    else:
        lw = pinyin_lexicon().get("".join(source.split()).casefold())
    if lw is None or lw.kind != "term":
        return None
    words = set(lw.english.split()) | set((lw.alt or "").split())
    return lw if text in words else None


def _place_base(text: str) -> str:
    """深圳市 -> 深圳 ; 新疆维吾尔自治区 -> 新疆维吾尔 (the place without its administrative suffix)."""
    lex = lexicon()
    for size in range(min(len(text) - 1, 7), 0, -1):
        suffix = text[-size:]
        lw = lex.get(suffix)
        if lw is not None and lw.kind == "admin":
            return text[:-size]
    return text
