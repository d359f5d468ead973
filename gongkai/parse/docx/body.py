"""Word .docx (Office Open XML) → RawDocument, with zipfile + lxml (no python-docx at parse time).

Archive safety (size caps, zip bombs, no external entities): gongkai.parse.docx_archive.
List numbering as Word prints it: gongkai.parse.docx_numbering.

Blocks in document order from w:body (also inside block-level content controls w:sdt and w:customXml):

* A table of contents (a content control of the "Table of Contents" gallery) is skipped: it would
  repeat every section heading before the report.
* w:p → paragraph text: only w:t is read (never w:instrText, w:delText, DrawingML numbers such as
  wp:posOffset, or OLE metadata), from every run, including runs inside hyperlinks, smart tags,
  fields (their results), inline content controls and tracked insertions; w:tab/w:ptab → space;
  w:br/w:cr → a new line, and each line is its own paragraph; w:noBreakHyphen → "-". Skipped: deleted
  text (w:del, w:delText, w:moveFrom), text boxes (w:txbxContent, in DrawingML or VML), ruby guide
  text (w:rt), the mc:Fallback copy of mc:AlternateContent, and runs marked hidden (w:vanish).
  Automatic list numbering (word/numbering.xml, direct or through the paragraph style and the styles
  it is based on) is printed as Word prints it ("一、", "（二）", "1.") before the text; counters run
  per w:num in document order, lower levels restart. A damaged styles/numbering part only loses the
  labels. Whitespace (incl. U+3000) collapses to one
  space, invisible characters are dropped, lines are stripped, empty ones skipped.
* w:tbl → `Block("table")`: one row per w:tr; each w:tc is `TCell(text, span=w:gridSpan)`; a cell with
  `w:vMerge` (continue, no val) is the stand-in `TCell("", span, cont=True)` and `w:vMerge="restart"`
  starts a merge; legacy w:hMerge continuation cells widen the cell before them. w:gridBefore /
  w:gridAfter (grid columns a row leaves out on the left / right) become `TCell("", n)`, so every row
  keeps the geometry of the grid and values stay under their headers counted from the right edge.
  Cell text = the cell's lines (paragraphs, line breaks, nested-table cells) joined with "" — with a
  single space where the join would glue two digits together, as `html.cell_text` does. Nested tables
  are flattened into their cell's text.
* A *layout* table (at most one cell, a cell over 800 characters, or a cell with a nested table and
  over 200 characters — a frame around the whole report) is walked as content instead of gridded.

`title_hint` is dc:title of docProps/core.xml when set.

Speed: about 3.5 ms for a python-docx report on one core of this box — 1 ms of it libxml2 parsing
the 70 kB document.xml, 0.6 ms inflating python-docx's 440 kB styles.xml (read only when the document
has list numbering and uses paragraph styles; Word's own is ~30 kB), the rest the walk.
"""

from __future__ import annotations

import re

from lxml import etree

from gongkai.form.cells import join_lines
from gongkai.parse.document import Block, RawDocument, Table, TCell
from gongkai.parse.docx.archive import (
    MAX_MEMBERS,
    MAX_PART,
    MAX_RATIO,
    MAX_UNPACKED,
    NAMESPACES,
    Archive,
    WordNames,
    main_part,
    not_docx,
    parse_xml,
)
from gongkai.parse.docx.numbering import Numbering, bounded_int, numbering
from gongkai.parse.errors import CorruptFile, FileTooLarge, NotAReport

_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_MAX_SPAN = 1000

__all__ = ["parse_docx", "MAX_UNPACKED", "MAX_PART", "MAX_RATIO", "MAX_MEMBERS"]


# --------------------------------------------------------------------------- text

def _norm(s: str) -> str:
    s = s.strip()
    if not s:
        return s
    if "\u200b" in s or "\ufeff" in s or "\u00ad" in s or "\u200c" in s or "\u200d" in s or "\u2060" in s:
        s = _INVISIBLE.sub("", s)
    return " ".join(s.split())


# --------------------------------------------------------------------------- walking

