"""Batch frames: the one contract between parsing, checks and the warehouse.

A batch is any number of ParsedReports (hundreds to hundreds of thousands). Checks and the warehouse
work on these frames only — they never see a file format.

reports   one row per file      report_id, source_path, source_url, source_format, byte_size, status,
                                error, title, agency, agency_id, region, level, year (Int64), format_version,
                                layout ('2021', '2019', 'mixed', 'unknown'), notes
sections  one row per report×1…6 report_id, section_no (int8), title, text, present (bool)
tables    one row per report×t2…t4 report_id, table_id, present (bool)
cells     one row per printed/template cell of a present table
                                report_id, table_id, row_key, col_key, value (float64, NaN unless
                                semantic == number), raw (string, NA when nothing printed), semantic
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import pandas as pd

from gongkai.report.model import ParsedReport
from gongkai.form.template import TABLES

REPORT_COLUMNS = [
    "report_id", "source_path", "source_url", "source_format", "byte_size", "status", "error", "title",
    "agency", "agency_id", "region", "level", "year", "format_version", "layout", "notes",
]
SECTION_COLUMNS = ["report_id", "section_no", "title", "text", "present"]
TABLE_COLUMNS = ["report_id", "table_id", "present"]
CELL_COLUMNS = ["report_id", "table_id", "row_key", "col_key", "value", "raw", "semantic"]

_STR = "string"


@dataclass
class Batch:
    reports: pd.DataFrame
    sections: pd.DataFrame
    tables: pd.DataFrame
    cells: pd.DataFrame

    @property
    def parsed_ids(self) -> pd.Index:
        """Reports that reached the checks (parsed or partial)."""
        return pd.Index(self.reports.loc[self.reports.status != "failed", "report_id"])

    @classmethod
    def concat(cls, batches: Iterable["Batch"]) -> "Batch":
        bs = list(batches)
        if not bs:
            return build([])
        return cls(*(pd.concat([getattr(b, f) for b in bs], ignore_index=True) for f in ("reports", "sections", "tables", "cells")))


def build(reports: Iterable[ParsedReport]) -> Batch:
    """Flatten parsed reports into typed frames (columnar lists, no per-row DataFrame work)."""
    rep: dict[str, list] = {c: [] for c in REPORT_COLUMNS}
    sec: dict[str, list] = {c: [] for c in SECTION_COLUMNS}
    tab: dict[str, list] = {c: [] for c in TABLE_COLUMNS}
    cel: dict[str, list] = {c: [] for c in CELL_COLUMNS}
    for r in reports:
        for c in REPORT_COLUMNS:
            rep[c].append("\n".join(r.notes) if c == "notes" else getattr(r, c))
        if r.status == "failed":
            continue
        for s in r.sections:
            sec["report_id"].append(r.report_id)
            sec["section_no"].append(s.section_no)
            sec["title"].append(s.title)
            sec["text"].append(s.text)
            sec["present"].append(s.present)
        for t in TABLES:
            tab["report_id"].append(r.report_id)
            tab["table_id"].append(t)
            tab["present"].append(bool(r.tables_present.get(t, False)))
        rid = r.report_id
        for c in r.cells:
            cel["report_id"].append(rid)
            cel["table_id"].append(c.table_id)
            cel["row_key"].append(c.row_key)
            cel["col_key"].append(c.col_key)
            cel["value"].append(c.value)
            cel["raw"].append(c.raw)
            cel["semantic"].append(c.semantic)
    reports_df = pd.DataFrame(rep, columns=REPORT_COLUMNS)
    reports_df["year"] = reports_df["year"].astype("Int64")
    reports_df["byte_size"] = reports_df["byte_size"].astype("int64")
    for c in REPORT_COLUMNS:
        if c not in ("year", "byte_size"):
            reports_df[c] = reports_df[c].astype(_STR)
    sections_df = pd.DataFrame(sec, columns=SECTION_COLUMNS).astype(
        {"report_id": _STR, "section_no": "int8", "title": _STR, "text": _STR, "present": "bool"}
    )
    tables_df = pd.DataFrame(tab, columns=TABLE_COLUMNS).astype({"report_id": _STR, "table_id": _STR, "present": "bool"})
    cells_df = pd.DataFrame(cel, columns=CELL_COLUMNS).astype(
        {"report_id": _STR, "table_id": _STR, "row_key": _STR, "col_key": _STR, "value": "float64", "raw": _STR, "semantic": _STR}
    )
    return Batch(reports_df, sections_df, tables_df, cells_df)
