"""PDF reports with a text layer → RawDocument.

Text and drawings are read with PDFium (pypdfium2): every printed character with its box, and the
straight strokes (table rulings). Nothing is OCRed: a PDF whose pages carry no text is a scan and is
refused with "scanned PDF, no text layer".

Geometry. Coordinates are turned into display space (origin top-left, y down, page rotation applied)
and pages are stacked; characters get PDFium's *loose* boxes (font ascent to descent), so every
character of one printed line shares its top and bottom whatever its shape ("、" and "." included);
where a font's metrics are broken (洪泽's vertical 三/本/年 header: 200-pt boxes around 10-pt glyphs)
the tight glyph box is used instead.

Tables, two readings, rulings first:

* **Ruled grid** (what Word/WPS exports draw): horizontal and vertical strokes (stroked paths, or
  thin filled rectangles) that cross each other form a grid; an edge between two elementary cells that
  no stroke covers is a merged cell. Each character goes to the cell holding its centre, a cell's
  lines are joined, and the grid is handed over as rows of `TCell(text, span=colspan)` with the
  HTML convention `TCell("", span, cont=True)` for the rows a rowspan covers. Wrapped row labels, the
  vertical 三/本/年/度… group header, header labels wrapped or spread into single characters and
  numbers that sit beside the first or middle line of a wrapped label are all solved by the cell.
  Page numbers and footers print outside the grid and never enter it.
* **Aligned text** (no rulings, or rulings that do not make a grid; `parse_pdf(..., use_rulings=False)`
  forces it): a table is a run of lines whose right part holds numbers, cut into parts at each line
  of column labels (表二's sub-tables). Header words are split at visible gaps and rejoined over the
  same column of numbers ("总   计", "结 果" spread over a cell). Value columns are the x-ranges of the
  header's leaf labels (the words stacked over one column, read bottom-up; a word over two leaves is
  a group header, placed over the columns that the template's group width, the cells beside it and
  its alignment — centred, else flush left — allow; if more than one placement remains, or the
  header would name a template column twice, the header is not used: only its group labels are kept,
  so the table is recognised but no value is placed). Each number goes to the leaf column its box
  overlaps; a row whose numbers do not fall one per column (run together, between two columns, two
  in one column) keeps its numbers as one text cell, which the mapper stores as `text` (report
  `partial`). Label lines between rows of numbers go to the nearest row (wrapped labels, numbers
  printed beside the first line of a two-line label); the vertical group header's characters become
  label cells of their own that never match a row label, so the row's own label still decides.

A table that runs off the bottom of a page and continues at the top of the next (no header repeated)
(only a page number or nothing between them) is joined into one grid when its outer left and right
edges agree. Value cells are always emitted at their real
x-column (blank ones as ""), so the mapper's right-edge alignment holds.

Text outside tables: lines by y, joined into paragraphs when a line runs to the right margin and the
next one is not indented (across page breaks too); page numbers ("- 4 -", "第 4 页", "4/6") in the
page margins are dropped; the title lines at the top of page 1 (larger type) are joined into one
paragraph ("淮安市人民政府" + "2024 年政府信息公开工作年度报告").

Limits: at most MAX_PAGES pages and MAX_SECONDS of work per file; an encrypted file (password
required), a truncated file (no %%EOF near the end), bytes PDFium cannot open or a page it cannot
read are CorruptFile; a PDF with no characters but images is a scan (NotAReport "scanned PDF, no
text layer"), one with neither is NotAReport too, and so is a text layer without Unicode mapping.
Kangxi/CJK-radical code points that some Chinese PDF producers emit for ordinary characters (⽂ for
文) are mapped back to the unified ideographs.
"""

from __future__ import annotations

import ctypes
import re
import time
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from statistics import median

from .. import template
from ..cells import classify
from ..model import Block, CorruptFile, NotAReport, RawDocument, Table, TCell

__all__ = ["parse_pdf", "MAX_PAGES", "MAX_SECONDS"]

MAX_PAGES = 200
MAX_SECONDS = 30.0
MAX_PATH_OBJECTS = 20000  # per page; pages of vector art beyond this are read without rulings
MAX_SEGMENTS = 4000  # rulings per page considered for grids

_RADICALS = {  # CJK Radicals Supplement code points without an NFKC mapping, as PDF producers emit them
    "⻔": "门", "⻅": "见", "⻓": "长", "⻛": "风", "⻜": "飞", "⻢": "马", "⻋": "车", "⻉": "贝",
    "⻆": "角", "⻄": "西", "⻚": "页", "⻥": "鱼", "⻦": "鸟", "⻩": "黄", "⻬": "齐", "⻰": "龙",
    "⺠": "民", "⻓": "长", "⻙": "韦", "⻝": "食", "⻘": "青", "⻨": "麦", "⻳": "龟", "⻮": "齿",
}
_PAGE_NO = re.compile(
    r"^[-—–－‐_~·\s]*(?:第\s*)?[0-9０-９]{1,4}(?:\s*页)?(?:\s*[/／]\s*[0-9]{1,4}|\s*[,，]?\s*共\s*[0-9]{1,4}\s*页)?[-—–－‐_~·\s]*$"
)
_ALNUM = re.compile(r"[0-9A-Za-z０-９]")


