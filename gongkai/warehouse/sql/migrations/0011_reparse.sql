-- 0011_reparse: the evidence kept, and re-parsing (issue 10 item 6).
--
-- reports.reparsed_at: when the report was last re-parsed from the archived bytes (NULL: never).
-- reports.manifest: the harvest-manifest entry applied to the report, as a JSON object ('{}' when the
-- file had none), so that a re-parse applies the same entry again; NULL for reports loaded before this
-- migration (a re-parse of those keeps their stored agency_id, region, level and source_url).
-- reparses: the history, one row per report re-parsed by a run (a report's cells, sections and
-- statements are replaced in place; its findings are resolved or reopened, never deleted).
-- Comments are in sql/dictionary/comments.sql, re-applied on every publish.

ALTER TABLE reports ADD COLUMN reparsed_at TIMESTAMP;

ALTER TABLE reports ADD COLUMN manifest VARCHAR;

CREATE TABLE reparses (
    report_id    VARCHAR NOT NULL,
    run_id       VARCHAR NOT NULL,
    from_version VARCHAR,
    to_version   VARCHAR NOT NULL,
    from_status  VARCHAR,
    to_status    VARCHAR NOT NULL,
    reparsed_at  TIMESTAMP NOT NULL
);
