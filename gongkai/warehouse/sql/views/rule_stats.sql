-- rule_stats: per rule, how often it was evaluated and failed on current report versions.
-- after: findings_current
-- Re-created with its COMMENTs on every publish (gongkai.warehouse.write.dictionary): edit this file, not a
-- migration. Columns are listed explicitly so a new table column does not silently change the view.

CREATE OR REPLACE VIEW rule_stats AS
WITH current_reports AS (
    SELECT report_id
    FROM reports
    WHERE is_current
),
latest_results AS (
    -- rule_results gets a row whenever a (report, rule) result is new or changed: keep the latest
    SELECT rr.report_id, rr.rule_id, rr.evaluated, rr.failed, rr.not_assessable
    FROM rule_results AS rr
    JOIN runs AS ru ON ru.run_id = rr.run_id
    JOIN current_reports AS c ON c.report_id = rr.report_id
    QUALIFY row_number() OVER (PARTITION BY rr.report_id, rr.rule_id
                               ORDER BY ru.started_at DESC, rr.run_id DESC) = 1
),
report_counts AS (
    SELECT
        rule_id,
        count(*) FILTER (WHERE evaluated > 0)      AS reports_evaluated,
        count(*) FILTER (WHERE failed > 0)         AS reports_failing,
        count(*) FILTER (WHERE not_assessable > 0) AS reports_not_assessable
    FROM latest_results
    GROUP BY rule_id
),
finding_counts AS (
    SELECT
        rule_id,
        count(*) FILTER (WHERE status = 'fail')           AS findings,
        count(*) FILTER (WHERE status = 'not_assessable') AS findings_not_assessable,
        count(*) FILTER (WHERE decision = 'dismissed')    AS findings_dismissed
    FROM findings_current
    GROUP BY rule_id
)
SELECT
    r.rule_id, r.family, r.severity, r.responsibility, r.title_zh, r.title_en,
    coalesce(rc.reports_evaluated, 0)       AS reports_evaluated,
    coalesce(rc.reports_failing, 0)         AS reports_failing,
    coalesce(rc.reports_not_assessable, 0)  AS reports_not_assessable,
    coalesce(fc.findings, 0)                AS findings,
    coalesce(fc.findings_not_assessable, 0) AS findings_not_assessable,
    coalesce(fc.findings_dismissed, 0)      AS findings_dismissed
FROM rules AS r
LEFT JOIN report_counts AS rc ON rc.rule_id = r.rule_id
LEFT JOIN finding_counts AS fc ON fc.rule_id = r.rule_id;

COMMENT ON VIEW rule_stats IS 'Per rule, over current report versions: how many reports it was evaluated on and failed, and its findings.';
COMMENT ON COLUMN rule_stats.rule_id IS 'Rule (rules.rule_id).';
COMMENT ON COLUMN rule_stats.family IS 'Rule family.';
COMMENT ON COLUMN rule_stats.severity IS '''error'' or ''warning''.';
COMMENT ON COLUMN rule_stats.responsibility IS '''source'' (findings count against the agency) or ''parser'' (our misread, counted apart).';
COMMENT ON COLUMN rule_stats.title_zh IS 'Short title in Chinese.';
COMMENT ON COLUMN rule_stats.title_en IS 'Short title in English.';
COMMENT ON COLUMN rule_stats.reports_evaluated IS 'Current reports the rule was evaluated on (latest rule_results row has evaluated > 0).';
COMMENT ON COLUMN rule_stats.reports_failing IS 'Current reports where the rule failed at least once.';
COMMENT ON COLUMN rule_stats.reports_not_assessable IS 'Current reports where the rule was not assessable at least once.';
COMMENT ON COLUMN rule_stats.findings IS 'Failing findings of the rule on current reports (reviewed or not).';
COMMENT ON COLUMN rule_stats.findings_not_assessable IS 'Not-assessable findings of the rule on current reports.';
COMMENT ON COLUMN rule_stats.findings_dismissed IS 'Findings of the rule on current reports that an inspector dismissed.';
