"""ParsedReport: what the report stage made of one file (title, agency, year, sections, canonical cells).

parse/<format>   bytes → RawDocument (gongkai.parse.document)
report.structure RawDocument → ParsedReport (this module's types)
report.batch     ParsedReports → the Batch frames (the one contract checks and warehouse rely on)
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
    # how the tables are laid out: the version's template ("2021", "2019"), "mixed" (2021 labels with 表三
    # （六）其他处理 printed as the single 2019 row) or "unknown" (no table recognised)
    layout: str = "unknown"
    sections: list[Section] = field(default_factory=list)
    tables_present: dict[str, bool] = field(default_factory=dict)
    cells: list[Cell] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    source_url: str | None = None
    region: str | None = None
    level: str | None = None  # province, city, county, township (derived) or the registry's (department, …)
    agency_id: str | None = None
    division_code: str | None = None  # six-digit 行政区划代码 of the agency's place (gongkai.ingest.divisions)
    byte_size: int = 0
