"""Shared pieces of the panel rules: thresholds, the finding-id hash, SQL literals and macros, message labels."""

from __future__ import annotations

import re
from dataclasses import dataclass

from gongkai.report.statements import FACTS

XY_RULES = ("XY_CARRY_OVER", "XY_T2_STOCK", "XY_COPY")
TEXT_RULES = ("TEXT_TABLE", "YEAR_MISMATCH")
COPY_MIN_NONZERO = 5
COPY_MIN_CHARS = 200
COPY_JACCARD = 0.9
SKETCH_CANDIDATE = 0.8
GRAMS_BOUND = 0.88           # COPY_JACCARD less a margin for 32-bit hash collisions in text_grams
TOL = 1e-6
T2_STOCK_ROWS = ("regulations", "normative_docs")

FINDING_ID_SQL = ("substr(sha256(concat_ws(chr(31), coalesce(report_id, chr(30)), rule_id, coalesce(table_id, chr(30)),"
                  " coalesce(row_key, chr(30)), coalesce(col_key, chr(30)))), 1, 16)")


@dataclass
class PanelSummary:
    findings_new: int = 0
    findings_resolved: int = 0
    findings_reopened: int = 0
    targets: int = 0             # current reports whose cross-year rules were (re-)evaluated
    text_reports: int = 0        # new reports whose TEXT_TABLE / YEAR_MISMATCH were evaluated


def q(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def short_label(label: str) -> str:
    """'（二）部分公开（区分处理的，只计这一情形…）' → '（二）部分公开'."""
    return re.sub(r"^(（[一二三四五六七八九十]+）[^（]+)（.*）$", r"\1", label)


def labels():
    """Template label helpers (the one label lookup, gongkai.form.template)."""
    from gongkai.form import template
    return template


def cell_desc(f) -> str:
    """Where a fact's number sits, in Chinese: 表三「一、本年新收…」行「总计」列 / 表四「行政复议」总计 / sums."""
    row_label, col_label, t4_group_label = labels().row_label, labels().col_label, labels().t4_group_label
    if f.table_id == "t4":
        groups = [c.removesuffix("_total") for _, c in f.operands]
        names = "」与「".join(t4_group_label(g) for g in groups)
        return f"表四「{names}」总计" + ("之和" if len(groups) > 1 else "")
    rows = "」与「".join(short_label(row_label("t3", r)) for r, _ in f.operands)
    return f"表三「{rows}」行「{col_label('t3', f.operands[0][1])}」列" + ("之和" if len(f.operands) > 1 else "")


def values_sql(rows: list[tuple]) -> str:
    return ", ".join("(" + ", ".join(q(str(x)) for x in r) + ")" for r in rows)


def facts_sql() -> str:
    """VALUES (fact, table_id, row_key, col_key, op_row, op_col, zh, cell) — one row per operand."""
    rows = [(f.fact, f.table_id, f.row_key, f.col_key, r, c, f.zh, cell_desc(f))
            for f in FACTS.values() for r, c in f.operands]
    return f"(VALUES {values_sql(rows)}) AS facts(fact, table_id, row_key, col_key, op_row, op_col, zh, cell)"


def labels_sql() -> str:
    """VALUES (table_id, key, label) AS lb: the t3 columns and t2 rows named in messages."""
    T3_COLS, col_label, row_label = labels().col_keys("2021", "t3"), labels().col_label, labels().row_label
    rows = [("t3", c, col_label("t3", c)) for c in T3_COLS] + [("t2", r, row_label("t2", r)) for r in T2_STOCK_ROWS]
    return f"(VALUES {values_sql(rows)}) AS lb(table_id, key, label)"


MACROS = """
CREATE OR REPLACE TEMP MACRO gk_num(v) AS
    CASE WHEN v IS NULL THEN '' WHEN v = round(v) AND abs(v) < 1e15 THEN CAST(CAST(v AS BIGINT) AS VARCHAR)
         ELSE CAST(round(v, 6) AS VARCHAR) END;
CREATE OR REPLACE TEMP MACRO gk_state(semantic, raw, value) AS
    CASE WHEN semantic IS NULL THEN '缺失' WHEN semantic = 'blank' THEN '为空白'
         WHEN semantic = 'number' THEN '为' || gk_num(value) ELSE '为「' || coalesce(raw, '') || '」' END;
CREATE OR REPLACE TEMP MACRO gk_quote(s) AS
    '「' || CASE WHEN length(s) > 80 THEN left(s, 80) || '…' ELSE s END || '」';
"""


