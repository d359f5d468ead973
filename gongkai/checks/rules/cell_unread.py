"""CELL_UNREAD: a cell of a found table that the parser could not read (row or column not recognised, text not
located; gongkai.form.cells.UNREAD). Our misread, never the agency's: family parse, responsibility parser.
Reads CellsModel's check not_unread (schemas/cells.py). The cell raises no completeness finding, and the
identities over it are not assessable (their message names it 「…」未能识别)."""

from __future__ import annotations

import numpy as np

from gongkai.checks.pandera_checks import Validated, key_names
from gongkai.checks.rule import Rule
from gongkai.findings import Counts, Part, per_report

RULE = Rule(
    rule_id="CELL_UNREAD",
    family="parse",
    severity="warning",
    engine="pandera",
    title_zh="单元格未能识别（解析问题）",
    title_en="Cell not read by the parser",
    description=(
        "The table was found but the parser could not attribute a value to this cell (row or column not "
        "recognised, text not located). This is our misread, not the agency's: nothing is reported against "
        "the agency for it, and identities using it are not assessable."
    ),
)
CHECKS = ("not_unread",)
MESSAGE = "未能识别（解析程序未能读取该单元格，属本系统识别问题，不是报告单位的问题）"


def evaluate(v: Validated) -> tuple[list[Part], Counts]:
    cf = v.cells
    rows = v.failed("not_unread")
    part = cf.part(RULE.rule_id, rows, key_names()[cf.key_id[rows]] + MESSAGE)
    counts = Counts(RULE.rule_id, v.checked, per_report(cf.report_no, v.n), per_report(cf.report_no[rows], v.n),
                    np.zeros(v.n, np.int64))
    return [part], counts
