"""Pandera engine: the shape of the batch frames (schemas/cells.py) → findings.

One lazy validation per frame over the whole batch. Failure cases of the rule checks become findings
(CELL_BLANK, CELL_NOT_NUMBER, CELL_INVALID, SECTION_MISSING, TABLE_MISSING, FORMAT_OUTDATED); a failure of
any other check means the frames break their contract (a parser bug) and raises FrameContractError.

Mixed layout (schemas.cells): the three unprinted 表三 （六） sub-rows of a mixed report are not cells of its
layout — no CELL_BLANK, and not counted as evaluated by CELL_BLANK / CELL_NOT_NUMBER; the layout itself is
one FORMAT_OUTDATED warning at (t3, y2019_other_processing, NULL) for a 2021+ report.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
import pandera.pandas as pa

from gongkai.form.template import TABLES, cell_name, mixed_rows
from gongkai.schemas.cells import (
    RULE_OF_CHECK, SECTION_NOS, VERSIONS, CellsModel, ReportsModel, SectionsModel, TablesModel,
    annotate_cells, mixed_key_masks, template_keys,
)

from gongkai.checks.errors import FrameContractError
from gongkai.findings import Counts, Part, fmt, per_report
from gongkai.form.template import SECTION_TITLES, TABLE_TITLES
from gongkai.checks.rules import row_label, table_zh


@dataclass
class CellFrame:
    """What the GX engine reuses from this engine: annotated cells of the checked reports."""

    cells: pd.DataFrame    # cells of the checked reports, RangeIndex (value, raw, semantic, …)
    report_no: np.ndarray  # per cell: position of its report in batch.reports
    key_id: np.ndarray     # per cell: position in schemas.cells.template_keys()
    mixed: np.ndarray      # per report of batch.reports: the mixed layout (schemas.cells.mixed_reports)


@cache
def key_names() -> np.ndarray:
    """cell_name per key_id (e.g. 表三「一、本年新收…」行「自然人」列)."""
    k = template_keys()
    return np.array([cell_name(t, r, c) for t, r, c in zip(k.table_id, k.row_key, k.col_key)], dtype=object)


def _failures(model: type[pa.DataFrameModel], df: pd.DataFrame, what: str, describe) -> dict[str, np.ndarray]:
    """check name → sorted unique row positions that failed it (dataframe-level checks deduplicated)."""
    try:
        model.validate(df, lazy=True)
        return {}
    except pa.errors.SchemaErrors as err:
        fc = err.failure_cases
    contract = fc[~fc["check"].isin(list(RULE_OF_CHECK))]
    if len(contract):
        lines = []
        for check, g in contract.groupby("check", sort=False):
            idx = pd.to_numeric(g["index"], errors="coerce").dropna().astype(np.int64).unique()
            example = "; ".join(describe(i) for i in idx[:3]) if len(idx) else f"column {g['column'].iloc[0]}"
            lines.append(f"{check} failed on {max(len(idx), 1)} row(s), e.g. {example}")
        raise FrameContractError(f"{what} frame breaks the batch contract (a parser bug): " + " | ".join(lines))
    return {check: np.unique(g["index"].to_numpy(np.int64)) for check, g in fc.groupby("check", sort=False)}


def _positions(ids: pd.Series, reports: pd.DataFrame, what: str) -> np.ndarray:
    pos = pd.Index(reports["report_id"]).get_indexer(ids)
    if (pos < 0).any():
        raise FrameContractError(f"{what} frame has rows of a report not in the batch: {ids[pos < 0].iloc[0]!r}")
    return pos


# ---------------------------------------------------------------------------------------- reports
def _mixed_message() -> str:
    single, subs = mixed_rows()
    names = "".join(f"「{row_label('t3', r)}」" for r in subs)
    return (f"年，表三「{row_label('t3', single)}」只印了一行（2019年试行格式，国办公开办函〔2019〕60号），"
            f"未按国办公开办函〔2021〕30号规定的格式分列{names}三个子项")


def check_reports(reports: pd.DataFrame, checked: np.ndarray, mixed: np.ndarray | None = None
                  ) -> tuple[list[Part], list[Counts]]:
    """FORMAT_OUTDATED: the 2019 format (finding at NULL keys), or the mixed layout (`mixed`, per report:
    finding at (t3, y2019_other_processing, NULL)), in a report of 2021 or later. At most one per report."""
    years = reports["year"]
    n = len(reports)
    frame = reports.assign(mixed=np.zeros(n, bool) if mixed is None else np.asarray(mixed, bool))
    fails = _failures(ReportsModel, frame, "reports", lambda i: f"report {reports.report_id.iloc[i]!r}")
    year_all = fmt(years.to_numpy(dtype=float, na_value=np.nan))
    rows = fails.get("format_current", np.zeros(0, np.int64))
    rows = rows[checked[rows]]
    msg = ("报告年度为" + year_all[rows] + "年，但使用了2019年试行格式（国办公开办函〔2019〕60号）；"
           "2021年及以后的报告应使用国办公开办函〔2021〕30号规定的格式")
    parts = [Part("FORMAT_OUTDATED", rows, message=msg, order=0)]
    mrows = fails.get("layout_current", np.zeros(0, np.int64))
    mrows = mrows[checked[mrows]]
    parts.append(Part("FORMAT_OUTDATED", mrows, table_id="t3", row_key=mixed_rows()[0],
                      message="报告年度为" + year_all[mrows] + _mixed_message(), order=0))
    assessable = checked & years.notna().to_numpy() & reports["format_version"].isin(VERSIONS).to_numpy()
    failed = per_report(np.concatenate([rows, mrows]), n)
    counts = Counts("FORMAT_OUTDATED", checked, assessable.astype(np.int64), failed, np.zeros(n, np.int64))
    return parts, [counts]


# ---------------------------------------------------------------------------------------- cells
def check_cells(cells: pd.DataFrame, reports: pd.DataFrame, checked: np.ndarray) -> tuple[list[Part], list[Counts], CellFrame]:
    if not isinstance(cells.index, pd.RangeIndex) or cells.index.start != 0 or cells.index.step != 1:
        cells = cells.reset_index(drop=True)
    ann = annotate_cells(cells, reports)
    rep = ann["report_no"].to_numpy()
    of_failed = (rep >= 0) & ~checked[np.maximum(rep, 0)]
    if of_failed.any():  # a failed report's cells are not checked (build() never emits them)
        keep = ~of_failed
        cells, ann = cells[keep].reset_index(drop=True), ann[keep].reset_index(drop=True)
        rep = ann["report_no"].to_numpy()
    key = ann["key_id"].to_numpy()

    def describe(i: int) -> str:
        r = cells.iloc[i]
        return (f"report {r.report_id!r} cell ({r.table_id}, {r.row_key}, {r.col_key}) semantic={r.semantic!r} "
                f"value={float(r.value)} template={ann.format_version.iloc[i]}")

    fails = _failures(CellsModel, ann, "cells", describe)
    n, names = len(reports), key_names()
    mixed = np.zeros(n, bool)
    in_mixed = ann["mixed"].to_numpy(bool)
    mixed[rep[in_mixed]] = True
    unprinted = in_mixed & mixed_key_masks()[1][key]  # the sub-rows of a mixed report: not in its layout
    k = template_keys()
    t_arr, r_arr, c_arr = (k[c].to_numpy(object) for c in ("table_id", "row_key", "col_key"))
    parts: list[Part] = []

    def part(rule: str, rows: np.ndarray, message: np.ndarray, observed=np.nan) -> Part:
        kk = key[rows]
        return Part(rule, rep[rows], t_arr[kk], r_arr[kk], c_arr[kk], observed=observed, message=message, order=kk)

    blank = fails.get("not_blank", np.zeros(0, np.int64))
    blank = blank[~unprinted[blank]]
    parts.append(part("CELL_BLANK", blank, names[key[blank]] + "为空白"))

    nn = fails.get("not_dash_or_text", np.zeros(0, np.int64))
    sem = cells["semantic"].to_numpy(object)[nn]
    raw = cells["raw"].to_numpy(object, na_value="")[nn]
    kind = np.where(sem == "dash", "为「", "为文字「")
    parts.append(part("CELL_NOT_NUMBER", nn, names[key[nn]] + kind + raw + "」，应填写数字"))

    neg = fails.get("count_non_negative", np.zeros(0, np.int64))
    frac = fails.get("count_integral", np.zeros(0, np.int64))
    bad = np.union1d(neg, frac)
    value = cells["value"].to_numpy(float)[bad]
    is_neg, is_frac = np.isin(bad, neg), np.isin(bad, frac)
    what = np.where(is_neg & is_frac, "为负的小数", np.where(is_neg, "为负数", "为小数"))
    parts.append(part("CELL_INVALID", bad, names[key[bad]] + what + "(" + fmt(value) + ")，件数应为非负整数", value))

    n_cells = per_report(rep[~unprinted], n)
    number = (cells["semantic"] == "number").to_numpy(bool)
    zeros = np.zeros(n, np.int64)
    counts = [
        Counts("CELL_BLANK", checked, n_cells, per_report(rep[blank], n), zeros),
        Counts("CELL_NOT_NUMBER", checked, n_cells, per_report(rep[nn], n), zeros),
        Counts("CELL_INVALID", checked, per_report(rep[number], n), per_report(rep[bad], n), zeros),
    ]
    return parts, counts, CellFrame(cells, rep, key, mixed)


# ---------------------------------------------------------------------------------------- sections / tables
def _complete(frame: pd.DataFrame, reports: pd.DataFrame, checked: np.ndarray, key: str, values: tuple,
              what: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Rows of the checked reports, plus a present=False row for every (report, key) the parser did not
    emit. Returns the frame (RangeIndex), each row's report position and key code (index in `values`)."""
    rep = _positions(frame["report_id"], reports, what)
    keep = checked[rep]
    frame, rep = frame[keep], rep[keep]
    code = pd.Index(list(values)).get_indexer(frame[key].astype(object))
    stride = len(values) + 1  # codes run -1 … len(values)-1: no two (report, code) pairs collide
    grid_rep = np.repeat(np.flatnonzero(checked), len(values))
    grid_code = np.tile(np.arange(len(values)), int(checked.sum()))
    absent = ~np.isin(grid_rep * stride + grid_code, rep * stride + code)
    add = pd.DataFrame({
        "report_id": reports["report_id"].to_numpy(object)[grid_rep[absent]],
        key: np.asarray(values, dtype=object)[grid_code[absent]],
        "present": False,
    })
    out = pd.concat([frame[["report_id", key, "present"]], add], ignore_index=True)
    out = out.astype({"report_id": "string", key: frame[key].dtype, "present": "bool"})
    return out, np.concatenate([rep, grid_rep[absent]]), np.concatenate([code, grid_code[absent]])


