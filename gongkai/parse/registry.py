"""The input formats: file extension → format name → the parser that turns its bytes into a RawDocument.

A format parser is a function `(data: bytes, path: str) -> RawDocument` that raises a
`gongkai.parse.errors.ReportParseError` (one line: file and problem) for a file it cannot read. Adding a
format is one entry in EXTENSIONS and one in PARSERS (imported on first use, so a run that sees no PDF
never imports PDFium).
"""

from __future__ import annotations

from importlib import import_module
from pathlib import PurePath
from typing import Protocol

from gongkai.parse.document import RawDocument
from gongkai.parse.errors import UnsupportedFormat


class FormatParser(Protocol):
    def __call__(self, data: bytes, path: str) -> RawDocument: ...


EXTENSIONS: dict[str, str] = {
    ".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md",
    ".html": "html", ".htm": "html", ".shtml": "html", ".xhtml": "html",
    ".pdf": "pdf", ".docx": "docx",
}
PARSERS: dict[str, str] = {  # format → "module:function"
    "txt": "gongkai.parse.text:parse_text",
    "md": "gongkai.parse.text:parse_text",
    "html": "gongkai.parse.html:parse_html",
    "docx": "gongkai.parse.docx:parse_docx",
    "pdf": "gongkai.parse.pdf:parse_pdf",
}


def parser_for(fmt: str) -> FormatParser:
    module, _, name = PARSERS[fmt].partition(":")
    parser: FormatParser = getattr(import_module(module), name)
    return parser


def source_format(path: str, data: bytes) -> str:
    """The format of a file: by its extension, and HTML saved as .txt sniffed from its first bytes."""
    ext = PurePath(path).suffix.lower()
    fmt = EXTENSIONS.get(ext)
    if fmt is None:
        raise UnsupportedFormat(
            f"{path}: unsupported file type {ext or '(no extension)'!r}; supported: {', '.join(sorted(EXTENSIONS))}"
        )
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if fmt == "txt" and (head.startswith(b"<!doctype html") or head.startswith(b"<html")):
        return "html"
    return fmt
