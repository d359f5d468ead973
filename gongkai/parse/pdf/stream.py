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
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from statistics import median

from gongkai.form import template
from gongkai.form.cells import DASHES, classify
from gongkai.form.headings import heading_no
from gongkai.parse.document import Table, TCell
from gongkai.parse.pdf.model import Line, glyph_text, join_pieces

# ------------------------------------------------------------------------------------ aligned text


def _is_value(text: str) -> bool:
    return classify(text)[0] in ("number", "dash")


def _is_heading(line: Line) -> bool:
    return heading_no(line.text) is not None


def _is_prose(line: Line, text_right: float) -> bool:
    """A line of running text: long, reaching the right margin, with no wide gaps."""
    if len(line.glyphs) < 18:
        return False
    if not (len(line.words(gap=1.5)) <= 2 and line.x1 >= text_right - 2 * line.size):
        return False
    # the 表三 note beside 自然人 … 总计 reaches the margin too: a line that names a column is no prose
    return not any(_names_column(w.text) for w in line.words())


# the characters a printed number or dash can end with (cells.classify: digits, units, dash marks)
_VALUE_END = frozenset("0123456789.件个条项次元") | {d[-1] for d in DASHES} | frozenset("-—–−_/\\")


def _is_value_row(line: Line) -> bool:
    """Numbers at the right end of the line, apart from the text: several, or one after a row label."""
    if unicodedata.normalize("NFKC", line.glyphs[-1].ch)[-1:] not in _VALUE_END:
        return False  # (quick: the line's last word cannot be a value)
    words = line.words()
    if not words or not _is_value(words[-1].text):
        return False
    vals = sum(1 for w in words if _is_value(w.text))
    if vals >= 2:
        return len(words) - vals <= 3
    return len(words) >= 2 and template.is_label(words[0].text) and "。" not in line.text and len(line.glyphs) <= 40


def _is_header_line(line: Line) -> bool:
    """A line of column labels (信息内容 / 本年制发件数 … / 自然人 …) without numbers."""
    words = line.words()
    if any(_is_value(w.text) for w in words):
        return False
    hits = 0
    for w in words:
        t = template.norm_label(w.text)
        if t == "信息内容" or template.group_span("t3", t) or template.group_span("t4", t):
            return True
        hits += any(template.match(v, tid, "col", t) for v in template.VERSIONS for tid in template.TABLES)
    return hits >= 1 and len(words) >= 2


def stream_tables(lines: list[Line], text_right: float) -> list[tuple[int, int, Table]]:
    """Tables of aligned text: (first line, last line, grid) for each run of rows of numbers."""
    out: list[tuple[int, int, Table]] = []
    n = len(lines)
    i = 0
    while i < n:
        if not _is_value_row(lines[i]):
            i += 1
            continue
        end, j, gap = i, i + 1, 0
        while j < n and not _is_heading(lines[j]) and not _is_prose(lines[j], text_right):
            if _is_value_row(lines[j]):
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
        while (start - 1 >= floor and i - (start - 1) <= 14 and not _is_heading(lines[start - 1])
               and not _is_prose(lines[start - 1], text_right)):
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
    value_x = min((w.x0 for w in last.words() if _is_value(w.text)), default=None)
    return (value_x is not None and nxt.top - bottom <= 0.8 * nxt.size and nxt.x1 < value_x
            and len(nxt.glyphs) <= 20 and not any(_is_value(w.text) for w in words)
            and not _ROW_START.match(template.norm_label(words[0].text)) and not _is_heading(nxt))


def _stream_grid(lines: list[Line]) -> Table:
    """Rows of one aligned-text table, cut into parts at each header line (表二's sub-tables)."""
    parts: list[tuple[list[Line], list[Line]]] = [([], [])]
    for line in lines:
        if _is_header_line(line) and parts[-1][1] and any(_is_value_row(x) for x in parts[-1][1]):
            parts.append(([], []))
        if not any(_is_value_row(x) for x in parts[-1][1]) and not _is_value_row(line):
            parts[-1][0].append(line)
        else:
            parts[-1][1].append(line)
    grid: Table = []
    for head, body in parts:
        if any(_is_value_row(x) for x in body):
            grid.extend(_stream_part(head, body))
    return grid


