"""Migration 0010's Python step: re-derive the identity of the reports already loaded (see
sql/migrations/0010_division_code.sql), inside the migration's transaction. Run by migrate.py after the SQL."""

from __future__ import annotations

import duckdb
import pandas as pd

from gongkai.report.identity import rederive


def rederive_identity(con: duckdb.DuckDBPyConnection) -> int:
    """Set division_code (and region, level where NULL, and agency_id where it was the name fallback) on every
    report with an agency name; move is_current so an agency-year keeps one current version; findings follow
    their report's agency_id. Returns the number of reports changed."""
    old = con.execute("""SELECT report_id, agency, agency_id, region, level, division_code, notes
                         FROM reports WHERE agency IS NOT NULL ORDER BY report_id""").fetchall()
    out = []
    for rid, agency, aid, region, level, code, notes in old:
        new_aid, new_region, new_level, new_code, new_notes = rederive(agency, aid, region, level)
        lines = [n for n in (notes or "").split("\n") if n]
        lines += [n for n in new_notes if n not in lines]
        row = (rid, new_aid, new_region, new_level, new_code or code, "\n".join(lines) or None)
        if row[1:] != (aid, region, level, code, notes):
            out.append((*row, aid))
    if not out:
        return 0
    changed = pd.DataFrame(out, columns=["report_id", "agency_id", "region", "level", "division_code", "notes",
                                         "old_agency_id"], dtype="string")
    con.register("rederived", changed)
    try:
        con.execute("""
            UPDATE reports AS r
            SET agency_id = c.agency_id, region = c.region, level = c.level, division_code = c.division_code,
                notes = c.notes
            FROM rederived AS c
            WHERE r.report_id = c.report_id""")
        con.execute("""
            UPDATE findings AS f SET agency_id = c.agency_id
            FROM rederived AS c
            WHERE f.report_id = c.report_id AND f.agency_id IS DISTINCT FROM c.agency_id""")
        # their cross-year pairs are evaluated by the next run's panel step (sql/panel/pairs.sql), which
        # empties the table: also when the write that migrated the warehouse was not a run (a review)
        con.execute("""INSERT OR IGNORE INTO rederived_reports
                       SELECT report_id FROM rederived
                       WHERE agency_id IS NOT NULL AND agency_id IS DISTINCT FROM old_agency_id""")
        # agency-years that now hold several current versions (two spellings of one agency, each current
        # under its old id): the newest keeps is_current, as if it had been loaded after the others
        con.execute("""
            WITH touched AS (
                SELECT DISTINCT r.agency_id, r.year
                FROM reports AS r JOIN rederived AS c ON c.report_id = r.report_id
                WHERE r.agency_id IS NOT NULL AND r.year IS NOT NULL
            ),
            ranked AS (
                SELECT r.report_id,
                       row_number() OVER (PARTITION BY r.agency_id, r.year
                                          ORDER BY r.parsed_at DESC, r.first_run_id DESC, r.report_id DESC) AS n
                FROM reports AS r JOIN touched AS t ON t.agency_id = r.agency_id AND t.year = r.year
                WHERE r.is_current
            )
            UPDATE reports SET is_current = false
            WHERE report_id IN (SELECT report_id FROM ranked WHERE n > 1)""")
    finally:
        con.unregister("rederived")
    return len(out)
