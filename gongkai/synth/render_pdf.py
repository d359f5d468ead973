"""PDF rendering with reportlab: a multi-page A4 document with a text layer, like the PDFs agencies
export from Word or WPS (../shared/corpus/real/*.pdf).

What a page looks like: an optional running header (the report's title or the agency, small type, at
the same place on every page, sometimes with a rule under it, sometimes not on page 1), a page number
at the foot ("- 3 -", "— 3 —", "第 3 页" or "3", centred or on the outer side), sometimes a running
footer (the agency's name). Page 1 opens with the title in large type (wrapped over two lines when it
is long, or on purpose after the agency's name). Section headings and paragraphs are indented by two
characters, wrapped at the right margin and justified (character spacing), and run across page breaks;
some documents print part of their prose with full-width digits. The agency and the date sign the end.

Tables are drawn with ruling lines around every cell (merged cells as one rectangle; the rules are
stroked rectangles, single lines whose ends stop a little short or run a little long, or thin filled
bars, in black or dark grey; some documents draw a heavier outer frame, some leave out the outer side
borders of 表三 and 表四; 表二's 第二十条 rows are sometimes shaded) and laid out like
the national form (the same cell specs as render_docx): 表三 with the 3×3 note cell, 申请人情况 over
seven columns and the vertical 三、本年度办理结果 header whose characters are stacked one per line,
so that in text order they interleave with the rows; long row labels wrapped over two or three lines
inside their cell; narrow column headers wrapped (商业企 / 业, 结果 / 维持); numbers centred
vertically in tall cells, so their baseline lies above a wrapped label's last line (labels top- or
centre-aligned). A table that does not fit continues on the next page (rows are never split; 表三's
header is repeated on the next page in some documents); a vertically merged cell cut by the page
break is drawn on both pages, its text in the part that holds it. The page number and the running
header of the next page thus fall between two rows of one table in text order.

Layout choices (margins, type sizes, line pitch, column widths, alignment, ruling style, where the page
breaks fall) come from an RNG seeded by the report, so reports differ and each one is deterministic;
the bytes are reproducible (reportlab's invariant mode: no dates or random document IDs).

PDF layouts (`render_pdf(r, style)`, STYLES; registered in corpus.RENDERINGS as pdf_<style>), each a layout
met in real reports that the default one does not draw:
  * overflow — label and header lines wrapped wider than their cell, so they run over the ruling into
    the next cell (never closer than 0.6 characters to another cell's text, never out of the table;
    numbers centred);
  * split — spanning header cells (申请人情况, 法人或其他组织, 自然人/总计 over two rows, 表四's groups, the
    表三 note, 表二's 本年处理决定数量) drawn as their separate elementary cells, the text across them;
  * t2grid — 表二 as one grid of four columns without a merged cell, a sub-header row per 第二十条 item
    (its label in the first cell, or 信息内容 there under an item row of four cells), a group of fewer
    columns printed from the first value column on, the rest empty;
  * norules — no ruling at all: the tables are text in columns;
  * filled — no stroked rule: each cell a tinted rectangle with white gaps between them, or the table a
    dark rectangle with each cell a white one on it;
  * t3break — 表三's header rows alone at the foot of a page, its rows from the top of the next.

The text is set in reportlab's built-in CID font STSong-Light (Adobe-GB1, not embedded: no font file
needed), whose text PDFium extracts with the right Unicode. A string of one character is written with
a trailing space: without a CJK system font PDFium drops one-character strings of such a font from
the text layer (multi-character strings are kept), and Word writes such spaces too.
"""

from __future__ import annotations

import io
import random
import re
from functools import cache

from gongkai.synth.grids import place, t2_items, t3_items, t4_items
from gongkai.synth.numbers import T3_NOTE
from gongkai.synth.report import SynthReport

__all__ = ["render_pdf"]

FONT = "STSong-Light"
PAGE_W, PAGE_H = 595.2756, 841.8898  # A4 in points
_FW = str.maketrans("0123456789", "０１２３４５６７８９")
_ASCENT = 0.80  # baseline below the top of a line box, in type sizes
_NO_START = set("，。、；：？！）》”’」』．,.;:?!)%")  # characters a line may not begin with
_NO_END = set("（《“‘「『(")  # … nor end with
_UNBREAKABLE = re.compile(r"[0-9A-Za-z０-９.,．，%％\-]")  # runs of these are not broken (numbers, words)


