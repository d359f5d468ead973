"""Drawing one part of a generated PDF's table on its page (gongkai.synth.pdf_table lays the parts out):
the cells' ruling in the table's ruling style (stroked rectangles, single lines, thin filled bars, none, a
filled background or tinted tiles; a heavier outer frame, open sides, shaded rows) and the cells' text.
"""

from __future__ import annotations

from gongkai.synth.pdf_page import PAGE_H, Doc
from gongkai.synth.pdf_text import text_width


def centred(role: str, text: str, nlines: int, x0: float, x1: float, fs: float, value_align: str) -> bool:
    return (role == "head" or (role == "value" and value_align == "centre")
            or (nlines == 1 and (x1 - x0) < 3 * fs)                                # a narrow cell
            or (role == "label" and len(text) <= 6 and (x1 - x0) < 8 * fs))        # a short group label


def draw_fragment(doc: Doc, top, rows, cells, heights, xs, value_align, label_valign, shade, rule, line_w, lead,
                  padx, pady, open_sides) -> None:
    c = doc.c
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
    ink = doc.ink
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
        tint = doc.rng.choice(((0.85, 0.85, 0.85), (0.88, 0.92, 0.98), (0.93, 0.93, 0.93)))
        gap = doc.rng.uniform(0.8, 1.6)
        c.setFillColorRGB(*tint)
        for x0, y0, x1, y1 in boxes:
            c.rect(x0 + gap / 2, PAGE_H - y1 + gap / 2, x1 - x0 - gap, y1 - y0 - gap, stroke=0, fill=1)
    elif rule == "rect" and not open_sides:
        for x0, y0, x1, y1 in boxes:
            c.rect(x0, PAGE_H - y1, x1 - x0, y1 - y0, stroke=1, fill=0)
    elif rule in ("lines", "rect"):  # single strokes, their ends a little short or long (as Word draws)
        for ax, ay, bx, by in edges:
            da, db = doc.rng.uniform(-0.4, 0.6), doc.rng.uniform(-0.4, 0.6)
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
    if doc.frame and not open_sides and rule in ("rect", "lines", "bars"):  # a heavier outer border
        c.setLineWidth(1.5)
        c.rect(left, PAGE_H - y, right - left, y - top, stroke=1, fill=0)
    c.setFillColorRGB(0, 0, 0)
    for x0, y0, x1, y1, lines, role, fs, text in texts:
        ld = fs * lead / doc.tsize
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
            w = text_width(line, fs)
            if centred(role, text, len(lines), x0, x1, fs, value_align):
                tx = (x0 + x1 - w) / 2
            else:
                tx = x0 + padx
            doc.text(tx, ty + (ld - fs) / 2, line, fs)
            ty += ld
