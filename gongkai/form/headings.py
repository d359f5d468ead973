"""Section headings of the national form: which of 一…六 a printed heading line starts (format-independent;
used by the report structure and by the PDF reader to tell headings from table lines)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_KEYWORDS = {
    1: ("总体情况", "总体概况", "基本情况"),
    2: ("主动公开",),
    3: ("收到和处理", "依申请"),
    4: ("行政复议", "行政诉讼"),
    5: ("存在的主要问题", "存在问题", "改进情况", "整改"),
    6: ("其他需要报告", "其他事项"),
}
_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_HEADING = re.compile(r"^(?P<num>[一二三四五六1-6])\s*[、.,:]\s*(?P<title>\S.{1,38})$")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def heading_no(text: str) -> int | None:
    """Section number of a heading line ("三、收到和处理政府信息公开申请情况", "1、 总体情况"), else None."""
    if "。" in text:  # a sentence, not a heading (NFKC keeps 。: tested before normalising the whole paragraph)
        return None
    return _short_heading_no(text) if len(text) <= _SHORT else _heading_no(text)


_SHORT = 64  # lines this long are read through the cache: headings and table labels repeat across reports


def _heading_no(text: str) -> int | None:
    t = _norm(text)
    if len(t) > 42 or "。" in t:
        return None
    m = _HEADING.match(t)
    if not m:
        return None
    num = m.group("num")
    n = _NUMERALS.get(num) or int(num)
    return n if any(k in m.group("title") for k in _KEYWORDS[n]) else None


# heading_no of a short line (a pure function of the text): at most 4,096 lines of up to 64 characters
_short_heading_no = lru_cache(maxsize=1 << 12)(_heading_no)
