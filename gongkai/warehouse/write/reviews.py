"""Inspectors' reviews in the warehouse.

Decisions are made in the dashboard's review store (a SQLite file of append-only events beside the
warehouse, gongkai.app.web.reviews; `gongkai review` writes the same store). Each audit run merges the
store's new events into the next warehouse inside its one transaction, before it publishes
(`merge_review_events`, called by `write_run`):

- `review_events` keeps every merged event once (its `event_uid` is the key: an event merged once is never
  merged twice, whatever the number of runs);
- `reviews` (one row per finding) is then derived from the latest merged event of each fingerprint
  (rule · agency · year · table · row · col, stable across runs and report versions), for the event's own
  finding and every finding of that fingerprint on a current report: the event's decision where the
  evidence (report, expected, observed, status) is the one the reviewer saw, `reopened` where it changed
  since (a new report version, another number), and `reopened` when the latest event withdrew the decision.
  The derivation is deterministic (a run with nothing new changes nothing) and is skipped when the run adds
  no event, report or finding.

The store is only read here (SQLite read-only), never written. `record_reviews` (a direct publish of
decisions by finding_id) is kept for programs that used it; a later store event of the same fingerprint
wins over it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from gongkai.warehouse.write.frames import register, require, utc
from gongkai.warehouse.write.publish import publishing

EVIDENCE_KEYS = ("report_id", "expected", "observed", "status")
FINGERPRINT_KEYS = ("rule_id", "agency_id", "year", "table_id", "row_key", "col_key")
# fingerprint() in SQL over a findings row aliased f: sha256 of the six keys joined by U+001F, 32 hex digits
FINGERPRINT_SQL = ("substr(sha256(concat_ws(chr(31), coalesce(f.rule_id, ''), coalesce(f.agency_id, ''), "
                   "coalesce(CAST(f.year AS VARCHAR), ''), coalesce(f.table_id, ''), coalesce(f.row_key, ''), "
                   "coalesce(f.col_key, ''))), 1, 32)")
EVENT_COLUMNS = ["event_uid", "seq", "fingerprint", "finding_id", "rule_id", "agency_id", "year", "table_id",
                 "row_key", "col_key", "decision", "reason", "note", "reference", "deadline", "reviewer",
                 "decided_at", "ev_report_id", "ev_expected", "ev_observed", "ev_status"]


def review_store(db: Path) -> Path:
    """The review store of warehouse `db`: $GONGKAI_REVIEWS, else `<db>.reviews.sqlite` beside it."""
    env = os.environ.get("GONGKAI_REVIEWS")
    db = Path(db)
    return Path(env) if env else db.with_name(db.name + ".reviews.sqlite")


def fingerprint(f: dict[str, Any]) -> str:
    """Stable across runs and report versions: rule · agency · year · table · row · col (FINGERPRINT_SQL)."""
    parts = [f.get(k) for k in FINGERPRINT_KEYS]
    return hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode()).hexdigest()[:32]


def evidence(f: dict[str, Any]) -> dict[str, Any]:
    """What a reviewer saw: the report version, the expected and observed numbers, fail or not assessable."""
    return {k: f.get(k) for k in EVIDENCE_KEYS}


def legacy_uid(event_id: int, fp: str, finding_id: str, decision: str, reviewer: str, decided_at: str) -> str:
    """The uid of an event of a version-0 store (which had none): derived from its content, the same whether
    the merge reads the old store or the dashboard has upgraded it."""
    text = "\x1f".join(["v0", str(event_id), fp, finding_id, decision, reviewer, decided_at])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _open_readonly(store: Path) -> sqlite3.Connection:
    try:
        return sqlite3.connect(f"{store.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    except sqlite3.OperationalError:  # pragma: no cover - a WAL store whose -shm cannot be created read-only
        return sqlite3.connect(store, timeout=10)


def read_store_events(store: Path) -> pd.DataFrame:
    """Every event of the review store (EVENT_COLUMNS), oldest first; empty when there is no store.
    Reads version 0 (no uid, no keys: filled from the warehouse's findings by the merge) and version 1."""
    store = Path(store)
    if not store.is_file():
        return pd.DataFrame({c: pd.Series(dtype="object") for c in EVENT_COLUMNS})
    con = _open_readonly(store)
    try:
        cols = {r[1] for r in con.execute("PRAGMA table_info(events)").fetchall()}
        if not cols:
            return pd.DataFrame({c: pd.Series(dtype="object") for c in EVENT_COLUMNS})
        v1 = "uid" in cols
        extra = ("uid, rule_id, agency_id, year, table_id, row_key, col_key, reference, deadline" if v1 else
                 "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL")
        got = con.execute(f"SELECT event_id, fingerprint, finding_id, decision, reason, note, reviewer, decided_at, "
                          f"evidence, {extra} FROM events ORDER BY event_id").fetchall()
    finally:
        con.close()
    out: list[dict[str, Any]] = []
    for (event_id, fp, finding_id, decision, reason, note, reviewer, at, ev, uid, rule_id, agency_id, year,
         table_id, row_key, col_key, reference, deadline) in got:
        seen = json.loads(ev) if ev else {}
        out.append({
            "event_uid": uid or legacy_uid(event_id, fp, finding_id, decision, reviewer, at), "seq": event_id,
            "fingerprint": fp, "finding_id": finding_id, "rule_id": rule_id, "agency_id": agency_id, "year": year,
            "table_id": table_id, "row_key": row_key, "col_key": col_key, "decision": decision, "reason": reason,
            "note": note, "reference": reference, "deadline": deadline, "reviewer": reviewer, "decided_at": at,
            "ev_report_id": seen.get("report_id"), "ev_expected": seen.get("expected"),
            "ev_observed": seen.get("observed"), "ev_status": seen.get("status")})
    return pd.DataFrame(out, columns=EVENT_COLUMNS)


def _insert_new_events(con: duckdb.DuckDBPyConnection, events: pd.DataFrame, run_id: str | None) -> int:
    if len(events) == 0:
        return 0
    df = events.copy()
    df["decided_at"] = pd.to_datetime(df["decided_at"], utc=True, format="ISO8601").dt.tz_localize(None)
    df["deadline"] = pd.to_datetime(df["deadline"], errors="coerce", format="ISO8601").dt.date
    for c in ("ev_expected", "ev_observed"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    df["year"] = pd.to_numeric(df["year"], errors="coerce").astype("Int64")
    df["seq"] = df["seq"].astype("int64")
    register(con, "in_review_events", df)
    # the keys of a version-0 event come from the finding it names (it is in the warehouse: it was read there)
    return int(con.execute("""
        INSERT INTO review_events BY NAME
        SELECT e.event_uid, e.seq, e.fingerprint, e.finding_id,
               coalesce(e.rule_id, f.rule_id) AS rule_id, coalesce(e.agency_id, f.agency_id) AS agency_id,
               coalesce(CAST(e.year AS INTEGER), f.year) AS year, coalesce(e.table_id, f.table_id) AS table_id,
               coalesce(e.row_key, f.row_key) AS row_key, coalesce(e.col_key, f.col_key) AS col_key,
               e.decision, e.reason, e.note, e.reference, CAST(e.deadline AS DATE) AS deadline, e.reviewer,
               CAST(e.decided_at AS TIMESTAMP) AS decided_at, e.ev_report_id,
               CAST(e.ev_expected AS DOUBLE) AS ev_expected, CAST(e.ev_observed AS DOUBLE) AS ev_observed,
               e.ev_status, $run_id AS merged_run_id
        FROM in_review_events AS e
        LEFT JOIN findings AS f ON f.finding_id = e.finding_id
        WHERE NOT EXISTS (SELECT 1 FROM review_events AS x WHERE x.event_uid = e.event_uid)
        QUALIFY row_number() OVER (PARTITION BY e.event_uid ORDER BY e.seq) = 1""",
                           {"run_id": run_id}).fetchall()[0][0])


def _derive_reviews(con: duckdb.DuckDBPyConnection) -> None:
    """reviews ← the latest merged event of each fingerprint, for every finding of that fingerprint."""
    con.execute(f"""
        INSERT INTO reviews BY NAME
        WITH latest AS (
            SELECT * FROM review_events
            QUALIFY row_number() OVER (PARTITION BY fingerprint ORDER BY decided_at DESC, seq DESC, event_uid DESC) = 1
        ),
        candidates AS (  -- the findings of current reports, and each event's own finding
            SELECT f.finding_id, f.report_id, f.expected, f.observed, f.status, {FINGERPRINT_SQL} AS fingerprint
            FROM findings AS f
            WHERE f.rule_id IN (SELECT rule_id FROM latest)
              AND coalesce(f.agency_id, '') IN (SELECT coalesce(agency_id, '') FROM latest)
              AND (f.report_id IN (SELECT report_id FROM reports WHERE is_current)
                   OR f.finding_id IN (SELECT finding_id FROM latest))
        )
        SELECT c.finding_id,
               CASE WHEN l.decision = 'reopened' THEN 'reopened'
                    WHEN l.ev_report_id IS DISTINCT FROM c.report_id OR l.ev_expected IS DISTINCT FROM c.expected
                      OR l.ev_observed IS DISTINCT FROM c.observed OR l.ev_status IS DISTINCT FROM c.status
                    THEN 'reopened' ELSE l.decision END AS decision,
               l.note, l.reviewer, l.decided_at, l.reason, l.reference, l.deadline, l.fingerprint,
               l.event_uid
        FROM candidates AS c JOIN latest AS l ON l.fingerprint = c.fingerprint
        ON CONFLICT (finding_id) DO UPDATE SET decision = excluded.decision, note = excluded.note,
            reviewer = excluded.reviewer, decided_at = excluded.decided_at, reason = excluded.reason,
            reference = excluded.reference, deadline = excluded.deadline, fingerprint = excluded.fingerprint,
            event_uid = excluded.event_uid""")


def merge_review_events(con: duckdb.DuckDBPyConnection, store: Path, run_id: str | None = None) -> int:
    """Merge the review store's events not merged before into `review_events` (tagged with `run_id`) and
    re-derive `reviews` from them, on the connection of a run being published. Returns the number of events
    merged now (0 when there is no store, or nothing new). A store that cannot be read stops the run with
    one line naming it."""
    try:
        events = read_store_events(Path(store))
    except (sqlite3.Error, json.JSONDecodeError, KeyError) as exc:
        raise ValueError(f"review store {store}: cannot be read ({exc}); move it aside or fix it") from exc
    merged = _insert_new_events(con, events, run_id)
    if merged or _run_changed_findings(con, run_id):
        _derive_reviews(con)
    return merged


def _run_changed_findings(con: duckdb.DuckDBPyConnection, run_id: str | None) -> bool:
    """Whether the run being written can change what `reviews` derives (there are merged events, and the run
    added reports or findings or resolved some); without a run id, assume it can."""
    if not con.execute("SELECT count(*) FROM review_events").fetchall()[0][0]:
        return False
    if run_id is None:
        return True
    return bool(con.execute("""
        SELECT EXISTS (SELECT 1 FROM reports WHERE first_run_id = $run)
            OR EXISTS (SELECT 1 FROM findings WHERE run_id = $run OR resolved_run_id = $run)""",
                            {"run": run_id}).fetchall()[0][0])


def record_reviews(db: Path, reviews: pd.DataFrame) -> int:
    """Insert or update inspectors' decisions (finding_id, decision, note, reviewer, decided_at) and publish.
    Reviews go through the same lock and publication as runs: writing the published file directly would
    be lost at the next swap. Returns the number of rows written. (The dashboard and `gongkai review` write
    the review store instead; its events are merged by the next audit.)"""
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
