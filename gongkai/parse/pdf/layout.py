"""PDF reports with a text layer → RawDocument.

Text and drawings are read with PDFium (pypdfium2, `pdf_read`): every printed character with its box,
and the straight strokes (table rulings). Nothing is OCRed: a PDF whose pages carry no text is a scan
and is refused with "scanned PDF, no text layer".

Tables, two readings, rulings first: the **ruled grid** (`pdf_grid`: strokes that cross make cells,
merged cells included) and, where there are no rulings or they make no grid, **aligned text**
(`pdf_stream`: rows of numbers under column labels, by position).

A table that runs off the bottom of a page and continues at the top of the next (with only page
numbers, running headers and footers, or nothing between them; its header repeated or not) is joined
into one grid when its outer left and right edges agree; the rows of the continued part are re-expressed
in the first part's columns (a part whose rows all merge columns — 表二's one-value rows, 表三's last
row alone on a page, read as a one-row grid — draws fewer column boundaries). Value cells are always
emitted at their real x-column (blank ones as ""), so the mapper's right-edge alignment holds.

Text outside tables: lines by y, joined into paragraphs when a line runs to the right margin and the
next one is not indented (across page breaks too). Page furniture is dropped: page numbers ("- 4 -",
"第 4 页", "4/6") in the page margins, and running headers and footers — a line printed at the same
place in the top or bottom margin band of most pages (the same text, page numbers aside). The title
lines at the top of page 1 (larger type) are joined into one paragraph ("淮安市人民政府" + "2024 年政府
信息公开工作年度报告").
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from gongkai.parse.document import Block, RawDocument, Table, TCell
from gongkai.parse.pdf.grid import grid_table, grids, trim_unheaded_columns, value_edges
from gongkai.parse.pdf.linetypes import is_value
from gongkai.parse.pdf.model import Line, Page, cluster_lines, join_pieces
from gongkai.parse.pdf.read import MAX_PAGES, MAX_SECONDS, read_pages
from gongkai.parse.pdf.stream import stream_tables

__all__ = ["MAX_PAGES", "MAX_SECONDS", "parse_pdf"]

_PAGE_NO = re.compile(
    r"^[-—–－‐_~·\s]*(?:第\s*)?[0-9０-９]{1,4}(?:\s*页)?(?:\s*[/／]\s*[0-9]{1,4}|\s*[,，]?\s*共\s*[0-9]{1,4}\s*页)?[-—–－‐_~·\s]*$"
)


@dataclass(slots=True)
class _Item:
    """A flow item of one page in reading order: a text line or a table grid."""

    top: float
    bottom: float
    line: Line | None = None
    grid: Table | None = None
    edges: tuple[float, ...] = ()  # x of the value-side column edges (continuation check)
    xs: tuple[float, ...] = ()  # x of a ruled grid's column boundaries
    page: int = 0
    margin: bool = False  # page number / running header or footer


# ------------------------------------------------------------------------------------- page layout


def _page_items(page: Page, use_rulings: bool) -> list[_Item]:
    items: list[_Item] = []
    glyphs = page.glyphs
    taken: set[int] = set()
    if use_rulings and page.hsegs and page.vsegs:
        centres = [((g.x0 + g.x1) / 2, (g.top + g.bottom) / 2) for g in glyphs]
        for grid in grids(page.hsegs, page.vsegs):
            x0, y0, x1, y1 = grid.bbox
            inside = [k for k, (cx, cy) in enumerate(centres) if y0 <= cy <= y1 and x0 <= cx <= x1 and k not in taken]
            if not inside:
                continue
            rows = grid_table(grid, [glyphs[k] for k in inside])
            if max(len(r) for r in rows) < (2 if len(rows) > 1 else 3):
                continue
            taken.update(inside)
            items.append(_Item(y0, y1, grid=rows, edges=value_edges(grid.xs), xs=tuple(grid.xs), page=page.no))
    rest = [g for k, g in enumerate(glyphs) if k not in taken]
    lines = cluster_lines(rest)
    for line in lines:
        margin = _is_margin(line, page)
        items.append(_Item(line.top, line.bottom, line=line, page=page.no, margin=margin))
    items.sort(key=lambda it: it.top)
    return items


def _is_margin(line: Line, page: Page) -> bool:
    rel_top = line.top - page.offset
    rel_bottom = line.bottom - page.offset
    near_edge = rel_bottom < 0.12 * page.height or rel_top > 0.85 * page.height
    return near_edge and bool(_PAGE_NO.match(line.text))


_DIGITS = re.compile(r"[0-9]+")


def _mark_running(items: list[_Item], pages: list[Page]) -> None:
    """Running headers and footers: a text line in the top or bottom margin band that is printed at
    the same height on at least 60 % of the pages (two at least), compared without spaces and with
    numbers masked ("XX局 第 3 页"), becomes page furniture like the page numbers."""
    if len(pages) < 2:
        return
    seen: dict[str, list[tuple[_Item, float]]] = defaultdict(list)
    for it in items:
        if it.line is None or it.margin:
            continue
        page = pages[it.page]
        rel_top, rel_bottom = it.top - page.offset, it.bottom - page.offset
        if rel_bottom < 0.12 * page.height or rel_top > 0.85 * page.height:
            key = _DIGITS.sub("#", unicodedata.normalize("NFKC", it.line.text).replace(" ", ""))
            seen[key].append((it, rel_top))
    need = max(2, -(-3 * len(pages) // 5))  # ≥ 60 % of the pages (a title line and a signature may meet once)
    for occurrences in seen.values():
        if len(occurrences) < need:
            continue
        for it, top in occurrences:
            if len({o.page for o, t in occurrences if abs(t - top) <= 2.5}) >= need:
                it.margin = True


def _join_number_lines(items: list[_Item]) -> list[_Item]:
    """A line of nothing but numbers and a short line of text to its left that it overlaps in height
    are one table row printed at two heights (a top-aligned label beside numbers centred in a taller
    cell): one line. Only outside ruled grids, only on one page."""
    lines = [it for it in items if it.line is not None and not it.margin]
    gone: set[int] = set()
    out: dict[int, _Item] = {}
    for k, it in enumerate(lines):
        line = it.line
        assert line is not None
        words = line.words()
        if not words or not all(is_value(w.text) for w in words):
            continue
        best, overlap = None, 0.0
        for other in lines[max(0, k - 3):k + 4]:
            o = other.line
            if other is it or o is None or other.page != it.page or id(other) in gone or o.x1 >= line.x0:
                continue
            if len(o.glyphs) > 40 or any(is_value(w.text) for w in o.words()):
                continue
            ov = min(o.bottom, line.bottom) - max(o.top, line.top)
            if ov > 0.3 * min(o.bottom - o.top, line.bottom - line.top) and ov > overlap:
                best, overlap = other, ov
        if best is not None and best.line is not None:
            gone.update((id(best), id(it)))
            joined = Line(best.line.glyphs + line.glyphs)
            out[id(it)] = _Item(joined.top, joined.bottom, line=joined, page=it.page)
    if not out:
        return items
    kept = [out.get(id(it), it) for it in items if id(it) not in gone or id(it) in out]
    return sorted(kept, key=lambda it: it.top)


def _stream_pass(items: list[_Item]) -> list[_Item]:
    """Replace runs of aligned-text table lines (outside ruled grids) by table items."""
    items = _join_number_lines(items)
    lines = [it for it in items if it.line is not None and not it.margin]
    texts = [it.line for it in lines if it.line is not None]  # lines[k].line, narrowed
    if not lines:
        return items
    text_right = max(t.x1 for t in texts)
    found = stream_tables(texts, text_right)
    if not found:
        return items
    drop: set[int] = set()
    new: list[_Item] = []
    for first, last, grid in found:
        drop.update(id(lines[k]) for k in range(first, last + 1))
        left = min(texts[k].x0 for k in range(first, last + 1))
        right = max(texts[k].x1 for k in range(first, last + 1))
        new.append(_Item(lines[first].top, lines[last].bottom, grid=grid, edges=(round(left), round(right)),
                         page=lines[first].page))
    kept = [it for it in items if id(it) not in drop]
    return sorted(kept + new, key=lambda it: it.top)


# ------------------------------------------------------------------------------------- paragraphs


def _blocks(items: list[_Item]) -> list[Block]:
    lines = [it.line for it in items if it.line is not None and not it.margin]
    sizes = {id(ln): ln.size for ln in lines}
    if lines:
        weights = sorted((sizes[id(ln)], len(ln.glyphs)) for ln in lines)
        half, acc, body = sum(w for _, w in weights) / 2, 0, weights[-1][0]
        for size, w in weights:
            acc += w
            if acc >= half:
                body = size
                break
        long = [ln for ln in lines if len(ln.glyphs) >= 15 and abs(sizes[id(ln)] - body) <= 0.15 * body] or lines
        left = min(ln.x0 for ln in long)
        right = max(ln.x1 for ln in long)
    else:
        body, left, right = 10.0, 0.0, 0.0
    blocks: list[Block] = []
    edges_of: dict[int, tuple[float, ...]] = {}
    xs_of: dict[int, tuple[float, ...]] = {}
    para: list[str] = []
    prev: Line | None = None
    prev_page = -1
    prev_table = False
    in_title = True  # the lines in larger type at the top of the first page

    def flush() -> None:
        nonlocal para
        if para:
            blocks.append(Block("para", text=join_pieces(para)))
        para = []

    for it in items:
        if it.margin:
            continue
        if it.grid is not None:
            flush()
            last = blocks[-1] if blocks else None
            if (last is not None and last.kind == "table" and prev_table and it.page == prev_page + 1
                    and last.table is not None and _continues(edges_of.get(id(last), ()), it.edges)):
                # a table continued on the next page, in the columns of its first part
                last.table.extend(respan(it.grid, it.xs, xs_of.get(id(last), ())))
            else:
                blocks.append(Block("table", table=it.grid))
                edges_of[id(blocks[-1])] = it.edges
                xs_of[id(blocks[-1])] = it.xs
            prev, prev_page, prev_table, in_title = None, it.page, True, False
            continue
        line = it.line
        assert line is not None
        size = sizes[id(line)]
        big = size > 1.15 * body
        join = False
        if prev is not None:
            psize = sizes[id(prev)]
            same = abs(size - psize) <= 0.12 * max(size, psize)
            if in_title and big and same and it.page == prev_page and line.top - prev.bottom <= 1.2 * size:
                join = True
            elif not big and same and prev.x1 >= right - 1.5 * psize and line.x0 <= left + 0.8 * size:
                if it.page == prev_page:
                    join = line.top - prev.bottom <= 1.5 * size
                else:
                    join = it.page == prev_page + 1
        if not join:
            flush()
        if not big:
            in_title = False
        para.append(line.text)
        prev, prev_page, prev_table = line, it.page, False
    flush()
    return blocks


def respan(rows: Table, xs: tuple[float, ...], base: tuple[float, ...], tol: float = 4.0) -> Table:
    """Rows of a continued part re-expressed in the columns of the table's first part: a part whose rows
    merge columns (表二's one-value rows alone on a page, 表三's last row) has fewer column boundaries
    than the table; each cell spans the first part's columns between its own boundaries. Unchanged
    when a boundary of the part is not one of the table's."""
    if not xs or not base or xs == base:
        return rows
    index = []
    for x in xs:
        k = min(range(len(base)), key=lambda k: abs(base[k] - x))
        if abs(base[k] - x) > tol:
            return rows
        index.append(k)
    out = []
    for row in rows:
        col, new = 0, []
        for c in row:
            span = c.span or 1
            if col + span >= len(index):
                return rows
            new.append(TCell(c.text, index[col + span] - index[col], c.cont))
            col += span
        out.append(new)
    return out


def _continues(edges: tuple[float, ...], nxt: tuple[float, ...]) -> bool:
    """Same right-hand column edges: the grid on the next page continues this table."""
    if not edges or not nxt or len(edges) != len(nxt):
        return False
    return all(abs(a - b) <= 4 for a, b in zip(edges, nxt))


def parse_pdf(data: bytes, path: str, use_rulings: bool = True) -> RawDocument:
    """Parse a PDF with a text layer. `use_rulings=False` reads tables from text alignment only."""
    pages = read_pages(data, path)
    items: list[_Item] = []
    for page in pages:
        items.extend(_page_items(page, use_rulings))
    _mark_running(items, pages)
    items = _stream_pass(items)
    blocks = [Block("table", table=trim_unheaded_columns(b.table)) if b.kind == "table" and b.table else b
              for b in _blocks(items)]
    return RawDocument("pdf", blocks)

