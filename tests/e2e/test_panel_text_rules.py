"""Panel rules TEXT_TABLE and YEAR_MISMATCH in the warehouse (gongkai.warehouse.panel): numbers stated
in the narrative against the tables, the year the text reports on against the year it is filed under, and
what is evaluated without statements."""

from __future__ import annotations

import dataclasses

from panel_support import _findings, _parsed, _write, query

from gongkai.app.pipeline import apply_manifest
from gongkai.report import batch as frames
from gongkai.report.read import parse_bytes
from gongkai.synth import make_report, render_text


def test_seed_text_against_zero_and_non_zero_tables(db, seed_bytes):
    seed = parse_bytes("harvest/wuxing_office_2021.txt", seed_bytes)
    _write(db, "r1", frames.build([seed]))
    assert query(db, "SELECT count(*) AS n FROM findings WHERE rule_id IN ('TEXT_TABLE', 'YEAR_MISMATCH')").n[0] == 0
    rr = query(db, "SELECT rule_id, evaluated, failed, not_assessable FROM rule_results "
                   "WHERE rule_id IN ('TEXT_TABLE', 'YEAR_MISMATCH') ORDER BY 1")
    assert rr.values.tolist() == [["TEXT_TABLE", 3, 0, 0], ["YEAR_MISMATCH", 1, 0, 0]]   # 一, 复议, 诉讼 / the year
    # the same text over a table whose 一 row is non-zero: "全年未收到信息公开申请" contradicts it
    row = "\t一、本年新收政府信息公开申请数量\n" + "\t0\n" * 7
    assert row in seed_bytes.decode("utf-8")
    edited = seed_bytes.decode("utf-8").replace(row, "\t一、本年新收政府信息公开申请数量\n\t3\n" + "\t0\n" * 5 + "\t3\n")
    other = parse_bytes("harvest/wuxing_office_2021_edited.txt", edited.encode("utf-8"))
    _write(db, "r2", frames.build([other]), minutes=1)
    f = query(db, f"SELECT table_id, row_key, col_key, expected, observed, status, message FROM findings "
                  f"WHERE rule_id = 'TEXT_TABLE' AND report_id = '{other.report_id}'")
    assert f[["table_id", "row_key", "col_key", "expected", "observed", "status"]].values.tolist() == [
        ["t3", "new_received", "total", 3.0, 0.0, "fail"]]
    assert "未收到信息公开申请" in f.message[0] and "总计" in f.message[0]


def test_without_statements_text_rules_are_not_evaluated(db, seed_bytes):
    _write(db, "r1", frames.build([parse_bytes("harvest/s.txt", seed_bytes)]), with_statements=False)
    assert query(db, "SELECT count(*) AS n FROM rule_results WHERE rule_id IN ('TEXT_TABLE', 'YEAR_MISMATCH')").n[0] == 0
    assert query(db, "SELECT count(*) AS n FROM statements").n[0] == 0
    assert query(db, "SELECT count(*) AS n FROM rule_results WHERE rule_id = 'XY_COPY'").n[0] == 1   # evaluated 0


def test_year_mismatch(db):
    r = make_report(2, "测试县审计局", 2022)
    p = parse_bytes("harvest/x.txt", render_text(r))
    apply_manifest(p, {"year": 2023, "agency_id": "E"})       # filed under 2023, the text reports on 2022
    _write(db, "r1", frames.build([p]))
    f = _findings(db, "YEAR_MISMATCH")
    assert f[["expected", "observed", "status"]].values.tolist() == [[2023.0, 2022.0, "fail"]]
    assert f.table_id.isna().all() and "2022年" in f.message[0]


def test_text_against_a_blank_cell_is_not_assessable(db):
    r = make_report(18, "测试县司法局", 2023)
    new = r.stated["t3|new_received|total"]
    assert new > 0
    blank = dict(r.cells)
    blank[("t3", "new_received", "total")] = None           # the text still says 收到…申请N件
    _write(db, "r1", frames.build([_parsed(dataclasses.replace(r, cells=blank), "H")]))
    f = _findings(db, "TEXT_TABLE")
    assert f[["row_key", "col_key", "status"]].values.tolist() == [["new_received", "total", "not_assessable"]]
    assert f.expected.isna().all() and f.observed.isna().all()
    assert "为空白" in f.message[0] and "无法核对" in f.message[0] and f"{int(new)}件" in f.message[0]
