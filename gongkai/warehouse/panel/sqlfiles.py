"""The SQL files of the panel rules: reading them (package data), their bound parameters, and the
catalogue entry each rule file declares in its header.

A rule file `sql/rules/<rule>.sql` opens with `-- key: value` lines (rule_id, family, severity, engine,
responsibility — 'source', or 'parser' for the parse family —, title_zh, title_en, description), then a `--` line, then its documentation and one SELECT (import CTEs →
logic → final) yielding report_id, table_id, row_key, col_key, expected, observed, message, status
(status NULL = evaluated and passed). `sql/panel/<name>.sql` files hold the relations the rules read.
Parameters are DuckDB named parameters (`$tol`); only those a file uses are bound.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import duckdb

CATALOGUE_COLUMNS = ["rule_id", "family", "severity", "engine", "title_zh", "title_en", "description",
                     "responsibility"]
_HEADER = re.compile(r"^-- (\w+): (.*)$")
_PARAM = re.compile(r"\$(\w+)")
_COMMENT = re.compile(r"--[^\n]*")


@dataclass(frozen=True)
class SqlFile:
    name: str
    sql: str

    def header(self) -> dict[str, str]:
        """The `-- key: value` lines opening the file."""
        out: dict[str, str] = {}
        for line in self.sql.splitlines():
            m = _HEADER.match(line)
            if not m:
                break
            out[m.group(1)] = m.group(2)
        return out

    def execute(self, con: duckdb.DuckDBPyConnection, params: Mapping[str, Any], prefix: str = "",
                suffix: str = "") -> duckdb.DuckDBPyConnection:
        """Run `prefix + this file's SELECT + suffix`, binding the parameters it uses."""
        sql = prefix + self.sql.strip().rstrip(";") + suffix
        used = set(_PARAM.findall(_COMMENT.sub("", sql)))
        missing = used - set(params)
        if missing:
            raise KeyError(f"{self.name}.sql needs parameter(s) {', '.join(sorted(missing))}")
        return con.execute(sql, {k: params[k] for k in used})


@cache
def sql_file(folder: str, name: str) -> SqlFile:
    """`sql/<folder>/<name>.sql` of the warehouse package."""
    text = resources.files("gongkai.warehouse").joinpath("sql", folder, f"{name}.sql").read_text(encoding="utf-8")
    return SqlFile(name, text)


def catalogue_row(rule: SqlFile) -> dict[str, str]:
    """The catalogue entry a rule file declares (every CATALOGUE_COLUMNS key is required)."""
    head = rule.header()
    missing = [c for c in CATALOGUE_COLUMNS if c not in head]
    if missing:
        raise ValueError(f"sql/rules/{rule.name}.sql header lacks {', '.join(missing)}")
    expected = "parser" if head["family"] == "parse" else "source"
    if head["responsibility"] != expected:
        raise ValueError(f"sql/rules/{rule.name}.sql: responsibility {head['responsibility']!r} for family "
                         f"{head['family']!r} (expected {expected!r})")
    return {c: head[c] for c in CATALOGUE_COLUMNS}
