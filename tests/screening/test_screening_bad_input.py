"""Bad input: a clear InvalidInput (one line) or a sane result, never a traceback."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipcontrol.errors import InvalidInput, UnknownCountry
from chipcontrol.screening import Screener
from chipcontrol.services.screening import screen_party


@pytest.mark.parametrize("name", ["", "   ", "\t\n", "\x00\x01\x02", "!!!", "—", "\u200b\u200e"])
def test_empty_or_signless_names_are_invalid(screener: Screener, name: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        screener.screen(name)
    assert "\n" not in str(exc.value)


def test_ten_thousand_characters_is_invalid(screener: Screener) -> None:
    with pytest.raises(InvalidInput, match="too long"):
        screener.screen("Huawei " * 1500)
    with pytest.raises(InvalidInput, match="too long"):
        screen_party("a" * 10_000)


def test_not_a_string(screener: Screener) -> None:
    with pytest.raises(InvalidInput):
        screener.screen(None)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        screener.screen(b"Huawei")  # type: ignore[arg-type]


def test_control_characters_are_ignored(screener: Screener) -> None:
    r = screener.screen("Huawei\x00Technologies\x07 Co.,\u200b Ltd.\r\n")
    assert r.hits[0].entry.name == "Huawei Technologies Co., Ltd."


def test_mixed_scripts_give_a_sane_result(screener: Screener) -> None:
    r = screener.screen("Huawei 华为 Технологии Co., Ltd.")
    assert r.hits and r.hits[0].entry.name.startswith("Huawei")
    r2 = screener.screen("Инспур 浪潮 Electronic Information 🙂")
    assert all(0.0 <= h.score <= 1.0 for h in r2.hits)
    screener.screen("شركة هواوي")  # Arabic script: no crash
    screener.screen("화웨이 테크놀로지")  # Hangul
    screener.screen("ファーウェイ")  # Katakana


def test_unknown_country_and_list(screener: Screener) -> None:
    with pytest.raises(UnknownCountry):
        screener.screen("Huawei", "XX")
    with pytest.raises(UnknownCountry):
        screener.screen("Huawei", "Atlantis")
    with pytest.raises(InvalidInput, match="unknown list"):
        screener.screen("Huawei", lists=["no_such_list"])
    assert screener.screen("Huawei", "China").country == "CN"
    assert screener.screen("Huawei", "cn").country == "CN"


def test_only_legal_forms(screener: Screener) -> None:
    r = screener.screen("Co., Ltd. GmbH LLC")
    assert r.hits == ()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_is_handled(screener: Screener, text: str) -> None:
    try:
        r = screener.screen(text)
    except InvalidInput:
        return
    scores = [h.score for h in r.hits]
    assert scores == sorted(scores, reverse=True)
    assert all(r.threshold <= s <= 1.0 for s in scores)
