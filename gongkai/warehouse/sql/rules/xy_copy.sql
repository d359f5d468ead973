-- rule_id: XY_COPY
-- family: plausibility
-- severity: warning
-- engine: sql
-- responsibility: source
-- title_zh: 与上年度报告雷同
-- title_en: Report copied from the previous year
-- description: Tables identical to the same agency's previous-year report, or narrative text near-identical above the documented threshold (雷同, named by the national notice as a ground for accountability).
--
-- The report repeats last year's (雷同), finding at (NULL, NULL, NULL), when every printed cell of 表二/三/四
-- equals last year's (same keys, semantic and value — the normalised number, or the normalised text of a
-- dash or text cell —: equal cell digests of the same digest_version, whatever the two years' renderings:
-- HTML one year, a text dump or a GBK page with full-width digits the next) and at least
-- $copy_min_nonzero (5) of them are non-zero numbers (an agency with nothing to report prints the same
-- all-zero tables every year: that alone is not a copy), or when the narratives (sections 一…六,
-- whitespace removed, digits as ASCII) both have ≥ $copy_min_chars (200) characters and a character
-- 3-gram Jaccard similarity ≥ $copy_jaccard (0.9). Why 0.9: a report copied and then updated (the year, a
-- dozen numbers, a sentence or two) keeps 0.93–0.99 of its 3-grams (copies of generated reports measured
-- 0.964–0.989 after rendering and parsing); two honestly written years of one agency that share set
-- phrases measured 0.19–0.61. observed = the similarity (4 decimals) when the texts were compared,
-- expected NULL. The candidates and their exact similarity come from panel_copy and panel_similarity
-- (gongkai.warehouse.panel.copies). One output row per compared pair (status NULL = passed).

WITH compared AS (                           -- import: the pairs and the similarity of the candidates
    SELECT k.report_id, k.prev_year, k.has_t2, k.has_t3, k.has_t4, k.cells, k.nonzero_cells, k.same_tables,
           j.jaccard
    FROM panel_copy AS k
    LEFT JOIN panel_similarity AS j ON j.report_id = k.report_id
),
judged AS (                                  -- logic
    SELECT *, coalesce(same_tables, false) OR coalesce(jaccard >= $copy_jaccard, false) AS copied
    FROM compared
)
SELECT report_id, NULL AS table_id, NULL AS row_key, NULL AS col_key, NULL AS expected,   -- final
       CASE WHEN copied AND jaccard IS NOT NULL THEN round(jaccard, 4) END AS observed,
       CASE WHEN copied THEN
           concat_ws('；',
               CASE WHEN same_tables THEN
                   concat_ws('、', CASE WHEN has_t2 THEN '表二' END, CASE WHEN has_t3 THEN '表三' END,
                                   CASE WHEN has_t4 THEN '表四' END)
                   || '的全部' || cells || '个单元格（其中' || nonzero_cells || '个非零数字）与' || prev_year
                   || '年度报告逐格相同' END,
               CASE WHEN jaccard >= $copy_jaccard THEN
                   '正文与' || prev_year || '年度报告高度相似（字符三元组Jaccard相似度'
                   || CAST(round(jaccard, 3) AS VARCHAR) || '，阈值' || CAST($copy_jaccard AS VARCHAR) || '）' END)
           || '，疑似照搬上年度报告（雷同）'
       END AS message,
       CASE WHEN copied THEN 'fail' END AS status
FROM judged
