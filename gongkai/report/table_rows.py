"""Placing a table's data rows: each row's value cells → canonical keys (row_key, col_key) in `Mapped`,
under the column keys its header gave (gongkai.report.table_columns).

A row is a data row only if its label matches a row label of the template.

What cannot be placed with certainty is not guessed: a row with fewer cells than columns keeps its
printed values as one `text` cell per column and makes the report `partial`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from gongkai.form import template
from gongkai.parse.document import TCell
from gongkai.report import table_layout


@dataclass
class Mapped:
    """Printed raw text per (row_key, col_key) of one canonical table, plus what went wrong."""

    table_id: str
    raw: dict[tuple[str, str], str] = field(default_factory=dict)
    ambiguous: set[tuple[str, str]] = field(default_factory=set)
    unread: list[str] = field(default_factory=list)  # rows whose label was found without any value cell
    notes: list[str] = field(default_factory=list)
    mixed: bool = False  # 表三 of a 2021 report printing （六）其他处理 as the single 2019 row (table_mappers' module doc)


def _row_label(layout: list[tuple[int, int, TCell]], n_values: int) -> tuple[str, list[str]]:
    """The label nearest to the values (rightmost label cell) and all label texts, right to left."""
    texts = [c.text for lo, _, c in layout if lo >= n_values and not c.cont and c.text]
    return (texts[0] if texts else ""), texts


def _match_row(version: str, table_id: str, texts: list[str]) -> str | None:
    for t in texts:  # nearest label first: "（三）不予公开 | 1.属于国家秘密" → the sub-row
        key = template.match(version, table_id, "row", t)
        if key:
            return key
    return template.match(version, table_id, "row", "".join(reversed(texts))) if len(texts) > 1 else None


Plan = tuple[list[tuple[str, str]], list[bool]]


def place_row(m: Mapped, version: str, table_id: str, row: list[TCell], cols: dict[int, str],
              allowed: frozenset[tuple[str, str]], plans: dict[str, Plan] | None = None) -> bool:
    """Assign one data row's value cells to canonical keys. False if the row is not a data row.
    `plans`: plans(table_id, version, cols as items), with allowed = allowed(table_id, version) (the mappers'
    call): each row key's cell keys and which positions it may fill, worked out once per header (_plan)."""
    n = len(cols)
    layout = table_layout.layout(row, table_id)
    _, texts = _row_label(layout, n)
    row_key = _match_row(version, table_id, texts)
    if row_key is None:
        # A short row: its label sits inside the value columns (cells missing in the rendering).
        for lo, _, cell in layout:
            key = template.match(version, table_id, "row", table_layout.label_text(cell)) if lo < n and table_layout.label_text(cell) else None
            if key:
                values = [c.text for l2, _, c in layout if l2 < lo and c.text]
                if not values and version == "2021" and key == template.mixed_rows()[0]:
                    return False  # the （六） group heading on a line of its own, not the single row
                if not values:  # a label with no value cells at all: nothing was read, nothing is stored
                    if key not in m.unread:
                        m.unread.append(key)
                        m.notes.append(f"{template.TABLE_ZH[table_id]} row {cell.text!r}: no value cells beside "
                                       "the label; its cells are not read")
                    return True
                mark_ambiguous(m, key, cols, allowed, " ".join(reversed(values)),
                               f"{template.TABLE_ZH[table_id]} row {cell.text!r}: {lo} value cells for {n} columns; values kept as text")
                return True
        return False
    plan = None if plans is None else plans.get(row_key)
    if plan is None:
        plan = _plan(row_key, cols, allowed)
        if plans is not None:
            plans[row_key] = plan
    pairs, fills = plan
    raw = m.raw
    if not raw.keys().isdisjoint(pairs):  # a cell of this row already read
        m.notes.append(f"{template.TABLE_ZH[table_id]} row {texts[0]!r} printed twice; the first is kept")
        return True
    by_key: dict[str, TCell] = {}
    last = n - 1
    for lo, hi, cell in layout:
        if lo >= n:  # the label side (positions only grow from here)
            break
        for p in range(lo, (hi if hi < last else last) + 1):
            if not fills[p]:  # (row_key, cols[p]) not in allowed
                continue
            key = cols[p]
            first = by_key.get(key)
            if first is None:
                by_key[key] = cell
            elif first is not cell:
                m.ambiguous.add((row_key, key))
        if lo < n <= hi:  # a cell straddling label and value columns: the grid disagrees with itself
            m.notes.append(f"{template.TABLE_ZH[table_id]} row {texts[0]!r}: a cell spans label and value columns")
    for key, cell in by_key.items():
        raw[(row_key, key)] = "" if cell.cont else cell.text
    return True


@lru_cache(maxsize=16)
def allowed(table_id: str, version: str) -> frozenset[tuple[str, str]]:
    """The cells a table's mapper may fill: the template's of table_id in version, and for 表三 of 2021 also the
    single （六）其他处理 row's of the mixed layout. (A pure function of the template: 3 tables × 2 versions.)"""
    cells = set(template.keys(version, table_id))
    if table_id == "t3" and version == "2021":
        cells |= set(template.mixed_keys())
    return frozenset(cells)


@lru_cache(maxsize=256)
def plans(table_id: str, version: str, cols: tuple[tuple[int, str], ...]) -> dict[str, Plan]:
    """place_row's plans for one table and header (cols as items), filled as row keys come: a memo of the pure
    function _plan, shared by every table with this header (the allowed cells are those of table_id in version,
    as its mapper builds them). At most 256 headers, each holding at most its table's row keys (about 30)."""
    return {}


def _plan(row_key: str, cols: dict[int, str], allowed: frozenset[tuple[str, str]]) -> Plan:
    """For one row key under one header: its cell keys (row_key, col_key) in cols' order, and per position
    0…len(cols)-1 (cols' keys: column_keys numbers them from 0) whether the template has that cell."""
    return [(row_key, c) for c in cols.values()], [(row_key, cols[p]) in allowed for p in range(len(cols))]


def mark_ambiguous(m: Mapped, row_key: str, cols: dict[int, str], allowed: frozenset[tuple[str, str]], raw: str,
                   note: str) -> None:
    for key in dict.fromkeys(cols.values()):
        if (row_key, key) in allowed:
            m.raw[(row_key, key)] = raw
            m.ambiguous.add((row_key, key))
    m.notes.append(note)
