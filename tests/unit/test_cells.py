"""Cell semantics: blank is not zero, dashes are not numbers, normalisation keeps the value exact."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongkai.form.cells import classify, unit_of

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("0", ("number", 0.0)),
        ("26", ("number", 26.0)),
        ("１２", ("number", 12.0)),
        ("1,234", ("number", 1234.0)),
        ("251000元", ("number", 251000.0)),
        ("3件", ("number", 3.0)),
        ("0.1234", ("number", 0.1234)),
        ("-2", ("number", -2.0)),
        ("", ("blank", None)),
        (None, ("blank", None)),
        ("\u00a0", ("blank", None)),
        ("\u3000 ", ("blank", None)),
        ("—", ("dash", None)),
        ("--", ("dash", None)),
        ("/", ("dash", None)),
        ("无", ("dash", None)),
        ("12 34", ("text", None)),  # two numbers run together: never guess
        ("1,23", ("text", None)),
        ("见附件", ("text", None)),
    ],
)
def test_classify(raw, expected):
    assert classify(raw) == expected


def test_unit_hint():
    assert unit_of("251000元") == "元"
    assert unit_of("26") is None


@given(st.integers(min_value=0, max_value=10**9), st.booleans(), st.booleans(), st.sampled_from(["", "件", "元", "万元"]))
def test_numbers_round_trip_in_every_printing(n, fullwidth, grouped, unit):
    text = f"{n:,}" if grouped else str(n)
    if fullwidth:
        text = text.translate(FULLWIDTH)
    assert classify(f" {text}{unit} ") == ("number", float(n))


@given(st.text(max_size=30))
def test_classify_never_raises_and_is_consistent(text):
    semantic, value = classify(text)
    assert semantic in ("number", "blank", "dash", "text")
    assert (value is not None) == (semantic == "number")
