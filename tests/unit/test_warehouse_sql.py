"""The warehouse's SQL as SQL: views and comments re-applied from their files on every publish, the
reports.layout migration and its backfill, the light read module, the panel catalogue from rule headers."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from gongkai.checks import CheckResult
from gongkai.checks import catalogue as checks_catalogue
from gongkai.report import batch as frames
from gongkai.report.model import Cell, ParsedReport, Section
from gongkai.warehouse import describe, panel
from gongkai.warehouse import query as _query
from gongkai.warehouse.write import RunRecord, dictionary, migrate, record_failed_run, write_run

T0 = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)


def query(db: Path, sql: str) -> pd.DataFrame:
    return _query(db, sql).df()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "w.duckdb"


def _report(tag: str, layout: str = "2021", format_version: str = "2021", year: int = 2023) -> ParsedReport:
    cells = [Cell("t3", "new_received", "total", "1", "number", 1.0)]
    if layout == "mixed":
        cells.append(Cell("t3", "y2019_other_processing", "total", "0", "number", 0.0))
    return ParsedReport(report_id=tag * 8, source_path=f"harvest/{tag}.txt", source_format="txt", title=tag,
                        agency=f"机关{tag}", year=year, format_version=format_version, layout=layout, byte_size=10,
                        sections=[Section(n, f"第{n}节", "正文", True) for n in range(1, 7)],
                        tables_present={"t2": False, "t3": True, "t4": False}, cells=cells)


def _write(db: Path, run_id: str, reps: list[ParsedReport]) -> None:
    run = RunRecord(run_id, None, T0, "harvest", len(reps), len(reps))
    write_run(db, run, frames.build(reps), CheckResult(pd.DataFrame(), pd.DataFrame(), checks_catalogue()))


def _comment(db: Path, table: str, column: str | None) -> str:
    d = describe(db).df()
    hit = d[(d.table == table) & (d.column.isna() if column is None else d.column == column)]
    return str(hit.comment.item())


def test_views_and_comments_are_reapplied_from_their_files_on_every_publish(db, monkeypatch):
    _write(db, "r1", [_report("a")])
    assert "finding counts" in _comment(db, "report_scorecard", None)
    original = dictionary._files

    def edited(folder: str) -> dict[str, str]:
        files = original(folder)
        if folder == "views":
            files["report_scorecard"] = files["report_scorecard"].replace(
                "report_scorecard.errors IS 'Failing", "report_scorecard.errors IS 'EDITED failing")
        else:
            files = {k: v.replace("'File size in bytes.'", "'EDITED file size in bytes.'") for k, v in files.items()}
        return files

    monkeypatch.setattr(dictionary, "_files", edited)
    record_failed_run(db, RunRecord("r2", None, T0, "harvest", 0, 0), "boom")   # any publish
    assert _comment(db, "report_scorecard", "errors").startswith("EDITED failing")
    assert _comment(db, "reports", "byte_size") == "EDITED file size in bytes."
    assert query(db, "SELECT count(*) AS n FROM report_scorecard").n[0] == 1     # the view still works


def test_view_order_follows_after_lines():
    views = {"b": "-- after: a\nCREATE", "a": "CREATE", "c": "-- after: b, a\nCREATE"}
    assert dictionary.view_order(views) == ["a", "b", "c"]
    with pytest.raises(RuntimeError):
        dictionary.view_order({"x": "-- after: y\n", "y": "-- after: x\n"})


def test_layout_column_and_its_backfill_on_a_warehouse_of_the_old_schema(db):
    """A warehouse made by migrations 0001–0004 gains reports.layout, backfilled from what it stored: a
    2021 report with a t3 cell under y2019_other_processing is 'mixed', others keep their format_version."""
    con = duckdb.connect(str(db), config={"storage_compatibility_version": "v1.0.0"})
    for m in migrate.available():
        if m.version <= 4:
            con.execute(m.sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [m.version, m.name])
    for rid, fv in (("old_mixed", "2021"), ("old_2021", "2021"), ("old_2019", "2019"), ("old_unknown", "unknown")):
        con.execute("INSERT INTO reports (report_id, agency_id, year, format_version, status, is_current, first_run_id)"
                    " VALUES (?, ?, 2022, ?, 'parsed', true, 'r0')", [rid, rid, fv])
        con.execute("INSERT INTO cells VALUES (?, 't3', 'new_received', 'total', 1, '1', 'number')", [rid])
    con.execute("INSERT INTO cells VALUES ('old_mixed', 't3', 'y2019_other_processing', 'total', 0, '0', 'number')")
    con.execute("INSERT INTO cells VALUES ('old_2019', 't3', 'y2019_other_processing', 'total', 0, '0', 'number')")
    con.close()
    _write(db, "r1", [_report("n", layout="mixed")])
    got = dict(query(db, "SELECT report_id, layout FROM reports").itertuples(index=False))
    assert got == {"old_mixed": "mixed", "old_2021": "2021", "old_2019": "2019", "old_unknown": "unknown",
                   "n" * 8: "mixed"}
    assert query(db, "SELECT layout FROM report_scorecard WHERE report_id = 'old_mixed'").layout[0] == "mixed"
    assert "layout" in set(query(db, "SELECT * FROM agency_year").columns)
    assert "mixed" in _comment(db, "reports", "layout")


def test_read_does_not_import_pandas_or_the_writer():
    code = ("import sys, gongkai.warehouse.read, gongkai.warehouse; "
            "print(any(m == 'pandas' or m.startswith('pandas.') for m in sys.modules), "
            "'gongkai.warehouse.write' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]


def test_query_returns_a_light_result(db):
    _write(db, "r1", [_report("a")])
    r = _query(db, "SELECT report_id, year FROM reports")
    assert r.columns == ["report_id", "year"] and r.rows == [("a" * 8, 2023)] and len(r) == 1
    assert r.df().to_dict("records") == [{"report_id": "a" * 8, "year": 2023}]


def test_panel_catalogue_is_declared_by_the_rule_files():
    cat = panel.catalogue()
    assert cat.rule_id.tolist() == ["XY_CARRY_OVER", "XY_T2_STOCK", "XY_COPY", "TEXT_TABLE", "YEAR_MISMATCH"]
    assert list(cat.columns) == ["rule_id", "family", "severity", "engine", "title_zh", "title_en", "description",
                                 "responsibility"]
    assert set(cat.responsibility) == {"source"}
    assert (cat.engine == "sql").all() and cat.notna().all().all()
    assert cat.set_index("rule_id").loc["XY_CARRY_OVER", "severity"] == "error"


def test_rules_table_holds_the_checks_and_the_panel_catalogue(db):
    _write(db, "r1", [_report("a")])
    got = set(query(db, "SELECT rule_id FROM rules").rule_id)
    assert set(panel.catalogue().rule_id) <= got and set(checks_catalogue().rule_id) <= got


def test_migration_0006_names_the_positional_panel_operands(db):
    """panel_inputs rows stored with positional operand numbers (k) before migration 0006 get their operands'
    names (k 0 = 't3.carried_over.natural_person', k 13 = 't3.carried_forward.total', k 19 =
    't2.normative_docs.in_force') and the list of keys they hold."""
    con = duckdb.connect(str(db), config={"storage_compatibility_version": "v1.0.0"})
    for m in migrate.available():
        if m.version <= 5:
            con.execute(m.sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [m.version, m.name])
    con.execute("""INSERT INTO panel_inputs VALUES ('old', 1, 1, 'd', 0, 0, [],
                   [{'k': 0, 'value': 1, 'semantic': 'number', 'raw': NULL},
                    {'k': 13, 'value': 2, 'semantic': 'number', 'raw': NULL},
                    {'k': 19, 'value': NULL, 'semantic': 'dash', 'raw': '—'}])""")
    con.close()
    record_failed_run(db, RunRecord("r1", None, T0, "harvest", 0, 0), "boom")   # any publish migrates
    got = _query(db, "SELECT panel_cells, panel_keys FROM panel_inputs").rows[0]
    assert [(c["key"], c["value"], c["raw"]) for c in got[0]] == [
        ("t3.carried_over.natural_person", 1.0, None), ("t3.carried_forward.total", 2.0, None),
        ("t2.normative_docs.in_force", None, "—")]
    assert got[1] == [o.key for o in panel.OPERANDS]


def _relations_read(sql: str) -> set[str]:
    """Relations a SELECT reads (FROM / JOIN targets), its own CTEs excluded."""
    body = re.sub(r"--[^\n]*", "", sql)
    ctes = set(re.findall(r"(\w+) AS (?:MATERIALIZED )?\(", body))
    return set(re.findall(r"\b(?:FROM|JOIN)\s+(\w+)", body)) - ctes - {"SELECT", "unnest"}


def test_sql_files_read_only_the_relations_declared_for_them():
    from gongkai.warehouse.panel import relations
    from gongkai.warehouse.panel.sqlfiles import sql_file
    for rule in relations.RULES:
        assert _relations_read(sql_file("rules", rule.file).sql) <= set(rule.reads), rule.rule_id
    for step in (relations.PAIRS, relations.TEXT_REPORTS, relations.OPERAND_CELLS, relations.COPY_PAIRS):
        assert _relations_read(sql_file("panel", step.file).sql) <= set(step.reads), step.writes


def test_migrations_change_tables_only():
    """Views live in sql/views/ and the data dictionary in sql/dictionary/ (re-applied on every publish):
    no migration creates a view or a comment, so each is stated in exactly one file."""
    import re
    from importlib import resources

    folder = resources.files("gongkai.warehouse").joinpath("sql", "migrations")
    for entry in folder.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        code = "\n".join(line.split("--", 1)[0] for line in entry.read_text(encoding="utf-8").splitlines())
        assert not re.search(r"\bCOMMENT\s+ON\b|\bCREATE\s+(OR\s+REPLACE\s+)?VIEW\b", code, re.I), entry.name


def test_migration_0007_turns_unread_blanks_of_partial_reports_into_unread(db):
    """A warehouse made by migrations 0001–0006: in a `partial` report a `blank` cell with raw NULL was a cell
    the parser could not read → `unread`, its CELL_BLANK resolved (kept, hidden) and a CELL_UNREAD recorded;
    a cell printed empty (raw ''), the unprinted （六） sub-rows of a mixed partial report and a blank with raw
    NULL in a `parsed` report stay blank. rules gain responsibility; scorecards count the parser apart."""
    from gongkai.findings import finding_ids
    con = duckdb.connect(str(db), config={"storage_compatibility_version": "v1.0.0"})
    for m in migrate.available():
        if m.version <= 6:
            con.execute(m.sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [m.version, m.name])
    for rid, status, layout in (("part", "partial", "2021"), ("mix", "partial", "mixed"), ("ok", "parsed", "2021")):
        con.execute("INSERT INTO reports (report_id, agency_id, year, format_version, layout, status, is_current,"
                    " first_run_id) VALUES (?, ?, 2022, '2021', ?, ?, true, 'r0')", [rid, rid, layout, status])
    cells = [("part", "granted", "natural_person", None), ("part", "granted", "commercial", ""),
             ("mix", "other_no_fee", "total", None), ("mix", "granted", "total", None),
             ("ok", "granted", "natural_person", None)]
    for rid, row, col, raw in cells:
        con.execute("INSERT INTO cells VALUES (?, 't3', ?, ?, NULL, ?, 'blank')", [rid, row, col, raw])
        fid = finding_ids([rid], ["CELL_BLANK"], ["t3"], [row], [col])[0]
        con.execute("INSERT INTO findings (finding_id, run_id, report_id, agency_id, year, rule_id, family, severity,"
                    " table_id, row_key, col_key, message, status) VALUES (?, 'r0', ?, ?, 2022, 'CELL_BLANK',"
                    " 'completeness', 'warning', 't3', ?, ?, '表三「x」行「y」列为空白', 'fail')", [fid, rid, rid, row, col])
    con.execute("INSERT INTO rules VALUES ('CELL_BLANK', 'completeness', 'warning', 'pandera', 'a', 'b', 'c'),"
                " ('PARSE_FAILED', 'parse', 'error', 'parser', 'a', 'b', 'c')")
    con.execute("""INSERT INTO panel_inputs VALUES ('part', 2, 0, 'd', 0, 0, [],
                   [{'key': 't3.granted.natural_person', 'value': NULL, 'semantic': 'blank', 'raw': NULL},
                    {'key': 't3.granted.commercial', 'value': NULL, 'semantic': 'blank', 'raw': NULL}],
                   ['t3.granted.natural_person', 't3.granted.commercial'])""")
    con.close()
    record_failed_run(db, RunRecord("r1", None, T0, "harvest", 0, 0), "boom")   # any publish migrates
    got = {(r, c, k): s for r, c, k, s in _query(db, "SELECT report_id, row_key, col_key, semantic FROM cells").rows}
    assert got == {("part", "granted", "natural_person"): "unread", ("part", "granted", "commercial"): "blank",
                   ("mix", "other_no_fee", "total"): "blank", ("mix", "granted", "total"): "unread",
                   ("ok", "granted", "natural_person"): "blank"}
    f = query(db, "SELECT report_id, rule_id, row_key, col_key, resolved_run_id, family, message, finding_id"
                  " FROM findings ORDER BY report_id, rule_id, row_key, col_key")
    blank = f[f.rule_id == "CELL_BLANK"]
    assert len(blank) == 5   # resolved, never deleted
    resolved = set(zip(blank.report_id[blank.resolved_run_id.notna()], blank.col_key[blank.resolved_run_id.notna()]))
    assert resolved == {("part", "natural_person"), ("mix", "total")}
    assert set(blank.resolved_run_id.dropna()) == {"migration:0007"}
    unread = f[f.rule_id == "CELL_UNREAD"]
    assert set(zip(unread.report_id, unread.row_key, unread.col_key)) == {
        ("part", "granted", "natural_person"), ("mix", "granted", "total")}
    assert (unread.family == "parse").all() and unread.resolved_run_id.isna().all()
    assert unread.message.str.startswith("表三「x」行「y」列未能识别").all()
    for r in unread.itertuples():   # the finding id the checks would give it
        assert r.finding_id == finding_ids([r.report_id], ["CELL_UNREAD"], ["t3"], [r.row_key], [r.col_key])[0]
    current = query(db, "SELECT report_id, rule_id FROM findings_current WHERE rule_id = 'CELL_BLANK'")
    assert sorted(current.report_id) == ["mix", "ok", "part"]   # the printed-empty, sub-row and parsed blanks
    sc = query(db, "SELECT report_id, warnings, parser_warnings FROM report_scorecard ORDER BY report_id")
    assert sc.to_dict("records") == [{"report_id": "mix", "warnings": 1, "parser_warnings": 1},
                                     {"report_id": "ok", "warnings": 1, "parser_warnings": 0},
                                     {"report_id": "part", "warnings": 1, "parser_warnings": 1}]
    assert "parser_warnings" in set(query(db, "SELECT * FROM agency_year").columns)
    resp = dict(_query(db, "SELECT rule_id, responsibility FROM rules").rows)
    assert resp["CELL_BLANK"] == "source" and resp["PARSE_FAILED"] == "parser"
    panel_cells = _query(db, "SELECT panel_cells FROM panel_inputs").rows[0][0]
    assert [(c["key"], c["semantic"]) for c in panel_cells] == [
        ("t3.granted.natural_person", "unread"), ("t3.granted.commercial", "blank")]
