"""PDF with a text layer → RawDocument: PDFium extraction (read), the glyph/line model (model), ruled grids
(grid), aligned-text tables (stream) and the page layout that puts them in reading order (layout)."""

from gongkai.parse.pdf.layout import parse_pdf

__all__ = ["parse_pdf"]
