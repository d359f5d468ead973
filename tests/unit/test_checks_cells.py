"""gongkai.checks, the cell rules: real Pandera runs over tiny batches built with gongkai.frames.build —
dashes and text are CELL_NOT_NUMBER, negative and fractional counts CELL_INVALID (fee amounts may be
fractions)."""

from __future__ import annotations

from checks_support import cell_findings, keys_of, make_report, rr, run


# ------------------------------------------------------------------ cell rules
def test_dash_and_text_are_cell_not_number():
    res = run(make_report("a", overrides={("t2", "penalty", "decisions"): "—", ("t2", "coercion", "decisions"): "无此项"}))
    got = res.findings[res.findings.rule_id == "CELL_NOT_NUMBER"]
    assert [keys_of(r) for _, r in got.iterrows()] == [("t2", "penalty", "decisions"), ("t2", "coercion", "decisions")]
    assert got.message.tolist() == ["表二「行政处罚」行「本年处理决定数量」列为「—」，应填写数字",
                                    "表二「行政强制」行「本年处理决定数量」列为文字「无此项」，应填写数字"]
    assert set(res.findings.rule_id) == {"CELL_NOT_NUMBER"}
    assert rr(res, "a", "CELL_NOT_NUMBER").tolist()[2:] == [200, 2, 0]


def test_negative_and_fractional_counts_are_invalid_but_fee_amounts_may_be_fractions():
    res = run(make_report("a", overrides={("t2", "regulations", "issued"): "-1", ("t2", "penalty", "decisions"): "1.5",
                                          ("t2", "coercion", "decisions"): "-2.5", ("t2", "fees", "amount"): "0.1234"}))
    assert cell_findings(res) == {
        ("CELL_INVALID", "t2", "regulations", "issued", None, -1.0),
        ("CELL_INVALID", "t2", "penalty", "decisions", None, 1.5),
        ("CELL_INVALID", "t2", "coercion", "decisions", None, -2.5),
    }
    msgs = res.findings.set_index("row_key").message
    assert msgs["regulations"] == "表二「规章」行「本年制发件数」列为负数(-1)，件数应为非负整数"
    assert "为小数(1.5)" in msgs["penalty"] and "为负的小数(-2.5)" in msgs["coercion"]
    assert rr(res, "a", "CELL_INVALID").tolist()[2:] == [200, 3, 0]


def test_2019_procurement_amount_may_be_a_fraction_and_change_may_be_negative():
    res = run(make_report("a", "2019", 2020, overrides={("t2", "y2019_procurement", "y2019_amount"): "12.75",
                                                        ("t2", "licensing", "y2019_change"): "-3",
                                                        ("t2", "y2019_procurement", "y2019_projects"): "2.5"}))
    assert cell_findings(res) == {("CELL_INVALID", "t2", "y2019_procurement", "y2019_projects", None, 2.5)}
