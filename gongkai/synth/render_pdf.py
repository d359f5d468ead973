"""PDF rendering with reportlab: a multi-page A4 document with a text layer, like the PDFs agencies
export from Word or WPS (../shared/corpus/real/*.pdf).

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

The parts, each module's docstring saying what it draws: pdf_text (the font, character widths, line
breaking), pdf_page (the document: what a page looks like, running header and footer, prose), pdf_table
(what a table looks like: its grid, sizes and page breaks), pdf_overflow (the overflow layout), pdf_draw (a
table part's rules and text on its page).
"""

from __future__ import annotations

import random

from gongkai.synth.grids import t2_items, t3_items, t4_items
from gongkai.synth.pdf_page import Doc
from gongkai.synth.pdf_table import table
from gongkai.synth.report import SynthReport

__all__ = ["render_pdf"]

STYLES = ("overflow", "split", "t2grid", "norules", "filled", "t3break")


def render_pdf(r: SynthReport, style: str = "") -> bytes:
    """The report as a PDF with a text layer (see the module docstring); `style` one of STYLES draws the
    tables in a layout of its own (module docstring, PDF layouts)."""
    if style and style not in STYLES:
        raise ValueError(f"unknown PDF style {style!r}; choose from {STYLES}")
    rng = random.Random(f"{r.report_key}|pdf|{style}" if style else f"{r.report_key}|pdf")
    doc = Doc(r, rng, style)
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
            table(doc, kind, build(r))
    date = f"{r.year + 1}年{1 + rng.randrange(3)}月{1 + rng.randrange(28)}日"
    doc.signature([r.agency, date])
    return doc.save()
