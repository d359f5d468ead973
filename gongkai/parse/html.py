"""HTML pages (government portals, saved Word articles) → RawDocument.

Decoding: BOM, then the charset declared by `<meta charset>` / `<meta http-equiv=Content-Type>` /
`<?xml encoding?>`, then detection (see `decode.decode_text`; a page that declares utf-8 but is GBK
still decodes). The text is re-encoded as UTF-8 and parsed by libxml2's HTML parser with
`no_network=True`; comments and processing instructions are dropped, and a DOCTYPE internal subset is
removed before parsing, so no entity declaration (internal or SYSTEM) is ever expanded.

Chrome: script, style, noscript, head, title, iframe, object, form controls, svg… are removed with their
content (their tails are kept). The page `<title>` is kept in `RawDocument.title_hint`, the article title
named by `<meta name="ArticleTitle">` / `<meta property="og:title">` in `RawDocument.meta_titles`.

The report inside the portal chrome: gongkai.parse.html_root.content_root.

Blocks, in reading order: each block-level element (p, div, h1–h6, li, td of a layout table…) ends a
paragraph, and so does each `<br>`; inline elements (span, font, b, o:p, a, unknown tags…) are joined
with no separator, so labels split over spans stay one string. Characters that print nothing
(`gongkai.form.cells.INVISIBLE`: zero-width spaces, soft hyphens, BOM, word joiner, direction marks and
embeddings, variation selectors, fillers, non-whitespace control characters — Word/Excel pastes leave them
around numbers) are removed. Whitespace (incl. nbsp, U+3000) collapses to one space, a source line break between two CJK characters disappears (CSS segment-break rule), and
each paragraph is stripped; empty paragraphs are skipped. Inside <pre>, source newlines end paragraphs.

Tables become `Block("table")` grids (their text is not repeated as paragraphs; a <caption> becomes a
paragraph before the table). One row per <tr> (thead/tbody/tfoot in document order; rows of nested
tables are not rows of the outer table). Each row lists, in grid-column order, its origin cells as
`TCell(text, span=colspan)` and a stand-in `TCell("", span=<origin colspan>, cont=True)` for every
position covered by a rowspan from an earlier row (also after the last origin cell). Spans are never
clamped: a rowspan running past the last row or rows of different widths are left for the mapper.
rowspan/colspan missing, 0, non-numeric or > 1000 count as 1 (leading digits are read as HTML does:
"2px" is 2). Cell text = the cell's lines (p/div/br/nested-table boundaries) joined with "" — with a
single space where the join would glue two digits together ("1<br>2" → "1 2").

A table is a *layout* table, walked as paragraphs instead of gridded, when it has at most one cell, a
cell holds more than 800 characters, or a cell holds a nested table and more than 200 characters
(portals that wrap the whole article in a table).
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree

from gongkai.form.cells import join_lines
from gongkai.parse.decode import decode_text, sniff_html_charset
from gongkai.parse.document import Block, RawDocument, Table, TCell
from gongkai.parse.errors import CorruptFile, NotAReport
from gongkai.parse.html_root import content_root
from gongkai.parse.html_text import SHORT, norm, norm_short, normalised, text_of

__all__ = ["parse_html", "table_grid", "cell_text", "content_root"]  # content_root: from html_root

_DROP = (
    "script", "style", "noscript", "head", "title", "template", "iframe", "frame", "frameset", "noframes",
    "object", "embed", "applet", "select", "textarea", "button", "input", "svg", "math", "canvas",
    "audio", "video", "map", "xml", "meta", "link", "base", "param", "source", "track",
)
_BLOCK = frozenset({
    "html", "body", "address", "article", "aside", "blockquote", "center", "dd", "details", "dialog", "dir",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hgroup", "hr", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary",
    "ul", "table", "caption", "thead", "tbody", "tfoot", "tr", "td", "th", "legend", "option", "listing",
    "xmp", "plaintext",
})
_BREAKS = _BLOCK | {"br"}
_OPAQUE = frozenset({"table", "td", "th", "caption"})  # _own never looks inside these
_PRE = frozenset({"pre", "listing", "xmp", "plaintext"})  # source newlines end paragraphs inside these
_CELL_TAGS = frozenset({"td", "th"})
_ROW_TAGS = frozenset({"tr"})

_SPAN = re.compile(r"\s*\+?(\d+)")
_DOCTYPE_SUBSET = re.compile(r"<!DOCTYPE[^\[>]*\[.*?\]\s*>", re.IGNORECASE | re.DOTALL)

_MAX_SPAN = 1000


@lru_cache(maxsize=1024)  # attribute values such as "2": few distinct ones
def _span(value: str | None) -> int:
    if not value:
        return 1
    m = _SPAN.match(value)
    if not m:
        return 1
    n = int(m.group(1)) if len(m.group(1)) < 7 else 0
    return n if 1 <= n <= _MAX_SPAN else 1


# --------------------------------------------------------------------------- walking

def _own(el: etree._Element, tags: frozenset[str]) -> list[etree._Element]:
    """Descendants of el with a tag in `tags`, not looking inside them nor inside nested tables
    (direct children in the usual case; wrappers such as <tbody> or a stray <form> are looked through)."""
    out: list[etree._Element] = []
    for child in el:
        tag = child.tag
        if tag in tags:
            out.append(child)
        elif tag.__class__ is not str or tag in _OPAQUE:
            continue
        elif len(child):
            out.extend(_own(child, tags))
    return out


def _is_layout(table: etree._Element, grid: Table) -> bool:
    """A table used for page layout rather than data (see the module docstring)."""
    cells = [c for row in grid for c in row if not c.cont]
    return _layout_sized(table, len(cells), max((len(c.text) for c in cells), default=0))


def _layout_sized(table: etree._Element, cells: int, longest: int) -> bool:
    """_is_layout from the grid's number of origin cells and the length of its longest text."""
    if cells <= 1:
        return True
    return longest > 800 or (longest > 200 and table.find(".//table") is not None)


