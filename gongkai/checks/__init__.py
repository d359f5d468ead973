"""Checks over a whole batch of parsed reports: Pandera for the shape of the frames, GX for the identities.

    from gongkai.checks import run_checks, CheckResult, rules_catalogue
    result = run_checks(batch)          # batch: gongkai.frames.Batch
    result.findings                     # finding_id, report_id, rule_id, family, severity, table_id,
                                        # row_key, col_key, expected, observed, message, status
    result.rule_results                 # report_id, rule_id, evaluated, failed, not_assessable

PARSE_FAILED is reported for every failed report (and only that: its other rules are not run). Every
other report is checked by every pandera and gx rule of the catalogue; rule_results has one row per
(report, rule) run, so evaluated == 0 means the rule had nothing to evaluate there (e.g. 表三 missing).
Vectorised over the batch: no per-report Python loop.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gongkai.report.batch import Batch
from gongkai.form.template import TABLES
from gongkai.schemas.cells import layout_codes

from gongkai.findings import FINDING_COLUMNS, RULE_RESULT_COLUMNS, Counts, Part, assemble, finding_ids, rule_results
from gongkai.checks.gx_checks import GXCheckError, check_identities
from gongkai.checks.pandera_checks import FrameContractError, check_cells, check_reports, check_sections, check_tables
from gongkai.checks.rules import checked_catalogue, rules_catalogue
from gongkai.checks.wide import dense, t3_columns, t3_rows, t4_cases

__all__ = [
    "CheckResult", "run_checks", "warm_up", "rules_catalogue", "finding_ids", "FrameContractError", "GXCheckError",
    "FINDING_COLUMNS", "RULE_RESULT_COLUMNS",
]


@dataclass
class CheckResult:
    findings: pd.DataFrame
    rule_results: pd.DataFrame
    catalogue: pd.DataFrame  # the catalogue rows of the rules run here (the warehouse writes them to `rules`)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, for progress/diagnostics


def _parse_failed(reports: pd.DataFrame, checked: np.ndarray) -> tuple[list[Part], list[Counts]]:
    rows = np.flatnonzero(~checked)
    error = reports["error"].astype(object).where(reports["error"].notna(), None).to_numpy(object)[rows]
    message = np.array([e if e else "文件无法解析为年度报告（未记录原因）" for e in error], dtype=object)
    n = len(reports)
    part = Part("PARSE_FAILED", rows, message=message)
    return [part], [Counts("PARSE_FAILED", np.ones(n, bool), np.ones(n, np.int64), (~checked).astype(np.int64), np.zeros(n, np.int64))]


def warm_up() -> None:
    """Import GX and build its ephemeral context (~3 s once per process). The flow calls this in a
    background thread while the parser processes work, so the check step does not pay it."""
    from gongkai.checks.gx_checks import engine

    engine()


def run_checks(batch: Batch) -> CheckResult:
    """Run every parser/pandera/gx rule over the batch. Raises FrameContractError when the frames break
    their contract (a parser bug, e.g. a cell key not in its report's template)."""
    clock = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = now - clock
        clock = now

    reports = batch.reports.reset_index(drop=True)
    checked = reports["status"].ne("failed").fillna(True).to_numpy(bool)
    parts, counts = _parse_failed(reports, checked)

    cell_parts, cell_counts, cf = check_cells(batch.cells, reports, checked)  # first: it finds mixed layouts
    rep_parts, rep_counts = check_reports(reports, checked, cf.mixed)
    sec_parts, sec_counts = check_sections(batch.sections, reports, checked)
    tab_parts, tab_counts, present = check_tables(batch.tables, reports, checked)
    parts += rep_parts + sec_parts + tab_parts + cell_parts
    counts += rep_counts + sec_counts + tab_counts + cell_counts
    lap("pandera")

    lcode = layout_codes(reports["format_version"], cf.mixed)  # 2021, 2019 or mixed (gongkai.checks.wide)
    dn = dense(cf.cells["value"].to_numpy(float), cf.report_no, cf.key_id, len(reports))
    t3_present, t4_present = present[:, TABLES.index("t3")], present[:, TABLES.index("t4")]
    frames = [t3_rows(dn, t3_present, lcode), t3_columns(dn, t3_present, lcode), t4_cases(dn, t4_present)]
    lap("wide_frames")
    gx_parts, gx_counts = check_identities(frames, dn, cf.cells, lcode, checked)
    parts += gx_parts
    counts += gx_counts
    lap("gx")

    report_ids = reports["report_id"].to_numpy(object)
    cat = checked_catalogue()
    result = CheckResult(assemble(parts, report_ids, cat), rule_results(counts, report_ids, cat), cat, timings)
    lap("assemble")
    return result
