"""bytes → ParsedReport for every supported rendering. Never raises for a bad file.

`parse_bytes` runs the format parser (gongkai.parse: bytes → RawDocument) and the structure step
(gongkai.report.structure: RawDocument → ParsedReport). Expected failures (ReportParseError) become a
`failed` report whose `error` is one line naming the file and the problem; an unexpected exception is
caught too and reported as a parser bug.
"""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from gongkai.parse import FORMATS, read_document
from gongkai.parse.errors import ReportParseError
from gongkai.report import structure
from gongkai.report.model import ParsedReport


def parse_bytes(path: str, data: bytes, report_id: str | None = None) -> ParsedReport:
    """Parse one file's bytes. The report_id is the sha256 of the bytes."""
    rid = report_id or hashlib.sha256(data).hexdigest()
    ext_fmt = FORMATS.get(PurePath(path).suffix.lower(), PurePath(path).suffix.lower().lstrip(".") or "unknown")
    try:
        report = structure.assemble(read_document(path, data), rid, path)
    except ReportParseError as exc:
        report = ParsedReport(rid, path, ext_fmt, status="failed", error=one_line(str(exc)))
    except RecursionError:
        report = ParsedReport(rid, path, ext_fmt, status="failed",
                              error=f"{path}: document nested too deeply to parse; it is probably not a report")
    except Exception as exc:  # a parser bug must not stop the run; it is recorded and reported
        report = ParsedReport(rid, path, ext_fmt, status="failed",
                              error=one_line(f"{path}: parser error {type(exc).__name__}: {exc} — please report this file"))
    report.byte_size = len(data)
    return report


def one_line(msg: str) -> str:
    return " ".join(msg.split())[:500]
