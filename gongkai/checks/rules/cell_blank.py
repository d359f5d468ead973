"""CELL_BLANK: a cell of the national table printed blank. Reads CellsModel's check not_blank (schemas/cells.py).
The three （六） sub-rows of a mixed report are not cells of its layout: never reported, not evaluated."""

from __future__ import annotations

import numpy as np

from gongkai.checks.pandera_checks import Validated, key_names
from gongkai.checks.rule import Rule
from gongkai.findings import Counts, Part, per_report

RULE = Rule(
    rule_id="CELL_BLANK",
    family="completeness",
    severity="warning",
    engine="pandera",
    title_zh="单元格空白",
    title_en="Cell printed blank",
    description=(
        "A cell of the national table found and printed blank. Blank is not zero: identities using it "
        "are not assessable. A cell the parser could not read is CELL_UNREAD, never CELL_BLANK."
    ),
)
CHECKS = ("not_blank",)


def evaluate(v: Validated) -> tuple[list[Part], Counts]:
    cf = v.cells
    rows = v.failed("not_blank")
    rows = rows[~cf.unprinted[rows]]
    part = cf.part(RULE.rule_id, rows, key_names()[cf.key_id[rows]] + "为空白")
    counts = Counts(RULE.rule_id, v.checked, per_report(cf.report_no[~cf.unprinted], v.n),
                    per_report(cf.report_no[rows], v.n), np.zeros(v.n, np.int64))
    return [part], counts
