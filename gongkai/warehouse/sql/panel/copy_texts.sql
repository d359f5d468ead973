-- The narratives (sections in order) of the text-copy candidates of panel_copy and of their previous
-- year's reports, one row per candidate: report_id, its texts, the previous year's texts.
WITH cand AS (
    SELECT report_id, prev_id FROM panel_copy WHERE text_candidate
),
texts AS (
    SELECT s.report_id, list(s.text ORDER BY s.section_no) AS texts
    FROM sections AS s
    WHERE s.report_id IN (SELECT report_id FROM cand UNION SELECT prev_id FROM cand)
      AND s.present AND s.text IS NOT NULL
    GROUP BY s.report_id
)
SELECT k.report_id, a.texts, b.texts
FROM cand AS k
JOIN texts AS a ON a.report_id = k.report_id
JOIN texts AS b ON b.report_id = k.prev_id
