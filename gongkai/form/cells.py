"""Cell semantics: what was printed in a table cell, kept honestly.

`classify(raw)` → (semantic, value). semantic ∈ number | blank | dash | text; value only for number.
The fifth semantic, `unread` (UNREAD), is never the result of classify: it is what gongkai.report.structure
stores for a cell of a found table that the parser could not attribute a value to (row or column not
recognised, text not located) — our misread, never reported against the agency (raw and value NULL).
`join_lines(lines)` → one cell's text from its printed lines, never gluing two numbers into one.
Characters that print nothing (INVISIBLE: zero-width spaces, direction marks, soft hyphens, control
characters) are ignored, so a printed "0" is a number whatever invisible marks a Word paste left around it.
Blank is not zero. Full-width digits, thousands separators and a trailing unit are normalised for the
value; the raw text is stored unchanged by the caller.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

UNREAD = "unread"
SEMANTICS = ("number", "blank", "dash", "text", UNREAD)

# Characters that print nothing: format characters (soft hyphen, zero-width space/joiners, word joiner, BOM,
# direction marks and embeddings, invisible operators), fillers and variation selectors, and control characters
# other than whitespace (Word's cell mark \x07 …). Removed before a cell is classified and from parsed HTML text.
# Whitespace (incl. \x0b, Word's line break) is not in the set: it still separates two numbers.
INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb"
    "\U000e0000-\U000e007f\U000e0100-\U000e01ef]"
)
_SPACE = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_UNIT = re.compile(r"(件|个|条|项|次|元|万元|人次)$")
DASHES = {"-", "--", "—", "——", "–", "−", "/", "\\", "无", "空", "×", "x", "X", "N/A", "n/a", "NA", "不适用", "/ ", "—/—", "_", "__"}


@lru_cache(maxsize=1 << 12)
def classify(raw: str | None) -> tuple[str, float | None]:
    """Classify one printed cell. Never raises; anything unrecognised is `text`. (Cached: printed
    cells repeat massively across reports — "0", "1", "" …)"""
    if raw is None:
        return "blank", None
    t = INVISIBLE.sub("", unicodedata.normalize("NFKC", raw)).strip(" \t\r\n\u3000\u00a0")
    if not t:
        return "blank", None
    if _SPACE.search(t):  # "12 34": digits of two cells run together, or prose — never guess
        return "text", None
    if t in DASHES or set(t) <= set("-—–−_/\\"):
        return "dash", None
    num = _UNIT.sub("", t)
    if _GROUPED.match(num):
        num = num.replace(",", "")
    if _NUMBER.match(num):
        return "number", float(num)
    return "text", None


def unit_of(raw: str | None) -> str | None:
    """The unit printed after a number (e.g. 元 in "251000元"), if any — a hint of a unit slip."""
    if not raw:
        return None
    m = _UNIT.search(_SPACE.sub("", unicodedata.normalize("NFKC", raw)))
    return m.group(1) if m else None


_DIGITS = frozenset("0123456789０１２３４５６７８９")


def join_lines(lines: list[str]) -> str:
    """A cell's lines (paragraphs, line breaks) joined with "" — with one space where the join would glue
    two digits together ("12" / "34" → "12 34", which classify() keeps as text, never 1234)."""
    if not lines:
        return ""
    out = lines[0]
    for line in lines[1:]:
        if out and out[-1] in _DIGITS and line[0] in _DIGITS:
            out = f"{out} {line}"
        else:
            out += line
    return out
