"""The DuckDB audit warehouse (DESIGN §5): schema, loading rules, publication, read-only access."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from gongkai import PARSER_VERSION
from gongkai.app.catalogue import catalogue
from gongkai.checks import CheckResult
from gongkai.form import template
from gongkai.report import batch as frames
from gongkai.report.model import Cell, ParsedReport, Section
from gongkai.warehouse import (
    ReadOnlyViolation,
    WarehouseBusy,
    WarehouseMissing,
    connect_readonly,
    default_db,
    describe,
    known_report_ids,
)
from gongkai.warehouse import query as _query
from gongkai.warehouse.write import RunRecord, load, migrate, publish, record_failed_run, record_reviews, write_run


def query(db, sql):
    return _query(db, sql).df()

TABLES = ["schema_migrations", "reports", "sections", "cells", "rules", "findings", "rule_results", "runs", "reviews",
          "review_events", "statements", "panel_inputs", "rederived_reports", "reparses"]
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
KEYS = list(template.cells("2021")[["table_id", "row_key", "col_key"]].itertuples(index=False, name=None))
RULES = catalogue()
T0 = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def report(tag: str, agency: str | None = "某某市 人民政府", year: int | None = 2023, value: float = 1.0,
           path: str | None = None, **kw) -> ParsedReport:
    cells = [Cell(t, r, c, f"{value:g}", "number", value) for t, r, c in KEYS]
    cells[0] = Cell(*KEYS[0], None, "blank", None)
    return ParsedReport(
        report_id=sha(tag), source_path=path or f"harvest/{tag}.txt", source_format="txt", title=f"{agency}{year}年报告",
        agency=agency, year=year, format_version="2021", byte_size=1234,
        sections=[Section(n, f"第{n}节", f"正文{n}", True) for n in range(1, 7)],
        tables_present={"t2": True, "t3": True, "t4": True}, cells=cells, notes=["ok"], **kw)


def failed(tag: str, path: str | None = None, error: str = "CorruptFile: the PDF is truncated") -> ParsedReport:
    return ParsedReport(report_id=sha(tag), source_path=path or f"harvest/{tag}.pdf", source_format="pdf",
                        status="failed", error=error, byte_size=10)


def findings_for(*reps: ParsedReport, rule: str = "T3_BALANCE") -> pd.DataFrame:
    rows = []
    for r in reps:
        rows.append(dict(finding_id=sha(r.report_id + rule), report_id=r.report_id, rule_id=rule, family="balance",
                         severity="error", table_id="t3", row_key=None, col_key="total", expected=12.0, observed=13.0,
                         message="表三不平衡", status="fail"))
        rows.append(dict(finding_id=sha(r.report_id + "CELL_BLANK"), report_id=r.report_id, rule_id="CELL_BLANK",
                         family="completeness", severity="warning", table_id=KEYS[0][0], row_key=KEYS[0][1],
                         col_key=KEYS[0][2], expected=None, observed=None, message="单元格空白", status="fail"))
    return pd.DataFrame(rows)


def results_for(*reps: ParsedReport, failed_count: int = 1) -> pd.DataFrame:
    return pd.DataFrame([dict(report_id=r.report_id, rule_id=rule, evaluated=7, failed=failed_count, not_assessable=0)
                         for r in reps for rule in ("T3_BALANCE", "CELL_BLANK")])


def run(run_id: str, minutes: int = 0, files: int = 0) -> RunRecord:
    return RunRecord(run_id, f"flow-{run_id}", T0 + timedelta(minutes=minutes), "data/harvest", files, files)


def write(db: Path, run_id: str, reps: list[ParsedReport], minutes: int = 0, findings: pd.DataFrame | None = None,
          results: pd.DataFrame | None = None):
    ok = [r for r in reps if r.status != "failed"]
    return write_run(db, run(run_id, minutes, len(reps)), frames.build(reps),
                     CheckResult(findings_for(*ok) if findings is None else findings,
                                 results_for(*ok) if results is None else results, RULES))


def one(db: Path, sql: str):
    return query(db, sql).iloc[0, 0]


def fingerprint(db: Path, tables: list[str]) -> dict[str, tuple]:
    con = connect_readonly(db)
    try:
        return {t: con.execute(f"SELECT count(*), bit_xor(hash(x)) FROM {t} AS x").fetchone() for t in tables}
    finally:
        con.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "warehouse.duckdb"


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


def test_load_contents(db):
    a, f = report("a"), failed("bad")
    s = write(db, "r1", [a, f])
    assert (s.reports_parsed, s.reports_partial, s.reports_failed) == (1, 0, 1)
    assert (s.files_seen, s.files_new, s.findings_new, s.status) == (2, 2, 2, "completed")
    assert s.findings_by_severity == {"error": 1, "warning": 1}
    r = query(db, f"SELECT * FROM reports WHERE report_id = '{a.report_id}'").iloc[0]
    assert (r.agency_id, r.agency, r.year, r.is_current, r.first_run_id) == ("某某市人民政府", "某某市 人民政府", 2023, True, "r1")
    assert (r.title, r.byte_size, r.notes, r.has_t3, r.parser_version) == (a.title, 1234, "ok", True, PARSER_VERSION)
    assert r.parsed_at == T0.replace(tzinfo=None)
    assert one(db, f"SELECT count(*) FROM cells WHERE report_id = '{a.report_id}'") == len(KEYS)
    blank = query(db, "SELECT value, raw, semantic FROM cells WHERE semantic = 'blank'")
    assert len(blank) == 1 and blank.value.isna().all() and blank.raw.isna().all()
    assert one(db, "SELECT count(*) FROM sections") == 6
    fr = query(db, "SELECT * FROM findings WHERE rule_id = 'T3_BALANCE'").iloc[0]
    assert (fr.run_id, fr.agency_id, fr.year, fr.expected, fr.observed) == ("r1", "某某市人民政府", 2023, 12.0, 13.0)
    runs = query(db, "SELECT * FROM runs").iloc[0]
    assert (runs.status, runs.flow_run_id, runs.harvest, runs.files_seen, runs.reports_failed, runs.findings_new) == (
        "completed", "flow-r1", "data/harvest", 2, 1, 2)
    assert runs.started_at == T0.replace(tzinfo=None) and runs.finished_at >= runs.started_at
    assert runs.gongkai_version and pd.isna(runs.error)
    assert one(db, "SELECT count(*) FROM rules") == len(RULES)
    assert known_report_ids(db) == {a.report_id, f.report_id}
    assert one(db, "SELECT count(*) FROM reviews") == 0


def test_manifest_agency_id_wins(db):
    write(db, "r1", [report("a", agency_id="G-001"), report("b", agency=None, year=2023)])
    got = dict(query(db, "SELECT source_path, coalesce(agency_id, '<NULL>') FROM reports").itertuples(index=False))
    assert got == {"harvest/a.txt": "G-001", "harvest/b.txt": "<NULL>"}


def test_failed_report_has_row_with_error(db):
    f = failed("bad", error="CorruptFile: the PDF is truncated")
    write(db, "r1", [f])
    r = query(db, "SELECT status, error, is_current, agency_id, has_t2 FROM reports").iloc[0]
    assert (r.status, r.error, r.is_current) == ("failed", "CorruptFile: the PDF is truncated", True)
    assert pd.isna(r.agency_id) and pd.isna(r.has_t2)
    assert one(db, "SELECT count(*) FROM cells") == 0 and one(db, "SELECT count(*) FROM sections") == 0
    assert one(db, "SELECT status FROM report_scorecard") == "failed"


def test_same_batch_twice_adds_only_a_runs_row(db):
    reps = [report("a"), report("b", year=2022), failed("bad")]
    write(db, "r1", reps)
    others = [t for t in TABLES if t != "runs"]
    before = fingerprint(db, others)
    s = write(db, "r2", reps, minutes=5)
    assert (s.reports_parsed, s.reports_failed, s.findings_new, s.findings_by_severity) == (0, 0, 0, {})
    assert fingerprint(db, others) == before
    assert query(db, "SELECT run_id, status FROM runs ORDER BY started_at").values.tolist() == [
        ["r1", "completed"], ["r2", "completed"]]


def test_new_version_for_same_agency_year_becomes_current(db):
    v1, v2 = report("a-v1", value=1), report("a-v2", value=2)
    other = report("other", agency="另一个局", year=2023)
    write(db, "r1", [v1, other])
    write(db, "r2", [v2], minutes=1)
    cur = dict(query(db, "SELECT report_id, is_current FROM reports").itertuples(index=False))
    assert cur == {v1.report_id: False, v2.report_id: True, other.report_id: True}
    ay = query(db, "SELECT * FROM agency_year WHERE agency_id = '某某市人民政府'").iloc[0]
    assert (ay.reports, ay.current_report_id, ay.year, ay.errors, ay.warnings) == (2, v2.report_id, 2023, 1, 1)
    assert set(query(db, "SELECT report_id FROM findings_current").report_id) == {v2.report_id, other.report_id}
    assert set(query(db, "SELECT report_id FROM report_scorecard").report_id) == {v2.report_id, other.report_id}
    assert one(db, "SELECT count(*) FROM findings") == 6  # history is kept


def test_versions_within_one_batch_and_by_path(db):
    v1, v2 = report("a-v1", value=1), report("a-v2", value=2)
    write(db, "r1", [v1, v2])  # later in the batch = newer
    assert one(db, "SELECT report_id FROM reports WHERE is_current AND agency IS NOT NULL") == v2.report_id
    # without agency/year: versioned by source_path
    write(db, "r2", [failed("x1", path="harvest/x.pdf")], minutes=1)
    write(db, "r3", [failed("x2", path="harvest/x.pdf")], minutes=2)
    cur = dict(query(db, "SELECT report_id, is_current FROM reports WHERE source_path = 'harvest/x.pdf'").itertuples(index=False))
    assert cur == {sha("x1"): False, sha("x2"): True}
    # a file at that path that now parses supersedes the unidentified failed versions
    write(db, "r4", [report("x3", path="harvest/x.pdf", agency="第三局")], minutes=3)
    cur = dict(query(db, "SELECT report_id, is_current FROM reports WHERE source_path = 'harvest/x.pdf'").itertuples(index=False))
    assert cur == {sha("x1"): False, sha("x2"): False, sha("x3"): True}


def test_identical_file_twice_in_a_batch(db):
    a = report("a")
    copy = report("a", path="harvest/copy-of-a.txt")
    write(db, "r1", [a, copy])
    assert one(db, "SELECT count(*) FROM reports") == 1
    assert one(db, "SELECT count(*) FROM cells") == len(KEYS)
    assert one(db, "SELECT count(*) FROM sections") == 6


def test_rule_results_recorded_when_new_or_changed(db):
    a = report("a")
    write(db, "r1", [a])
    write(db, "r2", [a], minutes=1)
    loader_rules = "SELECT count(*) FROM rule_results WHERE rule_id IN ('T3_BALANCE', 'CELL_BLANK')"  # not the panel's
    assert one(db, loader_rules) == 2
    write(db, "r3", [a], minutes=2, results=results_for(a, failed_count=0))
    assert one(db, loader_rules) == 4
    stats = query(db, "SELECT * FROM rule_stats WHERE rule_id = 'T3_BALANCE'").iloc[0]
    assert (stats.reports_evaluated, stats.reports_failing, stats.findings, stats.title_en) == (
        1, 0, 1, "Table 3 does not balance")


def test_findings_insert_or_ignore_keeps_first_run(db):
    a, b = report("a"), report("b", agency="另一个局", year=2022)  # another agency: no cross-year pair with a
    write(db, "r1", [a])
    s = write(db, "r2", [a, b], minutes=1, findings=findings_for(a, b))
    assert s.findings_new == 2
    assert query(db, "SELECT report_id, min(run_id) AS r FROM findings GROUP BY ALL").set_index("report_id").r.to_dict() == {
        a.report_id: "r1", b.report_id: "r2"}


def test_record_failed_run(db):
    write(db, "r1", [report("a")])
    others = [t for t in TABLES if t != "runs"]
    before = fingerprint(db, others)
    record_failed_run(db, run("r2", minutes=1, files=3), "RuntimeError: disk full\nTraceback (most recent call last): …")
    assert fingerprint(db, others) == before
    r = query(db, "SELECT * FROM runs WHERE run_id = 'r2'").iloc[0]
    assert (r.status, r.error, r.files_seen, r.findings_new) == ("failed", "RuntimeError: disk full", 3, 0)
    assert r.finished_at is not None


def test_record_failed_run_on_new_warehouse(db):
    record_failed_run(db, run("r1"), "boom")
    assert query(db, "SELECT run_id, status, error FROM runs").values.tolist() == [["r1", "failed", "boom"]]
    assert known_report_ids(db) == set()


def test_query_is_read_only(db):
    write(db, "r1", [report("a")])
    for sql, kind in [("DELETE FROM reports", "DELETE"), ("UPDATE reports SET is_current = false", "UPDATE"),
                      ("DROP TABLE cells", "DROP"), ("SELECT 1; INSERT INTO reviews VALUES ('x','confirmed',NULL,NULL,NULL)", "INSERT")]:
        with pytest.raises(ReadOnlyViolation) as e:
            query(db, sql)
        assert str(e.value).startswith(f"the warehouse is opened read-only: {kind} is not allowed")
        assert "\n" not in str(e.value)
    assert one(db, "SELECT count(*) FROM reports") == 1
    assert one(db, "SELECT count(*) FROM reviews") == 0
    with pytest.raises(duckdb.Error):  # other errors pass through unchanged
        query(db, "SELECT no_such_column FROM reports")


def test_open_reader_does_not_block_writer_and_sees_old_state(db):
    write(db, "r1", [report("a")])
    reader = connect_readonly(db)
    try:
        assert reader.execute("SELECT count(*) FROM reports").fetchone()[0] == 1
        done = threading.Event()

        def writer():
            write(db, "r2", [report("b", year=2022)], minutes=1)
            done.set()

        t = threading.Thread(target=writer)
        t.start()
        t.join(timeout=60)
        assert done.is_set(), "write_run was blocked by an open reader"
        assert reader.execute("SELECT count(*) FROM reports").fetchone()[0] == 1
        assert reader.execute("SELECT count(*) FROM runs").fetchone()[0] == 1
        # a new connection sees the new state even while the old one stays open in this process
        # (DuckDB's per-path instance cache would otherwise hand back the old file)
        assert one(db, "SELECT count(*) FROM reports") == 2
        assert known_report_ids(db) == {report("a").report_id, report("b").report_id}
    finally:
        reader.close()
    assert one(db, "SELECT count(*) FROM runs") == 2


def test_crash_mid_write_leaves_published_file_identical(db, monkeypatch):
    write(db, "r1", [report("a")])
    before = db.read_bytes()

    def boom(*args, **kw):
        raise RuntimeError("injected failure after reports and cells were written")

    monkeypatch.setattr(load, "_load_findings", boom)
    with pytest.raises(RuntimeError, match="injected failure"):
        write(db, "r2", [report("b", year=2022)], minutes=1)
    assert db.read_bytes() == before
    assert sorted(p.name for p in db.parent.iterdir()) == ["warehouse.duckdb", "warehouse.duckdb.lock"]
    monkeypatch.undo()
    write(db, "r3", [report("b", year=2022)], minutes=2)  # the lock was released
    assert query(db, "SELECT run_id FROM runs ORDER BY run_id").run_id.tolist() == ["r1", "r3"]


def test_crash_on_first_write_leaves_no_file(db, monkeypatch):
    monkeypatch.setattr(load, "_load_findings", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        write(db, "r1", [report("a")])
    assert not db.exists()


ROGUE = "import sys, duckdb; c = duckdb.connect(sys.argv[1]); print('open', flush=True); sys.stdin.read(); c.close()"


def test_writer_lock_timeout_and_foreign_writer(db):
    write(db, "r1", [report("a")])
    with publish.writer_lock(db):
        with pytest.raises(WarehouseBusy, match="another gongkai run"):
            with publish.publishing(db, lock_timeout=0.2):
                pass
    # another process holding a read-write session on the published file (not allowed): refuse, clearly
    rogue = subprocess.Popen([sys.executable, "-c", ROGUE, str(db)], stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True)
    try:
        assert rogue.stdout.readline().strip() == "open"
        with pytest.raises(WarehouseBusy, match="open read-write by another program"):
            write(db, "r2", [report("b")], minutes=1)
    finally:
        rogue.communicate("", timeout=30)
    write(db, "r3", [report("b")], minutes=2)
    assert one(db, "SELECT count(*) FROM runs") == 2


CRASHED_WRITER = ("import os, sys, duckdb; c = duckdb.connect(sys.argv[1]); "
                  "c.execute(\"INSERT INTO reviews (finding_id, decision, note, reviewer, decided_at) VALUES ('f1', 'confirmed', 'direct', 'x', NULL)\"); os._exit(0)")


def test_stray_wal_from_a_crashed_foreign_writer_is_folded_in(db):
    write(db, "r1", [report("a")])
    subprocess.run([sys.executable, "-c", CRASHED_WRITER, str(db)], check=True)
    wal = db.with_name(db.name + ".wal")
    assert wal.exists()
    write(db, "r2", [report("b")], minutes=1)
    assert not wal.exists()
    assert one(db, "SELECT note FROM reviews") == "direct"
    assert one(db, "SELECT count(*) FROM reports") == 2


def test_concurrent_writers_are_serialised(db):
    batches = {f"r{i}": [report(f"w{i}", agency=f"机关{i}")] for i in range(4)}
    errors: list[BaseException] = []

    def go(run_id):
        try:
            write(db, run_id, batches[run_id], minutes=int(run_id[1:]))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=go, args=(r,)) for r in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    assert one(db, "SELECT count(*) FROM runs") == 4
    assert one(db, "SELECT count(*) FROM reports") == 4  # no run's rows were lost to another's swap


def test_reviews_survive_later_runs(db):
    a = report("a")
    write(db, "r1", [a])
    fid = findings_for(a).finding_id.tolist()
    n = record_reviews(db, pd.DataFrame({"finding_id": fid, "decision": ["confirmed", "dismissed"],
                                         "note": ["已核实", "误报"], "reviewer": ["张三", "张三"],
                                         "decided_at": [T0, None]}))
    assert n == 2
    before = fingerprint(db, ["reviews"])
    write(db, "r2", [a, report("b", agency="另一个局", year=2022)], minutes=1)
    write(db, "r3", [a], minutes=2, findings=findings_for(a))
    assert fingerprint(db, ["reviews"]) == before
    assert one(db, f"SELECT decided_at FROM reviews WHERE finding_id = '{fid[0]}'") == T0.replace(tzinfo=None)
    got = query(db, f"SELECT finding_id, decision, note FROM findings_current WHERE report_id = '{a.report_id}'")
    assert dict(zip(got.finding_id, got.decision)) == {fid[0]: "confirmed", fid[1]: "dismissed"}
    card = query(db, f"SELECT * FROM report_scorecard WHERE report_id = '{a.report_id}'").iloc[0]
    assert (card.errors, card.warnings, card.confirmed, card.dismissed) == (1, 0, 1, 1)


def _big_batch(n_reports: int, offset: int = 0) -> frames.Batch:
    """n_reports × ~190 template cells, built column-wise with the dtypes of frames.build."""
    proto = frames.build([report("proto")])
    ids = np.array([sha(f"big{i + offset}") for i in range(n_reports)], dtype=object)
    keys = pd.DataFrame(KEYS, columns=["table_id", "row_key", "col_key"])
    k = len(keys)
    rng = np.random.default_rng(1)
    values = rng.integers(0, 3000, n_reports * k).astype("float64")
    cells = pd.DataFrame({
        "report_id": np.repeat(ids, k), "table_id": np.tile(keys.table_id.to_numpy(), n_reports),
        "row_key": np.tile(keys.row_key.to_numpy(), n_reports), "col_key": np.tile(keys.col_key.to_numpy(), n_reports),
        "value": values, "raw": values.astype(int).astype(str), "semantic": "number"}).astype(proto.cells.dtypes.to_dict())
    reports = pd.concat([proto.reports] * n_reports, ignore_index=True)
    reports["report_id"] = pd.array(ids, dtype="string")
    reports["agency"] = pd.array([f"机关{i}" for i in range(n_reports)], dtype="string")
    sections = pd.concat([proto.sections] * n_reports, ignore_index=True)
    sections["report_id"] = pd.array(np.repeat(ids, 6), dtype="string")
    tables = pd.concat([proto.tables] * n_reports, ignore_index=True)
    tables["report_id"] = pd.array(np.repeat(ids, 3), dtype="string")
    return frames.Batch(reports, sections, tables, cells)


def test_bulk_load_of_a_large_batch(db):
    """200,000 cells through the Arrow bulk path (make bench-timings measures a million: ~1.5 s)."""
    n_reports = -(-200_000 // len(KEYS))
    batch = _big_batch(n_reports)
    assert len(batch.cells) >= 200_000
    s = write_run(db, run("big", files=n_reports), batch, CheckResult(pd.DataFrame(), pd.DataFrame(), RULES))
    assert s.reports_parsed == n_reports
    assert one(db, "SELECT count(*) FROM cells") == len(batch.cells)
