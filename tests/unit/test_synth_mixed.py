"""The generator's mixed_format defect: the mixed layout of real files (洪泽 2023/2024 — 2021 labels, 表三
（六）其他处理 printed as the single 2019 row instead of its three sub-rows) in every rendering.

The truth comes from the generator alone (printed cells; findings of the reference evaluator
gongkai.synth.evaluate, which knows the layout as `layout(MIXED)` and shares no code with the checks).
Each rendering of each report must parse to exactly the truth cells — the single row's 7 cells as printed,
the 21 sub-row cells blank with raw NULL (not printed), 207 cells in all — and the project's checks, run
once over the whole batch, must report exactly the truth findings.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from gongkai.checks import run_checks
from gongkai.form import template
from gongkai.report.batch import build
from gongkai.report.read import parse_bytes
from gongkai.synth import SynthReport, evaluate, evaluate_cross_year, make_report, read_cell
from gongkai.synth.corpus import RENDERINGS, choose_layout
from gongkai.synth.numbers import MIXED, layout, mixed_rows

SINGLE, SUBS = mixed_rows()
T3_COLS = [c for c, _ in layout("2021").t3_cols]
AGENCY = "洪泽区示范局"


def _find(defects: list[str], year: int, landed=None, start: int = 0) -> SynthReport:
    """The first report (seeds from `start`) with these defects (+ mixed_format) where `landed(r)` holds."""
    for s in range(start, start + 400):
        r = make_report(s, AGENCY, year, [*defects, "mixed_format"])
        if landed is None or landed(r):
            return r
    raise AssertionError(f"no report with {defects} where the defect lands as wanted")


def _single_changed(r) -> bool:   # an arithmetic defect printed on the single row
    return any(read_cell(r.cells[("t3", SINGLE, c)])[1] != r.numbers[("t3", SINGLE, c)] for c in T3_COLS)


def _finding_on_single(rule: str):
    return lambda r: any(f["rule_id"] == rule and f["row_key"] == SINGLE for f in r.expected_findings)


def _reports():
    """Mixed reports alone and with every in-report defect; the defects that can land on the single row
    are placed there (and once elsewhere)."""
    out = [
        _find([], 2023),
        _find([], 2020),                                             # before 2021: no FORMAT_OUTDATED
        _find(["t3_outcome_sum"], 2022, _single_changed),
        _find(["t3_outcome_sum"], 2024, lambda r: not _single_changed(r)),
        _find(["t3_total_column"], 2023, _single_changed),
        _find(["blank_cell"], 2022, _finding_on_single("CELL_BLANK")),
        _find(["dash_cell"], 2024, _finding_on_single("CELL_NOT_NUMBER")),
        _find(["text_cell"], 2021, _finding_on_single("CELL_NOT_NUMBER")),
        _find(["fullwidth_digits"], 2023, lambda r: re.search("[０-９,]", "".join(
            r.cells[("t3", SINGLE, c)] for c in T3_COLS)) is not None),
        _find(["blank_org_columns", "t3_balance"], 2022),
        _find(["missing_table", "negative_cell"], 2023),
        _find(["fraction_cell", "t4_total", "missing_section"], 2024),
    ]
    return out


@pytest.fixture(scope="module")
def audited():
    """Every report in every rendering, parsed; the checks run once over the batch."""
    reports = _reports()
    parsed = []
    for r in reports:
        for name, (render, ext) in RENDERINGS.items():
            parsed.append((r, name, parse_bytes(f"{r.report_key}_{name}.{ext}", render(r))))
    res = run_checks(build([p for _, _, p in parsed]))
    return parsed, res


def _none(x):
    return None if x is None or (not isinstance(x, str) and pd.isna(x)) else x


def _key(rule, t, row, c, status, e, o):
    e, o = _none(e), _none(o)
    return (rule, _none(t), _none(row), _none(c), status,
            None if e is None else round(float(e), 6), None if o is None else round(float(o), 6))


# --------------------------------------------------------------------------------------------------
# the generator's own truth

def test_mixed_report_truth():
    r = _find([], 2023)
    assert r.mixed and r.version == "2021" and r.layout_key == MIXED
    assert len(r.cells) == 207 and set(r.cells) == {(t, row, c) for t in ("t2", "t3", "t4")
                                                    for row, c in template.layout_keys(template.MIXED, t)}
    assert all(r.cells[("t3", s, c)] is None for s in SUBS for c in T3_COLS)
    assert r.not_printed() == {("t3", s, c) for s in SUBS for c in T3_COLS}
    # the single row prints the sum of the three sub-rows of balanced 2021 numbers: every identity holds
    assert r.expected_findings == [{"rule_id": "FORMAT_OUTDATED", "table_id": "t3", "row_key": SINGLE, "col_key": None,
                                    "status": "fail", "expected": None, "observed": None}]
    assert _find([], 2020).expected_findings == []
    assert sum(read_cell(r.cells[("t3", SINGLE, c)])[1] for c in T3_COLS[:-1]) == read_cell(r.cells[("t3", SINGLE, "total")])[1]
    # the evaluator: the sub-rows are not cells of the layout; the single row is
    cells = dict(r.cells)
    cells[("t3", SINGLE, "research")] = None
    got = {(f["rule_id"], f["row_key"], f["col_key"], f["status"]) for f in evaluate(cells, version="2021", year=2023, mixed=True)}
    assert got == {("FORMAT_OUTDATED", SINGLE, None, "fail"), ("CELL_BLANK", SINGLE, "research", "fail"),
                   ("T3_TOTAL_COLUMN", SINGLE, "total", "not_assessable"),
                   ("T3_OUTCOME_SUM", "processed_total", "research", "not_assessable")}
    with pytest.raises(ValueError):
        evaluate(cells, version="2019", mixed=True)


def test_defects_land_on_the_single_row():
    r = _find(["t3_outcome_sum"], 2022, _single_changed)
    fails = [f for f in r.expected_findings if f["rule_id"] == "T3_OUTCOME_SUM"]
    assert len(fails) == 2 and {f["row_key"] for f in fails} == {"processed_total"} and "total" in {f["col_key"] for f in fails}
    r = _find(["t3_total_column"], 2023, _single_changed)
    assert {f["row_key"] for f in r.expected_findings if f["rule_id"] == "T3_TOTAL_COLUMN"} == {
        SINGLE, "processed_total", "new_received"}
    for defect in ("blank_cell", "dash_cell", "text_cell", "t3_outcome_sum", "t3_total_column"):
        for s in range(30):   # never on a sub-row, which is not printed
            r = make_report(s, AGENCY, 2023, [defect, "mixed_format"])
            assert all(r.cells[("t3", sub, c)] is None for sub in SUBS for c in T3_COLS)
            assert not any(f["row_key"] in SUBS for f in r.expected_findings)


def test_exclusive_combinations_are_refused_and_not_drawn():
    with pytest.raises(ValueError, match="exclude each other"):
        make_report(1, AGENCY, 2023, ["mixed_format", "outdated_format"])
    prev = make_report(1, AGENCY, 2022)
    with pytest.raises(ValueError, match="exclude each other"):
        make_report(1, AGENCY, 2023, ["mixed_format", "copy_previous"], prev=prev)
    with pytest.raises(ValueError, match="2021 format"):
        make_report(1, AGENCY, 2023, ["mixed_format"], version="2019")
    drawn = [choose_layout(0, f"局{i}", 2023, 1.0, ()) for i in range(5)]
    assert drawn == [("mixed_format",)] * 5
    assert choose_layout(0, "局", 2023, 1.0, ("outdated_format",)) == ()
    assert choose_layout(0, "局", 2023, 1.0, ("copy_previous",)) == ()
    assert choose_layout(0, "局", 2020, 1.0, ()) == () and choose_layout(0, "局", 2023, 0.0, ()) == ()


def test_a_copy_of_a_mixed_report_is_mixed_and_a_copy():
    prev = _find([], 2022, lambda r: sum(read_cell(x)[1] not in (None, 0) for x in r.cells.values()) >= 5)
    r = make_report(prev.seed, AGENCY, 2023, ["copy_previous"], prev=prev)
    assert r.mixed and r.cells == prev.cells
    assert r.expected_findings == [{"rule_id": "FORMAT_OUTDATED", "table_id": "t3", "row_key": SINGLE, "col_key": None,
                                    "status": "fail", "expected": None, "observed": None}]
    xy = evaluate_cross_year(prev.cells, prev.version, prev.tables_present, r.cells, r.version, r.tables_present)
    assert "XY_COPY" in {f["rule_id"] for f in xy}   # (besides the carry-over and stock breaks a copy makes)


# --------------------------------------------------------------------------------------------------
# every rendering parses to the truth, and the checks report exactly the truth

def test_renderings_print_the_single_row_and_no_sub_row():
    r = _find([], 2023)
    html = RENDERINGS["html"][0](r).decode("utf-8")
    assert '<td colspan="2">（六）其他处理</td>' in html and '<td rowspan="20">三、本年度办理结果</td>' in html
    for name, (render, _) in RENDERINGS.items():
        if name in ("txt", "html", "html_gbk"):
            text = render(r).decode("gb18030" if name.endswith("gbk") else "utf-8")
            assert "（六）其他处理" in text and "1.申请人无正当理由" not in text and "3.其他" not in text


def test_every_rendering_parses_to_the_truth_cells(audited):
    parsed, _ = audited
    renderings = set()
    for r, name, rep in parsed:
        assert (rep.status, rep.error, rep.format_version, rep.year) == ("parsed", None, "2021", r.year), (name, rep.notes)
        assert any("printed as one row" in n for n in rep.notes)
        got = {(c.table_id, c.row_key, c.col_key): (c.raw, c.semantic) for c in rep.cells}
        not_printed = r.not_printed()
        want = {k: (None if k in not_printed else "" if raw is None else raw, read_cell(raw)[0]) for k, raw in r.cells.items()}
        assert got == want, (r.report_key, name, sorted((k, got.get(k), want.get(k)) for k in set(got) | set(want)
                                                        if got.get(k) != want.get(k))[:5])
        assert len(got) == 207 - 15 * (not r.tables_present["t4"])
        assert [got[("t3", SINGLE, c)][0] for c in T3_COLS] == [r.cells[("t3", SINGLE, c)] or "" for c in T3_COLS]
        assert sum(got[("t3", s, c)] == (None, "blank") for s in SUBS for c in T3_COLS) == 21
        renderings.add(name)
    assert renderings == set(RENDERINGS)


def test_checks_report_exactly_the_truth_findings(audited):
    parsed, res = audited
    by_report = {}
    for f in res.findings.itertuples():
        by_report.setdefault(f.report_id, set()).add(
            _key(f.rule_id, f.table_id, f.row_key, f.col_key, f.status, f.expected, f.observed))
    rr = res.rule_results
    rules_seen = set()
    for r, name, rep in parsed:
        want = {_key(f["rule_id"], f["table_id"], f["row_key"], f["col_key"], f["status"], f["expected"], f["observed"])
                for f in r.expected_findings}
        assert by_report.get(rep.report_id, set()) == want, (r.report_key, r.defects, name)
        assert len(r.expected_findings) == len(want)
        rules_seen |= {k[0] for k in want}
        # the unprinted sub-rows are not counted as evaluated cells
        n = len(layout(MIXED).keys) - 15 * (not r.tables_present["t4"])
        blank = rr[(rr.report_id == rep.report_id) & (rr.rule_id == "CELL_BLANK")]
        assert blank.evaluated.tolist() == [n]
    assert {"FORMAT_OUTDATED", "T3_OUTCOME_SUM", "T3_TOTAL_COLUMN", "T3_BALANCE", "T4_TOTAL", "CELL_BLANK",
            "CELL_NOT_NUMBER", "CELL_INVALID", "TABLE_MISSING", "SECTION_MISSING"} <= rules_seen