def _inline_only(el: etree._Element) -> bool:
    """No descendant of el ends a line (block element or <br>): its text is one run of the paragraph."""
    for d in el.iterdescendants():
        if d.tag in _BREAKS:
            return False
    return True


def _walk(root: etree._Element, blocks: list[Block] | None) -> list[str]:
    """Render root's subtree. With `blocks`, append paragraphs and table grids to it; without, return
    the lines of text (nested tables flattened: their rows and cells end lines)."""
    lines: list[str] = []
    buf: list[str] = []
    pre = 0

    def flush() -> None:
        if buf:
            text = norm("".join(buf))
            buf.clear()
            if text:
                if blocks is None:
                    lines.append(text)
                else:
                    blocks.append(Block("para", text=text))

    def add(text: str) -> None:
        if pre and "\n" in text:
            first, *rest = text.split("\n")
            buf.append(first)
            for part in rest:
                flush()
                buf.append(part)
        else:
            buf.append(text)

    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = el.tag
        if tag.__class__ is not str:  # comment / PI / entity left in the tree: keep its tail only
            if event == "end" and el.tail:
                add(el.tail)
            else:
                walker.skip_subtree()
            continue
        if event == "start":
            if tag == "br":
                flush()
            elif tag == "table" and blocks is not None and not _layout_sized(el, *(sized := _grid(el))[1:]):
                grid = sized[0]
                flush()
                for cap in el.iterchildren("caption"):
                    caption = norm(text_of(cap))
                    if caption:
                        blocks.append(Block("para", text=caption))
                if any(row for row in grid):
                    blocks.append(Block("table", table=grid))
                walker.skip_subtree()
            else:
                if tag in _BLOCK:
                    flush()
                    if tag in _PRE:
                        pre += 1
                if len(el) and not pre and _inline_only(el):
                    # one C call for the text of a subtree that ends no line (a <p> of <span>s): the same
                    # string the walk would build from its texts and tails, which is what tostring concatenates
                    text = text_of(el)
                    if text:
                        add(text)
                    walker.skip_subtree()
                elif el.text:
                    add(el.text)
        else:
            if tag in _BLOCK:
                flush()
                if tag in _PRE:
                    pre -= 1
            if el.tail and el is not root:
                add(el.tail)
    flush()
    return lines


