"""Loading one audit run into the warehouse: the Batch + the checks' result → one published commit.

Frames are bulk-loaded through DuckDB's pandas/Arrow scan (`con.register` + `INSERT … SELECT`), never
row by row. Rules of the warehouse (DESIGN §5):
- reports already present (same report_id = same bytes) are skipped with their sections and cells, so
  re-running the same input adds a `runs` row and changes nothing else;
- findings are insert-or-ignore on finding_id (the first run that found one keeps it), except that the
  cross-year ones are re-evaluated and resolved or reopened (gongkai.warehouse.panel);
- rule_results get a row when a (report, rule) result is new or differs from its latest row;
- rules (the checks' catalogue + the panel rules') are upserted every run; `reviews` is never written
  here except by `record_reviews`;
- after the batch is loaded, the panel rules (gongkai.warehouse.panel: cross-year, copy, text-vs-table)
  run in SQL in the same transaction; the new reports' statements (when the batch has them) and panel
  inputs are loaded first;
- a new report for the same (agency_id, year) becomes current and older versions stop being current;
  reports lacking agency_id or year are versioned by source_path (and a new file at a path supersedes an
  unidentified older file at that path). Within one batch, later rows are newer.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Protocol

import duckdb
import pandas as pd

from gongkai import PARSER_VERSION
from gongkai.findings import FINDING_COLUMNS, RULE_RESULT_COLUMNS
from gongkai.report.batch import CELL_COLUMNS, SECTION_COLUMNS, Batch, build
from gongkai.warehouse import panel
from gongkai.warehouse.write import reparse as reparsing
from gongkai.warehouse.write.frames import register, require, utc
from gongkai.warehouse.write.publish import publishing
from gongkai.warehouse.write.reviews import merge_review_events, review_store
from gongkai.warehouse.write.rule_results import insert_changed_rule_results
from gongkai.warehouse.write.runs import RunRecord, RunSummary, insert_run
from gongkai.warehouse.write.shards import FRAMES, Shard, shard_files, write_shard

RULE_COLUMNS = ["rule_id", "family", "severity", "engine", "title_zh", "title_en", "description", "responsibility"]


class ChecksResult(Protocol):
    """What write_run needs of the checks' result (gongkai.checks.CheckResult), without importing them."""

    findings: pd.DataFrame       # FINDING_COLUMNS
    rule_results: pd.DataFrame   # RULE_RESULT_COLUMNS
    catalogue: pd.DataFrame      # RULE_COLUMNS of the rules the checks ran


def _version_key(t: str) -> str:
    """SQL for the version key of a reports row aliased `t`: agency-year when both are known, else the path."""
    return (f"CASE WHEN {t}.agency_id IS NOT NULL AND {t}.year IS NOT NULL "
            f"THEN 'ay|' || {t}.agency_id || '|' || CAST({t}.year AS VARCHAR) ELSE 'path|' || {t}.source_path END")


