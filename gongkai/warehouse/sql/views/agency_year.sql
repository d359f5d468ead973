-- agency_year: the agency × year matrix, described by each agency-year's current report.
-- after: report_scorecard
-- Re-created with its COMMENTs on every publish (gongkai.warehouse.write.dictionary): edit this file, not a
-- migration. Columns are listed explicitly so a new table column does not silently change the view.

CREATE OR REPLACE VIEW agency_year AS
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
    c.agency_id, s.agency, s.region, s.level, s.division_code, c.year,
    v.reports,
    c.report_id AS current_report_id,
    s.status, s.format_version, s.layout,
    s.errors, s.warnings, s.not_assessable, s.parser_errors, s.parser_warnings
FROM current_reports AS c
JOIN versions AS v ON v.agency_id = c.agency_id AND v.year = c.year
JOIN report_scorecard AS s ON s.report_id = c.report_id;

COMMENT ON VIEW agency_year IS 'Agency × year matrix: one row per agency-year with a known agency_id and year, described by its current report.';
COMMENT ON COLUMN agency_year.agency_id IS 'Agency id.';
COMMENT ON COLUMN agency_year.agency IS 'Agency name (of the current report).';
COMMENT ON COLUMN agency_year.region IS 'Region (of the current report).';
COMMENT ON COLUMN agency_year.level IS 'Administrative level (of the current report), NULL when unknown.';
COMMENT ON COLUMN agency_year.division_code IS 'Six-digit administrative division code (行政区划代码) of the agency''s place (of the current report), NULL when unknown or ambiguous.';
COMMENT ON COLUMN agency_year.year IS 'Report year.';
COMMENT ON COLUMN agency_year.reports IS 'Report versions received for this agency-year.';
COMMENT ON COLUMN agency_year.current_report_id IS 'The current version (reports.report_id).';
COMMENT ON COLUMN agency_year.status IS 'Parse status of the current version.';
COMMENT ON COLUMN agency_year.format_version IS 'Template followed by the current version.';
COMMENT ON COLUMN agency_year.layout IS 'How the current version''s tables are laid out: 2021, 2019, mixed or unknown.';
COMMENT ON COLUMN agency_year.errors IS 'Error findings against the agency (responsibility source) of the current version (not dismissed).';
COMMENT ON COLUMN agency_year.warnings IS 'Warning findings against the agency (responsibility source) of the current version (not dismissed).';
COMMENT ON COLUMN agency_year.parser_errors IS 'Error findings of the current version that are our failure to read it (responsibility parser), not dismissed.';
COMMENT ON COLUMN agency_year.parser_warnings IS 'Warning findings of the current version that are our misread (responsibility parser, e.g. CELL_UNREAD), not dismissed.';
COMMENT ON COLUMN agency_year.not_assessable IS 'Not-assessable findings of the current version (not dismissed).';
