-- 0007_unread_cells: a cell the parser could not read is `unread`, not `blank` (DESIGN §4–§6), and every
-- rule carries a responsibility ('parser' for the parse family, 'source' otherwise).
--
-- 1. rules.responsibility, backfilled from the family (the next run's catalogue upsert rewrites it).
-- 2. cells.semantic accepts 'unread' (the CHECK of 0001 is replaced: DuckDB cannot drop a CHECK, so the
--    table is rebuilt with the same columns).
-- 3. Before this migration the parser stored a cell it could not read as `blank` with raw NULL and marked
--    the report `partial`; a cell found and printed empty has raw '' (never NULL). So in a `partial`
--    report every `blank` cell with raw NULL becomes `unread` — except the unprinted 表三 sub-rows of （六）
--    of a report of the mixed layout (other_no_correction, other_no_fee, other_other), which stay blank. A
--    `blank` cell with raw NULL in a `parsed` report is left as it is.
-- 4. The CELL_BLANK findings at those cells are resolved (resolved_run_id = 'migration:0007'; kept in
--    findings, hidden from findings_current and the scorecards), and a CELL_UNREAD finding is recorded at
--    each (same run_id as the CELL_BLANK it replaces; finding_id by the formula of gongkai.findings).
-- 5. The copies of those cells in panel_inputs.panel_cells (the cross-year rules' operands) follow.
-- Comments and views are re-applied on every publish (sql/dictionary/, sql/views/), not here.

ALTER TABLE rules ADD COLUMN responsibility VARCHAR;
UPDATE rules SET responsibility = CASE WHEN family = 'parse' THEN 'parser' ELSE 'source' END;

CREATE TABLE cells_0007 (
    report_id VARCHAR NOT NULL,
    table_id  VARCHAR NOT NULL,
    row_key   VARCHAR NOT NULL,
    col_key   VARCHAR NOT NULL,
    value     DOUBLE,
    raw       VARCHAR,
    semantic  VARCHAR NOT NULL CHECK (semantic IN ('number', 'blank', 'dash', 'text', 'unread'))
);
INSERT INTO cells_0007
SELECT c.report_id, c.table_id, c.row_key, c.col_key, c.value, c.raw,
       CASE WHEN c.semantic = 'blank' AND c.raw IS NULL AND r.status = 'partial'
                 AND NOT (coalesce(r.layout, '') = 'mixed' AND c.table_id = 't3'
                          AND c.row_key IN ('other_no_correction', 'other_no_fee', 'other_other'))
            THEN 'unread' ELSE c.semantic END
FROM cells AS c
LEFT JOIN reports AS r ON r.report_id = c.report_id;
DROP TABLE cells;
ALTER TABLE cells_0007 RENAME TO cells;

CREATE TEMP TABLE unread_0007 AS
SELECT report_id, table_id, row_key, col_key FROM cells WHERE semantic = 'unread';

INSERT INTO findings BY NAME
SELECT substr(sha256(concat_ws(chr(31), f.report_id, 'CELL_UNREAD', f.table_id, f.row_key, f.col_key)), 1, 16)
           AS finding_id,
       f.run_id, f.report_id, f.agency_id, f.agency, f.year, 'CELL_UNREAD' AS rule_id, 'parse' AS family,
       'warning' AS severity, f.table_id, f.row_key, f.col_key, NULL AS expected, NULL AS observed,
       regexp_replace(f.message, '为空白$', '') || '未能识别（解析程序未能读取该单元格，属本系统识别问题，不是报告单位的问题）'
           AS message,
       'fail' AS status
FROM findings AS f
JOIN unread_0007 AS u
  ON u.report_id = f.report_id AND u.table_id = f.table_id AND u.row_key = f.row_key AND u.col_key = f.col_key
WHERE f.rule_id = 'CELL_BLANK'
ON CONFLICT DO NOTHING;

UPDATE findings AS f SET resolved_run_id = 'migration:0007'
FROM unread_0007 AS u
WHERE f.rule_id = 'CELL_BLANK' AND f.resolved_run_id IS NULL
  AND u.report_id = f.report_id AND u.table_id = f.table_id AND u.row_key = f.row_key AND u.col_key = f.col_key;

UPDATE panel_inputs AS p
SET panel_cells = list_transform(p.panel_cells, lambda x: struct_pack(
        key := x.key, value := x.value,
        semantic := CASE WHEN x.semantic = 'blank' AND list_contains(k.keys, x.key) THEN 'unread' ELSE x.semantic END,
        raw := x.raw))
FROM (SELECT report_id, list(table_id || '.' || row_key || '.' || col_key) AS keys
      FROM unread_0007 GROUP BY report_id) AS k
WHERE k.report_id = p.report_id;

DROP TABLE unread_0007;
