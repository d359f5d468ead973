"""The type of the generated PDFs (gongkai.synth.render_pdf): the font, character widths and line
breaking of Chinese text.

The text is set in reportlab's built-in CID font STSong-Light (Adobe-GB1, not embedded: no font file
needed), whose text PDFium extracts with the right Unicode. A string of one character is written with
a trailing space: without a CJK system font PDFium drops one-character strings of such a font from
the text layer (multi-character strings are kept), and Word writes such spaces too.
"""

from __future__ import annotations

import re
from functools import cache

FONT = "STSong-Light"
_NO_START = set("，。、；：？！）》”’」』．,.;:?!)%")  # characters a line may not begin with
_NO_END = set("（《“‘「『(")  # … nor end with
_UNBREAKABLE = re.compile(r"[0-9A-Za-z０-９.,．，%％\-]")  # runs of these are not broken (numbers, words)


@cache
def font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


@cache
def _char_width(ch: str) -> float:
    """Advance of one character at 1 pt."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(ch, font(), 1000.0) / 1000.0


def text_width(text: str, size: float) -> float:
    return sum(_char_width(ch) for ch in text) * size


def _tokens(text: str) -> list[str]:
    """Break opportunities: every CJK character alone, runs of digits/letters (and their separators) whole."""
    out: list[str] = []
    for ch in text:
        if out and _UNBREAKABLE.match(ch) and _UNBREAKABLE.match(out[-1][-1]):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def wrap(text: str, size: float, width: float, first_indent: float = 0.0) -> list[str]:
    """Greedy line breaking of Chinese text: any character may end a line except inside a number or a
    word, closing punctuation never starts a line and opening punctuation never ends one (it moves
    with its neighbour). A token wider than the line is broken by character."""
    toks = _tokens(text)
    lines: list[list[str]] = [[]]
    used = first_indent
    for tok in toks:
        w = text_width(tok, size)
        avail = width - (first_indent if len(lines) == 1 else 0.0)
        if lines[-1] and used + w > width + 0.01:
            cur = lines[-1]
            carry: list[str] = []
            if tok[0] in _NO_START and len(cur) > 1:  # pull the last character down with it
                carry = [cur.pop()]
            while len(cur) > 1 and cur[-1][-1] in _NO_END:
                carry.insert(0, cur.pop())
            lines.append(carry)
            used = sum(text_width(t, size) for t in carry)
        if w > avail:  # a run longer than a line: broken by character
            for ch in tok:
                cw = text_width(ch, size)
                if lines[-1] and used + cw > width + 0.01:
                    lines.append([])
                    used = 0.0
                lines[-1].append(ch)
                used += cw
            continue
        lines[-1].append(tok)
        used += w
    return ["".join(x) for x in lines if x]
