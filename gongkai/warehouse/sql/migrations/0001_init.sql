-- 0001_init: the audit warehouse (DESIGN §5). Applied once per warehouse file, recorded in
-- schema_migrations. The data dictionary (COMMENT ON every table and column) is
-- sql/dictionary/comments.sql, re-applied on every publish; `gongkai.warehouse.describe` and any SQL client
-- (SELECT * FROM duckdb_columns()) read it back.
--
-- Keys. PRIMARY KEY (an ART index) only where the loader looks rows up by key: reports, rules, findings,
-- runs, reviews, schema_migrations. The child tables (sections, cells, rule_results) are keyed by the
-- loader, which inserts their rows only together with a new report (or, for rule_results, only when a
-- result changed); an index on tens of millions of cells would triple load time and grow the file ~6x.
-- All timestamps are UTC (TIMESTAMP without time zone).
-- Views and comments are not in migrations: each view is one file in sql/views/ and the data dictionary
-- is sql/dictionary/comments.sql, both re-applied on every publish. (Until 2026-12-04 this migration
-- also created or restated views and comments; they were removed here, as re-applying them on
-- publish gives the same warehouse.)

CREATE TABLE schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       VARCHAR NOT NULL,
    applied_at TIMESTAMP NOT NULL
);

CREATE TABLE runs (
    run_id          VARCHAR PRIMARY KEY,
    flow_run_id     VARCHAR,
    started_at      TIMESTAMP NOT NULL,
    finished_at     TIMESTAMP,
    status          VARCHAR NOT NULL CHECK (status IN ('completed', 'failed')),
    harvest         VARCHAR,
    files_seen      INTEGER,
    files_new       INTEGER,
    reports_parsed  INTEGER,
    reports_partial INTEGER,
    reports_failed  INTEGER,
    findings_new    INTEGER,
    gongkai_version VARCHAR,
    parser_version  VARCHAR,
    error           VARCHAR
);

CREATE TABLE reports (
    report_id      VARCHAR PRIMARY KEY,
    agency_id      VARCHAR,
    agency         VARCHAR,
    region         VARCHAR,
    year           INTEGER,
    format_version VARCHAR CHECK (format_version IN ('2021', '2019', 'unknown')),
    title          VARCHAR,
    source_path    VARCHAR,
    source_url     VARCHAR,
    source_format  VARCHAR,
    byte_size      BIGINT,
    status         VARCHAR NOT NULL CHECK (status IN ('parsed', 'partial', 'failed')),
    error          VARCHAR,
    notes          VARCHAR,
    has_t2         BOOLEAN,
    has_t3         BOOLEAN,
    has_t4         BOOLEAN,
    is_current     BOOLEAN NOT NULL,
    parser_version VARCHAR,
    first_run_id   VARCHAR NOT NULL,
    parsed_at      TIMESTAMP
);

CREATE TABLE sections (
    report_id  VARCHAR NOT NULL,
    section_no TINYINT NOT NULL CHECK (section_no BETWEEN 1 AND 6),
    title      VARCHAR,
    text       VARCHAR,
    present    BOOLEAN NOT NULL
);

CREATE TABLE cells (
    report_id VARCHAR NOT NULL,
    table_id  VARCHAR NOT NULL,
    row_key   VARCHAR NOT NULL,
    col_key   VARCHAR NOT NULL,
    value     DOUBLE,
    raw       VARCHAR,
    semantic  VARCHAR NOT NULL CHECK (semantic IN ('number', 'blank', 'dash', 'text'))
);

CREATE TABLE rules (
    rule_id     VARCHAR PRIMARY KEY,
    family      VARCHAR NOT NULL,
    severity    VARCHAR NOT NULL CHECK (severity IN ('error', 'warning')),
    engine      VARCHAR CHECK (engine IN ('pandera', 'gx', 'sql', 'parser')),
    title_zh    VARCHAR,
    title_en    VARCHAR,
    description VARCHAR
);

CREATE TABLE findings (
    finding_id VARCHAR PRIMARY KEY,
    run_id     VARCHAR NOT NULL,
    report_id  VARCHAR NOT NULL,
    agency_id  VARCHAR,
    agency     VARCHAR,
    year       INTEGER,
    rule_id    VARCHAR NOT NULL,
    family     VARCHAR,
    severity   VARCHAR,
    table_id   VARCHAR,
    row_key    VARCHAR,
    col_key    VARCHAR,
    expected   DOUBLE,
    observed   DOUBLE,
    message    VARCHAR,
    status     VARCHAR NOT NULL CHECK (status IN ('fail', 'not_assessable'))
);

CREATE TABLE rule_results (
    run_id         VARCHAR NOT NULL,
    report_id      VARCHAR NOT NULL,
    rule_id        VARCHAR NOT NULL,
    evaluated      INTEGER NOT NULL,
    failed         INTEGER NOT NULL,
    not_assessable INTEGER NOT NULL
);

CREATE TABLE reviews (
    finding_id VARCHAR PRIMARY KEY,
    decision   VARCHAR NOT NULL CHECK (decision IN ('confirmed', 'dismissed')),
    note       VARCHAR,
    reviewer   VARCHAR,
    decided_at TIMESTAMP
);
