-- rule_id: YEAR_MISMATCH
-- family: format
-- severity: warning
-- engine: sql
-- responsibility: source
-- title_zh: 报告年度与正文统计年度不一致
-- title_en: Filed year ≠ the year the text reports on
-- description: The year the report is filed under (title or manifest) differs from the year its own text reports on (统计时限/本年度 statements).
--
-- reports.year (title or manifest) vs the year the text reports on (the first statements row of fact
-- $year_fact); finding at (NULL, NULL, NULL), expected = reports.year, observed = the text's year.
-- Evaluated on the new reports whose text states a year.

WITH text_year AS (                          -- import: the first year the text states
    SELECT s.report_id, s.value AS year, s.sentence
    FROM statements AS s
    JOIN panel_text AS t ON t.report_id = s.report_id
    WHERE s.fact = $year_fact
    QUALIFY row_number() OVER (PARTITION BY s.report_id ORDER BY s.seq) = 1
),
compared AS (                                -- logic
    SELECT r.report_id, r.year AS filed_year, ty.year AS text_year, ty.sentence, ty.year <> r.year AS differs
    FROM text_year AS ty
    JOIN reports AS r ON r.report_id = ty.report_id
    WHERE r.year IS NOT NULL
)
SELECT report_id, NULL AS table_id, NULL AS row_key, NULL AS col_key,   -- final
       CASE WHEN differs THEN filed_year END AS expected,
       CASE WHEN differs THEN text_year END AS observed,
       CASE WHEN differs THEN
           '报告归属年度为' || filed_year || '年（标题或清单），但正文所述为' || gk_num(text_year) || '年的情况：'
           || gk_quote(sentence) END AS message,
       CASE WHEN differs THEN 'fail' END AS status
FROM compared
