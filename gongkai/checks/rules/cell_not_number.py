"""CELL_NOT_NUMBER: a dash or text where the form requires a number. Reads CellsModel's check not_dash_or_text
(schemas/cells.py); evaluated on the cells of the report's layout (not the unprinted sub-rows of a mixed one)."""

from __future__ import annotations

import numpy as np

from gongkai.checks.pandera_checks import Validated, key_names
from gongkai.checks.rule import Rule
from gongkai.findings import Counts, Part, per_report

RULE = Rule(
    rule_id="CELL_NOT_NUMBER",
    family="completeness",
    severity="warning",
    engine="pandera",
    title_zh="单元格应为数字",
    title_en="Dash or text where a number belongs",
    description=(
        "A cell holds a dash (—, /, 无 …) or text where the format requires a number."
    ),
)
CHECKS = ("not_dash_or_text",)


def evaluate(v: Validated) -> tuple[list[Part], Counts]:
    cf = v.cells
    rows = v.failed("not_dash_or_text")
    sem = cf.cells["semantic"].to_numpy(object)[rows]
    raw = cf.cells["raw"].to_numpy(object, na_value="")[rows]
    kind = np.where(sem == "dash", "为「", "为文字「")
    part = cf.part(RULE.rule_id, rows, key_names()[cf.key_id[rows]] + kind + raw + "」，应填写数字")
    counts = Counts(RULE.rule_id, v.checked, per_report(cf.report_no[~cf.unprinted], v.n),
                    per_report(cf.report_no[rows], v.n), np.zeros(v.n, np.int64))
    return [part], counts
