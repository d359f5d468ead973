"""Panel rules across years in the warehouse (gongkai.warehouse.panel: XY_CARRY_OVER, XY_T2_STOCK),
including re-evaluation when a neighbouring year's report arrives or is replaced, the 2019 → 2021 format
change and a blank operand."""

from __future__ import annotations

import dataclasses

from panel_support import _chain, _findings, _parsed, _write, query

from gongkai.report import batch as frames


def test_late_previous_year_report_triggers_next_year(db):
    r22, r23, r24 = _chain(3, "测试县民政局", [2022, 2023, 2024], {2023: ("carry_over_break",)})
    _write(db, "r1", frames.build([_parsed(r23, "A"), _parsed(r24, "A")]))
    assert _findings(db, "XY_CARRY_OVER").empty                       # 2022 not there yet
    assert query(db, "SELECT evaluated FROM rule_results WHERE rule_id = 'XY_CARRY_OVER' ORDER BY evaluated").evaluated.tolist() == [0, 7]
    s = _write(db, "r2", frames.build([_parsed(r22, "A")]), minutes=1)
    f = _findings(db, "XY_CARRY_OVER")
    assert set(f.report_year) == {2023} and set(f.run_id) == {"r2"} and len(f) == 2   # one column and 总计
    assert s.findings_new == 2
    latest = query(db, """SELECT r.year, rr.evaluated, rr.failed FROM rule_results AS rr JOIN reports AS r USING (report_id)
                          WHERE rr.rule_id = 'XY_CARRY_OVER' AND rr.run_id = 'r2' ORDER BY 1""")
    assert latest.values.tolist() == [[2022, 0, 0], [2023, 7, 2]]   # 2024 unchanged: no new row


def test_replaced_previous_year_report_resolves_stale_finding(db):
    r22, r23 = _chain(5, "测试县财政局", [2022, 2023])
    key = ("t3", "carried_forward", "natural_person")
    typo = dict(r22.cells)
    typo[key] = str(int(float(typo[key])) + 4)                      # 2022 v1 misprints one 结转下年度 cell
    v1 = dataclasses.replace(r22, cells=typo)
    _write(db, "r1", frames.build([_parsed(v1, "B"), _parsed(r23, "B")]))
    stale = _findings(db, "XY_CARRY_OVER")
    assert stale.col_key.tolist() == ["natural_person"] and stale.report_year.tolist() == [2023]
    fid = stale.finding_id[0]

    s = _write(db, "r2", frames.build([_parsed(r22, "B")]), minutes=1)   # corrected 2022 report
    assert s.findings_resolved == 1
    assert _findings(db, "XY_CARRY_OVER").empty
    kept = query(db, f"SELECT run_id, resolved_run_id FROM findings WHERE finding_id = '{fid}'")
    assert kept.values.tolist() == [["r1", "r2"]]
    assert query(db, "SELECT findings_resolved FROM runs WHERE run_id = 'r2'").findings_resolved[0] == 1
    sc = query(db, "SELECT errors FROM report_scorecard WHERE year = 2023").errors[0]
    assert sc == 0
    rr = query(db, """SELECT rr.run_id, rr.failed FROM rule_results rr JOIN reports r USING (report_id)
                      WHERE r.year = 2023 AND rr.rule_id = 'XY_CARRY_OVER' ORDER BY rr.run_id""")
    assert rr.values.tolist() == [["r1", 1], ["r2", 0]]

    # a third version repeating the misprint reopens the same finding
    _write(db, "r3", frames.build([_parsed(v1, "B", tag="v3")]), minutes=2)
    again = _findings(db, "XY_CARRY_OVER")
    assert again.finding_id.tolist() == [fid]
    assert query(db, f"SELECT resolved_run_id FROM findings WHERE finding_id = '{fid}'").resolved_run_id.isna().all()


def test_t2_stock_and_format_change(db):
    r20, r21, r22 = _chain(7, "测试县教育局", [2020, 2021, 2022])
    assert (r20.version, r21.version) == ("2019", "2021")
    bad = dict(r22.cells)
    k = ("t2", "normative_docs", "in_force")
    bad[k] = str(int(float(bad[k])) + 2)
    r22 = dataclasses.replace(r22, cells=bad)
    _write(db, "r1", frames.build([_parsed(r, "C") for r in (r20, r21, r22)]))
    f = _findings(db, "XY_T2_STOCK")
    assert f[["report_year", "row_key", "col_key", "status"]].values.tolist() == [[2022, "normative_docs", "in_force", "fail"]]
    assert f.observed[0] - f.expected[0] == 2
    # 2019 → 2021: carry-over is checked across the format change (clean here), 表二 stock is not
    rr = query(db, """SELECT r.year, rr.rule_id, rr.evaluated FROM rule_results rr JOIN reports r USING (report_id)
                      WHERE rr.rule_id IN ('XY_CARRY_OVER', 'XY_T2_STOCK') ORDER BY 1, 2""")
    assert rr.values.tolist() == [[2020, "XY_CARRY_OVER", 0], [2020, "XY_T2_STOCK", 0], [2021, "XY_CARRY_OVER", 7],
                                  [2021, "XY_T2_STOCK", 0], [2022, "XY_CARRY_OVER", 7], [2022, "XY_T2_STOCK", 2]]
    assert _findings(db, "XY_CARRY_OVER").empty


def test_carry_over_blank_operand_is_not_assessable(db):
    r22, r23 = _chain(9, "测试县商务局", [2022, 2023])
    blank = dict(r23.cells)
    blank[("t3", "carried_over", "research")] = None
    _write(db, "r1", frames.build([_parsed(r22, "D"), _parsed(dataclasses.replace(r23, cells=blank), "D")]))
    f = _findings(db, "XY_CARRY_OVER")
    assert f[["col_key", "status"]].values.tolist() == [["research", "not_assessable"]]
    assert f.expected.isna().all() and "空白" in f.message[0] and "无法核对" in f.message[0]
