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


def test_cell_digest_is_on_values_not_raw_text():
    """XY_COPY's table digest: the same values printed differently (full-width digits, a thousands separator, a
    unit, spaces in a text cell) give the same digest; another value, semantic or key does not."""
    import pandas as pd

    from gongkai.report.fingerprints import DIGEST_VERSION, cells_digests

    def frame(rid, rows):
        return pd.DataFrame([dict(report_id=rid, table_id="t3", row_key=r, col_key=c, raw=raw, semantic=s, value=v)
                             for r, c, raw, s, v in rows])
    a = frame("a", [("granted", "total", "1234", "number", 1234.0), ("granted", "research", "—", "dash", None),
                    ("new_received", "total", "见 附件", "text", None), ("carried_over", "total", "", "blank", None),
                    ("denied", "total", None, "unread", None)])
    b = frame("b", [("granted", "total", "１,２３４件", "number", 1234.0), ("granted", "research", "—", "dash", None),
                    ("new_received", "total", "见附件", "text", None), ("carried_over", "total", None, "blank", None),
                    ("denied", "total", None, "unread", None)])
    c = b.assign(report_id="c", value=[1235.0, None, None, None, None])
    d = b.assign(report_id="d", raw=["1234", "-", "见附件", None, None])      # another dash glyph
    got = cells_digests(pd.concat([a, b, c, d], ignore_index=True)).cells_digest
    assert DIGEST_VERSION == 2
    assert got["a"] == got["b"] and got["c"] != got["a"] and got["d"] != got["a"]
