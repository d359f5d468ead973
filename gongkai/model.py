"""Plain data passed between the pipeline stages (no I/O, no SQL).

parse/<format>.py : bytes → RawDocument (blocks in reading order: paragraphs and table grids)
structure.py      : RawDocument → ParsedReport (title, agency, year, sections, canonical cells)
frames.py         : list[ParsedReport] → batch DataFrames (the contract checks and warehouse rely on)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


class ReportParseError(Exception):
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


@dataclass(slots=True)
class TCell:
    """One printed table cell. `span` is the number of grid columns it covers: known for HTML/DOCX
    (colspan), None where the rendering lost it (Word text dumps). `cont` marks the empty stand-in a
    rendering leaves for a vertically merged cell (rowspan continuation / Word vMerge)."""

    text: str
    span: int | None = 1
    cont: bool = False


Table = list[list[TCell]]


@dataclass(slots=True)
class Block:
    kind: Literal["para", "table"]
    text: str = ""
    table: Table | None = None


@dataclass(slots=True)
class RawDocument:
    source_format: str  # txt | html | docx | pdf | md
    blocks: list[Block]
    title_hint: str | None = None  # e.g. HTML <title>
    encoding: str | None = None


@dataclass(slots=True)
class Section:
    section_no: int
    title: str | None
    text: str | None
    present: bool


@dataclass(slots=True)
class Cell:
    table_id: str
    row_key: str
    col_key: str
    raw: str | None
    semantic: str
    value: float | None


@dataclass(slots=True)
class ParsedReport:
    """What the parser found in one file. status: parsed | partial | failed."""

    report_id: str
    source_path: str
    source_format: str
    status: str = "parsed"
    error: str | None = None
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    format_version: str = "unknown"
    sections: list[Section] = field(default_factory=list)
    tables_present: dict[str, bool] = field(default_factory=dict)
    cells: list[Cell] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    source_url: str | None = None
    region: str | None = None
    level: str | None = None  # registry level: province, city, county, township, department, …
    agency_id: str | None = None
    byte_size: int = 0
