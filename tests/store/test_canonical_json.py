"""The stored and hashed JSON form is exactly ``json.dumps`` with sorted keys, compact separators, non-ASCII kept and
NaN refused, whatever encoder object produces it (records and certificates are verified against this text)."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipcontrol.store.audit import _default, canonical_json


def _reference(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False,
                      default=_default)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=40)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_the_same_text_as_json_dumps(value: Any) -> None:
    assert canonical_json(value) == _reference(value)


def test_dates_sets_tuples_and_refusals() -> None:
    value = {"z": (1, 2), "a": {"d": dt.date(2026, 1, 15), "s": {"b", "a"}}, "中": "芯 \u2028 \x00", "f": 1e16}
    assert canonical_json(value) == _reference(value)
    assert canonical_json(value).startswith('{"a":{"d":"2026-01-15","s":["a","b"]},"f":1e+16,')
    with pytest.raises(ValueError):
        canonical_json({"tpp": math.inf})
