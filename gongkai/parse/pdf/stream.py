"""Aligned text: tables read from text positions alone (no rulings, or rulings that do not make a
grid; `parse_pdf(..., use_rulings=False)` forces it).

A table is a run of lines whose right part holds numbers, cut into parts at each line of column labels
(表二's sub-tables). Header words are split at visible gaps and rejoined over the same column of
numbers ("总   计", "结 果" spread over a cell). Value columns are the x-ranges of the header's leaf
labels (the words stacked over one column, read bottom-up; a word over two leaves is a group header,
placed over the columns that the template's group width, the cells beside it and its alignment —
centred, else flush left — allow; if more than one placement remains, or the header would name a
template column twice, the header is not used: only its group labels are kept, so the table is
recognised but no value is placed). Each number goes to the leaf column its box overlaps; a row whose
numbers do not fall one per column (run together, between two columns, two in one column) keeps its
numbers as one text cell, which the mapper stores as `text` (report `partial`). Label lines between
rows of numbers go to the nearest row (wrapped labels, numbers printed beside the first line of a
two-line label); the vertical group header's characters become label cells of their own that never
match a row label, so the row's own label still decides.

The kinds of lines and words are told in linetypes, the row labels in labels and the header over the value
columns in header; this module finds the tables and reads their rows.
"""

from __future__ import annotations

from bisect import bisect_right

from gongkai.form import template
from gongkai.parse.document import Table, TCell
from gongkai.parse.pdf.header import leaves as header_leaves
from gongkai.parse.pdf.header import merge_spread, stream_header
from gongkai.parse.pdf.labels import (
    ROW_START,
    assign_blocks,
    cluster_x_groups,
    is_row_label,
    label_blocks,
    label_side,
    label_text,
    rows_of,
)
from gongkai.parse.pdf.linetypes import is_header_line, is_heading, is_prose, is_value, is_value_row, names_column
from gongkai.parse.pdf.model import Line, join_pieces

# ------------------------------------------------------------------------------------ aligned text


def stream_tables(lines: list[Line], text_right: float) -> list[tuple[int, int, Table]]:
    """Tables of aligned text: (first line, last line, grid) for each run of rows of numbers."""
    out: list[tuple[int, int, Table]] = []
    n = len(lines)
    i = 0
    while i < n:
        if not is_value_row(lines[i]):
            i += 1
            continue
        end, j, gap = i, i + 1, 0
        while j < n and not is_heading(lines[j]) and not is_prose(lines[j], text_right):
            if is_value_row(lines[j]):
                end, gap = j, 0
            else:
                gap += 1
                if gap > 6:
                    break
            j += 1
        # the last row's label may wrap below its numbers (禁止公开 under 2.其他法律行政法规 at a page's foot)
        last_row, bottom = lines[end], lines[end].bottom
        while end + 1 < n and _continues_label(last_row, bottom, lines[end + 1]):
            end += 1
            bottom = max(bottom, lines[end].bottom)
        start = i
        floor = out[-1][1] + 1 if out else 0
        while (start - 1 >= floor and i - (start - 1) <= 14 and not is_heading(lines[start - 1])
               and not is_prose(lines[start - 1], text_right)):
            start -= 1
        grid = _stream_grid(lines[start : end + 1])
        if grid:
            out.append((start, end, grid))
        i = end + 1
    return out


def _voronoi(number_cols: list[tuple[float, float]], spans: list[tuple[float, float]]
             ) -> list[tuple[float, float]] | None:
    """Fewer columns of numbers than column labels (columns printed blank), the numbers not under
    their labels: each label owns the x-range half-way to its neighbours' middles; a column of numbers
    lying inside one label's range with 1.5 pt to spare on both sides belongs to it. The value spans per
    label (a label without numbers keeps its own extent), or None when a column of numbers is not
    clearly inside one range or two share one."""
    mids = [(a + b) / 2 for a, b in spans]
    cuts = [(mids[k] + mids[k + 1]) / 2 for k in range(len(mids) - 1)]
    out = list(spans)
    taken: set[int] = set()
    for a, b in number_cols:
        k = bisect_right(cuts, (a + b) / 2)
        lo = cuts[k - 1] if k > 0 else float("-inf")
        hi = cuts[k] if k < len(cuts) else float("inf")
        if k in taken or not (a >= lo + 1.5 and b <= hi - 1.5):
            return None
        taken.add(k)
        out[k] = (a, b)
    return out


def _continues_label(last: Line, bottom: float, nxt: Line) -> bool:
    """A short line of text just below a table's last row (`last`; the lines taken so far end at
    `bottom`), on the label side: a wrapped label (or the vertical header's last characters)."""
    words = nxt.words()
    value_x = min((w.x0 for w in last.words() if is_value(w.text)), default=None)
    return (value_x is not None and nxt.top - bottom <= 0.8 * nxt.size and nxt.x1 < value_x
            and len(nxt.glyphs) <= 20 and not any(is_value(w.text) for w in words)
            and not ROW_START.match(template.norm_label(words[0].text)) and not is_heading(nxt))


