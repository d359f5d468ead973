-- rule_id: XY_CARRY_OVER
-- family: cross_year
-- severity: error
-- engine: sql
-- responsibility: source
-- title_zh: 上年结转与上年度结转下年度不一致
-- title_en: Carried over ≠ last year's carried forward
-- description: 表三 二、上年结转 of year Y ≠ 四、结转下年度继续办理 of the same agency's current report for year Y−1, per column (col_key); holds across the 2020→2021 format change.
--
-- Per 表三 column (both formats share these keys, so it holds across the 2020→2021 change): 二、上年结转 of
-- the agency's current report for Y vs 四、结转下年度继续办理 of its current report for Y−1. Finding at
-- (t3, carried_over, col); expected = last year's value, observed = this year's. A non-number operand →
-- not_assessable. Needs 表三 in both years. One output row per compared column (status NULL = passed).
-- The per-year CTEs are MATERIALIZED: inlined, the optimizer may join this year's and last year's cells
-- on col_key alone (billions of rows) before restricting them to the pair.

WITH pairs AS (                              -- import: pairs with 表三 in both years
    SELECT report_id, prev_id, prev_year
    FROM panel_pairs
    WHERE prev_id IS NOT NULL AND has_t3 AND prev_has_t3
),
this_year AS MATERIALIZED (                  -- 二、上年结转 of year Y
    SELECT p.report_id, p.prev_id, p.prev_year, c.col_key, c.value, c.semantic, c.raw
    FROM pairs AS p
    JOIN panel_cells AS c ON c.report_id = p.report_id
    WHERE c.table_id = 't3' AND c.row_key = 'carried_over'
),
last_year AS MATERIALIZED (                  -- 四、结转下年度继续办理 of year Y−1
    SELECT p.report_id, c.col_key, c.value, c.semantic, c.raw
    FROM pairs AS p
    JOIN panel_cells AS c ON c.report_id = p.prev_id
    WHERE c.table_id = 't3' AND c.row_key = 'carried_forward'
),
compared AS (                                -- logic
    SELECT t.report_id, t.prev_year, t.col_key, l.value AS expected, t.value AS observed,
           t.semantic AS this_semantic, t.raw AS this_raw, l.semantic AS last_semantic, l.raw AS last_raw,
           CASE WHEN t.value IS NULL OR l.value IS NULL THEN 'not_assessable'
                WHEN abs(t.value - l.value) > $tol THEN 'fail' END AS status
    FROM this_year AS t
    JOIN last_year AS l ON l.report_id = t.report_id AND l.col_key = t.col_key
)
SELECT c.report_id, 't3' AS table_id, 'carried_over' AS row_key, c.col_key,   -- final
       CASE WHEN c.status = 'fail' THEN c.expected END AS expected,
       CASE WHEN c.status = 'fail' THEN c.observed END AS observed,
       CASE WHEN c.status = 'fail' THEN
           '表三「' || lb.label || '」列：本年「二、上年结转」为' || gk_num(c.observed) || '，但'
           || c.prev_year || '年度报告「四、结转下年度继续办理」为' || gk_num(c.expected)
           || '（上年结转应等于上一年度的结转下年度继续办理）'
       WHEN c.status = 'not_assessable' THEN
           '表三「' || lb.label || '」列：本年「二、上年结转」' || gk_state(c.this_semantic, c.this_raw, c.observed)
           || '，' || c.prev_year || '年度报告「四、结转下年度继续办理」'
           || gk_state(c.last_semantic, c.last_raw, c.expected) || '，无法核对上年结转与上一年度结转下年度是否一致'
       END AS message,
       c.status
FROM compared AS c
LEFT JOIN lookup_labels AS lb ON lb.table_id = 't3' AND lb.key = c.col_key
