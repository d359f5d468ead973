"""rule_results rows: a (report, rule) result is recorded when it is new or its counts changed, by the
per-report checks (load) and the panel rules (panel.store) alike."""

from __future__ import annotations

import duckdb


def insert_changed_rule_results(con: duckdb.DuckDBPyConnection, run_id: str, counts: str, earlier: str) -> None:
    """Insert the relation `counts` (report_id, rule_id, evaluated, failed, not_assessable) as this run's
    rule_results where a (report, rule) has no earlier result or its counts changed since the latest one.
    `earlier`: a relation of the report_ids that can have earlier results (narrows the scan)."""
    con.execute(f"""
        INSERT INTO rule_results BY NAME
        WITH latest AS (
            SELECT rr.report_id, rr.rule_id, rr.evaluated, rr.failed, rr.not_assessable
            FROM rule_results AS rr
            JOIN runs AS ru ON ru.run_id = rr.run_id
            WHERE rr.rule_id IN (SELECT rule_id FROM {counts})
              AND rr.report_id IN {earlier}
            QUALIFY row_number() OVER (PARTITION BY rr.report_id, rr.rule_id
                                       ORDER BY ru.started_at DESC, rr.run_id DESC) = 1
        )
        SELECT $run_id AS run_id, c.report_id, c.rule_id, c.evaluated, c.failed, c.not_assessable
        FROM {counts} AS c
        LEFT JOIN latest AS l ON l.report_id = c.report_id AND l.rule_id = c.rule_id
        WHERE l.report_id IS NULL
           OR (c.evaluated, c.failed, c.not_assessable) IS DISTINCT FROM (l.evaluated, l.failed, l.not_assessable)""",
                {"run_id": run_id})