# --------------------------------------------------------------------------------------------- model


@dataclass(slots=True)
class _G:
    """One printed character in display space (y grows downwards, pages stacked)."""

    ch: str
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def h(self) -> float:
        return self.bottom - self.top

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(slots=True)
class _Line:
    glyphs: list[_G]
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0

    def __post_init__(self) -> None:
        self.glyphs.sort(key=lambda g: g.x0)
        self.x0 = min(g.x0 for g in self.glyphs)
        self.x1 = max(g.x1 for g in self.glyphs)
        self.top = min(g.top for g in self.glyphs)
        self.bottom = max(g.bottom for g in self.glyphs)

    @property
    def h(self) -> float:
        return median([g.h for g in self.glyphs])

    @property
    def size(self) -> float:
        """Type size: the median advance of its Chinese characters (box heights differ between the
        fonts of one line, e.g. digits in Times), else of its box heights."""
        cjk = [g.x1 - g.x0 for g in self.glyphs if "\u4e00" <= g.ch <= "\u9fff"]
        return median(cjk) if cjk else median([g.h for g in self.glyphs]) * 0.8

    @property
    def text(self) -> str:
        return _glyph_text(self.glyphs)

    def words(self, gap: float = 0.6) -> list[_Line]:
        """Runs of characters separated by more than `gap` × the line height."""
        h = self.h
        out: list[list[_G]] = [[self.glyphs[0]]]
        for g in self.glyphs[1:]:
            if g.x0 - out[-1][-1].x1 > gap * h:
                out.append([g])
            else:
                out[-1].append(g)
        return [_Line(w) for w in out]


@dataclass(slots=True)
class _Seg:
    pos: float  # y of a horizontal, x of a vertical stroke
    a: float  # start along the stroke
    b: float  # end along the stroke


@dataclass(slots=True)
class _Item:
    """A flow item of one page in reading order: a text line or a table grid."""

    top: float
    bottom: float
    line: _Line | None = None
    grid: Table | None = None
    edges: tuple[float, ...] = ()  # x of the value-side column edges (continuation check)
    page: int = 0
    margin: bool = False  # page number / running header or footer


@dataclass(slots=True)
class _Page:
    no: int
    width: float
    height: float
    offset: float
    glyphs: list[_G] = field(default_factory=list)
    hsegs: list[_Seg] = field(default_factory=list)
    vsegs: list[_Seg] = field(default_factory=list)


# --------------------------------------------------------------------------------------------- text


def _is_cjk(ch: str) -> bool:
    return ch > "\u2e7f" and not ("\uff10" <= ch <= "\uff5a")


def _join_pieces(pieces: list[str]) -> str:
    """Lines of one cell or paragraph: "" between them, " " where two letters/digits would meet."""
    out = ""
    for p in pieces:
        if not p:
            continue
        if out and _ALNUM.match(out[-1]) and _ALNUM.match(p[0]):
            out += " "
        out += p
    return out


def _glyph_text(glyphs: list[_G]) -> str:
    """Characters of one line left to right; a gap wider than a third of the height becomes a space
    unless both sides are CJK (justified Chinese text), so "12 34" stays two numbers."""
    out: list[str] = []
    prev: _G | None = None
    for g in glyphs:
        if prev is not None:
            gap = g.x0 - prev.x1
            h = max(prev.h, g.h)
            if gap > 0.3 * h and not (_is_cjk(prev.ch) and _is_cjk(g.ch)):
                out.append(" ")
            elif gap > 1.5 * h:
                out.append(" ")
        out.append(g.ch)
        prev = g
    return "".join(out)


def _cluster_lines(glyphs: list[_G]) -> list[_Line]:
    """Glyphs → lines: a glyph joins the line whose vertical centre is within 35 % of its height."""
    lines: list[list[_G]] = []
    centres: list[float] = []
    heights: list[float] = []
    for g in sorted(glyphs, key=lambda g: g.cy):
        cy, h = g.cy, g.h
        if lines and abs(cy - centres[-1]) <= 0.35 * min(h, heights[-1]):
            lines[-1].append(g)
            n = len(lines[-1])
            centres[-1] += (cy - centres[-1]) / n
            continue
        lines.append([g])
        centres.append(cy)
        heights.append(h)
    return [_Line(line) for line in lines]


def _cell_text(glyphs: list[_G]) -> str:
    if not glyphs:
        return ""
    return _join_pieces([line.text for line in _cluster_lines(glyphs)])


# ------------------------------------------------------------------------------------- extraction


