-- 0004: the agency's administrative level on reports (issue 4: "Region and level stored on reports").
-- reports.level comes from the harvest manifest or the agency registry (data/agencies.csv), like region.
-- Reports loaded before this migration keep level NULL (they are not re-parsed).
-- Views and comments are not in migrations: each view is one file in sql/views/ and the data dictionary
-- is sql/dictionary/comments.sql, both re-applied on every publish. (Until 2026-12-04 this migration
-- also created or restated views and comments; they were removed here, as re-applying them on
-- publish gives the same warehouse.)

ALTER TABLE reports ADD COLUMN level VARCHAR;