_DIGIT_PAIR = re.compile("[0-9\uff10-\uff19]{2}")  # two digits in a row (cells.join_lines's _DIGITS)


def _one_run(text: str) -> str | None:
    """The normalised text of a cell whose whole text is `text`, when the cell's line structure cannot change
    it: no space left after normalising and no two digits in a row. The cell's lines then join to exactly
    this string (every whitespace run between them vanished in normalising, and no join puts a space
    between two digits); otherwise None (the lines must be read)."""
    t = norm(text)
    return None if " " in t or _DIGIT_PAIR.search(t) else t


_one_run_short = lru_cache(maxsize=1 << 12)(_one_run)  # pure, like norm_short; cells repeat across reports


def cell_text(td: etree._Element) -> str:
    """The printed text of one table cell: its lines joined with "" (a space between two digits)."""
    if len(td) == 0:
        return norm(td.text or "")
    whole = text_of(td)
    quick = _one_run_short(whole) if len(whole) <= SHORT else _one_run(whole)
    if quick is not None:  # (one C call instead of walking the cell's elements)
        return quick
    nblocks = -1  # td itself is a block
    for el in td.iter():
        if el.tag in _BREAKS:
            nblocks += 1
            if nblocks > 1:
                break
    if nblocks == 0:  # inline content only: one line
        return norm(whole)
    if nblocks == 1 and len(td) == 1 and td[0].tag in _BLOCK and not (td.text or "").strip() \
            and not (td[0].tail or "").strip():  # the usual <td><p>…</p></td>
        # the text of td[0], normalised: td's whole text is td[0]'s between whitespace, which norm strips
        return norm(whole)
    return join_lines(_walk(td, None))


def table_grid(table: etree._Element) -> Table:
    """The grid of one <table> element (see the module docstring for the exact shape)."""
    return _grid(table)[0]


def _grid(table: etree._Element) -> tuple[Table, int, int]:
    """table_grid, with the number of origin (not cont) cells and the length of the longest one's text (what
    _is_layout measures, counted while the grid is built)."""
    grid: Table = []
    pending: list[list[int]] = []  # [start column, rows still covered, colspan], sorted
    get = etree._Element.get
    tostring = etree.tostring
    cells = longest = 0
    for tr in _own(table, _ROW_TAGS):
        row: list[TCell] = []
        col = 0
        tds = _own(tr, _CELL_TAGS)
        cells += len(tds)
        if not pending:  # no rowspan reaches into this row (the usual case): origin cells only
            new: list[list[int]] | None = None
            for td in tds:
                if len(td):  # cell_text's one-call path inline, else cell_text
                    whole = tostring(td, method="text", encoding=str, with_tail=False)
                    quick = _one_run_short(whole) if len(whole) <= SHORT else _one_run(whole)
                    text = cell_text(td) if quick is None else quick
                else:  # norm(td.text or "") inline
                    leaf = td.text
                    text = "" if leaf is None else norm_short(leaf) if len(leaf) <= SHORT else normalised(leaf)
                if len(text) > longest:
                    longest = len(text)
                if td.keys():  # (a cell without attributes spans one column and one row)
                    colspan = 1 if (value := get(td, "colspan")) is None else _span(value)
                    row.append(TCell(text, colspan))
                    if (value := get(td, "rowspan")) is not None and (rowspan := _span(value)) > 1:
                        if new is None:
                            new = []
                        new.append([col, rowspan - 1, colspan])
                    col += colspan
                else:
                    row.append(TCell(text, 1))
                    col += 1
            grid.append(row)
            if new is not None:
                pending = sorted(new)
            continue
        row, pending = _spanned_row(tds, pending)
        longest = max(longest, max(len(c.text) for c in row))
        grid.append(row)
    return grid, cells, longest


