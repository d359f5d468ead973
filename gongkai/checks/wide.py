"""Batch cells → the wide frames the GX suites validate (one frame per suite, whole batch at once).

Printed numbers are copied, never altered: a value is NaN exactly when the cell is not a number (blank,
dash, text) or absent. Helper columns are NaN-propagating sums, so an identity with any non-numeric
operand has a NaN side and GX ignores it (ignore_row_if="either_value_is_missing"); such instances are
reported as not_assessable by gx_checks. Nothing is zero-filled.

  t3_rows     one row per report × 表三 row of its layout: the 7 columns 自然人…其他, 总计;
              applicants_sum = the six applicant columns summed
  t3_columns  one row per report × 表三 column: the 表三 rows as columns (both templates' rows);
              balance_in = 一+二, balance_out = （七）+四, outcomes_sum = the layout's outcome rows summed
  t4_cases    one row per report: the 15 表四 numbers; <group>_parts = 维持+纠正+其他+尚未审结
Every frame is indexed by row_no (0…n-1) and carries report_no (position in batch.reports) and,
for 表三, row / col (positions in T3_ROWS / T3_COLS).

`lcode` is each report's layout as an index into gongkai.template.LAYOUTS (schemas.cells.layout_codes):
the 2021 or 2019 template, or the mixed layout (2021 labels, 表三 （六）其他处理 printed as the single 2019
row), whose rows are the 2021 ones with the single row in place of the three unprinted sub-rows
(rules.t3_rows_in): T3_TOTAL_COLUMN is evaluated on the single row, T3_OUTCOME_SUM adds it as （六）.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from gongkai.form.template import LAYOUTS
from gongkai.schemas.cells import template_keys

from gongkai.checks.rules import (
    BALANCE_IN, BALANCE_OUT, PROCESSED_TOTAL, T3_APPLICANTS, T3_COLS, T3_ROWS, T3_TOTAL_COL, T4_COLS,
    T4_GROUPS, T4_PARTS, T4_ROW, outcome_rows, t3_rows_in,
)


@dataclass(frozen=True)
class Layout:
    """Dense column numbers of the identity cells: t3[r, c] for T3_ROWS × T3_COLS, t4[c] for T4_COLS."""

    dense_of_key: np.ndarray   # key_id → dense column, -1 if the key is in no identity (表二)
    t3: np.ndarray             # (len(T3_ROWS), len(T3_COLS))
    t4: np.ndarray             # (len(T4_COLS),)
    width: int


@cache
def layout() -> Layout:
    keys = template_keys()
    kid = {k: i for i, k in enumerate(zip(keys.table_id, keys.row_key, keys.col_key))}
    dense = [("t3", r, c) for r in T3_ROWS for c in T3_COLS] + [("t4", T4_ROW, c) for c in T4_COLS]
    of_key = np.full(len(keys) + 1, -1, np.int64)  # trailing entry for key_id -1
    for d, k in enumerate(dense):
        if k in kid:
            of_key[kid[k]] = d
    t3 = np.arange(len(T3_ROWS) * len(T3_COLS)).reshape(len(T3_ROWS), len(T3_COLS))
    t4 = len(T3_ROWS) * len(T3_COLS) + np.arange(len(T4_COLS))
    return Layout(of_key, t3, t4, len(dense))


@dataclass
class Dense:
    """Per report × identity cell: the value (NaN unless a number) and the row in the cells frame (-1 if
    the cell is absent)."""

    value: np.ndarray  # (reports, width) float
    pos: np.ndarray    # (reports, width) int64


def dense(cell_value: np.ndarray, report_no: np.ndarray, key_id: np.ndarray, n_reports: int) -> Dense:
    lay = layout()
    d = lay.dense_of_key[key_id]
    m = d >= 0
    pos = np.full((n_reports, lay.width), -1, np.int64)
    pos[report_no[m], d[m]] = np.flatnonzero(m)
    value = np.full(pos.shape, np.nan)
    has = pos >= 0
    value[has] = cell_value[pos[has]]
    return Dense(value, pos)


@dataclass
class Wide:
    name: str
    df: pd.DataFrame
    rep: np.ndarray
    row: np.ndarray | None = None
    col: np.ndarray | None = None


def _idx(keys: tuple[str, ...], wanted: tuple[str, ...]) -> np.ndarray:
    return np.array([keys.index(k) for k in wanted], dtype=np.int64)


@cache
def _rows_in_layout() -> np.ndarray:
    return np.array([[r in t3_rows_in(v) for r in T3_ROWS] for v in LAYOUTS])  # (layouts, rows)


@cache
def outcome_operands() -> np.ndarray:
    """(layouts, L): T3_ROWS positions of each layout's outcome rows then （七）总计, -1 padded."""
    lists = [list(_idx(T3_ROWS, outcome_rows(v))) + [T3_ROWS.index(PROCESSED_TOTAL)] for v in LAYOUTS]
    width = max(map(len, lists))
    return np.array([x + [-1] * (width - len(x)) for x in lists], dtype=np.int64)