def _open(data: bytes, path: str):
    import pypdfium2 as pdfium

    head = data[:1024]
    if b"%PDF-" not in head:
        raise CorruptFile(f"{path}: not a PDF (no %PDF- header); is the file something else with a .pdf name?")
    if b"%%EOF" not in data[-16384:]:  # (a little trailing junk after the marker is tolerated)
        raise CorruptFile(f"{path}: truncated PDF (no %%EOF end marker); download it again")
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        msg = str(exc)
        if "password" in msg.lower():
            raise CorruptFile(f"{path}: encrypted PDF (a password is required to open it)") from None
        if "security" in msg.lower():
            raise CorruptFile(f"{path}: encrypted PDF with an unsupported security handler") from None
        reason = re.sub(r"^Failed to load document \(PDFium: (.*)\)\.?$", r"\1", msg) or "unreadable"
        raise CorruptFile(f"{path}: corrupt PDF ({reason.rstrip('.').lower()})") from None


def _display(rotation: int, width: float, height: float):
    """User space (origin bottom-left) → display space (origin top-left, y down) for a page rotation."""
    if rotation == 1:  # 90° clockwise
        return lambda x, y: (y, x), height, width
    if rotation == 2:
        return lambda x, y: (width - x, y), width, height
    if rotation == 3:
        return lambda x, y: (height - y, width - x), height, width
    return lambda x, y: (x, height - y), width, height


def _page_glyphs(textpage, to_disp, offset: float) -> tuple[list[_G], int, int]:
    import pypdfium2.raw as c

    n = c.FPDFText_CountChars(textpage)
    rect = c.FS_RECTF()
    tl, tr, tb, tt = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    out: list[_G] = []
    bad = 0
    pending_high = 0
    for i in range(max(n, 0)):
        if c.FPDFText_IsGenerated(textpage, i) == 1:
            continue
        u = c.FPDFText_GetUnicode(textpage, i)
        if 0xD800 <= u <= 0xDBFF:
            pending_high = u
            continue
        if 0xDC00 <= u <= 0xDFFF and pending_high:
            u = 0x10000 + ((pending_high - 0xD800) << 10) + (u - 0xDC00)
        pending_high = 0
        if u == 0 or u > 0x10FFFF:
            bad += 1
            continue
        ch = chr(u)
        if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf"):
            continue
        if ch == "\ufffd" or 0xE000 <= u <= 0xF8FF:
            bad += 1
            continue
        if 0x2E80 <= u <= 0x2FDF or 0xF900 <= u <= 0xFAFF:
            ch = _RADICALS.get(ch) or unicodedata.normalize("NFKC", ch)
        if not c.FPDFText_GetLooseCharBox(textpage, i, rect):
            continue
        left, right, bottom, top = rect.left, rect.right, rect.bottom, rect.top
        if (right - left > 40 or top - bottom > 40) and c.FPDFText_GetCharBox(textpage, i, tl, tr, tb, tt):
            tw, th = tr.value - tl.value, tt.value - tb.value
            if right - left > 6 * max(tw, 1.5) and top - bottom > 6 * max(th, 1.5):
                # a font whose metrics PDFium cannot scale (boxes of 200 pt around a 10 pt glyph):
                # the tight box, squared around its centre
                side = max(tw, th, 1.0) / 2
                mx, my = (tl.value + tr.value) / 2, (tb.value + tt.value) / 2
                left, right, bottom, top = mx - side, mx + side, my - side, my + side
        ax, ay = to_disp(left, top)
        bx, by = to_disp(right, bottom)
        x0, x1 = min(ax, bx), max(ax, bx)
        y0, y1 = min(ay, by), max(ay, by)
        if y1 - y0 < 0.5 or x1 - x0 < 0.05:
            continue
        out.append(_G(ch, x0, y0 + offset, x1, y1 + offset))
    return out, bad, len(out)


def _count_images(page_raw) -> int:
    import pypdfium2.raw as c

    n = max(c.FPDFPage_CountObjects(page_raw), 0)
    return sum(1 for k in range(min(n, MAX_PATH_OBJECTS))
               if c.FPDFPageObj_GetType(c.FPDFPage_GetObject(page_raw, k)) in (c.FPDF_PAGEOBJ_IMAGE, c.FPDF_PAGEOBJ_FORM))


