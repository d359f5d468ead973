"""Loading one audit run into the warehouse: batch frames + findings → one published commit.

Frames are bulk-loaded through DuckDB's pandas/Arrow scan (`con.register` + `INSERT … SELECT`), never
row by row. Rules of the warehouse (DESIGN §5):
- reports already present (same report_id = same bytes) are skipped with their sections and cells, so
  re-running the same input adds a `runs` row and changes nothing else;
- findings are insert-or-ignore on finding_id (the first run that found one keeps it), except that the
  cross-year ones are re-evaluated and resolved or reopened (gongkai.warehouse.panel);
- rule_results get a row when a (report, rule) result is new or differs from its latest row;
- rules are upserted every run; `reviews` is never written here except by `record_reviews`;
- after the batch is loaded, the panel rules (gongkai.warehouse.panel: cross-year, copy, text-vs-table) run in SQL in the
  same transaction; the new reports' statements (optional) and panel inputs are loaded first;
- a new report for the same (agency_id, year) becomes current and older versions stop being current;
  reports lacking agency_id or year are versioned by source_path (and a new file at a path supersedes an
  unidentified older file at that path). Within one batch, later rows are newer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pyarrow as pa

from gongkai import PARSER_VERSION, __version__
from gongkai.report.batch import CELL_COLUMNS, REPORT_COLUMNS, SECTION_COLUMNS, TABLE_COLUMNS, Batch
from gongkai.report.fingerprints import fingerprints_frame
from gongkai.report.statements import STATEMENT_COLUMNS
from gongkai.warehouse import panel
from gongkai.warehouse.panel.catalogue import catalogue as panel_catalogue
from gongkai.warehouse.write.rule_results import insert_changed_rule_results
from gongkai.warehouse.write.publish import publishing

FINDING_COLUMNS = ["finding_id", "report_id", "rule_id", "family", "severity", "table_id", "row_key", "col_key",
                   "expected", "observed", "message", "status"]
RULE_RESULT_COLUMNS = ["report_id", "rule_id", "evaluated", "failed", "not_assessable"]
RULE_COLUMNS = ["rule_id", "family", "severity", "engine", "title_zh", "title_en", "description"]


@dataclass
class RunRecord:
    run_id: str
    flow_run_id: str | None
    started_at: datetime
    harvest: str
    files_seen: int
    files_new: int


@dataclass
class RunSummary:
    run_id: str
    files_seen: int
    files_new: int
    reports_parsed: int
    reports_partial: int
    reports_failed: int
    findings_new: int
    findings_by_severity: dict[str, int]  # failing findings by severity, plus 'not_assessable'
    status: str
    findings_resolved: int = 0            # cross-year findings a re-evaluation no longer produced


def _utc(dt: datetime) -> datetime:
    """Naive UTC for TIMESTAMP columns (a naive input is taken to be UTC already)."""
    return dt.astimezone(timezone.utc).replace(tzinfo=None) if dt.tzinfo else dt


def _one_line(text: str) -> str:
    lines = [ln.strip() for ln in str(text).splitlines() if ln.strip()]
    return (lines[0] if lines else "unknown error")[:1000]


def _require(df: pd.DataFrame, cols: list[str], what: str) -> pd.DataFrame:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"{what} frame lacks column(s) {', '.join(missing)}")
    return df[cols]


def _register(con, name: str, df: pd.DataFrame) -> None:
    """Expose a frame to SQL through Arrow (DuckDB scans Arrow in parallel, zero-copy for Arrow-backed
    strings); frames Arrow cannot type (mixed Python objects) go through DuckDB's pandas scan. Chunks are
    combined first: a Batch.concat of many small batches yields thousands of tiny Arrow chunks, which
    DuckDB scans ~10x slower than one."""
    try:
        con.register(name, pa.Table.from_pandas(df, preserve_index=False).combine_chunks())
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        con.register(name, df)


def _version_key(t: str) -> str:
    """SQL for the version key of a reports row aliased `t`: agency-year when both are known, else the path."""
    return (f"CASE WHEN {t}.agency_id IS NOT NULL AND {t}.year IS NOT NULL "
            f"THEN 'ay|' || {t}.agency_id || '|' || CAST({t}.year AS VARCHAR) ELSE 'path|' || {t}.source_path END")


def _prepare_reports(reports: pd.DataFrame) -> pd.DataFrame:
    df = _require(reports, REPORT_COLUMNS, "reports").copy()
    name_id = (df["agency"].astype("string").str.normalize("NFKC").str.replace(r"\s+", "", regex=True)
               .replace("", pd.NA))
    given = df["agency_id"].astype("string").str.strip().replace("", pd.NA)
    df["agency_id"] = given.fillna(name_id)
    df["ord"] = range(len(df))
    return df


def _load_reports(con, run: RunRecord, reports: pd.DataFrame, tables: pd.DataFrame) -> None:
    _register(con, "in_reports", reports)
    _register(con, "in_tables", _require(tables, TABLE_COLUMNS, "tables"))
    con.execute(f"""
        CREATE TEMP TABLE new_reports AS
        SELECT i.*, {_version_key('i')} AS version_key
        FROM in_reports AS i
        WHERE NOT EXISTS (SELECT 1 FROM reports AS r WHERE r.report_id = i.report_id)
        QUALIFY row_number() OVER (PARTITION BY i.report_id ORDER BY i.ord) = 1""")
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
        SELECT n.report_id, n.agency_id, n.agency, n.region, n.level, n.year, n.format_version, n.title,
               n.source_path, n.source_url, n.source_format, n.byte_size, n.status, n.error, n.notes,
               p.has_t2, p.has_t3, p.has_t4,
               row_number() OVER (PARTITION BY n.version_key ORDER BY n.ord DESC) = 1 AS is_current,
               $parser_version AS parser_version, $run_id AS first_run_id, $parsed_at AS parsed_at
        FROM new_reports AS n
        LEFT JOIN present AS p ON p.report_id = n.report_id""",
                {"parser_version": PARSER_VERSION, "run_id": run.run_id, "parsed_at": _utc(run.started_at)})


