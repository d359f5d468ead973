"""The dashboard's own review store (DASHBOARD.md §4): append-only decision events in a SQLite file in WAL
mode beside the warehouse (`<warehouse>.reviews.sqlite`, or $GONGKAI_REVIEWS, or --reviews), keyed by a
fingerprint that does not change between runs (rule · agency · year · table · row · col), each with the
evidence seen when it was made. One short INSERT per decision; pages read the latest event per fingerprint.
The dashboard and `gongkai review` write here, never the warehouse (a reader cannot, and a write to the
published file would be lost at the next swap); the next `gongkai audit` merges the events into the
warehouse's `reviews` before it publishes (gongkai.warehouse.write.reviews.merge_review_events).

Events: `confirmed`; `dismissed` with a reason code; `notified` (the agency was sent a correction notice:
a deadline 整改期限 and an optional reference 文号); `reopened` (a reviewer withdrew the decision: the finding
is open again). An event is never edited or deleted; each has a `uid` that the warehouse keeps, so an
event merged once is never merged twice.

Schema versions (`PRAGMA user_version`): 0 = the first store (no uid, decisions confirmed/dismissed only),
1 = this one. A version-0 store is upgraded in place on first write or read, its events' uids derived from
their content by the formula the warehouse's merge uses for a version-0 store (`legacy_uid`), so events
merged before the upgrade are not merged again."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from gongkai.warehouse.write.reviews import EVIDENCE_KEYS, evidence, fingerprint, legacy_uid, review_store

DECISIONS = ("confirmed", "dismissed", "notified", "reopened")
DECISION_ZH = {"confirmed": "已确认 confirmed", "dismissed": "已驳回 dismissed", "notified": "已通知整改 notified",
               "reopened": "重新打开 reopened", "pending": "待复核 pending"}
REASONS = {  # dismissal reasons: code → label
    "parse_error": "解析错误 parse error (our misread)",
    "source_ok_definition": "口径差异 definition differs",
    "duplicate": "重复 duplicate",
    "accepted": "可接受 accepted",
    "other": "其他 other (note required)",
}
STORE_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    event_id    INTEGER PRIMARY KEY AUTOINCREMENT,
    uid         TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    finding_id  TEXT NOT NULL,
    rule_id     TEXT,
    agency_id   TEXT,
    year        INTEGER,
    table_id    TEXT,
    row_key     TEXT,
    col_key     TEXT,
    decision    TEXT NOT NULL CHECK (decision IN ('confirmed', 'dismissed', 'notified', 'reopened')),
    reason      TEXT,
    note        TEXT,
    reference   TEXT,
    deadline    TEXT,
    reviewer    TEXT NOT NULL,
    decided_at  TEXT NOT NULL,
    evidence    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_fingerprint ON events (fingerprint, event_id);
"""
KEY_COLUMNS = ("rule_id", "agency_id", "year", "table_id", "row_key", "col_key")


def default_path(db: Path) -> Path:
    """$GONGKAI_REVIEWS, else `<warehouse>.reviews.sqlite` beside the warehouse file (what the audit merges)."""
    return review_store(db)


__all__ = ["DECISIONS", "EVIDENCE_KEYS", "REASONS", "ReviewStore", "annotate", "default_path", "evidence",
           "fingerprint", "review_state"]


def _create(con: sqlite3.Connection) -> None:
    """The schema, statement by statement (executescript would commit the caller's transaction)."""
    for statement in SCHEMA.split(";"):
        if statement.strip():
            con.execute(statement)


def _parse_deadline(value: str | None) -> str | None:
    if not (value or "").strip():
        return None
    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise ValueError(f"deadline {value!r} is not a date (YYYY-MM-DD)") from None