def _page_rulings(page_raw, to_disp, offset: float) -> tuple[list[_Seg], list[_Seg]]:
    """Horizontal and vertical strokes of a page: stroked straight path segments and thin filled bars."""
    import pypdfium2.raw as c

    hs: list[_Seg] = []
    vs: list[_Seg] = []
    fx, fy = ctypes.c_float(), ctypes.c_float()
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    r, g, b, a = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    mat = c.FS_MATRIX()
    budget = [MAX_PATH_OBJECTS]

    def add(p: tuple[float, float], q: tuple[float, float]) -> None:
        (x0, y0), (x1, y1) = to_disp(*p), to_disp(*q)
        if abs(y1 - y0) <= 1.0 and abs(x1 - x0) > 2.0:
            hs.append(_Seg((y0 + y1) / 2 + offset, min(x0, x1), max(x0, x1)))
        elif abs(x1 - x0) <= 1.0 and abs(y1 - y0) > 2.0:
            vs.append(_Seg((x0 + x1) / 2, min(y0, y1) + offset, max(y0, y1) + offset))

    def visit(obj, parent) -> None:
        budget[0] -= 1
        if budget[0] < 0:
            return
        kind = c.FPDFPageObj_GetType(obj)
        if kind != c.FPDF_PAGEOBJ_PATH and kind != c.FPDF_PAGEOBJ_FORM:
            return
        if not c.FPDFPageObj_GetMatrix(obj, mat):
            return
        m = (mat.a, mat.b, mat.c, mat.d, mat.e, mat.f)
        if parent is not None:  # compose with the enclosing form XObject's matrix
            pa, pb, pc, pd, pe, pf = parent
            m = (m[0] * pa + m[1] * pc, m[0] * pb + m[1] * pd, m[2] * pa + m[3] * pc, m[2] * pb + m[3] * pd,
                 m[4] * pa + m[5] * pc + pe, m[4] * pb + m[5] * pd + pf)
        if kind == c.FPDF_PAGEOBJ_FORM:
            for k in range(max(c.FPDFFormObj_CountObjects(obj), 0)):
                child = c.FPDFFormObj_GetObject(obj, k)
                if child:
                    visit(child, m)
            return
        if kind != c.FPDF_PAGEOBJ_PATH:
            return
        if not c.FPDFPath_GetDrawMode(obj, fill_mode, stroke):
            return
        ma, mb, mc, md, me, mf = m

        def tf(x: float, y: float) -> tuple[float, float]:
            return (ma * x + mc * y + me, mb * x + md * y + mf)

        n = c.FPDFPath_CountSegments(obj)
        if n <= 1 or n > 400:
            return
        pts: list[tuple[int, tuple[float, float], bool]] = []
        for k in range(n):
            seg = c.FPDFPath_GetPathSegment(obj, k)
            if not seg or not c.FPDFPathSegment_GetPoint(seg, fx, fy):
                return
            pts.append((c.FPDFPathSegment_GetType(seg), tf(fx.value, fy.value), bool(c.FPDFPathSegment_GetClose(seg))))
        if stroke.value:
            c.FPDFPageObj_GetStrokeColor(obj, r, g, b, a)
            if a.value == 0 or (r.value > 240 and g.value > 240 and b.value > 240):
                return
            start = cur = None
            for typ, p, close in pts:
                if typ == c.FPDF_SEGMENT_MOVETO:
                    start = cur = p
                    continue
                if typ == c.FPDF_SEGMENT_LINETO and cur is not None:
                    add(cur, p)
                cur = p
                if close and start is not None:
                    add(cur, start)
                    cur = start
            return
        if fill_mode.value:  # a thin filled bar drawn as a rule
            c.FPDFPageObj_GetFillColor(obj, r, g, b, a)
            if a.value == 0 or (r.value > 240 and g.value > 240 and b.value > 240):
                return
            if any(t == c.FPDF_SEGMENT_BEZIERTO for t, _, _ in pts):
                return
            xs = [p[0] for _, p, _ in pts]
            ys = [p[1] for _, p, _ in pts]
            x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
            (dx0, dy0), (dx1, dy1) = to_disp(x0, y0), to_disp(x1, y1)
            w, h = abs(dx1 - dx0), abs(dy1 - dy0)
            if h <= 2.5 and w > 3 * max(h, 0.5):
                y = (dy0 + dy1) / 2
                hs.append(_Seg(y + offset, min(dx0, dx1), max(dx0, dx1)))
            elif w <= 2.5 and h > 3 * max(w, 0.5):
                x = (dx0 + dx1) / 2
                vs.append(_Seg(x, min(dy0, dy1) + offset, max(dy0, dy1) + offset))

    for k in range(max(c.FPDFPage_CountObjects(page_raw), 0)):
        obj = c.FPDFPage_GetObject(page_raw, k)
        if obj:
            visit(obj, None)
        if budget[0] < 0:
            return [], []
    return hs, vs


