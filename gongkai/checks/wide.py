"""Batch cells → the wide frames the GX suites validate (one frame per declared suite, whole batch at once).

Printed numbers are copied, never altered: a value is NaN exactly when the cell is not a number (blank,
dash, text) or absent. The side columns of the identities (gongkai/checks/identities.toml, `expected_as` /
`observed_as`) are NaN-propagating sums of their operands in the report's layout, so an identity with any
non-numeric operand has a NaN side and GX ignores it (ignore_row_if="either_value_is_missing"); gx_checks
reports such instances as not_assessable. Nothing is zero-filled.

A suite's frame has one row per report × what its identities run over (`over`): each row of the table the
report's layout prints (the columns of the frame are the table's columns), each column of the table (the
columns of the frame are the table's rows, both versions'), or the single row of a one-row table. Every frame
is indexed by row_no (0…n-1) and carries report_no (position in batch.reports) and, per row or column, its
position on that axis (`pos`, in identities.union_keys order).

`lcode` is each report's layout as an index into gongkai.form.template.LAYOUTS (schemas.cells.layout_codes).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from gongkai.checks.identities import Declaration, Instance, Suite, printed_rows, union_keys
from gongkai.form.template import LAYOUTS, TABLES, col_label, row_label
from gongkai.schemas.cells import template_keys


@dataclass(frozen=True)
class Grid:
    """Dense column numbers of the cells of the tables the identities read."""

    dense_of_key: np.ndarray         # key_id → dense column, -1 if the key is in no identity table (one trailing -1)
    tables: dict[str, np.ndarray]    # table → (len(union rows), len(union columns)) dense columns
    width: int


@cache
def grid(tables: tuple[str, ...]) -> Grid:
    keys = template_keys()
    kid = {k: i for i, k in enumerate(zip(keys.table_id, keys.row_key, keys.col_key, strict=True))}
    of_key = np.full(len(keys) + 1, -1, np.int64)
    out: dict[str, np.ndarray] = {}
    width = 0
    for t in tables:
        rows, cols = union_keys(t, "row"), union_keys(t, "column")
        out[t] = width + np.arange(len(rows) * len(cols)).reshape(len(rows), len(cols))
        for i, r in enumerate(rows):
            for j, c in enumerate(cols):
                if (t, r, c) in kid:
                    of_key[kid[(t, r, c)]] = out[t][i, j]
        width += len(rows) * len(cols)
    return Grid(of_key, out, width)


def identity_tables(decl: Declaration) -> tuple[str, ...]:
    return tuple(t for t in TABLES if any(s.table == t for s in decl.suites))


@dataclass
class Dense:
    """Per report × identity cell: the value (NaN unless a number) and the row in the cells frame (-1 if
    the cell is absent)."""

    grid: Grid
    value: np.ndarray  # (reports, width) float
    pos: np.ndarray    # (reports, width) int64


def dense(decl: Declaration, cell_value: np.ndarray, report_no: np.ndarray, key_id: np.ndarray,
          n_reports: int) -> Dense:
    g = grid(identity_tables(decl))
    d = g.dense_of_key[key_id]
    m = d >= 0
    pos = np.full((n_reports, g.width), -1, np.int64)
    pos[report_no[m], d[m]] = np.flatnonzero(m)
    value = np.full(pos.shape, np.nan)
    has = pos >= 0
    value[has] = cell_value[pos[has]]
    return Dense(g, value, pos)


@dataclass
class Wide:
    """One suite's frame and, per frame row, its report, its position on the suite's axis, its cells."""

    suite: Suite
    df: pd.DataFrame
    rep: np.ndarray      # report_no per frame row
    pos: np.ndarray      # row (over "row") or column (over "column") position per frame row; 0 over "report"
    cells: np.ndarray    # (frame rows, len(columns)) dense column of each operand column
    columns: tuple[str, ...]  # operand keys = the frame's value columns
    lcode: np.ndarray    # layout code per frame row

    @property
    def labels(self) -> np.ndarray:
        """Printed label of each operand column (row labels when over "column", column labels otherwise)."""
        t = self.suite.table
        names = [row_label(t, k) if self.suite.over == "column" else col_label(t, k) for k in self.columns]
        return np.array(names, dtype=object)

    def operand_positions(self, inst: Instance, side: str | None = None) -> np.ndarray:
        """(frame rows, p): positions in `columns` of an instance's operands (both sides, or one), -1 padded."""
        lists = [inst.operands(v) if side is None else getattr(inst, side)[v] for v in range(len(LAYOUTS))]
        width = max(map(len, lists))
        table = np.array([[self.columns.index(k) for k in ks] + [-1] * (width - len(ks)) for ks in lists], np.int64)
        return table[self.lcode]


@cache
def _printed(table: str) -> np.ndarray:
    """(layouts, union rows): the rows each layout prints."""
    return np.array([[r in printed_rows(table, v) for r in union_keys(table, "row")] for v in LAYOUTS])


def frame(suite: Suite, decl: Declaration, dn: Dense, present: np.ndarray, lcode: np.ndarray) -> Wide:
    """The wide frame of one suite over the reports whose table is present (`present`, per report)."""
    g = dn.grid.tables[suite.table]
    rows, cols = union_keys(suite.table, "row"), union_keys(suite.table, "column")
    if suite.over == "row":
        rep, pos = np.nonzero(present[:, None] & _printed(suite.table)[lcode])
        cells, columns, extra = g[pos], cols, {"row": pos}
    elif suite.over == "column":
        rep, pos = np.nonzero(np.broadcast_to(present[:, None], (len(present), len(cols))))
        cells, columns, extra = g.T[pos], rows, {"col": pos}
    else:
        rep = np.flatnonzero(present)
        pos = np.zeros(len(rep), np.int64)
        cells, columns, extra = g[pos], cols, {}
    x = dn.value[rep[:, None], cells] if len(rep) else np.zeros((0, len(columns)))
    df = pd.DataFrame(x, columns=list(columns), index=pd.RangeIndex(len(x), name="row_no"))
    df.insert(0, "report_no", rep)
    for i, (k, v) in enumerate(extra.items(), start=1):
        df.insert(i, k, v)
    for identity in decl.of_suite(suite.name):
        for inst in identity.instances:
            for name, operands in ((inst.column_a, inst.expected), (inst.column_b, inst.observed)):
                if name not in columns:
                    df[name] = _side_sum(x, lcode[rep], columns, operands)
    return Wide(suite, df, rep, pos, cells.reshape(len(rep), len(columns)), columns, lcode[rep])


def _side_sum(x: np.ndarray, lcode: np.ndarray, columns: tuple[str, ...],
              operands: tuple[tuple[str, ...], ...]) -> np.ndarray:
    """NaN-propagating sum of one side's operands (per layout), each frame row in its layout."""
    out = np.zeros(len(x))
    for v, keys in enumerate(operands):
        mine = lcode == v
        out[mine] = x[np.ix_(mine, [columns.index(k) for k in keys])].sum(axis=1)
    return out


def frames(decl: Declaration, dn: Dense, present: np.ndarray, lcode: np.ndarray) -> list[Wide]:
    """Every declared suite's frame; `present`: (reports, len(TABLES)) the tables each report has."""
    return [frame(s, decl, dn, present[:, TABLES.index(s.table)], lcode) for s in decl.suites]
