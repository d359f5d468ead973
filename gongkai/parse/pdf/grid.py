"""Ruled grids: tables rebuilt from the drawn ruling lines (what Word/WPS exports draw).

Horizontal and vertical strokes (stroked paths, or thin filled rectangles) that cross each other form
a grid; an edge between two elementary cells that no stroke covers is a merged cell. Each character
goes to the cell holding its centre, a cell's lines are joined, and the grid is handed over as rows of
`TCell(text, span=colspan)` with the HTML convention `TCell("", span, cont=True)` for the rows a
rowspan covers. Wrapped row labels, the vertical 三/本/年/度… group header, header labels wrapped or
spread into single characters and numbers that sit beside the first or middle line of a wrapped label
are all solved by the cell. Page numbers and footers print outside the grid and never enter it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from gongkai.parse.document import Table, TCell
from gongkai.parse.pdf.model import Glyph, Seg, _line_groups, cell_text

MAX_SEGMENTS = 4000  # rulings per page considered for grids
_NUMBER = re.compile(r"[-—－+]?[0-9０-９][0-9０-９,，.．]*")

# ------------------------------------------------------------------------------------ ruled grids


def _merge_segs(segs: list[Seg], tol: float = 1.5, gap: float = 2.5) -> list[Seg]:
    """Collinear strokes (same position within tol) whose extents touch become one."""
    out: list[Seg] = []
    segs = sorted(segs, key=lambda s: s.pos)
    groups: list[list[Seg]] = []
    for s in segs:
        if groups and s.pos - groups[-1][-1].pos <= tol:
            groups[-1].append(s)
        else:
            groups.append([s])
    for grp in groups:
        # each run of touching strokes gets the mean position of its own strokes (two tables on one
        # page whose rulings lie within tol of each other must not pull each other's positions)
        chains: list[list[Seg]] = []
        end = 0.0
        for s in sorted(grp, key=lambda s: s.a):
            if chains and s.a <= end + gap:
                chains[-1].append(s)
                end = max(end, s.b)
            else:
                chains.append([s])
                end = s.b
        for chain in chains:
            out.append(Seg(sum(s.pos for s in chain) / len(chain), chain[0].a, max(s.b for s in chain)))
    return out


def _cluster_pos(values: list[float], tol: float = 2.5) -> list[float]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(c) / len(c) for c in out]


@dataclass(slots=True)
class _Grid:
    xs: list[float]
    ys: list[float]
    cells: dict[tuple[int, int], tuple[int, int, int, int]]  # elementary (row, col) → (r0, r1, c0, c1)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]


def grids(hs: list[Seg], vs: list[Seg], tol: float = 2.5) -> list[_Grid]:
    hs, vs = _merge_segs(hs), _merge_segs(vs)
    if len(hs) < 2 or len(vs) < 2 or len(hs) + len(vs) > MAX_SEGMENTS:
        return []
    # connected components of crossing strokes
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, h in enumerate(hs):
        for j, v in enumerate(vs):
            if h.a - tol <= v.pos <= h.b + tol and v.a - tol <= h.pos <= v.b + tol:
                parent[find(i)] = find(len(hs) + j)
    comps: dict[int, tuple[list[Seg], list[Seg]]] = {}
    for i, h in enumerate(hs):
        comps.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        comps.setdefault(find(len(hs) + j), ([], []))[1].append(v)
    out = []
    for ch, cv in comps.values():
        if len(ch) < 2 or len(cv) < 2:
            continue
        xs = _cluster_pos([v.pos for v in cv])
        ys = _cluster_pos([h.pos for h in ch])
        for edge in (min(h.a for h in ch), max(h.b for h in ch)):  # an outer border that is not drawn
            if min(abs(edge - x) for x in xs) > 3 * tol:
                xs.append(edge)
        for edge in (min(v.a for v in cv), max(v.b for v in cv)):
            if min(abs(edge - y) for y in ys) > 3 * tol:
                ys.append(edge)
        xs.sort()
        ys.sort()
        if len(xs) < 3 or len(ys) < 2 or (len(ys) == 2 and len(xs) < 4):
            continue  # a grid of one row needs three cells at least (a table's last row alone on a page)
        grid = _grid_cells(xs, ys, ch, cv, tol)
        if grid is not None:
            out.append(grid)
    return out


def _covered(segs: list[Seg], a: float, b: float) -> bool:
    """At least half of a to b is covered by the strokes (those at the edge's position)."""
    need = 0.5 * (b - a)
    got = 0.0
    for s in segs:
        if s.b > a and s.a < b:
            got += min(s.b, b) - max(s.a, a)
    return got >= need


def _grid_cells(xs: list[float], ys: list[float], hs: list[Seg], vs: list[Seg], tol: float) -> _Grid | None:
    nr, nc = len(ys) - 1, len(xs) - 1
    parent = list(range(nr * nc))
    at_x = [[s for s in vs if abs(s.pos - x) <= tol] for x in xs]
    at_y = [[s for s in hs if abs(s.pos - y) <= tol] for y in ys]

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(nr):
        for j in range(nc):
            if j + 1 < nc and not _covered(at_x[j + 1], ys[i], ys[i + 1]):
                parent[find(i * nc + j)] = find(i * nc + j + 1)
            if i + 1 < nr and not _covered(at_y[i + 1], xs[j], xs[j + 1]):
                parent[find(i * nc + j)] = find((i + 1) * nc + j)
    members: dict[int, list[tuple[int, int]]] = {}
    for i in range(nr):
        for j in range(nc):
            members.setdefault(find(i * nc + j), []).append((i, j))
    cells: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    for mem in members.values():
        r0, r1 = min(m[0] for m in mem), max(m[0] for m in mem)
        c0, c1 = min(m[1] for m in mem), max(m[1] for m in mem)
        if len(mem) != (r1 - r0 + 1) * (c1 - c0 + 1):
            return None  # not rectangular: the strokes do not make a clean grid
        for m in mem:
            cells[m] = (r0, r1, c0, c1)
    if len(set(cells.values())) < 2:
        return None
    return _Grid(xs, ys, cells)


def text_runs(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """Printed lines cut at every visible gap (more than 0.3 × the glyph height): the runs of text
    set as one string, which may run over a ruling but never jump a gap between two cells' texts."""
    out: list[list[Glyph]] = []
    for line in _line_groups(glyphs):
        run = [line[0]]
        for g in line[1:]:
            prev = run[-1]
            if g.x0 - prev.x1 > 0.3 * max(prev.bottom - prev.top, g.bottom - g.top):
                out.append(run)
                run = [g]
            else:
                run.append(g)
        out.append(run)
    return out


def grid_table(grid: _Grid, glyphs: list[Glyph]) -> Table:
    """The grid's cells with their text as rows of TCells (HTML conventions: colspan, cont stand-ins)."""
    xs, ys = grid.xs, grid.ys
    nr, nc = len(ys) - 1, len(xs) - 1
    content: dict[tuple[int, int, int, int], list[Glyph]] = {}
    for run in text_runs(glyphs):
        # a run of text belongs to one cell, whichever rulings it runs over: the cell under its middle
        # (a left-aligned label that overflows starts and mostly lies in its cell, a centred header
        # that overflows on both sides is centred on its cell)
        cx = (run[0].x0 + run[-1].x1) / 2
        cy = sorted((g.top + g.bottom) / 2 for g in run)[len(run) // 2]
        i = min(max(bisect_right(ys, cy) - 1, 0), nr - 1)
        j = min(max(bisect_right(xs, cx) - 1, 0), nc - 1)
        content.setdefault(grid.cells[(i, j)], []).extend(run)
    cells = _rejoin_split_headers(grid, content)
    rows: Table = []
    for i in range(nr):
        row: list[TCell] = []
        for j in range(nc):
            r0, _r1, c0, c1 = cell = cells[(i, j)]
            if c0 != j:
                continue
            if r0 == i:
                row.append(TCell(cell_text(content.get(cell, [])), c1 - c0 + 1))
            else:
                row.append(TCell("", c1 - c0 + 1, cont=True))
        if any(not c.cont for c in row):
            rows.append(row)
    return rows


def _rejoin_split_headers(grid: _Grid, content: dict[tuple[int, int, int, int], list[Glyph]]
                          ) -> dict[tuple[int, int], tuple[int, int, int, int]]:
    """Spanning header cells drawn as separate ruled cells (not merged), joined again where the text
    says so and nothing printed contradicts it, in three passes:
      1. a header group label of the national form (申请人情况 over 7 columns, 行政复议 over 5 …) alone in
         its row's cells: the template's width of columns, placed where the label is centred (or, failing
         that, where it starts), every other cell of the placement empty and not merged;
      2. a header label wrapped over two cells of one column (自然 / 人 of a two-row 自然人, 结 / 果维持
         under 行政复议): joined when, with the labels above it, the joined text names a column of the
         form and its upper part alone does not;
      3. a label whose other cells in its row are empty over the width of one merged cell in the next
         row (表二's 本年处理决定数量 centred over the one value that spans three columns).
    Cells a ruled grid draws merged are never touched. `content` is re-keyed to the joined cells; the
    returned map is elementary cell → joined cell."""
    from gongkai.form import template

    xs = grid.xs
    nr, nc = len(grid.ys) - 1, len(xs) - 1
    cells = dict(grid.cells)
    unit = (xs[-1] - xs[0]) / nc

    def single(i: int, j: int) -> bool:
        return cells[(i, j)] == (i, i, j, j)

    def empty(i: int, j: int) -> bool:
        return single(i, j) and not content.get((i, i, j, j))

    def text(i: int, j: int) -> str:
        return cell_text(content.get(cells[(i, j)], []))

    def join(new: tuple[int, int, int, int], *parts: tuple[int, int, int, int]) -> None:
        glyphs = [g for p in parts for g in content.pop(p, [])]
        for i in range(new[0], new[1] + 1):
            for j in range(new[2], new[3] + 1):
                cells[(i, j)] = new
        content[new] = glyphs

    def group(t: str) -> int:
        return max(template.group_span("t3", t) or 0, template.group_span("t4", t) or 0)

    def named(t: str) -> bool:
        return any(template.match(v, tid, "col", t) for v in template.VERSIONS for tid in template.TABLES)

    for i in range(nr):  # 1. group labels over the template's width
        for j in range(nc):
            glyphs = content.get((i, i, j, j))
            if not glyphs or not single(i, j):
                continue
            width = group(cell_text(glyphs))
            if width < 2:
                continue
            x0, x1 = min(g.x0 for g in glyphs), max(g.x1 for g in glyphs)
            options = [s for s in range(max(0, j - width + 1), min(j, nc - width) + 1)
                       if all(empty(i, k) for k in range(s, s + width) if k != j)]
            centred = [s for s in options if abs((xs[s] + xs[s + width]) / 2 - (x0 + x1) / 2) <= 0.25 * unit]
            flush = [s for s in options if 0 <= x0 - xs[s] <= 0.25 * unit]
            pick = centred if len(centred) == 1 else flush
            if len(pick) == 1:
                join((i, i, pick[0], pick[0] + width - 1), (i, i, j, j))
    numeric = {i for (i, j) in cells if _NUMBER.fullmatch(text(i, j))}  # rows of values, not of headers
    for i in range(nr - 1):  # 2. a label wrapped over two cells of one column
        if i in numeric or i + 1 in numeric:
            continue
        for j in range(nc):
            if not (single(i, j) and single(i + 1, j) and content.get((i, i, j, j)) and content.get((i + 1, i + 1, j, j))):
                continue
            above = "/".join(t for t in dict.fromkeys(text(k, j) for k in range(i)) if t)
            a, b = text(i, j), text(i + 1, j)
            ctx = above + "/" if above else ""
            if not group(a) and named(ctx + a + b) and not named(ctx + a) and not named(a):
                join((i, i + 1, j, j), (i, i, j, j), (i + 1, i + 1, j, j))
    for i in range(nr - 1):  # 3. a label over one merged cell of the next row
        if i in numeric:
            continue
        for j in range(nc):
            if not single(i, j) or not content.get((i, i, j, j)):
                continue
            r0, _, c0, c1 = cells[(i + 1, j)]
            if c1 > c0 and r0 == i + 1 and all(empty(i, k) for k in range(c0, c1 + 1) if k != j):
                join((i, i, c0, c1), (i, i, j, j))
    return cells


def trim_unheaded_columns(rows: Table) -> Table:
    """A part of a table (a header row of labels and the rows of values up to the next row without
    values) whose header leaves its last columns empty, and every row of the part too (表二 printed as
    one four-column grid: a group of fewer columns prints from the first value column on): those
    columns are no columns of the part, and its last headed cell spans them, in the header and in each
    row, so that the values keep their place counted from the right edge."""
    def blank(c: TCell) -> bool:
        return not c.cont and not c.text.strip() and (c.span or 1) == 1

    def values(row: list[TCell]) -> bool:
        return any(_NUMBER.fullmatch(c.text.strip()) for c in row if not c.cont)

    out = [list(r) for r in rows]
    i = 0
    while i < len(out):
        head = out[i]
        k = 0
        while k < len(head) and blank(head[-1 - k]):
            k += 1
        j = i + 1
        while j < len(out) and values(out[j]):
            j += 1
        part = out[i + 1:j]
        if (values(head) or k == 0 or k >= len(head) - 1 or not head[-1 - k].text.strip() or not part
                or any(len(r) != len(head) or not all(blank(c) for c in r[len(r) - k:]) for r in part)):
            i += 1
            continue
        for r in [head, *part]:
            last = r[-1 - k]
            r[len(r) - 1 - k:] = [TCell(last.text, (last.span or 1) + k, last.cont)]
        i = j
    return out


def value_edges(xs: list[float]) -> tuple[float, ...]:
    """The outer left and right edges: a table continued on the next page keeps its width."""
    return (round(xs[0]), round(xs[-1]))

