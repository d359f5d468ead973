"""Shortcuts of the map step that must not change a result: the control-character test on the bytes of a
strictly decoded text, the statements and report year read per raw sentence chunk (cached), the heading
test that skips sentences before NFKC."""

from __future__ import annotations

from collections import Counter

import pytest

from gongkai.form.headings import heading_no
from gongkai.parse import decode
from gongkai.parse.errors import UndecodableText
from gongkai.report import statements, year
from gongkai.report.sentences import split_sentences
from gongkai.report.statements import extract
from gongkai.report.year import _HEAD_MARK, _LEAD_YEAR, _PERIOD, stated_year


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_no_controls_never_misses_a_control_character(encoding: str) -> None:
    """Every code point of the BMP and the supplementary planes' first block: a character _CONTROL matches is
    always flagged by its bytes, and no multi-byte character uses a C0 control or DEL byte."""
    for cp in [*range(0xD800), *range(0xE000, 0x10000), *range(0x10000, 0x10400)]:
        ch = chr(cp)
        try:
            data = ch.encode(encoding)
        except UnicodeEncodeError:
            continue
        if decode._CONTROL.match(ch):
            assert not decode._no_controls(data, encoding), hex(cp)
        if len(data) > 1:
            assert not set(data) & set(decode._CONTROL_BYTE_VALUES), hex(cp)


def test_text_with_controls_still_refused() -> None:
    body = "政府信息公开工作年度报告\n" * 20
    for ch in ("\x01", "\x85", "\x9f"):
        for enc in ("utf-8", "gb18030"):
            data = (body + ch * 40).encode(enc)
            with pytest.raises(UndecodableText, match="binary control bytes"):
                decode.decode_text(data, "r.txt", declared=enc)
    text, enc = decode.decode_text((body + "\x01").encode("gb18030"), "r.txt")  # one control: tolerated
    assert enc == "gb18030" and text.endswith("\x01")
    assert decode._no_controls(body.encode("gb18030"), "gb18030")
    assert not decode._no_controls(body.encode("utf-16-le"), "utf-16-le")  # other codecs: always searched


_TEXTS = [
    "2023年，本机关共收到政府信息公开申请26件，办结25件。另有１件结转下年度继续办理。",
    "本机关未发生因政府信息公开工作而申请行政复议和提起行政诉讼的事项；全年未收到信息公开申请。",
    "统计时限为2023年1月1日至2023年12月31日｡ 2023年度我局主动公开政府信息89条\n2023年，被申请行政复议2件",
    "（一）2022年，收到申请三十二件 ;办结三十件！ 2023年 新收 5 件？ 予以公开及部分公开258件",
    "二〇二三年度 ⽆申请； 2024年1月1日至2024年12月31日\u037e 2023年，受理28件，其中新收26件。",
]


def _reference_year(texts: list[str | None]) -> tuple[int, str] | None:
    """stated_year as it was: the whole texts normalised, then cut into sentences."""
    sentences = [s for t in texts if t for s in split_sentences(t)]
    for s in sentences:
        m = _PERIOD.search(s)
        if m and m.group(1) == m.group(2):
            return int(m.group(1)), s
    years: Counter[int] = Counter()
    first: dict[int, str] = {}
    for s in sentences:
        m = _LEAD_YEAR.match(_HEAD_MARK.sub("", s))
        if m:
            years[int(m.group(1))] += 1
            first.setdefault(int(m.group(1)), s)
    if not years:
        return None
    (y, n), = years.most_common(1)
    return (y, first[y]) if n * 4 >= 3 * sum(years.values()) else None


def test_report_year_per_chunk_equals_the_whole_text() -> None:
    for i in range(len(_TEXTS)):
        for j in range(len(_TEXTS)):
            texts = [_TEXTS[i], None, _TEXTS[j]]
            assert stated_year(texts) == _reference_year(texts)
    assert stated_year([_TEXTS[2]]) == (2023, "统计时限为2023年1月1日至2023年12月31日")
    assert stated_year([_TEXTS[0]]) == (2023, "2023年，本机关共收到政府信息公开申请26件，办结25件")


def test_statements_cached_equal_uncached() -> None:
    first = [extract(t) for t in _TEXTS]
    statements._chunk_statements.cache_clear()
    year._chunk_years.cache_clear()
    assert [extract(t) for t in _TEXTS] == first
    assert ("received", 26.0, "2023年，本机关共收到政府信息公开申请26件，办结25件") in first[0]
    assert ("review", 0.0, "本机关未发生因政府信息公开工作而申请行政复议和提起行政诉讼的事项") in first[1]
    for cached in (statements._chunk_statements, year._chunk_years):  # bounded: flat memory over a national year
        assert 0 < (cached.cache_info().maxsize or 0) <= 1 << 12


def test_heading_no_sentences_and_headings() -> None:
    assert heading_no("三、收到和处理政府信息公开申请情况") == 3
    assert heading_no("1、 总体情况") == 1
    assert heading_no("一、总体情况。") is None  # a sentence
    assert heading_no("一、总体情况｡") is None    # NFKC: ｡ → 。
    assert heading_no("一、总体情况") == 1