def _stream_part(head: list[Line], body: list[Line]) -> Table:
    anchors = [line for line in body if _is_value_row(line)]
    value_cols = _cluster_x_groups([w for line in anchors for w in line.words() if _is_value(w.text)])
    value_ranges = [(min(w.x0 for w in c), max(w.x1 for w in c)) for c in value_cols if len(c) >= 2]
    label_right = max((w.x1 for line in anchors for w in _label_side(line.words(), value_ranges)), default=0.0)
    # no column label above the numbers (a table continued on the next page without its header): the
    # lines above the first row of numbers are the first rows' wrapped labels, not a header
    if not any(_names_column(w.text) for line in head for w in line.words()):
        body, head = head + body, []
    # the first line of the first row's label, printed above its numbers (centred on a wrapped label),
    # belongs to the body, not the header
    lead_in = [line for line in head if line.top >= anchors[0].top - 2.5 * line.size
               and line.words()[0].x0 < label_right - 1 and _ROW_START.match(template.norm_label(line.words()[0].text))]
    # … and a numbered label in the label-side lines that end the header (a long label wrapped over
    # several lines above its numbers, under a header repeated on the next page)
    tail: list[Line] = []
    for line in reversed(head):
        if any(w.x0 >= label_right - 1 for w in line.words()):
            break
        tail.append(line)
    lead_in += [line for line in tail if _ROW_START.match(template.norm_label(line.words()[0].text))
                and not _names_column(line.text)]
    if lead_in:  # with the lines below it (its wrapped lines)
        first = min(line.top for line in lead_in)
        moved = [line for line in head if line.top >= first - 0.5]
        head = [line for line in head if line.top < first - 0.5]
        body = moved + body
    # 信息内容 heads 表二's label column: the label side reaches its right end
    label_right = max([label_right] + [w.x1 + 1 for line in head for w in line.words()
                                       if template.norm_label(w.text) == "信息内容"])
    numbers = [w for line in anchors for w in line.words() if _is_value(w.text) and w.x0 >= label_right - 1]
    columns = [(min(w.x0 for w in c), max(w.x1 for w in c)) for c in _cluster_x_groups(numbers)]
    hwords = [w for line in head for w in _merge_spread(line.words(), columns, label_right)]
    leaves = _leaves([w for w in hwords if w.x0 >= label_right - 1])
    spans = sorted((min(w.x0 for w in leaf), max(w.x1 for w in leaf)) for leaf in leaves)
    number_cols = sorted((min(w.x0 for w in c), max(w.x1 for w in c)) for c in _cluster_x_groups(numbers))
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
    header = _stream_header(hwords, spans, bounds, label_right) if leaves else None
    # label-side header text sits left of the value columns. A header that could not be read keeps
    # only its group labels (行政复议, 申请人情况…): the table is still recognised, but no column is
    # named, so the mapper places no value (the cells stay blank and the report is partial). A data-row
    # label caught in the header band (its numbers read as a row of their own) gets no value cells:
    # blank ones would say "printed blank" where numbers were printed; the mapper reports it unread
    header_rows = list(header or [])
    for r in _rows_of([w for w in hwords if w.x0 < label_right - 1]):
        label = _label_text(r)
        beside = [k for k, (top, _) in enumerate(header_rows) if abs(top - r[0].top) <= 0.5 * r[0].size]
        if len(beside) == 1 and not _is_row_label(label):  # 信息内容 on the line of the column labels
            top, cells = header_rows[beside[0]]
            header_rows[beside[0]] = (top, [TCell(label, 1)] + cells)
            continue
        blanks = [] if _is_row_label(label) else [TCell("", 1) for _ in range(ncols)]
        rows.append((r[0].top, [TCell(label, 1)] + blanks))
    if header is None:
        for r in _rows_of([w for w in hwords if w.x0 >= label_right - 1]):
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
            if _is_value(w.text) or (abs(centres[k] - cy) <= 1.2 * w.size and not _ROW_START.match(template.norm_label(w.text))):
                strays.setdefault(k, []).append(w)
            else:
                label_words.append(w)
    given = _assign_blocks(_label_blocks(label_words), anchors)
    for block in given.pop(0, []):
        rows.append((min(w.top for w in block), [TCell(_label_text(block), 1)]))
    for k, anchor in enumerate(anchors, start=1):
        # what the row prints right of its label: numbers, dashes and text cells (未统计) alike
        values, joined = _stack_text([w for w in anchor.words() if w.x0 >= label_right - 1] + strays.get(k - 1, []))
        blocks = sorted(given.get(k, []), key=lambda b: min(w.x0 for w in b))
        row = [TCell(_label_text(block), 1) for block in blocks]
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
    if any(len(toks := c.text.split()) > 1 and all(_is_value(t) for t in toks) for r in out for c in r):
        out = [[c for c in r if c.text and not _is_value(c.text) and len(c.text.split()) <= 1
                or (c.text and not all(_is_value(t) for t in c.text.split()))] for r in out]
        out = [r for r in out if r]
    return out


