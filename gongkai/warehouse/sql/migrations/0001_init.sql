-- 0001_init: the audit warehouse (DESIGN §5). Applied once per warehouse file, recorded in
-- schema_migrations. The COMMENT ON statements below ARE the data dictionary: `gongkai.warehouse.describe`
-- and any SQL client (SELECT * FROM duckdb_columns()) read them back. Document each new table or column
-- once, in the migration that adds it.
--
-- Keys. PRIMARY KEY (an ART index) only where the loader looks rows up by key: reports, rules, findings,
-- runs, reviews, schema_migrations. The child tables (sections, cells, rule_results) are keyed by the
-- loader, which inserts their rows only together with a new report (or, for rule_results, only when a
-- result changed); an index on tens of millions of cells would triple load time and grow the file ~6x.
-- All timestamps are UTC (TIMESTAMP without time zone).

CREATE TABLE schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       VARCHAR NOT NULL,
    applied_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE schema_migrations IS 'Numbered schema migrations (gongkai/warehouse/migrations/NNNN_name.sql) applied to this file, one row each.';
COMMENT ON COLUMN schema_migrations.version IS 'Migration number NNNN (key).';
COMMENT ON COLUMN schema_migrations.name IS 'Migration name, from its file name.';
COMMENT ON COLUMN schema_migrations.applied_at IS 'When the migration was applied (UTC).';

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
COMMENT ON TABLE runs IS 'One row per audit run, completed or failed: the audit trail (Prefect''s own history is not kept).';
COMMENT ON COLUMN runs.run_id IS 'Run identifier (key).';
COMMENT ON COLUMN runs.flow_run_id IS 'Prefect flow run id, when the run was orchestrated by Prefect.';
COMMENT ON COLUMN runs.started_at IS 'When the run started (UTC).';
COMMENT ON COLUMN runs.finished_at IS 'When the run was committed or recorded as failed (UTC).';
COMMENT ON COLUMN runs.status IS '''completed'' (committed whole) or ''failed'' (nothing but this row was written).';
COMMENT ON COLUMN runs.harvest IS 'The harvest folder(s) the run read, as given on the command line.';
COMMENT ON COLUMN runs.files_seen IS 'Files found in the harvest.';
COMMENT ON COLUMN runs.files_new IS 'Files not audited before (by content hash), i.e. parsed in this run.';
COMMENT ON COLUMN runs.reports_parsed IS 'Reports added by this run with status ''parsed''.';
COMMENT ON COLUMN runs.reports_partial IS 'Reports added by this run with status ''partial''.';
COMMENT ON COLUMN runs.reports_failed IS 'Reports added by this run with status ''failed''.';
COMMENT ON COLUMN runs.findings_new IS 'Findings first recorded by this run.';
COMMENT ON COLUMN runs.gongkai_version IS 'gongkai package version that performed the run.';
COMMENT ON COLUMN runs.parser_version IS 'Parser version (gongkai.PARSER_VERSION) of the run.';
COMMENT ON COLUMN runs.error IS 'One-line error of a failed run; NULL otherwise.';

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
COMMENT ON TABLE reports IS 'One row per distinct input file (report version), including files that failed to parse.';
COMMENT ON COLUMN reports.report_id IS 'sha256 of the file bytes (key): the same bytes are audited once.';
COMMENT ON COLUMN reports.agency_id IS 'Agency identifier: manifest agency_id, else the agency name after NFKC with whitespace removed; NULL if unknown.';
COMMENT ON COLUMN reports.agency IS 'Agency (机关) name as printed in the report or given by the manifest.';
COMMENT ON COLUMN reports.region IS 'Region (地区) of the agency, from the manifest when known.';
COMMENT ON COLUMN reports.year IS 'Report year (年度) the report covers.';
COMMENT ON COLUMN reports.format_version IS 'National template the tables follow: ''2021'', ''2019'' or ''unknown''.';
COMMENT ON COLUMN reports.title IS 'Report title as printed (or the HTML title).';
COMMENT ON COLUMN reports.source_path IS 'Path of the file in the harvest folder.';
COMMENT ON COLUMN reports.source_url IS 'URL the file was harvested from (manifest), when known.';
COMMENT ON COLUMN reports.source_format IS 'File format: ''txt'', ''html'', ''docx'', ''pdf'' (or ''md'').';
COMMENT ON COLUMN reports.byte_size IS 'File size in bytes.';
COMMENT ON COLUMN reports.status IS '''parsed'' (structure found), ''partial'' (some of it found) or ''failed'' (see error).';
COMMENT ON COLUMN reports.error IS 'One-line reason a file failed to parse; NULL otherwise.';
COMMENT ON COLUMN reports.notes IS 'Parser notes, one per line (e.g. how a table was recognised).';
COMMENT ON COLUMN reports.has_t2 IS 'Table 二 (主动公开) was found; NULL for failed reports.';
COMMENT ON COLUMN reports.has_t3 IS 'Table 三 (依申请公开) was found; NULL for failed reports.';
COMMENT ON COLUMN reports.has_t4 IS 'Table 四 (复议诉讼) was found; NULL for failed reports.';
COMMENT ON COLUMN reports.is_current IS 'True for the newest version of an agency-year (or, without agency_id or year, of a source_path).';
COMMENT ON COLUMN reports.parser_version IS 'Parser version (gongkai.PARSER_VERSION) that produced this row.';
COMMENT ON COLUMN reports.first_run_id IS 'Run that added this report (runs.run_id).';
COMMENT ON COLUMN reports.parsed_at IS 'Start of the run that parsed the file (UTC).';

