"""The dashboard's own review store (DASHBOARD.md §4): append-only decision events in a SQLite file in WAL
mode beside the warehouse, keyed by a fingerprint that does not change between runs (rule · agency · year ·
table · row · col), each with the evidence seen when it was made. One short INSERT per decision; pages read
the latest event per fingerprint. The warehouse is never written here (a reader cannot, and a write to the
published file would be lost at the next swap); merging the events into the next run's `reviews` is the
audit's job (not wired yet)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DECISIONS = ("confirmed", "dismissed")
REASONS = {  # dismissal reasons: code → label
    "parse_error": "解析错误 parse error (our misread)",
    "source_ok_definition": "口径差异 definition differs",
    "duplicate": "重复 duplicate",
    "accepted": "可接受 accepted",
    "other": "其他 other (note required)",
}
SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    event_id    INTEGER PRIMARY KEY AUTOINCREMENT,
    fingerprint TEXT NOT NULL,
    finding_id  TEXT NOT NULL,
    decision    TEXT NOT NULL CHECK (decision IN ('confirmed', 'dismissed')),
    reason      TEXT,
    note        TEXT,
    reviewer    TEXT NOT NULL,
    decided_at  TEXT NOT NULL,
    evidence    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_fingerprint ON events (fingerprint, event_id);
"""
EVIDENCE_KEYS = ("report_id", "expected", "observed", "status")


def default_path(db: Path) -> Path:
    """`<warehouse>.reviews.sqlite` beside the warehouse file."""
    return db.with_name(db.name + ".reviews.sqlite")


def fingerprint(f: dict[str, Any]) -> str:
    """Stable across runs and report versions: rule · agency · year · table · row · col."""
    parts = [f.get(k) for k in ("rule_id", "agency_id", "year", "table_id", "row_key", "col_key")]
    return hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode()).hexdigest()[:32]


def evidence(f: dict[str, Any]) -> dict[str, Any]:
    return {k: f.get(k) for k in EVIDENCE_KEYS}


class ReviewStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=5)
        con.execute("PRAGMA journal_mode=WAL")
        con.executescript(SCHEMA)
        return con

    def append(self, f: dict[str, Any], decision: str, reason: str | None, note: str | None, reviewer: str) -> None:
        self.append_many([f], decision, reason, note, reviewer)

    def append_many(self, findings: list[dict[str, Any]], decision: str, reason: str | None, note: str | None,
                    reviewer: str) -> None:
        """One decision on each finding: one event each, in one transaction."""
        if decision not in DECISIONS:
            raise ValueError(f"decision {decision!r}")
        if decision == "dismissed" and reason not in REASONS:
            raise ValueError(f"dismissal reason {reason!r}")
        if decision == "dismissed" and reason == "other" and not (note or "").strip():
            raise ValueError("a dismissal for reason 'other' needs a note")
        at = datetime.now(UTC).isoformat(timespec="seconds")
        con = self._connect()
        try:
            with con:
                con.executemany(
                    "INSERT INTO events (fingerprint, finding_id, decision, reason, note, reviewer, decided_at, evidence)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(fingerprint(f), f["finding_id"], decision, reason if decision == "dismissed" else None,
                      (note or "").strip() or None, reviewer, at, json.dumps(evidence(f), sort_keys=True, default=str))
                     for f in findings],
                )
        finally:
            con.close()

    def log(self, reviewer: str = "", since: str = "", limit: int = 500) -> list[dict[str, Any]]:
        """The decision events, newest first (optionally one reviewer's, or those decided at or after `since`)."""
        if not self.path.is_file():
            return []
        con = self._connect()
        try:
            cur = con.execute(
                "SELECT event_id, fingerprint, finding_id, decision, reason, note, reviewer, decided_at, evidence "
                "FROM events WHERE (? = '' OR reviewer = ?) AND (? = '' OR decided_at >= ?) "
                "ORDER BY event_id DESC LIMIT ?", (reviewer, reviewer, since, since, limit))
            cols = [d[0] for d in cur.description]
            return [dict(zip(cols, r)) | {"evidence": json.loads(r[-1])} for r in cur.fetchall()]
        finally:
            con.close()

    def all_latest(self) -> dict[str, dict[str, Any]]:
        """The newest event of every fingerprint in the store."""
        if not self.path.is_file():
            return {}
        con = self._connect()
        try:
            fps = [fp for (fp,) in con.execute("SELECT DISTINCT fingerprint FROM events").fetchall()]
        finally:
            con.close()
        return self.latest(fps)

    def latest(self, fingerprints: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The newest event per fingerprint (only those asked for)."""
        wanted = sorted(set(fingerprints))
        if not wanted or not self.path.is_file():
            return {}
        con = self._connect()
        try:
            out: dict[str, dict[str, Any]] = {}
            for i in range(0, len(wanted), 500):
                chunk = wanted[i:i + 500]
                cur = con.execute(
                    f"SELECT fingerprint, decision, reason, note, reviewer, decided_at, evidence FROM events "
                    f"WHERE fingerprint IN ({','.join('?' * len(chunk))}) ORDER BY event_id", chunk)
                for fp, decision, reason, note, reviewer, at, ev in cur.fetchall():
                    out[fp] = {"decision": decision, "reason": reason, "note": note, "reviewer": reviewer,
                               "decided_at": at, "evidence": json.loads(ev)}
            return out
        finally:
            con.close()


def review_state(f: dict[str, Any], event: dict[str, Any] | None) -> str:
    """What a page shows: the store's latest decision, 'reopened' when the evidence changed since, else the
    warehouse's decision, else 'pending'."""
    if event is not None:
        seen = event["evidence"]
        now = json.loads(json.dumps(evidence(f), sort_keys=True, default=str))
        return "reopened" if seen != now else str(event["decision"])
    return str(f.get("decision") or "pending")


def annotate(store: ReviewStore, items: list[dict[str, Any]]) -> None:
    """Set `fingerprint`, `review` and `event` on each finding dict from the store."""
    for f in items:
        f["fingerprint"] = fingerprint(f)
    events = store.latest(f["fingerprint"] for f in items)
    for f in items:
        f["event"] = events.get(f["fingerprint"])
        f["review"] = review_state(f, f["event"])
