-- panel_cells: the cross-year operands of every pair, unnested from panel_inputs.panel_cells — of the
-- report under check the operands it is checked on (lookup_operands.this_year), of the previous year's
-- report those it is compared with (lookup_operands.last_year).
WITH wanted AS (
    SELECT p.report_id, o.key
    FROM panel_pairs AS p, lookup_operands AS o
    WHERE p.prev_id IS NOT NULL AND o.this_year
    UNION                   -- a report can be both (the previous year of one pair, checked in another)
    SELECT p.prev_id, o.key
    FROM panel_pairs AS p, lookup_operands AS o
    WHERE p.prev_id IS NOT NULL AND o.last_year
),
per_report AS (
    SELECT report_id, list(key) AS keys
    FROM wanted
    GROUP BY report_id
),
unnested AS (
    SELECT i.report_id, unnest(list_filter(i.panel_cells, lambda x: list_contains(w.keys, x.key)), recursive := true)
    FROM panel_inputs AS i
    JOIN per_report AS w ON w.report_id = i.report_id
)
SELECT u.report_id, o.table_id, o.row_key, o.col_key, u.value, u.semantic, u.raw
FROM unnested AS u
JOIN lookup_operands AS o ON o.key = u.key