@cache
def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


@cache
def _char_width(ch: str) -> float:
    """Advance of one character at 1 pt."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(ch, _font(), 1000.0) / 1000.0


def _width(text: str, size: float) -> float:
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
        w = _width(tok, size)
        avail = width - (first_indent if len(lines) == 1 else 0.0)
        if lines[-1] and used + w > width + 0.01:
            cur = lines[-1]
            carry: list[str] = []
            if tok[0] in _NO_START and len(cur) > 1:  # pull the last character down with it
                carry = [cur.pop()]
            while len(cur) > 1 and cur[-1][-1] in _NO_END:
                carry.insert(0, cur.pop())
            lines.append(carry)
            used = sum(_width(t, size) for t in carry)
        if w > avail:  # a run longer than a line: broken by character
            for ch in tok:
                cw = _width(ch, size)
                if lines[-1] and used + cw > width + 0.01:
                    lines.append([])
                    used = 0.0
                lines[-1].append(ch)
                used += cw
            continue
        lines[-1].append(tok)
        used += w
    return ["".join(x) for x in lines if x]


class _Doc:
    def __init__(self, r: SynthReport, rng: random.Random, style: str = ""):
        from reportlab.pdfgen import canvas

        self.r, self.rng, self.style = r, rng, style
        self.buf = io.BytesIO()
        self.c = canvas.Canvas(self.buf, pagesize=(PAGE_W, PAGE_H), invariant=1,
                               pageCompression=1 if rng.random() < 0.7 else 0)
        self.c.setTitle(r.title if rng.random() < 0.6 else "")
        self.c.setAuthor(r.agency if rng.random() < 0.5 else "Administrator")
        self.c.setCreator(rng.choice(("Microsoft® Word 2016", "WPS Office", "Microsoft® Word 2010")))
        _font()
        # page geometry and type
        self.ml = rng.uniform(68, 92)
        self.mr = rng.uniform(68, 92)
        self.mt = rng.uniform(66, 92)
        self.mb = rng.uniform(66, 92)
        self.text_w = PAGE_W - self.ml - self.mr
        self.body = rng.choice((12.0, 13.0, 14.0, 15.0, 16.0, 16.0))
        self.pitch = self.body * rng.uniform(1.45, 1.85)
        self.tsize = rng.choice((9.0, 9.0, 9.5, 10.0, 10.5))
        self.bold_headings = rng.random() < 0.5
        self.ink = rng.choice((0.0, 0.0, 0.0, 0.2))  # rules in black or dark grey
        self.open_sides = rng.random() < 0.1  # 表三 and 表四 only: 表二's full-width rows would float free
        self.frame = rng.random() < 0.25
        # running header / footer and page numbers
        self.header = None
        if rng.random() < 0.65:
            self.header = rng.choice((r.title, r.title, f"{r.agency}政府信息公开工作年度报告",
                                      f"{r.year}年政府信息公开工作年度报告"))
        self.header_first = rng.random() < 0.5
        self.header_rule = rng.random() < 0.5
        self.header_align = rng.choice(("centre", "centre", "right"))
        self.footer = r.agency if rng.random() < 0.2 else None
        self.number_style = rng.choice(("- {n} -", "- {n} -", "- {n} -", "— {n} —", "第 {n} 页", "{n}"))
        self.number_outer = rng.random() < 0.35
        self.number_first = rng.random() < 0.8
        self.page = 0
        self.y = 0.0
        self._start_page()

    # ------------------------------------------------------------------ pages

    @property
    def bottom(self) -> float:
        return PAGE_H - self.mb

    def _start_page(self) -> None:
        self.page += 1
        self.y = self.mt
        if self.header and (self.page > 1 or self.header_first):
            size = 9.0
            w = _width(self.header, size)
            x = (PAGE_W - w) / 2 if self.header_align == "centre" else PAGE_W - self.mr - w
            top = self.mt * 0.42
            self._text(x, top, self.header, size)
            if self.header_rule:
                self.c.setLineWidth(0.6)
                y = PAGE_H - (top + size * 1.35)
                self.c.line(self.ml, y, PAGE_W - self.mr, y)

    def _end_page(self) -> None:
        foot = PAGE_H - self.mb * 0.5
        if self.number_first or self.page > 1:
            size = 10.5 if self.body >= 14 else 9.0
            label = self.number_style.format(n=self.page)
            w = _width(label, size)
            if self.number_outer:
                x = PAGE_W - self.mr - w if self.page % 2 else self.ml
            else:
                x = (PAGE_W - w) / 2
            self._text(x, foot - size / 2, label, size)
        if self.footer:
            size = 9.0
            x = self.ml if not (self.number_outer and self.page % 2 == 0) else PAGE_W - self.mr - _width(self.footer, size)
            self._text(x, foot + 12, self.footer, size)
        self.c.showPage()

    def new_page(self) -> None:
        self._end_page()
        self._start_page()

    def ensure(self, h: float) -> None:
        if self.y + h > self.bottom:
            self.new_page()

    # ------------------------------------------------------------------ text

    def _text(self, x: float, top: float, text: str, size: float, char_space: float = 0.0, bold: bool = False) -> None:
        """One line of text whose line box starts at `top` (display space, y down). A lone character
        gets a trailing space: PDFium drops one-character strings of a non-embedded CID font whose
        glyph it cannot find (no CJK system font), and Word writes such spaces too."""
        if len(text) == 1:
            text += " "
        t = self.c.beginText()
        t.setFont(FONT, size)
        # character spacing and render mode are graphics state that outlives the text object: set both
        t.setCharSpace(char_space)
        t.setTextRenderMode(2 if bold else 0)
        if bold:
            self.c.setLineWidth(size * 0.03)
        t.setTextOrigin(x, PAGE_H - (top + _ASCENT * size))
        t.textOut(text)
        self.c.drawText(t)

    def title(self) -> None:
        r, rng = self.r, self.rng
        size = max(rng.choice((18.0, 20.0, 22.0)), round(self.body * 1.25))  # 二号/小二 over 三号 body text
        lines = wrap(r.title, size, self.text_w)
        if len(lines) == 1 and rng.random() < 0.35:  # broken on purpose after the agency's name
            lines = [r.agency, r.title[len(r.agency):]]
        elif len(lines) > 1:
            lines = [r.agency, r.title[len(r.agency):]] if _width(r.agency, size) <= self.text_w else lines
            if any(_width(x, size) > self.text_w for x in lines):
                lines = wrap(r.title, size, self.text_w)
        self.y += rng.uniform(0, 30)
        for line in lines:
            self._text((PAGE_W - _width(line, size)) / 2, self.y, line, size, bold=rng.random() < 0.5)
            self.y += size * rng.uniform(1.35, 1.6)
        self.y += self.pitch * rng.uniform(0.8, 1.6)

    def paragraph(self, text: str, *, bold: bool = False, fullwidth: bool = False) -> None:
        if fullwidth:
            text = text.translate(_FW)
        size = self.body
        indent = 2 * size
        lines = wrap(text, size, self.text_w, indent)
        for k, line in enumerate(lines):
            self.ensure(self.pitch)
            x = self.ml + (indent if k == 0 else 0.0)
            cs = 0.0
            if k < len(lines) - 1 and len(line) > 1:  # justified: the line ends at the right margin
                slack = self.text_w - (indent if k == 0 else 0.0) - _width(line, size)
                cs = max(0.0, slack) / (len(line) - 1)
            self._text(x, self.y + (self.pitch - size) / 2, line, size, cs, bold)
            self.y += self.pitch

    def signature(self, lines: list[str]) -> None:
        self.y += self.pitch
        for line in lines:
            self.ensure(self.pitch)
            w = _width(line, self.body)
            self._text(PAGE_W - self.mr - w - 2 * self.body, self.y + (self.pitch - self.body) / 2, line, self.body)
            self.y += self.pitch

    # ------------------------------------------------------------------ tables

    def table(self, kind: str, items: list[list[tuple]]) -> None:
        rng = self.rng
        grid, ncols = place(items)
        nrows = len(grid)
        size = self.tsize
        padx, pady = rng.uniform(2.0, 5.0), rng.uniform(1.5, 4.0)
        lead = size * rng.uniform(1.15, 1.4)
        width = self.text_w + rng.uniform(-10, 24)
        widths = self._col_widths(kind, ncols, width, size, padx)
        x0 = (PAGE_W - sum(widths)) / 2 if rng.random() < 0.7 else self.ml
        xs = [x0]
        for w in widths:
            xs.append(xs[-1] + w)
        value_align = rng.choice(("centre", "centre", "centre", "left"))
        label_valign = rng.choice(("centre", "centre", "top"))
        shade = rng.random() < 0.35
        rule = rng.choice(("rect", "lines", "lines", "bars"))
        line_w = rng.choice((0.5, 0.5, 0.75, 1.0))
        style = self.style
        if style == "norules":
            rule, shade = "none", False
        elif style == "filled":
            rule, shade = rng.choice(("filled_bg", "tiles")), False
        elif style == "overflow":  # labels run over into the value cells beside them: numbers centred
            value_align = "centre"

        # cells: (r0, r1, c0, c1, text, role, lines, size)
        cells = []
        for i, row in enumerate(grid):
            for j, (k, what) in sorted(row.items()):
                if k != "origin":
                    continue
                text, cs, rs, role = what
                if role != "value":
                    text = self.r.relabel.get(text, text)
                text = "" if text is None else text
                avail = widths[j] if cs == 1 else sum(widths[j:j + cs])
                avail -= 2 * padx
                fsize = size
                if role == "value" and any(ch.isdigit() for ch in text):
                    w1 = _width(text, 1.0)
                    if w1 * fsize > avail:  # a number never wraps: set smaller
                        fsize = max(4.0, avail / w1)
                    lines = [text] if text else []
                else:
                    lines = wrap(text, fsize, avail) if text else []
                split = style == "split" and (cs > 1 or rs > 1) and (role == "head" or text == T3_NOTE)
                cells.append([i, i + rs - 1, j, j + cs - 1, text, role, lines, fsize, split])
        if style == "overflow":
            self._overflow(cells, xs, padx, value_align)

        # row heights: the tallest single-row cell, merged cells growing their last row
        hmin = size * rng.uniform(1.8, 2.4)
        heights = [hmin] * nrows
        for r0, r1, _, _, _, _, lines, fs, _ in cells:
            if r0 == r1:
                heights[r0] = max(heights[r0], len(lines) * fs * lead / size + 2 * pady)
        for r0, r1, _, _, _, _, lines, fs, _ in cells:
            if r1 > r0:
                need = len(lines) * fs * lead / size + 2 * pady
                have = sum(heights[r0:r1 + 1])
                if need > have:
                    heights[r1] += need - have

        # pagination: rows are never split; blocks of rows are kept together
        header_rows = {"t3": 3, "t4": 3, "t2": 0}[kind]
        keep: list[list[int]] = []
        if kind == "t4":
            keep = [list(range(nrows))]
        elif kind == "t3" and style == "t3break":  # the header may stay at the foot of a page alone
            keep = [list(range(header_rows))] + [[i] for i in range(header_rows, nrows)]
        elif kind == "t3":
            keep = [list(range(header_rows + 1))] + [[i] for i in range(header_rows + 1, nrows)]
        else:  # 表二: a 第二十条 row stays with its header row and first data row
            i = 0
            while i < nrows:
                first = grid[i].get(0)
                if first and first[0] == "origin" and first[1][1] == ncols:
                    keep.append(list(range(i, min(i + 3, nrows))))
                    i += 3
                else:
                    keep.append([i])
                    i += 1
        repeat = kind == "t3" and rng.random() < 0.3
        self.y += rng.uniform(4, 12)
        if kind == "t3" and style == "t3break":
            # the header rows at the foot of the page, the first row on the next one
            repeat = False
            head_h = sum(heights[:header_rows])
            if self.y + head_h > self.bottom - 2:
                self.new_page()
                self.y += self.pitch
            self.y = max(self.y, self.bottom - head_h - heights[header_rows] * rng.uniform(0.1, 0.9))
        elif rng.random() < 0.12 and self.y > self.mt + 200:  # some documents start a table on a new page
            self.new_page()
        # plan the parts first (page breaks before a part), then draw them page by page
        frags: list[tuple[bool, float, list[int]]] = []  # (new page before it, top, rows)
        cur: list[int] = []
        top = y = self.y
        brk = False
        for block in keep:
            h = sum(heights[i] for i in block)
            if y + h > self.bottom and (cur or y > self.mt + 1):
                if cur:
                    frags.append((brk, top, cur))
                brk = True
                top = y = self.mt
                cur = list(range(header_rows)) if repeat and frags else []
                y += sum(heights[i] for i in cur)
            cur.extend(block)
            y += h
        if cur:
            frags.append((brk, top, cur))
        # which part of a vertically merged cell cut by a page break carries its text: the first part
        # if the text fits there, else the tallest part
        holder: dict[int, int] = {}
        for k, (r0, r1, *_rest) in enumerate(cells):
            lines, fs = cells[k][6], cells[k][7]
            parts = [(f, sum(heights[i] for i in rows if r0 <= i <= r1))
                     for f, (_, _, rows) in enumerate(frags) if any(r0 <= i <= r1 for i in rows)]
            need = len(lines) * fs * lead / size + 2 * pady
            holder[k] = parts[0][0] if parts[0][1] >= need else max(parts, key=lambda p: p[1])[0]
        for f, (brk, top, rows) in enumerate(frags):
            if brk:
                self.new_page()
            whole = set(rows)
            self._draw_fragment(top, rows, [(cell, holder[k] == f or set(range(cell[0], cell[1] + 1)) <= whole)
                                            for k, cell in enumerate(cells)], heights, xs,
                                value_align, label_valign, shade, rule, line_w, lead, padx, pady,
                                self.open_sides and kind != "t2")
            y = top + sum(heights[i] for i in rows)
        self.y = y + self.pitch * rng.uniform(0.5, 1.2)

    def _col_widths(self, kind: str, ncols: int, width: float, size: float, padx: float) -> list[float]:
        rng = self.rng
        if kind == "t2":
            label = width * rng.uniform(0.26, 0.4)
            rest = (width - label) / (ncols - 1)
            return [label] + [rest] * (ncols - 1)
        if kind == "t3":
            c0 = size * rng.uniform(1.2, 1.9) + 2 * padx     # one character a line: 三 / 、 / 本 / 年 …
            c1 = size * rng.uniform(3.2, 5.6) + 2 * padx
            min_value = size * 3.0 + 2 * padx
            c2 = max(size * 6, min(size * rng.uniform(8.0, 14.0), width - c0 - c1 - 7 * min_value))
            rest = max(width - c0 - c1 - c2, 7 * min_value)
            share = [rng.uniform(0.9, 1.15) for _ in range(ncols - 3)]
            return [c0, c1, c2] + [rest * s / sum(share) for s in share]
        return [width / ncols] * ncols

    def _centred(self, role: str, text: str, nlines: int, x0: float, x1: float, fs: float, value_align: str) -> bool:
        return (role == "head" or (role == "value" and value_align == "centre")
                or (nlines == 1 and (x1 - x0) < 3 * fs)                                # a narrow cell
                or (role == "label" and len(text) <= 6 and (x1 - x0) < 8 * fs))        # a short group label

    def _extent(self, cell: list, xs: list[float], padx: float, value_align: str) -> tuple[float, float]:
        """Left and right end of a cell's printed lines."""
        _, _, c0, c1, text, role, lines, fs, _ = cell
        x0, x1 = xs[c0], xs[c1 + 1]
        lo, hi = x1, x0
        for line in lines:
            w = _width(line, fs)
            tx = (x0 + x1 - w) / 2 if self._centred(role, text, len(lines), x0, x1, fs, value_align) else x0 + padx
            lo, hi = min(lo, tx), max(hi, tx + w)
        return lo, hi

    def _overflow(self, cells: list[list], xs: list[float], padx: float, value_align: str) -> None:
        """Header and label text that runs over its cell's ruling into the next cell (wrapped at a width
        wider than the cell, as Word does with a fixed row height or a label typed with spaces): each
        label or header is wrapped wider, then put back inside its cell wherever its text would come
        closer than half a character to another cell's text (or leave the table)."""
        rng = self.rng
        order = [k for k, c in enumerate(cells) if c[5] != "value" and c[4] and xs[c[3] + 1] - xs[c[2]] - 2 * padx >= 2.5 * c[7]]
        rng.shuffle(order)
        for k in order:  # greedily, each cell as wide as its neighbours' text lets it
            cell = cells[k]
            _, _, c0, c1, text, role, lines, fs, _ = cell
            avail = xs[c1 + 1] - xs[c0] - 2 * padx
            for factor in (1.9, 1.7, 1.5, 1.35, 1.2, 1.1):
                wider = wrap(text, fs, avail * factor)
                if max(_width(x, fs) for x in wider) <= avail + 2 * padx + 0.5 * fs:
                    continue  # does not reach over the ruling
                cell[6] = wider
                if not self._collides(k, cells, xs, padx, value_align):
                    break
                cell[6] = lines

    def _collides(self, k: int, cells: list[list], xs: list[float], padx: float, value_align: str) -> bool:
        """Cell k's text leaves the table or comes closer than 0.6 characters to the text of a cell
        beside it (in a row it spans)."""
        a = cells[k]
        alo, ahi = self._extent(a, xs, padx, value_align)
        if alo < xs[0] + 1 or ahi > xs[-1] - 1:
            return True
        for j, b in enumerate(cells):
            if j == k or not b[6] or b[1] < a[0] or b[0] > a[1] or not (b[2] > a[3] or b[3] < a[2]):
                continue
            blo, bhi = self._extent(b, xs, padx, value_align)
            gap = 0.6 * max(a[7], b[7])
            if (b[2] > a[3] and ahi + gap > blo) or (b[3] < a[2] and bhi + gap > alo):
                return True
        return False

    def _draw_fragment(self, top, rows, cells, heights, xs, value_align, label_valign, shade, rule, line_w, lead,
                       padx, pady, open_sides) -> None:
        c = self.c
        pos: dict[int, tuple[float, float]] = {}
        y = top
        for i in rows:
            pos[i] = (y, y + heights[i])
            y += heights[i]
        edges: dict[tuple, None] = {}
        texts = []
        boxes = []
        for (r0, r1, c0, c1, text, role, lines, fs, split), holds in cells:
            here = [i for i in range(r0, r1 + 1) if i in pos]
            if not here:
                continue
            y0, y1 = pos[here[0]][0], pos[here[-1]][1]
            x0, x1 = xs[c0], xs[c1 + 1]
            if split:  # a spanning cell drawn as its separate elementary cells, its text across them
                for i in here:
                    for j in range(c0, c1 + 1):
                        a, b = pos[i]
                        boxes.append((xs[j], a, xs[j + 1], b))
                        edges[(xs[j], a, xs[j + 1], a)] = None
                        edges[(xs[j], b, xs[j + 1], b)] = None
                        edges[(xs[j], a, xs[j], b)] = None
                        edges[(xs[j + 1], a, xs[j + 1], b)] = None
            else:
                boxes.append((x0, y0, x1, y1))
            if shade and role == "label" and c0 == 0 and c1 == len(xs) - 2 and r0 == r1:
                c.setFillColorRGB(0.80, 0.86, 0.95)
                c.rect(x0, PAGE_H - y1, x1 - x0, y1 - y0, stroke=0, fill=1)
                c.setFillColorRGB(0, 0, 0)
            edges[(x0, y0, x1, y0)] = None
            edges[(x0, y1, x1, y1)] = None
            edges[(x0, y0, x0, y1)] = None
            edges[(x1, y0, x1, y1)] = None
            if lines and holds:
                texts.append((x0, y0, x1, y1, lines, role, fs, text))
        ink = self.ink
        c.setStrokeColorRGB(ink, ink, ink)
        c.setFillColorRGB(ink, ink, ink)
        c.setLineWidth(line_w)
        left, right = xs[0], xs[-1]
        if open_sides:  # no outer left and right border (the parser must supply it)
            edges = {e: None for e in edges if not (e[0] == e[2] and e[0] in (left, right))}
        if rule == "none":  # no rulings at all: the table is text in columns
            pass
        elif rule == "filled_bg":  # the frame filled in the ink colour, each cell a white rectangle on it
            c.rect(left, PAGE_H - y, right - left, y - top, stroke=0, fill=1)
            c.setFillColorRGB(1, 1, 1)
            for x0, y0, x1, y1 in boxes:
                h = line_w / 2
                c.rect(x0 + h, PAGE_H - y1 + h, x1 - x0 - line_w, y1 - y0 - line_w, stroke=0, fill=1)
        elif rule == "tiles":  # each cell a tinted rectangle, the white gaps between them are the rules
            tint = self.rng.choice(((0.85, 0.85, 0.85), (0.88, 0.92, 0.98), (0.93, 0.93, 0.93)))
            gap = self.rng.uniform(0.8, 1.6)
            c.setFillColorRGB(*tint)
            for x0, y0, x1, y1 in boxes:
                c.rect(x0 + gap / 2, PAGE_H - y1 + gap / 2, x1 - x0 - gap, y1 - y0 - gap, stroke=0, fill=1)
        elif rule == "rect" and not open_sides:
            for x0, y0, x1, y1 in boxes:
                c.rect(x0, PAGE_H - y1, x1 - x0, y1 - y0, stroke=1, fill=0)
        elif rule in ("lines", "rect"):  # single strokes, their ends a little short or long (as Word draws)
            for ax, ay, bx, by in edges:
                da, db = self.rng.uniform(-0.4, 0.6), self.rng.uniform(-0.4, 0.6)
                if ay == by:
                    c.line(ax - da, PAGE_H - ay, bx + db, PAGE_H - by)
                else:
                    c.line(ax, PAGE_H - ay + da, bx, PAGE_H - by - db)
        else:  # thin filled bars
            for ax, ay, bx, by in edges:
                if ay == by:
                    c.rect(ax, PAGE_H - ay - line_w / 2, bx - ax, line_w, stroke=0, fill=1)
                else:
                    c.rect(ax - line_w / 2, PAGE_H - by, line_w, by - ay, stroke=0, fill=1)
        if self.frame and not open_sides and rule in ("rect", "lines", "bars"):  # a heavier outer border
            c.setLineWidth(1.5)
            c.rect(left, PAGE_H - y, right - left, y - top, stroke=1, fill=0)
        c.setFillColorRGB(0, 0, 0)
        for x0, y0, x1, y1, lines, role, fs, text in texts:
            ld = fs * lead / self.tsize
            inner = y1 - y0 - 2 * pady
            if len(lines) * ld > inner + 0.01:  # a merged cell cut by the page break: set tighter
                ld = max(inner / len(lines), fs)
                if len(lines) * ld > inner + 0.01:
                    fs = ld = inner / len(lines)
            block = len(lines) * ld
            if role == "value" or role == "head" or label_valign == "centre" or (x1 - x0) < 3 * fs:
                ty = y0 + (y1 - y0 - block) / 2
            else:
                ty = y0 + pady
            for line in lines:
                w = _width(line, fs)
                if self._centred(role, text, len(lines), x0, x1, fs, value_align):
                    tx = (x0 + x1 - w) / 2
                else:
                    tx = x0 + padx
                self._text(tx, ty + (ld - fs) / 2, line, fs)
                ty += ld

    def save(self) -> bytes:
        self._end_page()
        self.c.save()
        return self.buf.getvalue()