def _read(data: bytes, path: str) -> list[_Page]:
    import pypdfium2 as pdfium

    started = time.perf_counter()
    doc = _open(data, path)
    try:
        n = len(doc)
        if n == 0:
            raise CorruptFile(f"{path}: the PDF has no pages")
        if n > MAX_PAGES:
            raise NotAReport(f"{path}: {n} pages is more than the {MAX_PAGES}-page limit for an annual report")
        pages: list[_Page] = []
        offset = 0.0
        total = bad = images = 0
        for i in range(n):
            if time.perf_counter() - started > MAX_SECONDS:
                raise CorruptFile(f"{path}: reading the PDF took longer than {MAX_SECONDS:.0f} s (page {i + 1} of {n}); file too complex")
            try:
                page = doc[i]
            except pdfium.PdfiumError:
                raise CorruptFile(f"{path}: corrupt PDF (page {i + 1} of {n} cannot be read)") from None
            try:
                import pypdfium2.raw as c

                left, bottom, right, top = page.get_mediabox()
                width, height = right - left, top - bottom
                rot = c.FPDFPage_GetRotation(page.raw) % 4
                base, dw, dh = _display(rot, width, height)

                def to_disp(x: float, y: float, base=base, left=left, bottom=bottom) -> tuple[float, float]:
                    return base(x - left, y - bottom)

                try:
                    textpage = page.get_textpage()
                except pdfium.PdfiumError:
                    raise CorruptFile(f"{path}: corrupt PDF (the text of page {i + 1} cannot be read)") from None
                try:
                    glyphs, nbad, ngood = _page_glyphs(textpage, to_disp, offset)
                finally:
                    textpage.close()
                hs, vs = _page_rulings(page.raw, to_disp, offset) if glyphs else ([], [])
                if not glyphs and not nbad:
                    images += _count_images(page.raw)
            finally:
                page.close()
            total += ngood
            bad += nbad
            pages.append(_Page(i, dw, dh, offset, glyphs, hs, vs))
            offset += dh + 40.0
    finally:
        doc.close()
    if total == 0 and bad == 0:
        if images:
            raise NotAReport(f"{path}: scanned PDF, no text layer (OCR is not supported)")
        raise NotAReport(f"{path}: the PDF has no text layer and no images (blank pages, or text drawn as outlines)")
    if bad > total:
        raise NotAReport(f"{path}: the PDF's text layer has no usable Unicode mapping ({bad} of {bad + total} characters unreadable); OCR is not supported")
    return pages


# ------------------------------------------------------------------------------------ ruled grids


def _merge_segs(segs: list[_Seg], tol: float = 1.5, gap: float = 2.5) -> list[_Seg]:
    """Collinear strokes (same position within tol) whose extents touch become one."""
    out: list[_Seg] = []
    segs = sorted(segs, key=lambda s: s.pos)
    groups: list[list[_Seg]] = []
    for s in segs:
        if groups and s.pos - groups[-1][-1].pos <= tol:
            groups[-1].append(s)
        else:
            groups.append([s])
    for grp in groups:
        pos = sum(s.pos for s in grp) / len(grp)
        cur: _Seg | None = None
        for s in sorted(grp, key=lambda s: s.a):
            if cur is not None and s.a <= cur.b + gap:
                cur.b = max(cur.b, s.b)
            else:
                cur = _Seg(pos, s.a, s.b)
                out.append(cur)
    return out


def _cluster_pos(values: list[float], tol: float = 2.5) -> list[float]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(c) / len(c) for c in out]


@dataclass(slots=True)
class _Grid:
    xs: list[float]
    ys: list[float]
    cells: dict[tuple[int, int], tuple[int, int, int, int]]  # elementary (row, col) → (r0, r1, c0, c1)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]


def _grids(hs: list[_Seg], vs: list[_Seg], tol: float = 2.5) -> list[_Grid]:
    hs, vs = _merge_segs(hs), _merge_segs(vs)
    if len(hs) < 2 or len(vs) < 2 or len(hs) + len(vs) > MAX_SEGMENTS:
        return []
    # connected components of crossing strokes
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, h in enumerate(hs):
        for j, v in enumerate(vs):
            if h.a - tol <= v.pos <= h.b + tol and v.a - tol <= h.pos <= v.b + tol:
                parent[find(i)] = find(len(hs) + j)
    comps: dict[int, tuple[list[_Seg], list[_Seg]]] = {}
    for i, h in enumerate(hs):
        comps.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        comps.setdefault(find(len(hs) + j), ([], []))[1].append(v)
    out = []
    for ch, cv in comps.values():
        if len(ch) < 2 or len(cv) < 2:
            continue
        xs = _cluster_pos([v.pos for v in cv])
        ys = _cluster_pos([h.pos for h in ch])
        for edge in (min(h.a for h in ch), max(h.b for h in ch)):  # an outer border that is not drawn
            if min(abs(edge - x) for x in xs) > 3 * tol:
                xs.append(edge)
        for edge in (min(v.a for v in cv), max(v.b for v in cv)):
            if min(abs(edge - y) for y in ys) > 3 * tol:
                ys.append(edge)
        xs.sort()
        ys.sort()
        if len(xs) < 3 or len(ys) < 3:
            continue
        grid = _grid_cells(xs, ys, ch, cv, tol)
        if grid is not None:
            out.append(grid)
    return out


def _covered(segs: list[_Seg], pos: float, a: float, b: float, tol: float) -> bool:
    need = 0.5 * (b - a)
    got = 0.0
    for s in segs:
        if abs(s.pos - pos) <= tol:
            got += max(0.0, min(s.b, b) - max(s.a, a))
    return got >= need