class _Walker:
    def __init__(self, ns: WordNames, numbering: Numbering | None) -> None:
        self.W = ns
        self.numbering = numbering

    def para_lines(self, p: etree._Element) -> list[str]:
        """The lines of one w:p (after `_prepare` turned tabs, breaks and hyphens into w:t)."""
        text = "".join([t.text or "" for t in p.iter(self.W.t)])
        numbering = self.numbering
        if numbering is not None:
            label = numbering.label(p)
            if label:
                text = label + text
        if not text:
            return []
        if "\n" in text:
            return [line for line in map(_norm, text.split("\n")) if line]
        text = _norm(text)
        return [text] if text else []

    def _children(self, el: etree._Element, tag: str) -> list[etree._Element]:
        """Children with `tag`, looking through content controls and custom XML wrappers."""
        out: list[etree._Element] = []
        wrappers = self.W.wrappers
        for child in el:
            ctag = child.tag
            if ctag == tag:
                out.append(child)
            elif ctag in wrappers:
                out.extend(self._children(child, tag))
        return out

    def cell_lines(self, container: etree._Element, lines: list[str]) -> None:
        W = self.W
        for el in container:
            tag = el.tag
            if tag == W.p:
                lines.extend(self.para_lines(el))
            elif tag == W.tbl:
                for tr in self._children(el, W.tr):
                    for tc in self._children(tr, W.tc):
                        if not self._is_continue(tc):
                            self.cell_lines(tc, lines)
            elif tag in W.wrappers:
                self.cell_lines(el, lines)

    def _is_continue(self, tc: etree._Element) -> bool:
        W = self.W
        pr = tc.find(W.tcPr)
        if pr is None:
            return False
        vm = pr.find(W.vMerge)
        return vm is not None and vm.get(W.val) != "restart"

    def grid(self, tbl: etree._Element) -> tuple[Table, bool]:
        """The grid of one w:tbl, and whether it is a layout table (see the module docstring)."""
        W = self.W
        tcPr, gridSpan, vMerge, hMerge, val, p, t = W.tcPr, W.gridSpan, W.vMerge, W.hMerge, W.val, W.p, W.t
        numbering = self.numbering
        grid: Table = []
        longest = 0
        cells = 0
        for tr in self._children(tbl, W.tr):
            row: list[TCell] = []
            before = after = 0
            pr = tr.find(W.trPr)
            if pr is not None:
                gb, ga = pr.find(W.gridBefore), pr.find(W.gridAfter)
                before = bounded_int(gb.get(W.val), 0, _MAX_SPAN, 0) if gb is not None else 0
                after = bounded_int(ga.get(W.val), 0, _MAX_SPAN, 0) if ga is not None else 0
            if before:
                row.append(TCell("", before))
            for tc in self._children(tr, W.tc):
                span, vmerge, hmerge = 1, None, None
                n = len(tc)
                if n and tc[0].tag == tcPr:  # w:tcPr is the first child when present
                    for prop in tc[0]:
                        ptag = prop.tag
                        if ptag == gridSpan:
                            span = bounded_int(prop.get(val), 1, _MAX_SPAN, 1)
                        elif ptag == vMerge:
                            vmerge = prop.get(val) or "continue"
                        elif ptag == hMerge:
                            hmerge = prop.get(val) or "continue"
                if hmerge is not None and hmerge != "restart" and row and row[-1].span:
                    row[-1].span += span  # legacy horizontal merge: this cell belongs to the one before
                    continue
                if vmerge is not None and vmerge != "restart":
                    row.append(TCell("", span, True))
                    continue
                if n and tc[n - 1].tag == p and (n == 1 or (n == 2 and tc[0].tag == tcPr)):
                    # the usual <w:tc><w:tcPr/><w:p/></w:tc>
                    text = "".join([x.text or "" for x in tc[n - 1].iter(t)])
                    if numbering is not None or "\n" in text:
                        text = join_lines(self.para_lines(tc[n - 1]))
                    elif text and not text.isdigit():
                        text = _norm(text)
                else:
                    lines: list[str] = []
                    self.cell_lines(tc, lines)
                    text = join_lines(lines)
                    if len(text) > 200 and tc.find(".//" + W.tbl) is not None:
                        longest = max(longest, 801)
                cells += 1
                longest = max(longest, len(text))
                row.append(TCell(text, span))
            if after:
                row.append(TCell("", after))
            grid.append(row)
        return grid, cells <= 1 or longest > 800

    def _is_toc(self, sdt: etree._Element) -> bool:
        W = self.W
        gallery = sdt.find(f"{W.sdtPr}/{W.docPartObj}/{W.docPartGallery}")
        return gallery is not None and "contents" in (gallery.get(W.val) or "").lower()

    def blocks(self, container: etree._Element, out: list[Block]) -> None:
        W = self.W
        p, tbl, wrappers = W.p, W.tbl, W.wrappers
        for el in container:
            tag = el.tag
            if tag == p:
                for line in self.para_lines(el):
                    out.append(Block("para", text=line))
            elif tag == tbl:
                numbering = self.numbering
                saved = {k: list(v) for k, v in numbering.counters.items()} if numbering is not None else None
                grid, layout = self.grid(el)
                if layout:
                    if numbering is not None and saved is not None:
                        numbering.counters = saved
                    for tr in self._children(el, W.tr):
                        for tc in self._children(tr, W.tc):
                            if not self._is_continue(tc):
                                self.blocks(tc, out)
                elif any(grid):
                    out.append(Block("table", table=grid))
            elif tag in wrappers:
                if tag == W.sdt and self._is_toc(el):
                    continue  # a table of contents would repeat every heading before the report
                self.blocks(el, out)


