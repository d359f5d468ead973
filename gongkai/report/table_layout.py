"""A printed table row's cells as the table mapping reads them (gongkai.report.tablemap): their grid
positions counted from the right edge, label text and value cells.

Every rendering hands over rows of `TCell`s. Columns are located from the right edge: a report
table's value columns are its rightmost ones, so laying each row out right-to-left (honouring
`span`, or the template's header-group widths where a rendering lost them) puts every value under
its header whatever happened on the label side (merged label columns, a rowspan that overruns, Word
placeholders).
"""

from __future__ import annotations

from gongkai.form import template
from gongkai.form.cells import classify
from gongkai.parse.document import TCell


def label_text(cell: TCell) -> str:
    return "" if cell.cont else cell.text


def is_value(text: str) -> bool:
    return classify(text)[0] in ("number", "dash")


def layout(row: list[TCell], table_id: str) -> list[tuple[int, int, TCell]]:
    """(first, last) grid position counted from the right edge (0 = rightmost) for each cell."""
    out, p = [], 0
    for cell in reversed(row):
        span = cell.span or (template.group_span(table_id, cell.text) if cell.text else None) or 1
        q = p + span
        out.append((p, q - 1, cell))
        p = q
    return out
