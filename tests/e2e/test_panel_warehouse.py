"""The panel's tables and findings in the warehouse (gongkai.warehouse.panel): finding ids from the one
implementation, the documented statements and panel_inputs tables, panel inputs of reports loaded before
migration 0003 backfilled and those stored before a new operand recomputed, and the statements of one file
at two paths loaded once."""

from __future__ import annotations

from panel_support import _chain, _findings, _no_checks, _parsed, _run, _write, query

from gongkai.findings import finding_ids
from gongkai.report import batch as frames
from gongkai.report.read import parse_bytes
from gongkai.warehouse import connect_readonly
from gongkai.warehouse.write import write_run

# ------------------------------------------------------------------------------------------------
# warehouse

def test_panel_finding_ids_are_the_assemblers(db):
    """Panel findings get their ids from gongkai.findings.finding_ids (the one implementation)."""
    r22, r23 = _chain(1, "测试县财政局", [2022, 2023], {2023: ("carry_over_break",)})
    _write(db, "r1", frames.build([_parsed(r22, "ID"), _parsed(r23, "ID")]))
    f = query(db, "SELECT * FROM findings")
    assert len(f) > 0
    assert list(finding_ids(f.report_id, f.rule_id, f.table_id, f.row_key, f.col_key)) == f.finding_id.tolist()


def test_panel_tables_are_documented(db, seed_bytes):
    _write(db, "r1", frames.build([parse_bytes("harvest/s.txt", seed_bytes)]))
    con = connect_readonly(db)
    try:
        tables = dict(con.execute("SELECT table_name, comment FROM duckdb_tables() "
                                  "WHERE table_name IN ('statements', 'panel_inputs')").fetchall())
        cols = con.execute("""SELECT table_name, column_name, comment FROM duckdb_columns()
                              WHERE table_name IN ('statements', 'panel_inputs', 'findings', 'runs',
                                                   'findings_current', 'report_scorecard')""").df()
    finally:
        con.close()
    assert set(tables) == {"statements", "panel_inputs"} and all(tables.values())
    assert cols.comment.notna().all() and (cols.comment != "").all()
    assert {"resolved_run_id"} <= set(cols[cols.table_name == "findings"].column_name)


def test_reports_loaded_before_0003_are_backfilled(db):
    """A warehouse whose older reports have no panel inputs (loaded before migration 0003): the run that
    needs them computes them from cells and sections, and the cross-year rules work as usual."""
    from gongkai.warehouse.write import publishing
    r22, r23 = _chain(6, "测试县统计局", [2022, 2023], {2023: ("carry_over_break",)})
    _write(db, "r1", frames.build([_parsed(r22, "G")]))
    with publishing(db) as con:
        con.execute("DELETE FROM panel_inputs")
    _write(db, "r2", frames.build([_parsed(r23, "G")]), minutes=1)
    assert len(_findings(db, "XY_CARRY_OVER")) == 2
    got = query(db, "SELECT r.year, len(p.panel_cells) AS n, p.cells FROM panel_inputs p JOIN reports r USING (report_id) ORDER BY 1")
    assert got.values.tolist() == [[2022, 20, 200], [2023, 20, 200]]


def test_statements_of_an_identical_file_at_two_paths_load_once(db, seed_bytes):
    """The same bytes at two paths in two parse chunks: the chunks' statements are concatenated as the flow
    does, and the report's statements are loaded once."""
    a = parse_bytes("harvest/a.txt", seed_bytes)
    b = parse_bytes("harvest/copy/a.txt", seed_bytes)
    chunks = [frames.build([a]).with_derived(), frames.build([b]).with_derived()]
    batch = frames.Batch.concat(chunks)
    assert len(batch.statements) == 14
    write_run(db, _run("r1"), batch, _no_checks())
    assert query(db, "SELECT seq FROM statements ORDER BY seq").seq.tolist() == list(range(1, 8))


def test_panel_inputs_stored_before_a_new_operand_still_evaluate(db):
    """Operands are stored by name with the keys captured: a row that lacks a key the rules now read (written
    before the operand was added) is recomputed from cells, so the rule evaluates as usual."""
    from gongkai.warehouse.write import publishing
    r22, r23 = _chain(7, "测试县水务局", [2022, 2023], {2023: ("carry_over_break",)})
    _write(db, "r1", frames.build([_parsed(r22, "K")]))
    with publishing(db) as con:     # as if 't3.carried_forward.total' had been added after r1
        con.execute("""UPDATE panel_inputs SET
                           panel_cells = list_filter(panel_cells, lambda x: x.key <> 't3.carried_forward.total'),
                           panel_keys = list_filter(panel_keys, lambda k: k <> 't3.carried_forward.total')""")
    _write(db, "r2", frames.build([_parsed(r23, "K")]), minutes=1)
    assert len(_findings(db, "XY_CARRY_OVER")) == 2
    rr = query(db, "SELECT evaluated FROM rule_results WHERE rule_id = 'XY_CARRY_OVER' ORDER BY evaluated")
    assert rr.evaluated.tolist() == [0, 7]
    keys = query(db, "SELECT list_contains(panel_keys, 't3.carried_forward.total') AS k FROM panel_inputs")
    assert keys.k.all()
