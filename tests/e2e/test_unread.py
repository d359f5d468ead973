"""End to end: a report whose 表三 row label the parser cannot recognise. Its cells are `unread` (our
misread): CELL_UNREAD at each, the identities over them not assessable naming them 「…」未能识别, the report
`partial` — and nothing against the agency (no CELL_BLANK, no warning or error on its scorecard)."""

from __future__ import annotations

from datetime import UTC, datetime

from gongkai.checks import run_checks
from gongkai.report import batch as frames
from gongkai.report.read import parse_bytes
from gongkai.synth import make_report, render_text
from gongkai.warehouse import query
from gongkai.warehouse.write import RunRecord, write_run

LABEL = "二、上年结转政府信息公开申请数量"
GARBLED = "二、上年結轉xq数目"   # a label no template row matches


def test_an_unrecognised_row_label_gives_cell_unread_never_cell_blank(tmp_path):
    data = render_text(make_report(1, "示范县某某局", 2023, ())).decode("utf-8")
    assert data.count(LABEL) == 1
    report = parse_bytes("示范县某某局2023.txt", data.replace(LABEL, GARBLED).encode("utf-8"))
    assert report.status == "partial"
    unread = {(c.table_id, c.row_key, c.col_key) for c in report.cells if c.semantic == "unread"}
    assert {k[:2] for k in unread} == {("t3", "carried_over")} and len(unread) == 7
    assert all(c.raw is None and c.value is None for c in report.cells if c.semantic == "unread")

    batch = frames.build([report])
    result = run_checks(batch)
    db = tmp_path / "w.duckdb"
    write_run(db, RunRecord("r1", None, datetime(2025, 3, 1, tzinfo=UTC), "harvest", 1, 1), batch, result)

    found = query(db, "SELECT rule_id, family, table_id, row_key, col_key, status, message FROM findings").df()
    cell_unread = found[found.rule_id == "CELL_UNREAD"]
    assert set(zip(cell_unread.table_id, cell_unread.row_key, cell_unread.col_key)) == unread
    assert (cell_unread.family == "parse").all() and (cell_unread.status == "fail").all()
    assert found[found.rule_id.isin(["CELL_BLANK", "CELL_NOT_NUMBER", "CELL_INVALID"])].empty
    assert set(found[found.status == "fail"].rule_id) == {"CELL_UNREAD"}   # nothing else fails
    balance = found[(found.rule_id == "T3_BALANCE")]
    assert len(balance) == 7 and (balance.status == "not_assessable").all()
    assert balance.message.str.contains(f"「{LABEL}」未能识别").all()
    card = query(db, "SELECT status, errors, warnings, parser_errors, parser_warnings FROM report_scorecard").rows
    assert card == [("partial", 0, 0, 0, 7)]
    resp = dict(query(db, "SELECT rule_id, responsibility FROM rule_stats").rows)
    assert resp["CELL_UNREAD"] == "parser" and resp["CELL_BLANK"] == "source" and resp["XY_COPY"] == "source"
