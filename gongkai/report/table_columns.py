"""A table's header rows → the col_key of each value column, by grid position counted from the right edge
(gongkai.report.table_layout).

A column is a value column only if its stacked header text matches a column label of the template.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

from gongkai.form import template
from gongkai.form.template import norm_label
from gongkai.parse.document import Table, TCell
from gongkai.report import table_layout


def _stacked_keys(header: Table, table_id: str, version: str) -> dict[int, str]:
    """Positional reading: right-edge position → col_key from the stacked header texts of each column.
    Exact where spans are known (HTML, DOCX) and where placeholders kept the geometry (Word dumps)."""
    stacked: dict[int, list[str]] = defaultdict(list)
    for row in header:
        for lo, hi, cell in table_layout.layout(row, table_id):
            text = norm_label(table_layout.label_text(cell))
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
