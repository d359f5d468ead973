-- 0003_panel_rules: what the panel rules need (gongkai/warehouse/panel.py: XY_CARRY_OVER, XY_T2_STOCK,
-- XY_COPY, TEXT_TABLE, YEAR_MISMATCH): the numbers each report's narrative states, per-report fingerprints
-- for the copy check, and the resolution of cross-year findings that a later run no longer produces
-- (e.g. the previous year's report was replaced by a corrected version). The two views that read
-- findings are redefined to hide resolved findings (their COMMENT ON statements are repeated, as
-- CREATE OR REPLACE drops them); agency_year and rule_stats read through them and keep working.

ALTER TABLE findings ADD COLUMN resolved_run_id VARCHAR;
COMMENT ON TABLE findings IS 'One row per rule violation (or not-assessable identity) found in a report; kept from the first run that found it. Cross-year findings (XY_*) are re-evaluated when the previous or next year''s report changes: one that no longer holds gets resolved_run_id and leaves findings_current, but stays here.';
COMMENT ON COLUMN findings.resolved_run_id IS 'Run whose re-evaluation no longer produced this cross-year finding (runs.run_id); NULL while it holds. Resolved findings are hidden from findings_current and report_scorecard.';

ALTER TABLE runs ADD COLUMN findings_resolved INTEGER;
COMMENT ON COLUMN runs.findings_resolved IS 'Cross-year findings this run resolved (re-evaluation no longer produced them); NULL for runs before migration 0003 and for failed runs.';

CREATE TABLE statements (
    report_id VARCHAR NOT NULL,
    seq       INTEGER NOT NULL,
    fact      VARCHAR NOT NULL,
    value     DOUBLE NOT NULL,
    sentence  VARCHAR
);
COMMENT ON TABLE statements IS 'Numbers stated in the narrative of each report (sections 一 and 六, and the introduction when parsed), read conservatively by gongkai.statements; key (report_id, seq). TEXT_TABLE compares them with the tables, YEAR_MISMATCH the report_year row with reports.year.';
COMMENT ON COLUMN statements.report_id IS 'Report (reports.report_id).';
COMMENT ON COLUMN statements.seq IS 'Order of the statement within its report (1, 2, … in text order).';
COMMENT ON COLUMN statements.fact IS 'What is stated: received, carried_over, processed, carried_forward, granted, partially_granted, granted_or_partial, review, litigation (counts of 表三/表四, see gongkai.statements.FACTS) or report_year (the year the text reports on).';
COMMENT ON COLUMN statements.value IS 'The number stated (Chinese numerals converted; 未收到…申请 / 未发生…行政复议 = 0); for report_year the year.';
COMMENT ON COLUMN statements.sentence IS 'The sentence it was read from, as normalised (NFKC, spaces next to Chinese removed).';

CREATE TABLE panel_inputs (
    report_id     VARCHAR PRIMARY KEY,
    cells         INTEGER NOT NULL,
    nonzero_cells INTEGER NOT NULL,
    cells_digest  VARCHAR,
    text_chars    INTEGER NOT NULL,
    text_grams    INTEGER NOT NULL,
    text_sketch   UINTEGER[] NOT NULL,
    panel_cells   STRUCT(k UTINYINT, value DOUBLE, semantic VARCHAR, raw VARCHAR)[] NOT NULL
);
COMMENT ON TABLE panel_inputs IS 'Per parsed report, what the panel rules read (gongkai/warehouse/panel.py), so that a run reads one row per report of the pairs it re-evaluates instead of scanning cells and sections: fingerprints for XY_COPY (gongkai.statements.fingerprints_frame) and a copy of the few cells the cross-year rules compare; key report_id. Written with the report; backfilled on demand for reports loaded before migration 0003.';
COMMENT ON COLUMN panel_inputs.report_id IS 'Report (reports.report_id, key).';
COMMENT ON COLUMN panel_inputs.cells IS 'Number of cells of its tables (cells rows).';
COMMENT ON COLUMN panel_inputs.nonzero_cells IS 'Cells holding a non-zero number (identical tables count as copied only with at least 5).';
COMMENT ON COLUMN panel_inputs.cells_digest IS 'Order-independent digest of every cell (table, row, column, semantic, raw text): sum mod 2^64 of a keyed SipHash per cell, 16 hex digits; equal digests = identical printed tables. NULL without cells.';
COMMENT ON COLUMN panel_inputs.text_chars IS 'Length of the narrative (sections 一…六 joined, whitespace removed).';
COMMENT ON COLUMN panel_inputs.text_grams IS 'Distinct character 3-grams of the narrative (counted by 32-bit hash): J(A, B) ≤ min/max of two counts, so pairs of very different size are not compared.';
COMMENT ON COLUMN panel_inputs.text_sketch IS 'The 64 smallest distinct 32-bit hashes of the narrative''s character 3-grams (bottom-k sketch; the share of hashes two reports have in common preselects pairs for the exact Jaccard similarity).';
COMMENT ON COLUMN panel_inputs.panel_cells IS 'Copy of the cells the cross-year rules compare (value and semantic as in cells; raw only for dash/text cells): k numbers the cell in gongkai.warehouse.panel._panel_keys() — 0–6 表三 二、上年结转, 7–13 四、结转下年度 (自然人…其他, 总计), 14–19 表二 规章 and 行政规范性文件 本年制发/本年废止/现行有效.';

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
    r.report_id, r.agency_id, r.agency, r.region, r.year, r.status, r.format_version,
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
