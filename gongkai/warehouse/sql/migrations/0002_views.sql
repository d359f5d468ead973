-- 0002_views: the four reading views of DESIGN §5 (findings_current, report_scorecard, agency_year,
-- rule_stats). Nothing is left to do here: each view is one file in sql/views/, created with its comments
-- on every publish (until 2026-12-04 this migration created them; re-creating them on publish gives the
-- same warehouse). The migration keeps its number, so warehouses that applied it stay in step.
SELECT 1;
