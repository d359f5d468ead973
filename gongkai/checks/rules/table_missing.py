"""TABLE_MISSING: table 二, 三 or 四 not found. Reads TablesModel's check table_present (schemas/cells.py)."""

from __future__ import annotations

import numpy as np

from gongkai.checks.pandera_checks import Validated
from gongkai.checks.rule import Rule
from gongkai.findings import Counts, Part, per_report
from gongkai.form.template import TABLE_TITLES, TABLES, table_zh

RULE = Rule(
    rule_id="TABLE_MISSING",
    family="completeness",
    severity="error",
    engine="pandera",
    title_zh="缺少必备表格",
    title_en="Required table missing",
    description=(
        "Table 二, 三 or 四 was not found in the report."
    ),
)
CHECKS = ("table_present",)


def evaluate(v: Validated) -> tuple[list[Part], Counts]:
    tab = v.tables
    rows = v.failed("table_present")
    tid = np.asarray(TABLES, dtype=object)[tab.code[rows]]
    msg = np.array([f"未找到{table_zh(t)}（{TABLE_TITLES[t]}）" for t in tid], dtype=object)
    part = Part(RULE.rule_id, tab.report_no[rows], table_id=tid, message=msg, order=tab.code[rows])
    counts = Counts(RULE.rule_id, v.checked, per_report(tab.report_no, v.n), per_report(tab.report_no[rows], v.n),
                    np.zeros(v.n, np.int64))
    return [part], counts
