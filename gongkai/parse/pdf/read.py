"""PDF reading with PDFium (pypdfium2): every printed character with its box, and the straight strokes
(table rulings), in display space, into the page model of pdf_model. This module opens the file and reads
it page by page within the limits below; glyphs reads a page's characters, rulings its strokes, and display
holds the user-space → display-space transform they share.

Geometry. Coordinates are turned into display space (origin top-left, y down, page rotation applied)
and pages are stacked; for the characters' boxes see glyphs.

Limits: at most MAX_PAGES pages and MAX_SECONDS of work per file; an encrypted file (password
required), a truncated file (no %%EOF near the end), bytes PDFium cannot open or a page it cannot
read are CorruptFile; a PDF with no characters but images is a scan (NotAReport "scanned PDF, no
text layer"), one with neither is NotAReport too, and so is a text layer without Unicode mapping.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

from gongkai.parse.errors import CorruptFile, NotAReport
from gongkai.parse.pdf.display import ToDisplay, display
from gongkai.parse.pdf.glyphs import page_glyphs
from gongkai.parse.pdf.model import Page
from gongkai.parse.pdf.rulings import MAX_PATH_OBJECTS, page_rulings

if TYPE_CHECKING:  # pypdfium2 ships no type information: these name its handle types for the reader
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

MAX_PAGES = 200
MAX_SECONDS = 30.0

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


def _count_images(page_raw: pdfium_c.FPDF_PAGE) -> int:
    import pypdfium2.raw as c

    n = max(c.FPDFPage_CountObjects(page_raw), 0)
    return sum(1 for k in range(min(n, MAX_PATH_OBJECTS))
               if c.FPDFPageObj_GetType(c.FPDFPage_GetObject(page_raw, k)) in (c.FPDF_PAGEOBJ_IMAGE, c.FPDF_PAGEOBJ_FORM))


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
                base, dw, dh = display(rot, width, height)

                def to_disp(x: float, y: float, base: ToDisplay = base, left: float = left, bottom: float = bottom
                            ) -> tuple[float, float]:
                    return base(x - left, y - bottom)

                try:
                    textpage = page.get_textpage()
                except pdfium.PdfiumError:
                    raise CorruptFile(f"{path}: corrupt PDF (the text of page {i + 1} cannot be read)") from None
                try:
                    glyphs, nbad, ngood = page_glyphs(textpage, to_disp, offset,
                                                       (left, bottom, height) if rot == 0 else None)
                finally:
                    textpage.close()
                hs, vs = page_rulings(page.raw, to_disp, offset) if glyphs else ([], [])
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
