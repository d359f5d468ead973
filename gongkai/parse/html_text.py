"""Text of an HTML element as a report prints it: the helpers the page walk (gongkai.parse.html) and the
content root (gongkai.parse.html_root) share.

`norm` renders one line: characters that print nothing (`gongkai.form.cells.INVISIBLE`) removed, a source
line break between two CJK characters dropped (CSS segment-break rule), whitespace (incl. nbsp, U+3000)
collapsed to one space, stripped. Strings up to SHORT characters go through a bounded cache: table cells and
labels repeat across cells and reports.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree

from gongkai.form.cells import INVISIBLE

_CJK = r"\u2e80-\u2fff\u3001-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff01-\uffee"
_CJK_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t\r\n]*\n[ \t\r\n]*(?=[{_CJK}])")

def norm(s: str) -> str:
    """One line of rendered text: invisible characters removed, whitespace collapsed, stripped."""
    return norm_short(s) if len(s) <= SHORT else normalised(s)


SHORT = 64  # table cells and labels: they repeat across cells and reports ("0", "1", "信息内容"), so cached


def normalised(s: str) -> str:
    s = s.strip()
    if not s:
        return s
    if INVISIBLE.search(s):
        s = INVISIBLE.sub("", s)
    if "\n" in s:
        s = _CJK_BREAK.sub("", s)
    return " ".join(s.split())


norm_short = lru_cache(maxsize=1 << 12)(normalised)  # a pure function of the string: no state between reports


def text_of(el: etree._Element) -> str:
    """All text inside el (not its tail), concatenated in C (much faster than itertext)."""
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


def flat_text(el: etree._Element) -> str:
    """All text inside el with every whitespace removed (for marker search and size measures)."""
    return "".join(text_of(el).split())
