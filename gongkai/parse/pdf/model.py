"""The glyph and line model of a PDF page, shared by the PDF readers: printed characters (Glyph) and
strokes (Seg) in display space (y down, pages stacked), pages (Page), and characters clustered into
lines and words (Line) with their text (CJK runs joined without spaces, Latin/digit runs kept apart).
pdf_read fills the model from PDFium; pdf_grid, pdf_stream and pdf read tables and paragraphs from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from statistics import median

_ALNUM = re.compile(r"[0-9A-Za-z０-９]")
_DIGIT_START = frozenset("0123456789０１２３４５６７８９-—－")


# --------------------------------------------------------------------------------------------- model


@dataclass(slots=True)
class Glyph:
    """One printed character in display space (y grows downwards, pages stacked)."""

    ch: str
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def h(self) -> float:
        return self.bottom - self.top

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(slots=True)
class Line:
    glyphs: list[Glyph]
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0

    def __post_init__(self) -> None:
        self.glyphs.sort(key=lambda g: g.x0)
        self.x0 = min(g.x0 for g in self.glyphs)
        self.x1 = max(g.x1 for g in self.glyphs)
        self.top = min(g.top for g in self.glyphs)
        self.bottom = max(g.bottom for g in self.glyphs)

    @property
    def h(self) -> float:
        return median([g.h for g in self.glyphs])

    @property
    def size(self) -> float:
        """Type size: the median advance of its Chinese characters (box heights differ between the
        fonts of one line, e.g. digits in Times), else of its box heights."""
        cjk = [g.x1 - g.x0 for g in self.glyphs if "\u4e00" <= g.ch <= "\u9fff"]
        return median(cjk) if cjk else median([g.h for g in self.glyphs]) * 0.8

    @property
    def text(self) -> str:
        return glyph_text(self.glyphs)

    def words(self, gap: float = 0.6) -> list[Line]:
        """Runs of characters separated by more than `gap` × the line height; a number is also cut
        from text before it at a gap of a quarter of the height (a label run up to the numbers of a
        narrow column: "…其他情形） 0", "…一稳定” 0")."""
        h = self.h
        out: list[list[Glyph]] = [[self.glyphs[0]]]
        for g in self.glyphs[1:]:
            space = g.x0 - out[-1][-1].x1
            if space > gap * h or (space > 0.25 * h and g.ch in _DIGIT_START and _is_text_end(out[-1][-1].ch)):
                out.append([g])
            else:
                out[-1].append(g)
        return [Line(w) for w in out]


@dataclass(slots=True)
class Seg:
    pos: float  # y of a horizontal, x of a vertical stroke
    a: float  # start along the stroke
    b: float  # end along the stroke


@dataclass(slots=True)
class Page:
    no: int
    width: float
    height: float
    offset: float
    glyphs: list[Glyph] = field(default_factory=list)
    hsegs: list[Seg] = field(default_factory=list)
    vsegs: list[Seg] = field(default_factory=list)


# --------------------------------------------------------------------------------------------- text


def _is_text_end(ch: str) -> bool:
    """A character that ends text rather than a number (CJK, closing quotes and brackets)."""
    return not _ALNUM.match(ch) and ch not in ".,，．%％+-—－/"


def _is_cjk(ch: str) -> bool:
    return ch > "\u2e7f" and not ("\uff10" <= ch <= "\uff5a")


def join_pieces(pieces: list[str]) -> str:
    """Lines of one cell or paragraph: "" between them, " " where two letters/digits would meet."""
    out = ""
    for p in pieces:
        if not p:
            continue
        if out and _ALNUM.match(out[-1]) and _ALNUM.match(p[0]):
            out += " "
        out += p
    return out


def glyph_text(glyphs: list[Glyph]) -> str:
    """Characters of one line left to right; a gap wider than a third of the height becomes a space
    unless both sides are CJK (justified Chinese text), so "12 34" stays two numbers."""
    if len(glyphs) == 1:
        return glyphs[0].ch
    out: list[str] = []
    prev: Glyph | None = None
    for g in glyphs:
        if prev is not None:
            gap = g.x0 - prev.x1
            if gap > 0:
                h = max(prev.bottom - prev.top, g.bottom - g.top)
                if gap > 1.5 * h or (gap > 0.3 * h and not (_is_cjk(prev.ch) and _is_cjk(g.ch))):
                    out.append(" ")
        out.append(g.ch)
        prev = g
    return "".join(out)


def _line_groups(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """Glyphs → lines (each left to right): a glyph joins the line whose vertical centre is within 35 %
    of its height (and of the line's first glyph's)."""
    lines: list[list[Glyph]] = []
    centre = height = 0.0
    n = 0
    for g in sorted(glyphs, key=lambda g: g.top + g.bottom):
        cy, h = (g.top + g.bottom) / 2, g.bottom - g.top
        if n and abs(cy - centre) <= 0.35 * min(h, height):
            lines[-1].append(g)
            n += 1
            centre += (cy - centre) / n
            continue
        lines.append([g])
        centre, height, n = cy, h, 1
    for line in lines:
        if len(line) > 1:
            line.sort(key=lambda g: g.x0)
    return lines


def cluster_lines(glyphs: list[Glyph]) -> list[Line]:
    """Glyphs → lines: a glyph joins the line whose vertical centre is within 35 % of its height."""
    return [Line(line) for line in _line_groups(glyphs)]


def cell_text(glyphs: list[Glyph]) -> str:
    if not glyphs:
        return ""
    if len(glyphs) == 1:
        return glyphs[0].ch
    return join_pieces([glyph_text(line) for line in _line_groups(glyphs)])
