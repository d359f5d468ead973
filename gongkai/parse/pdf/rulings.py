"""The straight strokes of a page (table rulings), in display space: stroked straight path segments,
thin filled bars and the sides of filled rectangles (cells), inside form XObjects too.
"""

from __future__ import annotations

import ctypes
from typing import TYPE_CHECKING

from gongkai.parse.pdf.display import ToDisplay
from gongkai.parse.pdf.model import Seg

if TYPE_CHECKING:  # pypdfium2 ships no type information: these name its handle types for the reader
    import pypdfium2.raw as pdfium_c

Matrix = tuple[float, float, float, float, float, float]  # a PDF transformation matrix (a b c d e f)

MAX_PATH_OBJECTS = 20000  # per page; pages of vector art beyond this are read without rulings


def page_rulings(page_raw: pdfium_c.FPDF_PAGE, to_disp: ToDisplay, offset: float) -> tuple[list[Seg], list[Seg]]:
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
