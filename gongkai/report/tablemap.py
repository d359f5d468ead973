"""Table grids → canonical cells, by row label and column header — never by counting numbers.

This module classifies each grid (表二, 表三, 表四 or none), joins a table's continuation grids, detects
the format version and maps every table (map_tables). The parts:

    table_layout   a printed row's cells: grid positions from the right edge, label text, value cells
    table_columns  header rows → the col_key of each value column
    table_rows     a data row's value cells → (row_key, col_key) in `Mapped`
    table_mappers  one table's grid → `Mapped` (表二, 表三 with the mixed layout, 表四)
"""

from __future__ import annotations

from functools import lru_cache

from gongkai.form import template
from gongkai.form.template import norm_label
from gongkai.parse.document import Table
from gongkai.report import table_layout
from gongkai.report.table_mappers import MAPPERS
from gongkai.report.table_rows import Mapped

T2_ONLY_2021 = {"issued", "repealed", "in_force", "amount"}


@lru_cache(maxsize=1 << 12)
def _label_votes(text: str) -> tuple[tuple[str, ...], tuple[str, ...], bool] | None:
    """What one printed label says of its table (classify_table): the 表三 and 表二 row keys it matches (in
    either version; "header" for a 表二 header), whether it is a 表四 group label. None for a value cell.
    (Cached: a pure function of the text, and labels repeat across reports.)"""
    if table_layout.is_value(text):
        return None
    t3: list[str] = []
    t2: list[str] = []
    for v in template.VERSIONS:
        k = template.match(v, "t3", "row", text)
        if k:
            t3.append(k)
        k = template.match(v, "t2", "row", text)
        if k:
            t2.append(k)
    n = norm_label(text)
    if "第二十条" in n or n == "信息内容":
        t2.append("header")
    return tuple(t3), tuple(t2), n in ("行政复议", "行政诉讼", "复议后起诉", "未经复议直接起诉")


def classify_table(rows: Table) -> str | None:
    """Which canonical table a grid holds, by its labels (a page-metadata table gets None)."""
    t3_rows: set[str] = set()
    t2_rows: set[str] = set()
    t4_hits = 0
    for row in rows:
        for c in row:
            if not c.text or c.cont:
                continue
            votes = _label_votes(c.text)
            if votes is None:
                continue
            t3_keys, t2_keys, t4_hit = votes
            t3_rows.update(t3_keys)
            t2_rows.update(t2_keys)
            t4_hits += t4_hit
    if len(t3_rows) >= 3:
        return "t3"
    if t4_hits >= 2:
        return "t4"
    if len(t2_rows) >= 2 or ("header" in t2_rows and t2_rows):
        return "t2"
    return None


def detect_version(tables: dict[str, Table]) -> str:
    """'2021' or '2019' from 表二's headers (they differ), else from 表三's （六） rows; 'unknown'."""
    votes = {"2021": 0, "2019": 0}
    for row in tables.get("t2", []):
        for c in row:
            if not c.text or table_layout.is_value(c.text):
                continue
            k19 = template.match("2019", "t2", "col", c.text) or template.match("2019", "t2", "row", c.text)
            k21 = template.match("2021", "t2", "col", c.text)
            votes["2019"] += bool(k19 and k19.startswith("y2019"))
            votes["2021"] += k21 in T2_ONLY_2021
    if votes["2019"] != votes["2021"]:
        return max(votes, key=votes.__getitem__)
    t3 = tables.get("t3", [])
    texts = [c.text for row in t3 for c in row if c.text]
    if any(template.match("2021", "t3", "row", t) in ("other_no_correction", "other_no_fee") for t in texts):
        return "2021"
    if any(template.match("2019", "t3", "row", t) == "y2019_other_processing" for t in texts):
        return "2019"
    return "unknown"


def map_tables(grids: list[Table]) -> tuple[str, dict[str, Mapped], list[str]]:
    """Classify, join continuation grids of the same table, detect the version and map every table."""
    joined: dict[str, Table] = {}
    notes: list[str] = []
    for grid in grids:
        tid = classify_table(grid)
        if tid:
            joined.setdefault(tid, []).extend(grid)
    version = detect_version(joined)
    use = version if version != "unknown" else "2021"
    mapped = {tid: MAPPERS[tid](rows, use) for tid, rows in joined.items()}
    return version, mapped, notes
