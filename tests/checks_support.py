"""What the checks tests (tests/unit/test_checks_*.py and others) share: a balanced-report factory
for tiny batches built with gongkai.frames.build, a real run of the checks over them, and readers of one
finding, its keys and a rule result."""

from __future__ import annotations

import pandas as pd

from gongkai.checks import CheckResult, run_checks
from gongkai.form import template
from gongkai.form.cells import UNREAD, classify
from gongkai.report.batch import build
from gongkai.report.model import Cell, ParsedReport, Section

CHECKED_RULES = [
    "CELL_UNREAD", "FORMAT_OUTDATED", "SECTION_MISSING", "TABLE_MISSING", "CELL_BLANK", "CELL_NOT_NUMBER", "CELL_INVALID",
    "T3_BALANCE", "T3_TOTAL_COLUMN", "T3_OUTCOME_SUM", "T4_TOTAL",
]
APPLICANTS = ["natural_person", "commercial", "research", "social_welfare", "legal_services", "other_org"]


# ------------------------------------------------------------------ a balanced-report factory
def balanced_values(version: str = "2021") -> dict[tuple[str, str, str], float]:
    """A value for every template cell such that every identity holds (表三 columns differ)."""
    vals: dict[tuple[str, str, str], float] = {}
    rows = template.row_keys(version, "t3")
    outcomes = [r for r in rows if r not in ("new_received", "carried_over", "processed_total", "carried_forward")]
    for j, c in enumerate(APPLICANTS):
        col = {r: float((i + j) % 3) for i, r in enumerate(outcomes)}
        col["processed_total"] = sum(col.values())
        col["carried_over"] = float(j % 2)
        col["carried_forward"] = 2.0
        col["new_received"] = col["processed_total"] + col["carried_forward"] - col["carried_over"]
        for r, v in col.items():
            vals[("t3", r, c)] = v
    for r in rows:
        vals[("t3", r, "total")] = sum(vals[("t3", r, c)] for c in APPLICANTS)
    for g, parts in (("review", (1, 2, 0, 1)), ("suit_direct", (0, 1, 1, 0)), ("suit_after_review", (3, 0, 0, 2))):
        for p, v in zip(("upheld", "corrected", "other", "pending"), parts):
            vals[("t4", "cases", f"{g}_{p}")] = float(v)
        vals[("t4", "cases", f"{g}_total")] = float(sum(parts))
    for i, (r, c) in enumerate(template.keys(version, "t2")):
        vals[("t2", r, c)] = 1.5 if (r, c) in (("fees", "amount"), ("y2019_procurement", "y2019_amount")) else float(i)
    return vals


def raw_of(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def make_report(report_id: str, version: str = "2021", year: int = 2022, overrides: dict | None = None,
                missing_tables: tuple[str, ...] = (), missing_sections: tuple[int, ...] = (),
                drop_cells: tuple[tuple[str, str, str], ...] = (),
                unread: tuple[tuple[str, str, str], ...] = ()) -> ParsedReport:
    """overrides: {(table, row, col): raw text (None/'' for blank)}; the semantic comes from classify()."""
    raws = {k: raw_of(v) for k, v in balanced_values(version).items()}
    raws.update(overrides or {})
    cells = []
    for (t, r, c), raw in raws.items():
        if t in missing_tables or (t, r, c) in drop_cells:
            continue
        if (t, r, c) in unread:
            cells.append(Cell(t, r, c, None, UNREAD, None))
            continue
        semantic, value = classify(raw)
        cells.append(Cell(t, r, c, raw if raw else None, semantic, value))
    sections = [Section(i, f"第{i}部分", "……", i not in missing_sections) for i in range(1, 7)]
    return ParsedReport(
        report_id=report_id, source_path=f"{report_id}.txt", source_format="txt", year=year,
        agency="某某局", format_version=version, sections=sections,
        tables_present={t: t not in missing_tables for t in template.TABLES}, cells=cells,
    )


def run(*reports: ParsedReport) -> CheckResult:
    return run_checks(build(list(reports)))


def one(result: CheckResult, rule: str, status: str = "fail") -> pd.Series:
    hits = result.findings[(result.findings.rule_id == rule) & (result.findings.status == status)]
    assert len(hits) == 1, hits[["rule_id", "table_id", "row_key", "col_key", "message"]].to_string()
    return hits.iloc[0]


def keys_of(row: pd.Series) -> tuple:
    return tuple(None if pd.isna(row[k]) else row[k] for k in ("table_id", "row_key", "col_key"))


def rr(result: CheckResult, report_id: str, rule: str) -> pd.Series:
    hit = result.rule_results[(result.rule_results.report_id == report_id) & (result.rule_results.rule_id == rule)]
    assert len(hit) == 1
    return hit.iloc[0]


def cell_findings(result: CheckResult, status: str | None = None) -> set[tuple]:
    """{(rule, table, row, col, expected, observed)} with NaN as None."""
    f = result.findings if status is None else result.findings[result.findings.status == status]
    out = set()
    for _, row in f.iterrows():
        e, o = (None if pd.isna(row[k]) else float(row[k]) for k in ("expected", "observed"))
        out.add((row.rule_id, *keys_of(row), e, o))
    return out
