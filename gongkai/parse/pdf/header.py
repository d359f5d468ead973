"""The header of an aligned-text table over its value columns: header words told apart by the columns
of numbers below them, the leaf column labels (read bottom-up), and the header rows rebuilt with each
cell at its columns (None when a placement is not certain or a template column would be named twice).
"""

from __future__ import annotations

from bisect import bisect_right
from statistics import median

from gongkai.form import template
from gongkai.parse.document import TCell
from gongkai.parse.pdf.labels import label_text
from gongkai.parse.pdf.model import Line


def merge_spread(words: list[Line], columns: list[tuple[float, float]], label_right: float | None = None) -> list[Line]:
    """Header words, told apart by the columns of numbers below them. Characters are split at every
    visible gap and joined again when they lie over the same column of numbers (each column owns the
    x-range up to half-way to its neighbours): "总   计" or "社 会 公 益" spread over the width of one
    cell join (wider gaps only between single characters), "结果 其他" of two narrow neighbouring cells
    do not, nor "科研 社会公" over columns printed blank. Without numbers, small gaps join.
    Text left of `label_right` (the label side) never joins text right of it."""
    fine = [piece for w in words for piece in w.words(gap=0.25)]
    cols = sorted(columns)
    cuts = [(cols[k][1] + cols[k + 1][0]) / 2 for k in range(len(cols) - 1)]
    out: list[Line] = []
    last: Line | None = None
    for w in fine:
        if out and last is not None:
            prev = out[-1]
            gap = w.x0 - prev.x1
            if label_right is not None and (prev.x0 >= label_right - 1) != (w.x0 >= label_right - 1):
                join = False  # label-side text (the 表三 note) and a column label beside it
            elif cols:
                zone = bisect_right(cuts, (w.x0 + w.x1) / 2)
                join = bisect_right(cuts, (last.x0 + last.x1) / 2) == zone and (
                    gap <= 0.3 * w.size or (gap < 1.5 * w.size and len(last.glyphs) == 1 and len(w.glyphs) == 1))
            else:
                join = gap <= 0.6 * w.size
            if join:
                out[-1] = Line(prev.glyphs + w.glyphs)
                last = w
                continue
        out.append(w)
        last = w
    return out


def leaves(words: list[Line]) -> list[list[Line]]:
    """Leaf header cells, bottom-up: a word over no leaf starts one, a word just above one leaf joins
    it (a wrapped label), a word over two or more leaves is a group header, and so is a group label of
    the form (复议后起诉 narrower than its five columns, over one leaf only)."""
    leaves: list[list[Line]] = []
    for w in sorted(words, key=lambda w: -w.bottom):
        hits = [leaf for leaf in leaves if min(max(x.x1 for x in leaf), w.x1) - max(min(x.x0 for x in leaf), w.x0) > 0]
        t = template.norm_label(w.text)
        if hits and (template.group_span("t3", t) or template.group_span("t4", t) or 0) > 1:
            continue
        if not hits:
            leaves.append([w])
        elif len(hits) == 1 and min(x.top for x in hits[0]) - w.bottom <= 1.25 * w.size:
            hits[0].append(w)
    return leaves