STYLES = ("overflow", "split", "t2grid", "norules", "filled", "t3break")


def render_pdf(r: SynthReport, style: str = "") -> bytes:
    """The report as a PDF with a text layer (see the module docstring); `style` one of STYLES draws the
    tables in a layout of its own (module docstring, PDF layouts)."""
    if style and style not in STYLES:
        raise ValueError(f"unknown PDF style {style!r}; choose from {STYLES}")
    rng = random.Random(f"{r.report_key}|pdf|{style}" if style else f"{r.report_key}|pdf")
    doc = _Doc(r, rng, style)
    doc.title()
    fw = rng.random() < 0.3
    if r.preamble:
        doc.paragraph(r.preamble, fullwidth=fw and rng.random() < 0.3)
    builders = {2: ("t2", t2_items), 3: ("t3", t3_items), 4: ("t4", t4_items)}
    if style == "t2grid":
        in_head = rng.random() < 0.5
        builders[2] = ("t2", lambda r: t2_items(r, flat=True, item_in_head=in_head))
    for no, title, text in r.sections:
        doc.ensure(doc.pitch * 2)
        doc.paragraph(title, bold=doc.bold_headings)
        for line in text.split("\n") if text else ():
            doc.paragraph(line, fullwidth=fw and rng.random() < 0.3)
        if no in builders and r.tables_present.get(builders[no][0]):
            kind, build = builders[no]
            doc.table(kind, build(r))
    date = f"{r.year + 1}年{1 + rng.randrange(3)}月{1 + rng.randrange(28)}日"
    doc.signature([r.agency, date])
    return doc.save()
