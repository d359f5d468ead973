-- 0009_run_states: a run is recorded when it starts, so a crash leaves a trace (issue 11).
--
-- runs.status gains 'running' (written, in its own publication, when a run starts) and 'crashed' (a run
-- whose process died: the next run finds its run folder unowned and marks its 'running' row crashed).
-- DuckDB cannot drop a CHECK, so the table is rebuilt with the same columns in the same order.
-- Comments and views are re-applied on every publish (sql/dictionary/, sql/views/), not here.

CREATE TABLE runs_0009 (
    run_id            VARCHAR PRIMARY KEY,
    flow_run_id       VARCHAR,
    started_at        TIMESTAMP NOT NULL,
    finished_at       TIMESTAMP,
    status            VARCHAR NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'crashed')),
    harvest           VARCHAR,
    files_seen        INTEGER,
    files_new         INTEGER,
    reports_parsed    INTEGER,
    reports_partial   INTEGER,
    reports_failed    INTEGER,
    findings_new      INTEGER,
    gongkai_version   VARCHAR,
    parser_version    VARCHAR,
    error             VARCHAR,
    findings_resolved INTEGER
);
INSERT INTO runs_0009 BY NAME SELECT * FROM runs;
DROP TABLE runs;
ALTER TABLE runs_0009 RENAME TO runs;