class ReviewStore:
    """The store at `path`. The latest event per fingerprint is cached per `until` and the store's newest
    event id (events are append-only, so a new decision by any process changes it): a page reads one integer
    from SQLite, and all the events only after a decision was written."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._cache: dict[str | None, tuple[int | None, dict[str, dict[str, Any]]]] = {}

    def _signature(self) -> int | None:
        if not self.path.is_file():
            return None
        con = self._connect()
        try:
            newest: int | None = con.execute("SELECT max(event_id) FROM events").fetchone()[0]
            return newest
        finally:
            con.close()

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=5)
        con.execute("PRAGMA journal_mode=WAL")
        version = con.execute("PRAGMA user_version").fetchone()[0]
        if version < STORE_VERSION:
            self._upgrade(con)
        return con

    @staticmethod
    def _upgrade(con: sqlite3.Connection) -> None:
        """Version 0 (or a new file) → 1, in one transaction: the version-0 rows keep their event_id and get
        the uid the warehouse's merge gives them (legacy_uid)."""
        cols = {r[1] for r in con.execute("PRAGMA table_info(events)").fetchall()}
        with con:
            if cols and "uid" not in cols:
                old = con.execute("SELECT event_id, fingerprint, finding_id, decision, reason, note, reviewer, "
                                  "decided_at, evidence FROM events ORDER BY event_id").fetchall()
                con.execute("ALTER TABLE events RENAME TO events_v0")
                con.execute("DROP INDEX IF EXISTS events_fingerprint")
                _create(con)
                con.executemany(
                    "INSERT INTO events (event_id, uid, fingerprint, finding_id, decision, reason, note, reviewer, "
                    "decided_at, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(eid, legacy_uid(eid, fp, fid, dec, who, at), fp, fid, dec, reason, note, who, at, ev)
                     for eid, fp, fid, dec, reason, note, who, at, ev in old])
                con.execute("DROP TABLE events_v0")
            else:
                _create(con)
            con.execute(f"PRAGMA user_version = {STORE_VERSION}")

    def append(self, f: dict[str, Any], decision: str, reason: str | None = None, note: str | None = None,
               reviewer: str = "local", reference: str | None = None, deadline: str | None = None) -> None:
        self.append_many([f], decision, reason, note, reviewer, reference, deadline)

    def append_many(self, findings: list[dict[str, Any]], decision: str, reason: str | None, note: str | None,
                    reviewer: str, reference: str | None = None, deadline: str | None = None) -> None:
        """One decision on each finding: one event each, in one transaction. ValueError (one line) for a
        decision that is not one of DECISIONS, a dismissal without a known reason (or 'other' without a
        note), a notification without a deadline."""
        if decision not in DECISIONS:
            raise ValueError(f"decision {decision!r}: use one of {', '.join(DECISIONS)}")
        note = (note or "").strip() or None
        if decision == "dismissed" and reason not in REASONS:
            raise ValueError(f"dismissal reason {reason!r}: use one of {', '.join(REASONS)}")
        if decision == "dismissed" and reason == "other" and not note:
            raise ValueError("a dismissal for reason 'other' needs a note")
        day = _parse_deadline(deadline) if decision == "notified" else None
        if decision == "notified" and day is None:
            raise ValueError("a notification needs a deadline (整改期限, YYYY-MM-DD)")
        ref = (reference or "").strip() or None if decision == "notified" else None
        at = datetime.now(UTC).isoformat(timespec="microseconds")
        con = self._connect()
        try:
            with con:
                con.executemany(
                    "INSERT INTO events (uid, fingerprint, finding_id, rule_id, agency_id, year, table_id, row_key, "
                    "col_key, decision, reason, note, reference, deadline, reviewer, decided_at, evidence)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(uuid.uuid4().hex, fingerprint(f), f["finding_id"], *(_key(f, k) for k in KEY_COLUMNS),
                      decision, reason if decision == "dismissed" else None, note, ref, day, reviewer, at,
                      json.dumps(evidence(f), sort_keys=True, default=str))
                     for f in findings],
                )
        finally:
            con.close()

    def log(self, reviewer: str = "", since: str = "", limit: int = 500) -> list[dict[str, Any]]:
        """The decision events, newest first (optionally one reviewer's, or those decided at or after `since`),
        each with `latest`: whether it is the newest event of its fingerprint (the one in force)."""
        if not self.path.is_file():
            return []
        con = self._connect()
        try:
            cur = con.execute(
                "SELECT e.event_id, e.uid, e.fingerprint, e.finding_id, e.rule_id, e.agency_id, e.year, e.decision, "
                "e.reason, e.note, e.reference, e.deadline, e.reviewer, e.decided_at, e.evidence, "
                "e.event_id = (SELECT max(x.event_id) FROM events AS x WHERE x.fingerprint = e.fingerprint) AS latest "
                "FROM events AS e WHERE (? = '' OR e.reviewer = ?) AND (? = '' OR e.decided_at >= ?) "
                "ORDER BY e.event_id DESC LIMIT ?", (reviewer, reviewer, since, since, limit))
            cols = [d[0] for d in cur.description]
            return [dict(zip(cols, r)) | {"evidence": json.loads(r[cols.index("evidence")]), "latest": bool(r[-1])}
                    for r in cur.fetchall()]
        finally:
            con.close()

    def all_latest(self, until: str | None = None) -> dict[str, dict[str, Any]]:
        """The newest event of every fingerprint in the store (decided at or before `until`, ISO 8601 UTC)."""
        sig = self._signature()
        hit = self._cache.get(until)
        if hit is not None and hit[0] == sig:
            return hit[1]
        got = self._latest(None, until)
        if len(self._cache) > 16:
            self._cache.clear()
        self._cache[until] = (sig, got)
        return got

    def latest(self, fingerprints: Iterable[str], until: str | None = None) -> dict[str, dict[str, Any]]:
        """The newest event per fingerprint (only those asked for; decided at or before `until`)."""
        wanted = sorted(set(fingerprints))
        if not wanted:
            return {}
        hit = self._cache.get(until)
        if hit is not None and hit[0] == self._signature():
            return {fp: hit[1][fp] for fp in wanted if fp in hit[1]}
        return self._latest(wanted, until)

    def _latest(self, wanted: list[str] | None, until: str | None) -> dict[str, dict[str, Any]]:
        if not self.path.is_file():
            return {}
        con = self._connect()
        try:
            out: dict[str, dict[str, Any]] = {}
            sql = ("SELECT fingerprint, finding_id, decision, reason, note, reference, deadline, reviewer, decided_at, "
                   "evidence FROM events WHERE event_id IN (SELECT max(event_id) FROM events "
                   "WHERE (? IS NULL OR decided_at <= ?) {where} GROUP BY fingerprint)")
            chunks = [None] if wanted is None else [wanted[i:i + 500] for i in range(0, len(wanted), 500)]
            for chunk in chunks:
                where = "" if chunk is None else f"AND fingerprint IN ({','.join('?' * len(chunk))})"
                for fp, fid, decision, reason, note, ref, deadline, reviewer, at, ev in con.execute(
                        sql.format(where=where), [until, until, *(chunk or [])]).fetchall():
                    out[fp] = {"finding_id": fid, "decision": decision, "reason": reason, "note": note,
                               "reference": ref, "deadline": deadline, "reviewer": reviewer, "decided_at": at,
                               "evidence": json.loads(ev)}
            return out
        finally:
            con.close()


def _key(f: dict[str, Any], k: str) -> Any:
    v = f.get(k)
    return int(v) if k == "year" and v is not None else v


def review_state(f: dict[str, Any], event: dict[str, Any] | None) -> str:
    """What a page shows: the store's latest decision, 'reopened' when the evidence changed since (or the
    decision was withdrawn), else the warehouse's decision, else 'pending'."""
    if event is not None:
        seen = event["evidence"]
        now = json.loads(json.dumps(evidence(f), sort_keys=True, default=str))
        return "reopened" if seen != now else str(event["decision"])
    return str(f.get("decision") or "pending")


def annotate(store: ReviewStore, items: list[dict[str, Any]], until: str | None = None) -> None:
    """Set `fingerprint`, `review` and `event` on each finding dict from the store (its events decided at or
    before `until` when given)."""
    for f in items:
        f["fingerprint"] = fingerprint(f)
    events = store.latest((f["fingerprint"] for f in items), until)
    for f in items:
        f["event"] = events.get(f["fingerprint"])
        f["review"] = review_state(f, f["event"])
