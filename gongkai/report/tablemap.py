"""Table grids → canonical cells, by row label and column header — never by counting numbers.

Every rendering hands over rows of `TCell`s. Columns are located from the right edge: a report
table's value columns are its rightmost ones, so laying each row out right-to-left (honouring
`span`, or the template's header-group widths where a rendering lost them) puts every value under
its header whatever happened on the label side (merged label columns, a rowspan that overruns, Word
placeholders). A column is a value column only if its stacked header text matches a column label of
the template; a row is a data row only if its label matches a row label of the template.

What cannot be placed with certainty is not guessed: a row with fewer cells than columns keeps its
printed values as one `text` cell per column and makes the report `partial`.

The mixed layout seen in real files (洪泽 2023/2024): 2021 labels, but 表三 （六）其他处理 printed as the
single 2019 row instead of its three sub-rows 1./2./3. When none of the sub-rows is printed, the single
row's cells are kept under its 2019 key `y2019_other_processing` and the table is marked `mixed`
(structure.assemble stores the sub-rows as not printed); when a sub-row is printed, a （六）其他处理 row
is their group heading and is not stored.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from gongkai.form import template
from gongkai.form.cells import classify
from gongkai.form.template import norm_label
from gongkai.parse.document import Table, TCell

T2_ONLY_2021 = {"issued", "repealed", "in_force", "amount"}


@dataclass
class Mapped:
    """Printed raw text per (row_key, col_key) of one canonical table, plus what went wrong."""

    table_id: str
    raw: dict[tuple[str, str], str] = field(default_factory=dict)
    ambiguous: set[tuple[str, str]] = field(default_factory=set)
    unread: list[str] = field(default_factory=list)  # rows whose label was found without any value cell
    notes: list[str] = field(default_factory=list)
    mixed: bool = False  # 表三 of a 2021 report printing （六）其他处理 as the single 2019 row (module doc)


def _label_text(cell: TCell) -> str:
    return "" if cell.cont else cell.text


def _is_value(text: str) -> bool:
    return classify(text)[0] in ("number", "dash")


def _layout(row: list[TCell], table_id: str) -> list[tuple[int, int, TCell]]:
    """(first, last) grid position counted from the right edge (0 = rightmost) for each cell."""
    out, p = [], 0
    for cell in reversed(row):
        span = cell.span or (template.group_span(table_id, cell.text) if cell.text else None) or 1
        q = p + span
        out.append((p, q - 1, cell))
        p = q
    return out


def _stacked_keys(header: Table, table_id: str, version: str) -> dict[int, str]:
    """Positional reading: right-edge position → col_key from the stacked header texts of each column.
    Exact where spans are known (HTML, DOCX) and where placeholders kept the geometry (Word dumps)."""
    stacked: dict[int, list[str]] = defaultdict(list)
    for row in header:
        for lo, hi, cell in _layout(row, table_id):
            text = norm_label(_label_text(cell))
            if text:
                for p in range(lo, hi + 1):
                    if not stacked[p] or stacked[p][-1] != text:
                        stacked[p].append(text)
    keys: dict[int, str] = {}
    p = 0
    while stacked.get(p):
        key = template.match(version, table_id, "col", "/".join(stacked[p]))
        if key is None:
            break
        keys[p] = key
        p += 1
    return keys


def _expanded_keys(header: Table, table_id: str, version: str) -> dict[int, str]:
    """Nesting reading for renderings that lost geometry (cells separated by spaces): each header
    group (法人或其他组织, 行政诉讼 …) takes, in order, the next row's labels that fill its width."""
    paths: list[str] | None = None
    for row in header:
        labels = [norm_label(c.text) for c in row if c.text and not c.cont]
        labels = [t for t in labels if template.match(version, table_id, "col", t) or template.group_span(table_id, t)]
        if not labels:
            continue
        if paths is None:
            paths = labels
            continue
        out, queue = [], list(labels)
        for path in paths:
            width = template.group_span(table_id, path.rsplit("/", 1)[-1])
            if not width:
                out.append(path)
                continue
            while width > 0 and queue:
                child = queue.pop(0)
                width -= template.group_span(table_id, child) or 1
                out.append(f"{path}/{child}")
            if width != 0:
                return {}
        if queue:
            return {}
        paths = out
    matched = [template.match(version, table_id, "col", p) for p in paths or []]
    keys = [k for k in matched if k is not None]
    if not keys or len(keys) < len(matched):  # a header path that names no column: no reading
        return {}
    return {i: k for i, k in enumerate(reversed(keys))}


def column_keys(header: Table, table_id: str, version: str) -> dict[int, str]:
    """Right-edge position → col_key. The positional reading wins unless it names fewer columns.
    (Read once per distinct header: the result depends only on its cells' text, span and cont.)"""
    shape = tuple(tuple((c.text, c.span, c.cont) for c in row) for row in header)
    return dict(_column_keys(shape, table_id, version))


@lru_cache(maxsize=1 << 12)
def _column_keys(shape: tuple[tuple[tuple[str, int | None, bool], ...], ...], table_id: str,
                 version: str) -> tuple[tuple[int, str], ...]:
    """column_keys of a header given as (text, span, cont) per cell. Cached: at most 4,096 headers (a few
    dozen cells each); a report's header is printed as the template prints it, so headers repeat."""
    header = [[TCell(text, span, cont) for text, span, cont in row] for row in shape]
    return tuple(_read_column_keys(header, table_id, version).items())


