-- findings_current: the findings an inspector works on (current report versions, not resolved), with reviews.
-- Re-created with its COMMENTs on every publish (gongkai.warehouse.write.dictionary): edit this file, not a
-- migration. Columns are listed explicitly so a new table column does not silently change the view.

CREATE OR REPLACE VIEW findings_current AS
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
LEFT JOIN reviews AS v ON v.finding_id = f.finding_id
WHERE f.resolved_run_id IS NULL;

COMMENT ON VIEW findings_current IS 'Findings on current report versions that still hold (resolved cross-year findings excluded), with the inspector''s review (if any).';
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
