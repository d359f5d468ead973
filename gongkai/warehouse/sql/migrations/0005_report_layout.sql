-- 0005_report_layout: how each report's tables are laid out (reports.layout, gongkai.report.batch):
-- '2021' or '2019' (a version's template), 'mixed' (a 2021-labelled 表三 printing the single 2019 row
-- （六）其他处理, stored under row_key y2019_other_processing) or 'unknown'. Reports loaded before this
-- migration are backfilled from what was stored: a 2021 report with a t3 cell under
-- y2019_other_processing is 'mixed', any other report keeps its format_version. Comments and views are
-- re-applied on every publish (sql/dictionary/, sql/views/), not here.

ALTER TABLE reports ADD COLUMN layout VARCHAR;

UPDATE reports AS r
SET layout = CASE
    WHEN r.format_version = '2021' AND EXISTS (
        SELECT 1 FROM cells AS c
        WHERE c.report_id = r.report_id AND c.table_id = 't3' AND c.row_key = 'y2019_other_processing')
    THEN 'mixed'
    ELSE r.format_version
END;