def _read_column_keys(header: Table, table_id: str, version: str) -> dict[int, str]:
    stacked = _stacked_keys(header, table_id, version)
    if len(set(stacked.values())) >= len(template.col_keys(version, table_id)) or table_id == "t2":
        return stacked
    expanded = _expanded_keys(header, table_id, version)
    return expanded if len(set(expanded.values())) > len(set(stacked.values())) else stacked


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


_Plan = tuple[list[tuple[str, str]], list[bool]]


def _place_row(m: Mapped, version: str, table_id: str, row: list[TCell], cols: dict[int, str],
               allowed: frozenset[tuple[str, str]], plans: dict[str, _Plan] | None = None) -> bool:
    """Assign one data row's value cells to canonical keys. False if the row is not a data row.
    `plans`: _plans(table_id, version, cols as items), with allowed = _allowed(table_id, version) (the mappers'
    call): each row key's cell keys and which positions it may fill, worked out once per header (_plan)."""
    n = len(cols)
    layout = _layout(row, table_id)
    _, texts = _row_label(layout, n)
    row_key = _match_row(version, table_id, texts)
    if row_key is None:
        # A short row: its label sits inside the value columns (cells missing in the rendering).
        for lo, _, cell in layout:
            key = template.match(version, table_id, "row", _label_text(cell)) if lo < n and _label_text(cell) else None
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
                _mark_ambiguous(m, key, cols, allowed, " ".join(reversed(values)),
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
def _allowed(table_id: str, version: str) -> frozenset[tuple[str, str]]:
    """The cells a table's mapper may fill: the template's of table_id in version, and for 表三 of 2021 also the
    single （六）其他处理 row's of the mixed layout. (A pure function of the template: 3 tables × 2 versions.)"""
    cells = set(template.keys(version, table_id))
    if table_id == "t3" and version == "2021":
        cells |= set(template.mixed_keys())
    return frozenset(cells)


@lru_cache(maxsize=256)
def _plans(table_id: str, version: str, cols: tuple[tuple[int, str], ...]) -> dict[str, _Plan]:
    """_place_row's plans for one table and header (cols as items), filled as row keys come: a memo of the pure
    function _plan, shared by every table with this header (the allowed cells are those of table_id in version,
    as its mapper builds them). At most 256 headers, each holding at most its table's row keys (about 30)."""
    return {}


def _plan(row_key: str, cols: dict[int, str], allowed: frozenset[tuple[str, str]]) -> _Plan:
    """For one row key under one header: its cell keys (row_key, col_key) in cols' order, and per position
    0…len(cols)-1 (cols' keys: column_keys numbers them from 0) whether the template has that cell."""
    return [(row_key, c) for c in cols.values()], [(row_key, cols[p]) in allowed for p in range(len(cols))]


def _mark_ambiguous(m: Mapped, row_key: str, cols: dict[int, str], allowed: frozenset[tuple[str, str]], raw: str,
                    note: str) -> None:
    for key in dict.fromkeys(cols.values()):
        if (row_key, key) in allowed:
            m.raw[(row_key, key)] = raw
            m.ambiguous.add((row_key, key))
    m.notes.append(note)


def _map_t2(rows: Table, version: str) -> Mapped:
    m = Mapped("t2")
    allowed = _allowed("t2", version)
    cols: dict[int, str] = {}
    plans: dict[str, _Plan] = {}  # _place_row's, for the current header
    for row in rows:
        texts = [c.text for c in row if c.text]
        if not texts:
            continue
        if any(norm_label(t) == "信息内容" for t in texts) or (
            all(not _is_value(t) for t in texts) and template.match(version, "t2", "col", texts[-1])
        ):
            cols = column_keys([row], "t2", version)
            plans = _plans("t2", version, tuple(cols.items()))
            continue
        if cols:
            _place_row(m, version, "t2", row, cols, allowed, plans)
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
    allowed = _allowed("t3", version)
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
    plans = _plans("t3", version, tuple(cols.items()))
    for row in rows[first_data:]:
        if any(c.text for c in row):
            _place_row(m, version, "t3", row, cols, allowed, plans)
    if version == "2021":
        _other_processing(m)
    return m


def _map_t4(rows: Table, version: str) -> Mapped:
    m = Mapped("t4")
    allowed = _allowed("t4", version)
    data = next((i for i, row in enumerate(rows) if row and all(_is_value(c.text) or not c.text for c in row)
                 and any(_is_value(c.text) for c in row)), None)
    if data is None:
        m.notes.append("表四: no row of numbers found")
        return m
    cols = column_keys(rows[:data], "t4", version)
    if len(cols) < 15:
        m.notes.append(f"表四: header names {len(cols)} of 15 columns")
    row = rows[data]
    layout = _layout(row, "t4")
    if layout and layout[-1][1] + 1 < len(cols):
        _mark_ambiguous(m, "cases", cols, allowed, " ".join(c.text for c in row),
                        f"表四: {layout[-1][1] + 1} cells for {len(cols)} columns; values kept as text")
        return m
    for lo, hi, cell in layout:
        for p in range(lo, min(hi, len(cols) - 1) + 1):
            m.raw.setdefault(("cases", cols[p]), cell.text)
    return m


MAPPERS = {"t2": _map_t2, "t3": _map_t3, "t4": _map_t4}


@lru_cache(maxsize=1 << 12)
def _label_votes(text: str) -> tuple[tuple[str, ...], tuple[str, ...], bool] | None:
    """What one printed label says of its table (classify_table): the 表三 and 表二 row keys it matches (in
    either version; "header" for a 表二 header), whether it is a 表四 group label. None for a value cell.
    (Cached: a pure function of the text, and labels repeat across reports.)"""
    if _is_value(text):
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
            if not c.text or _is_value(c.text):
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