def _frame(values: np.ndarray, columns, rep: np.ndarray, **extra) -> pd.DataFrame:
    df = pd.DataFrame(values, columns=list(columns), index=pd.RangeIndex(len(values), name="row_no"))
    df.insert(0, "report_no", rep)
    for i, (k, v) in enumerate(extra.items(), start=1):
        df.insert(i, k, v)
    return df


def t3_rows(dn: Dense, present: np.ndarray, lcode: np.ndarray) -> Wide:
    lay = layout()
    rep, row = np.nonzero(present[:, None] & _rows_in_layout()[lcode])
    x = dn.value[rep[:, None], lay.t3[row]] if len(rep) else np.zeros((0, len(T3_COLS)))
    df = _frame(x, T3_COLS, rep, row=row)
    df["applicants_sum"] = x[:, _idx(T3_COLS, T3_APPLICANTS)].sum(axis=1)
    return Wide("t3_rows", df, rep, row=row)


def t3_columns(dn: Dense, present: np.ndarray, lcode: np.ndarray) -> Wide:
    lay = layout()
    rep, col = np.nonzero(np.broadcast_to(present[:, None], (len(present), len(T3_COLS))))
    x = dn.value[rep[:, None], lay.t3.T[col]] if len(rep) else np.zeros((0, len(T3_ROWS)))
    df = _frame(x, T3_ROWS, rep, col=col)
    df["balance_in"] = x[:, _idx(T3_ROWS, BALANCE_IN)].sum(axis=1)
    df["balance_out"] = x[:, _idx(T3_ROWS, BALANCE_OUT)].sum(axis=1)
    outcomes = np.zeros(len(x))
    for v in range(len(LAYOUTS)):
        mine = lcode[rep] == v
        outcomes[mine] = x[np.ix_(mine, _idx(T3_ROWS, outcome_rows(LAYOUTS[v])))].sum(axis=1)
    df["outcomes_sum"] = outcomes
    return Wide("t3_columns", df, rep, col=col)


def t4_cases(dn: Dense, present: np.ndarray) -> Wide:
    lay = layout()
    rep = np.flatnonzero(present)
    x = dn.value[rep[:, None], lay.t4[None, :]] if len(rep) else np.zeros((0, len(T4_COLS)))
    df = _frame(x, T4_COLS, rep)
    for g in T4_GROUPS:
        df[f"{g}_parts"] = x[:, _idx(T4_COLS, tuple(f"{g}_{p}" for p in T4_PARTS))].sum(axis=1)
    return Wide("t4_cases", df, rep)


# ------------------------------------------------------------------ operands of one identity instance
def operands(rule_id: str, w: Wide, col_key: str | None, lcode: np.ndarray) -> np.ndarray:
    """(rows of w, p) dense columns of the cells each instance adds up (both sides), -1 padded."""
    lay = layout()
    if rule_id == "T3_TOTAL_COLUMN":
        return lay.t3[w.row][:, _idx(T3_COLS, (*T3_APPLICANTS, T3_TOTAL_COL))]
    if rule_id == "T3_BALANCE":
        return lay.t3[_idx(T3_ROWS, BALANCE_IN + BALANCE_OUT)][:, w.col].T
    if rule_id == "T3_OUTCOME_SUM":
        rows = outcome_operands()[lcode[w.rep]]
        return np.where(rows >= 0, lay.t3[np.maximum(rows, 0), w.col[:, None]], -1)
    if rule_id == "T4_TOTAL":
        group = (col_key or "").removesuffix("_total")
        cols = _idx(T4_COLS, (*(f"{group}_{p}" for p in T4_PARTS), f"{group}_total"))
        return np.broadcast_to(lay.t4[cols], (len(w.rep), len(cols)))
    raise KeyError(f"no operands known for rule {rule_id}")
