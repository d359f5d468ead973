"""Mapping one canonical table's grid (表二, 表三, 表四) to its cells: where its header rows are (their
column keys: gongkai.report.table_columns) and which rows hold its data (placed by gongkai.report.table_rows).

The mixed layout seen in real files (洪泽 2023/2024): 2021 labels, but 表三 （六）其他处理 printed as the
single 2019 row instead of its three sub-rows 1./2./3. When none of the sub-rows is printed, the single
row's cells are kept under its 2019 key `y2019_other_processing` and the table is marked `mixed`
(structure.assemble stores the sub-rows as not printed); when a sub-row is printed, a （六）其他处理 row
is their group heading and is not stored.
"""

from __future__ import annotations

from gongkai.form import template
from gongkai.form.template import norm_label
from gongkai.parse.document import Table
from gongkai.report import table_layout, table_rows
from gongkai.report.table_columns import column_keys
from gongkai.report.table_rows import Mapped


def _map_t2(rows: Table, version: str) -> Mapped:
    m = Mapped("t2")
    allowed = table_rows.allowed("t2", version)
    cols: dict[int, str] = {}
    plans: dict[str, table_rows.Plan] = {}  # place_row's, for the current header
    for row in rows:
        texts = [c.text for c in row if c.text]
        if not texts:
            continue
        if any(norm_label(t) == "信息内容" for t in texts) or (
            all(not table_layout.is_value(t) for t in texts) and template.match(version, "t2", "col", texts[-1])
        ):
            cols = column_keys([row], "t2", version)
            plans = table_rows.plans("t2", version, tuple(cols.items()))
            continue
        if cols:
            table_rows.place_row(m, version, "t2", row, cols, allowed, plans)
    return m


def _other_processing(m: Mapped) -> None:
    """2021 表三: the single （六）其他处理 row is the mixed layout when no sub-row is printed, else the
    sub-rows' group heading (not stored; a note if it carried values)."""
    single, subs = template.mixed_rows()
    found = [k for k in m.raw if k[0] == single]
    if not found:
        return
    if any(r in subs for r, _ in m.raw):
        if any(m.raw[k].strip() for k in found):
            m.notes.append("表三: row （六）其他处理 printed with values above its sub-rows 1./2./3.; "
                           "the sub-rows are kept, its own values are not stored")
        for k in found:
            del m.raw[k]
            m.ambiguous.discard(k)
    else:
        m.mixed = True


def _map_t3(rows: Table, version: str) -> Mapped:
    m = Mapped("t3")
    allowed = table_rows.allowed("t3", version)
    first_data = next(
        (i for i, row in enumerate(rows) if any(template.match(version, "t3", "row", c.text) for c in row if c.text and not c.cont)),
        None,
    )
    if first_data is None:
        m.notes.append("表三: no row label of the national format found")
        return m
    cols = column_keys(rows[:first_data], "t3", version)
    if len(set(cols.values())) < len(template.col_keys(version, "t3")):
        m.notes.append(f"表三: header names {len(set(cols.values()))} of 7 columns")
    if not cols:
        return m
    plans = table_rows.plans("t3", version, tuple(cols.items()))
    for row in rows[first_data:]:
        if any(c.text for c in row):
            table_rows.place_row(m, version, "t3", row, cols, allowed, plans)
    if version == "2021":
        _other_processing(m)
    return m


def _map_t4(rows: Table, version: str) -> Mapped:
    m = Mapped("t4")
    allowed = table_rows.allowed("t4", version)
    data = next((i for i, row in enumerate(rows) if row and all(table_layout.is_value(c.text) or not c.text for c in row)
                 and any(table_layout.is_value(c.text) for c in row)), None)
    if data is None:
        m.notes.append("表四: no row of numbers found")
        return m
    cols = column_keys(rows[:data], "t4", version)
    if len(cols) < 15:
        m.notes.append(f"表四: header names {len(cols)} of 15 columns")
    row = rows[data]
    layout = table_layout.layout(row, "t4")
    if layout and layout[-1][1] + 1 < len(cols):
        table_rows.mark_ambiguous(m, "cases", cols, allowed, " ".join(c.text for c in row),
                                  f"表四: {layout[-1][1] + 1} cells for {len(cols)} columns; values kept as text")
        return m
    for lo, hi, cell in layout:
        for p in range(lo, min(hi, len(cols) - 1) + 1):
            m.raw.setdefault(("cases", cols[p]), cell.text)
    return m


MAPPERS = {"t2": _map_t2, "t3": _map_t3, "t4": _map_t4}
