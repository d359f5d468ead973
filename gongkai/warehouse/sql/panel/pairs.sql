-- panel_pairs: one row per current, non-failed report of an agency-year touched by this run (its own
-- report or its previous year's is new), with its previous year's current report (prev_* NULL if none
-- or failed). The cross-year rules re-evaluate exactly these reports. (Also the agency-years of reports whose
-- agency_id a migration re-derived: rederived_reports.)
WITH touched AS (
    SELECT DISTINCT agency_id, year
    FROM new_reports
    WHERE agency_id IS NOT NULL AND year IS NOT NULL
    UNION               -- reports whose agency_id migration 0010 re-derived, not evaluated since
    SELECT agency_id, year
    FROM reports
    WHERE report_id IN (SELECT report_id FROM rederived_reports) AND agency_id IS NOT NULL AND year IS NOT NULL
),
agency_years AS (           -- pairs (Y−1, Y) in which a report is new
    SELECT agency_id, year FROM touched
    UNION
    SELECT agency_id, year + 1 FROM touched
),
current_reports AS (
    SELECT report_id, agency_id, year, format_version, status, has_t2, has_t3, has_t4
    FROM reports
    WHERE is_current AND agency_id IS NOT NULL AND year IS NOT NULL AND status <> 'failed'
)
SELECT t.report_id, t.agency_id, t.year, t.format_version, t.has_t2, t.has_t3, t.has_t4,
       p.report_id AS prev_id, p.year AS prev_year, p.format_version AS prev_format,
       p.has_t2 AS prev_has_t2, p.has_t3 AS prev_has_t3, p.has_t4 AS prev_has_t4
FROM current_reports AS t
JOIN agency_years AS k ON k.agency_id = t.agency_id AND k.year = t.year
LEFT JOIN current_reports AS p ON p.agency_id = t.agency_id AND p.year = t.year - 1
