"""The DuckDB audit warehouse (DESIGN §5), its schema: the default path, a missing warehouse, migrations
recorded once and the upgrade from 0003, the data dictionary, storage readable by DuckDB 1.x."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from warehouse_support import TABLES, one, query, report, write

from gongkai.warehouse import WarehouseMissing, connect_readonly, default_db, describe, known_report_ids
from gongkai.warehouse.write import migrate

VIEWS = ["findings_current", "report_scorecard", "agency_year", "rule_stats"]
DESIGN_COLUMNS = {  # DESIGN §5 "columns (at least)" plus the brief's additions
    "reports": "report_id agency_id agency region year format_version source_path source_url source_format status "
               "error is_current parser_version first_run_id parsed_at title byte_size notes",
    "sections": "report_id section_no title text present",
    "cells": "report_id table_id row_key col_key value raw semantic",
    "rules": "rule_id family severity title_zh title_en engine description",
    "findings": "finding_id run_id report_id agency_id agency year rule_id family severity table_id row_key col_key "
                "expected observed message status",
    "rule_results": "run_id report_id rule_id evaluated failed not_assessable",
    "runs": "run_id flow_run_id started_at finished_at status files_seen files_new reports_parsed reports_failed "
            "findings_new gongkai_version parser_version harvest error reports_partial",
    "reviews": "finding_id decision note reviewer decided_at",
    "schema_migrations": "version name applied_at",
    "findings_current": "finding_id report_id rule_id severity status decision note",
    "report_scorecard": "report_id agency year status format_version errors warnings not_assessable",
    "agency_year": "agency_id agency year reports status errors warnings",
    "rule_stats": "rule_id title_zh title_en reports_evaluated reports_failing findings",
}


def test_default_db(monkeypatch):
    monkeypatch.delenv("GONGKAI_DB", raising=False)
    assert default_db() == Path("data/warehouse.duckdb")
    monkeypatch.setenv("GONGKAI_DB", "/x/w.duckdb")
    assert default_db() == Path("/x/w.duckdb")


def test_missing_warehouse(db):
    assert known_report_ids(db) == set()
    with pytest.raises(WarehouseMissing, match="no warehouse at"):
        connect_readonly(db)
    with pytest.raises(WarehouseMissing):
        query(db, "SELECT 1")


def test_migrations_recorded_once(db):
    write(db, "r1", [report("a")])
    versions = [m.version for m in migrate.available()]
    assert versions[:2] == [1, 2]
    got = query(db, "SELECT version, name FROM schema_migrations ORDER BY version")
    assert got.version.tolist() == versions
    assert got.name.tolist()[:2] == ["init", "views"]
    write(db, "r2", [report("b")], minutes=1)
    assert one(db, "SELECT count(*) FROM schema_migrations") == len(versions)


def test_upgrade_from_0003_adds_report_level(db):
    """A warehouse written before migration 0004 gains reports.level (NULL on its old rows) and the views
    that describe reports carry it; its rows are untouched."""
    db.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db), config={"storage_compatibility_version": "v1.0.0"})
    for m in migrate.available():
        if m.version <= 3:
            con.execute(m.sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [m.version, m.name])
    con.execute("INSERT INTO reports (report_id, agency_id, year, status, is_current, first_run_id)"
                " VALUES ('old', 'x', 2022, 'parsed', true, 'r0')")
    con.close()
    write(db, "r1", [report("a", agency_id="G-001")])
    got = query(db, "SELECT report_id, level FROM reports ORDER BY report_id")
    assert got.report_id.tolist()[-1] == "old" and got.level.isna().all()
    assert one(db, "SELECT max(version) FROM schema_migrations") == max(m.version for m in migrate.available())
    assert {"level"} <= set(query(db, "SELECT * FROM report_scorecard").columns)
    assert {"level"} <= set(query(db, "SELECT * FROM agency_year").columns)


def test_schema_and_data_dictionary(db):
    write(db, "r1", [report("a")])
    con = connect_readonly(db)
    try:
        tables = {n: c for n, c in con.execute("SELECT table_name, comment FROM duckdb_tables()").fetchall()}
        views = {n: c for n, c in con.execute("SELECT view_name, comment FROM duckdb_views() WHERE NOT internal").fetchall()}
        cols = con.execute("SELECT table_name, column_name, comment FROM duckdb_columns() WHERE NOT internal").df()
    finally:
        con.close()
    assert set(tables) == set(TABLES)
    assert set(views) == set(VIEWS)
    assert all(c for c in [*tables.values(), *views.values()]), "every table and view has a comment"
    undocumented = cols[cols.comment.isna() | (cols.comment == "")]
    assert undocumented.empty, undocumented
    for name, wanted in DESIGN_COLUMNS.items():
        have = set(cols.loc[cols.table_name == name, "column_name"])
        assert set(wanted.split()) <= have, (name, set(wanted.split()) - have)
    d = describe(db).df()
    assert list(d.columns) == ["table", "column", "type", "comment"]
    assert d.comment.notna().all()
    assert set(d.loc[d.column.isna(), "table"]) == set(TABLES) | set(VIEWS)
    assert d[(d.table == "cells") & (d.column == "value")].type.item() == "DOUBLE"


def test_storage_is_readable_by_duckdb_1x(db):
    """Files are created with storage_compatibility_version v1.0.0 (DuckDB 1.1+ clients read them; see
    publish.py). The header's storage version number stays 64 across copy-on-write runs."""
    write(db, "r1", [report("a")])
    write(db, "r2", [report("b")], minutes=1)
    head = db.read_bytes()[:20]
    assert head[8:12] == b"DUCK"
    assert int.from_bytes(head[12:20], "little") == 64
