"""PDF reading with PDFium (pypdfium2): every printed character with its box, and the straight strokes
(table rulings), in display space, into the page model of pdf_model.

Geometry. Coordinates are turned into display space (origin top-left, y down, page rotation applied)
and pages are stacked; characters get PDFium's *loose* boxes (font ascent to descent), so every
character of one printed line shares its top and bottom whatever its shape ("、" and "." included);
where a font's metrics are broken (洪泽's vertical 三/本/年 header: 200-pt boxes around 10-pt glyphs)
the tight glyph box is used instead.

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
from collections.abc import Callable
from typing import TYPE_CHECKING

from gongkai.parse.errors import CorruptFile, NotAReport
from gongkai.parse.pdf.model import Glyph, Page, Seg

if TYPE_CHECKING:  # pypdfium2 ships no type information: these name its handle types for the reader
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

ToDisplay = Callable[[float, float], tuple[float, float]]  # user space → display space (see _display)
Matrix = tuple[float, float, float, float, float, float]  # a PDF transformation matrix (a b c d e f)

MAX_PAGES = 200
MAX_SECONDS = 30.0
MAX_PATH_OBJECTS = 20000  # per page; pages of vector art beyond this are read without rulings

_RADICALS = {  # CJK Radicals Supplement code points without an NFKC mapping, as PDF producers emit them
    "⻔": "门", "⻅": "见", "⻓": "长", "⻛": "风", "⻜": "飞", "⻢": "马", "⻋": "车", "⻉": "贝",
    "⻆": "角", "⻄": "西", "⻚": "页", "⻥": "鱼", "⻦": "鸟", "⻩": "黄", "⻬": "齐", "⻰": "龙",
    "⺠": "民", "⻙": "韦", "⻝": "食", "⻘": "青", "⻨": "麦", "⻳": "龟", "⻮": "齿",
}
_SKIP = frozenset(range(0x7F, 0xA1)) | {0xAD, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2028, 0x2029, 0x2060}

# ------------------------------------------------------------------------------------- extraction


def _open(data: bytes, path: str) -> pdfium.PdfDocument:
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


def _display(rotation: int, width: float, height: float) -> tuple[ToDisplay, float, float]:
    """User space (origin bottom-left) → display space (origin top-left, y down) for a page rotation."""
    if rotation == 1:  # 90° clockwise
        return lambda x, y: (y, x), height, width
    if rotation == 2:
        return lambda x, y: (width - x, y), width, height
    if rotation == 3:
        return lambda x, y: (height - y, width - x), height, width
    return lambda x, y: (x, height - y), width, height


def _unicodes(textpage: pdfium_c.FPDF_TEXTPAGE, n: int) -> list[int]:
    """The code of every character index: one FPDFText_GetText call for the page when it maps one
    UTF-16 unit to each index (always, but for characters outside the BMP), else one call per index."""
    import pypdfium2.raw as c

    buf = (ctypes.c_ushort * (n + 1))()
    written = c.FPDFText_GetText(textpage, 0, n, buf)
    if written == n + 1:
        return list(buf)[:n]
    return [c.FPDFText_GetUnicode(textpage, i) for i in range(n)]


def _page_glyphs(textpage: pdfium_c.FPDF_TEXTPAGE, to_disp: ToDisplay, offset: float, flip: tuple[float, float, float] | None = None
                 ) -> tuple[list[Glyph], int, int]:
    """Printed characters of a page with their boxes. `flip` = (left, bottom, height) for an unrotated
    page (the common case, computed inline), else `to_disp` converts each corner."""
    import pypdfium2.raw as c

    n = c.FPDFText_CountChars(textpage)
    if n <= 0:
        return [], 0, 0
    codes = _unicodes(textpage, n)
    rect = c.FS_RECTF()
    loose = c.FPDFText_GetLooseCharBox
    tl, tr, tb, tt = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    out: list[Glyph] = []
    append = out.append
    bad = 0
    pending_high = 0
    category = unicodedata.category
    for i, u in enumerate(codes):
        if u < 0x3000 and (u <= 0x20 or u in _SKIP):  # spaces, line breaks, controls (generated ones too)
            if u == 0:
                bad += 1
            continue
        if 0xD800 <= u <= 0xDBFF:
            pending_high = u
            continue
        if 0xDC00 <= u <= 0xDFFF and pending_high:
            u = 0x10000 + ((pending_high - 0xD800) << 10) + (u - 0xDC00)
        pending_high = 0
        if u > 0x10FFFF:
            bad += 1
            continue
        ch = chr(u)
        if u > 0x7E:
            if ch.isspace() or category(ch) in ("Cc", "Cf"):
                continue
            if u == 0xFFFD or 0xE000 <= u <= 0xF8FF:
                bad += 1
                continue
            if 0x2E80 <= u <= 0x2FDF or 0xF900 <= u <= 0xFAFF:
                ch = _RADICALS.get(ch) or unicodedata.normalize("NFKC", ch)
        if not loose(textpage, i, rect):
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
        if flip is not None:
            fl, fb, fh = flip
            x0, x1 = left - fl, right - fl
            y0, y1 = fh - (top - fb), fh - (bottom - fb)
            if x0 > x1:
                x0, x1 = x1, x0
            if y0 > y1:
                y0, y1 = y1, y0
        else:
            ax, ay = to_disp(left, top)
            bx, by = to_disp(right, bottom)
            x0, x1 = min(ax, bx), max(ax, bx)
            y0, y1 = min(ay, by), max(ay, by)
        if y1 - y0 < 0.5 or x1 - x0 < 0.05:
            continue
        append(Glyph(ch, x0, y0 + offset, x1, y1 + offset))
    return out, bad, len(out)


def _count_images(page_raw: pdfium_c.FPDF_PAGE) -> int:
    import pypdfium2.raw as c

    n = max(c.FPDFPage_CountObjects(page_raw), 0)
    return sum(1 for k in range(min(n, MAX_PATH_OBJECTS))
               if c.FPDFPageObj_GetType(c.FPDFPage_GetObject(page_raw, k)) in (c.FPDF_PAGEOBJ_IMAGE, c.FPDF_PAGEOBJ_FORM))


def _page_rulings(page_raw: pdfium_c.FPDF_PAGE, to_disp: ToDisplay, offset: float) -> tuple[list[Seg], list[Seg]]:
    """Horizontal and vertical strokes of a page: stroked straight path segments and thin filled bars."""
    import pypdfium2.raw as c

    hs: list[Seg] = []
    vs: list[Seg] = []
    fx, fy = ctypes.c_float(), ctypes.c_float()
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    r, g, b, a = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    mat = c.FS_MATRIX()
    budget = [MAX_PATH_OBJECTS]

    def add(p: tuple[float, float], q: tuple[float, float]) -> None:
        (x0, y0), (x1, y1) = to_disp(*p), to_disp(*q)
        if abs(y1 - y0) <= 1.0 and abs(x1 - x0) > 2.0:
            hs.append(Seg((y0 + y1) / 2 + offset, min(x0, x1), max(x0, x1)))
        elif abs(x1 - x0) <= 1.0 and abs(y1 - y0) > 2.0:
            vs.append(Seg((x0 + x1) / 2, min(y0, y1) + offset, max(y0, y1) + offset))

    bl, bb, br, bt = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    whites: list[tuple[float, float, float, float]] = []  # filled rectangles in display space (x0, top, x1, bottom)
    darks: list[tuple[float, float, float, float]] = []

    def sides(box: tuple[float, float, float, float]) -> None:
        """The four sides of a filled rectangle, where a cell's rulings would be."""
        left, upper, right, lower = box
        hs.extend((Seg(upper, left, right), Seg(lower, left, right)))
        vs.extend((Seg(left, upper, lower), Seg(right, upper, lower)))

    def thin(obj: pdfium_c.FPDF_PAGEOBJECT) -> bool:
        """Fast path for a page-level line (two points) or a small filled shape whose bounding box is
        a thin bar: the box is the rule (a stroke's box is widened by half the line width all round).
        True when the object was dealt with here."""
        n = c.FPDFPath_CountSegments(obj)
        if not (2 <= n <= 5) or not c.FPDFPath_GetDrawMode(obj, fill_mode, stroke):
            return False
        if stroke.value and n != 2 or not (stroke.value or fill_mode.value):
            return False
        if not c.FPDFPageObj_GetBounds(obj, bl, bb, br, bt):
            return False
        x0, x1, y0, y1 = bl.value, br.value, bb.value, bt.value
        w, h = x1 - x0, y1 - y0
        if stroke.value:
            if h <= 2.5 and w - h > 2.0:
                x0, x1 = x0 + h / 2, x1 - h / 2
            elif w <= 2.5 and h - w > 2.0:
                y0, y1 = y0 + w / 2, y1 - w / 2
            else:
                return False
            c.FPDFPageObj_GetStrokeColor(obj, r, g, b, a)
        else:
            if not (h <= 2.5 and w > 3 * max(h, 0.5)) and not (w <= 2.5 and h > 3 * max(w, 0.5)):
                return False
            c.FPDFPageObj_GetFillColor(obj, r, g, b, a)
        if a.value == 0 or (r.value > 240 and g.value > 240 and b.value > 240):
            return True
        (dx0, dy0), (dx1, dy1) = to_disp(x0, y0), to_disp(x1, y1)
        if abs(dy1 - dy0) < abs(dx1 - dx0):
            hs.append(Seg((dy0 + dy1) / 2 + offset, min(dx0, dx1), max(dx0, dx1)))
        else:
            vs.append(Seg((dx0 + dx1) / 2, min(dy0, dy1) + offset, max(dy0, dy1) + offset))
        return True

    def visit(obj: pdfium_c.FPDF_PAGEOBJECT, parent: Matrix | None) -> None:
        budget[0] -= 1
        if budget[0] < 0:
            return
        kind = c.FPDFPageObj_GetType(obj)
        if kind != c.FPDF_PAGEOBJ_PATH and kind != c.FPDF_PAGEOBJ_FORM:
            return
        if parent is None and kind == c.FPDF_PAGEOBJ_PATH and thin(obj):
            return
        if not c.FPDFPageObj_GetMatrix(obj, mat):
            return
        m: Matrix = (mat.a, mat.b, mat.c, mat.d, mat.e, mat.f)
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
        if fill_mode.value:  # a thin filled bar drawn as a rule, or a cell drawn as a filled rectangle
            c.FPDFPageObj_GetFillColor(obj, r, g, b, a)
            if a.value == 0:
                return
            if any(t == c.FPDF_SEGMENT_BEZIERTO for t, _, _ in pts):
                return
            xs = [p[0] for _, p, _ in pts]
            ys = [p[1] for _, p, _ in pts]
            x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
            (dx0, dy0), (dx1, dy1) = to_disp(x0, y0), to_disp(x1, y1)
            w, h = abs(dx1 - dx0), abs(dy1 - dy0)
            white = r.value > 240 and g.value > 240 and b.value > 240
            if w > 3 and h > 3 and len(pts) <= 5 and all(
                    min(abs(p[0] - x0), abs(p[0] - x1)) < 0.05 and min(abs(p[1] - y0), abs(p[1] - y1)) < 0.05
                    for _, p, _ in pts):
                # a filled rectangle (tinted cells with white gaps between them, or white cells on a dark
                # frame): its sides are where the cell's rulings would be; white ones count too
                box = (min(dx0, dx1), min(dy0, dy1) + offset, max(dx0, dx1), max(dy0, dy1) + offset)
                if white:
                    whites.append(box)
                else:
                    sides(box)
                    if max(r.value, g.value, b.value) < 128:
                        darks.append(box)
                return
            if white:
                return
            if h <= 2.5 and w > 3 * max(h, 0.5):
                y = (dy0 + dy1) / 2
                hs.append(Seg(y + offset, min(dx0, dx1), max(dx0, dx1)))
            elif w <= 2.5 and h > 3 * max(w, 0.5):
                x = (dx0 + dx1) / 2
                vs.append(Seg(x, min(dy0, dy1) + offset, max(dy0, dy1) + offset))

    for k in range(max(c.FPDFPage_CountObjects(page_raw), 0)):
        obj = c.FPDFPage_GetObject(page_raw, k)
        if obj:
            visit(obj, None)
        if budget[0] < 0:
            return [], []
    # white rectangles are cells only on a dark ground (Word and WPS paint white boxes behind every line
    # of text and every cell; those are no rulings)
    for box in whites:
        if any(d[0] - 0.5 <= box[0] and d[1] - 0.5 <= box[1] and box[2] <= d[2] + 0.5 and box[3] <= d[3] + 0.5
               for d in darks):
            sides(box)
    return hs, vs