_ROW_START = re.compile(r"^(?:[（(][一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+[、.．]|[0-9]+[.．、，,]|第二十条)")


def _stack_text(words: list[Line]) -> tuple[list[Line], dict[int, str]]:
    """Words of text (not numbers) stacked one above the other over the same x-range join into one
    (a text cell wrapped in its cell: 详见 / 附件); returns the words and the joined texts by id."""
    out: list[Line] = []
    texts: dict[int, str] = {}
    for w in sorted(words, key=lambda w: w.top):
        k = next((k for k, p in enumerate(out) if not _is_value(p.text) and not _is_value(w.text)
                  and min(p.x1, w.x1) - max(p.x0, w.x0) > 0 and w.top - p.bottom <= 0.8 * w.size), None)
        if k is None:
            out.append(w)
            continue
        prev = out[k]
        joined = Line(prev.glyphs + w.glyphs)
        texts[id(joined)] = join_pieces([texts.get(id(prev), prev.text), w.text])
        out[k] = joined
    return out, texts


def _names_column(text: str) -> bool:
    """A column label or header group of the form (or 信息内容): text that only a header prints."""
    t = template.norm_label(text)
    return t == "信息内容" or bool(template.group_span("t3", t) or template.group_span("t4", t)) or any(
        template.match(v, tid, "col", t) for v in template.VERSIONS for tid in template.TABLES)


def _label_side(words: list[Line], value_ranges: Sequence[tuple[float, float]] = ()) -> list[Line]:
    """The words of a row of numbers before its first number (its label cells), and before text that
    lies in a column of numbers of the other rows (a text cell such as 未统计 in the first column)."""
    first = next((k for k, w in enumerate(words) if _is_value(w.text)
                  or any(min(b, w.x1) - max(a, w.x0) > 0 for a, b in value_ranges)), len(words))
    return words[:first]


