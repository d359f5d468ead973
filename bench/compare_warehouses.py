"""Compare two audit warehouses row by row: `python bench/compare_warehouses.py BEFORE.duckdb AFTER.duckdb`.

A refactoring must not change what an audit stores. This compares, keyed on the contract keys and
ignoring what differs by construction between two runs (run ids, timestamps, paths of the run):
  reports       report_id → agency_id, agency, region, level, year, format_version, source_format, status,
                error, title, notes, is_current
  cells         (report_id, table_id, row_key, col_key) → value, raw, semantic
  sections      (report_id, section_no) → title, text, present
  findings      finding_id → report_id, rule_id, table_id, row_key, col_key, expected, observed, message,
                status, resolved (whether resolved_run_id is set)
  rule_results  (report_id, rule_id) → evaluated, failed, not_assessable (latest row of each pair)
  rules         rule_id → family, severity, engine, title_zh, title_en, description
  statements    (report_id, seq) → fact, value, sentence
  panel_inputs  report_id → the fingerprints and cross-year operands (every column)
Columns that exist in only one warehouse (added by a later migration) are reported, not compared.
Prints one line per table (rows, differences) and exits 1 when anything differs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

TABLES: dict[str, tuple[list[str], list[str], str]] = {
    "reports": (["report_id"], ["agency_id", "agency", "region", "level", "year", "format_version", "source_format",
                                "status", "error", "title", "notes", "is_current", "byte_size"], "reports"),
    "cells": (["report_id", "table_id", "row_key", "col_key"], ["value", "raw", "semantic"], "cells"),
    "sections": (["report_id", "section_no"], ["title", "text", "present"], "sections"),
    "findings": (["finding_id"], ["report_id", "rule_id", "family", "severity", "table_id", "row_key", "col_key",
                                  "expected", "observed", "message", "status", "resolved"],
                 "(SELECT *, resolved_run_id IS NOT NULL AS resolved FROM findings)"),
    "rule_results": (["report_id", "rule_id"], ["evaluated", "failed", "not_assessable"],
                     "(SELECT * FROM rule_results QUALIFY row_number() OVER "
                     "(PARTITION BY report_id, rule_id ORDER BY run_id DESC) = 1)"),
    "rules": (["rule_id"], ["family", "severity", "engine", "title_zh", "title_en", "description"], "rules"),
    "statements": (["report_id", "seq"], ["fact", "value", "sentence"], "statements"),
    "panel_inputs": (["report_id"], ["cells", "nonzero_cells", "cells_digest", "text_chars", "text_grams",
                                     "text_sketch", "panel_cells", "panel_keys", "digest_version"], "panel_inputs"),
}


def columns(con: duckdb.DuckDBPyConnection, db: str, table: str) -> set[str]:
    return {r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND table_name = ?", [db, table]).fetchall()}


def compare(before: Path, after: Path, show: int = 5) -> int:
    con = duckdb.connect()
    con.execute(f"ATTACH '{before}' AS a (READ_ONLY)")
    con.execute(f"ATTACH '{after}' AS b (READ_ONLY)")
    bad = 0
    for table, (key, cols, rel) in TABLES.items():
        have_a, have_b = columns(con, "a", table), columns(con, "b", table)
        virtual = {"resolved"}
        common = [c for c in cols if (c in have_a and c in have_b) or c in virtual]
        only = sorted((set(cols) & (have_a ^ have_b)) - virtual)
        sel = ", ".join(key + common)
        src_a, src_b = rel.replace("FROM findings", "FROM a.findings").replace("FROM rule_results", "FROM a.rule_results"), \
            rel.replace("FROM findings", "FROM b.findings").replace("FROM rule_results", "FROM b.rule_results")
        if not rel.startswith("("):
            src_a, src_b = f"a.{rel}", f"b.{rel}"
        n_a = con.execute(f"SELECT count(*) FROM {src_a}").fetchone()[0]
        n_b = con.execute(f"SELECT count(*) FROM {src_b}").fetchone()[0]
        diff_sql = (f"(SELECT {sel} FROM {src_a} EXCEPT ALL SELECT {sel} FROM {src_b}) UNION ALL "
                    f"(SELECT {sel} FROM {src_b} EXCEPT ALL SELECT {sel} FROM {src_a})")
        n_diff = con.execute(f"SELECT count(*) FROM ({diff_sql})").fetchone()[0]
        note = f"  (only in one: {', '.join(only)})" if only else ""
        print(f"{table:<13} before {n_a:>9,}  after {n_b:>9,}  differing rows {n_diff:>7,}{note}")
        if n_diff:
            bad += 1
            for row in con.execute(f"SELECT * FROM ({diff_sql}) ORDER BY ALL LIMIT {show}").fetchall():
                print("    ", row)
    print("identical" if not bad else f"{bad} table(s) differ")
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.splitlines()[0])
    sys.exit(compare(Path(sys.argv[1]), Path(sys.argv[2])))
