"""gongkai.checks, the identities: real Pandera and GX runs over tiny batches built with
gongkai.frames.build — a balanced report is clean and checked, each identity fires at its exact cell key,
and blank, unread or non-numeric operands are not assessable, never a fail."""

from __future__ import annotations

import pandas as pd
import pytest
from checks_support import (
    APPLICANTS,
    CHECKED_RULES,
    balanced_values,
    cell_findings,
    keys_of,
    make_report,
    one,
    raw_of,
    rr,
    run,
)

from gongkai.checks import FINDING_COLUMNS, RULE_RESULT_COLUMNS
from gongkai.form import template


# ------------------------------------------------------------------ clean reports
@pytest.mark.parametrize("version,year", [("2021", 2022), ("2019", 2020)])
def test_balanced_report_is_clean_and_checked(version, year):
    result = run(make_report("a", version, year))
    assert list(result.findings.columns) == FINDING_COLUMNS
    assert list(result.rule_results.columns) == RULE_RESULT_COLUMNS
    assert result.findings.empty, result.findings.message.tolist()
    got = result.rule_results.set_index("rule_id")
    assert list(got.index) == ["PARSE_FAILED", *CHECKED_RULES]
    assert (got.evaluated > 0).all() and (got.failed == 0).all() and (got.not_assessable == 0).all()
    assert got.loc["T3_TOTAL_COLUMN", "evaluated"] == len(template.row_keys(version, "t3"))
    assert got.loc["T3_BALANCE", "evaluated"] == 7 and got.loc["T4_TOTAL", "evaluated"] == 3
    assert got.loc["CELL_BLANK", "evaluated"] == len(template.cells(version))
    assert result.rule_results.dtypes[["evaluated", "failed", "not_assessable"]].eq("int64").all()


def test_frame_dtypes():
    f = run(make_report("a", overrides={("t3", "carried_over", "research"): "9"})).findings
    assert f.expected.dtype == "float64" and f.observed.dtype == "float64"
    assert all(f[c].dtype == "string" for c in FINDING_COLUMNS if c not in ("expected", "observed"))


BAL = balanced_values("2021")


def v(table: str, row: str, col: str) -> float:
    return BAL[(table, row, col)]


# ------------------------------------------------------------------ each identity at its exact cell key
def test_t3_balance_and_total_column_fire_at_their_keys():
    new = v("t3", "new_received", "natural_person") + 3
    res = run(make_report("a", overrides={("t3", "new_received", "natural_person"): raw_of(new)}))
    co, pt, cf = (v("t3", r, "natural_person") for r in ("carried_over", "processed_total", "carried_forward"))
    six = sum(v("t3", "new_received", c) for c in APPLICANTS) + 3
    assert cell_findings(res) == {
        ("T3_BALANCE", "t3", None, "natural_person", new + co, pt + cf),
        ("T3_TOTAL_COLUMN", "t3", "new_received", "total", six, v("t3", "new_received", "total")),
    }
    bal = one(res, "T3_BALANCE")
    assert bal.message == (f"表三「自然人」列不平衡：一({raw_of(new)})+二({raw_of(co)})={raw_of(new + co)}，"
                           f"但三(七)总计({raw_of(pt)})+四({raw_of(cf)})={raw_of(pt + cf)}")
    assert "表三「一、本年新收政府信息公开申请数量」行" in one(res, "T3_TOTAL_COLUMN").message
    assert rr(res, "a", "T3_BALANCE").tolist()[2:] == [7, 1, 0]
    assert rr(res, "a", "T3_TOTAL_COLUMN").tolist()[2:] == [25, 1, 0]


def test_t3_outcome_sum_fires_at_processed_total():
    granted = v("t3", "granted", "commercial") + 2
    res = run(make_report("a", overrides={("t3", "granted", "commercial"): raw_of(granted)}))
    outcome_sum = sum(v("t3", r, "commercial") for r in template.row_keys("2021", "t3")
                      if r not in ("new_received", "carried_over", "processed_total", "carried_forward")) + 2
    six = sum(v("t3", "granted", c) for c in APPLICANTS) + 2
    assert cell_findings(res) == {
        ("T3_OUTCOME_SUM", "t3", "processed_total", "commercial", outcome_sum, v("t3", "processed_total", "commercial")),
        ("T3_TOTAL_COLUMN", "t3", "granted", "total", six, v("t3", "granted", "total")),
    }
    assert one(res, "T3_OUTCOME_SUM").message.startswith("表三「商业企业」列办理结果不符")


def test_t4_total_fires_at_the_total():
    res = run(make_report("a", overrides={("t4", "cases", "suit_direct_total"): "5"}))
    assert cell_findings(res) == {("T4_TOTAL", "t4", "cases", "suit_direct_total", 2.0, 5.0)}
    assert one(res, "T4_TOTAL").message == (
        "表四「行政诉讼·未经复议直接起诉」总计不符：结果维持(0)+结果纠正(1)+其他结果(1)+尚未审结(0)=2，但总计为5")
    assert rr(res, "a", "T4_TOTAL").tolist()[2:] == [3, 1, 0]