def stream_header(hwords: list[Line], spans: list[tuple[float, float]], bounds: list[float], label_right: float
                   ) -> list[tuple[float, list[TCell]]] | None:
    """Header rows over the leaf columns, each header cell at its columns: the columns its text
    covers, or — for a group label narrower than its cell (行政复议 over five columns) — the template's
    group width, placed where it is centred on or starts at its text and does not collide with another
    cell of its line. None when a placement is not certain."""
    ncols = len(spans)

    def col(x: float) -> int:
        return bisect_right(bounds, x)

    cells: list[list[Line]] = []
    for w in sorted((w for w in hwords if w.x0 >= label_right - 1), key=lambda w: w.top):
        lo, hi = col(w.x0 + 0.5), col(w.x1 - 0.5)
        for cell in cells:
            if (col(min(x.x0 for x in cell) + 0.5), col(max(x.x1 for x in cell) - 0.5)) == (lo, hi) and \
                    w.top - max(x.bottom for x in cell) <= 1.25 * w.size:
                cell.append(w)
                break
        else:
            cells.append([w])
    fixed: list[tuple[float, float, int, int, str]] = []  # top, bottom, first column, width, text
    loose: list[tuple[float, float, int, int, int, str, float, float]] = []
    for cell in cells:
        text = label_text(cell)
        x0, x1 = min(x.x0 for x in cell), max(x.x1 for x in cell)
        top, bottom = min(x.top for x in cell), max(x.bottom for x in cell)
        lo, hi = col(x0 + 0.5), col(x1 - 0.5)
        width = max(template.group_span("t3", text) or 0, template.group_span("t4", text) or 0)
        if width > hi - lo + 1:
            loose.append((top, bottom, lo, hi, width, text, x0, x1))
        else:
            fixed.append((top, bottom, lo, hi - lo + 1, text))
    unit = sum(b - a for a, b in spans) / ncols
    pad = median([(spans[k + 1][0] - spans[k][1]) / 2 for k in range(ncols - 1)] or [0.0])
    edges = [spans[0][0] - pad] + list(bounds) + [spans[-1][1] + pad]  # column k spans edges[k]..edges[k+1]
    for top, bottom, lo, hi, width, text, x0, x1 in loose:
        options = []
        for s in range(max(0, hi - width + 1), min(lo, ncols - width) + 1):
            clash = any(not (s + width - 1 < c0 or s > c0 + cw - 1) and min(bottom, b2) - max(top, t2) > 0
                        for t2, b2, c0, cw, _ in fixed)
            if not clash:
                options.append(s)
        centred = [s for s in options if abs((edges[s] + edges[s + width]) / 2 - (x0 + x1) / 2) <= 0.4 * unit]
        flush_left = [s for s in options if abs(edges[s] - x0) <= 0.4 * unit]
        # one placement left by the cells around it, else the label's alignment (centred, else flush left)
        pick = set(options) if len(options) == 1 else set(centred or flush_left)
        if len(pick) != 1:
            return None
        fixed.append((top, bottom, pick.pop(), width, text))
    if not _distinct_keys(fixed, ncols):
        return None
    # one grid row per printed line of header cells; uncovered columns get blank cells
    lines: list[list[tuple[float, float, int, int, str]]] = []
    for box in sorted(fixed):
        if lines and min(box[1], lines[-1][0][1]) - max(box[0], lines[-1][0][0]) > 0:
            lines[-1].append(box)
        else:
            lines.append([box])
    rows = []
    for line in lines:
        starts = {c[2]: c for c in line}
        row: list[TCell] = []
        p = 0
        while p < ncols:
            if p in starts:
                row.append(TCell(starts[p][4], starts[p][3]))
                p += starts[p][3]
            else:
                row.append(TCell("", 1))
                p += 1
        rows.append((line[0][0], row))
    return rows


def _distinct_keys(cells: list[tuple[float, float, int, int, str]], ncols: int) -> bool:
    """The header read from positions names every value column, and no template column twice (else it
    was misread: two labels run together, a label split)."""
    stacked: list[list[str]] = [[] for _ in range(ncols)]
    for _, _, first, width, text in sorted(cells):
        for p in range(first, min(first + width, ncols)):
            stacked[p].append(template.norm_label(text))
    best: list[str] = []
    for version in template.VERSIONS:
        for tid in template.TABLES:  # the table whose columns the header names best
            found = [k for st in stacked if st and (k := template.match(version, tid, "col", "/".join(st)))]
            if len(found) > len(best):
                best = found
    labelled = sum(1 for st in stacked if st and st != ["信息内容"])  # 表二's label-column header aside
    return len(best) == len(set(best)) == labelled  # every labelled column named, none twice
