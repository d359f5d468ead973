-- 0012_review_events: the dashboard's review store merged into the warehouse by every audit run
-- (gongkai.warehouse.write.reviews.merge_review_events).
--
-- 1. review_events: every decision event of the review store, merged once (event_uid is the store's uid),
--    with the finding's stable keys and the evidence the reviewer saw.
-- 2. reviews gains the event's reason, reference, deadline, fingerprint and event_uid, and its decision
--    accepts 'notified' (a correction notice sent, with a deadline) and 'reopened' (the decision withdrawn,
--    or the evidence changed since it was made). DuckDB cannot drop a CHECK, so the table is rebuilt with
--    its rows; the views reading it are re-created on every publish.

CREATE TABLE review_events (
    event_uid     VARCHAR PRIMARY KEY,
    seq           BIGINT,
    fingerprint   VARCHAR NOT NULL,
    finding_id    VARCHAR NOT NULL,
    rule_id       VARCHAR,
    agency_id     VARCHAR,
    year          INTEGER,
    table_id      VARCHAR,
    row_key       VARCHAR,
    col_key       VARCHAR,
    decision      VARCHAR NOT NULL CHECK (decision IN ('confirmed', 'dismissed', 'notified', 'reopened')),
    reason        VARCHAR,
    note          VARCHAR,
    reference     VARCHAR,
    deadline      DATE,
    reviewer      VARCHAR,
    decided_at    TIMESTAMP NOT NULL,
    ev_report_id  VARCHAR,
    ev_expected   DOUBLE,
    ev_observed   DOUBLE,
    ev_status     VARCHAR,
    merged_run_id VARCHAR
);

CREATE TABLE reviews_0012 (
    finding_id  VARCHAR PRIMARY KEY,
    decision    VARCHAR NOT NULL CHECK (decision IN ('confirmed', 'dismissed', 'notified', 'reopened')),
    note        VARCHAR,
    reviewer    VARCHAR,
    decided_at  TIMESTAMP,
    reason      VARCHAR,
    reference   VARCHAR,
    deadline    DATE,
    fingerprint VARCHAR,
    event_uid   VARCHAR
);
INSERT INTO reviews_0012 (finding_id, decision, note, reviewer, decided_at)
SELECT finding_id, decision, note, reviewer, decided_at FROM reviews;
DROP TABLE reviews;
ALTER TABLE reviews_0012 RENAME TO reviews;