def test_2019_report_balances_with_its_other_processing_row():
    assert run(make_report("a", "2019", 2020)).findings.empty
    cell = ("t3", "y2019_other_processing", "research")
    broken = balanced_values("2019")[cell] + 1
    res = run(make_report("a", "2019", 2020, overrides={cell: raw_of(broken)}))
    assert {(f[0], f[2], f[3]) for f in cell_findings(res)} == {
        ("T3_OUTCOME_SUM", "processed_total", "research"), ("T3_TOTAL_COLUMN", "y2019_other_processing", "total")}


# ------------------------------------------------------------------ not assessable
def test_blank_operand_is_not_assessable_and_a_cell_blank_but_never_a_fail():
    res = run(make_report("a", overrides={("t3", "carried_over", "natural_person"): ""}))
    assert (res.findings.status == "fail").sum() == 1
    blank = one(res, "CELL_BLANK")
    assert keys_of(blank) == ("t3", "carried_over", "natural_person")
    assert blank.message == "表三「二、上年结转政府信息公开申请数量」行「自然人」列为空白"
    bal = one(res, "T3_BALANCE", "not_assessable")
    assert keys_of(bal) == ("t3", None, "natural_person") and pd.isna(bal.expected) and pd.isna(bal.observed)
    assert bal.message == "表三「自然人」列：「二、上年结转政府信息公开申请数量」为空白，无法核对一+二=三(七)+四"
    tot = one(res, "T3_TOTAL_COLUMN", "not_assessable")
    assert keys_of(tot) == ("t3", "carried_over", "total")
    assert "「自然人」为空白" in tot.message
    assert rr(res, "a", "T3_BALANCE").tolist()[2:] == [6, 0, 1]
    assert rr(res, "a", "T3_TOTAL_COLUMN").tolist()[2:] == [24, 0, 1]
    assert res.findings[res.findings.rule_id.isin(["T3_OUTCOME_SUM", "T4_TOTAL"])].empty


def test_unread_cell_is_cell_unread_and_not_assessable_never_cell_blank():
    """A cell the parser could not read: CELL_UNREAD (family parse, our misread) at its keys, the identities
    over it not assessable naming it 「…」未能识别, and nothing against the agency (no CELL_BLANK, no fail)."""
    key = ("t3", "carried_over", "natural_person")
    res = run(make_report("a", unread=(key,)))
    unread = one(res, "CELL_UNREAD")
    assert keys_of(unread) == key and unread.family == "parse" and unread.severity == "warning"
    assert unread.message.startswith("表三「二、上年结转政府信息公开申请数量」行「自然人」列未能识别")
    assert "不是报告单位的问题" in unread.message
    assert res.findings[res.findings.rule_id.isin(["CELL_BLANK", "CELL_NOT_NUMBER", "CELL_INVALID"])].empty
    assert (res.findings.status == "fail").sum() == 1  # CELL_UNREAD only
    bal = one(res, "T3_BALANCE", "not_assessable")
    assert bal.message == "表三「自然人」列：「二、上年结转政府信息公开申请数量」未能识别，无法核对一+二=三(七)+四"
    assert "「自然人」未能识别" in one(res, "T3_TOTAL_COLUMN", "not_assessable").message
    assert rr(res, "a", "CELL_UNREAD").failed == 1
    assert rr(res, "a", "CELL_BLANK").failed == 0


def test_not_assessable_names_every_non_numeric_operand_and_absent_cells():
    res = run(make_report("a", overrides={("t4", "cases", "review_upheld"): "—", ("t4", "cases", "review_other"): "不详"},
                          drop_cells=(("t4", "cases", "review_total"),)))
    na = one(res, "T4_TOTAL", "not_assessable")
    assert keys_of(na) == ("t4", "cases", "review_total")
    assert na.message == ("表四「行政复议」：「结果维持」为「—」、「其他结果」为「不详」、「总计」缺失，"
                          "无法核对总计=结果维持+结果纠正+其他结果+尚未审结")
    assert rr(res, "a", "T4_TOTAL").tolist()[2:] == [2, 0, 1]


def test_a_printed_value_is_never_repaired():
    assert v("t3", "granted", "total") > 0 and v("t3", "partially_granted", "total") > 0
    res = run(make_report("a", overrides={("t3", "granted", "total"): "", ("t3", "partially_granted", "total"): ""}))
    # zero-filling the blanks would make the total column's outcome sum fail; it is not assessable instead
    assert set(res.findings.loc[res.findings.status == "fail", "rule_id"]) == {"CELL_BLANK"}
    assert keys_of(one(res, "T3_OUTCOME_SUM", "not_assessable")) == ("t3", "processed_total", "total")
