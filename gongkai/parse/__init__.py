"""bytes → ParsedReport for every supported rendering. Never raises for a bad file.

`parse_bytes` dispatches on the file name's extension (and sniffs HTML saved as .txt), runs the
format parser (bytes → RawDocument) and the shared structure step (RawDocument → ParsedReport).
Expected failures (ReportParseError) become a `failed` report whose `error` is one line naming the
file and the problem; an unexpected exception is caught too and reported as a parser bug.
"""

from __future__ import annotations

import hashlib
from pathlib import PurePath
from typing import Callable

from .. import structure
from ..model import CorruptFile, EmptyFile, FileTooLarge, ParsedReport, RawDocument, ReportParseError, UnsupportedFormat

MAX_BYTES = 50 * 1024 * 1024  # no real report comes near this; larger files are rejected unread

FORMATS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".shtml": "html", ".xhtml": "html", ".pdf": "pdf", ".docx": "docx"}


def _parser(fmt: str) -> Callable[[bytes, str], RawDocument]:
    if fmt == "html":
        from .html import parse_html

        return parse_html
    if fmt == "docx":
        from .docx import parse_docx

        return parse_docx
    if fmt == "pdf":
        from .pdf import parse_pdf

        return parse_pdf
    from .text import parse_text

    return parse_text


def source_format(path: str, data: bytes) -> str:
    ext = PurePath(path).suffix.lower()
    fmt = FORMATS.get(ext)
    if fmt is None:
        raise UnsupportedFormat(
            f"{path}: unsupported file type {ext or '(no extension)'!r}; supported: {', '.join(sorted(FORMATS))}"
        )
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if fmt == "txt" and (head.startswith(b"<!doctype html") or head.startswith(b"<html")):
        return "html"
    return fmt


def parse_bytes(path: str, data: bytes, report_id: str | None = None) -> ParsedReport:
    """Parse one file's bytes. The report_id is the sha256 of the bytes."""
    rid = report_id or hashlib.sha256(data).hexdigest()
    ext_fmt = FORMATS.get(PurePath(path).suffix.lower(), PurePath(path).suffix.lower().lstrip(".") or "unknown")
    try:
        if not data.strip():
            raise EmptyFile(f"{path}: the file is empty; harvest it again")
        if len(data) > MAX_BYTES:
            raise FileTooLarge(f"{path}: {len(data) / 1e6:.0f} MB is larger than the {MAX_BYTES // 2**20} MB limit for a report")
        fmt = source_format(path, data)
        raw = _parser(fmt)(data, path)
        report = structure.assemble(raw, rid, path)
    except ReportParseError as exc:
        report = ParsedReport(rid, path, ext_fmt, status="failed", error=_one_line(str(exc)))
    except RecursionError:
        report = ParsedReport(rid, path, ext_fmt, status="failed",
                              error=f"{path}: document nested too deeply to parse; it is probably not a report")
    except Exception as exc:  # a parser bug must not stop the run; it is recorded and reported
        report = ParsedReport(rid, path, ext_fmt, status="failed",
                              error=_one_line(f"{path}: parser error {type(exc).__name__}: {exc} — please report this file"))
    report.byte_size = len(data)
    return report


def _one_line(msg: str) -> str:
    return " ".join(msg.split())[:500]


__all__ = ["parse_bytes", "source_format", "MAX_BYTES", "FORMATS", "CorruptFile"]