def _register_shards(con: duckdb.DuckDBPyConnection, shards: list[Shard]) -> bool:
    """The run's input relations over the shards' Parquet files: in_reports (a temp table, one row per
    report_id: the first in load order when the same bytes came in two chunks) and views in_sections,
    in_tables, in_cells, in_statements, in_fingerprints, in_findings, in_rule_results holding only the rows
    of the chunk each report was kept from. Returns whether every shard has statements."""
    def scan(name: str) -> bool:
        files = shard_files(shards, name)
        # paths as SQL string literals (a view cannot take bound parameters); union_by_name reconciles the
        # column types pandas left open in a chunk's empty frames (e.g. a list column of no rows is typed null)
        if files:
            listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
            con.execute(f"CREATE OR REPLACE TEMP VIEW in_{name}_all AS SELECT * FROM read_parquet([{listed}], union_by_name = true)")
        return bool(files)

    scan("reports")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE in_reports AS
        SELECT * FROM in_reports_all
        QUALIFY row_number() OVER (PARTITION BY report_id ORDER BY ord) = 1""")
    repeated = con.execute(
        "SELECT (SELECT count(*) FROM in_reports_all) - (SELECT count(*) FROM in_reports)").fetchall()[0][0]
    text_rules = all(s.statements for s in shards)
    for name in FRAMES[1:]:  # every frame but reports
        if (name == "statements" and not text_rules) or not scan(name):
            continue
        keep = " SEMI JOIN in_reports AS k USING (report_id, chunk)" if repeated else ""
        con.execute(f"CREATE OR REPLACE TEMP VIEW in_{name} AS SELECT a.* FROM in_{name}_all AS a{keep}")
    return text_rules


def _load_reports(con: duckdb.DuckDBPyConnection, run: RunRecord) -> None:
    con.execute(f"""
        CREATE TEMP TABLE new_reports AS
        SELECT i.*, {_version_key('i')} AS version_key
        FROM in_reports AS i
        WHERE NOT EXISTS (SELECT 1 FROM reports AS r WHERE r.report_id = i.report_id)""")
    con.execute(f"""
        UPDATE reports AS r SET is_current = false
        WHERE r.is_current AND (
            {_version_key('r')} IN (SELECT version_key FROM new_reports)
            OR ((r.agency_id IS NULL OR r.year IS NULL)
                AND r.source_path IN (SELECT source_path FROM new_reports)))""")
    con.execute("""
        INSERT INTO reports BY NAME
        WITH present AS (
            SELECT report_id,
                   bool_or(present) FILTER (WHERE table_id = 't2') AS has_t2,
                   bool_or(present) FILTER (WHERE table_id = 't3') AS has_t3,
                   bool_or(present) FILTER (WHERE table_id = 't4') AS has_t4
            FROM in_tables
            GROUP BY report_id
        )
        SELECT n.report_id, n.agency_id, n.agency, n.region, n.level, n.division_code, n.year, n.format_version, n.layout, n.title,
               n.source_path, n.source_url, n.source_format, n.byte_size, n.status, n.error, n.notes,
               p.has_t2, p.has_t3, p.has_t4,
               row_number() OVER (PARTITION BY n.version_key ORDER BY n.ord DESC) = 1 AS is_current,
               $parser_version AS parser_version, $run_id AS first_run_id, $parsed_at AS parsed_at, n.manifest
        FROM new_reports AS n
        LEFT JOIN present AS p ON p.report_id = n.report_id""",
                {"parser_version": PARSER_VERSION, "run_id": run.run_id, "parsed_at": utc(run.started_at)})


def _load_children(con: duckdb.DuckDBPyConnection) -> None:
    """Sections and cells of the reports new in this run. When every report of the run is new (the usual
    case), the rows are copied without a join."""
    all_new = con.execute(
        "SELECT (SELECT count(*) FROM new_reports) = (SELECT count(*) FROM in_reports)"
    ).fetchall()[0][0]
    where = "" if all_new else "WHERE report_id IN (SELECT report_id FROM new_reports)"
    for table, cols in (("sections", SECTION_COLUMNS), ("cells", CELL_COLUMNS)):
        con.execute(f"INSERT INTO {table} BY NAME SELECT {', '.join(cols)} FROM in_{table} {where}")


def _load_findings(con: duckdb.DuckDBPyConnection, run: RunRecord) -> int:
    return int(con.execute("""
        INSERT INTO findings BY NAME
        WITH incoming AS (
            SELECT * FROM in_findings
            QUALIFY row_number() OVER (PARTITION BY finding_id) = 1
        )
        SELECT i.finding_id, $run_id AS run_id, i.report_id, r.agency_id, r.agency, r.year, i.rule_id,
               coalesce(i.family, ru.family) AS family, coalesce(i.severity, ru.severity) AS severity,
               i.table_id, CAST(i.row_key AS VARCHAR) AS row_key, i.col_key,
               CAST(i.expected AS DOUBLE) AS expected, CAST(i.observed AS DOUBLE) AS observed,
               i.message, i.status
        FROM incoming AS i
        LEFT JOIN reports AS r ON r.report_id = i.report_id
        LEFT JOIN rules AS ru ON ru.rule_id = i.rule_id
        WHERE NOT EXISTS (SELECT 1 FROM findings AS x WHERE x.finding_id = i.finding_id)""",
                           {"run_id": run.run_id}).fetchall()[0][0])


def _load_rule_results(con: duckdb.DuckDBPyConnection, run: RunRecord) -> None:
    con.execute("""
        CREATE OR REPLACE TEMP TABLE in_rule_counts AS
        SELECT report_id, rule_id, sum(evaluated) AS evaluated, sum(failed) AS failed,
               sum(not_assessable) AS not_assessable
        FROM in_rule_results
        GROUP BY report_id, rule_id""")
    insert_changed_rule_results(con, run.run_id, "in_rule_counts", "(SELECT report_id FROM in_rule_counts)")


def _load_statements(con: duckdb.DuckDBPyConnection) -> None:
    """Statements of the reports new in this run (seq = order within the report, as extracted)."""
    con.execute("""
        INSERT INTO statements BY NAME
        SELECT report_id, CAST(row_number() OVER (PARTITION BY report_id ORDER BY ord) AS INTEGER) AS seq,
               fact, CAST(value AS DOUBLE) AS value, sentence
        FROM in_statements
        WHERE report_id IN (SELECT report_id FROM new_reports WHERE status <> 'failed') AND value IS NOT NULL""")


def _load_panel_inputs(con: duckdb.DuckDBPyConnection) -> None:
    """The new reports' panel inputs (fingerprints from the shards, operands from their cells)."""
    if not con.execute("SELECT count(*) FROM new_reports WHERE status <> 'failed'").fetchall()[0][0]:
        return
    panel.register_lookups(con)
    panel.insert_panel_inputs(con, "in_fingerprints", "in_cells")


