"""Reading the published warehouse: always read-only, one connection per query (DESIGN §5, §8).

A read-only connection takes DuckDB's shared lock on the published file. Writers never open that file
(they build a copy and swap it in, see publish.py), so readers never block a run and never see half of
one; a reader that stays open keeps seeing the version it opened until it reconnects.

Light on purpose (the CLI's `sql`, `findings`, `rules` and the dashboard start with it): importing this
module imports neither pandas nor the writer. `query` and `describe` return a `Result` (column names and
row tuples); `Result.df()` builds a pandas DataFrame on demand.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from gongkai.warehouse.errors import ReadOnlyViolation, WarehouseMissing

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_DB = Path("data") / "warehouse.duckdb"


@dataclass(frozen=True)
class Result:
    """A query's result: its column names and its rows (tuples of Python values)."""

    columns: list[str]
    rows: list[tuple[Any, ...]]

    def __len__(self) -> int:
        return len(self.rows)

    def df(self) -> pd.DataFrame:
        """The result as a pandas DataFrame (pandas is imported here, on demand)."""
        import pandas as pd

        return pd.DataFrame.from_records(self.rows, columns=self.columns)


def _result(rel: duckdb.DuckDBPyConnection) -> Result:
    columns = [d[0] for d in rel.description or []]
    return Result(columns, rel.fetchall())


def default_db() -> Path:
    """`$GONGKAI_DB` if set, else `./data/warehouse.duckdb`."""
    env = os.environ.get("GONGKAI_DB")
    return Path(env) if env else DEFAULT_DB


def connect_readonly(db: Path) -> duckdb.DuckDBPyConnection:
    """Open the published warehouse read-only, as database `warehouse` (the default schema for queries).
    Raises WarehouseMissing if there is no file.

    The file is ATTACHed to a fresh in-memory instance instead of `duckdb.connect(path)`: DuckDB caches
    instances by path within a process, so while any connection to the path stays open (a dashboard's
    cached one), `connect(path)` would hand back that instance and its pre-publication state."""
    db = Path(db)
    if not db.is_file():
        raise WarehouseMissing(f"no warehouse at {db}: run `gongkai audit` first, or pass --db / set GONGKAI_DB")
    con = duckdb.connect(":memory:")
    try:
        path = str(db.resolve()).replace("'", "''")
        con.execute(f"ATTACH '{path}' AS warehouse (READ_ONLY)")
        con.execute("USE warehouse")
    except BaseException:
        con.close()
        raise
    return con


_READ_ONLY = re.compile(r'statement of type "(\w+)".*read-only mode', re.S)


def query(db: Path, sql: str) -> Result:
    """Run `sql` on a read-only connection and return the result of its last statement.

    A statement that would change the warehouse raises ReadOnlyViolation (nothing is changed)."""
    con = connect_readonly(db)
    try:
        try:
            return _result(con.execute(sql))
        except duckdb.Error as e:
            m = _READ_ONLY.search(str(e))
            if m:
                raise ReadOnlyViolation(
                    f"the warehouse is opened read-only: {m.group(1)} is not allowed "
                    "(SQL here only reads; audits write through `gongkai audit`)"
                ) from None
            raise
    finally:
        con.close()


def known_report_ids(db: Path) -> set[str]:
    """report_ids already in the published warehouse (failed files included); empty if there is none."""
    db = Path(db)
    if not db.is_file():
        return set()
    con = connect_readonly(db)
    try:
        has = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'reports' AND schema_name = 'main'"
            " AND database_name = current_database()"
        ).fetchall()
        if not has[0][0]:
            return set()
        return {rid for (rid,) in con.execute("SELECT report_id FROM reports").fetchall()}
    finally:
        con.close()


def describe(db: Path) -> Result:
    """The data dictionary: one row per table or view (column = NULL, type 'TABLE'/'VIEW') followed by
    one row per column, with its COMMENT ON text (sql/dictionary/comments.sql, sql/views/*.sql)."""
    con = connect_readonly(db)
    try:
        return _result(con.execute(
            """
            WITH relations AS (
                SELECT table_name, 'TABLE' AS kind, comment FROM duckdb_tables()
                WHERE database_name = current_database() AND schema_name = 'main'
                UNION ALL
                SELECT view_name, 'VIEW', comment FROM duckdb_views()
                WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
            ),
            entries AS (
                SELECT r.table_name, NULL::VARCHAR AS column_name, r.kind AS data_type, r.comment,
                       -1 AS column_index
                FROM relations AS r
                UNION ALL
                SELECT c.table_name, c.column_name, c.data_type, c.comment, c.column_index
                FROM duckdb_columns() AS c
                JOIN relations AS r ON r.table_name = c.table_name
                WHERE c.database_name = current_database() AND c.schema_name = 'main'
            )
            SELECT table_name AS "table", column_name AS "column", data_type AS "type", comment
            FROM entries
            ORDER BY "table", column_index
            """
        ))
    finally:
        con.close()
