"""A table of a generated PDF (gongkai.synth.render_pdf): its cells placed on the national form's grid,
column widths, row heights and page breaks; each part on a page is drawn by gongkai.synth.pdf_draw.

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
"""

from __future__ import annotations

from gongkai.synth.grids import place
from gongkai.synth.numbers import T3_NOTE
from gongkai.synth.pdf_draw import draw_fragment
from gongkai.synth.pdf_overflow import overflow
from gongkai.synth.pdf_page import PAGE_W, Doc
from gongkai.synth.pdf_text import text_width, wrap


def table(doc: Doc, kind: str, items: list[list[tuple]]) -> None:
    rng = doc.rng
    grid, ncols = place(items)
    nrows = len(grid)
    size = doc.tsize
    padx, pady = rng.uniform(2.0, 5.0), rng.uniform(1.5, 4.0)
    lead = size * rng.uniform(1.15, 1.4)
    width = doc.text_w + rng.uniform(-10, 24)
    widths = _col_widths(doc, kind, ncols, width, size, padx)
    x0 = (PAGE_W - sum(widths)) / 2 if rng.random() < 0.7 else doc.ml
    xs = [x0]
    for w in widths:
        xs.append(xs[-1] + w)
    value_align = rng.choice(("centre", "centre", "centre", "left"))
    label_valign = rng.choice(("centre", "centre", "top"))
    shade = rng.random() < 0.35
    rule = rng.choice(("rect", "lines", "lines", "bars"))
    line_w = rng.choice((0.5, 0.5, 0.75, 1.0))
    style = doc.style
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
                text = doc.r.relabel.get(text, text)
            text = "" if text is None else text
            avail = widths[j] if cs == 1 else sum(widths[j:j + cs])
            avail -= 2 * padx
            fsize = size
            if role == "value" and any(ch.isdigit() for ch in text):
                w1 = text_width(text, 1.0)
                if w1 * fsize > avail:  # a number never wraps: set smaller
                    fsize = max(4.0, avail / w1)
                lines = [text] if text else []
            else:
                lines = wrap(text, fsize, avail) if text else []
            split = style == "split" and (cs > 1 or rs > 1) and (role == "head" or text == T3_NOTE)
            cells.append([i, i + rs - 1, j, j + cs - 1, text, role, lines, fsize, split])
    if style == "overflow":
        overflow(doc, cells, xs, padx, value_align)

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
    doc.y += rng.uniform(4, 12)
    if kind == "t3" and style == "t3break":
        # the header rows at the foot of the page, the first row on the next one
        repeat = False
        head_h = sum(heights[:header_rows])
        if doc.y + head_h > doc.bottom - 2:
            doc.new_page()
            doc.y += doc.pitch
        doc.y = max(doc.y, doc.bottom - head_h - heights[header_rows] * rng.uniform(0.1, 0.9))
    elif rng.random() < 0.12 and doc.y > doc.mt + 200:  # some documents start a table on a new page
        doc.new_page()
    # plan the parts first (page breaks before a part), then draw them page by page
    frags: list[tuple[bool, float, list[int]]] = []  # (new page before it, top, rows)
    cur: list[int] = []
    top = y = doc.y
    brk = False
    for block in keep:
        h = sum(heights[i] for i in block)
        if y + h > doc.bottom and (cur or y > doc.mt + 1):
            if cur:
                frags.append((brk, top, cur))
            brk = True
            top = y = doc.mt
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
            doc.new_page()
        whole = set(rows)
        draw_fragment(doc, top, rows, [(cell, holder[k] == f or set(range(cell[0], cell[1] + 1)) <= whole)
                                       for k, cell in enumerate(cells)], heights, xs,
                      value_align, label_valign, shade, rule, line_w, lead, padx, pady,
                      doc.open_sides and kind != "t2")
        y = top + sum(heights[i] for i in rows)
    doc.y = y + doc.pitch * rng.uniform(0.5, 1.2)


def _col_widths(doc: Doc, kind: str, ncols: int, width: float, size: float, padx: float) -> list[float]:
    rng = doc.rng
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
