"""What the warehouse tests (tests/unit/test_warehouse_*.py and the dashboard and review tests) share: a
parsed report of every template cell, its findings and rule results, and a run written with write_run."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

from gongkai.app.catalogue import catalogue
from gongkai.checks import CheckResult
from gongkai.form import template
from gongkai.report import batch as frames
from gongkai.report.model import Cell, ParsedReport, Section
from gongkai.warehouse import query as _query
from gongkai.warehouse.write import RunRecord, write_run


def query(db, sql):
    return _query(db, sql).df()

TABLES = ["schema_migrations", "reports", "sections", "cells", "rules", "findings", "rule_results", "runs", "reviews",
          "review_events", "statements", "panel_inputs", "rederived_reports", "reparses"]
KEYS = list(template.cells("2021")[["table_id", "row_key", "col_key"]].itertuples(index=False, name=None))
RULES = catalogue()
T0 = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def report(tag: str, agency: str | None = "某某市 人民政府", year: int | None = 2023, value: float = 1.0,
           path: str | None = None, **kw) -> ParsedReport:
    cells = [Cell(t, r, c, f"{value:g}", "number", value) for t, r, c in KEYS]
    cells[0] = Cell(*KEYS[0], None, "blank", None)
    return ParsedReport(
        report_id=sha(tag), source_path=path or f"harvest/{tag}.txt", source_format="txt", title=f"{agency}{year}年报告",
        agency=agency, year=year, format_version="2021", byte_size=1234,
        sections=[Section(n, f"第{n}节", f"正文{n}", True) for n in range(1, 7)],
        tables_present={"t2": True, "t3": True, "t4": True}, cells=cells, notes=["ok"], **kw)


def findings_for(*reps: ParsedReport, rule: str = "T3_BALANCE") -> pd.DataFrame:
    rows = []
    for r in reps:
        rows.append(dict(finding_id=sha(r.report_id + rule), report_id=r.report_id, rule_id=rule, family="balance",
                         severity="error", table_id="t3", row_key=None, col_key="total", expected=12.0, observed=13.0,
                         message="表三不平衡", status="fail"))
        rows.append(dict(finding_id=sha(r.report_id + "CELL_BLANK"), report_id=r.report_id, rule_id="CELL_BLANK",
                         family="completeness", severity="warning", table_id=KEYS[0][0], row_key=KEYS[0][1],
                         col_key=KEYS[0][2], expected=None, observed=None, message="单元格空白", status="fail"))
    return pd.DataFrame(rows)


def results_for(*reps: ParsedReport, failed_count: int = 1) -> pd.DataFrame:
    return pd.DataFrame([dict(report_id=r.report_id, rule_id=rule, evaluated=7, failed=failed_count, not_assessable=0)
                         for r in reps for rule in ("T3_BALANCE", "CELL_BLANK")])


def run(run_id: str, minutes: int = 0, files: int = 0) -> RunRecord:
    return RunRecord(run_id, f"flow-{run_id}", T0 + timedelta(minutes=minutes), "data/harvest", files, files)


def write(db: Path, run_id: str, reps: list[ParsedReport], minutes: int = 0, findings: pd.DataFrame | None = None,
          results: pd.DataFrame | None = None):
    ok = [r for r in reps if r.status != "failed"]
    return write_run(db, run(run_id, minutes, len(reps)), frames.build(reps),
                     CheckResult(findings_for(*ok) if findings is None else findings,
                                 results_for(*ok) if results is None else results, RULES))


def one(db: Path, sql: str):
    return query(db, sql).iloc[0, 0]