def read_pages(data: bytes, path: str) -> list[Page]:
    import pypdfium2 as pdfium

    started = time.perf_counter()
    doc = _open(data, path)
    try:
        n = len(doc)
        if n == 0:
            raise CorruptFile(f"{path}: the PDF has no pages")
        if n > MAX_PAGES:
            raise NotAReport(f"{path}: {n} pages is more than the {MAX_PAGES}-page limit for an annual report")
        pages: list[Page] = []
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

                def to_disp(x: float, y: float, base: ToDisplay = base, left: float = left, bottom: float = bottom
                            ) -> tuple[float, float]:
                    return base(x - left, y - bottom)

                try:
                    textpage = page.get_textpage()
                except pdfium.PdfiumError:
                    raise CorruptFile(f"{path}: corrupt PDF (the text of page {i + 1} cannot be read)") from None
                try:
                    glyphs, nbad, ngood = _page_glyphs(textpage, to_disp, offset,
                                                       (left, bottom, height) if rot == 0 else None)
                finally:
                    textpage.close()
                hs, vs = _page_rulings(page.raw, to_disp, offset) if glyphs else ([], [])
                if not glyphs and not nbad:
                    images += _count_images(page.raw)
            finally:
                page.close()
            total += ngood
            bad += nbad
            pages.append(Page(i, dw, dh, offset, glyphs, hs, vs))
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

