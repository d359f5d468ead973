"""TEXT_TABLE and YEAR_MISMATCH: numbers stated in the narrative (statements) vs the tables and the filed year."""

from __future__ import annotations

from gongkai.report.statements import YEAR_FACT
from gongkai.warehouse.panel.common import TOL, facts_sql, q
from gongkai.warehouse.panel.inputs import fact_cell_filter


def text_table(con, new_cells: str) -> None:
    con.execute(f"""
        INSERT INTO panel_out
        WITH stated AS (            -- counts stated by new reports whose table is present
            SELECT s.report_id, s.seq, s.fact, s.value, s.sentence
            FROM statements AS s
            JOIN panel_text AS t ON t.report_id = s.report_id
            WHERE s.fact <> {q(YEAR_FACT)}
        ),
        table_cells AS MATERIALIZED (   -- the new reports' cells, from the batch (no scan of the warehouse)
            SELECT DISTINCT c.report_id, c.table_id, c.row_key, c.col_key, CAST(c.value AS DOUBLE) AS value,
                   c.semantic, c.raw
            FROM {new_cells} AS c
            WHERE {fact_cell_filter('c')} AND c.report_id IN (SELECT report_id FROM panel_text)
        ),
        operands AS (
            SELECT st.*, facts.table_id, facts.row_key, facts.col_key, facts.zh, facts.cell,
                   c.value AS cell_value, c.semantic, c.raw, facts.op_row
            FROM stated AS st
            JOIN {facts_sql()} ON facts.fact = st.fact
            JOIN reports AS r ON r.report_id = st.report_id
            LEFT JOIN table_cells AS c ON c.report_id = st.report_id AND c.table_id = facts.table_id
                                      AND c.row_key = facts.op_row AND c.col_key = facts.op_col
            WHERE CASE facts.table_id WHEN 't3' THEN r.has_t3 WHEN 't4' THEN r.has_t4 ELSE false END
        ),
        per_statement AS (
            SELECT report_id, seq, any_value(fact) AS fact, any_value(value) AS value,
                   any_value(sentence) AS sentence, any_value(table_id) AS table_id, any_value(row_key) AS row_key,
                   any_value(col_key) AS col_key, any_value(zh) AS zh, any_value(cell) AS cell,
                   count(cell_value) = count(*) AS assessable,
                   sum(cell_value) AS table_value,
                   string_agg(gk_state(semantic, raw, cell_value), '、' ORDER BY op_row) FILTER (WHERE cell_value IS NULL) AS unusable
            FROM operands
            GROUP BY report_id, seq
        ),
        judged AS (
            SELECT *, CASE WHEN NOT assessable THEN 'not_assessable'
                           WHEN abs(table_value - value) > {TOL} THEN 'fail' END AS status
            FROM per_statement
        ),
        per_cell AS (               -- one instance per compared cell: the first contradiction, else the first n/a
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
        SELECT report_id, 'TEXT_TABLE', table_id, row_key, col_key,
               CASE WHEN status = 'fail' THEN table_value END,
               CASE WHEN status = 'fail' THEN value END,
               CASE WHEN status = 'fail' THEN
                   '正文称' || gk_quote(sentence) || '，' || zh || '为' || gk_num(value) || '件，但' || cell
                   || '为' || gk_num(table_value)
               WHEN status = 'not_assessable' THEN
                   '正文称' || gk_quote(sentence) || '，' || zh || '为' || gk_num(value) || '件，但' || cell
                   || unusable || '，无法核对'
               END,
               status
        FROM chosen""")


def year_mismatch(con) -> None:
    con.execute(f"""
        INSERT INTO panel_out
        WITH text_year AS (
            SELECT s.report_id, s.value AS year, s.sentence
            FROM statements AS s
            JOIN panel_text AS t ON t.report_id = s.report_id
            WHERE s.fact = {q(YEAR_FACT)}
            QUALIFY row_number() OVER (PARTITION BY s.report_id ORDER BY s.seq) = 1
        )
        SELECT r.report_id, 'YEAR_MISMATCH', NULL, NULL, NULL,
               CASE WHEN ty.year <> r.year THEN r.year END,
               CASE WHEN ty.year <> r.year THEN ty.year END,
               CASE WHEN ty.year <> r.year THEN
                   '报告归属年度为' || r.year || '年（标题或清单），但正文所述为' || gk_num(ty.year) || '年的情况：'
                   || gk_quote(ty.sentence) END,
               CASE WHEN ty.year <> r.year THEN 'fail' END
        FROM text_year AS ty
        JOIN reports AS r ON r.report_id = ty.report_id
        WHERE r.year IS NOT NULL""")