def check_sections(sections: pd.DataFrame, reports: pd.DataFrame, checked: np.ndarray) -> tuple[list[Part], list[Counts]]:
    sections = sections.astype({"section_no": "int8"}) if sections["section_no"].dtype != "int8" else sections
    frame, rep, code = _complete(sections, reports, checked, "section_no", SECTION_NOS, "sections")
    fails = _failures(SectionsModel, frame, "sections", lambda i: f"report {frame.report_id.iloc[i]!r} section {frame.section_no.iloc[i]!r}")
    rows = fails.get("section_present", np.zeros(0, np.int64))
    no = frame["section_no"].to_numpy(np.int64)[rows]
    titles = np.array([SECTION_TITLES[s] for s in SECTION_NOS], dtype=object)
    msg = "未找到必备章节「" + titles[no - 1] + "」"
    n = len(reports)
    part = Part("SECTION_MISSING", rep[rows], row_key=no.astype(str).astype(object), message=msg, order=no)
    return [part], [Counts("SECTION_MISSING", checked, per_report(rep, n), per_report(rep[rows], n), np.zeros(n, np.int64))]


def check_tables(tables: pd.DataFrame, reports: pd.DataFrame, checked: np.ndarray
                 ) -> tuple[list[Part], list[Counts], np.ndarray]:
    """TABLE_MISSING; also returns which tables each report has: (reports, len(TABLES)) bool."""
    frame, rep, code = _complete(tables, reports, checked, "table_id", TABLES, "tables")
    fails = _failures(TablesModel, frame, "tables", lambda i: f"report {frame.report_id.iloc[i]!r} table {frame.table_id.iloc[i]!r}")
    present = np.zeros((len(reports), len(TABLES)), bool)
    present[rep, code] = frame["present"].to_numpy(bool)  # codes are valid: TablesModel checked table_id
    rows = fails.get("table_present", np.zeros(0, np.int64))
    tid = np.asarray(TABLES, dtype=object)[code[rows]]
    msg = np.array([f"未找到{table_zh(t)}（{TABLE_TITLES[t]}）" for t in tid], dtype=object)
    n = len(reports)
    part = Part("TABLE_MISSING", rep[rows], table_id=tid, message=msg, order=code[rows])
    return [part], [Counts("TABLE_MISSING", checked, per_report(rep, n), per_report(rep[rows], n), np.zeros(n, np.int64))], present
