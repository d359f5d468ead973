"""CELL_INVALID: a negative or fractional count. Reads CellsModel's checks count_non_negative and count_integral
(schemas/cells.py: fee amounts may be fractions, 2019 表二 本年增/减 negative); evaluated on number cells."""

from __future__ import annotations

import numpy as np

from gongkai.checks.pandera_checks import Validated, key_names
from gongkai.checks.rule import Rule
from gongkai.findings import Counts, Part, fmt, per_report

RULE = Rule(
    rule_id="CELL_INVALID",
    family="plausibility",
    severity="error",
    engine="pandera",
    title_zh="数值不合理",
    title_en="Negative count or fractional count",
    description=(
        "A count cell holds a negative number or a fraction (only 行政事业性收费 amounts may have "
        "decimals)."
    ),
)
CHECKS = ("count_non_negative", "count_integral")


def evaluate(v: Validated) -> tuple[list[Part], Counts]:
    cf = v.cells
    neg, frac = v.failed("count_non_negative"), v.failed("count_integral")
    rows = np.union1d(neg, frac)
    value = cf.cells["value"].to_numpy(float)[rows]
    is_neg, is_frac = np.isin(rows, neg), np.isin(rows, frac)
    what = np.where(is_neg & is_frac, "为负的小数", np.where(is_neg, "为负数", "为小数"))
    msg = key_names()[cf.key_id[rows]] + what + "(" + fmt(value) + ")，件数应为非负整数"
    number = (cf.cells["semantic"] == "number").to_numpy(bool)
    counts = Counts(RULE.rule_id, v.checked, per_report(cf.report_no[number], v.n),
                    per_report(cf.report_no[rows], v.n), np.zeros(v.n, np.int64))
    return [cf.part(RULE.rule_id, rows, msg, value)], counts
