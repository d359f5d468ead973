"""Row labels of aligned-text tables: where a row label starts (ROW_START), the label side of a row of
numbers, label words cut into label cells (a label and its wrapped lines; the vertical group header's
stacked characters) and each cell given to the row of numbers beside it; a data row's label of the form;
words grouped into rows (by y) or by overlapping x-ranges, and a label's text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from statistics import median

from gongkai.form import template
from gongkai.parse.pdf.linetypes import is_value
from gongkai.parse.pdf.model import Line, glyph_text, join_pieces

ROW_START = re.compile(r"^(?:[（(][一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+[、.．]|[0-9]+[.．、，,]|第二十条)")


def label_side(words: list[Line], value_ranges: Sequence[tuple[float, float]] = ()) -> list[Line]:
    """The words of a row of numbers before its first number (its label cells), and before text that
    lies in a column of numbers of the other rows (a text cell such as 未统计 in the first column)."""
    first = next((k for k, w in enumerate(words) if is_value(w.text)
                  or any(min(b, w.x1) - max(a, w.x0) > 0 for a, b in value_ranges)), len(words))
    return words[:first]


def label_blocks(words: list[Line]) -> list[list[Line]]:
    """Label words → label cells. A word starts a cell when it opens a label of the form (a numbered
    label "（二）…", "一、…", "1.…", 第二十条…, or a whole row label such as 规章) or continues no cell;
    else it continues the cell whose last line ends just above it and whose words it overlaps in x (a
    wrapped label). Single characters stacked one per line (三 / 、 / 本 / 年 …, the vertical group
    header) form a cell of their own."""
    stacked: set[int] = set()
    singles = sorted((w for w in words if len(w.glyphs) == 1), key=lambda w: w.top)
    for w in singles:
        if id(w) in stacked:
            continue
        chain = [w]
        for x in singles:
            if x.top > chain[-1].top and abs(x.x0 + x.x1 - w.x0 - w.x1) <= 3.0 and x.top - chain[-1].bottom <= 0.8 * x.size:
                chain.append(x)
        if len(chain) >= 3:
            stacked.update(id(x) for x in chain)
    blocks: list[list[Line]] = []
    vertical = [w for w in words if id(w) in stacked]
    if vertical:
        blocks.append(vertical)
    for w in sorted((w for w in words if id(w) not in stacked), key=lambda w: (w.top, w.x0)):
        text = template.norm_label(w.text)
        if not ROW_START.match(text):
            best = None
            for b in blocks[1 if vertical else 0:]:
                last = max(x.bottom for x in b)
                x0, x1 = min(x.x0 for x in b), max(x.x1 for x in b)
                if min(x1, w.x1) - max(x0, w.x0) > 0 and -0.3 * w.size <= w.top - last <= 1.5 * w.size and \
                        w.x0 >= x0 - 0.6 * w.size:
                    if best is None or last > max(x.bottom for x in best):
                        best = b
            # an unnumbered row label that is whole (规章 under 行政许可…) is continued by no other one
            if best is not None and not (is_row_label(text) and not ROW_START.match(template.norm_label(best[0].text))
                                         and is_row_label(label_text(best))):
                best.append(w)
                continue
        blocks.append([w])
    return blocks


def assign_blocks(blocks: list[list[Line]], anchors: list[Line]) -> dict[int, list[list[Line]]]:
    """Label cells to rows of numbers (1-based index into anchors; 0: a row of its own). A cell goes to
    the row whose numbers lie within its height (the one nearest its middle when it spans several: a
    group label), else to the nearest row within 1.2 characters. Two row labels of one column (starting
    at the same x) never share a row: the farther one becomes a row of its own, so its row is not
    read rather than read wrong."""
    out: dict[int, list[list[Line]]] = {}
    centres = [(a.top + a.bottom) / 2 for a in anchors]
    for block in blocks:
        top, bottom = min(w.top for w in block), max(w.bottom for w in block)
        mid = (top + bottom) / 2
        size = median([w.size for w in block])
        inside = [k for k, c in enumerate(centres) if top - 1 <= c <= bottom + 1]
        if inside:
            k = min(inside, key=lambda k: abs(centres[k] - mid))
        else:
            k = min(range(len(centres)), key=lambda k: min(abs(centres[k] - top), abs(centres[k] - bottom)))
            if min(abs(centres[k] - top), abs(centres[k] - bottom)) > 1.2 * size:
                out.setdefault(0, []).append(block)
                continue
        out.setdefault(k + 1, []).append(block)
    for k in [k for k in out if k]:
        rowlike = [b for b in out[k] if is_row_label(label_text(b))]
        for a in rowlike:
            for b in rowlike:
                if a is not b and abs(min(w.x0 for w in a) - min(w.x0 for w in b)) <= 1.0 * a[0].size \
                        and a in out[k] and b in out[k]:
                    c = centres[k - 1]
                    far = max((a, b), key=lambda x: abs((min(w.top for w in x) + max(w.bottom for w in x)) / 2 - c))
                    out[k].remove(far)
                    out.setdefault(0, []).append(far)
    return out


def cluster_x_groups(words: list[Line]) -> list[list[Line]]:
    """Words grouped by overlapping x-ranges (a column of numbers, the lines of one label cell)."""
    groups: list[list[Line]] = []
    ranges: list[list[float]] = []
    for w in sorted(words, key=lambda w: w.x0):
        for k, (a, b) in enumerate(ranges):
            if min(b, w.x1) - max(a, w.x0) > 0:
                groups[k].append(w)
                ranges[k] = [min(a, w.x0), max(b, w.x1)]
                break
        else:
            groups.append([w])
            ranges.append([w.x0, w.x1])
    return groups


def is_row_label(text: str) -> bool:
    """A data row's label of 表二/三/四 (either format), as opposed to header or note text."""
    return any(template.match(v, t, "row", text) for v in ("2021", "2019") for t in ("t2", "t3", "t4"))


def rows_of(words: list[Line]) -> list[list[Line]]:
    out: list[list[Line]] = []
    for w in sorted(words, key=lambda w: (w.top, w.x0)):
        if out and abs(out[-1][0].top - w.top) <= 0.35 * w.size:
            out[-1].append(w)
        else:
            out.append([w])
    return [sorted(r, key=lambda w: w.x0) for r in out]


def label_text(words: list[Line]) -> str:
    return join_pieces([glyph_text([g for w in r for g in w.glyphs]) for r in rows_of(words)])


def _label_cells(words: list[Line]) -> list[str]:
    """Label words of one row grouped into cells by x-overlap (the wrapped lines of a cell join)."""
    groups = sorted(cluster_x_groups(words), key=lambda g: min(w.x0 for w in g))
    return [label_text(grp) for grp in groups]
