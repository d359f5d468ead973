"""SECTION_MISSING: one of the six sections 一…六 not found (row_key = section number). Reads SectionsModel's
check section_present (schemas/cells.py)."""

from __future__ import annotations

import numpy as np

from gongkai.checks.pandera_checks import Validated
from gongkai.checks.rule import Rule
from gongkai.findings import Counts, Part, per_report
from gongkai.form.template import SECTION_TITLES
from gongkai.schemas.cells import SECTION_NOS

RULE = Rule(
    rule_id="SECTION_MISSING",
    family="completeness",
    severity="error",
    engine="pandera",
    title_zh="缺少必备章节",
    title_en="Required section missing",
    description=(
        "One of the six sections 一…六 prescribed by the national format was not found (row_key = "
        "section number)."
    ),
)
CHECKS = ("section_present",)


def evaluate(v: Validated) -> tuple[list[Part], Counts]:
    sec = v.sections
    rows = v.failed("section_present")
    no = sec.frame["section_no"].to_numpy(np.int64)[rows]
    titles = np.array([SECTION_TITLES[s] for s in SECTION_NOS], dtype=object)
    part = Part(RULE.rule_id, sec.report_no[rows], row_key=no.astype(str).astype(object),
                message="未找到必备章节「" + titles[no - 1] + "」", order=no)
    counts = Counts(RULE.rule_id, v.checked, per_report(sec.report_no, v.n), per_report(sec.report_no[rows], v.n),
                    np.zeros(v.n, np.int64))
    return [part], counts
