"""Name normalisation: Unicode, case, punctuation, scripts, legal forms, generic words.

``analyse(name)`` turns a raw party name into a tuple of :class:`Token` objects. Han script goes
through :mod:`chipcontrol.screening.chinese` (OpenCC traditional -> simplified, jieba with a
company-name dictionary, administrative suffixes, numerals, names romanised whole with pypinyin);
other scripts go through unidecode. Every token carries a ``kind``:

* ``name``    distinctive word; a match needs at least one of these (or a full-name match)
* ``generic`` industry/organisation word (technology, group, institute, ...), down-weighted
* ``place``   country, province or city, down-weighted
* ``legal``   legal form (Co., Ltd., GmbH, OOO, 有限公司, ...), ignored when scoring
* ``stop``    stop word (and, of, the, ...), ignored when scoring
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA
from unidecode import unidecode

from chipcontrol.errors import InvalidInput
from chipcontrol.screening.chinese import LexWord, admin_pinyin, ambiguous_pinyin, han_pieces, pinyin_lexicon
from chipcontrol.screening.lexicon import GENERIC_CANON, LEGAL_FORMS, PLACES, STOPWORDS

MAX_NAME_LENGTH = 500
"""Longest party name accepted (characters, after trimming). The longest listed name is ~300."""

_MAX_PHRASE = max(len(p.split()) for p in LEGAL_FORMS)

SCORED_KINDS = frozenset({"name", "generic", "place"})


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # folded form used for matching
    kind: str  # name | generic | place | legal | stop
    source: str = ""  # the original text the token came from, when it differs


def is_han(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0xF900 <= cp <= 0xFAFF
        or 0x20000 <= cp <= 0x2A6DF
        or cp == 0x3007
    )


def clean_input(name: object, *, what: str = "name") -> str:
    """Validate and tidy a user-supplied name; raise InvalidInput with a one-line reason."""
    if not isinstance(name, str):
        raise InvalidInput(f"{what} must be text, got {type(name).__name__}")
    # Control and format characters (NUL, escape sequences, zero-width, bidi marks) -> space.
    chars = [" " if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") else c for c in name]
    text = " ".join("".join(chars).split())
    if not text:
        raise InvalidInput(f"{what} is empty")
    if len(text) > MAX_NAME_LENGTH:
        raise InvalidInput(f"{what} is too long ({len(text)} characters; the limit is {MAX_NAME_LENGTH})")
    if not any(c.isalnum() for c in text):
        raise InvalidInput(f"{what} {text!r} has no letters or digits")
    return text


_APOSTROPHES = "'’‘`´ʼʻ"
_PUNCT_RE = re.compile(r"[^a-z0-9 ]+")
_AMP_RE = re.compile(r"\s*&\s*")
_POSSESSIVE_RE = re.compile(r"(?<=[a-z])['’]s\b")


def _fold_latin(text: str) -> str:
    """Lower-case ASCII with punctuation folded. Apostrophes and dots join (Xi'an -> xian, S.A. -> sa)."""
    text = unidecode(text).lower()
    text = _AMP_RE.sub(" and ", text)
    text = _POSSESSIVE_RE.sub("", text)  # "Deutsche Bank's" = "Deutsche Bank"
    for ch in _APOSTROPHES:
        text = text.replace(ch, "")
    # a dot between letters/abbreviations joins (s.a. -> sa, co.,ltd -> co ltd)
    text = re.sub(r"(?<=[a-z0-9])\.(?=[a-z0-9])", "", text)
    text = text.replace(".", " ")
    text = _PUNCT_RE.sub(" ", text)
    return " ".join(text.split())


def _segments(text: str, mode: str) -> list[tuple[str, str, str]]:
    """Split into (folded word, original, hint) pieces, handling Han runs separately."""
    pieces: list[tuple[str, str, str]] = []
    i = 0
    n = len(text)
    while i < n:
        if is_han(text[i]):
            j = i
            while j < n and is_han(text[j]):
                j += 1
            for folded, orig, hint in han_pieces(text[i:j], mode):
                if hint == "legal":
                    pieces.append((folded, orig, hint))
                else:
                    for word in folded.split():
                        pieces.append((word, orig, hint))
            i = j
        else:
            j = i
            while j < n and not is_han(text[j]):
                j += 1
            pieces.extend(_latin_pieces(_fold_latin(text[i:j]).split(), mode))
            i = j
    return pieces


_PLACE_PHRASES: dict[tuple[str, ...], str] = {
    ("united", "states", "of", "america"): "usa", ("united", "states"): "usa", ("us",): "usa",
    ("united", "kingdom"): "uk", ("great", "britain"): "uk",
}


def _place_phrases(words: list[str]) -> list[str]:
    """One spelling for countries written several ways ("U.S." = "United States" = "USA")."""
    if not any(w in ("united", "us", "great") for w in words):
        return words
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in (4, 2, 1):
            canon = _PLACE_PHRASES.get(tuple(words[i : i + size]))
            if canon is not None:
                out.append(canon)
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return out


_NUMERAL_SYLLABLES: dict[str, str] = {
    "ling": "零", "yi": "一", "er": "二", "liang": "两", "san": "三", "si": "四", "wu": "五", "liu": "六",
    "qi": "七", "ba": "八", "jiu": "九", "shi": "十", "bai": "百", "qian": "千",
}


def _numeral_syllables(s: str) -> str | None:
    """"sanshiba" -> 三十八; None unless the whole string is numeral syllables."""
    out: list[str] = []
    i = 0
    while i < len(s):
        for size in (5, 4, 3, 2):
            ch = _NUMERAL_SYLLABLES.get(s[i : i + size])
            if ch is not None:
                out.append(ch)
                i += size
                break
        else:
            return None
    return "".join(out) or None


def _pinyin_ordinals(words: list[str]) -> dict[int, tuple[int, str]]:
    """Romanised Chinese ordinals: "Disan Shiba" / "Di Sanshiba" / "Di 38" (第三十八) = "38", as a listed
    "38th Research Institute" is written. Start index -> (number of words, the number)."""
    from chipcontrol.screening.chinese import chinese_number

    out: dict[int, tuple[int, str]] = {}
    for i, w in enumerate(words):
        if not w.startswith("di"):
            continue
        if w == "di" and i + 1 < len(words) and words[i + 1].isdigit():
            out[i] = (2, words[i + 1])
            continue
        for size in range(min(4, len(words) - i), 0, -1):
            joined = "".join(words[i : i + size])
            chars = _numeral_syllables(joined[2:]) if joined[2:].isalpha() else None
            n = chinese_number(chars) if chars else None
            if n is not None:
                out[i] = (size, str(n))
                break
    return out


_PINYIN_JOIN = 6  # "You Xian Ze Ren Gong Si"


def _latin_pieces(words: list[str], mode: str = "dict") -> list[tuple[str, str, str]]:
    """Latin words, with romanised Chinese legal forms, generic words and places recognised as such
    ("Haiguang Xinxi Jishu Youxian Gongsi" = "haiguang information technology"; "Ban Dao Ti" = semiconductor;
    "Shenzhen Shi": the administrative suffix after a place joins it). Separate syllables are joined into a
    place or a generic word only when the name also has a romanised legal form or generic word: a person
    called "Gao Xin" keeps both names."""
    words = _place_phrases(words)
    numbers = _pinyin_ordinals(words)
    plex = pinyin_lexicon()
    admin = admin_pinyin()
    found: list[tuple[int, int, LexWord]] = []
    i, n = 0, len(words)
    while i < n:
        if i in numbers:
            i += numbers[i][0]
            continue
        for size in range(min(_PINYIN_JOIN, n - i), 0, -1):
            lw = plex.get("".join(words[i : i + size]))
            if lw is not None and (size == 1 or all(w.isalpha() for w in words[i : i + size])):
                found.append((i, size, lw))
                i += size
                break
        else:
            i += 1
    if not found and not numbers:
        return [(w, "", "") for w in words]
    companyish = any(lw.kind in ("legal", "generic") for _, _, lw in found)
    if companyish:
        # a reading shared by a dictionary word and a company name (中心 and 中芯 are both "zhongxin") is the
        # dictionary word as the last word of a company name, before its legal form only ("Guojia Chaoji
        # Jisuan Shenzhen Zhongxin" = 国家超级计算深圳中心); a brand comes first ("Zhongxin Guoji")
        legal_at = {i for i, size, lw in found if lw.kind == "legal" for i in range(i, i + size)}
        last = max((k for k in range(n) if k not in legal_at), default=-1)
        amb = ambiguous_pinyin().get(words[last]) if last > 0 else None
        if amb is not None and all(not (i <= last < i + size) for i, size, _ in found):
            found.append((last, 1, amb))
            found.sort(key=lambda x: x[0])
    # a distinctive dictionary word ("Huoju" = torch, "Zhonghang" = AVIC) is translated only inside a
    # company name (a romanised legal form or generic word next to it): a person may be called Dongfang
    at = {i: (size, lw) for i, size, lw in found
          if (lw.kind != "term" and (size == 1 or companyish or lw.kind == "legal"))
          or (lw.kind == "term" and companyish)}
    out: list[tuple[str, str, str]] = []
    i = 0
    while i < n:
        if i in numbers:
            size, value = numbers[i]
            out.append((value, " ".join(words[i : i + size]), "number"))
            i += size
            continue
        if i in at:
            size, lw = at[i]
            orig = " ".join(words[i : i + size])
            i += size
            kind = lw.kind
            if kind == "admin":  # "Guian Xinqu": the word before an administrative suffix is a place
                if out and out[-1][2] == "":
                    out[-1] = (out[-1][0], out[-1][0], "place")
                continue
            if mode == "alt" and lw.alt is not None:
                if lw.alt:
                    out.append((lw.alt, orig, kind))
                continue
            out.append((lw.english, orig, kind))
            if kind == "place":  # "Shenzhen Shi", "Guian Xinqu"
                for size2 in range(min(3, n - i), 0, -1):
                    if "".join(words[i : i + size2]) in admin:
                        i += size2
                        break
            continue
        out.append((words[i], "", ""))
        i += 1
    # a multi-word generic phrase is split into its words like a Han one
    return [(w, o, h) for f, o, h in out for w in ([f] if h in ("", "legal") else f.split())]


def has_han(text: str) -> bool:
    return any(is_han(c) for c in text)


_PLACE_CANON = {"chinese": "china", "prc": "china"}  # "Chinese Academy of Sciences" = 中国科学院


@lru_cache(maxsize=1)
def _fuzzy_vocabularies() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Generic words and legal forms a misspelt word is matched against: not the romanised Chinese ones,
    because Chinese names one letter apart are other names (Tengxun, Tencent, is not tongxun, 通讯)."""
    roman = set(pinyin_lexicon())
    generic = tuple(w for w in GENERIC_CANON if len(w) >= 6 and w not in roman)
    legal = tuple(w for w in LEGAL_FORMS if " " not in w and len(w) >= 6 and w not in roman)
    return generic, legal
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g"})
_ORDINAL_RE = re.compile(r"^\d+(st|nd|rd|th)$")
NUMBER_WORDS: dict[str, str] = {
    w: str(i) for i, w in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
         "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"])
} | {w: f"{i + 1}{'st' if i == 0 else 'nd' if i == 1 else 'rd' if i == 2 else 'th'}" for i, w in enumerate(
    ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"])}


def _deleet(word: str) -> str:
    """'ig0r' -> 'igor', 'sech1n' -> 'sechin' (digits used as letters inside a word)."""
    if len(word) < 4 or _ORDINAL_RE.match(word):
        return word
    digits = sum(c.isdigit() for c in word)
    if 0 < digits <= 2 and sum(c.isalpha() for c in word) >= 3:
        return word.translate(_LEET)
    return word


@lru_cache(maxsize=65536)
def _classify(word: str) -> tuple[str, str]:
    word = _deleet(word)
    if word in NUMBER_WORDS:
        word = NUMBER_WORDS[word]
    if _ORDINAL_RE.match(word):  # 38th = 38: lists write "CETC 38th" and "CETC 38 Research Institute"
        return word.rstrip("stndrh"), "name"
    if word.isdigit():
        return word, "name"
    if word in STOPWORDS:
        return word, "stop"
    canon = GENERIC_CANON.get(word)
    if canon is not None:
        return canon, "generic"
    if word in PLACES:
        return _PLACE_CANON.get(word, word), "place"
    if len(word) >= 6 and word.isalpha():
        # a misspelt generic word ("technolgy", "sceince") or legal form ("limtied", "imited") is still
        # one, never distinctive: one edit (a swap counts as one) below 10 letters, two from 10
        limit = 1 if len(word) < 10 else 2
        generic_vocab, legal_vocab = _fuzzy_vocabularies()
        for vocab, kind in ((generic_vocab, "generic"), (legal_vocab, "legal")):
            best = process.extractOne(word, vocab, scorer=OSA.distance, score_cutoff=limit)
            if best is None or abs(len(best[0]) - len(word)) > limit:
                continue
            if best[0][0] != word[0] and best[1] > 1:
                continue  # a different first letter: only one edit in all
            return (GENERIC_CANON[best[0]] if kind == "generic" else best[0]), kind
    return word, "name"


TENS: dict[str, int] = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
                        "seventy": 70, "eighty": 80, "ninety": 90}
_UNITS: dict[str, int] = {w: int(NUMBER_WORDS[w]) for w in
                          ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")}


def _compound_numbers(pieces: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """"forty four", "forty-four", "forty 4" and "fourty" are numbers like "44" and "40"."""
    out: list[tuple[str, str, str]] = []
    i = 0
    while i < len(pieces):
        w, o, h = pieces[i]
        if not h and w in TENS:
            n = TENS[w]
            if i + 1 < len(pieces) and not pieces[i + 1][2]:
                nxt = pieces[i + 1][0]
                unit = _UNITS.get(nxt, int(nxt) if nxt.isdigit() and len(nxt) == 1 and nxt != "0" else 0)
                if unit:
                    out.append((str(n + unit), o, ""))
                    i += 2
                    continue
            out.append((str(n), o, ""))
            i += 1
            continue
        out.append((w, o, h))
        i += 1
    return out


def _known_word(word: str) -> bool:
    return word in GENERIC_CANON or word in LEGAL_FORMS or word in PLACES


def _misplaced_spaces(pieces: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """A space typed one letter off between two words that are both known words once it is put back:
    "Technologie sCo." = "Technologies Co.", "Machin eCo." = "Machine Co.", "Technologiesc o" = "Technologies
    Co". Only when the word as typed is no known word and both words put right are (generic words, legal
    forms, places): a name is never changed this way."""
    if len(pieces) < 2:
        return pieces
    out = list(pieces)
    for i in range(len(out) - 1):
        (a, oa, ha), (b, ob, hb) = out[i], out[i + 1]
        if ha or hb or not a.isalpha() or not b.isalpha():
            continue
        if len(b) >= 3 and not _known_word(b) and _known_word(b[1:]) and _known_word(a + b[0]):
            out[i], out[i + 1] = (a + b[0], oa, ha), (b[1:], ob, hb)
        elif len(a) >= 3 and not _known_word(a) and _known_word(a[:-1]) and _known_word(a[-1] + b):
            out[i], out[i + 1] = (a[:-1], oa, ha), (a[-1] + b, ob, hb)
    return out


_LEGAL_WORDS = tuple(w for w in LEGAL_FORMS if " " not in w and len(w) >= 7)


def _truncated_legal(word: str) -> bool:
    return len(word) >= 5 and any(w.startswith(word) for w in _LEGAL_WORDS)


_SHORT_LEGAL = ("co", "ltd", "inc", "llc", "plc")


def _mistyped_legal(word: str, at_end: bool, before_legal: bool, before: list[Token]) -> str | None:
    """A short legal form typed one letter off (a letter replaced, or two swapped) where legal forms stand,
    after two words at least: before another legal form ("Huawei Investment & Holding ro., Ltd."), or as
    the last word of a company's name (one with a legal form or a generic word: "Hualan Microelectronics
    Co., rtd."; "Lim Boon Ing" keeps its Ing). Two letters only before a legal form: "Chan Ho" keeps its Ho."""
    if sum(t.kind in ("name", "generic", "place") for t in before) < 2 or not word.isalpha():
        return None
    if not (before_legal or (at_end and any(t.kind in ("legal", "generic") for t in before))):
        return None
    if len(word) == 2 and not before_legal:
        return None
    for legal in _SHORT_LEGAL:
        if len(legal) == len(word) and OSA.distance(word, legal) == 1:
            return legal
    return None