def _grid_cells(xs, ys, hs, vs, tol) -> _Grid | None:
    nr, nc = len(ys) - 1, len(xs) - 1
    parent = list(range(nr * nc))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(nr):
        for j in range(nc):
            if j + 1 < nc and not _covered(vs, xs[j + 1], ys[i], ys[i + 1], tol):
                parent[find(i * nc + j)] = find(i * nc + j + 1)
            if i + 1 < nr and not _covered(hs, ys[i + 1], xs[j], xs[j + 1], tol):
                parent[find(i * nc + j)] = find((i + 1) * nc + j)
    members: dict[int, list[tuple[int, int]]] = {}
    for i in range(nr):
        for j in range(nc):
            members.setdefault(find(i * nc + j), []).append((i, j))
    cells: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    for mem in members.values():
        r0, r1 = min(m[0] for m in mem), max(m[0] for m in mem)
        c0, c1 = min(m[1] for m in mem), max(m[1] for m in mem)
        if len(mem) != (r1 - r0 + 1) * (c1 - c0 + 1):
            return None  # not rectangular: the strokes do not make a clean grid
        for m in mem:
            cells[m] = (r0, r1, c0, c1)
    if len(set(cells.values())) < 2:
        return None
    return _Grid(xs, ys, cells)


def _grid_table(grid: _Grid, glyphs: list[_G]) -> Table:
    """The grid's cells with their text as rows of TCells (HTML conventions: colspan, cont stand-ins)."""
    xs, ys = grid.xs, grid.ys
    nr, nc = len(ys) - 1, len(xs) - 1
    content: dict[tuple[int, int, int, int], list[_G]] = {}
    for g in glyphs:
        i = min(max(bisect_right(ys, g.cy) - 1, 0), nr - 1)
        j = min(max(bisect_right(xs, g.cx) - 1, 0), nc - 1)
        content.setdefault(grid.cells[(i, j)], []).append(g)
    rows: Table = []
    for i in range(nr):
        row: list[TCell] = []
        for j in range(nc):
            r0, r1, c0, c1 = cell = grid.cells[(i, j)]
            if c0 != j:
                continue
            if r0 == i:
                row.append(TCell(_cell_text(content.get(cell, [])), c1 - c0 + 1))
            else:
                row.append(TCell("", c1 - c0 + 1, cont=True))
        if any(not c.cont for c in row):
            rows.append(row)
    return rows


def _value_edges(xs: list[float]) -> tuple[float, ...]:
    """The outer left and right edges: a table continued on the next page keeps its width."""
    return (round(xs[0]), round(xs[-1]))


# ------------------------------------------------------------------------------------ aligned text


def _is_value(text: str) -> bool:
    return classify(text)[0] in ("number", "dash")


def _is_heading(line: _Line) -> bool:
    from ..structure import heading_no

    return heading_no(line.text) is not None


def _is_prose(line: _Line, text_right: float) -> bool:
    """A line of running text: long, reaching the right margin, with no wide gaps."""
    if len(line.glyphs) < 18:
        return False
    return len(line.words(gap=1.5)) <= 2 and line.x1 >= text_right - 2 * line.size


def _is_value_row(line: _Line) -> bool:
    """Numbers at the right end of the line, apart from the text: several, or one after a row label."""
    words = line.words()
    if not words or not _is_value(words[-1].text):
        return False
    vals = sum(1 for w in words if _is_value(w.text))
    if vals >= 2:
        return len(words) - vals <= 3
    return len(words) >= 2 and template.is_label(words[0].text) and "。" not in line.text and len(line.glyphs) <= 40


def _is_header_line(line: _Line) -> bool:
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


def _stream_tables(lines: list[_Line], text_right: float) -> list[tuple[int, int, Table]]:
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


def _stream_grid(lines: list[_Line]) -> Table:
    """Rows of one aligned-text table, cut into parts at each header line (表二's sub-tables)."""
    parts: list[tuple[list[_Line], list[_Line]]] = [([], [])]
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


