-- 0003_panel_rules: what the panel rules need (gongkai/warehouse/sql/rules/: XY_CARRY_OVER, XY_T2_STOCK,
-- XY_COPY, TEXT_TABLE, YEAR_MISMATCH): the numbers each report's narrative states, per-report fingerprints
-- for the copy check, and the resolution of cross-year findings that a later run no longer produces
-- (e.g. the previous year's report was replaced by a corrected version); the views (sql/views/) hide
-- resolved findings.
-- Views and comments are not in migrations: each view is one file in sql/views/ and the data dictionary
-- is sql/dictionary/comments.sql, both re-applied on every publish. (Until 2026-12-04 this migration
-- also created or restated views and comments; they were removed here, as re-applying them on
-- publish gives the same warehouse.)

ALTER TABLE findings ADD COLUMN resolved_run_id VARCHAR;

ALTER TABLE runs ADD COLUMN findings_resolved INTEGER;

CREATE TABLE statements (
    report_id VARCHAR NOT NULL,
    seq       INTEGER NOT NULL,
    fact      VARCHAR NOT NULL,
    value     DOUBLE NOT NULL,
    sentence  VARCHAR
);

CREATE TABLE panel_inputs (
    report_id     VARCHAR PRIMARY KEY,
    cells         INTEGER NOT NULL,
    nonzero_cells INTEGER NOT NULL,
    cells_digest  VARCHAR,
    text_chars    INTEGER NOT NULL,
    text_grams    INTEGER NOT NULL,
    text_sketch   UINTEGER[] NOT NULL,
    panel_cells   STRUCT(k UTINYINT, value DOUBLE, semantic VARCHAR, raw VARCHAR)[] NOT NULL
);
