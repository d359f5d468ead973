"""Re-parsing reports from the evidence archive (issue 10 item 6): which reports, and how the load replaces
them in place.

`targets(db, force)` lists the reports a run re-parses: those whose `parser_version` is older than the
running parser's (or unknown), or with `force` (`gongkai audit --reparse`) every one whose version differs.
The flow hands their archived files (gongkai.ingest.archive) to the ordinary chunk tasks and their ids to
the load (load.write_shards), which calls, inside the run's one transaction:

    replace_reports   after the shards are registered: the reports row updated in place from the new parse
                      (report_id, first_run_id, source_path, parsed_at, is_current and manifest kept;
                      parser_version, reparsed_at set); sections, cells, statements and panel_inputs deleted
                      (the ordinary load inserts the new ones); every open finding of the report provisionally
                      resolved by this run; a `reparses` history row
    join_new          after the new reports are loaded: the re-parsed reports join `new_reports`, so their
                      children load and the panel rules (cross-year pairs, TEXT_TABLE, YEAR_MISMATCH) run for
                      them as for new reports
    reopen            after the per-report findings are inserted (source in_findings) and after the panel rules
                      (source panel_findings_stored): every finding produced again is reopened
                      (resolved_run_id NULL) with its current expected, observed, message and status
    finish            the findings' agency fields follow the report; returns what the re-parse did

So a finding no longer produced stays resolved by this run (never deleted), one produced again keeps its
finding_id (and so its reviews), new ones are inserted by the ordinary load.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from gongkai import PARSER_VERSION
from gongkai.warehouse.write.frames import utc
from gongkai.warehouse.write.runs import RunRecord


@dataclass(frozen=True)
class Target:
    """A report to re-parse, as stored."""

    report_id: str
    source_path: str
    source_format: str | None
    parser_version: str | None
    manifest: dict[str, object]   # the manifest entry to apply again (see manifest_entry)


@dataclass
class Outcome:
    reparsed: int = 0
    from_versions: tuple[str, ...] = ()
    findings_resolved: int = 0
    findings_reopened: int = 0
    statuses: dict[str, int] = field(default_factory=dict)


def manifest_entry(stored: str | None, source_url: str | None, agency_id: str | None, region: str | None,
                   level: str | None) -> dict[str, object]:
    """The manifest entry a re-parse applies: the stored one (reports.manifest), or for a report loaded
    before it was stored, the fields only a manifest or the registry could have given, as stored (so its
    identity and URL survive the re-parse)."""
    if stored is not None:
        entry: dict[str, object] = json.loads(stored)
        return entry
    fallback = {"url": source_url, "agency_id": agency_id, "region": region, "level": level}
    return {k: v for k, v in fallback.items() if v is not None}


def _older(version: str | None) -> bool:
    if version is None:
        return True
    try:
        return int(version) < int(PARSER_VERSION)
    except ValueError:
        return version != PARSER_VERSION


def targets(db: Path, force: bool = False) -> list[Target]:
    """The reports of the published warehouse `db` to re-parse (any version, current or not): parser_version
    older than PARSER_VERSION (or NULL); with `force`, any other than PARSER_VERSION. Sorted by source_path."""
    from gongkai.warehouse.read import connect_readonly

    db = Path(db)
    if not db.is_file():
        return []
    con = connect_readonly(db)
    try:
        cols = {c for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'reports' AND schema_name = 'main'"
            " AND database_name = current_database()").fetchall()}
        if not cols:
            return []
        manifest = "manifest" if "manifest" in cols else "NULL"
        rows = con.execute(f"""
            SELECT report_id, source_path, source_format, parser_version, {manifest}, source_url, agency_id,
                   region, level
            FROM reports
            WHERE parser_version IS DISTINCT FROM $v
            ORDER BY source_path, report_id""", {"v": PARSER_VERSION}).fetchall()
    finally:
        con.close()
    return [Target(r[0], r[1], r[2], r[3], manifest_entry(r[4], r[5], r[6], r[7], r[8]))
            for r in rows if force or _older(r[3])]


def replace_reports(con: duckdb.DuckDBPyConnection, run: RunRecord, ids: Sequence[str]) -> int:
    """Replace in place the reports of `ids` that the run's shards hold again (in_reports) and the warehouse
    has: the reports row from the new parse, children deleted, open findings provisionally resolved, a
    history row. Creates the temp table reparse_in (empty without re-parses). Returns how many."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE reparse_in AS
        SELECT i.*, r.parser_version AS from_version, r.status AS from_status
        FROM in_reports AS i
        JOIN reports AS r ON r.report_id = i.report_id
        WHERE list_contains($ids, i.report_id)""", {"ids": list(ids)})
    n = int(con.execute("SELECT count(*) FROM reparse_in").fetchall()[0][0])
    if not n:
        return 0
    at = utc(run.started_at)
    con.execute("""
        UPDATE reports AS r
        SET agency_id = n.agency_id, agency = n.agency, region = n.region, level = n.level,
            division_code = n.division_code, year = n.year,
            format_version = n.format_version, layout = n.layout, title = n.title, source_url = n.source_url,
            source_format = n.source_format, byte_size = n.byte_size, status = n.status, error = n.error,
            notes = n.notes, has_t2 = n.has_t2, has_t3 = n.has_t3, has_t4 = n.has_t4,
            parser_version = $parser_version, reparsed_at = $at
        FROM (
            SELECT i.*, p.has_t2, p.has_t3, p.has_t4
            FROM reparse_in AS i
            LEFT JOIN (
                SELECT report_id,
                       bool_or(present) FILTER (WHERE table_id = 't2') AS has_t2,
                       bool_or(present) FILTER (WHERE table_id = 't3') AS has_t3,
                       bool_or(present) FILTER (WHERE table_id = 't4') AS has_t4
                FROM in_tables
                WHERE report_id IN (SELECT report_id FROM reparse_in)
                GROUP BY report_id
            ) AS p ON p.report_id = i.report_id
        ) AS n
        WHERE r.report_id = n.report_id""", {"parser_version": PARSER_VERSION, "at": at})
    for table in ("sections", "cells", "statements", "panel_inputs"):
        con.execute(f"DELETE FROM {table} WHERE report_id IN (SELECT report_id FROM reparse_in)")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE reparse_prior AS
        SELECT finding_id, resolved_run_id AS was_resolved
        FROM findings
        WHERE report_id IN (SELECT report_id FROM reparse_in)""")
    con.execute("""
        UPDATE findings SET resolved_run_id = $run_id
        WHERE finding_id IN (SELECT finding_id FROM reparse_prior WHERE was_resolved IS NULL)""",
                {"run_id": run.run_id})
    con.execute("""
        INSERT INTO reparses (report_id, run_id, from_version, to_version, from_status, to_status, reparsed_at)
        SELECT report_id, $run_id, from_version, $parser_version, from_status, status, $at
        FROM reparse_in""", {"run_id": run.run_id, "parser_version": PARSER_VERSION, "at": at})
    return n