def _stream_part(head: list[_Line], body: list[_Line]) -> Table:
    anchors = [line for line in body if _is_value_row(line)]
    label_right = max((w.x1 for line in anchors for w in line.words() if not _is_value(w.text)), default=0.0)
    numbers = [w for line in anchors for w in line.words() if _is_value(w.text) and w.x0 >= label_right - 1]
    columns = [(min(w.x0 for w in c), max(w.x1 for w in c)) for c in _cluster_x_groups(numbers)]
    hwords = [w for line in head for w in _merge_spread(line.words(), columns)]
    leaves = _leaves([w for w in hwords if w.x0 >= label_right - 1])
    spans = sorted((min(w.x0 for w in leaf), max(w.x1 for w in leaf)) for leaf in leaves)
    if not spans or any(sum(_overlap(s, w) > 0 for s in spans) != 1 for w in numbers):
        # no header over the numbers (a continuation), or one that does not describe them
        spans = sorted((min(w.x0 for w in c), max(w.x1 for w in c)) for c in _cluster_x_groups(numbers))
        leaves = []
    ncols = len(spans)
    bounds = [(spans[k][1] + spans[k + 1][0]) / 2 for k in range(ncols - 1)]
    rows: list[tuple[float, list[TCell]]] = []
    header = _stream_header(hwords, spans, bounds, label_right) if leaves else None
    # label-side header text sits left of the value columns. A header that could not be read keeps
    # only its group labels (行政复议, 申请人情况…): the table is still recognised, but no column is
    # named, so the mapper places no value (the cells stay blank and the report is partial)
    for r in _rows_of([w for w in hwords if w.x0 < label_right - 1]):
        rows.append((r[0].top, [TCell(_label_text(r), 1)] + [TCell("", 1) for _ in range(ncols)]))
    if header is None:
        for r in _rows_of([w for w in hwords if w.x0 >= label_right - 1]):
            groups = [TCell(w.text, None) for w in r
                      if template.group_span("t3", w.text) or template.group_span("t4", w.text)]
            if groups:
                rows.append((r[0].top, groups))
    for top, cells in header or []:
        rows.append((top, cells))
    # every other line joins the nearest row of numbers when it is close (a wrapped label), else
    # it is a row of its own (第二十条第（五）项)
    extra: dict[int, list[_Line]] = {id(a): [] for a in anchors}
    for line in body:
        if id(line) in extra:
            continue
        cy = (line.top + line.bottom) / 2
        near = min(anchors, key=lambda a: abs((a.top + a.bottom) / 2 - cy))
        inside = anchors[0].top <= cy <= anchors[-1].bottom
        if inside or abs((near.top + near.bottom) / 2 - cy) <= 2.2 * line.size:
            extra[id(near)].append(line)
        else:
            rows.append((line.top, [TCell(line.text, 1)]))
    for anchor in anchors:
        words = anchor.words() + [w for line in extra[id(anchor)] for w in line.words()]
        values = [w for w in words if _is_value(w.text) and w.x0 >= label_right - 1]
        labels = [w for w in words if not (_is_value(w.text) and w.x0 >= label_right - 1)]
        row = [TCell(t, 1) for t in _label_cells(labels)]
        placed: dict[int, _Line] = {}
        for w in values:
            hit = [k for k, s in enumerate(spans) if _overlap(s, w) > 0]
            if len(hit) != 1 or hit[0] in placed:
                placed = {}
                break
            placed[hit[0]] = w
        if placed or not values:
            row += [TCell(placed[k].text if k in placed else "", 1) for k in range(ncols)]
        else:  # numbers that cannot be told apart: kept together, the mapper stores them as text
            row.append(TCell(" ".join(w.text for w in sorted(values, key=lambda w: w.x0)), 1))
        rows.append((anchor.top, row))
    rows.sort(key=lambda r: r[0])
    return [r for _, r in rows]


def _merge_spread(words: list[_Line], columns: list[tuple[float, float]]) -> list[_Line]:
    """Header words, told apart by the columns of numbers below them. Characters are split at every
    visible gap and joined again when they lie over the same column of numbers (each column owns the
    x-range up to half-way to its neighbours): "总   计" or "社 会 公 益" spread over the width of one
    cell join, "结果 其他" of two narrow neighbouring cells do not. Without numbers, small gaps join."""
    fine = [piece for w in words for piece in w.words(gap=0.25)]
    cols = sorted(columns)
    cuts = [(cols[k][1] + cols[k + 1][0]) / 2 for k in range(len(cols) - 1)]
    out: list[_Line] = []
    last: _Line | None = None
    for w in fine:
        if out and last is not None:
            prev = out[-1]
            gap = w.x0 - prev.x1
            if cols:
                zone = bisect_right(cuts, (w.x0 + w.x1) / 2)
                join = bisect_right(cuts, (last.x0 + last.x1) / 2) == zone and gap < 1.5 * w.size
            else:
                join = gap <= 0.6 * w.size
            if join:
                out[-1] = _Line(prev.glyphs + w.glyphs)
                last = w
                continue
        out.append(w)
        last = w
    return out


def _overlap(span: tuple[float, float], w: _Line) -> float:
    return min(span[1], w.x1) - max(span[0], w.x0)


def _cluster_x_groups(words: list[_Line]) -> list[list[_Line]]:
    """Words grouped by overlapping x-ranges (a column of numbers, the lines of one label cell)."""
    groups: list[list[_Line]] = []
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


def _leaves(words: list[_Line]) -> list[list[_Line]]:
    """Leaf header cells, bottom-up: a word over no leaf starts one, a word just above one leaf joins
    it (a wrapped label), a word over two or more leaves is a group header."""
    leaves: list[list[_Line]] = []
    for w in sorted(words, key=lambda w: -w.bottom):
        hits = [leaf for leaf in leaves if min(max(x.x1 for x in leaf), w.x1) - max(min(x.x0 for x in leaf), w.x0) > 0]
        if not hits:
            leaves.append([w])
        elif len(hits) == 1 and min(x.top for x in hits[0]) - w.bottom <= 1.25 * w.size:
            hits[0].append(w)
    return leaves


