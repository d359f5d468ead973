"""HTML pages (government portals, saved Word articles) → RawDocument.

Decoding: BOM, then the charset declared by `<meta charset>` / `<meta http-equiv=Content-Type>` /
`<?xml encoding?>`, then detection (see `decode.decode_text`; a page that declares utf-8 but is GBK
still decodes). The text is re-encoded as UTF-8 and parsed by libxml2's HTML parser with
`no_network=True`; comments and processing instructions are dropped, and a DOCTYPE internal subset is
removed before parsing, so no entity declaration (internal or SYSTEM) is ever expanded.

Chrome: script, style, noscript, head, title, iframe, object, form controls, svg… are removed with their
content (their tails are kept). The page `<title>` is kept in `RawDocument.title_hint`, the article title
named by `<meta name="ArticleTitle">` / `<meta property="og:title">` in `RawDocument.meta_titles`.

Content root (the report inside the portal chrome):

1. T3 = the innermost `<table>` whose text (whitespace removed) contains "本年新收" (表三).
2. core = the deepest ancestor of T3 whose text *outside T3* contains "总体情况" or "主动公开" (failing
   that, another section title: 收到和处理 / 行政复议 / 存在的主要问题 / 其他需要报告).
   Without a T3 table: descend from <body> into the single child that still contains every one of
   "总体情况", "主动公开", "其他需要报告" that the page contains (at least two are needed; otherwise
   the root is <body>).
3. expand: climb from core to its parent while the parent is not <body>, adds no second 表三, adds at
   most max(400, 20 % of the core text) characters in total, and at most half of what one step adds
   is link text. This takes in the article title and the page's metadata box (索引号/发布机构/公开日期)
   that portals print next to the article, and stops at navigation bars, sidebars and link lists.
4. fall back to <body> (or the document root when there is none).

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
from collections.abc import Callable
from functools import lru_cache

from lxml import etree

from gongkai.form.cells import INVISIBLE, join_lines
from gongkai.parse.decode import decode_text, sniff_html_charset
from gongkai.parse.document import Block, RawDocument, Table, TCell
from gongkai.parse.errors import CorruptFile, NotAReport

__all__ = ["parse_html", "table_grid", "cell_text", "content_root"]

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

_CJK = r"\u2e80-\u2fff\u3001-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff01-\uffee"
_CJK_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t\r\n]*\n[ \t\r\n]*(?=[{_CJK}])")
_SPAN = re.compile(r"\s*\+?(\d+)")
_DOCTYPE_SUBSET = re.compile(r"<!DOCTYPE[^\[>]*\[.*?\]\s*>", re.IGNORECASE | re.DOTALL)

_T3_MARK = "本年新收"
_PRIMARY = ("总体情况", "主动公开")
_SECONDARY = ("收到和处理", "行政复议", "存在的主要问题", "其他需要报告")
_NO_T3 = ("总体情况", "主动公开", "其他需要报告")
_MAX_SPAN = 1000


# --------------------------------------------------------------------------- text helpers

def _norm(s: str) -> str:
    """One line of rendered text: invisible characters removed, whitespace collapsed, stripped."""
    return _norm_short(s) if len(s) <= _SHORT else _normalised(s)


_SHORT = 64  # table cells and labels: they repeat across cells and reports ("0", "1", "信息内容"), so cached


def _normalised(s: str) -> str:
    s = s.strip()
    if not s:
        return s
    if INVISIBLE.search(s):
        s = INVISIBLE.sub("", s)
    if "\n" in s:
        s = _CJK_BREAK.sub("", s)
    return " ".join(s.split())


_norm_short = lru_cache(maxsize=1 << 12)(_normalised)  # a pure function of the string: no state between reports


def _text(el: etree._Element) -> str:
    """All text inside el (not its tail), concatenated in C (much faster than itertext)."""
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


def _flat(el: etree._Element) -> str:
    """All text inside el with every whitespace removed (for marker search and size measures)."""
    return "".join(_text(el).split())


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
            text = _norm("".join(buf))
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
                    caption = _norm(_text(cap))
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
                    text = _text(el)
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
    t = _norm(text)
    return None if " " in t or _DIGIT_PAIR.search(t) else t


_one_run_short = lru_cache(maxsize=1 << 12)(_one_run)  # pure, like _norm_short; cells repeat across reports


def cell_text(td: etree._Element) -> str:
    """The printed text of one table cell: its lines joined with "" (a space between two digits)."""
    if len(td) == 0:
        return _norm(td.text or "")
    whole = _text(td)
    quick = _one_run_short(whole) if len(whole) <= _SHORT else _one_run(whole)
    if quick is not None:  # (one C call instead of walking the cell's elements)
        return quick
    nblocks = -1  # td itself is a block
    for el in td.iter():
        if el.tag in _BREAKS:
            nblocks += 1
            if nblocks > 1:
                break
    if nblocks == 0:  # inline content only: one line
        return _norm(whole)
    if nblocks == 1 and len(td) == 1 and td[0].tag in _BLOCK and not (td.text or "").strip() \
            and not (td[0].tail or "").strip():  # the usual <td><p>…</p></td>
        # the text of td[0], normalised: td's whole text is td[0]'s between whitespace, which _norm strips
        return _norm(whole)
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
                    quick = _one_run_short(whole) if len(whole) <= _SHORT else _one_run(whole)
                    text = cell_text(td) if quick is None else quick
                else:  # _norm(td.text or "") inline
                    leaf = td.text
                    text = "" if leaf is None else _norm_short(leaf) if len(leaf) <= _SHORT else _normalised(leaf)
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
        i = 0
        n = len(pending)
        new = []
        for td in tds:
            while i < n and pending[i][0] <= col:
                start, _, span = pending[i]
                row.append(TCell("", span, True))
                col = max(col, start + span)
                i += 1
            colspan = 1 if (value := get(td, "colspan")) is None else _span(value)
            text = cell_text(td) if len(td) else _norm(td.text or "")
            if len(text) > longest:
                longest = len(text)
            row.append(TCell(text, colspan))
            if (value := get(td, "rowspan")) is not None and (rowspan := _span(value)) > 1:
                new.append([col, rowspan - 1, colspan])
            col += colspan
        while i < n:
            row.append(TCell("", pending[i][2], True))
            i += 1
        grid.append(row)
        pending = sorted([[s, r - 1, sp] for s, r, sp in pending if r > 1] + new)
    return grid, cells, longest


# --------------------------------------------------------------------------- content root

_COMPOSE = 16


def _flat_from_children(el: etree._Element, flats: dict[etree._Element, str]) -> str | None:
    """_flat(el) composed from the cached _flat of its children where there is one (the ancestors of an element
    measured first), or None when no child is cached, a child is not an element (a comment or PI: left to
    _flat) or el has more than _COMPOSE children (one C call over el is then cheaper than one per child).
    Exact: el's text is its .text, then each child's text and tail in order (what tostring(method="text")
    concatenates), and removing every whitespace character commutes with concatenation."""
    if len(el) > _COMPOSE:
        return None
    parts: list[str] = []
    cached = False
    for child in el:
        if child.tag.__class__ is not str:
            return None
        text = flats.get(child)
        if text is None:
            text = _flat(child)
        else:
            cached = True
        parts.append(text)
        if child.tail:
            parts.append("".join(child.tail.split()))
    if not cached:
        return None
    return "".join(el.text.split()) + "".join(parts) if el.text else "".join(parts)


def _link_len(el: etree._Element, flat: Callable[[etree._Element], str]) -> int:
    """The flat length of the link text inside el: of every <a> in el.iter("a") (el itself included)."""
    return sum(len(flat(a)) for a in el.iter("a"))


def _link_len_from_children(el: etree._Element, links: dict[etree._Element, int],
                            flat: Callable[[etree._Element], str]) -> int:
    """_link_len(el), from the cached link lengths of its children where there are (an ancestor of an element
    measured first): el.iter("a") is el when it is an <a>, then each child's iter("a") in order."""
    if not any(child in links for child in el):
        return _link_len(el, flat)
    own = len(flat(el)) if el.tag == "a" else 0
    for child in el:
        n = links.get(child)
        own += _link_len(child, flat) if n is None else n
    return own