def _upsert_rules(con: duckdb.DuckDBPyConnection, rules: pd.DataFrame) -> None:
    if len(rules) == 0:
        return
    register(con, "in_rules", require(rules, RULE_COLUMNS, "rules"))
    updates = ", ".join(f"{c} = excluded.{c}" for c in RULE_COLUMNS[1:])
    con.execute(f"""
        INSERT INTO rules BY NAME
        SELECT {', '.join(RULE_COLUMNS)} FROM in_rules
        QUALIFY row_number() OVER (PARTITION BY rule_id) = 1
        ON CONFLICT (rule_id) DO UPDATE SET {updates}""")


def write_run(db: Path, run: RunRecord, batch: Batch, result: ChecksResult) -> RunSummary:
    """Load one run given as one Batch and its checks' `result` (tests, benchmarks, re-loads): written as one
    shard in a temporary folder beside `db`, then loaded by write_shards."""
    db = Path(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=db.parent, prefix=f".{db.name}.load-") as tmp:
        shard = write_shard(Path(tmp) / "chunk-00000", 0, batch, result.findings, result.rule_results)
        return write_shards(db, run, [shard], result.catalogue)


def write_shards(db: Path, run: RunRecord, shards: list[Shard], catalogue: pd.DataFrame,
                 reparse: Sequence[str] = ()) -> RunSummary:
    """Load one run — the chunks' shards (gongkai.warehouse.write.shards) and the catalogue of the checks
    that made them — then evaluate the panel rules and publish it atomically (see publish.py). Returns what
    the run added. DuckDB reads the Parquet files inside the transaction; nothing is held in Python.

    TEXT_TABLE and YEAR_MISMATCH are evaluated for the new reports when every shard has statements.
    `reparse`: report_ids re-parsed from the archive (gongkai.warehouse.write.reparse): when the shards hold
    them and the warehouse has them, they are replaced in place rather than skipped."""
    # a shard without reports (a chunk of files audited before) adds nothing: read one at most
    shards = [s for s in shards if s.reports] or shards[:1]
    if not shards:
        return write_run(db, run, build([]), _NoChecks())
    rules = pd.concat([require(catalogue, RULE_COLUMNS, "catalogue"), panel.catalogue()], ignore_index=True)
    clock = time.perf_counter()
    with publishing(Path(db)) as con:
        publish_s = time.perf_counter() - clock  # copying the published file
        _upsert_rules(con, rules)
        text_rules = _register_shards(con, shards)
        n_reparsed = reparsing.replace_reports(con, run, reparse)
        run = replace(run, files_new=int(con.execute("SELECT count(*) FROM in_reports").fetchall()[0][0]) - n_reparsed)
        _load_reports(con, run)
        if n_reparsed:
            reparsing.join_new(con, _version_key("i"))
        _load_children(con)
        findings_new = _load_findings(con, run)
        if n_reparsed:
            reparsing.reopen(con, "in_findings")
        _load_rule_results(con, run)
        if text_rules:
            _load_statements(con)
        _load_panel_inputs(con)
        xy = panel.evaluate(con, run.run_id, text_rules=text_rules)
        findings_new += xy.findings_new
        if n_reparsed:
            reparsing.reopen(con, "panel_findings_stored")
        redone = reparsing.finish(con, run)
        parsed, partial, failed = con.execute("""
            SELECT count(*) FILTER (WHERE status = 'parsed'), count(*) FILTER (WHERE status = 'partial'),
                   count(*) FILTER (WHERE status = 'failed')
            FROM new_reports WHERE report_id NOT IN (SELECT report_id FROM reparse_in)""").fetchall()[0]
        by_severity = dict(con.execute("""
            SELECT CASE WHEN status = 'fail' THEN severity ELSE status END AS k, count(*)
            FROM findings WHERE run_id = $run_id GROUP BY k ORDER BY k""", {"run_id": run.run_id}).fetchall())
        counts = {"reports_parsed": parsed, "reports_partial": partial, "reports_failed": failed,
                  "findings_new": findings_new,
                  "findings_resolved": xy.findings_resolved + redone.findings_resolved}
        merge_review_events(con, review_store(Path(db)), run.run_id)
        insert_run(con, run, "completed", counts, None)
        clock = time.perf_counter()
    publish_s += time.perf_counter() - clock  # commit, checkpoint, fsync, swap
    return RunSummary(run.run_id, run.files_seen, run.files_new, parsed, partial, failed, findings_new,
                      by_severity, "completed", xy.findings_resolved + redone.findings_resolved, round(publish_s, 3),
                      reparsed=redone.reparsed, reparsed_from=redone.from_versions)


class _NoChecks:
    """The checks' result of an empty run."""

    findings = pd.DataFrame({c: pd.array([], dtype="string") for c in FINDING_COLUMNS})
    rule_results = pd.DataFrame({c: pd.array([], dtype="string") for c in RULE_RESULT_COLUMNS})
    catalogue = pd.DataFrame({c: pd.array([], dtype="string") for c in RULE_COLUMNS})