def _label_blocks(words: list[Line]) -> list[list[Line]]:
    """Label words → label cells. A word starts a cell when it opens a label of the form (a numbered
    label "（二）…", "一、…", "1.…", 第二十条…, or a whole row label such as 规章) or continues no cell;
    else it continues the cell whose last line ends just above it and whose words it overlaps in x (a
    wrapped label). Single characters stacked one per line (三 / 、 / 本 / 年 …, the vertical group
    header) form a cell of their own."""
    stacked: set[int] = set()
    singles = sorted((w for w in words if len(w.glyphs) == 1), key=lambda w: w.top)
    for w in singles:
        if id(w) in stacked:
            continue
        chain = [w]
        for x in singles:
            if x.top > chain[-1].top and abs(x.x0 + x.x1 - w.x0 - w.x1) <= 3.0 and x.top - chain[-1].bottom <= 0.8 * x.size:
                chain.append(x)
        if len(chain) >= 3:
            stacked.update(id(x) for x in chain)
    blocks: list[list[Line]] = []
    vertical = [w for w in words if id(w) in stacked]
    if vertical:
        blocks.append(vertical)
    for w in sorted((w for w in words if id(w) not in stacked), key=lambda w: (w.top, w.x0)):
        text = template.norm_label(w.text)
        if not _ROW_START.match(text):
            best = None
            for b in blocks[1 if vertical else 0:]:
                last = max(x.bottom for x in b)
                x0, x1 = min(x.x0 for x in b), max(x.x1 for x in b)
                if min(x1, w.x1) - max(x0, w.x0) > 0 and -0.3 * w.size <= w.top - last <= 1.5 * w.size and \
                        w.x0 >= x0 - 0.6 * w.size:
                    if best is None or last > max(x.bottom for x in best):
                        best = b
            # an unnumbered row label that is whole (规章 under 行政许可…) is continued by no other one
            if best is not None and not (_is_row_label(text) and not _ROW_START.match(template.norm_label(best[0].text))
                                         and _is_row_label(_label_text(best))):
                best.append(w)
                continue
        blocks.append([w])
    return blocks


def _assign_blocks(blocks: list[list[Line]], anchors: list[Line]) -> dict[int, list[list[Line]]]:
    """Label cells to rows of numbers (1-based index into anchors; 0: a row of its own). A cell goes to
    the row whose numbers lie within its height (the one nearest its middle when it spans several: a
    group label), else to the nearest row within 1.2 characters. Two row labels of one column (starting
    at the same x) never share a row: the farther one becomes a row of its own, so its row is not
    read rather than read wrong."""
    out: dict[int, list[list[Line]]] = {}
    centres = [(a.top + a.bottom) / 2 for a in anchors]
    for block in blocks:
        top, bottom = min(w.top for w in block), max(w.bottom for w in block)
        mid = (top + bottom) / 2
        size = median([w.size for w in block])
        inside = [k for k, c in enumerate(centres) if top - 1 <= c <= bottom + 1]
        if inside:
            k = min(inside, key=lambda k: abs(centres[k] - mid))
        else:
            k = min(range(len(centres)), key=lambda k: min(abs(centres[k] - top), abs(centres[k] - bottom)))
            if min(abs(centres[k] - top), abs(centres[k] - bottom)) > 1.2 * size:
                out.setdefault(0, []).append(block)
                continue
        out.setdefault(k + 1, []).append(block)
    for k in [k for k in out if k]:
        rowlike = [b for b in out[k] if _is_row_label(_label_text(b))]
        for a in rowlike:
            for b in rowlike:
                if a is not b and abs(min(w.x0 for w in a) - min(w.x0 for w in b)) <= 1.0 * a[0].size \
                        and a in out[k] and b in out[k]:
                    c = centres[k - 1]
                    far = max((a, b), key=lambda x: abs((min(w.top for w in x) + max(w.bottom for w in x)) / 2 - c))
                    out[k].remove(far)
                    out.setdefault(0, []).append(far)
    return out


def _merge_spread(words: list[Line], columns: list[tuple[float, float]], label_right: float | None = None) -> list[Line]:
    """Header words, told apart by the columns of numbers below them. Characters are split at every
    visible gap and joined again when they lie over the same column of numbers (each column owns the
    x-range up to half-way to its neighbours): "总   计" or "社 会 公 益" spread over the width of one
    cell join (wider gaps only between single characters), "结果 其他" of two narrow neighbouring cells
    do not, nor "科研 社会公" over columns printed blank. Without numbers, small gaps join.
    Text left of `label_right` (the label side) never joins text right of it."""
    fine = [piece for w in words for piece in w.words(gap=0.25)]
    cols = sorted(columns)
    cuts = [(cols[k][1] + cols[k + 1][0]) / 2 for k in range(len(cols) - 1)]
    out: list[Line] = []
    last: Line | None = None
    for w in fine:
        if out and last is not None:
            prev = out[-1]
            gap = w.x0 - prev.x1
            if label_right is not None and (prev.x0 >= label_right - 1) != (w.x0 >= label_right - 1):
                join = False  # label-side text (the 表三 note) and a column label beside it
            elif cols:
                zone = bisect_right(cuts, (w.x0 + w.x1) / 2)
                join = bisect_right(cuts, (last.x0 + last.x1) / 2) == zone and (
                    gap <= 0.3 * w.size or (gap < 1.5 * w.size and len(last.glyphs) == 1 and len(w.glyphs) == 1))
            else:
                join = gap <= 0.6 * w.size
            if join:
                out[-1] = Line(prev.glyphs + w.glyphs)
                last = w
                continue
        out.append(w)
        last = w
    return out