def content_root(body: etree._Element) -> etree._Element:
    """The element holding the report (see the module docstring)."""
    flats: dict[etree._Element, str] = {}  # _flat of each element measured (the tree is not changed here)
    links: dict[etree._Element, int] = {}  # link_len of each element measured

    def flat(el: etree._Element) -> str:
        text = flats.get(el)
        if text is None:
            text = flats[el] = _flat_from_children(el, flats) or _flat(el)
        return text

    def link_len(el: etree._Element) -> int:
        n = links.get(el)
        if n is None:
            n = links[el] = _link_len_from_children(el, links, flat)
        return n

    return _select_root(body, flat, link_len)


def _select_root(body: etree._Element, flat: Callable[[etree._Element], str],
                 link_len: Callable[[etree._Element], int]) -> etree._Element:
    """content_root's choice, given an element's whitespace-free text (`flat`) and the length of its links'
    text (`link_len`)."""
    tables = [t for t in body.iter("table")]
    marked = [t for t in tables if _T3_MARK in flat(t)]
    if marked:
        marked_set = set(marked)
        innermost = [t for t in marked if not any(d is not t and d in marked_set for d in t.iter("table"))]
        t3 = innermost[0]
        t3_text = flat(t3)
        core: etree._Element | None = None
        for markers in (_PRIMARY, _SECONDARY):
            for anc in t3.iterancestors():
                text = flat(anc)
                if any(text.count(m) > t3_text.count(m) for m in markers):
                    core = anc
                    break
            if core is not None:
                break
        if core is None:
            return body
        others = [t for t in innermost if t is not t3]
    else:
        present = [m for m in _NO_T3 if m in flat(body)]
        if len(present) < 2:
            return body
        core = body
        while True:
            holders = [c for c in core if c.tag.__class__ is str and all(m in flat(c) for m in present)]
            if len(holders) != 1:
                break
            core = holders[0]
        others = []
    if core is body:
        return body
    core_len = len(flat(core))
    node, node_len, node_links = core, core_len, link_len(core)
    allowance = max(400, core_len // 5)
    while True:
        parent = node.getparent()
        if parent is None or parent is body or parent.tag in ("body", "html"):
            break
        if others and any(parent in set(t.iterancestors()) and node not in set(t.iterancestors()) for t in others):
            break
        p_len = len(flat(parent))
        step = p_len - node_len
        p_links = link_len(parent)
        if step > 0 and (p_len - core_len > allowance or p_links - node_links > 0.5 * step):
            break
        node, node_len, node_links = parent, p_len, p_links
    return node


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
            text = _norm(content)
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
    title_hint = _norm(_text(title_el)) if title_el is not None else ""
    meta_titles = _meta_titles(root)
    etree.strip_elements(root, *_DROP, with_tail=False)
    body = root.find("body")
    if body is None:
        body = root
    body_text = _text(body)
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
