"""XY_CARRY_OVER and XY_T2_STOCK over panel_pairs/panel_cells (rules described in the package docstring)."""

from __future__ import annotations

from gongkai.warehouse.panel.common import T2_STOCK_ROWS, TOL, labels_sql, q


# The per-year CTEs below are MATERIALIZED: inlined, the optimizer may join this year's and last year's
# cells on col_key alone (billions of rows) before restricting them to the pair.
def carry_over(con) -> None:
    con.execute(f"""
        INSERT INTO panel_out
        WITH pairs AS (
            SELECT report_id, prev_id, prev_year
            FROM panel_pairs
            WHERE prev_id IS NOT NULL AND has_t3 AND prev_has_t3
        ),
        this_year AS MATERIALIZED (              -- 二、上年结转 of year Y
            SELECT p.report_id, p.prev_id, p.prev_year, c.col_key, c.value, c.semantic, c.raw
            FROM pairs AS p
            JOIN panel_cells AS c ON c.report_id = p.report_id
            WHERE c.table_id = 't3' AND c.row_key = 'carried_over'
        ),
        last_year AS MATERIALIZED (              -- 四、结转下年度继续办理 of year Y−1
            SELECT p.report_id, c.col_key, c.value, c.semantic, c.raw
            FROM pairs AS p
            JOIN panel_cells AS c ON c.report_id = p.prev_id
            WHERE c.table_id = 't3' AND c.row_key = 'carried_forward'
        ),
        compared AS (
            SELECT t.report_id, t.prev_year, t.col_key, l.value AS expected, t.value AS observed,
                   t.semantic AS this_semantic, t.raw AS this_raw, l.semantic AS last_semantic, l.raw AS last_raw,
                   CASE WHEN t.value IS NULL OR l.value IS NULL THEN 'not_assessable'
                        WHEN abs(t.value - l.value) > {TOL} THEN 'fail' END AS status
            FROM this_year AS t
            JOIN last_year AS l ON l.report_id = t.report_id AND l.col_key = t.col_key
        )
        SELECT c.report_id, 'XY_CARRY_OVER', 't3', 'carried_over', c.col_key,
               CASE WHEN c.status = 'fail' THEN c.expected END,
               CASE WHEN c.status = 'fail' THEN c.observed END,
               CASE WHEN c.status = 'fail' THEN
                   '表三「' || lb.label || '」列：本年「二、上年结转」为' || gk_num(c.observed) || '，但'
                   || c.prev_year || '年度报告「四、结转下年度继续办理」为' || gk_num(c.expected)
                   || '（上年结转应等于上一年度的结转下年度继续办理）'
               WHEN c.status = 'not_assessable' THEN
                   '表三「' || lb.label || '」列：本年「二、上年结转」' || gk_state(c.this_semantic, c.this_raw, c.observed) || '，'
                   || c.prev_year || '年度报告「四、结转下年度继续办理」' || gk_state(c.last_semantic, c.last_raw, c.expected)
                   || '，无法核对上年结转与上一年度结转下年度是否一致'
               END,
               c.status
        FROM compared AS c
        LEFT JOIN {labels_sql()} ON lb.table_id = 't3' AND lb.key = c.col_key""")


def t2_stock(con) -> None:
    rows = ", ".join(q(r) for r in T2_STOCK_ROWS)
    con.execute(f"""
        INSERT INTO panel_out
        WITH pairs AS (
            SELECT report_id, prev_id, prev_year
            FROM panel_pairs
            WHERE prev_id IS NOT NULL AND has_t2 AND prev_has_t2 AND format_version = '2021' AND prev_format = '2021'
        ),
        this_year AS MATERIALIZED (              -- 本年制发, 本年废止, 现行有效 of year Y
            SELECT p.report_id, p.prev_year, c.row_key,
                   any_value(c.value) FILTER (WHERE c.col_key = 'issued')      AS issued,
                   any_value(c.value) FILTER (WHERE c.col_key = 'repealed')    AS repealed,
                   any_value(c.value) FILTER (WHERE c.col_key = 'in_force')    AS in_force,
                   string_agg(CASE c.col_key WHEN 'issued' THEN '本年制发件数' WHEN 'repealed' THEN '本年废止件数'
                                             ELSE '现行有效件数' END || gk_state(c.semantic, c.raw, c.value), '、')
                       FILTER (WHERE c.value IS NULL)                           AS unusable
            FROM pairs AS p
            JOIN panel_cells AS c ON c.report_id = p.report_id
            WHERE c.table_id = 't2' AND c.row_key IN ({rows}) AND c.col_key IN ('issued', 'repealed', 'in_force')
            GROUP BY ALL
        ),
        last_year AS MATERIALIZED (              -- 现行有效 of year Y−1
            SELECT p.report_id, c.row_key, c.value AS in_force, c.semantic, c.raw
            FROM pairs AS p
            JOIN panel_cells AS c ON c.report_id = p.prev_id
            WHERE c.table_id = 't2' AND c.row_key IN ({rows}) AND c.col_key = 'in_force'
        ),
        compared AS (
            SELECT t.*, l.in_force AS last_in_force, l.semantic AS last_semantic, l.raw AS last_raw,
                   l.in_force + t.issued - t.repealed AS expected,
                   CASE WHEN t.issued IS NULL OR t.repealed IS NULL OR t.in_force IS NULL OR l.in_force IS NULL
                        THEN 'not_assessable'
                        WHEN abs(l.in_force + t.issued - t.repealed - t.in_force) > {TOL} THEN 'fail' END AS status
            FROM this_year AS t
            JOIN last_year AS l ON l.report_id = t.report_id AND l.row_key = t.row_key
        )
        SELECT c.report_id, 'XY_T2_STOCK', 't2', c.row_key, 'in_force',
               CASE WHEN c.status = 'fail' THEN c.expected END,
               CASE WHEN c.status = 'fail' THEN c.in_force END,
               CASE WHEN c.status = 'fail' THEN
                   '表二「' || lb.label || '」现行有效件数为' || gk_num(c.in_force) || '，但按' || c.prev_year
                   || '年度现行有效件数(' || gk_num(c.last_in_force) || ')+本年制发件数(' || gk_num(c.issued)
                   || ')−本年废止件数(' || gk_num(c.repealed) || ')应为' || gk_num(c.expected)
               WHEN c.status = 'not_assessable' THEN
                   '表二「' || lb.label || '」：' || concat_ws('、', c.unusable,
                       CASE WHEN c.last_in_force IS NULL THEN c.prev_year || '年度现行有效件数'
                            || gk_state(c.last_semantic, c.last_raw, c.last_in_force) END)
                   || '，无法核对现行有效件数=上年现行有效+本年制发−本年废止'
               END,
               c.status
        FROM compared AS c
        LEFT JOIN {labels_sql()} ON lb.table_id = 't2' AND lb.key = c.row_key""")


