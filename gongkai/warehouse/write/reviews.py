"""Inspectors' reviews: written through the same lock and publication as runs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from gongkai.warehouse.write.frames import register, require, utc
from gongkai.warehouse.write.publish import publishing


def record_reviews(db: Path, reviews: pd.DataFrame) -> int:
    """Insert or update inspectors' decisions (finding_id, decision, note, reviewer, decided_at) and publish.
    Reviews go through the same lock and publication as runs: writing the published file directly would
    be lost at the next swap. Returns the number of rows written."""
    cols = ["finding_id", "decision", "note", "reviewer", "decided_at"]
    df = require(reviews, cols, "reviews").copy()
    if len(df) == 0:
        return 0
    df["decided_at"] = pd.to_datetime(df["decided_at"], utc=True).dt.tz_localize(None)  # naive = UTC
    with publishing(Path(db)) as con:
        register(con, "in_reviews", df)
        updates = ", ".join(f"{c} = excluded.{c}" for c in cols[1:])
        return con.execute(f"""
            INSERT INTO reviews BY NAME
            SELECT finding_id, decision, note, reviewer,
                   coalesce(CAST(decided_at AS TIMESTAMP), $now) AS decided_at
            FROM in_reviews
            QUALIFY row_number() OVER (PARTITION BY finding_id ORDER BY decided_at DESC NULLS LAST) = 1
            ON CONFLICT (finding_id) DO UPDATE SET {updates}""", {"now": utc(datetime.now(UTC))}).fetchall()[0][0]
