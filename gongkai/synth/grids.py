"""The three tables of the national form as rows of spanned items, shared by the renderers.

An item is (text | None, colspan, rowspan, kind), kind one of label | head | value, laid out like the
form (and the real page ../shared/corpus/real/shuyang_fgj_2023.html): 表二 groups with their 第二十条
rows, 表三 with the note cell 3×3, 申请人情况 over the applicant columns and the vertical group labels,
表四 with a 3-row header. render_html writes them as colspan/rowspan cells, render_docx as Word merges
(gridSpan/vMerge) and render_pdf as ruled rectangles; `place` puts them on the grid.
"""

from __future__ import annotations

from gongkai.synth.numbers import T2_HEAD, T3_APPLICANTS, T3_NOTE, T3_ORGS, TOTAL, layout
from gongkai.synth.report import SynthReport

Item = tuple  # (text | None, colspan, rowspan, kind) with kind in label | head | value


def t2_items(r: SynthReport, flat: bool = False, item_in_head: bool = False) -> list[list[Item]]:
    """表二 as the form prints it; `flat`: one grid of width + 1 columns without any merged cell (the
    第二十条 item row as separate cells, the label in the first; a group of fewer columns prints its
    headers and values from the first value column on and leaves the rest empty), `item_in_head` (with
    `flat`): the item label takes the place of 信息内容 in the group's sub-header row."""
    L = layout(r.layout_key)
    width = L.t2_width
    rows: list[list[Item]] = []
    if flat:
        for g in L.t2_groups:
            pad = [(None, 1, 1, "value")] * (width - len(g.cols))
            hpad = [(None, 1, 1, "head")] * (width - len(g.cols))
            if item_in_head:
                rows.append([(g.label, 1, 1, "label")] + [(lab, 1, 1, "head") for _, lab in g.cols] + hpad)
            else:
                rows.append([(g.label, 1, 1, "label")] + [(None, 1, 1, "label")] * width)
                rows.append([(T2_HEAD, 1, 1, "head")] + [(lab, 1, 1, "head") for _, lab in g.cols] + hpad)
            for rk, lab in g.rows:
                rows.append([(lab, 1, 1, "label")] + [(r.cells.get(("t2", rk, c)), 1, 1, "value") for c, _ in g.cols]
                            + pad)
        return rows
    for g in L.t2_groups:
        k = len(g.cols)
        spans = [1] * (k - 1) + [width - k + 1]
        rows.append([(g.label, width + 1, 1, "label")])
        rows.append([(T2_HEAD, 1, 1, "head")] + [(lab, s, 1, "head") for (_, lab), s in zip(g.cols, spans)])
        for rk, lab in g.rows:
            rows.append([(lab, 1, 1, "label")]
                        + [(r.cells.get(("t2", rk, c)), s, 1, "value") for (c, _), s in zip(g.cols, spans)])
    return rows


def t3_items(r: SynthReport) -> list[list[Item]]:
    L = layout(r.layout_key)
    cols = dict(L.t3_cols)
    orgs = L.applicant_cols[1:]
    rows: list[list[Item]] = [
        [(T3_NOTE, 3, 3, "label"), (T3_APPLICANTS, len(cols), 1, "head")],
        [(cols[L.applicant_cols[0]], 1, 2, "head"), (T3_ORGS, len(orgs), 1, "head"), (cols[TOTAL], 1, 2, "head")],
        [(cols[c], 1, 1, "head") for c in orgs],
    ]
    for row in L.t3_rows:
        tr: list[Item] = []
        if row.level == 1:
            tr.append((row.label, 3, 1, "label"))
        else:
            if row.first_in_group:
                tr.append((row.group, 1, row.group_span, "label"))
            if row.level == 2:
                tr.append((row.label, 2, 1, "label"))
            else:
                if row.first_in_sub:
                    tr.append((row.sub, 1, row.sub_span, "label"))
                tr.append((row.label, 1, 1, "label"))
        tr.extend((r.cells.get(("t3", row.key, c)), 1, 1, "value") for c in cols)
        rows.append(tr)
    return rows


def t4_items(r: SynthReport) -> list[list[Item]]:
    L = layout(r.layout_key)
    tops = list(dict.fromkeys(c.top for c in L.t4_cols))
    plain = [c for c in L.t4_cols if not c.sub]
    nested = [c for c in L.t4_cols if c.sub]
    subs = list(dict.fromkeys(c.sub for c in nested))
    return [[(t, sum(c.top == t for c in L.t4_cols), 1, "head") for t in tops],
            [(c.label, 1, 2, "head") for c in plain]
            + [(s, sum(c.sub == s for c in nested), 1, "head") for s in subs],
            [(c.label, 1, 1, "head") for c in nested],
            [(r.cells.get(("t4", L.t4_row, c.key)), 1, 1, "value") for c in L.t4_cols]]


def place(rows: list[list[Item]]) -> tuple[list[dict[int, tuple]], int]:
    """Grid placement of HTML-like rows: per grid row, {column: ("origin", item) | ("cont", colspan)}."""
    taken: dict[tuple[int, int], tuple[int, int]] = {}
    origins: dict[tuple[int, int], Item] = {}
    for i, row in enumerate(rows):
        j = 0
        for item in row:
            while (i, j) in taken:
                j += 1
            _, cs, rs, _ = item
            origins[(i, j)] = item
            for di in range(rs):
                for dj in range(cs):
                    taken[(i + di, j + dj)] = (i, j)
            j += cs
    ncols = max(j for _, j in taken) + 1
    nrows = max(i for i, _ in taken) + 1
    out: list[dict[int, tuple]] = []
    for i in range(nrows):
        cells: dict[int, tuple] = {}
        for j in range(ncols):
            origin = taken.get((i, j))
            if origin is None:
                continue
            oi, oj = origin
            if oj != j:
                continue
            item = origins[origin]
            cells[j] = ("origin", item) if oi == i else ("cont", item[1])
        out.append(cells)
    return out, ncols
