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
statements  numbers the narrative states (gongkai.report.narrative.statements_frame), or None when not
            computed: report_id, fact, value, sentence
fingerprints  per-report digests for XY_COPY (gongkai.report.fingerprints.fingerprints_frame), or None

`build` flattens reports, `with_derived` adds statements and fingerprints (the chunk step does both),
`concat` joins the chunks' batches and `dedupe` drops what the same bytes at two paths repeat.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import pandas as pd
import pyarrow as pa

from gongkai.form.template import TABLES
from gongkai.report.fingerprints import fingerprints_frame
from gongkai.report.model import Cell, ParsedReport, Section
from gongkai.report.narrative import STATEMENT_COLUMNS, statements_frame

REPORT_COLUMNS = [
    "report_id", "source_path", "source_url", "source_format", "byte_size", "status", "error", "title",
    "agency", "agency_id", "region", "level", "division_code", "year", "format_version", "layout", "notes",
]
SECTION_COLUMNS = ["report_id", "section_no", "title", "text", "present"]
TABLE_COLUMNS = ["report_id", "table_id", "present"]
CELL_COLUMNS = ["report_id", "table_id", "row_key", "col_key", "value", "raw", "semantic"]

_STR = "string"
_FRAMES = ("reports", "sections", "tables", "cells")
_KEYS = ("report_id", "section_no", "table_id", "row_key", "col_key")


@dataclass
class Batch:
    reports: pd.DataFrame
    sections: pd.DataFrame
    tables: pd.DataFrame
    cells: pd.DataFrame
    statements: pd.DataFrame | None = None
    fingerprints: pd.DataFrame | None = None

    def with_derived(self) -> Batch:
        """This batch with its statements and fingerprints computed (the chunk step, where the text is at hand)."""
        return replace(self, statements=statements_frame(self), fingerprints=fingerprints_frame(self))

    @classmethod
    def concat(cls, batches: Iterable[Batch]) -> Batch:
        """One batch of many (the chunks of a run, in order); statements and fingerprints are kept when
        every batch has them."""
        bs = list(batches)
        if not bs:
            return build([])
        frames = [pd.concat([getattr(b, f) for b in bs], ignore_index=True) for f in _FRAMES]
        derived = [None if any(getattr(b, f) is None for b in bs)
                   else pd.concat([getattr(b, f) for b in bs], ignore_index=True)
                   for f in ("statements", "fingerprints")]
        return cls(*frames, *derived)

    def dedupe(self) -> tuple[Batch, int]:
        """Drop reports repeated within the batch (the same bytes at two paths: equal report_id, equal
        parse); the first is kept, and with it the first copy of every key of the other frames.
        Statements repeated within a report (the same fact, value and sentence) are kept once. Returns the
        batch and the number of reports dropped."""
        dup = self.reports["report_id"].duplicated()
        statements = self.statements
        if statements is not None:
            statements = statements.drop_duplicates(subset=STATEMENT_COLUMNS).reset_index(drop=True)
        if not dup.any():
            return replace(self, statements=statements), 0

        def drop(df: pd.DataFrame) -> pd.DataFrame:
            return df.drop_duplicates(subset=[c for c in df.columns if c in _KEYS]).reset_index(drop=True)

        fingerprints = None if self.fingerprints is None else drop(self.fingerprints)
        return Batch(self.reports[~dup].reset_index(drop=True), drop(self.sections), drop(self.tables),
                     drop(self.cells), statements, fingerprints), int(dup.sum())


def build(reports: Iterable[ParsedReport]) -> Batch:
    """Flatten parsed reports into typed frames (columnar lists, no per-row DataFrame work)."""
    rep: dict[str, list[object]] = {c: [] for c in REPORT_COLUMNS}
    sec: dict[str, list[object]] = {c: [] for c in SECTION_COLUMNS}
    tab: dict[str, list[object]] = {c: [] for c in TABLE_COLUMNS}
    cell_rids: list[object] = []
    all_cells: list[Cell] = []
    all_sections: list[Section] = []
    for r in reports:
        for c in REPORT_COLUMNS:
            rep[c].append("\n".join(r.notes) if c == "notes" else getattr(r, c))
        if r.status == "failed":
            continue
        rid = r.report_id
        sec["report_id"] += [rid] * len(r.sections)
        all_sections += r.sections
        for t in TABLES:
            tab["report_id"].append(rid)
            tab["table_id"].append(t)
            tab["present"].append(bool(r.tables_present.get(t, False)))
        cell_rids += [rid] * len(r.cells)
        all_cells += r.cells
    sec["section_no"] = [s.section_no for s in all_sections]
    sec["title"] = [s.title for s in all_sections]
    sec["text"] = [s.text for s in all_sections]
    sec["present"] = [s.present for s in all_sections]
    cel: dict[str, list[object]] = {
        "report_id": cell_rids,
        "table_id": [c.table_id for c in all_cells],
        "row_key": [c.row_key for c in all_cells],
        "col_key": [c.col_key for c in all_cells],
        "value": [c.value for c in all_cells],
        "raw": [c.raw for c in all_cells],
        "semantic": [c.semantic for c in all_cells],
    }
    reports_df = pd.DataFrame(rep, columns=REPORT_COLUMNS)
    reports_df["year"] = reports_df["year"].astype("Int64")
    reports_df["byte_size"] = reports_df["byte_size"].astype("int64")
    for c in REPORT_COLUMNS:
        if c not in ("year", "byte_size"):
            reports_df[c] = reports_df[c].astype(_STR)
    sections_df = _typed(sec, {"report_id": _STR, "section_no": "int8", "title": _STR, "text": _STR, "present": "bool"})
    tables_df = _typed(tab, {"report_id": _STR, "table_id": _STR, "present": "bool"})
    cells_df = _typed(cel, {"report_id": _STR, "table_id": _STR, "row_key": _STR, "col_key": _STR, "value": "float64",
                            "raw": _STR, "semantic": _STR})
    return Batch(reports_df, sections_df, tables_df, cells_df)


def _typed(columns: dict[str, list[object]], dtypes: dict[str, str]) -> pd.DataFrame:
    """A frame of these columns (in dtypes' order), each list converted once to its dtype (a DataFrame of
    lists first infers a dtype per column, then astype converts every column again)."""
    return pd.DataFrame({c: _strings(columns[c]) if d == _STR else pd.array(columns[c], dtype=d)
                         for c, d in dtypes.items()}, copy=False)


def _strings(values: list[object]) -> pd.api.extensions.ExtensionArray:
    """pd.array(values, dtype="string"), built by Arrow in one C pass when every value is a str or None (the
    parser's cells and sections: pandas would first check and copy each value in Python, ~2.5 times as long).
    Anything Arrow refuses (a number, NaN, pd.NA, a lone surrogate) goes through pandas, which converts it as
    before; Arrow accepts only what pandas would store unchanged (str, None as NA; bytes decoded alike)."""
    try:
        arrow = pa.array(values, type=pa.large_string())
    except (pa.ArrowException, TypeError, ValueError, UnicodeError):
        return pd.array(values, dtype=_STR)
    return pd.arrays.ArrowStringArray(pa.chunked_array([arrow]))
