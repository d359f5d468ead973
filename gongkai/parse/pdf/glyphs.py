"""The printed characters of a page with their boxes, in display space (PDFium's text page).

Characters get PDFium's *loose* boxes (font ascent to descent), so every character of one printed line
shares its top and bottom whatever its shape ("、" and "." included); where a font's metrics are broken
(洪泽's vertical 三/本/年 header: 200-pt boxes around 10-pt glyphs) the tight glyph box is used instead.

Kangxi/CJK-radical code points that some Chinese PDF producers emit for ordinary characters (⽂ for
文) are mapped back to the unified ideographs.
"""

from __future__ import annotations

import ctypes
import unicodedata
from typing import TYPE_CHECKING

from gongkai.parse.pdf.display import ToDisplay
from gongkai.parse.pdf.model import Glyph

if TYPE_CHECKING:  # pypdfium2 ships no type information: these name its handle types for the reader
    import pypdfium2.raw as pdfium_c

_RADICALS = {  # CJK Radicals Supplement code points without an NFKC mapping, as PDF producers emit them
    "⻔": "门", "⻅": "见", "⻓": "长", "⻛": "风", "⻜": "飞", "⻢": "马", "⻋": "车", "⻉": "贝",
    "⻆": "角", "⻄": "西", "⻚": "页", "⻥": "鱼", "⻦": "鸟", "⻩": "黄", "⻬": "齐", "⻰": "龙",
    "⺠": "民", "⻙": "韦", "⻝": "食", "⻘": "青", "⻨": "麦", "⻳": "龟", "⻮": "齿",
}
_SKIP = frozenset(range(0x7F, 0xA1)) | {0xAD, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2028, 0x2029, 0x2060}


def _unicodes(textpage: pdfium_c.FPDF_TEXTPAGE, n: int) -> list[int]:
    """The code of every character index: one FPDFText_GetText call for the page when it maps one
    UTF-16 unit to each index (always, but for characters outside the BMP), else one call per index."""
    import pypdfium2.raw as c

    buf = (ctypes.c_ushort * (n + 1))()
    written = c.FPDFText_GetText(textpage, 0, n, buf)
    if written == n + 1:
        return list(buf)[:n]
    return [c.FPDFText_GetUnicode(textpage, i) for i in range(n)]


def page_glyphs(textpage: pdfium_c.FPDF_TEXTPAGE, to_disp: ToDisplay, offset: float, flip: tuple[float, float, float] | None = None
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