def join_new(con: duckdb.DuckDBPyConnection, version_key: str) -> None:
    """Add the re-parsed reports to the run's new_reports (`version_key`: its SQL over alias i)."""
    con.execute(f"""
        INSERT INTO new_reports BY NAME
        SELECT i.*, {version_key} AS version_key
        FROM in_reports AS i
        WHERE i.report_id IN (SELECT report_id FROM reparse_in)""")


def reopen(con: duckdb.DuckDBPyConnection, source: str) -> None:
    """Reopen (and refresh) the findings of re-parsed reports that the relation `source` (finding_id,
    report_id, family, severity, expected, observed, message, status) produced again."""
    con.execute(f"""
        UPDATE findings AS f
        SET resolved_run_id = NULL, expected = n.expected, observed = n.observed, message = n.message,
            status = n.status, family = coalesce(n.family, f.family), severity = coalesce(n.severity, f.severity)
        FROM (
            SELECT finding_id, family, severity, CAST(expected AS DOUBLE) AS expected,
                   CAST(observed AS DOUBLE) AS observed, message, status
            FROM {source}
            WHERE report_id IN (SELECT report_id FROM reparse_in)
            QUALIFY row_number() OVER (PARTITION BY finding_id) = 1
        ) AS n
        WHERE f.finding_id = n.finding_id""")


def finish(con: duckdb.DuckDBPyConnection, run: RunRecord) -> Outcome:
    """The re-parsed reports' findings take the report's agency fields; what the re-parse did."""
    if not con.execute("SELECT count(*) FROM reparse_in").fetchall()[0][0]:
        return Outcome()
    con.execute("""
        UPDATE findings AS f SET agency_id = r.agency_id, agency = r.agency, year = r.year
        FROM reports AS r
        WHERE f.report_id = r.report_id AND r.report_id IN (SELECT report_id FROM reparse_in)
          AND (f.agency_id, f.agency, f.year) IS DISTINCT FROM (r.agency_id, r.agency, r.year)""")
    resolved, reopened = con.execute("""
        SELECT count(*) FILTER (WHERE p.was_resolved IS NULL AND f.resolved_run_id = $run_id),
               count(*) FILTER (WHERE p.was_resolved IS NOT NULL AND f.resolved_run_id IS NULL)
        FROM reparse_prior AS p JOIN findings AS f USING (finding_id)""", {"run_id": run.run_id}).fetchall()[0]
    rows = con.execute("""
        SELECT coalesce(from_version, 'unknown'), status, count(*) FROM reparse_in GROUP BY ALL""").fetchall()
    statuses: dict[str, int] = {}
    for _, status, k in rows:
        statuses[status] = statuses.get(status, 0) + int(k)
    return Outcome(sum(int(k) for *_, k in rows), tuple(sorted({v for v, _, _ in rows})), int(resolved),
                   int(reopened), statuses)
