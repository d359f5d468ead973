"""panel_out → findings and rule_results. Findings go through the one assembler (gongkai.findings.assemble:
finding_id, family, severity from the panel catalogue); then, for the re-evaluated reports, findings no
longer produced are resolved, findings produced again are reopened or refreshed, new ones inserted;
rule_results get a row when a (report, rule) result is new or changed."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from gongkai.findings import Part, assemble
from gongkai.warehouse.panel.relations import PANEL_OUT, RULES
from gongkai.warehouse.write.rule_results import insert_changed_rule_results


@dataclass
class PanelSummary:
    findings_new: int = 0
    findings_resolved: int = 0
    findings_reopened: int = 0
    targets: int = 0             # current reports whose cross-year rules were (re-)evaluated
    text_reports: int = 0        # new reports whose TEXT_TABLE / YEAR_MISMATCH were evaluated


def assemble_findings(con: duckdb.DuckDBPyConnection, catalogue: pd.DataFrame) -> pd.DataFrame:
    """The failing and not-assessable rows of panel_out as a findings frame (gongkai.findings)."""
    out = con.execute(f"""SELECT report_id, rule_id, table_id, row_key, col_key, expected, observed, message, status
                          FROM {PANEL_OUT} WHERE status IS NOT NULL""").df()
    report_no, report_ids = pd.factorize(out["report_id"])
    parts = []
    for rule in RULES:
        m = (out["rule_id"] == rule.rule_id).to_numpy()
        if not m.any():
            continue
        o = out[m]
        parts.append(Part(rule.rule_id, report_no[m], table_id=o["table_id"].to_numpy(object),
                          row_key=o["row_key"].to_numpy(object), col_key=o["col_key"].to_numpy(object),
                          expected=o["expected"].to_numpy(float), observed=o["observed"].to_numpy(float),
                          message=o["message"].to_numpy(object), status=o["status"].to_numpy(object),
                          order=(o["status"] != "fail").to_numpy(np.int64)))  # a fail first
    return assemble(parts, np.asarray(report_ids, dtype=object), catalogue)


def _reconcile(con: duckdb.DuckDBPyConnection, run_id: str) -> tuple[int, int]:
    """Resolve the stale and reopen/refresh the re-produced cross-year findings of reports loaded before
    this run (only they can have some: a late or replaced previous year re-checks them)."""
    xy = [r.rule_id for r in RULES if r.cross_year]
    con.execute("""
        CREATE OR REPLACE TEMP TABLE panel_old_targets AS
        SELECT report_id FROM panel_pairs
        WHERE report_id NOT IN (SELECT report_id FROM new_reports)""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE panel_existing AS
        SELECT finding_id, resolved_run_id, expected, observed, message, status
        FROM findings
        WHERE rule_id IN (SELECT unnest($xy)) AND report_id IN (SELECT report_id FROM panel_old_targets)""",
                {"xy": xy})
    if not con.execute("SELECT count(*) FROM panel_existing").fetchall()[0][0]:
        return 0, 0
    resolved = con.execute("""
        UPDATE findings AS f SET resolved_run_id = $run_id
        WHERE f.finding_id IN (SELECT e.finding_id FROM panel_existing AS e
                               WHERE e.resolved_run_id IS NULL
                                 AND e.finding_id NOT IN (SELECT finding_id FROM panel_findings))""",
                           {"run_id": run_id}).fetchall()[0][0]
    reopened = con.execute("""
        UPDATE findings AS f
        SET resolved_run_id = NULL, expected = n.expected, observed = n.observed, message = n.message,
            status = n.status
        FROM panel_findings AS n
        WHERE f.finding_id = n.finding_id
          AND n.finding_id IN (
              SELECT e.finding_id FROM panel_existing AS e JOIN panel_findings AS m USING (finding_id)
              WHERE e.resolved_run_id IS NOT NULL
                 OR (e.expected, e.observed, e.message, e.status)
                    IS DISTINCT FROM (m.expected, m.observed, m.message, m.status))""").fetchall()[0][0]
    return resolved, reopened


def store(con: duckdb.DuckDBPyConnection, run_id: str, catalogue: pd.DataFrame) -> PanelSummary:
    """panel_out → findings (insert / resolve / reopen) and rule_results (when new or changed)."""
    con.register("panel_findings", assemble_findings(con, catalogue))
    resolved, reopened = _reconcile(con, run_id)
    # new: not recorded before (TEXT_TABLE/YEAR_MISMATCH findings and those of new reports cannot exist yet,
    # an earlier cross-year finding of an older report is in panel_existing)
    new = con.execute("""
        INSERT INTO findings BY NAME
        SELECT n.finding_id, $run_id AS run_id, n.report_id, r.agency_id, r.agency, r.year, n.rule_id,
               n.family, n.severity, n.table_id, n.row_key, n.col_key, n.expected, n.observed, n.message, n.status
        FROM panel_findings AS n
        JOIN reports AS r ON r.report_id = n.report_id
        WHERE NOT EXISTS (SELECT 1 FROM findings AS x WHERE x.finding_id = n.finding_id)""",
                      {"run_id": run_id}).fetchall()[0][0]
    # rule_results: every evaluated (report, rule), zero counts included, when new or changed
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE panel_counts AS
        WITH checked AS (
            SELECT report_id, rule_id FROM panel_pairs, (SELECT unnest($xy) AS rule_id)
            UNION ALL
            SELECT report_id, rule_id FROM panel_text, (SELECT unnest($text) AS rule_id)
        )
        SELECT k.report_id, k.rule_id,
               count(o.rule_id)                                     AS evaluated,
               count(*) FILTER (WHERE o.status = 'fail')            AS failed,
               count(*) FILTER (WHERE o.status = 'not_assessable')  AS not_assessable
        FROM checked AS k
        LEFT JOIN {PANEL_OUT} AS o ON o.report_id = k.report_id AND o.rule_id = k.rule_id
        GROUP BY k.report_id, k.rule_id""",
                {"xy": [r.rule_id for r in RULES if r.cross_year],
                 "text": [r.rule_id for r in RULES if not r.cross_year]})
    # only reports loaded before this run can have earlier results
    insert_changed_rule_results(con, run_id, "panel_counts", "(SELECT report_id FROM panel_old_targets)")
    # what this run produced, for the load's re-parse step (gongkai.warehouse.write.reparse.reopen)
    con.execute("CREATE OR REPLACE TEMP TABLE panel_findings_stored AS SELECT * FROM panel_findings")
    con.unregister("panel_findings")
    return PanelSummary(findings_new=new, findings_resolved=resolved, findings_reopened=reopened)
