"""PARSE_FAILED: a file that could not be read as an annual report (engine: the parser). Reported for every
failed report, with the parser's reason; its other rules are not run."""

from __future__ import annotations

import numpy as np

from gongkai.checks.pandera_checks import Validated
from gongkai.checks.rule import Rule
from gongkai.findings import Counts, Part

RULE = Rule(
    rule_id="PARSE_FAILED",
    family="parse",
    severity="error",
    engine="parser",
    title_zh="文件无法解析或不是年度报告",
    title_en="File unreadable or not a report",
    description=(
        "The file could not be read as an annual report; the message says why (corrupt file, wrong "
        "encoding, not a report)."
    ),
)
CHECKS: tuple[str, ...] = ()
NO_REASON = "文件无法解析为年度报告（未记录原因）"


def evaluate(v: Validated) -> tuple[list[Part], Counts]:
    rows = np.flatnonzero(~v.checked)
    error = v.reports["error"].astype(object).where(v.reports["error"].notna(), None).to_numpy(object)[rows]
    message = np.array([e if e else NO_REASON for e in error], dtype=object)
    everyone = np.ones(v.n, bool)
    counts = Counts(RULE.rule_id, everyone, np.ones(v.n, np.int64), (~v.checked).astype(np.int64),
                    np.zeros(v.n, np.int64))
    return [Part(RULE.rule_id, rows, message=message)], counts
