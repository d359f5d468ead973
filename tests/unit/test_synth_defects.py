"""The synthetic report generator: defects with known findings, alone and combined."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from synth_support import AGENCY

from gongkai.synth import layout, make_report, read_cell, render_text


def _fails(r):
    return Counter(f["rule_id"] for f in r.expected_findings if f["status"] == "fail")


def _na(r):
    return Counter(f["rule_id"] for f in r.expected_findings if f["status"] == "not_assessable")


# --------------------------------------------------------------------------------------------------
# defects

def _defect_reports(defect, n=40):
    return [make_report(s, f"{AGENCY}{s % 7}", 2021 + s % 4, [defect]) for s in range(n)]


def test_t3_balance_breaks_one_column_and_the_total():
    for r in _defect_reports("t3_balance"):
        assert _fails(r) == Counter({"T3_BALANCE": 2}) and not _na(r)
        cols = {f["col_key"] for f in r.expected_findings}
        assert "total" in cols and len(cols) == 2
        for f in r.expected_findings:
            assert f["table_id"] == "t3" and f["row_key"] is None
            v = lambda row, r=r, f=f: read_cell(r.cells[("t3", row, f["col_key"])])[1]  # noqa: E731
            assert f["expected"] == v("new_received") + v("carried_over")
            assert f["observed"] == v("processed_total") + v("carried_forward")
            assert f["expected"] != f["observed"]


def test_t3_total_column():
    for r in _defect_reports("t3_total_column"):
        assert _fails(r) == Counter({"T3_TOTAL_COLUMN": 3}) and not _na(r)
        for f in r.expected_findings:
            assert f["col_key"] == "total"
            assert f["observed"] == read_cell(r.cells[("t3", f["row_key"], "total")])[1]
        assert {"new_received", "processed_total"} <= {f["row_key"] for f in r.expected_findings}


def test_t3_outcome_sum():
    for r in _defect_reports("t3_outcome_sum"):
        assert _fails(r) == Counter({"T3_OUTCOME_SUM": 2}) and not _na(r)
        assert all(f["row_key"] == "processed_total" for f in r.expected_findings)
        assert "total" in {f["col_key"] for f in r.expected_findings}


def test_t4_total_exactly_one():
    for r in _defect_reports("t4_total"):
        assert _fails(r) == Counter({"T4_TOTAL": 1}) and not _na(r)
        (f,) = r.expected_findings
        assert f["table_id"] == "t4" and f["row_key"] == "cases" and f["col_key"].endswith("_total")


@pytest.mark.parametrize("defect,rule", [("blank_cell", "CELL_BLANK"), ("dash_cell", "CELL_NOT_NUMBER"),
                                         ("text_cell", "CELL_NOT_NUMBER")])
def test_non_numbers_make_identities_not_assessable(defect, rule):
    seen_dash = set()
    for r in _defect_reports(defect):
        assert _fails(r) == Counter({rule: 1})
        (cell,) = [f for f in r.expected_findings if f["status"] == "fail"]
        assert cell["table_id"] == "t3"
        raw = r.cells[("t3", cell["row_key"], cell["col_key"])]
        seen_dash.add(raw)
        # the row's total-column identity and at least one column identity are not assessable, never pass/fail
        na = [f for f in r.expected_findings if f["status"] == "not_assessable"]
        assert ("T3_TOTAL_COLUMN", cell["row_key"]) in {(f["rule_id"], f["row_key"]) for f in na}
        assert set(_na(r)) <= {"T3_TOTAL_COLUMN", "T3_BALANCE", "T3_OUTCOME_SUM"} and len(na) >= 2
        assert all(f["expected"] is None and f["observed"] is None for f in na)
    if defect == "dash_cell":
        assert "—" in seen_dash
    if defect == "blank_cell":
        assert seen_dash == {None}


@pytest.mark.parametrize("defect", ["negative_cell", "fraction_cell"])
def test_invalid_values(defect):
    for r in _defect_reports(defect):
        assert _fails(r) == Counter({"CELL_INVALID": 1}) and not _na(r)
        (f,) = r.expected_findings
        x = read_cell(r.cells[(f["table_id"], f["row_key"], f["col_key"])])[1]
        assert f["observed"] == x and (x < 0 or x != int(x))


def test_missing_section_and_table():
    for r in _defect_reports("missing_section"):
        assert r.expected_findings == [{"rule_id": "SECTION_MISSING", "table_id": None, "row_key": "5", "col_key": None,
                                        "status": "fail", "expected": None, "observed": None}]
        assert [s[0] for s in r.sections] == [1, 2, 3, 4, 6]
        assert "五、" not in render_text(r).decode()
    for r in _defect_reports("missing_table"):
        assert _fails(r) == Counter({"TABLE_MISSING": 1}) and not _na(r)
        assert r.expected_findings[0]["table_id"] == "t4"
        assert r.tables_present == {"t2": True, "t3": True, "t4": False}
        assert not any(k[0] == "t4" for k in r.cells)
        assert "行政复议\n" not in render_text(r).decode()


def test_fullwidth_digits_parse_to_the_same_numbers():
    wide = grouped = 0
    for r in _defect_reports("fullwidth_digits"):
        assert r.expected_findings == []
        for k, raw in r.cells.items():
            assert read_cell(raw)[1] == r.numbers[k]
        wide += any(re.search("[０-９]", x) for x in r.cells.values())
        grouped += any("," in x for x in r.cells.values())
    assert wide >= 30 and grouped == 40


def test_blank_org_columns_and_outdated_format():
    for r in _defect_reports("blank_org_columns", 10):
        rows = len(layout(r.version).t3_rows)
        assert _fails(r) == Counter({"CELL_BLANK": 5 * rows})
        assert _na(r) == Counter({"T3_TOTAL_COLUMN": rows, "T3_BALANCE": 5, "T3_OUTCOME_SUM": 5})
    for r in _defect_reports("outdated_format", 10):
        assert r.version == "2019" and r.year >= 2021
        assert _fails(r) == Counter({"FORMAT_OUTDATED": 1})


def test_defects_combine_and_unknown_defect_rejected():
    r = make_report(3, AGENCY, 2022, ["t4_total", "missing_table", "t3_balance"])
    assert _fails(r) == Counter({"TABLE_MISSING": 1, "T3_BALANCE": 2})   # no T4_TOTAL on a missing table
    with pytest.raises(ValueError):
        make_report(1, AGENCY, 2022, ["no_such_defect"])
