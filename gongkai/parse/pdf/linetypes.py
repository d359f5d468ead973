"""What a line or word of aligned text is: a value (a number or dash), a row of values, a line of
column labels, a heading, running prose; and text that only a header prints. The tables of aligned text
(stream) are found and cut with these; the page layout (layout) uses is_value too.
"""

from __future__ import annotations

import unicodedata

from gongkai.form import template
from gongkai.form.cells import DASHES, classify
from gongkai.form.headings import heading_no
from gongkai.parse.pdf.model import Line


def is_value(text: str) -> bool:
    return classify(text)[0] in ("number", "dash")


def is_heading(line: Line) -> bool:
    return heading_no(line.text) is not None


def is_prose(line: Line, text_right: float) -> bool:
    """A line of running text: long, reaching the right margin, with no wide gaps."""
    if len(line.glyphs) < 18:
        return False
    if not (len(line.words(gap=1.5)) <= 2 and line.x1 >= text_right - 2 * line.size):
        return False
    # the 表三 note beside 自然人 … 总计 reaches the margin too: a line that names a column is no prose
    return not any(names_column(w.text) for w in line.words())


# the characters a printed number or dash can end with (cells.classify: digits, units, dash marks)
_VALUE_END = frozenset("0123456789.件个条项次元") | {d[-1] for d in DASHES} | frozenset("-—–−_/\\")


def is_value_row(line: Line) -> bool:
    """Numbers at the right end of the line, apart from the text: several, or one after a row label."""
    if unicodedata.normalize("NFKC", line.glyphs[-1].ch)[-1:] not in _VALUE_END:
        return False  # (quick: the line's last word cannot be a value)
    words = line.words()
    if not words or not is_value(words[-1].text):
        return False
    vals = sum(1 for w in words if is_value(w.text))
    if vals >= 2:
        return len(words) - vals <= 3
    return len(words) >= 2 and template.is_label(words[0].text) and "。" not in line.text and len(line.glyphs) <= 40


def is_header_line(line: Line) -> bool:
    """A line of column labels (信息内容 / 本年制发件数 … / 自然人 …) without numbers."""
    words = line.words()
    if any(is_value(w.text) for w in words):
        return False
    hits = 0
    for w in words:
        t = template.norm_label(w.text)
        if t == "信息内容" or template.group_span("t3", t) or template.group_span("t4", t):
            return True
        hits += any(template.match(v, tid, "col", t) for v in template.VERSIONS for tid in template.TABLES)
    return hits >= 1 and len(words) >= 2


def names_column(text: str) -> bool:
    """A column label or header group of the form (or 信息内容): text that only a header prints."""
    t = template.norm_label(text)
    return t == "信息内容" or bool(template.group_span("t3", t) or template.group_span("t4", t)) or any(
        template.match(v, tid, "col", t) for v in template.VERSIONS for tid in template.TABLES)