def _overlap(span: tuple[float, float], w: Line) -> float:
    return min(span[1], w.x1) - max(span[0], w.x0)


def _cluster_x_groups(words: list[Line]) -> list[list[Line]]:
    """Words grouped by overlapping x-ranges (a column of numbers, the lines of one label cell)."""
    groups: list[list[Line]] = []
    ranges: list[list[float]] = []
    for w in sorted(words, key=lambda w: w.x0):
        for k, (a, b) in enumerate(ranges):
            if min(b, w.x1) - max(a, w.x0) > 0:
                groups[k].append(w)
                ranges[k] = [min(a, w.x0), max(b, w.x1)]
                break
        else:
            groups.append([w])
            ranges.append([w.x0, w.x1])
    return groups


def _leaves(words: list[Line]) -> list[list[Line]]:
    """Leaf header cells, bottom-up: a word over no leaf starts one, a word just above one leaf joins
    it (a wrapped label), a word over two or more leaves is a group header, and so is a group label of
    the form (复议后起诉 narrower than its five columns, over one leaf only)."""
    leaves: list[list[Line]] = []
    for w in sorted(words, key=lambda w: -w.bottom):
        hits = [leaf for leaf in leaves if min(max(x.x1 for x in leaf), w.x1) - max(min(x.x0 for x in leaf), w.x0) > 0]
        t = template.norm_label(w.text)
        if hits and (template.group_span("t3", t) or template.group_span("t4", t) or 0) > 1:
            continue
        if not hits:
            leaves.append([w])
        elif len(hits) == 1 and min(x.top for x in hits[0]) - w.bottom <= 1.25 * w.size:
            hits[0].append(w)
    return leaves


def _is_row_label(text: str) -> bool:
    """A data row's label of 表二/三/四 (either format), as opposed to header or note text."""
    return any(template.match(v, t, "row", text) for v in ("2021", "2019") for t in ("t2", "t3", "t4"))


