-- The panel_inputs rows of the reports in panel_inputs_fp (fingerprints, gongkai.report.fingerprints)
-- that are loaded and have none yet: the fingerprints and the report's cross-year operands, taken from
-- panel_inputs_cells (the batch's cells, or the cells table when recomputing), named by key; digest_version
-- = the definition of cells_digest ($digest_version, gongkai.report.fingerprints.DIGEST_VERSION).
WITH wanted AS (
    SELECT i.report_id, i.cells, i.nonzero_cells, i.cells_digest, i.text_chars, i.text_grams, i.text_sketch
    FROM panel_inputs_fp AS i
    WHERE i.report_id IN (SELECT report_id FROM reports)
      AND NOT EXISTS (SELECT 1 FROM panel_inputs AS x WHERE x.report_id = i.report_id)
    QUALIFY row_number() OVER (PARTITION BY i.report_id) = 1
),
picked AS (
    SELECT DISTINCT c.report_id, o.key, CAST(c.value AS DOUBLE) AS value, c.semantic,
           CASE WHEN c.semantic IN ('dash', 'text') THEN c.raw END AS raw
    FROM panel_inputs_cells AS c
    JOIN lookup_operands AS o ON o.table_id = c.table_id AND o.row_key = c.row_key AND o.col_key = c.col_key
    WHERE c.report_id IN (SELECT report_id FROM wanted)
),
per_report AS (
    SELECT report_id,
           list(struct_pack(key := key, value := value, semantic := semantic, raw := raw) ORDER BY key)
               AS panel_cells
    FROM picked
    GROUP BY report_id
)
SELECT w.report_id, w.cells, w.nonzero_cells, w.cells_digest, w.text_chars, w.text_grams,
       CAST(w.text_sketch AS UINTEGER[]) AS text_sketch, coalesce(p.panel_cells, []) AS panel_cells,
       (SELECT list(key ORDER BY key) FROM lookup_operands) AS panel_keys,
       CAST($digest_version AS INTEGER) AS digest_version
FROM wanted AS w
LEFT JOIN per_report AS p ON p.report_id = w.report_id
