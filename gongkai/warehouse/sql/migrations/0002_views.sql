-- 0002_views: the four reading views of DESIGN §5. Views list their columns explicitly so that a later
-- migration adding a table column does not silently change a view (and its documented columns).
-- A migration that redefines a view must repeat its COMMENT ON statements (CREATE OR REPLACE drops them).

CREATE VIEW findings_current AS
WITH current_reports AS (
    SELECT report_id
    FROM reports
    WHERE is_current
)
SELECT
    f.finding_id, f.run_id, f.report_id, f.agency_id, f.agency, f.year,
    f.rule_id, f.family, f.severity, f.table_id, f.row_key, f.col_key,
    f.expected, f.observed, f.message, f.status,
    v.decision, v.note, v.reviewer, v.decided_at
FROM findings AS f
JOIN current_reports AS c ON c.report_id = f.report_id
LEFT JOIN reviews AS v ON v.finding_id = f.finding_id;

COMMENT ON VIEW findings_current IS 'Findings on current report versions, with the inspector''s review (if any).';
COMMENT ON COLUMN findings_current.finding_id IS 'Finding (findings.finding_id).';
COMMENT ON COLUMN findings_current.run_id IS 'First run that recorded the finding.';
COMMENT ON COLUMN findings_current.report_id IS 'Report (reports.report_id), a current version.';
COMMENT ON COLUMN findings_current.agency_id IS 'Agency id of the report.';
COMMENT ON COLUMN findings_current.agency IS 'Agency name of the report.';
COMMENT ON COLUMN findings_current.year IS 'Year of the report.';
COMMENT ON COLUMN findings_current.rule_id IS 'Rule violated (rules.rule_id).';
COMMENT ON COLUMN findings_current.family IS 'Rule family.';
COMMENT ON COLUMN findings_current.severity IS '''error'' or ''warning''.';
COMMENT ON COLUMN findings_current.table_id IS 'Table concerned, if any.';
COMMENT ON COLUMN findings_current.row_key IS 'Row concerned, if any.';
COMMENT ON COLUMN findings_current.col_key IS 'Column concerned, if any.';
COMMENT ON COLUMN findings_current.expected IS 'Expected number, if any.';
COMMENT ON COLUMN findings_current.observed IS 'Observed number, if any.';
COMMENT ON COLUMN findings_current.message IS 'Explanation in Chinese.';
COMMENT ON COLUMN findings_current.status IS '''fail'' or ''not_assessable''.';
COMMENT ON COLUMN findings_current.decision IS 'Review decision: ''confirmed'', ''dismissed'', or NULL when not reviewed.';
COMMENT ON COLUMN findings_current.note IS 'Reviewer''s note.';
COMMENT ON COLUMN findings_current.reviewer IS 'Who reviewed.';
COMMENT ON COLUMN findings_current.decided_at IS 'When the review was made (UTC).';

CREATE VIEW report_scorecard AS
WITH current_reports AS (
    SELECT *
    FROM reports
    WHERE is_current
),
finding_counts AS (
    -- dismissed findings are not counted as errors, warnings or not-assessable
    SELECT
        f.report_id,
        count(*) FILTER (WHERE f.status = 'fail' AND f.severity = 'error'
                           AND v.decision IS DISTINCT FROM 'dismissed')   AS errors,
        count(*) FILTER (WHERE f.status = 'fail' AND f.severity = 'warning'
                           AND v.decision IS DISTINCT FROM 'dismissed')   AS warnings,
        count(*) FILTER (WHERE f.status = 'not_assessable'
                           AND v.decision IS DISTINCT FROM 'dismissed')   AS not_assessable,
        count(*) FILTER (WHERE v.decision = 'confirmed')                  AS confirmed,
        count(*) FILTER (WHERE v.decision = 'dismissed')                  AS dismissed
    FROM findings AS f
    JOIN current_reports AS c ON c.report_id = f.report_id
    LEFT JOIN reviews AS v ON v.finding_id = f.finding_id
    GROUP BY f.report_id
)
SELECT
    r.report_id, r.agency_id, r.agency, r.region, r.year, r.status, r.format_version,
    r.source_format, r.source_path, r.title,
    coalesce(n.errors, 0)         AS errors,
    coalesce(n.warnings, 0)       AS warnings,
    coalesce(n.not_assessable, 0) AS not_assessable,
    coalesce(n.confirmed, 0)      AS confirmed,
    coalesce(n.dismissed, 0)      AS dismissed
FROM current_reports AS r
LEFT JOIN finding_counts AS n ON n.report_id = r.report_id;