@lru_cache(maxsize=65536)
def analyse(name: str, mode: str = "dict") -> tuple[Token, ...]:
    """Normalise a (cleaned) name into tagged tokens. Pure; cached. ``mode``: see
    :func:`chipcontrol.screening.chinese.han_pieces` ("dict" translates Chinese dictionary words, "pinyin"
    romanises them)."""
    text = unicodedata.normalize("NFKC", name)
    pieces = _misplaced_spaces(_compound_numbers(_segments(text, mode)))
    words = [w for w, _, _ in pieces]
    tokens: list[Token] = []
    i = 0
    while i < len(words):
        word, orig, hint = pieces[i]
        if hint == "legal":
            tokens.append(Token(word, "legal", orig))
            i += 1
            continue
        if hint == "han":
            # a romanised Han name is a name (or a place), never a generic synonym
            tokens.append(Token(word, "place" if word in PLACES else "name", orig))
            i += 1
            continue
        if hint in ("generic", "place"):
            # a Chinese dictionary word: its kind comes from the lexicon, whatever the English says
            tokens.append(Token(GENERIC_CANON.get(word, word) if hint == "generic" else word, hint, orig))
            i += 1
            continue
        if hint == "term":
            # a Chinese dictionary word that counts as its English translation counts (量子 "quantum" is as
            # distinctive as the word on an English listing)
            folded, kind = _classify(word)
            tokens.append(Token(folded, kind if kind in ("generic", "name", "place") else "name", orig))
            i += 1
            continue
        if hint == "number":
            tokens.append(Token(word.rstrip("stndrh") if _ORDINAL_RE.match(word) else word, "name", orig))
            i += 1
            continue
        # longest legal-form phrase starting here
        for size in range(min(_MAX_PHRASE, len(words) - i), 0, -1):
            if any(pieces[k][2] for k in range(i, i + size)):
                continue
            phrase = " ".join(words[i : i + size])
            if phrase in LEGAL_FORMS:
                tokens.append(Token(phrase, "legal", orig))
                i += size
                break
        else:
            folded, kind = _classify(word)
            if kind == "name" and i == len(words) - 1 and tokens and _truncated_legal(word):
                kind = "legal"  # a list's fixed-width field cut the last word: "... JOINT STOCK COMPAN"
            elif kind == "name" and 2 <= len(word) <= 3:
                nxt = pieces[i + 1] if i + 1 < len(pieces) else None
                legal = _mistyped_legal(word, nxt is None, nxt is not None and not nxt[2] and nxt[0] in LEGAL_FORMS,
                                        tokens)
                if legal is not None:
                    folded, kind = legal, "legal"
            tokens.append(Token(folded, kind, orig))
            i += 1
    if tokens and all(t.kind in ("legal", "stop") for t in tokens):
        # A name made only of legal forms/stop words ("Company Limited"): keep them as generic
        # so that it can still be compared, but it never carries distinctive weight.
        tokens = [Token(t.text, "generic", t.source) for t in tokens]
    return tuple(tokens)


def scored(tokens: tuple[Token, ...]) -> tuple[Token, ...]:
    return tuple(t for t in tokens if t.kind in SCORED_KINDS)


def display_form(tokens: tuple[Token, ...]) -> str:
    return " ".join(t.text for t in tokens)


def normalise_party_name(name: str) -> str:
    """A stable key for "the same party name, however typed" (review decisions are remembered by it).

    NFKC, traditional -> simplified Chinese (OpenCC), case folded, accents and punctuation folded
    (unidecode for non-Han scripts), whitespace collapsed. Han characters are kept as characters (never
    romanised: 华为 and 话为 stay apart) and legal forms are kept (a GmbH is not its Ltd. namesake).
    Raises InvalidInput for an empty or over-long name.
    """
    from chipcontrol.screening.chinese import to_simplified

    text = unicodedata.normalize("NFKC", clean_input(name))
    if has_han(text):
        text = to_simplified(text)
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        j = i
        han = is_han(text[i])
        while j < n and is_han(text[j]) == han:
            j += 1
        chunk = text[i:j]
        out.append(chunk if han else _fold_latin(chunk))
        i = j
    return " ".join(" ".join(out).split())
