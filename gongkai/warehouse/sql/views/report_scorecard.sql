-- report_scorecard: one row per current report version with its finding counts.
-- Re-created with its COMMENTs on every publish (gongkai.warehouse.write.dictionary): edit this file, not a
-- migration. Columns are listed explicitly so a new table column does not silently change the view.

CREATE OR REPLACE VIEW report_scorecard AS
WITH current_reports AS (
    SELECT *
    FROM reports
    WHERE is_current
),
finding_counts AS (
    -- dismissed findings are not counted as errors, warnings or not-assessable; resolved ones not at all.
    -- Findings of rules whose responsibility is 'parser' (the parse family: our misread) are counted apart
    -- (parser_errors, parser_warnings), never in the agency's errors and warnings.
    SELECT
        f.report_id,
        count(*) FILTER (WHERE f.status = 'fail' AND f.severity = 'error' AND NOT p.parser
                           AND v.decision IS DISTINCT FROM 'dismissed')   AS errors,
        count(*) FILTER (WHERE f.status = 'fail' AND f.severity = 'warning' AND NOT p.parser
                           AND v.decision IS DISTINCT FROM 'dismissed')   AS warnings,
        count(*) FILTER (WHERE f.status = 'not_assessable'
                           AND v.decision IS DISTINCT FROM 'dismissed')   AS not_assessable,
        count(*) FILTER (WHERE f.status = 'fail' AND f.severity = 'error' AND p.parser
                           AND v.decision IS DISTINCT FROM 'dismissed')   AS parser_errors,
        count(*) FILTER (WHERE f.status = 'fail' AND f.severity = 'warning' AND p.parser
                           AND v.decision IS DISTINCT FROM 'dismissed')   AS parser_warnings,
        count(*) FILTER (WHERE v.decision = 'confirmed')                  AS confirmed,
        count(*) FILTER (WHERE v.decision = 'dismissed')                  AS dismissed
    FROM findings AS f
    JOIN current_reports AS c ON c.report_id = f.report_id
    LEFT JOIN reviews AS v ON v.finding_id = f.finding_id
    LEFT JOIN rules AS ru ON ru.rule_id = f.rule_id
    CROSS JOIN LATERAL (SELECT coalesce(ru.responsibility = 'parser', f.family = 'parse', false) AS parser) AS p
    WHERE f.resolved_run_id IS NULL
    GROUP BY f.report_id
)
SELECT
    r.report_id, r.agency_id, r.agency, r.region, r.level, r.division_code, r.year, r.status, r.format_version, r.layout,
    r.source_format, r.source_path, r.title,
    coalesce(n.errors, 0)         AS errors,
    coalesce(n.warnings, 0)       AS warnings,
    coalesce(n.not_assessable, 0) AS not_assessable,
    coalesce(n.parser_errors, 0)   AS parser_errors,
    coalesce(n.parser_warnings, 0) AS parser_warnings,
    coalesce(n.confirmed, 0)      AS confirmed,
    coalesce(n.dismissed, 0)      AS dismissed
FROM current_reports AS r
LEFT JOIN finding_counts AS n ON n.report_id = r.report_id;

COMMENT ON VIEW report_scorecard IS 'One row per current report version with its finding counts (dismissed findings excluded from errors, warnings, not_assessable; resolved findings not counted; findings of parser-responsibility rules counted apart in parser_errors, parser_warnings).';
COMMENT ON COLUMN report_scorecard.report_id IS 'Report (reports.report_id), a current version.';
COMMENT ON COLUMN report_scorecard.agency_id IS 'Agency id.';
COMMENT ON COLUMN report_scorecard.agency IS 'Agency name.';
COMMENT ON COLUMN report_scorecard.region IS 'Region of the agency.';
COMMENT ON COLUMN report_scorecard.level IS 'Administrative level of the agency (manifest, registry or derived from its name), NULL when unknown.';
COMMENT ON COLUMN report_scorecard.division_code IS 'Six-digit administrative division code (行政区划代码) of the agency''s place, as reports.division_code.';
COMMENT ON COLUMN report_scorecard.year IS 'Report year.';
COMMENT ON COLUMN report_scorecard.status IS 'Parse status: parsed, partial, failed.';
COMMENT ON COLUMN report_scorecard.format_version IS 'Template followed: 2021, 2019, unknown.';
COMMENT ON COLUMN report_scorecard.layout IS 'How the tables are laid out: 2021, 2019, mixed (2021 labels with the 2019 row （六）其他处理 in 表三) or unknown; as reports.layout.';
COMMENT ON COLUMN report_scorecard.source_format IS 'File format.';
COMMENT ON COLUMN report_scorecard.source_path IS 'Path of the file in the harvest.';
COMMENT ON COLUMN report_scorecard.title IS 'Report title.';
COMMENT ON COLUMN report_scorecard.errors IS 'Failing findings of severity error against the agency (rules of responsibility source), not dismissed.';
COMMENT ON COLUMN report_scorecard.warnings IS 'Failing findings of severity warning against the agency (rules of responsibility source), not dismissed.';
COMMENT ON COLUMN report_scorecard.parser_errors IS 'Failing findings of severity error that are our failure to read the file (rules of responsibility parser, e.g. PARSE_FAILED), not dismissed; never counted against the agency.';
COMMENT ON COLUMN report_scorecard.parser_warnings IS 'Failing findings of severity warning that are our misread (rules of responsibility parser, e.g. CELL_UNREAD), not dismissed; never counted against the agency.';
COMMENT ON COLUMN report_scorecard.not_assessable IS 'Not-assessable findings (an operand was blank, unread, a dash or text), not dismissed.';
COMMENT ON COLUMN report_scorecard.confirmed IS 'Findings an inspector confirmed.';
COMMENT ON COLUMN report_scorecard.dismissed IS 'Findings an inspector dismissed.';
