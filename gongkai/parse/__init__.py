"""Parse: a file's bytes → RawDocument (paragraphs and table grids in reading order), per input format.

    from gongkai.parse import read_document
    doc = read_document("report.pdf", data)      # raises gongkai.parse.errors.ReportParseError

Formats and their parsers are registered in gongkai.parse.registry; each format is one module (text,
html) or sub-package (docx, pdf) exporting one function. Parsers know nothing of the template's cells,
of checks or of DuckDB: the report stage (gongkai.report) turns the document into a ParsedReport.
"""

from __future__ import annotations

from gongkai.parse.document import RawDocument
from gongkai.parse.errors import EmptyFile, FileTooLarge
from gongkai.parse.registry import EXTENSIONS, parser_for, source_format

MAX_BYTES = 50 * 1024 * 1024  # no real report comes near this; larger files are rejected unread
FORMATS = EXTENSIONS


def read_document(path: str, data: bytes) -> RawDocument:
    """One file's bytes → RawDocument. Raises ReportParseError (one line) for an expected failure."""
    if not data or data.isspace():  # (bytes.strip would copy the file to say the same)
        raise EmptyFile(f"{path}: the file is empty; harvest it again")
    if len(data) > MAX_BYTES:
        raise FileTooLarge(f"{path}: {len(data) / 1e6:.0f} MB is larger than the {MAX_BYTES // 2**20} MB limit for a report")
    return parser_for(source_format(path, data))(data, path)


__all__ = ["read_document", "source_format", "MAX_BYTES", "FORMATS", "RawDocument"]
