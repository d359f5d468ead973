"""FORMAT_OUTDATED: a report of 2021 or later in the 2019 format (finding at NULL keys), or in the mixed layout
(finding at (t3, y2019_other_processing, NULL)); at most one per report. Reads ReportsModel's checks
format_current and layout_current (schemas/cells.py)."""

from __future__ import annotations

import numpy as np

from gongkai.checks.pandera_checks import Validated
from gongkai.checks.rule import Rule
from gongkai.findings import Counts, Part, fmt, per_report
from gongkai.form.template import mixed_rows, row_label
from gongkai.schemas.cells import VERSIONS

RULE = Rule(
    rule_id="FORMAT_OUTDATED",
    family="format",
    severity="warning",
    engine="pandera",
    title_zh="2021年及以后的报告使用了2019年旧格式",
    title_en="2019 format used for a 2021+ report",
    description=(
        "The report's tables follow the 2019 trial format (国办公开办函〔2019〕60号) although the report "
        "year is 2021 or later, when the 2021 format (国办公开办函〔2021〕30号) applies; or, in the mixed "
        "format, its 2021-labelled table 三 prints （六）其他处理 as the single 2019 row instead of the "
        "three sub-rows 1./2./3. (finding at t3, y2019_other_processing)."
    ),
)
CHECKS = ("format_current", "layout_current")


def _mixed_message() -> str:
    single, subs = mixed_rows()
    names = "".join(f"「{row_label('t3', r)}」" for r in subs)
    return (f"年，表三「{row_label('t3', single)}」只印了一行（2019年试行格式，国办公开办函〔2019〕60号），"
            f"未按国办公开办函〔2021〕30号规定的格式分列{names}三个子项")


def evaluate(v: Validated) -> tuple[list[Part], Counts]:
    years = v.reports["year"]
    year = fmt(years.to_numpy(dtype=float, na_value=np.nan))
    rows = v.failed("format_current")
    rows = rows[v.checked[rows]]
    msg = ("报告年度为" + year[rows] + "年，但使用了2019年试行格式（国办公开办函〔2019〕60号）；"
           "2021年及以后的报告应使用国办公开办函〔2021〕30号规定的格式")
    mixed = v.failed("layout_current")
    mixed = mixed[v.checked[mixed]]
    parts = [
        Part(RULE.rule_id, rows, message=msg, order=0),
        Part(RULE.rule_id, mixed, table_id="t3", row_key=mixed_rows()[0], message="报告年度为" + year[mixed]
             + _mixed_message(), order=0),
    ]
    assessable = v.checked & years.notna().to_numpy() & v.reports["format_version"].isin(VERSIONS).to_numpy()
    failed = per_report(np.concatenate([rows, mixed]), v.n)
    return parts, Counts(RULE.rule_id, v.checked, assessable.astype(np.int64), failed, np.zeros(v.n, np.int64))