CREATE TABLE sections (
    report_id  VARCHAR NOT NULL,
    section_no TINYINT NOT NULL CHECK (section_no BETWEEN 1 AND 6),
    title      VARCHAR,
    text       VARCHAR,
    present    BOOLEAN NOT NULL
);
COMMENT ON TABLE sections IS 'The six prescribed sections 一…六 of each parsed report; key (report_id, section_no).';
COMMENT ON COLUMN sections.report_id IS 'Report (reports.report_id).';
COMMENT ON COLUMN sections.section_no IS 'Section number 1…6 (一…六).';
COMMENT ON COLUMN sections.title IS 'Section heading as printed.';
COMMENT ON COLUMN sections.text IS 'Section text, tables excluded.';
COMMENT ON COLUMN sections.present IS 'The section was found in the report.';

CREATE TABLE cells (
    report_id VARCHAR NOT NULL,
    table_id  VARCHAR NOT NULL,
    row_key   VARCHAR NOT NULL,
    col_key   VARCHAR NOT NULL,
    value     DOUBLE,
    raw       VARCHAR,
    semantic  VARCHAR NOT NULL CHECK (semantic IN ('number', 'blank', 'dash', 'text'))
);
COMMENT ON TABLE cells IS 'Canonical table cells of each parsed report (spec/cells_2021.csv keys); key (report_id, table_id, row_key, col_key).';
COMMENT ON COLUMN cells.report_id IS 'Report (reports.report_id).';
COMMENT ON COLUMN cells.table_id IS 'Table: ''t2'' (表二), ''t3'' (表三), ''t4'' (表四).';
COMMENT ON COLUMN cells.row_key IS 'Canonical row key of the national template (2019-only rows: prefix y2019_).';
COMMENT ON COLUMN cells.col_key IS 'Canonical column key of the national template.';
COMMENT ON COLUMN cells.value IS 'Normalised number; set only when semantic = ''number''. Blank is never zero.';
COMMENT ON COLUMN cells.raw IS 'Text as printed; NULL when nothing was printed.';
COMMENT ON COLUMN cells.semantic IS '''number'', ''blank'' (nothing printed), ''dash'' (—, -, /, 无 …) or ''text''.';

CREATE TABLE rules (
    rule_id     VARCHAR PRIMARY KEY,
    family      VARCHAR NOT NULL,
    severity    VARCHAR NOT NULL CHECK (severity IN ('error', 'warning')),
    engine      VARCHAR CHECK (engine IN ('pandera', 'gx', 'sql', 'parser')),
    title_zh    VARCHAR,
    title_en    VARCHAR,
    description VARCHAR
);
COMMENT ON TABLE rules IS 'The audit rules (DESIGN §6), refreshed from gongkai/data/rules.csv on every run.';
COMMENT ON COLUMN rules.rule_id IS 'Rule identifier, e.g. T3_BALANCE (key).';
COMMENT ON COLUMN rules.family IS 'parse, format, completeness, balance, cross_year, text_table or plausibility.';
COMMENT ON COLUMN rules.severity IS '''error'' or ''warning''.';
COMMENT ON COLUMN rules.engine IS 'What evaluates the rule: ''pandera'', ''gx'', ''sql'' or ''parser''.';
COMMENT ON COLUMN rules.title_zh IS 'Short title in Chinese.';
COMMENT ON COLUMN rules.title_en IS 'Short title in English.';
COMMENT ON COLUMN rules.description IS 'What the rule checks, in English.';

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
COMMENT ON TABLE findings IS 'One row per rule violation (or not-assessable identity) found in a report; kept from the first run that found it.';
COMMENT ON COLUMN findings.finding_id IS 'Stable hash of report_id, rule_id, table_id, row_key, col_key (key): a re-run finds the same id.';
COMMENT ON COLUMN findings.run_id IS 'First run that recorded the finding (runs.run_id).';
COMMENT ON COLUMN findings.report_id IS 'Report (reports.report_id).';
COMMENT ON COLUMN findings.agency_id IS 'Agency id of the report (copied from reports).';
COMMENT ON COLUMN findings.agency IS 'Agency name of the report (copied from reports).';
COMMENT ON COLUMN findings.year IS 'Year of the report (copied from reports).';
COMMENT ON COLUMN findings.rule_id IS 'Rule violated (rules.rule_id).';
COMMENT ON COLUMN findings.family IS 'Rule family (copied from the rule).';
COMMENT ON COLUMN findings.severity IS 'Rule severity: ''error'' or ''warning''.';
COMMENT ON COLUMN findings.table_id IS 'Table concerned (t2, t3, t4), if any.';
COMMENT ON COLUMN findings.row_key IS 'Row concerned (or section number for SECTION_MISSING), if any.';
COMMENT ON COLUMN findings.col_key IS 'Column concerned, if any.';
COMMENT ON COLUMN findings.expected IS 'Expected number (e.g. the sum the identity requires); NULL when the rule has none.';
COMMENT ON COLUMN findings.observed IS 'Observed number (e.g. the printed total); NULL when the rule has none.';
COMMENT ON COLUMN findings.message IS 'Explanation in Chinese for the inspector.';
COMMENT ON COLUMN findings.status IS '''fail'' (rule violated) or ''not_assessable'' (an operand was blank, so pass/fail cannot be decided).';

CREATE TABLE rule_results (
    run_id         VARCHAR NOT NULL,
    report_id      VARCHAR NOT NULL,
    rule_id        VARCHAR NOT NULL,
    evaluated      INTEGER NOT NULL,
    failed         INTEGER NOT NULL,
    not_assessable INTEGER NOT NULL
);
COMMENT ON TABLE rule_results IS 'How often each rule was evaluated on each report; key (run_id, report_id, rule_id). A row is added when a (report, rule) result is new or changed, so the latest row per (report_id, rule_id) is the current result. Distinguishes checked-and-clean from not checked.';
COMMENT ON COLUMN rule_results.run_id IS 'Run that recorded the result (runs.run_id).';
COMMENT ON COLUMN rule_results.report_id IS 'Report (reports.report_id).';
COMMENT ON COLUMN rule_results.rule_id IS 'Rule (rules.rule_id).';
COMMENT ON COLUMN rule_results.evaluated IS 'Number of instances (cells, rows, columns…) the rule was evaluated on.';
COMMENT ON COLUMN rule_results.failed IS 'Number of instances that failed.';
COMMENT ON COLUMN rule_results.not_assessable IS 'Number of instances that could not be decided (blank operand).';

CREATE TABLE reviews (
    finding_id VARCHAR PRIMARY KEY,
    decision   VARCHAR NOT NULL CHECK (decision IN ('confirmed', 'dismissed')),
    note       VARCHAR,
    reviewer   VARCHAR,
    decided_at TIMESTAMP
);
COMMENT ON TABLE reviews IS 'Inspectors'' decisions on findings; never written or reset by an audit run.';
COMMENT ON COLUMN reviews.finding_id IS 'Finding reviewed (findings.finding_id, key).';
COMMENT ON COLUMN reviews.decision IS '''confirmed'' or ''dismissed''.';
COMMENT ON COLUMN reviews.note IS 'Reviewer''s note.';
COMMENT ON COLUMN reviews.reviewer IS 'Who decided.';
COMMENT ON COLUMN reviews.decided_at IS 'When the decision was made (UTC).';
