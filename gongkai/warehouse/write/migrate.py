"""Schema migrations: numbered SQL files applied in order, each recorded in `schema_migrations`.

Migrations are package data (`gongkai/warehouse/sql/migrations/NNNN_name.sql`, read with importlib.resources),
so an installed wheel carries them. Each file runs whole (DuckDB executes a multi-statement string) and
is never edited once released: a schema change is a new file. `0001_init` creates `schema_migrations`
itself, so the migrator needs no DDL of its own. A migration may have a Python step after its SQL
(`python_step`: 0010 re-derives agency identity from names). Migrations run inside the caller's transaction (the
publisher's), so a failing migration leaves the published warehouse as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources

import duckdb

_PACKAGE = "gongkai.warehouse"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def available() -> list[Migration]:
    """All migrations shipped with the package, in version order."""
    found: dict[int, Migration] = {}
    for entry in resources.files(_PACKAGE).joinpath("sql", "migrations").iterdir():
        m = _NAME.match(entry.name)
        if not m:
            continue
        version = int(m.group(1))
        if version in found:
            raise RuntimeError(f"two migrations numbered {version:04d}: {found[version].name} and {m.group(2)}")
        found[version] = Migration(version, m.group(2), entry.read_text(encoding="utf-8"))
    return [found[v] for v in sorted(found)]


def applied(con: duckdb.DuckDBPyConnection) -> set[int]:
    """Versions already applied to the open warehouse (empty for a new file)."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_migrations' AND schema_name = 'main'"
        " AND database_name = current_database()"
    ).fetchall()[0][0]
    if not exists:
        return set()
    return {v for (v,) in con.execute("SELECT version FROM schema_migrations").fetchall()}


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply the migrations the warehouse lacks; return the versions applied now.

    A warehouse with a migration this code does not know was written by a newer gongkai: refuse to touch
    it rather than write rows the newer schema may not expect."""
    done = applied(con)
    known = available()
    unknown = done - {m.version for m in known}
    if unknown:
        raise RuntimeError(
            f"the warehouse has schema migration(s) {sorted(unknown)} this gongkai does not know: upgrade gongkai"
        )
    now = datetime.now(UTC).replace(tzinfo=None)
    new: list[int] = []
    for m in known:
        if m.version in done:
            continue
        con.execute(m.sql)
        python_step(m.version, con)
        con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [m.version, m.name, now])
        new.append(m.version)
    return new


def python_step(version: int, con: duckdb.DuckDBPyConnection) -> None:
    """The Python part of a migration whose change SQL cannot make alone, run right after its SQL file in the
    same transaction. 0010: re-derive agency identity and division codes (gongkai.warehouse.write.rederive)."""
    if version == 10:
        from gongkai.warehouse.write.rederive import rederive_identity

        rederive_identity(con)