def _stream_grid(lines: list[Line]) -> Table:
    """Rows of one aligned-text table, cut into parts at each header line (表二's sub-tables)."""
    parts: list[tuple[list[Line], list[Line]]] = [([], [])]
    for line in lines:
        if is_header_line(line) and parts[-1][1] and any(is_value_row(x) for x in parts[-1][1]):
            parts.append(([], []))
        if not any(is_value_row(x) for x in parts[-1][1]) and not is_value_row(line):
            parts[-1][0].append(line)
        else:
            parts[-1][1].append(line)
    grid: Table = []
    for head, body in parts:
        if any(is_value_row(x) for x in body):
            grid.extend(_stream_part(head, body))
    return grid


def _stream_part(head: list[Line], body: list[Line]) -> Table:
    anchors = [line for line in body if is_value_row(line)]
    value_cols = cluster_x_groups([w for line in anchors for w in line.words() if is_value(w.text)])
    value_ranges = [(min(w.x0 for w in c), max(w.x1 for w in c)) for c in value_cols if len(c) >= 2]
    label_right = max((w.x1 for line in anchors for w in label_side(line.words(), value_ranges)), default=0.0)
    # no column label above the numbers (a table continued on the next page without its header): the
    # lines above the first row of numbers are the first rows' wrapped labels, not a header
    if not any(names_column(w.text) for line in head for w in line.words()):
        body, head = head + body, []
    # the first line of the first row's label, printed above its numbers (centred on a wrapped label),
    # belongs to the body, not the header
    lead_in = [line for line in head if line.top >= anchors[0].top - 2.5 * line.size
               and line.words()[0].x0 < label_right - 1 and ROW_START.match(template.norm_label(line.words()[0].text))]
    # … and a numbered label in the label-side lines that end the header (a long label wrapped over
    # several lines above its numbers, under a header repeated on the next page)
    tail: list[Line] = []
    for line in reversed(head):
        if any(w.x0 >= label_right - 1 for w in line.words()):
            break
        tail.append(line)
    lead_in += [line for line in tail if ROW_START.match(template.norm_label(line.words()[0].text))
                and not names_column(line.text)]
    if lead_in:  # with the lines below it (its wrapped lines)
        first = min(line.top for line in lead_in)
        moved = [line for line in head if line.top >= first - 0.5]
        head = [line for line in head if line.top < first - 0.5]
        body = moved + body
    # 信息内容 heads 表二's label column: the label side reaches its right end
    label_right = max([label_right] + [w.x1 + 1 for line in head for w in line.words()
                                       if template.norm_label(w.text) == "信息内容"])
    numbers = [w for line in anchors for w in line.words() if is_value(w.text) and w.x0 >= label_right - 1]
    columns = [(min(w.x0 for w in c), max(w.x1 for w in c)) for c in cluster_x_groups(numbers)]
    hwords = [w for line in head for w in merge_spread(line.words(), columns, label_right)]
    leaves = header_leaves([w for w in hwords if w.x0 >= label_right - 1])
    spans = sorted((min(w.x0 for w in leaf), max(w.x1 for w in leaf)) for leaf in leaves)
    number_cols = sorted((min(w.x0 for w in c), max(w.x1 for w in c)) for c in cluster_x_groups(numbers))
    value_spans = spans
    if spans and any(sum(_overlap(s, w) > 0 for s in spans) != 1 for w in numbers):
        # numbers not under their labels (left-aligned numbers, centred labels): each column of numbers
        # takes the leaf label of its rank when there are as many of both and each column of numbers
        # lies between the labels beside its own
        if len(number_cols) == len(spans) and all(
                (k == 0 or spans[k - 1][1] < (a + b) / 2) and (k + 1 == len(spans) or (a + b) / 2 < spans[k + 1][0])
                for k, (a, b) in enumerate(number_cols)):
            value_spans = number_cols
        elif len(number_cols) < len(spans) and (placed_cols := _voronoi(number_cols, spans)) is not None:
            value_spans = placed_cols  # columns printed blank: each column of numbers in its label's share
        else:
            spans = []
    if not spans:
        # no header over the numbers (a continuation), or one that does not describe them
        spans = value_spans = number_cols
        leaves = []
    ncols = len(spans)
    bounds = [(spans[k][1] + spans[k + 1][0]) / 2 for k in range(ncols - 1)]
    rows: list[tuple[float, list[TCell]]] = []
    header = stream_header(hwords, spans, bounds, label_right) if leaves else None
    # label-side header text sits left of the value columns. A header that could not be read keeps
    # only its group labels (行政复议, 申请人情况…): the table is still recognised, but no column is
    # named, so the mapper places no value (the cells stay blank and the report is partial). A data-row
    # label caught in the header band (its numbers read as a row of their own) gets no value cells:
    # blank ones would say "printed blank" where numbers were printed; the mapper reports it unread
    header_rows = list(header or [])
    for r in rows_of([w for w in hwords if w.x0 < label_right - 1]):
        label = label_text(r)
        beside = [k for k, (top, _) in enumerate(header_rows) if abs(top - r[0].top) <= 0.5 * r[0].size]
        if len(beside) == 1 and not is_row_label(label):  # 信息内容 on the line of the column labels
            top, cells = header_rows[beside[0]]
            header_rows[beside[0]] = (top, [TCell(label, 1)] + cells)
            continue
        blanks = [] if is_row_label(label) else [TCell("", 1) for _ in range(ncols)]
        rows.append((r[0].top, [TCell(label, 1)] + blanks))
    if header is None:
        for r in rows_of([w for w in hwords if w.x0 >= label_right - 1]):
            groups = [TCell(w.text, None) for w in r
                      if template.group_span("t3", w.text) or template.group_span("t4", w.text)]
            if groups:
                rows.append((r[0].top, groups))
    for top, cells in header_rows:
        rows.append((top, cells))
    # label text is cut into label cells (blocks: a label and its wrapped lines), each block goes to
    # the row of numbers it lies beside; a block beside no row is a row of its own (第二十条第（五）项)
    anchor_ids = {id(a) for a in anchors}
    label_words = [w for line in body for w in line.words() if w.x0 < label_right - 1]
    # what is printed right of the labels on a line of its own (a row's numbers split over two text
    # lines, a text cell set at another height) joins the nearest row
    strays: dict[int, list[Line]] = {}
    centres = [(a.top + a.bottom) / 2 for a in anchors]
    for line in body:
        if id(line) in anchor_ids:
            continue
        for w in line.words():
            if w.x0 < label_right - 1:
                continue
            cy = (w.top + w.bottom) / 2
            k = min(range(len(anchors)), key=lambda k: abs(centres[k] - cy))
            # a number, or a text cell (详见 / 附件) beside the row at another height; other text right
            # of the labels (a 第二十条 item centred over the table) is a label of its own
            if is_value(w.text) or (abs(centres[k] - cy) <= 1.2 * w.size and not ROW_START.match(template.norm_label(w.text))):
                strays.setdefault(k, []).append(w)
            else:
                label_words.append(w)
    given = assign_blocks(label_blocks(label_words), anchors)
    for block in given.pop(0, []):
        rows.append((min(w.top for w in block), [TCell(label_text(block), 1)]))
    for k, anchor in enumerate(anchors, start=1):
        # what the row prints right of its label: numbers, dashes and text cells (未统计) alike
        values, joined = _stack_text([w for w in anchor.words() if w.x0 >= label_right - 1] + strays.get(k - 1, []))
        blocks = sorted(given.get(k, []), key=lambda b: min(w.x0 for w in b))
        row = [TCell(label_text(block), 1) for block in blocks]
        placed: dict[int, Line] = {}
        for w in values:
            hit = [k for k, s in enumerate(value_spans) if _overlap(s, w) > 0]
            if len(hit) != 1 or hit[0] in placed:
                placed = {}
                break
            placed[hit[0]] = w
        if placed or not values:
            row += [TCell(joined.get(id(placed[k]), placed[k].text) if k in placed else "", 1) for k in range(ncols)]
        # else: numbers that cannot be told apart (two in one column, one between two): the row keeps
        # its label and no value cell, so the mapper stores its cells unread (our misread), never as
        # text or under a guessed column
        rows.append((anchor.top, row))
    rows.sort(key=lambda r: r[0])
    out = [r for _, r in rows]
    # a last check: a cell holding several numbers means lines of the table were read as one (header
    # and rows mixed up); the part's rows then keep only their labels (cells unread, never text)
    if any(len(toks := c.text.split()) > 1 and all(is_value(t) for t in toks) for r in out for c in r):
        out = [[c for c in r if c.text and not is_value(c.text) and len(c.text.split()) <= 1
                or (c.text and not all(is_value(t) for t in c.text.split()))] for r in out]
        out = [r for r in out if r]
    return out


def _stack_text(words: list[Line]) -> tuple[list[Line], dict[int, str]]:
    """Words of text (not numbers) stacked one above the other over the same x-range join into one
    (a text cell wrapped in its cell: 详见 / 附件); returns the words and the joined texts by id."""
    out: list[Line] = []
    texts: dict[int, str] = {}
    for w in sorted(words, key=lambda w: w.top):
        k = next((k for k, p in enumerate(out) if not is_value(p.text) and not is_value(w.text)
                  and min(p.x1, w.x1) - max(p.x0, w.x0) > 0 and w.top - p.bottom <= 0.8 * w.size), None)
        if k is None:
            out.append(w)
            continue
        prev = out[k]
        joined = Line(prev.glyphs + w.glyphs)
        texts[id(joined)] = join_pieces([texts.get(id(prev), prev.text), w.text])
        out[k] = joined
    return out, texts


def _overlap(span: tuple[float, float], w: Line) -> float:
    return min(span[1], w.x1) - max(span[0], w.x0)
