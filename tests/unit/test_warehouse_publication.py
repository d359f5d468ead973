"""The DuckDB audit warehouse (DESIGN §5), publication and read-only access: queries are read-only, an
open reader neither blocks the writer nor sees its run, a crash leaves the published file as it was, and
writers are locked out, folded in or serialised."""

from __future__ import annotations

import subprocess
import sys
import threading

import duckdb
import pytest
from warehouse_support import one, query, report, write

from gongkai.warehouse import ReadOnlyViolation, WarehouseBusy, connect_readonly, known_report_ids
from gongkai.warehouse.write import load, publish


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
