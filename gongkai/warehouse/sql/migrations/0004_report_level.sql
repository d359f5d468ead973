-- 0004: the agency's administrative level on reports (issue 4: "Region and level stored on reports").
-- reports.level comes from the harvest manifest or the agency registry (data/agencies.csv), like region.
-- Reports loaded before this migration keep level NULL (they are not re-parsed). The two views that
-- describe reports are restated whole with the new column (append-only migrations redefine views).

ALTER TABLE reports ADD COLUMN level VARCHAR;
COMMENT ON COLUMN reports.level IS 'Administrative level of the agency (registry `level`: province, city, county, township, department, …) from the manifest or the agency registry; NULL when unknown.';
COMMENT ON COLUMN reports.region IS 'Region (地区) of the agency, from the manifest, else from the agency registry; NULL when unknown.';

CREATE OR REPLACE VIEW report_scorecard AS
WITH current_reports AS (
    SELECT *
    FROM reports
    WHERE is_current
),
finding_counts AS (
    -- dismissed findings are not counted as errors, warnings or not-assessable; resolved ones not at all
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
    WHERE f.resolved_run_id IS NULL
    GROUP BY f.report_id
)
SELECT
    r.report_id, r.agency_id, r.agency, r.region, r.level, r.year, r.status, r.format_version,
    r.source_format, r.source_path, r.title,
    coalesce(n.errors, 0)         AS errors,
    coalesce(n.warnings, 0)       AS warnings,
    coalesce(n.not_assessable, 0) AS not_assessable,
    coalesce(n.confirmed, 0)      AS confirmed,
    coalesce(n.dismissed, 0)      AS dismissed
FROM current_reports AS r
LEFT JOIN finding_counts AS n ON n.report_id = r.report_id;

COMMENT ON VIEW report_scorecard IS 'One row per current report version with its finding counts (dismissed findings excluded from errors, warnings, not_assessable; resolved cross-year findings not counted).';
COMMENT ON COLUMN report_scorecard.report_id IS 'Report (reports.report_id), a current version.';
COMMENT ON COLUMN report_scorecard.agency_id IS 'Agency id.';
COMMENT ON COLUMN report_scorecard.agency IS 'Agency name.';
COMMENT ON COLUMN report_scorecard.region IS 'Region of the agency.';
COMMENT ON COLUMN report_scorecard.level IS 'Administrative level of the agency (registry), NULL when unknown.';
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
    c.agency_id, s.agency, s.region, s.level, c.year,
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
COMMENT ON COLUMN agency_year.level IS 'Administrative level (of the current report), NULL when unknown.';
COMMENT ON COLUMN agency_year.year IS 'Report year.';
COMMENT ON COLUMN agency_year.reports IS 'Report versions received for this agency-year.';
COMMENT ON COLUMN agency_year.current_report_id IS 'The current version (reports.report_id).';
COMMENT ON COLUMN agency_year.status IS 'Parse status of the current version.';
COMMENT ON COLUMN agency_year.format_version IS 'Template followed by the current version.';
COMMENT ON COLUMN agency_year.errors IS 'Error findings of the current version (not dismissed).';
COMMENT ON COLUMN agency_year.warnings IS 'Warning findings of the current version (not dismissed).';
COMMENT ON COLUMN agency_year.not_assessable IS 'Not-assessable findings of the current version (not dismissed).';
