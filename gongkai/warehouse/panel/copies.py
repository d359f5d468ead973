"""XY_COPY's one Python step: the exact 3-gram Jaccard similarity of the candidate narratives
(fingerprints.text_jaccard: numpy on 3-gram codes, ~50x faster than exploding 3-grams in SQL; texts
normalised by the same comparable_text as the sketches), registered as panel_similarity."""

from __future__ import annotations

import duckdb
import pandas as pd

from gongkai.report.fingerprints import comparable_text, text_jaccard
from gongkai.warehouse.panel.relations import COPY_TEXTS
from gongkai.warehouse.panel.sqlfiles import sql_file


def register_similarity(con: duckdb.DuckDBPyConnection) -> None:
    """panel_similarity (report_id, jaccard) for the text candidates of panel_copy."""
    pairs = sql_file("panel", COPY_TEXTS).execute(con, {}).fetchall()
    similarity = pd.DataFrame({
        "report_id": pd.array([r for r, _, _ in pairs], dtype="string"),
        "jaccard": pd.array([text_jaccard(comparable_text(a), comparable_text(b)) for _, a, b in pairs],
                            dtype="float64"),
    })
    con.register("panel_similarity", similarity)
