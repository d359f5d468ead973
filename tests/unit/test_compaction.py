"""A publication's checkpoint compacts only a sparse warehouse (gongkai.warehouse.write.compaction), on real files."""

from __future__ import annotations

import duckdb
import pytest

from gongkai.warehouse.read import connect_readonly
from gongkai.warehouse.write import compaction
from gongkai.warehouse.write.publish import publishing

N = 180_000  # rows a bulk append: one full row group and one of 57,120 rows (one insert thread)


def _append(db, rows: int, start: int = 0) -> None:
    with publishing(db) as con:
        con.execute("CREATE TABLE IF NOT EXISTS t (i BIGINT, s VARCHAR)")
        con.execute("SET threads = 1")  # one insert thread: the row groups' sizes do not depend on the machine
        con.execute("INSERT INTO t SELECT i, 'row ' || i FROM range($a, $b) AS r(i)", {"a": start, "b": start + rows})


def _groups(db) -> list[int]:
    con = connect_readonly(db)
    try:
        return [r[0] for r in con.execute("""
            SELECT max(count) FROM pragma_storage_info('t') WHERE column_id = 0 AND segment_type <> 'VALIDITY'
            GROUP BY row_group_id ORDER BY row_group_id""").fetchall()]
    finally:
        con.close()


def test_a_run_appending_to_a_dense_warehouse_keeps_its_row_groups(tmp_path):
    db = tmp_path / "w.duckdb"
    _append(db, N)
    _append(db, N, N)
    # two partly filled row groups that one could merge (57,120 + 122,880 + 57,120 rows fit in two): kept
    assert _groups(db) == [122_880, 57_120, 122_880, 57_120]
    con = connect_readonly(db)
    assert con.execute("SELECT count(*), count(DISTINCT i), sum(i) FROM t").fetchall() == [(2 * N, 2 * N, sum(range(2 * N)))]
    con.close()


def test_the_same_runs_compact_when_any_extra_row_group_is_too_many(tmp_path, monkeypatch):
    """The assertion above can fail: the same appends with MAX_EXTRA 0 are merged by DuckDB's vacuum."""
    monkeypatch.setattr(compaction, "MAX_EXTRA", 0)
    db = tmp_path / "w.duckdb"
    _append(db, N)
    _append(db, N, N)
    groups = _groups(db)
    assert len(groups) == 3 and sum(groups) == 2 * N, groups


def test_deleting_most_rows_makes_the_next_publication_compact(tmp_path):
    db = tmp_path / "w.duckdb"
    _append(db, 12 * 122_880)  # 12 full row groups
    with publishing(db) as con:
        con.execute("DELETE FROM t WHERE i >= 122_880")  # as a re-parse deletes the old cells: 11 row groups' rows
    groups = _groups(db)
    assert sum(groups) >= 122_880 and len(groups) <= 2, groups  # the deleted rows' row groups are gone
    con = connect_readonly(db)
    assert con.execute("SELECT count(*) FROM t").fetchall() == [(122_880,)]
    con.close()


def test_due_counts_row_groups_beyond_the_fewest_the_live_rows_need():
    fill = compaction.TableFill
    assert fill("a", 0, 0).extra == 0
    assert fill("a", 122_880, 1).extra == 0
    assert fill("a", 122_881, 2).extra == 0
    assert fill("a", 360_000, 4).extra == 1
    assert fill("a", 10, 10).extra == 9  # deleted rows keep their row groups
    assert compaction.due([fill("a", 10, 10), fill("b", 360_000, 4)]) == [fill("a", 10, 10)]
    assert compaction.due([fill("a", 10, 9)]) == []


def test_fills_reads_every_table_of_the_warehouse(tmp_path):
    db = tmp_path / "w.duckdb"
    _append(db, N)
    con = duckdb.connect(str(db))
    try:
        found = {f.table: f for f in compaction.fills(con)}
    finally:
        con.close()
    assert found["t"] == compaction.TableFill("t", N, 2)
    assert {"reports", "cells", "findings", "runs"} <= found.keys()  # the warehouse's own tables, created empty
    assert found["cells"].rows == 0


@pytest.mark.parametrize("rows", [0, 1])
def test_a_publication_of_small_tables_never_compacts(tmp_path, rows):
    db = tmp_path / "w.duckdb"
    _append(db, rows)
    con = duckdb.connect(str(db))
    try:
        assert compaction.due(compaction.fills(con)) == []
    finally:
        con.close()
