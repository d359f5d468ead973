"""表二/表三/表四 laid out as the national form prints them (DASHBOARD.md §3), from the template's cell lists.

The layout is derived from gongkai.form.template (row/column labels and groups per template version), so no
label is written here. Each value cell is a `Cell` carrying its warehouse keys; its state (number, not
assessable, failing, focused) is decided from the report's cells and findings by equality on the keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from gongkai.form import template

NOT_ASSESSABLE = ("blank", "dash", "text")
SEMANTIC_ZH = {"number": "数字", "blank": "空白", "dash": "横线", "text": "文本"}


def fmt_num(x: float | None) -> str:
    """28.0 → '28'; 1.25 → '1.25' (up to 4 decimals, the fee cell's precision); None → '—'."""
    if x is None:
        return "—"
    if float(x).is_integer():
        return str(int(x))
    return f"{x:.4f}".rstrip("0").rstrip(".")


@dataclass
class Cell:
    table: str
    row: str
    col: str
    raw: str = ""
    value: float | None = None
    semantic: str | None = None  # None: no cell stored for this key
    failing: list[dict[str, Any]] = field(default_factory=list)
    focused: bool = False
    headers: str = ""  # ids of the header cells above and the label cells left of it (screen readers read the path)
    operand: str = ""  # ①②… when the focused finding adds this cell up

    @property
    def assessable(self) -> bool:
        return self.semantic == "number"

    @property
    def invalid(self) -> bool:
        """The failure style: a failing finding points here and the printed value is a number."""
        return self.assessable and bool(self.failing)

    @property
    def first(self) -> dict[str, Any] | None:
        return self.failing[0] if self.failing else None

    @property
    def parsed(self) -> str:
        if self.semantic is None:
            return "未解析 / not parsed"
        if self.semantic == "number":
            return f"解析值 {fmt_num(self.value)}（数字）"
        return SEMANTIC_ZH.get(self.semantic, self.semantic)


@dataclass
class Th:
    text: str
    colspan: int = 1
    rowspan: int = 1
    id: str = ""


@dataclass
class Block:
    """One printed table (or, for 表二, one of its blocks): header rows, then body rows of label cells (Th)
    and value cells (Cell)."""

    head: list[list[Th]]
    body: list[list[Th | Cell]]


def _cells_df(layout: str) -> Any:
    version = "2021" if layout == template.MIXED else layout
    df = template.cells(version)
    if layout == template.MIXED:
        df = template.all_cells()
        keys = {("t3", r, c) for r, c in template.layout_keys(template.MIXED, "t3")}
        keys |= {(t, r, c) for t in ("t2", "t4") for r, c in template.layout_keys(template.MIXED, t)}
        df = df[[(t, r, c) in keys for t, r, c in zip(df.table_id, df.row_key, df.col_key)]]
        df = df.drop_duplicates(["table_id", "row_key", "col_key"])
    return df


def _rows(layout: str, table: str) -> list[tuple[str, str, str, list[tuple[str, str, str]]]]:
    """[(row_key, row_label, group, [(col_key, col_label, col_group)…])…] in printed order."""
    df = _cells_df(layout)
    sub = df[df.table_id == table]
    info = {(r, c): (rl, cl, g) for r, c, rl, cl, g in zip(sub.row_key, sub.col_key, sub.row_label, sub.col_label, sub.group)}
    order: dict[str, list[tuple[str, str, str]]] = {}
    meta: dict[str, tuple[str, str]] = {}
    for r, c in template.layout_keys(layout, table):
        if (r, c) not in info:
            continue
        rl, cl, g = info[(r, c)]
        order.setdefault(r, []).append((c, cl, g))
        meta.setdefault(r, (rl, g))
    hidden = set(template.mixed_rows()[1]) if layout == template.MIXED and table == "t3" else set()
    return [(r, meta[r][0], meta[r][1], cols) for r, cols in order.items() if r not in hidden]


def _link_headers(block: Block, prefix: str) -> None:
    """Give every label cell an id and every value cell `headers=` the ids of the column headers above it and
    the row labels left of it, by laying the block out as the HTML table model does (colspans, rowspans)."""
    taken: set[tuple[int, int]] = set()
    spans: list[tuple[Th, int, int, int, int, bool]] = []  # th, row0, row1, col0, col1, in head
    values: list[tuple[Cell, int, int]] = []
    n = 0
    grid: list[list[Th | Cell]] = [list[Th | Cell](r) for r in block.head]
    grid += block.body
    for ri, row in enumerate(grid):
        ci = 0
        for x in row:
            while (ri, ci) in taken:
                ci += 1
            if isinstance(x, Th):
                n += 1
                x.id = f"{prefix}-h{n}"
                spans.append((x, ri, ri + x.rowspan, ci, ci + x.colspan, ri < len(block.head)))
                taken |= {(r, c) for r in range(ri, ri + x.rowspan) for c in range(ci, ci + x.colspan)}
                ci += x.colspan
            else:
                values.append((x, ri, ci))
                taken.add((ri, ci))
                ci += 1
    for cell, ri, ci in values:
        cols = [th.id for th, r0, r1, c0, c1, head in spans if head and c0 <= ci < c1 and th.text]
        rows = [th.id for th, r0, r1, c0, c1, head in spans if not head and r0 <= ri < r1 and c1 <= ci and th.text]
        cell.headers = " ".join(rows + cols)


def layout_tables(layout: str, lookup: dict[tuple[str, str, str], Cell]) -> dict[str, list[Block]]:
    """The three tables of a layout ('2021', '2019', 'mixed'), each as printed blocks; `lookup` gives the
    Cell of each (table, row, col)."""

    def cell(t: str, r: str, c: str) -> Cell:
        return lookup.get((t, r, c)) or Cell(t, r, c)

    out: dict[str, list[Block]] = {}
    # 表二: one block per 第二十条 item, each with its own columns
    blocks: list[Block] = []
    rows = _rows(layout, "t2")
    groups = list(dict.fromkeys(g for _, _, g, _ in rows))
    for g in groups:
        grows = [x for x in rows if x[2] == g]
        cols = grows[0][3]
        head = [[Th(g, colspan=len(cols) + 1)], [Th("信息内容"), *[Th(cl) for _, cl, _ in cols]]]
        body: list[list[Th | Cell]] = [[Th(rl), *[cell("t2", r, c) for c, _, _ in rcols]] for r, rl, _, rcols in grows]
        blocks.append(Block(head, body))
    out["t2"] = blocks

    # 表三: three header rows, three label columns, 三、本年度办理结果 rowspanned
    rows = _rows(layout, "t3")
    cols = rows[0][3]
    org = [(c, cl) for c, cl, _ in cols if c not in ("natural_person", "total")]
    head3 = [
        [Th("", colspan=3, rowspan=3), Th("申请人情况", colspan=len(cols))],
        [Th(cols[0][1], rowspan=2), Th("法人或其他组织", colspan=len(org)), Th(cols[-1][1], rowspan=2)],
        [Th(cl) for _, cl in org],
    ]
    body3: list[list[Th | Cell]] = []
    outcome = [i for i, x in enumerate(rows) if x[2]]
    top = rows[outcome[0]][2] if outcome else ""
    # the rows directly under 三、… are those whose group is the top group itself
    for i, (r, rl, g, rcols) in enumerate(rows):
        labels: list[Th | Cell] = []
        if not g:
            labels.append(Th(rl, colspan=3))
        else:
            top_g = g if g == top else top
            if i == outcome[0]:
                labels.append(Th(top_g, rowspan=len(outcome)))
            if g == top:
                labels.append(Th(rl, colspan=2))
            else:
                if i == 0 or rows[i - 1][2] != g:
                    span = 1
                    while i + span < len(rows) and rows[i + span][2] == g:
                        span += 1
                    labels.append(Th(g, rowspan=span))
                labels.append(Th(rl))
        body3.append([*labels, *[cell("t3", r, c) for c, _, _ in rcols]])
    out["t3"] = [Block(head3, body3)]

    # 表四: 行政复议 | 行政诉讼（未经复议直接起诉 · 复议后起诉）, five columns each
    rows = _rows(layout, "t4")
    r, _, _, rcols = rows[0]
    tops: list[tuple[str, list[tuple[str, list[tuple[str, str]]]]]] = []
    for c, cl, g in rcols:
        parts = g.split("/")
        t, sub_g = parts[0], (parts[1] if len(parts) > 1 else "")
        if not tops or tops[-1][0] != t:
            tops.append((t, []))
        subs = tops[-1][1]
        if not subs or subs[-1][0] != sub_g:
            subs.append((sub_g, []))
        subs[-1][1].append((c, cl))
    row1 = [Th(t, colspan=sum(len(cs) for _, cs in subs)) for t, subs in tops]
    row2: list[Th] = []
    row3: list[Th] = []
    for _, subs in tops:
        for sub_g, cs in subs:
            if sub_g:
                row2.append(Th(sub_g, colspan=len(cs)))
                row3.extend(Th(cl) for _, cl in cs)
            else:
                row2.extend(Th(cl, rowspan=2) for _, cl in cs)
    out["t4"] = [Block([row1, row2, row3], [[cell("t4", r, c) for c, _, _ in rcols]])]
    for t, blocks in out.items():
        for i, b in enumerate(blocks):
            _link_headers(b, f"{t}b{i}")
    return out


Key = tuple[str, str, str]
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def operands(rule_id: str, table: str | None, row: str | None, col: str | None, layout: str) -> tuple[list[Key], list[Key]]:
    """The cells an arithmetic identity adds up for one finding (expected side, observed side), from the
    declaration gongkai/checks/identities.toml; ([], []) for rules that are not identities."""
    from gongkai.checks.identities import declared

    ident = next((i for i in declared().identities if i.rule_id == rule_id), None)
    if ident is None or layout not in template.LAYOUTS or not table:
        return [], []
    li = template.LAYOUTS.index(layout)
    suite = ident.suite
    for inst in ident.instances:
        exp, obs = inst.expected[li], inst.observed[li]
        if suite.over == "column":  # operands are rows of the finding's column
            if not col or (row and row not in exp + obs):
                continue
            return [(suite.table, k, col) for k in exp], [(suite.table, k, col) for k in obs]
        if not row or (col and col not in exp + obs):  # "row" / "report": operands are columns of the row
            continue
        return [(suite.table, row, k) for k in exp], [(suite.table, row, k) for k in obs]
    return [], []


def anchor(finding: dict[str, Any], layout: str) -> Key | None:
    """The printed cell a finding points at: its own keys when it names a cell, else (a whole column or row
    of an identity, e.g. T3_BALANCE) the first cell of the identity's observed side."""
    t, r, c = finding.get("table_id"), finding.get("row_key"), finding.get("col_key")
    if t and r and c:
        return (t, r, c)
    _, obs = operands(finding["rule_id"], t, r, c, layout)
    return obs[0] if obs else None


QUOTED = re.compile(r"正文称「(.+?)」，")


def marked_parts(text: str, findings: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    """A section's text split into (span, finding_id or None): the sentences TEXT_TABLE findings quote (their
    message's 正文称「…」) become marked spans. Plain string search on the raw text; the template escapes every
    span, so no HTML is ever built from report text."""
    parts: list[tuple[str, str | None]] = [(text, None)]
    for f in findings:
        if f.get("rule_id") != "TEXT_TABLE":
            continue
        m = QUOTED.search(f.get("message") or "")
        if not m:
            continue
        quote = m.group(1)
        out: list[tuple[str, str | None]] = []
        done = False
        for span, fid in parts:
            at = span.find(quote) if fid is None and not done else -1
            if at < 0:
                out.append((span, fid))
                continue
            done = True
            out += [(span[:at], None), (quote, str(f["finding_id"])), (span[at + len(quote):], None)]
        parts = [p for p in out if p[0]]
    return parts