def _load_children(con, batch: Batch, duplicated_ids: bool) -> None:
    """Sections and cells of the reports new in this run. Identical files at two paths share a report_id
    and parse identically, so their rows are de-duplicated (only then: DISTINCT costs on millions). When
    every report of the batch is new (the usual case), the rows are copied without a join."""
    all_new = con.execute(
        "SELECT (SELECT count(*) FROM new_reports) = (SELECT count(DISTINCT report_id) FROM in_reports)"
    ).fetchall()[0][0]  # fetchall: DuckDB 2.0 refuses register() while a result is unfinished
    distinct = "DISTINCT" if duplicated_ids else ""
    where = "" if all_new else "WHERE report_id IN (SELECT report_id FROM new_reports)"
    _register(con, "in_sections", _require(batch.sections, SECTION_COLUMNS, "sections"))
    _register(con, "in_cells", _require(batch.cells, CELL_COLUMNS, "cells"))
    for table, cols in (("sections", SECTION_COLUMNS), ("cells", CELL_COLUMNS)):
        con.execute(f"INSERT INTO {table} BY NAME SELECT {distinct} {', '.join(cols)} FROM in_{table} {where}")


def _load_findings(con, run: RunRecord, findings: pd.DataFrame) -> int:
    if len(findings) == 0:
        return 0
    f = _require(findings, FINDING_COLUMNS, "findings")
    _register(con, "in_findings", f)
    return con.execute("""
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
                       {"run_id": run.run_id}).fetchone()[0]


def _load_rule_results(con, run: RunRecord, rule_results: pd.DataFrame) -> None:
    if len(rule_results) == 0:
        return
    _register(con, "in_rule_results", _require(rule_results, RULE_RESULT_COLUMNS, "rule_results"))
    con.execute("""
        CREATE OR REPLACE TEMP TABLE in_rule_counts AS
        SELECT report_id, rule_id, sum(evaluated) AS evaluated, sum(failed) AS failed,
               sum(not_assessable) AS not_assessable
        FROM in_rule_results
        GROUP BY report_id, rule_id""")
    insert_changed_rule_results(con, run.run_id, "in_rule_counts", "(SELECT report_id FROM in_rule_counts)")


def _load_statements(con, statements: pd.DataFrame) -> None:
    """Statements of the reports new in this run (seq = order within the report, as given; rows repeated
    because the same file was parsed at two paths are loaded once)."""
    if len(statements) == 0:
        return
    df = _require(statements, STATEMENT_COLUMNS, "statements").copy()
    df["ord"] = range(len(df))
    _register(con, "in_statements", df)
    con.execute("""
        INSERT INTO statements BY NAME
        WITH once AS (              -- identical files at two paths give the same rows twice: keep the first
            SELECT * FROM in_statements
            WHERE report_id IN (SELECT report_id FROM new_reports WHERE status <> 'failed') AND value IS NOT NULL
            QUALIFY row_number() OVER (PARTITION BY report_id, fact, value, sentence ORDER BY ord) = 1
        )
        SELECT report_id, CAST(row_number() OVER (PARTITION BY report_id ORDER BY ord) AS INTEGER) AS seq,
               fact, CAST(value AS DOUBLE) AS value, sentence
        FROM once""")


def _load_fingerprints(con, batch: Batch, fingerprints: pd.DataFrame | None) -> None:
    new_ids = con.execute("SELECT report_id FROM new_reports WHERE status <> 'failed'").fetchall()
    if not new_ids:
        return
    if fingerprints is None:   # computed here unless the parse step did it (fingerprints.fingerprints_frame)
        keep = pd.Index([r for (r,) in new_ids])
        sub = Batch(batch.reports, batch.sections[batch.sections["report_id"].isin(keep)], batch.tables,
                    batch.cells[batch.cells["report_id"].isin(keep)])
        fingerprints = fingerprints_frame(sub)
    panel.insert_panel_inputs(con, fingerprints, "in_cells")


def _upsert_rules(con, rules: pd.DataFrame) -> None:
    if len(rules) == 0:
        return
    _register(con, "in_rules", _require(rules, RULE_COLUMNS, "rules"))
    updates = ", ".join(f"{c} = excluded.{c}" for c in RULE_COLUMNS[1:])
    con.execute(f"""
        INSERT INTO rules BY NAME
        SELECT {', '.join(RULE_COLUMNS)} FROM in_rules
        QUALIFY row_number() OVER (PARTITION BY rule_id) = 1
        ON CONFLICT (rule_id) DO UPDATE SET {updates}""")


def _insert_run(con, run: RunRecord, status: str, counts: dict[str, int], error: str | None) -> None:
    row = {
        "run_id": run.run_id, "flow_run_id": run.flow_run_id, "started_at": _utc(run.started_at),
        "finished_at": _utc(datetime.now(timezone.utc)), "status": status, "harvest": run.harvest,
        "files_seen": run.files_seen, "files_new": run.files_new, **counts,
        "gongkai_version": __version__, "parser_version": PARSER_VERSION, "error": error,
    }
    cols = ", ".join(row)
    params = ", ".join(f"${c}" for c in row)
    con.execute(f"INSERT INTO runs ({cols}) VALUES ({params}) ON CONFLICT (run_id) DO NOTHING"
                if status == "failed" else f"INSERT INTO runs ({cols}) VALUES ({params})", row)


def write_run(db: Path, run: RunRecord, batch: Batch, findings: pd.DataFrame, rule_results: pd.DataFrame,
              rules: pd.DataFrame, statements: pd.DataFrame | None = None,
              fingerprints: pd.DataFrame | None = None) -> RunSummary:
    """Load one run, evaluate the panel rules and publish it atomically (see publish.py). Returns what the
    run added.

    `statements` (gongkai.statements.statements_frame of the batch) enables TEXT_TABLE and YEAR_MISMATCH
    for the new reports; without it they are not evaluated. `fingerprints`
    (gongkai.fingerprints.fingerprints_frame) may be computed in the parse step; otherwise it is computed
    here from the batch."""
    reports = _prepare_reports(batch.reports)
    duplicated_ids = bool(reports["report_id"].duplicated().any())
    with publishing(Path(db)) as con:
        _upsert_rules(con, pd.concat([rules, panel_catalogue()], ignore_index=True))
        _load_reports(con, run, reports, batch.tables)
        _load_children(con, batch, duplicated_ids)
        findings_new = _load_findings(con, run, findings)
        _load_rule_results(con, run, rule_results)
        if statements is not None:
            _load_statements(con, statements)
        _load_fingerprints(con, batch, fingerprints)
        xy = panel.evaluate(con, run.run_id, text_rules=statements is not None, new_cells="in_cells")
        findings_new += xy.findings_new
        parsed, partial, failed = con.execute("""
            SELECT count(*) FILTER (WHERE status = 'parsed'), count(*) FILTER (WHERE status = 'partial'),
                   count(*) FILTER (WHERE status = 'failed')
            FROM new_reports""").fetchone()
        by_severity = dict(con.execute("""
            SELECT CASE WHEN status = 'fail' THEN severity ELSE status END AS k, count(*)
            FROM findings WHERE run_id = $run_id GROUP BY k ORDER BY k""", {"run_id": run.run_id}).fetchall())
        counts = {"reports_parsed": parsed, "reports_partial": partial, "reports_failed": failed,
                  "findings_new": findings_new, "findings_resolved": xy.findings_resolved}
        _insert_run(con, run, "completed", counts, None)
    return RunSummary(run.run_id, run.files_seen, run.files_new, parsed, partial, failed, findings_new,
                      by_severity, "completed", xy.findings_resolved)


def record_failed_run(db: Path, run: RunRecord, error: str) -> None:
    """Record a run that failed before its commit: one `runs` row (status 'failed', one-line error), nothing
    else. If the run_id is already recorded, the existing row is kept."""
    counts = {"reports_parsed": 0, "reports_partial": 0, "reports_failed": 0, "findings_new": 0}
    with publishing(Path(db)) as con:
        _insert_run(con, run, "failed", counts, _one_line(error))


def record_reviews(db: Path, reviews: pd.DataFrame) -> int:
    """Insert or update inspectors' decisions (finding_id, decision, note, reviewer, decided_at) and publish.
    Reviews go through the same lock and publication as runs: writing the published file directly would
    be lost at the next swap. Returns the number of rows written."""
    cols = ["finding_id", "decision", "note", "reviewer", "decided_at"]
    df = _require(reviews, cols, "reviews").copy()
    if len(df) == 0:
        return 0
    df["decided_at"] = pd.to_datetime(df["decided_at"], utc=True).dt.tz_localize(None)  # naive = UTC
    with publishing(Path(db)) as con:
        _register(con, "in_reviews", df)
        updates = ", ".join(f"{c} = excluded.{c}" for c in cols[1:])
        return con.execute(f"""
            INSERT INTO reviews BY NAME
            SELECT finding_id, decision, note, reviewer,
                   coalesce(CAST(decided_at AS TIMESTAMP), $now) AS decided_at
            FROM in_reviews
            QUALIFY row_number() OVER (PARTITION BY finding_id ORDER BY decided_at DESC NULLS LAST) = 1
            ON CONFLICT (finding_id) DO UPDATE SET {updates}""", {"now": _utc(datetime.now(timezone.utc))}).fetchone()[0]
