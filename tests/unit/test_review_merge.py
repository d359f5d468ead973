"""The review store merged into the warehouse by each run (gongkai.warehouse.write.reviews): once per event,
`reviews` derived from the latest event of each fingerprint, changed evidence reopened, the old store
format read and upgraded without merging its events twice."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from warehouse_support import findings_for, one, query, report, write

from gongkai.app.web.reviews import ReviewStore
from gongkai.warehouse import connect_readonly
from gongkai.warehouse.write.reviews import fingerprint, legacy_uid, read_store_events, review_store


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("GONGKAI_REVIEWS", raising=False)
    return tmp_path / "data" / "warehouse.duckdb"


def rows(db: Path, sql: str) -> list[tuple]:
    con = connect_readonly(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def finding(db: Path, rule: str = "T3_BALANCE") -> dict:
    got = query(db, f"SELECT * FROM findings WHERE rule_id = '{rule}' ORDER BY run_id, finding_id LIMIT 1")
    return {k: (None if v != v else v) for k, v in got.iloc[0].to_dict().items()}  # NaN → None


def test_store_beside_the_warehouse_or_env(db, monkeypatch):
    assert review_store(db) == db.with_name("warehouse.duckdb.reviews.sqlite")
    monkeypatch.setenv("GONGKAI_REVIEWS", "/srv/r.sqlite")
    assert review_store(db) == Path("/srv/r.sqlite")


def test_events_merged_once_and_reviews_derived(db):
    a = report("a")
    write(db, "r1", [a])
    assert one(db, "SELECT count(*) FROM review_events") == 0
    f = finding(db)
    store = ReviewStore(review_store(db))
    store.append(f, "confirmed", reviewer="张三")
    write(db, "r2", [a], minutes=1)
    assert rows(db, "SELECT finding_id, decision, reviewer, event_uid IS NOT NULL FROM reviews") == [
        (f["finding_id"], "confirmed", "张三", True)]
    assert rows(db, "SELECT merged_run_id, decision, fingerprint FROM review_events") == [
        ("r2", "confirmed", fingerprint(f))]
    assert rows(db, "SELECT decision FROM findings_current WHERE finding_id = ?".replace("?", f"'{f['finding_id']}'")) == [
        ("confirmed",)]
    # the same event again: merged zero times; the warehouse's reviews unchanged
    before = rows(db, "SELECT * FROM reviews")
    write(db, "r3", [a], minutes=2)
    assert one(db, "SELECT count(*) FROM review_events") == 1
    assert rows(db, "SELECT * FROM reviews") == before
    # notified with a deadline, then withdrawn: each a new event; reviews follows the latest
    store.append(f, "notified", reviewer="张三", reference="淮政公开〔2026〕3号", deadline="2026-12-31")
    write(db, "r4", [a], minutes=3)
    assert rows(db, "SELECT decision, reference, CAST(deadline AS VARCHAR) FROM reviews") == [
        ("notified", "淮政公开〔2026〕3号", "2026-12-31")]
    store.append(f, "reopened", reviewer="李四", note="证据不足")
    write(db, "r5", [a], minutes=4)
    assert rows(db, "SELECT decision, reviewer, note FROM reviews") == [("reopened", "李四", "证据不足")]
    assert rows(db, "SELECT merged_run_id, decision FROM review_events ORDER BY seq") == [
        ("r2", "confirmed"), ("r4", "notified"), ("r5", "reopened")]


def test_changed_evidence_reopens_the_new_version_and_keeps_the_old(db):
    a = report("a", value=1.0)
    write(db, "r1", [a])
    f = finding(db)
    ReviewStore(review_store(db)).append(f, "dismissed", reason="accepted")
    write(db, "r2", [a], minutes=1)
    assert rows(db, "SELECT decision, reason FROM reviews") == [("dismissed", "accepted")]
    # a corrected file for the same agency-year: a new report version, a new finding with the same fingerprint
    b = report("a-corrected", value=2.0)
    write(db, "r3", [b], minutes=2, findings=findings_for(b))
    g = query(db, f"SELECT * FROM findings WHERE report_id = '{b.report_id}' AND rule_id = 'T3_BALANCE'").iloc[0]
    assert fingerprint(g.to_dict()) == fingerprint(f)
    got = dict(rows(db, "SELECT finding_id, decision FROM reviews"))
    assert got == {f["finding_id"]: "dismissed", g.finding_id: "reopened"}
    assert rows(db, f"SELECT decision FROM findings_current WHERE finding_id = '{g.finding_id}'") == [("reopened",)]


def test_no_store_no_change(db):
    write(db, "r1", [report("a")])
    write(db, "r2", [report("a")], minutes=1)
    assert one(db, "SELECT count(*) FROM reviews") == 0 and one(db, "SELECT count(*) FROM review_events") == 0


V0_SCHEMA = """CREATE TABLE events (event_id INTEGER PRIMARY KEY AUTOINCREMENT, fingerprint TEXT NOT NULL,
    finding_id TEXT NOT NULL, decision TEXT NOT NULL CHECK (decision IN ('confirmed', 'dismissed')), reason TEXT,
    note TEXT, reviewer TEXT NOT NULL, decided_at TEXT NOT NULL, evidence TEXT NOT NULL)"""


def test_a_version_0_store_is_merged_then_upgraded_without_merging_twice(db):
    a = report("a")
    write(db, "r1", [a])
    f = finding(db)
    path = review_store(db)
    con = sqlite3.connect(path)
    con.execute(V0_SCHEMA)
    ev = json.dumps({k: f[k] for k in ("expected", "observed", "report_id", "status")}, sort_keys=True)
    con.execute("INSERT INTO events (fingerprint, finding_id, decision, reason, note, reviewer, decided_at, evidence) "
                "VALUES (?, ?, 'dismissed', 'duplicate', NULL, 'local', '2026-12-01T08:00:00+00:00', ?)",
                (fingerprint(f), f["finding_id"], ev))
    con.commit()
    con.close()
    assert read_store_events(path).event_uid.tolist() == [
        legacy_uid(1, fingerprint(f), f["finding_id"], "dismissed", "local", "2026-12-01T08:00:00+00:00")]
    write(db, "r2", [a], minutes=1)
    # the keys of a version-0 event were filled from the finding it names
    assert rows(db, "SELECT rule_id, agency_id, decision, reason FROM review_events") == [
        ("T3_BALANCE", f["agency_id"], "dismissed", "duplicate")]
    store = ReviewStore(path)
    assert len(store.log()) == 1  # reading upgrades the store in place
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 1
    store.append(f, "confirmed")
    write(db, "r3", [a], minutes=2)
    assert rows(db, "SELECT merged_run_id, decision FROM review_events ORDER BY decided_at") == [
        ("r2", "dismissed"), ("r3", "confirmed")]
    assert rows(db, "SELECT decision FROM reviews") == [("confirmed",)]


def test_store_validates_decisions(tmp_path):
    store = ReviewStore(tmp_path / "r.sqlite")
    f = {"finding_id": "x", "rule_id": "T3_BALANCE", "agency_id": "a", "year": 2023, "report_id": "r",
         "expected": 1.0, "observed": 2.0, "status": "fail"}
    for kwargs, msg in [({"decision": "maybe"}, "decision 'maybe'"), ({"decision": "dismissed"}, "dismissal reason"),
                        ({"decision": "dismissed", "reason": "other"}, "needs a note"),
                        ({"decision": "notified"}, "needs a deadline"),
                        ({"decision": "notified", "deadline": "next week"}, "not a date")]:
        with pytest.raises(ValueError, match=msg):
            store.append(f, **kwargs)
    assert store.log() == []


def test_gongkai_review_writes_the_store_and_the_next_run_merges_it(db):
    from support import invoke, shown

    a = report("a")
    write(db, "r1", [a])
    f = finding(db)
    res = invoke("review", f["finding_id"], "--notify", "--db", str(db))
    assert res.exit_code == 2 and "needs a deadline" in res.output and len(res.output.strip().splitlines()) == 1, shown(res)
    res = invoke("review", f["finding_id"], "--dismiss", "--db", str(db))
    assert res.exit_code == 2 and "needs a note" in res.output, shown(res)
    res = invoke("review", f["finding_id"], "--notify", "--deadline", "2027-01-31", "--reference", "通知〔2027〕1号",
                 "--reviewer", "王五", "--db", str(db))
    assert res.exit_code == 0 and "recorded in" in res.output, shown(res)
    assert one(db, "SELECT count(*) FROM reviews") == 0  # the warehouse is not written by `gongkai review`
    assert [e["decision"] for e in ReviewStore(review_store(db)).log()] == ["notified"]
    write(db, "r2", [a], minutes=1)
    assert rows(db, "SELECT decision, reviewer, reference, CAST(deadline AS VARCHAR) FROM reviews") == [
        ("notified", "王五", "通知〔2027〕1号", "2027-01-31")]
    res = invoke("review", f["finding_id"], "--reopen", "--note", "单位已申辩", "--db", str(db))
    assert res.exit_code == 0, shown(res)
    write(db, "r3", [a], minutes=2)
    assert rows(db, "SELECT decision, note FROM reviews") == [("reopened", "单位已申辩")]


def test_an_unreadable_store_stops_the_run_naming_it(db):
    write(db, "r1", [report("a")])
    review_store(db).write_bytes(b"not a database at all" * 100)
    with pytest.raises(ValueError, match=r"review store .*warehouse\.duckdb\.reviews\.sqlite: cannot be read"):
        write(db, "r2", [report("b")], minutes=1)
    assert one(db, "SELECT count(*) FROM runs") == 1  # nothing published


def test_the_stores_cache_follows_writes_by_other_processes(tmp_path):
    path = tmp_path / "r.sqlite"
    page, cli = ReviewStore(path), ReviewStore(path)  # the dashboard's, and another process's (gongkai review)
    f = {"finding_id": "x", "rule_id": "T3_BALANCE", "agency_id": "a", "year": 2023, "report_id": "r",
         "expected": 1.0, "observed": 2.0, "status": "fail"}
    assert page.all_latest() == {}
    for decision in ("confirmed", "reopened", "confirmed"):  # three writes in quick succession
        cli.append(f, decision)
        assert page.all_latest()[fingerprint(f)]["decision"] == decision
        assert page.latest([fingerprint(f)])[fingerprint(f)]["decision"] == decision
    assert page.all_latest(until="2000-01-01T00:00:00+00:00") == {}  # the history view's cut-off
