-- 0008_cells_digest_on_values: XY_COPY compares tables by their values, not their raw text
-- (gongkai.report.fingerprints, DIGEST_VERSION 2: each cell's key, semantic and normalised number or
-- normalised dash/text), so a copy re-rendered in another format is found. panel_inputs.digest_version
-- says which definition a row's cells_digest follows; rows written before this migration keep NULL (the
-- raw-text digest, version 1) and are recomputed from cells and sections when a run reads them
-- (sql/panel/stale_inputs.sql), so old and new digests are never compared (sql/panel/copy_pairs.sql also
-- requires equal versions).

ALTER TABLE panel_inputs ADD COLUMN digest_version INTEGER;
