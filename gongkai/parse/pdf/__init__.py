"""PDF with a text layer → RawDocument: PDFium extraction (read: characters in glyphs, strokes in rulings,
the display-space transform in display), the glyph/line model (model), ruled grids (grid), aligned-text
tables (stream: kinds of lines in linetypes, row labels in labels, the header in header) and the page
layout that puts them in reading order (layout)."""

from gongkai.parse.pdf.layout import parse_pdf

__all__ = ["parse_pdf"]