def _prepare(root: etree._Element, ns: WordNames) -> None:
    """Remove what is not printed text of the body — deleted/moved-from text, text boxes, ruby guides,
    the fallback copy of alternate content, hidden runs (w:vanish) — and turn run-level tabs, breaks
    and non-breaking hyphens into w:t holding " ", "\n", "-", so a paragraph's text is its w:t texts."""
    doomed = list(root.iter(*ns.drop))
    for v in root.iter(ns.vanish):
        if v.get(ns.val, "true") in ("0", "false", "off"):
            continue
        rpr = v.getparent()
        run = rpr.getparent() if rpr is not None and rpr.tag == ns.rPr else None
        if run is not None and run.tag == ns.r:
            doomed.append(run)
    for el in doomed:
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)
    r, t, chars = ns.r, ns.t, ns.chars
    for el in list(root.iter(ns.tab, ns.ptab, ns.br, ns.cr, ns.noBreakHyphen)):
        parent = el.getparent()
        if parent is not None and parent.tag == r:  # not a tab stop of w:pPr/w:tabs (root is w:body)
            el.text = chars[el.tag]
            el.tag = t


def _title_hint(ar: Archive) -> str | None:
    if not ar.has("docProps/core.xml"):
        return None
    try:
        core = parse_xml(ar.read("docProps/core.xml"), "docProps/core.xml", ar.path)
    except (CorruptFile, FileTooLarge):
        return None
    el = core.find(_DC_TITLE)
    text = _norm(el.text or "") if el is not None else ""
    return text or None


# --------------------------------------------------------------------------- entry point

def parse_docx(data: bytes, path: str) -> RawDocument:
    """Parse one Word .docx into paragraphs and table grids (source_format "docx")."""
    ar = Archive(data, path)
    main = main_part(ar)
    kind = ar.kind()
    if main is None or (kind and not main.lower().startswith("word/")):
        raise not_docx(path, kind or "a zip archive without word/document.xml")
    doc_xml = ar.read(main)
    root = parse_xml(doc_xml, main, path)
    tag = root.tag if isinstance(root.tag, str) else ""
    ns_uri, _, local = tag[1:].partition("}")
    if local != "document" or ns_uri not in NAMESPACES:
        raise not_docx(path, f"{main} is <{local or '?'}>, not a Word document")
    ns = NAMESPACES[ns_uri]
    body = root.find(ns.body)
    if body is None:
        raise NotAReport(f"{path}: the Word document has no body text")
    _prepare(body, ns)
    walker = _Walker(ns, numbering(ar, main, doc_xml, body, ns))
    blocks: list[Block] = []
    walker.blocks(body, blocks)
    if not blocks:
        raise NotAReport(f"{path}: the Word document has no text (a scanned image or an embedded object?); "
                         "harvest a text version of the report")
    return RawDocument("docx", blocks, title_hint=_title_hint(ar))