def _stream_header(hwords: list[Line], spans: list[tuple[float, float]], bounds: list[float], label_right: float
                   ) -> list[tuple[float, list[TCell]]] | None:
    """Header rows over the leaf columns, each header cell at its columns: the columns its text
    covers, or — for a group label narrower than its cell (行政复议 over five columns) — the template's
    group width, placed where it is centred on or starts at its text and does not collide with another
    cell of its line. None when a placement is not certain."""
    ncols = len(spans)

    def col(x: float) -> int:
        return bisect_right(bounds, x)

    cells: list[list[Line]] = []
    for w in sorted((w for w in hwords if w.x0 >= label_right - 1), key=lambda w: w.top):
        lo, hi = col(w.x0 + 0.5), col(w.x1 - 0.5)
        for cell in cells:
            if (col(min(x.x0 for x in cell) + 0.5), col(max(x.x1 for x in cell) - 0.5)) == (lo, hi) and \
                    w.top - max(x.bottom for x in cell) <= 1.25 * w.size:
                cell.append(w)
                break
        else:
            cells.append([w])
    fixed: list[tuple[float, float, int, int, str]] = []  # top, bottom, first column, width, text
    loose: list[tuple[float, float, int, int, int, str, float, float]] = []
    for cell in cells:
        text = _label_text(cell)
        x0, x1 = min(x.x0 for x in cell), max(x.x1 for x in cell)
        top, bottom = min(x.top for x in cell), max(x.bottom for x in cell)
        lo, hi = col(x0 + 0.5), col(x1 - 0.5)
        width = max(template.group_span("t3", text) or 0, template.group_span("t4", text) or 0)
        if width > hi - lo + 1:
            loose.append((top, bottom, lo, hi, width, text, x0, x1))
        else:
            fixed.append((top, bottom, lo, hi - lo + 1, text))
    unit = sum(b - a for a, b in spans) / ncols
    pad = median([(spans[k + 1][0] - spans[k][1]) / 2 for k in range(ncols - 1)] or [0.0])
    edges = [spans[0][0] - pad] + list(bounds) + [spans[-1][1] + pad]  # column k spans edges[k]..edges[k+1]
    for top, bottom, lo, hi, width, text, x0, x1 in loose:
        options = []
        for s in range(max(0, hi - width + 1), min(lo, ncols - width) + 1):
            clash = any(not (s + width - 1 < c0 or s > c0 + cw - 1) and min(bottom, b2) - max(top, t2) > 0
                        for t2, b2, c0, cw, _ in fixed)
            if not clash:
                options.append(s)
        centred = [s for s in options if abs((edges[s] + edges[s + width]) / 2 - (x0 + x1) / 2) <= 0.4 * unit]
        flush_left = [s for s in options if abs(edges[s] - x0) <= 0.4 * unit]
        # one placement left by the cells around it, else the label's alignment (centred, else flush left)
        pick = set(options) if len(options) == 1 else set(centred or flush_left)
        if len(pick) != 1:
            return None
        fixed.append((top, bottom, pick.pop(), width, text))
    if not _distinct_keys(fixed, ncols):
        return None
    # one grid row per printed line of header cells; uncovered columns get blank cells
    lines: list[list[tuple[float, float, int, int, str]]] = []
    for box in sorted(fixed):
        if lines and min(box[1], lines[-1][0][1]) - max(box[0], lines[-1][0][0]) > 0:
            lines[-1].append(box)
        else:
            lines.append([box])
    rows = []
    for line in lines:
        starts = {c[2]: c for c in line}
        row: list[TCell] = []
        p = 0
        while p < ncols:
            if p in starts:
                row.append(TCell(starts[p][4], starts[p][3]))
                p += starts[p][3]
            else:
                row.append(TCell("", 1))
                p += 1
        rows.append((line[0][0], row))
    return rows


def _distinct_keys(cells: list[tuple[float, float, int, int, str]], ncols: int) -> bool:
    """The header read from positions names every value column, and no template column twice (else it
    was misread: two labels run together, a label split)."""
    stacked: list[list[str]] = [[] for _ in range(ncols)]
    for _, _, first, width, text in sorted(cells):
        for p in range(first, min(first + width, ncols)):
            stacked[p].append(template.norm_label(text))
    best: list[str] = []
    for version in template.VERSIONS:
        for tid in template.TABLES:  # the table whose columns the header names best
            found = [k for st in stacked if st and (k := template.match(version, tid, "col", "/".join(st)))]
            if len(found) > len(best):
                best = found
    labelled = sum(1 for st in stacked if st and st != ["信息内容"])  # 表二's label-column header aside
    return len(best) == len(set(best)) == labelled  # every labelled column named, none twice


def _rows_of(words: list[Line]) -> list[list[Line]]:
    out: list[list[Line]] = []
    for w in sorted(words, key=lambda w: (w.top, w.x0)):
        if out and abs(out[-1][0].top - w.top) <= 0.35 * w.size:
            out[-1].append(w)
        else:
            out.append([w])
    return [sorted(r, key=lambda w: w.x0) for r in out]


def _label_text(words: list[Line]) -> str:
    return join_pieces([glyph_text([g for w in r for g in w.glyphs]) for r in _rows_of(words)])


def _label_cells(words: list[Line]) -> list[str]:
    """Label words of one row grouped into cells by x-overlap (the wrapped lines of a cell join)."""
    groups = sorted(_cluster_x_groups(words), key=lambda g: min(w.x0 for w in g))
    return [_label_text(grp) for grp in groups]

