-- panel_copy: per pair with a previous year, what XY_COPY decides on — identical tables (by cell digest of
-- the same definition, digest_version: on values, whatever the two renderings;
-- at least $copy_min_nonzero non-zero numbers) and whether the narratives are candidates for the exact
-- text comparison: both at least $copy_min_chars characters, 3-gram counts within $grams_bound of each
-- other (J(A, B) ≤ min/max), and at least $sketch_candidate of their bottom-k sketches shared. jaccard is
-- filled in for the candidates by gongkai.warehouse.panel.copies (exact, in Python).
WITH pairs AS (
    SELECT p.report_id, p.prev_id, p.prev_year, p.has_t2, p.has_t3, p.has_t4, f.nonzero_cells, f.cells,
           f.cells > 0 AND f.nonzero_cells >= $copy_min_nonzero AND f.cells_digest = g.cells_digest
               AND f.cells = g.cells AND f.digest_version = g.digest_version AS same_tables,
           f.text_chars >= $copy_min_chars AND g.text_chars >= $copy_min_chars
               AND least(f.text_grams, g.text_grams) >= $grams_bound * greatest(f.text_grams, g.text_grams)
               AS texts_comparable,
           least(len(f.text_sketch), len(g.text_sketch), $sketch_k) AS sketch_size
    FROM panel_pairs AS p
    JOIN panel_inputs AS f ON f.report_id = p.report_id
    JOIN panel_inputs AS g ON g.report_id = p.prev_id
    WHERE p.prev_id IS NOT NULL
),
this_sketch AS MATERIALIZED (
    SELECT p.report_id, unnest(f.text_sketch) AS h
    FROM pairs AS p JOIN panel_inputs AS f ON f.report_id = p.report_id
    WHERE p.texts_comparable
),
last_sketch AS MATERIALIZED (
    SELECT p.report_id, unnest(g.text_sketch) AS h
    FROM pairs AS p JOIN panel_inputs AS g ON g.report_id = p.prev_id
    WHERE p.texts_comparable
),
shared AS (                 -- sketch hashes the two years have in common
    SELECT t.report_id, count(*) AS n
    FROM this_sketch AS t JOIN last_sketch AS l ON l.report_id = t.report_id AND l.h = t.h
    GROUP BY t.report_id
)
SELECT p.* EXCLUDE (texts_comparable, sketch_size),
       p.texts_comparable AND coalesce(s.n, 0) >= $sketch_candidate * p.sketch_size AS text_candidate,
       CAST(NULL AS DOUBLE) AS jaccard
FROM pairs AS p
LEFT JOIN shared AS s ON s.report_id = p.report_id
