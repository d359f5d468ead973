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

from gongkai.warehouse.errors import ReadOnlyViolation, SqlRefused, WarehouseError, WarehouseMissing

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
    """Open the published warehouse read-only, as database `warehouse` (the default schema for queries),
    on an instance locked down so that no SQL can reach anything but that file. Raises WarehouseMissing if
    there is no file.

    The file is ATTACHed to a fresh in-memory instance instead of `duckdb.connect(path)`: DuckDB caches
    instances by path within a process, so while any connection to the path stays open (a dashboard's
    cached one), `connect(path)` would hand back that instance and its pre-publication state.

    Once the warehouse is attached, external access is switched off (no ATTACH of another database, no
    COPY, no read_text / read_csv / read_parquet / glob, no INSTALL or LOAD; only the warehouse file and its
    WAL stay readable), spilling to a temp directory is switched off (nothing is written beside the
    current directory) and the configuration is locked, so no later statement (SET, RESET, PRAGMA) can turn
    any of it back on."""
    db = Path(db)
    if not db.is_file():
        raise WarehouseMissing(f"no warehouse at {db}: run `gongkai audit` first, or pass --db / set GONGKAI_DB")
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False,
                                             "allow_community_extensions": False})
    try:
        path = str(db.resolve()).replace("'", "''")
        con.execute(f"ATTACH '{path}' AS warehouse (READ_ONLY)")
        con.execute("USE warehouse")
        con.execute("SET temp_directory = ''")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


_READ_ONLY = re.compile(r'statement of type "(\w+)".*read-only mode', re.S)
_NOT_FILES = "SQL here reads the warehouse and no other file"
_NO_EXPORT = f"{_NOT_FILES} (export with --format csv or json and redirect the output)"
_NOT_QUERY = "SQL here only queries the warehouse (SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN, PRAGMA)"
# Statement types that never run, whatever the engine would say, and why; the keyword is named in the message.
_REFUSED = {
    "ATTACH": "SQL here reads the warehouse and no other database",
    "DETACH": "SQL here reads the warehouse and no other database",
    "COPY": _NO_EXPORT,
    "EXPORT": _NO_EXPORT,
    "LOAD": "extensions cannot be installed or loaded here",
    "SET": "the read connection's settings are locked",
}
_WRITES = {"INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "MERGE_INTO", "CREATE_FUNC", "COPY_DATABASE"}
_QUERIES = {"SELECT", "EXPLAIN", "PRAGMA", "CALL", "RELATION"}
_COMMENTS = re.compile(r"\A(?:\s+|--[^\n]*\n?|/\*.*?\*/)*", re.S)
_FILE = re.compile(r'Cannot access (?:file|directory) "([^"]*)"')
_LOCKED = re.compile(r'Cannot change configuration option "(\w+)"')


def _keyword(text: str) -> str:
    """The statement's leading keyword(s), e.g. ATTACH, COPY, SET, FORCE INSTALL, IMPORT DATABASE."""
    words = _COMMENTS.sub("", text).split(None, 2)
    if not words:
        return "?"
    head = [w.upper().rstrip(";") for w in words[:2]]
    two = len(head) > 1 and (head[0] == "FORCE" or head[1] in {"DATABASE", "EXTENSIONS"})
    return " ".join(head if two else head[:1])


def _read_only(kind: str) -> ReadOnlyViolation:
    return ReadOnlyViolation(f"the warehouse is opened read-only: {kind} is not allowed "
                             "(SQL here only reads; audits write through `gongkai audit`)")


def check_sql(sql: str) -> None:
    """Refuse, before anything runs, input with any statement that is not a query: ATTACH / DETACH, COPY,
    EXPORT / IMPORT DATABASE, INSTALL / LOAD, SET / RESET / USE, writes, transactions and the like (one
    refused statement refuses the whole `;`-chained input). Raises SqlRefused (ReadOnlyViolation for a
    write) naming the statement; a syntax error passes through as DuckDB's ParserException.

    This is the first of two fences: the locked-down connection (connect_readonly) is the second, and it
    alone stops the file functions (read_text, read_csv, …) inside a SELECT."""
    for st in duckdb.extract_statements(sql):
        word = _keyword(st.query)
        try:
            kind = st.type.name
        except ValueError:  # a statement type the Python API does not know (e.g. UPDATE EXTENSIONS)
            kind = "UNKNOWN"
        if kind in _REFUSED:
            raise SqlRefused(f"refused: {word} — {_REFUSED[kind]}")
        if kind in _WRITES:
            raise _read_only(kind if kind in {"INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER"} else word)
        if kind == "PRAGMA" and word in {"IMPORT DATABASE", "COPY"}:
            raise SqlRefused(f"refused: {word} — {_NOT_FILES}")
        if kind not in _QUERIES:
            raise SqlRefused(f"refused: {word} — {_NOT_QUERY}")


def _function_at(sql: str, path: str) -> str | None:
    """The table function that names `path` in `sql` (read_text, read_csv, …), if one does."""
    m = re.search(r"(\w+)\s*\(\s*(?:\[\s*)?'" + re.escape(path.replace("'", "''")) + "'", sql)
    return m.group(1) if m else None


def _engine_refusal(e: duckdb.Error, sql: str) -> WarehouseError | None:
    """DuckDB's refusal by the read connection's lock-down, as one line naming what was refused."""
    text = str(e)
    m = _READ_ONLY.search(text)
    if m:
        return _read_only(m.group(1))
    m = _FILE.search(text)
    if m and "disabled by configuration" in text:
        func = _function_at(sql, m.group(1))
        what = f"{func}('{m.group(1)}')" if func else f"access to the file {m.group(1)!r}"
        return SqlRefused(f"refused: {what} — {_NOT_FILES}")
    if "xtension" in text and "disabled" in text:
        return SqlRefused(f"refused: loading an extension — {_REFUSED['LOAD']}")
    m = _LOCKED.search(text)
    if m:
        return SqlRefused(f"refused: changing the setting {m.group(1)} — {_REFUSED['SET']}")
    return None


def query(db: Path, sql: str) -> Result:
    """Run `sql` on a read-only, locked-down connection and return the result of its last statement.

    Only queries run: anything else — a write (ReadOnlyViolation), or reaching beyond the warehouse
    (another database, a file, an extension, a setting: SqlRefused) — is refused with a one-line message
    naming it, before any statement of the input has run; nothing is changed anywhere."""
    check_sql(sql)
    con = connect_readonly(db)
    try:
        try:
            return _result(con.execute(sql))
        except duckdb.Error as e:
            refusal = _engine_refusal(e, sql)
            if refusal is not None:
                raise refusal from None
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
