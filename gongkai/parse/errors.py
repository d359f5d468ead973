"""Why a file could not be read as a report (one line each; the pipeline records it on a failed row)."""

from __future__ import annotations

from gongkai.errors import GongkaiError


class ReportParseError(GongkaiError):
    """An expected failure to read a file as a report. The message is one line, says what is wrong
    and how to fix it; the pipeline records it on a failed `reports` row and goes on."""


class EmptyFile(ReportParseError):
    pass


class UndecodableText(ReportParseError):
    """The bytes are not text in any supported encoding (UTF-8, GB18030/GBK/GB2312)."""


class CorruptFile(ReportParseError):
    """The container (HTML, DOCX, PDF…) is broken or is not what its extension says."""


class UnsupportedFormat(ReportParseError):
    pass


class NotAReport(ReportParseError):
    """Readable, but no 政府信息公开工作年度报告 structure (sections 一…六, tables 二/三/四) was found."""


class FileTooLarge(ReportParseError):
    pass
