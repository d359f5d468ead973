"""Catalogue rows of the panel rules evaluated in SQL (bridge: moved here from gongkai/checks/data/rules.csv
until the warehouse declares them with its .sql files). The checks' catalogue is gongkai.checks.rules_catalogue();
the warehouse upserts these rows itself on every run."""

from __future__ import annotations

import pandas as pd

COLUMNS = ["rule_id", "family", "severity", "engine", "title_zh", "title_en", "description"]
ROWS = [
    (
        "XY_CARRY_OVER",
        "cross_year",
        "error",
        "sql",
        "上年结转与上年度结转下年度不一致",
        "Carried over ≠ last year's carried forward",
        "表三 二、上年结转 of year Y ≠ 四、结转下年度继续办理 of the same agency's current report for year Y−1, per column (col_key); holds across the 2020→2021 format change.",
    ),
    (
        "XY_T2_STOCK",
        "cross_year",
        "warning",
        "sql",
        "现行有效件数与上年及本年增减不符",
        "In-force count ≠ last year's + issued − repealed",
        "表二 现行有效件数 (Y) ≠ 现行有效件数 (Y−1) + 本年制发件数 (Y) − 本年废止件数 (Y), for 规章 and 行政规范性文件 (row_key).",
    ),
    (
        "XY_COPY",
        "plausibility",
        "warning",
        "sql",
        "与上年度报告雷同",
        "Report copied from the previous year",
        "Tables identical to the same agency's previous-year report, or narrative text near-identical above the documented threshold (雷同, named by the national notice as a ground for accountability).",
    ),
    (
        "TEXT_TABLE",
        "text_table",
        "warning",
        "sql",
        "正文数字与表格不一致",
        "Number in the text contradicts the table",
        "A number stated in sections 一 or 六 (received, carried over, processed, carried forward, granted, review and litigation counts, incl. 未收到…申请 / 未发生…行政复议 as zero) differs from the table; the finding quotes the sentence.",
    ),
    (
        "YEAR_MISMATCH",
        "format",
        "warning",
        "sql",
        "报告年度与正文统计年度不一致",
        "Filed year ≠ the year the text reports on",
        "The year the report is filed under (title or manifest) differs from the year its own text reports on (统计时限/本年度 statements).",
    ),
]


def catalogue() -> pd.DataFrame:
    """rule_id, family, severity, engine, title_zh, title_en, description of the panel rules."""
    return pd.DataFrame(ROWS, columns=COLUMNS).astype("string")


def rule_meta() -> dict[str, tuple[str, str]]:
    """rule_id → (family, severity)."""
    return {r[0]: (r[1], r[2]) for r in ROWS}