def _spanned_row(tds: list[etree._Element], pending: list[list[int]]) -> tuple[list[TCell], list[list[int]]]:
    """One row of _grid in the general case: its cells `tds` in grid-column order with a stand-in for every
    position a rowspan of an earlier row covers (`pending`: [start column, rows still covered, colspan], sorted),
    and the spans pending for the next row. _grid reads a row no rowspan reaches in one pass of its own."""
    get = etree._Element.get
    row: list[TCell] = []
    col = i = 0
    n = len(pending)
    new: list[list[int]] = []
    for td in tds:
        while i < n and pending[i][0] <= col:
            start, _, span = pending[i]
            row.append(TCell("", span, True))
            col = max(col, start + span)
            i += 1
        colspan = 1 if (value := get(td, "colspan")) is None else _span(value)
        row.append(TCell(cell_text(td) if len(td) else norm(td.text or ""), colspan))
        if (value := get(td, "rowspan")) is not None and (rowspan := _span(value)) > 1:
            new.append([col, rowspan - 1, colspan])
        col += colspan
    while i < n:
        row.append(TCell("", pending[i][2], True))
        i += 1
    return row, sorted([[s, r - 1, sp] for s, r, sp in pending if r > 1] + new)


# --------------------------------------------------------------------------- entry point

_META_TITLES = (("name", "articletitle"), ("property", "og:title"), ("name", "og:title"))


def _meta_titles(root: etree._Element) -> tuple[str, ...]:
    """The article title named by the page's meta tags: ArticleTitle (Chinese government portals' CMS
    metadata), then og:title. Each distinct non-empty value once, in that order."""
    found: dict[str, list[str]] = {}
    for meta in root.iter("meta"):
        content = meta.get("content")
        if not content:
            continue
        for attr, name in _META_TITLES:
            if (meta.get(attr) or "").strip().lower() == name:
                found.setdefault(name, []).append(content)
    out: list[str] = []
    for _, name in _META_TITLES:
        for content in found.get(name, ()):
            text = norm(content)
            if text and text not in out:
                out.append(text)
    return tuple(out)


def parse_html(data: bytes, path: str) -> RawDocument:
    """Parse one HTML page into paragraphs and table grids (source_format "html")."""
    declared = sniff_html_charset(data[:4096])
    text, encoding = decode_text(data, path, declared)
    text = text.lstrip("\ufeff")
    if "<!" in text[:4096]:
        text = _DOCTYPE_SUBSET.sub("", text, count=1)
    parser = etree.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, encoding="utf-8")
    try:
        root = etree.fromstring(text.encode("utf-8", "surrogatepass"), parser)
    except (etree.LxmlError, ValueError) as exc:
        raise CorruptFile(f"{path}: not a readable HTML page ({' '.join(str(exc).split())}); harvest the page again") from None
    fatal = [e for e in parser.error_log if e.level == etree.ErrorLevels.FATAL]
    if fatal:  # libxml2 stopped early (e.g. nesting deeper than 256 levels): the rest would be lost
        raise CorruptFile(
            f"{path}: not a readable HTML page (line {fatal[0].line}: {' '.join(fatal[0].message.split())}); "
            "harvest the page again or convert the report to text"
        )
    if root is None:
        raise NotAReport(f"{path}: the HTML page has no content; harvest the page again")
    title_el = root.find(".//title")
    title_hint = norm(text_of(title_el)) if title_el is not None else ""
    meta_titles = _meta_titles(root)
    etree.strip_elements(root, *_DROP, with_tail=False)
    body = root.find("body")
    if body is None:
        body = root
    body_text = text_of(body)
    if not body_text or body_text.isspace():  # only whitespace (as str.strip and str.split see it; no copy)
        raise NotAReport(
            f"{path}: the HTML page has no text (a frameset, or a page that loads the report by script); "
            "harvest the page that holds the report itself"
        )
    blocks: list[Block] = []
    _walk(content_root(body), blocks)
    if not blocks:
        blocks = []
        _walk(body, blocks)
    if not blocks:
        raise NotAReport(f"{path}: the HTML page has no text; harvest the page that holds the report itself")
    return RawDocument("html", blocks, title_hint=title_hint or None, encoding=encoding, meta_titles=meta_titles)