COMMENT ON VIEW report_scorecard IS 'One row per current report version with its finding counts (dismissed findings excluded from errors, warnings, not_assessable).';
COMMENT ON COLUMN report_scorecard.report_id IS 'Report (reports.report_id), a current version.';
COMMENT ON COLUMN report_scorecard.agency_id IS 'Agency id.';
COMMENT ON COLUMN report_scorecard.agency IS 'Agency name.';
COMMENT ON COLUMN report_scorecard.region IS 'Region of the agency.';
COMMENT ON COLUMN report_scorecard.year IS 'Report year.';
COMMENT ON COLUMN report_scorecard.status IS 'Parse status: parsed, partial, failed.';
COMMENT ON COLUMN report_scorecard.format_version IS 'Template followed: 2021, 2019, unknown.';
COMMENT ON COLUMN report_scorecard.source_format IS 'File format.';
COMMENT ON COLUMN report_scorecard.source_path IS 'Path of the file in the harvest.';
COMMENT ON COLUMN report_scorecard.title IS 'Report title.';
COMMENT ON COLUMN report_scorecard.errors IS 'Failing findings of severity error, not dismissed.';
COMMENT ON COLUMN report_scorecard.warnings IS 'Failing findings of severity warning, not dismissed.';
COMMENT ON COLUMN report_scorecard.not_assessable IS 'Not-assessable findings (identity with a blank operand), not dismissed.';
COMMENT ON COLUMN report_scorecard.confirmed IS 'Findings an inspector confirmed.';
COMMENT ON COLUMN report_scorecard.dismissed IS 'Findings an inspector dismissed.';

CREATE VIEW agency_year AS
WITH versions AS (
    SELECT agency_id, year, count(*) AS reports
    FROM reports
    WHERE agency_id IS NOT NULL AND year IS NOT NULL
    GROUP BY agency_id, year
),
current_reports AS (
    SELECT report_id, agency_id, year
    FROM reports
    WHERE is_current AND agency_id IS NOT NULL AND year IS NOT NULL
)
SELECT
    c.agency_id, s.agency, s.region, c.year,
    v.reports,
    c.report_id AS current_report_id,
    s.status, s.format_version,
    s.errors, s.warnings, s.not_assessable
FROM current_reports AS c
JOIN versions AS v ON v.agency_id = c.agency_id AND v.year = c.year
JOIN report_scorecard AS s ON s.report_id = c.report_id;

COMMENT ON VIEW agency_year IS 'Agency × year matrix: one row per agency-year with a known agency_id and year, described by its current report.';
COMMENT ON COLUMN agency_year.agency_id IS 'Agency id.';
COMMENT ON COLUMN agency_year.agency IS 'Agency name (of the current report).';
COMMENT ON COLUMN agency_year.region IS 'Region (of the current report).';
COMMENT ON COLUMN agency_year.year IS 'Report year.';
COMMENT ON COLUMN agency_year.reports IS 'Report versions received for this agency-year.';
COMMENT ON COLUMN agency_year.current_report_id IS 'The current version (reports.report_id).';
COMMENT ON COLUMN agency_year.status IS 'Parse status of the current version.';
COMMENT ON COLUMN agency_year.format_version IS 'Template followed by the current version.';
COMMENT ON COLUMN agency_year.errors IS 'Error findings of the current version (not dismissed).';
COMMENT ON COLUMN agency_year.warnings IS 'Warning findings of the current version (not dismissed).';
COMMENT ON COLUMN agency_year.not_assessable IS 'Not-assessable findings of the current version (not dismissed).';

CREATE VIEW rule_stats AS
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
    r.rule_id, r.family, r.severity, r.title_zh, r.title_en,
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
COMMENT ON COLUMN rule_stats.title_zh IS 'Short title in Chinese.';
COMMENT ON COLUMN rule_stats.title_en IS 'Short title in English.';
COMMENT ON COLUMN rule_stats.reports_evaluated IS 'Current reports the rule was evaluated on (latest rule_results row has evaluated > 0).';
COMMENT ON COLUMN rule_stats.reports_failing IS 'Current reports where the rule failed at least once.';
COMMENT ON COLUMN rule_stats.reports_not_assessable IS 'Current reports where the rule was not assessable at least once.';
COMMENT ON COLUMN rule_stats.findings IS 'Failing findings of the rule on current reports (reviewed or not).';
COMMENT ON COLUMN rule_stats.findings_not_assessable IS 'Not-assessable findings of the rule on current reports.';
COMMENT ON COLUMN rule_stats.findings_dismissed IS 'Findings of the rule on current reports that an inspector dismissed.';