def _stream_header(hwords: list[_Line], spans, bounds, label_right: float) -> list[tuple[float, list[TCell]]] | None:
    """Header rows over the leaf columns, each header cell at its columns: the columns its text
    covers, or — for a group label narrower than its cell (行政复议 over five columns) — the template's
    group width, placed where it is centred on or starts at its text and does not collide with another
    cell of its line. None when a placement is not certain."""
    ncols = len(spans)

    def col(x: float) -> int:
        return bisect_right(bounds, x)

    cells: list[list[_Line]] = []
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
    for cell in sorted(fixed):
        if lines and min(cell[1], lines[-1][0][1]) - max(cell[0], lines[-1][0][0]) > 0:
            lines[-1].append(cell)
        else:
            lines.append([cell])
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
    """The header read from positions names no template column twice (else it was misread)."""
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
    return len(best) == len(set(best))


def _rows_of(words: list[_Line]) -> list[list[_Line]]:
    out: list[list[_Line]] = []
    for w in sorted(words, key=lambda w: (w.top, w.x0)):
        if out and abs(out[-1][0].top - w.top) <= 0.35 * w.size:
            out[-1].append(w)
        else:
            out.append([w])
    return [sorted(r, key=lambda w: w.x0) for r in out]


def _label_text(words: list[_Line]) -> str:
    return _join_pieces([_glyph_text([g for w in r for g in w.glyphs]) for r in _rows_of(words)])


def _label_cells(words: list[_Line]) -> list[str]:
    """Label words of one row grouped into cells by x-overlap (the wrapped lines of a cell join)."""
    groups = sorted(_cluster_x_groups(words), key=lambda g: min(w.x0 for w in g))
    return [_label_text(grp) for grp in groups]


# ------------------------------------------------------------------------------------- page layout


def _page_items(page: _Page, use_rulings: bool) -> list[_Item]:
    items: list[_Item] = []
    glyphs = page.glyphs
    taken: set[int] = set()
    if use_rulings:
        for grid in _grids(page.hsegs, page.vsegs):
            x0, y0, x1, y1 = grid.bbox
            inside = [k for k, g in enumerate(glyphs) if x0 <= g.cx <= x1 and y0 <= g.cy <= y1 and k not in taken]
            if not inside:
                continue
            rows = _grid_table(grid, [glyphs[k] for k in inside])
            if len(rows) < 2 or max(len(r) for r in rows) < 2:
                continue
            taken.update(inside)
            items.append(_Item(y0, y1, grid=rows, edges=_value_edges(grid.xs), page=page.no))
    rest = [g for k, g in enumerate(glyphs) if k not in taken]
    lines = _cluster_lines(rest)
    for line in lines:
        margin = _is_margin(line, page)
        items.append(_Item(line.top, line.bottom, line=line, page=page.no, margin=margin))
    items.sort(key=lambda it: it.top)
    return items


def _is_margin(line: _Line, page: _Page) -> bool:
    rel_top = line.top - page.offset
    rel_bottom = line.bottom - page.offset
    near_edge = rel_bottom < 0.12 * page.height or rel_top > 0.85 * page.height
    return near_edge and bool(_PAGE_NO.match(line.text))


def _stream_pass(items: list[_Item]) -> list[_Item]:
    """Replace runs of aligned-text table lines (outside ruled grids) by table items."""
    lines = [it for it in items if it.line is not None and not it.margin]
    if not lines:
        return items
    text_right = max(it.line.x1 for it in lines)
    found = _stream_tables([it.line for it in lines], text_right)
    if not found:
        return items
    drop: set[int] = set()
    new: list[_Item] = []
    for first, last, grid in found:
        drop.update(id(lines[k]) for k in range(first, last + 1))
        left = min(lines[k].line.x0 for k in range(first, last + 1))
        right = max(lines[k].line.x1 for k in range(first, last + 1))
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
    para: list[str] = []
    prev: _Line | None = None
    prev_page = -1
    prev_table = False
    in_title = True  # the lines in larger type at the top of the first page

    def flush() -> None:
        nonlocal para
        if para:
            blocks.append(Block("para", text=_join_pieces(para)))
        para = []

    for it in items:
        if it.margin:
            continue
        if it.grid is not None:
            flush()
            last = blocks[-1] if blocks else None
            if (last is not None and last.kind == "table" and prev_table and it.page == prev_page + 1
                    and last.table is not None and _continues(edges_of.get(id(last), ()), it.edges)):
                last.table.extend(it.grid)  # a table continued on the next page
            else:
                blocks.append(Block("table", table=it.grid))
                edges_of[id(blocks[-1])] = it.edges
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


def _continues(edges: tuple[float, ...], nxt: tuple[float, ...]) -> bool:
    """Same right-hand column edges: the grid on the next page continues this table."""
    if not edges or not nxt or len(edges) != len(nxt):
        return False
    return all(abs(a - b) <= 4 for a, b in zip(edges, nxt))


def parse_pdf(data: bytes, path: str, use_rulings: bool = True) -> RawDocument:
    """Parse a PDF with a text layer. `use_rulings=False` reads tables from text alignment only."""
    pages = _read(data, path)
    items: list[_Item] = []
    for page in pages:
        items.extend(_page_items(page, use_rulings))
    items = _stream_pass(items)
    blocks = _blocks(items)
    return RawDocument("pdf", blocks)
