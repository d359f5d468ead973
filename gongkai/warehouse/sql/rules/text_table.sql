-- rule_id: TEXT_TABLE
-- family: text_table
-- severity: warning
-- engine: sql
-- responsibility: source
-- title_zh: 正文数字与表格不一致
-- title_en: Number in the text contradicts the table
-- description: A number stated in sections 一 or 六 (received, carried over, processed, carried forward, granted, review and litigation counts, incl. 未收到…申请 / 未发生…行政复议 as zero) differs from the table; the finding quotes the sentence.
--
-- Each count the narrative of a new report states (statements, gongkai.report.statements.FACTS) vs its
-- table cell(s) (lookup_facts: one row per operand; compound facts sum cells and are found at row_key or
-- col_key 'a+b'); expected = the table value, observed = the stated one, in 件; the message quotes the
-- sentence. One instance per compared cell: a fail if any sentence contradicts it (the first one is
-- quoted), else not_assessable if a cell is not a number, else a pass. The table missing → not evaluated.

WITH stated AS (                             -- import: counts stated by the new reports (not the year)
    SELECT s.report_id, s.seq, s.fact, s.value, s.sentence
    FROM statements AS s
    JOIN panel_text AS t ON t.report_id = s.report_id
    WHERE s.fact <> $year_fact
),
fact_cells AS (
    SELECT DISTINCT table_id, op_row, op_col FROM lookup_facts
),
table_cells AS MATERIALIZED (                -- import: the new reports' cells, from the batch (no scan of cells)
    SELECT DISTINCT c.report_id, c.table_id, c.row_key, c.col_key, CAST(c.value AS DOUBLE) AS value,
           c.semantic, c.raw
    FROM in_cells AS c
    JOIN fact_cells AS k ON k.table_id = c.table_id AND k.op_row = c.row_key AND k.op_col = c.col_key
    WHERE c.report_id IN (SELECT report_id FROM panel_text)
),
operands AS (                                -- logic: each statement's operand cells
    SELECT st.*, f.table_id, f.row_key, f.col_key, f.zh, f.cell,
           c.value AS cell_value, c.semantic, c.raw, f.op_row
    FROM stated AS st
    JOIN lookup_facts AS f ON f.fact = st.fact
    JOIN reports AS r ON r.report_id = st.report_id
    LEFT JOIN table_cells AS c ON c.report_id = st.report_id AND c.table_id = f.table_id
                              AND c.row_key = f.op_row AND c.col_key = f.op_col
    WHERE CASE f.table_id WHEN 't3' THEN r.has_t3 WHEN 't4' THEN r.has_t4 ELSE false END
),
per_statement AS (
    SELECT report_id, seq, any_value(fact) AS fact, any_value(value) AS value,
           any_value(sentence) AS sentence, any_value(table_id) AS table_id, any_value(row_key) AS row_key,
           any_value(col_key) AS col_key, any_value(zh) AS zh, any_value(cell) AS cell,
           count(cell_value) = count(*) AS assessable,
           sum(cell_value) AS table_value,
           string_agg(gk_state(semantic, raw, cell_value), '、' ORDER BY op_row)
               FILTER (WHERE cell_value IS NULL) AS unusable
    FROM operands
    GROUP BY report_id, seq
),
judged AS (
    SELECT *, CASE WHEN NOT assessable THEN 'not_assessable'
                   WHEN abs(table_value - value) > $tol THEN 'fail' END AS status
    FROM per_statement
),
per_cell AS (                                -- one instance per compared cell: the first contradiction, else the first n/a
    SELECT report_id, table_id, row_key, col_key,
           arg_min(struct_pack(status, value, table_value, sentence, zh, cell, unusable),
                   CASE status WHEN 'fail' THEN 0 WHEN 'not_assessable' THEN 1 ELSE 2 END * 1000000 + seq) AS s
    FROM judged
    GROUP BY report_id, table_id, row_key, col_key
),
chosen AS (
    SELECT report_id, table_id, row_key, col_key, unnest(s)
    FROM per_cell
)
SELECT report_id, table_id, row_key, col_key,   -- final
       CASE WHEN status = 'fail' THEN table_value END AS expected,
       CASE WHEN status = 'fail' THEN value END AS observed,
       CASE WHEN status = 'fail' THEN
           '正文称' || gk_quote(sentence) || '，' || zh || '为' || gk_num(value) || '件，但' || cell
           || '为' || gk_num(table_value)
       WHEN status = 'not_assessable' THEN
           '正文称' || gk_quote(sentence) || '，' || zh || '为' || gk_num(value) || '件，但' || cell
           || unusable || '，无法核对'
       END AS message,
       status
FROM chosen
