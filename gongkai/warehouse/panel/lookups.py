"""The lookup tables the SQL rules join (registered on the connection, never interpolated into SQL):
labels from the form template (gongkai.form.template, the one label lookup), the statements' FACTS and
the cross-year operands."""

from __future__ import annotations

import re

import duckdb
import pandas as pd

from gongkai.form.template import col_keys, col_label, row_label, t4_group_label
from gongkai.report.statements import FACTS, Fact
from gongkai.warehouse.panel.operands import T2_STOCK_ROWS, operands_frame


def short_label(label: str) -> str:
    """'（二）部分公开（区分处理的，只计这一情形…）' → '（二）部分公开'."""
    return re.sub(r"^(（[一二三四五六七八九十]+）[^（]+)（.*）$", r"\1", label)


def cell_desc(f: Fact) -> str:
    """Where a fact's number sits, in Chinese: 表三「一、本年新收…」行「总计」列 / 表四「行政复议」总计 / sums."""
    if f.table_id == "t4":
        groups = [c.removesuffix("_total") for _, c in f.operands]
        names = "」与「".join(t4_group_label(g) for g in groups)
        return f"表四「{names}」总计" + ("之和" if len(groups) > 1 else "")
    rows = "」与「".join(short_label(row_label("t3", r)) for r, _ in f.operands)
    return f"表三「{rows}」行「{col_label('t3', f.operands[0][1])}」列" + ("之和" if len(f.operands) > 1 else "")


def facts_frame() -> pd.DataFrame:
    """lookup_facts: one row per operand of each fact — fact, table_id, row_key, col_key (the finding's
    cell), op_row, op_col (the operand), zh (what the text states), cell (where the table prints it)."""
    return pd.DataFrame([{"fact": f.fact, "table_id": f.table_id, "row_key": f.row_key, "col_key": f.col_key,
                          "op_row": r, "op_col": c, "zh": f.zh, "cell": cell_desc(f)}
                         for f in FACTS.values() for r, c in f.operands])


def labels_frame() -> pd.DataFrame:
    """lookup_labels: table_id, key, label — the 表三 columns and the 表二 stock rows named in messages."""
    rows = [("t3", c, col_label("t3", c)) for c in col_keys("2021", "t3")]
    rows += [("t2", r, row_label("t2", r)) for r in T2_STOCK_ROWS]
    return pd.DataFrame(rows, columns=["table_id", "key", "label"])


def register_lookups(con: duckdb.DuckDBPyConnection) -> None:
    con.register("lookup_facts", facts_frame())
    con.register("lookup_labels", labels_frame())
    con.register("lookup_operands", operands_frame())
