"""panel_out → findings (insert / resolve / reopen) and rule_results (when new or changed)."""

from __future__ import annotations

from gongkai.warehouse.write.rule_results import insert_changed_rule_results
from gongkai.warehouse.panel.catalogue import rule_meta
from gongkai.warehouse.panel.common import FINDING_ID_SQL, TEXT_RULES, XY_RULES, PanelSummary, q, values_sql


# ------------------------------------------------------------------ results into the warehouse
def store(con, run_id: str, xy_reports: str, text_reports: str) -> PanelSummary:
    """panel_out → findings (insert / resolve / reopen) and rule_results (when new or changed)."""
    meta = rule_meta()
    rules = [(r, *meta[r]) for r in (*XY_RULES, *TEXT_RULES)]
    rule_values = f"(VALUES {values_sql(rules)}) AS m(rule_id, family, severity)"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE panel_findings AS
        SELECT {FINDING_ID_SQL} AS finding_id, o.*
        FROM panel_out AS o
        WHERE o.status IS NOT NULL
        QUALIFY row_number() OVER (PARTITION BY finding_id ORDER BY o.status) = 1""")
    xy = ", ".join(q(r) for r in XY_RULES)
    # cross-year findings already recorded for the re-evaluated reports; only reports loaded before this run
    # (a late or replaced previous year re-checks them) can have some, so usually nothing is scanned
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE panel_old_targets AS
        SELECT report_id FROM {xy_reports}
        WHERE report_id NOT IN (SELECT report_id FROM new_reports)""")
    old_targets = con.execute("SELECT count(*) FROM panel_old_targets").fetchone()[0]
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE panel_existing AS
        SELECT finding_id, resolved_run_id, expected, observed, message, status
        FROM findings
        WHERE {str(old_targets > 0).lower()}
          AND rule_id IN ({xy}) AND report_id IN (SELECT report_id FROM panel_old_targets)""")
    resolved = reopened = 0
    if con.execute("SELECT count(*) FROM panel_existing").fetchone()[0]:
        # stale: open findings the re-evaluation no longer produces
        resolved = con.execute("""
            UPDATE findings AS f SET resolved_run_id = $run_id
            WHERE f.finding_id IN (SELECT e.finding_id FROM panel_existing AS e
                                   WHERE e.resolved_run_id IS NULL
                                     AND e.finding_id NOT IN (SELECT finding_id FROM panel_findings))""",
                               {"run_id": run_id}).fetchone()[0]
        # produced again: reopened if resolved, refreshed if the numbers or message changed
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
                        IS DISTINCT FROM (m.expected, m.observed, m.message, m.status))""").fetchone()[0]
    # new: not recorded before (TEXT_TABLE/YEAR_MISMATCH findings and those of new reports cannot exist yet,
    # an earlier cross-year finding of an older report is in panel_existing)
    new = con.execute(f"""
        INSERT INTO findings BY NAME
        SELECT n.finding_id, $run_id AS run_id, n.report_id, r.agency_id, r.agency, r.year, n.rule_id,
               coalesce(ru.family, m.family) AS family, coalesce(ru.severity, m.severity) AS severity,
               n.table_id, n.row_key, n.col_key, n.expected, n.observed, n.message, n.status
        FROM panel_findings AS n
        JOIN reports AS r ON r.report_id = n.report_id
        LEFT JOIN rules AS ru ON ru.rule_id = n.rule_id
        LEFT JOIN {rule_values} ON m.rule_id = n.rule_id
        WHERE n.finding_id NOT IN (SELECT finding_id FROM panel_existing)""", {"run_id": run_id}).fetchone()[0]
    # rule_results: every evaluated (report, rule), zero counts included, when new or changed
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE panel_counts AS
        WITH checked AS (
            SELECT report_id, rule_id FROM {xy_reports}, (SELECT unnest([{xy}]) AS rule_id)
            UNION ALL
            SELECT report_id, rule_id FROM {text_reports},
                   (SELECT unnest([{", ".join(q(r) for r in TEXT_RULES)}]) AS rule_id)
        )
        SELECT k.report_id, k.rule_id,
               count(o.rule_id)                                     AS evaluated,
               count(*) FILTER (WHERE o.status = 'fail')            AS failed,
               count(*) FILTER (WHERE o.status = 'not_assessable')  AS not_assessable
        FROM checked AS k
        LEFT JOIN panel_out AS o ON o.report_id = k.report_id AND o.rule_id = k.rule_id
        GROUP BY k.report_id, k.rule_id""")
    # only reports loaded before this run can have earlier results
    insert_changed_rule_results(con, run_id, "panel_counts", "(SELECT report_id FROM panel_old_targets)")
    return PanelSummary(findings_new=new, findings_resolved=resolved, findings_reopened=reopened)


