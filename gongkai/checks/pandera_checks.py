"""Pandera engine: validates the shape of the batch frames (schemas/cells.py) and hands the failure cases of
the audit checks to the rule modules (gongkai.checks.rules).

One lazy validation per frame over the whole batch: reports (ReportsModel), the cells of the checked reports
annotated with their template key (CellsModel), sections and tables completed with a present=False row for
everything the parser did not emit (SectionsModel, TablesModel). A failure of a check that no rule module
reads means the frames break their contract (a parser bug) and raises FrameContractError.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from gongkai.checks.errors import FrameContractError
from gongkai.findings import Part
from gongkai.form.template import TABLES, cell_name
from gongkai.report.batch import Batch
from gongkai.schemas.cells import (
    SECTION_NOS,
    CellsModel,
    ReportsModel,
    SectionsModel,
    TablesModel,
    annotate_cells,
    mixed_key_masks,
    template_keys,
)

Failures = dict[str, np.ndarray]  # audit check name → sorted unique row positions (in its frame) that failed it


@dataclass
class CellFrame:
    """Annotated cells of the checked reports."""

    cells: pd.DataFrame    # RangeIndex (value, raw, semantic, …)
    report_no: np.ndarray  # per cell: position of its report in batch.reports
    key_id: np.ndarray     # per cell: position in schemas.cells.template_keys()
    unprinted: np.ndarray  # per cell: a sub-row of （六） in a mixed report, not a cell of its layout

    def part(self, rule_id: str, rows: np.ndarray, message: np.ndarray, observed: object = np.nan) -> Part:
        """Findings of a cell rule at the given cells (keyed and ordered by template key)."""
        k = template_keys()
        key = self.key_id[rows]
        t, r, c = (k[col].to_numpy(object)[key] for col in ("table_id", "row_key", "col_key"))
        return Part(rule_id, self.report_no[rows], t, r, c, observed=observed, message=message, order=key)


@dataclass
class Completed:
    """A sections or tables frame of the checked reports with a row for every (report, key) of the template."""

    frame: pd.DataFrame  # report_id, <key>, present; RangeIndex
    report_no: np.ndarray
    code: np.ndarray     # index of the key in its tuple (SECTION_NOS, TABLES)


@dataclass
class Validated:
    """The batch as validated: what the rule modules evaluate."""

    reports: pd.DataFrame   # batch.reports, RangeIndex
    checked: np.ndarray     # per report: not failed (its other rules are run)
    failures: Failures      # of every audit check, over all four frames (check names are unique)
    cells: CellFrame
    sections: Completed
    tables: Completed
    present: np.ndarray     # (reports, len(TABLES)): the tables each report has

    @property
    def n(self) -> int:
        return len(self.reports)

    def failed(self, check: str) -> np.ndarray:
        return self.failures.get(check, np.zeros(0, np.int64))


@cache
def key_names() -> np.ndarray:
    """cell_name per key_id (e.g. 表三「一、本年新收…」行「自然人」列)."""
    k = template_keys()
    names = [cell_name(t, r, c) for t, r, c in zip(k.table_id, k.row_key, k.col_key, strict=True)]
    return np.array(names, dtype=object)


def _failures(model: type[pa.DataFrameModel], df: pd.DataFrame, what: str, describe: Callable[[int], str],
              audit: frozenset[str]) -> Failures:
    try:
        model.validate(df, lazy=True)
        return {}
    except pa.errors.SchemaErrors as err:
        fc = err.failure_cases
    contract = fc[~fc["check"].isin(list(audit))]
    if len(contract):
        lines = []
        for check, g in contract.groupby("check", sort=False):
            idx = pd.to_numeric(g["index"], errors="coerce").dropna().astype(np.int64).unique()
            example = "; ".join(describe(i) for i in idx[:3]) if len(idx) else f"column {g['column'].iloc[0]}"
            lines.append(f"{check} failed on {max(len(idx), 1)} row(s), e.g. {example}")
        raise FrameContractError(f"{what} frame breaks the batch contract (a parser bug): " + " | ".join(lines))
    return {str(check): np.unique(g["index"].to_numpy(np.int64)) for check, g in fc.groupby("check", sort=False)}


def _cells(cells: pd.DataFrame, reports: pd.DataFrame, checked: np.ndarray,
           audit: frozenset[str]) -> tuple[CellFrame, Failures]:
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

    fails = _failures(CellsModel, ann, "cells", describe, audit)
    unprinted = ann["mixed"].to_numpy(bool) & mixed_key_masks()[1][key]
    return CellFrame(cells, rep, key, unprinted), fails


def _positions(ids: pd.Series, reports: pd.DataFrame, what: str) -> np.ndarray:
    pos = pd.Index(reports["report_id"]).get_indexer(ids)
    if (pos < 0).any():
        raise FrameContractError(f"{what} frame has rows of a report not in the batch: {ids[pos < 0].iloc[0]!r}")
    return np.asarray(pos)


def _complete(frame: pd.DataFrame, reports: pd.DataFrame, checked: np.ndarray, key: str, values: tuple[Any, ...],
              what: str) -> Completed:
    """Rows of the checked reports, plus a present=False row for every (report, key) the parser did not
    emit."""
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
    return Completed(out, np.concatenate([rep, grid_rep[absent]]), np.concatenate([code, grid_code[absent]]))


def validate(batch: Batch, audit: frozenset[str]) -> Validated:
    """Validate the four frames of the batch. `audit`: the checks whose failure cases rule modules read."""
    reports = batch.reports.reset_index(drop=True)
    checked = reports["status"].ne("failed").fillna(True).to_numpy(bool)
    fails = _failures(ReportsModel, reports, "reports", lambda i: f"report {reports.report_id.iloc[i]!r}", audit)
    cells, cell_fails = _cells(batch.cells, reports, checked, audit)
    sections = batch.sections
    if sections["section_no"].dtype != "int8":
        sections = sections.astype({"section_no": "int8"})
    sec = _complete(sections, reports, checked, "section_no", SECTION_NOS, "sections")
    sec_fails = _failures(SectionsModel, sec.frame, "sections",
                          lambda i: f"report {sec.frame.report_id.iloc[i]!r} section {sec.frame.section_no.iloc[i]!r}",
                          audit)
    tab = _complete(batch.tables, reports, checked, "table_id", TABLES, "tables")
    tab_fails = _failures(TablesModel, tab.frame, "tables",
                          lambda i: f"report {tab.frame.report_id.iloc[i]!r} table {tab.frame.table_id.iloc[i]!r}",
                          audit)
    present = np.zeros((len(reports), len(TABLES)), bool)
    present[tab.report_no, tab.code] = tab.frame["present"].to_numpy(bool)  # codes valid: TablesModel checked them
    return Validated(reports, checked, {**fails, **cell_fails, **sec_fails, **tab_fails}, cells, sec, tab, present)
