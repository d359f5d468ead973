"""The read connection reads the warehouse and nothing else (issue 9, item 8): no other database, no file,
no extension, no setting — whatever the SQL, with a one-line message naming what was refused and nothing
changed on disk. Plain queries, the views and DESCRIBE / SHOW TABLES / SUMMARIZE still work."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from support import invoke, shown

from gongkai.checks import CheckResult
from gongkai.checks import catalogue as checks_catalogue
from gongkai.report import batch as frames
from gongkai.report.model import Cell, ParsedReport, Section
from gongkai.warehouse import ReadOnlyViolation, SqlRefused, check_sql, connect_readonly, query
from gongkai.warehouse.write import RunRecord, write_run

T0 = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)


def _report(tag: str, year: int = 2023) -> ParsedReport:
    cells = [Cell("t3", "new_received", "total", "1", "number", 1.0)]
    return ParsedReport(report_id=tag * 8, source_path=f"harvest/{tag}.txt", source_format="txt", title=tag,
                        agency=f"机关{tag}", year=year, format_version="2021", byte_size=10,
                        sections=[Section(n, f"第{n}节", "正文", True) for n in range(1, 7)],
                        tables_present={"t2": False, "t3": True, "t4": False}, cells=cells)


def _warehouse(db: Path, *tags: str) -> Path:
    """A small warehouse written by the real writer."""
    run = RunRecord(f"run-{db.stem}", None, T0, "harvest", len(tags), len(tags))
    reps = [_report(t) for t in tags]
    write_run(db, run, frames.build(reps), CheckResult(pd.DataFrame(), pd.DataFrame(), checks_catalogue()))
    return db


def _rows(db: Path) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM reports").fetchone()[0]
    finally:
        con.close()


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under root with its size and mtime: the file system as SQL must leave it."""
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def two(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, Path]:
    """The warehouse, another warehouse beside it (what an ATTACH would reach) and a plain text file;
    the working directory is tmp_path so relative paths land there too."""
    db = _warehouse(tmp_path / "warehouse.duckdb", "a", "b")
    other = _warehouse(tmp_path / "other.duckdb", "x", "y", "z")
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read me\n", encoding="utf-8")
    (tmp_path / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return db, other, secret


# (SQL, the start of its one-line refusal); {other} / {secret} / {dir} are filled in per test
ESCAPES = [
    ("ATTACH '{other}' AS o; DELETE FROM o.reports", "refused: ATTACH — SQL here reads the warehouse and no other database"),
    ("SELECT 1; ATTACH '{other}' AS o", "refused: ATTACH"),
    ("DETACH warehouse", "refused: DETACH"),
    ("COPY (SELECT * FROM reports) TO '{dir}/out.csv'", "refused: COPY — SQL here reads the warehouse and no other file"),
    ("COPY reports TO '{dir}/out.parquet' (FORMAT parquet)", "refused: COPY"),
    ("EXPORT DATABASE '{dir}/dump'", "refused: EXPORT DATABASE"),
    ("IMPORT DATABASE '{dir}/dump'", "refused: IMPORT DATABASE"),
    ("SELECT * FROM read_text('{secret}')", "refused: read_text('{secret}') — SQL here reads the warehouse and no other file"),
    ("SELECT content FROM read_text('/etc/hostname')", "refused: read_text('/etc/hostname')"),
    ("SELECT * FROM read_blob('{secret}')", "refused: read_blob('{secret}')"),
    ("SELECT * FROM read_csv('{dir}/data.csv')", "refused: read_csv('{dir}/data.csv')"),
    ("SELECT * FROM read_csv_auto('data.csv')", "refused: read_csv_auto('data.csv')"),
    ("SELECT * FROM read_parquet('{dir}/x.parquet')", "refused: read_parquet('{dir}/x.parquet')"),
    ("SELECT * FROM read_json('{dir}/x.json')", "refused: read_json('{dir}/x.json')"),
    ("SELECT * FROM glob('{dir}/*')", "refused: glob('{dir}/*')"),
    ("SELECT * FROM '{dir}/data.csv'", "refused: access to the file '{dir}/data.csv'"),
    ("SELECT * FROM '{other}'", "refused: access to the file '{other}'"),
    ("SELECT count(*) FROM reports UNION ALL SELECT count(*) FROM read_text('{secret}')", "refused: read_text("),
    ("INSTALL httpfs", "refused: INSTALL — extensions cannot be installed or loaded here"),
    ("FORCE INSTALL httpfs", "refused: FORCE INSTALL"),
    ("LOAD httpfs", "refused: LOAD"),
    ("SET enable_external_access = true", "refused: SET — the read connection's settings are locked"),
    ("SET lock_configuration = false", "refused: SET"),
    ("RESET enable_external_access", "refused: RESET"),
    ("SELECT 1; RESET threads", "refused: RESET"),
    ("USE memory", "refused: USE"),
    ("PRAGMA enable_profiling", "refused: changing the setting enable_profiling — the read connection's settings are locked"),
    ("CALL enable_profiling()", "refused: changing the setting"),
    ("BEGIN TRANSACTION", "refused: BEGIN — SQL here only queries the warehouse"),
    ("UPDATE EXTENSIONS", "refused: UPDATE EXTENSIONS"),
    ("CREATE SECRET (TYPE s3, KEY_ID 'k', SECRET 's')", "the warehouse is opened read-only: CREATE is not allowed"),
    ("DELETE FROM reports", "the warehouse is opened read-only: DELETE is not allowed"),
    ("SELECT 1; INSERT INTO reviews VALUES ('x','confirmed',NULL,NULL,NULL)", "the warehouse is opened read-only: INSERT"),
]


@pytest.mark.parametrize(("sql", "message"), ESCAPES, ids=[s for s, _ in ESCAPES])
def test_every_escape_is_refused_in_one_line_and_nothing_changes(two, sql, message):
    db, other, secret = two
    fill = {"other": other, "secret": secret, "dir": db.parent}
    before = _tree(db.parent)
    with pytest.raises(ReadOnlyViolation) as e:
        query(db, sql.format(**fill))
    text = str(e.value)
    assert text.startswith(message.format(**fill)), text
    assert "\n" not in text and "do not read me" not in text
    assert _rows(other) == 3 and _rows(db) == 2
    assert _tree(db.parent) == before, "SQL changed the file system"


def test_refusals_are_sql_refused_and_writes_stay_read_only_violations(two):
    db, other, _ = two
    with pytest.raises(SqlRefused):
        query(db, f"ATTACH '{other}' AS o")
    with pytest.raises(ReadOnlyViolation) as e:
        query(db, "DROP TABLE cells")
    assert not isinstance(e.value, SqlRefused)


def test_the_connection_itself_is_locked_down(two):
    """The dashboard's path: connect_readonly without query()'s statement check. The engine refuses."""
    db, other, secret = two
    before = _tree(db.parent)
    con = connect_readonly(db)
    try:
        assert con.execute("SELECT current_setting('enable_external_access'), "
                           "current_setting('lock_configuration')").fetchone() == (False, True)
        for sql in [f"ATTACH '{other}' AS o", f"COPY (SELECT 1) TO '{db.parent}/out.csv'",
                    f"SELECT * FROM read_text('{secret}')", "SELECT * FROM read_text('/etc/hostname')",
                    f"SELECT * FROM read_csv('{db.parent}/data.csv')", f"SELECT * FROM read_parquet('{db.parent}/x.parquet')",
                    "INSTALL httpfs", "LOAD httpfs"]:
            with pytest.raises(duckdb.PermissionException):
                con.execute(sql)
        for sql in ["SET enable_external_access = true", "RESET enable_external_access",
                    "SET lock_configuration = false", "SET temp_directory = '.tmp'"]:
            with pytest.raises(duckdb.InvalidInputException, match="configuration has been locked"):
                con.execute(sql)
        with pytest.raises(duckdb.InvalidInputException, match="read-only"):
            con.execute("DELETE FROM reports")
        assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == 2
    finally:
        con.close()
    assert _rows(other) == 3
    assert _tree(db.parent) == before


def test_plain_queries_views_and_introspection_still_work(two):
    db, _, _ = two
    assert query(db, "SELECT count(*) AS n FROM reports").rows == [(2,)]
    assert query(db, "WITH r AS (SELECT year FROM reports) SELECT year, count(*) FROM r GROUP BY year").rows == [(2023, 2)]
    assert len(query(db, "SELECT * FROM report_scorecard")) == 2
    assert query(db, "SELECT count(*) FROM findings_current").rows == [(0,)]
    assert len(query(db, "SELECT * FROM agency_year")) >= 1 and len(query(db, "SELECT * FROM rule_stats")) >= 1
    assert "report_id" in [r[0] for r in query(db, "DESCRIBE reports").rows]
    tables = {r[0] for r in query(db, "SHOW TABLES").rows}
    assert {"reports", "cells", "findings", "report_scorecard"} <= tables
    assert "column_name" in query(db, "SUMMARIZE reports").columns
    assert query(db, "EXPLAIN SELECT * FROM reports").rows
    assert query(db, "PRAGMA show_tables").rows
    assert query(db, "FROM reports SELECT report_id ORDER BY 1").rows == [("a" * 8,), ("b" * 8,)]
    assert query(db, "SELECT 1; SELECT 2 AS two").rows == [(2,)]  # several queries: the last one's result
    assert query(db, "-- a comment\nSELECT 'ATTACH; COPY' AS s").rows == [("ATTACH; COPY",)]  # keywords in strings
    assert query(db, "SELECT json_extract('{\"a\": 1}', '$.a') AS j").rows == [("1",)]  # built-in extensions stay
    with pytest.raises(duckdb.Error):  # other errors pass through unchanged
        query(db, "SELECT no_such_column FROM reports")


def test_check_sql_refuses_before_anything_runs():
    check_sql("SELECT 1; WITH t AS (SELECT 2) SELECT * FROM t; DESCRIBE SELECT 1")
    with pytest.raises(SqlRefused, match="^refused: ATTACH"):
        check_sql("SELECT 1; /* harmless */ ATTACH 'x.duckdb' AS o; SELECT 2")
    with pytest.raises(duckdb.ParserException):
        check_sql("SELEC 1")


def test_dashboard_use_a_read_only_connection_per_request(two):
    """Short-lived connections, several at once, parameterised SQL, a newly published file seen next time."""
    db, _, _ = two
    errors: list[BaseException] = []

    def request(i: int) -> None:
        try:
            con = connect_readonly(db)
            try:
                got = con.execute("SELECT count(*) FROM reports WHERE year = ? AND report_id LIKE ?",
                                  [2023, "%"]).fetchone()
                assert got == (2,)
            finally:
                con.close()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=request, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    held = connect_readonly(db)
    try:
        run = RunRecord("run-2", None, T0, "harvest", 1, 1)
        write_run(db, run, frames.build([_report("c")]),
                  CheckResult(pd.DataFrame(), pd.DataFrame(), checks_catalogue()))
        assert held.execute("SELECT count(*) FROM reports").fetchone()[0] == 2  # the version it opened
        assert query(db, "SELECT count(*) FROM reports").rows == [(3,)]        # the next request: the new one
    finally:
        held.close()


def test_cli_sql_prints_one_line_and_exits_1(two):
    db, other, secret = two
    for sql, message in [
        (f"ATTACH '{other}' AS o; DELETE FROM o.reports", "error: refused: ATTACH — SQL here reads the warehouse and no other database"),
        (f"COPY (SELECT * FROM reports) TO '{db.parent}/out.csv'", "error: refused: COPY — SQL here reads the warehouse and no other file"),
        ("SELECT * FROM read_text('/etc/hostname')", "error: refused: read_text('/etc/hostname') — SQL here reads the warehouse and no other file"),
        ("SET enable_external_access = true", "error: refused: SET — the read connection's settings are locked"),
    ]:
        res = invoke("sql", sql, "--db", str(db))
        assert res.exit_code == 1, shown(res)
        lines = res.output.strip().splitlines()
        assert lines[0].startswith(message) and "Traceback" not in res.output, shown(res)
        assert "error:" not in "\n".join(lines[1:]), shown(res)
    assert _rows(other) == 3
    assert not os.path.exists(db.parent / "out.csv")
    res = invoke("sql", "SELECT count(*) AS n FROM reports", "--db", str(db), "--format", "csv")
    assert res.exit_code == 0 and res.output.split() == ["n", "2"], shown(res)
