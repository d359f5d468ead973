-- rule_id: XY_T2_STOCK
-- family: cross_year
-- severity: warning
-- engine: sql
-- responsibility: source
-- title_zh: 现行有效件数与上年及本年增减不符
-- title_en: In-force count ≠ last year's + issued − repealed
-- description: 表二 现行有效件数 (Y) ≠ 现行有效件数 (Y−1) + 本年制发件数 (Y) − 本年废止件数 (Y), for 规章 and 行政规范性文件 (row_key).
--
-- Rows regulations and normative_docs, 2021 format both years: 现行有效 (Y) vs 现行有效 (Y−1) + 本年制发 (Y)
-- − 本年废止 (Y). Finding at (t2, row, in_force); expected = the sum, observed = the printed 现行有效. A
-- non-number operand → not_assessable. Needs 表二 in both years. Units: 件.

WITH pairs AS (                              -- import: pairs of 2021-format reports with 表二 in both years
    SELECT report_id, prev_id, prev_year
    FROM panel_pairs
    WHERE prev_id IS NOT NULL AND has_t2 AND prev_has_t2 AND format_version = '2021' AND prev_format = '2021'
),
stock_rows AS (
    SELECT key AS row_key FROM lookup_labels WHERE table_id = 't2'
),
this_year AS MATERIALIZED (                  -- 本年制发, 本年废止, 现行有效 of year Y
    SELECT p.report_id, p.prev_year, c.row_key,
           any_value(c.value) FILTER (WHERE c.col_key = 'issued')      AS issued,
           any_value(c.value) FILTER (WHERE c.col_key = 'repealed')    AS repealed,
           any_value(c.value) FILTER (WHERE c.col_key = 'in_force')    AS in_force,
           string_agg(CASE c.col_key WHEN 'issued' THEN '本年制发件数' WHEN 'repealed' THEN '本年废止件数'
                                     ELSE '现行有效件数' END || gk_state(c.semantic, c.raw, c.value), '、')
               FILTER (WHERE c.value IS NULL)                           AS unusable
    FROM pairs AS p
    JOIN panel_cells AS c ON c.report_id = p.report_id
    WHERE c.table_id = 't2' AND c.row_key IN (SELECT row_key FROM stock_rows)
      AND c.col_key IN ('issued', 'repealed', 'in_force')
    GROUP BY ALL
),
last_year AS MATERIALIZED (                  -- 现行有效 of year Y−1
    SELECT p.report_id, c.row_key, c.value AS in_force, c.semantic, c.raw
    FROM pairs AS p
    JOIN panel_cells AS c ON c.report_id = p.prev_id
    WHERE c.table_id = 't2' AND c.row_key IN (SELECT row_key FROM stock_rows) AND c.col_key = 'in_force'
),
compared AS (                                -- logic
    SELECT t.*, l.in_force AS last_in_force, l.semantic AS last_semantic, l.raw AS last_raw,
           l.in_force + t.issued - t.repealed AS expected,
           CASE WHEN t.issued IS NULL OR t.repealed IS NULL OR t.in_force IS NULL OR l.in_force IS NULL
                THEN 'not_assessable'
                WHEN abs(l.in_force + t.issued - t.repealed - t.in_force) > $tol THEN 'fail' END AS status
    FROM this_year AS t
    JOIN last_year AS l ON l.report_id = t.report_id AND l.row_key = t.row_key
)
SELECT c.report_id, 't2' AS table_id, c.row_key, 'in_force' AS col_key,   -- final
       CASE WHEN c.status = 'fail' THEN c.expected END AS expected,
       CASE WHEN c.status = 'fail' THEN c.in_force END AS observed,
       CASE WHEN c.status = 'fail' THEN
           '表二「' || lb.label || '」现行有效件数为' || gk_num(c.in_force) || '，但按' || c.prev_year
           || '年度现行有效件数(' || gk_num(c.last_in_force) || ')+本年制发件数(' || gk_num(c.issued)
           || ')−本年废止件数(' || gk_num(c.repealed) || ')应为' || gk_num(c.expected)
       WHEN c.status = 'not_assessable' THEN
           '表二「' || lb.label || '」：' || concat_ws('、', c.unusable,
               CASE WHEN c.last_in_force IS NULL THEN c.prev_year || '年度现行有效件数'
                    || gk_state(c.last_semantic, c.last_raw, c.last_in_force) END)
           || '，无法核对现行有效件数=上年现行有效+本年制发−本年废止'
       END AS message,
       c.status
FROM compared AS c
LEFT JOIN lookup_labels AS lb ON lb.table_id = 't2' AND lb.key = c.row_key
