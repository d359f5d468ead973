"""XY_COPY: identical tables (by digest) or near-identical narratives (3-gram Jaccard) vs the previous year."""

from __future__ import annotations

import pandas as pd

from gongkai.report.fingerprints import SKETCH_K, comparable_text, text_jaccard
from gongkai.warehouse.panel.common import COPY_JACCARD, COPY_MIN_CHARS, COPY_MIN_NONZERO, GRAMS_BOUND, SKETCH_CANDIDATE


def copies(con) -> None:
    """XY_COPY: identical tables by cell digest; texts preselected by sketch overlap, then compared exactly."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE panel_copy AS
        WITH pairs AS (
            SELECT p.report_id, p.prev_id, p.prev_year, p.has_t2, p.has_t3, p.has_t4, f.nonzero_cells, f.cells,
                   f.cells > 0 AND f.nonzero_cells >= {COPY_MIN_NONZERO} AND f.cells_digest = g.cells_digest
                       AND f.cells = g.cells AS same_tables,
                   f.text_chars >= {COPY_MIN_CHARS} AND g.text_chars >= {COPY_MIN_CHARS}
                       -- J(A, B) ≤ min(|A|, |B|) / max(|A|, |B|): pairs of very different size cannot be copies
                       AND least(f.text_grams, g.text_grams) >= {GRAMS_BOUND} * greatest(f.text_grams, g.text_grams)
                       AS texts_comparable,
                   least(len(f.text_sketch), len(g.text_sketch), {SKETCH_K}) AS sketch_size
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
               p.texts_comparable AND coalesce(s.n, 0) >= {SKETCH_CANDIDATE} * p.sketch_size AS text_candidate,
               CAST(NULL AS DOUBLE) AS jaccard
        FROM pairs AS p
        LEFT JOIN shared AS s ON s.report_id = p.report_id""")
    # candidates' narratives, compared exactly (fingerprints.text_jaccard: numpy on 3-gram codes, ~50x faster
    # than exploding 3-grams in SQL; the text is normalised by the same comparable_text as the sketches)
    pairs = con.execute("""
        WITH cand AS (
            SELECT report_id, prev_id FROM panel_copy WHERE text_candidate
        ),
        texts AS (
            SELECT s.report_id, list(s.text ORDER BY s.section_no) AS texts
            FROM sections AS s
            WHERE s.report_id IN (SELECT report_id FROM cand UNION SELECT prev_id FROM cand)
              AND s.present AND s.text IS NOT NULL
            GROUP BY s.report_id
        )
        SELECT k.report_id, a.texts, b.texts
        FROM cand AS k
        JOIN texts AS a ON a.report_id = k.report_id
        JOIN texts AS b ON b.report_id = k.prev_id""").fetchall()
    if pairs:
        similarity = pd.DataFrame({
            "report_id": [r for r, _, _ in pairs],
            "jaccard": [text_jaccard(comparable_text(a), comparable_text(b)) for _, a, b in pairs],
        })
        con.register("panel_similarity", similarity)
        con.execute("""
            UPDATE panel_copy AS k SET jaccard = j.jaccard
            FROM panel_similarity AS j
            WHERE k.report_id = j.report_id""")
        con.unregister("panel_similarity")
    con.execute(f"""
        INSERT INTO panel_out       -- every compared pair: a finding if copied, else evaluated and passed
        SELECT report_id, 'XY_COPY', NULL, NULL, NULL, NULL,
               CASE WHEN jaccard IS NOT NULL THEN round(jaccard, 4) END,
               concat_ws('；',
                   CASE WHEN same_tables THEN
                       concat_ws('、', CASE WHEN has_t2 THEN '表二' END, CASE WHEN has_t3 THEN '表三' END,
                                       CASE WHEN has_t4 THEN '表四' END)
                       || '的全部' || cells || '个单元格（其中' || nonzero_cells || '个非零数字）与' || prev_year
                       || '年度报告逐格相同' END,
                   CASE WHEN jaccard >= {COPY_JACCARD} THEN
                       '正文与' || prev_year || '年度报告高度相似（字符三元组Jaccard相似度'
                       || CAST(round(jaccard, 3) AS VARCHAR) || '，阈值{COPY_JACCARD}）' END)
               || '，疑似照搬上年度报告（雷同）',
               'fail'
        FROM panel_copy
        WHERE same_tables OR jaccard >= {COPY_JACCARD}
        UNION ALL
        SELECT report_id, 'XY_COPY', NULL, NULL, NULL, NULL, NULL, NULL, NULL
        FROM panel_copy
        WHERE NOT (coalesce(same_tables, false) OR coalesce(jaccard >= {COPY_JACCARD}, false))""")


