"""The pages of a generated PDF (gongkai.synth.render_pdf): the document (`Doc`) with its page geometry,
running header and footer, page numbers, and the prose (title, paragraphs, signature) set on it; tables are
set by gongkai.synth.pdf_table.

What a page looks like: an optional running header (the report's title or the agency, small type, at
the same place on every page, sometimes with a rule under it, sometimes not on page 1), a page number
at the foot ("- 3 -", "— 3 —", "第 3 页" or "3", centred or on the outer side), sometimes a running
footer (the agency's name). Page 1 opens with the title in large type (wrapped over two lines when it
is long, or on purpose after the agency's name). Section headings and paragraphs are indented by two
characters, wrapped at the right margin and justified (character spacing), and run across page breaks;
some documents print part of their prose with full-width digits. The agency and the date sign the end.
"""

from __future__ import annotations

import io
import random

from gongkai.synth.pdf_text import FONT, font, text_width, wrap
from gongkai.synth.report import SynthReport

PAGE_W, PAGE_H = 595.2756, 841.8898  # A4 in points
_FW = str.maketrans("0123456789", "０１２３４５６７８９")
_ASCENT = 0.80  # baseline below the top of a line box, in type sizes


class Doc:
    """The document being written: its canvas, page geometry, type and running header/footer, and where
    the next line goes (`y`, display space: down from the top of the page)."""

    def __init__(self, r: SynthReport, rng: random.Random, style: str = ""):
        from reportlab.pdfgen import canvas

        self.r, self.rng, self.style = r, rng, style
        self.buf = io.BytesIO()
        self.c = canvas.Canvas(self.buf, pagesize=(PAGE_W, PAGE_H), invariant=1,
                               pageCompression=1 if rng.random() < 0.7 else 0)
        self.c.setTitle(r.title if rng.random() < 0.6 else "")
        self.c.setAuthor(r.agency if rng.random() < 0.5 else "Administrator")
        self.c.setCreator(rng.choice(("Microsoft® Word 2016", "WPS Office", "Microsoft® Word 2010")))
        font()
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
            w = text_width(self.header, size)
            x = (PAGE_W - w) / 2 if self.header_align == "centre" else PAGE_W - self.mr - w
            top = self.mt * 0.42
            self.text(x, top, self.header, size)
            if self.header_rule:
                self.c.setLineWidth(0.6)
                y = PAGE_H - (top + size * 1.35)
                self.c.line(self.ml, y, PAGE_W - self.mr, y)

    def _end_page(self) -> None:
        foot = PAGE_H - self.mb * 0.5
        if self.number_first or self.page > 1:
            size = 10.5 if self.body >= 14 else 9.0
            label = self.number_style.format(n=self.page)
            w = text_width(label, size)
            if self.number_outer:
                x = PAGE_W - self.mr - w if self.page % 2 else self.ml
            else:
                x = (PAGE_W - w) / 2
            self.text(x, foot - size / 2, label, size)
        if self.footer:
            size = 9.0
            x = self.ml if not (self.number_outer and self.page % 2 == 0) else PAGE_W - self.mr - text_width(self.footer, size)
            self.text(x, foot + 12, self.footer, size)
        self.c.showPage()

    def new_page(self) -> None:
        self._end_page()
        self._start_page()

    def ensure(self, h: float) -> None:
        if self.y + h > self.bottom:
            self.new_page()

    # ------------------------------------------------------------------ text

    def text(self, x: float, top: float, text: str, size: float, char_space: float = 0.0, bold: bool = False) -> None:
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
            lines = [r.agency, r.title[len(r.agency):]] if text_width(r.agency, size) <= self.text_w else lines
            if any(text_width(x, size) > self.text_w for x in lines):
                lines = wrap(r.title, size, self.text_w)
        self.y += rng.uniform(0, 30)
        for line in lines:
            self.text((PAGE_W - text_width(line, size)) / 2, self.y, line, size, bold=rng.random() < 0.5)
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
                slack = self.text_w - (indent if k == 0 else 0.0) - text_width(line, size)
                cs = max(0.0, slack) / (len(line) - 1)
            self.text(x, self.y + (self.pitch - size) / 2, line, size, cs, bold)
            self.y += self.pitch

    def signature(self, lines: list[str]) -> None:
        self.y += self.pitch
        for line in lines:
            self.ensure(self.pitch)
            w = text_width(line, self.body)
            self.text(PAGE_W - self.mr - w - 2 * self.body, self.y + (self.pitch - self.body) / 2, line, self.body)
            self.y += self.pitch

    def save(self) -> bytes:
        self._end_page()
        self.c.save()
        return self.buf.getvalue()
