"""The evidence kept and re-parsing (issue 10 item 6): a warehouse built by an older parser is re-parsed from the
archive by the next run and ends identical to a fresh audit, with its reviews attached; the archive holds every
audited file byte-identical; an archived file that is gone is reported, not fatal.

The older parser is real: `gongkai audit` in a subprocess whose parser (PARSER_VERSION "1") misreads four of
the sample harvest's files the ways parsers do — a 表三 number read wrong (洪泽 2023: 四、结转下年度 总计 5 for 0,
so its T3_BALANCE fails and 洪泽 2024's XY_CARRY_OVER too), a title whose agency is not found, a DOCX it cannot
read, a blank cell read as 0. The next run uses the real parser."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from support import CONTENT_TABLES, REGISTRY, RUN_COLUMNS, invoke, shown, shown_proc

from gongkai import PARSER_VERSION
from gongkai.ingest import archive
from gongkai.warehouse.write import reparse

OLD_PARSER = r'''
import sys
import gongkai
gongkai.PARSER_VERSION = "1"
from gongkai.app import pipeline
from gongkai.report.model import ParsedReport

real = pipeline.parse_bytes

def old(path, data, rid=None):
    r = real(path, data, rid)
    name = path.rsplit("/", 1)[-1]
    if name == "hongze_district_2023.pdf":
        for c in r.cells:
            if (c.table_id, c.row_key, c.col_key) == ("t3", "carried_forward", "total"):
                c.value, c.raw = 5.0, "5"
    elif name == "sample_clean_txt_2023.txt":
        r.agency = None
    elif name == "sample_clean_docx_2023.docx":
        r = ParsedReport(r.report_id, path, "docx", status="failed", error=f"{path}: the old parser cannot read it")
        r.byte_size = len(data)
    elif name == "sample_blank_cell_2023.html":
        c = next(c for c in r.cells if c.semantic == "blank")
        c.semantic, c.value, c.raw = "number", 0.0, "0"
    return r

pipeline.parse_bytes = old
from gongkai.app.cli import app
sys.argv = ["gongkai", *sys.argv[1:]]
app()
'''
MISREAD = ["hongze_district_2023.pdf", "sample_clean_txt_2023.txt", "sample_clean_docx_2023.docx",
           "sample_blank_cell_2023.html"]


def current(db: Path) -> dict[str, list[tuple]]:
    """The warehouse as a fresh audit would have it: tests/support.contents without reparsed_at, with only the
    findings not resolved and only each (report, rule)'s latest rule_results row (the rest is history)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for table in CONTENT_TABLES:
            cols = [c for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index", [table]).fetchall()]
            keep = ", ".join(f't."{c}"' for c in cols if c not in RUN_COLUMNS | {"reparsed_at"})
            sql = f"SELECT {keep} FROM {table} AS t"
            if table == "findings":
                sql += " WHERE t.resolved_run_id IS NULL"
            if table == "rule_results":
                sql += (" JOIN runs AS ru USING (run_id) QUALIFY row_number() OVER "
                        "(PARTITION BY t.report_id, t.rule_id ORDER BY ru.started_at DESC) = 1")
            out[table] = sorted(con.execute(sql).fetchall(), key=repr)
        return out
    finally:
        con.close()


def rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@dataclass(frozen=True)
class Reparsed:
    harvest: Path
    old: Path           # the warehouse the old parser built (+ reviews), never written after
    db: Path            # a copy of it after the next run with the real parser
    output: str         # that run's summary
    fresh: Path         # the sample harvest audited by the real parser (the e2e fixture)
    reviewed: dict[str, str]   # finding_id → what it is


@pytest.fixture(scope="module")
def reparsed(audited, tmp_path_factory) -> Reparsed:
    harvest = Path(rows(audited.db, "SELECT source_path FROM reports LIMIT 1")[0][0]).parent  # same stored paths
    work = tmp_path_factory.mktemp("reparse")
    old = work / "old.duckdb"
    env = {**os.environ, "GONGKAI_AGENCIES": str(REGISTRY)}
    proc = subprocess.run([sys.executable, "-c", OLD_PARSER, "audit", str(harvest), "--db", str(old), "--workers", "1"],
                          capture_output=True, text=True, env=env, cwd=os.getcwd(), timeout=600)
    assert proc.returncode == 0, shown_proc(proc)
    # 洪泽 2024 was parsed the same by both parsers: say so, so that only its cross-year finding is re-evaluated
    # (as a report a newer parser loaded would be), not the report itself
    con = duckdb.connect(str(old))
    try:
        con.execute("UPDATE reports SET parser_version = $v WHERE source_path LIKE '%hongze_district_2024.pdf'",
                    {"v": PARSER_VERSION})
        picked = dict(con.execute("""
            SELECT f.rule_id || ' ' || regexp_extract(r.source_path, '[^/]+$'), f.finding_id
            FROM findings AS f JOIN reports AS r USING (report_id)
            WHERE (f.rule_id = 'T3_BALANCE' AND r.source_path LIKE '%hongze_district_2023.pdf')
               OR (f.rule_id = 'XY_CARRY_OVER' AND r.source_path LIKE '%hongze_district_2024.pdf')
               OR (f.rule_id = 'T3_BALANCE' AND r.source_path LIKE '%sample_t3_balance_2023.html')""").fetchall())
        # a finding resolved before (e.g. by an earlier re-parse) and produced again must be reopened
        con.execute("UPDATE findings SET resolved_run_id = 'earlier' WHERE finding_id = ?",
                    [picked["T3_BALANCE sample_t3_balance_2023.html"]])
    finally:
        con.close()
    assert len(picked) == 3, picked
    for what, fid in picked.items():
        res = invoke("review", fid, "--confirm", "--note", what, "--reviewer", "test", "--db", str(old))
        assert res.exit_code == 0, shown(res)
    db = work / "next.duckdb"   # beside old.duckdb: the same archive/
    shutil.copy(old, db)
    # `gongkai review` records decisions in the review store beside the warehouse; it travels with the copy
    # and the next audit merges it into `reviews`
    shutil.copy(old.with_name(old.name + ".reviews.sqlite"), db.with_name(db.name + ".reviews.sqlite"))
    mp = pytest.MonkeyPatch()
    mp.setenv("GONGKAI_AGENCIES", str(REGISTRY))
    try:
        res = invoke("audit", str(harvest), "--db", str(db), "--workers", "2")
    finally:
        mp.undo()
    assert res.exit_code == 0, shown(res)
    return Reparsed(harvest, old, db, res.output, audited.db, {fid: what for what, fid in picked.items()})


def test_the_old_parser_really_misread(reparsed):
    got = dict(rows(reparsed.old, "SELECT regexp_extract(source_path, '[^/]+$'), status || ' ' || coalesce(agency, '-') "
                                  "FROM reports"))
    assert got["sample_clean_docx_2023.docx"].startswith("failed")
    assert got["sample_clean_txt_2023.txt"] == "parsed -"
    assert rows(reparsed.old, "SELECT count(*) FROM findings WHERE rule_id = 'XY_CARRY_OVER'") == [(1,)]
    assert current(reparsed.old) != current(reparsed.fresh)


def test_next_run_reparses_and_ends_identical_to_a_fresh_audit(reparsed):
    assert f"re-parsed 23 reports (parser 1 → {PARSER_VERSION})" in reparsed.output, reparsed.output
    got, fresh = current(reparsed.db), current(reparsed.fresh)
    for table in CONTENT_TABLES:
        if table != "reviews":  # the test's own decisions (test_reviews_stay_attached_to_their_findings)
            assert got[table] == fresh[table], table
    # the expected differences: resolved findings (kept, never deleted) are exactly the old parser's findings
    # that the real parser does not produce, all resolved by this run …
    old_ids = {f for (f,) in rows(reparsed.old, "SELECT finding_id FROM findings")}
    fresh_ids = {f for (f,) in rows(reparsed.fresh, "SELECT finding_id FROM findings")}
    run_id = rows(reparsed.db, "SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1")[0][0]
    resolved = dict(rows(reparsed.db, "SELECT finding_id, resolved_run_id FROM findings WHERE resolved_run_id IS NOT NULL"))
    assert set(resolved) == old_ids - fresh_ids and resolved
    assert set(resolved.values()) == {run_id}
    assert {r for (r,) in rows(reparsed.db, "SELECT rule_id FROM findings WHERE resolved_run_id IS NOT NULL")} >= {
        "T3_BALANCE", "XY_CARRY_OVER", "PARSE_FAILED"}
    # … rule_results keep the old results as history, and `reparses` says what was re-parsed
    hist = rows(reparsed.db, "SELECT report_id, from_version, to_version, run_id FROM reparses")
    assert len(hist) == 23 and {(f, t, r) for _, f, t, r in hist} == {("1", PARSER_VERSION, run_id)}
    changed = dict(rows(reparsed.db, """SELECT regexp_extract(r.source_path, '[^/]+$'), h.from_status || '→' || h.to_status
                                       FROM reparses AS h JOIN reports AS r USING (report_id)"""))
    assert changed["sample_clean_docx_2023.docx"] == "failed→parsed"
    # the report keeps its identity and first run; it says when it was re-parsed
    keep = "SELECT report_id, first_run_id, source_path, source_url, parsed_at FROM reports ORDER BY report_id"
    assert rows(reparsed.db, keep) == rows(reparsed.old, keep)
    assert rows(reparsed.db, "SELECT count(*) FROM reports WHERE reparsed_at IS NOT NULL") == [(23,)]
    # the run's row counts what the re-parse resolved; nothing new was harvested
    assert rows(reparsed.db, "SELECT files_new, findings_resolved FROM runs WHERE run_id = ?", [run_id]) == [
        (0, len(resolved))]


def test_reviews_stay_attached_to_their_findings(reparsed):
    assert rows(reparsed.old, "SELECT count(*) FROM reviews") == [(0,)]  # recorded in the store, not merged yet
    assert rows(reparsed.db, "SELECT finding_id, decision, note, reviewer FROM reviews ORDER BY finding_id") == \
        sorted((fid, "confirmed", what, "test") for fid, what in reparsed.reviewed.items())
    state = dict(rows(reparsed.db, """SELECT v.finding_id, f.resolved_run_id IS NULL
                                      FROM reviews AS v JOIN findings AS f USING (finding_id)"""))
    by_what = {what: state[fid] for fid, what in reparsed.reviewed.items()}
    assert by_what == {"T3_BALANCE hongze_district_2023.pdf": False,        # the misread is gone: resolved
                       "XY_CARRY_OVER hongze_district_2024.pdf": False,     # its cross-year echo too
                       "T3_BALANCE sample_t3_balance_2023.html": True}      # produced again: reopened
    current_reviews = rows(reparsed.db, "SELECT finding_id FROM findings_current WHERE finding_id IN "
                                        "(SELECT finding_id FROM reviews)")
    assert [f for (f,) in current_reviews] == [f for f, w in reparsed.reviewed.items() if "sample_t3" in w]


def test_the_archive_holds_every_audited_file_byte_identical(reparsed):
    root = reparsed.db.parent / "archive"
    stored = dict(rows(reparsed.db, "SELECT report_id, source_format FROM reports"))
    files = [p for p in reparsed.harvest.iterdir() if p.name != "manifest.jsonl"]
    assert len(files) == len(stored) == 24
    for p in files:
        data = p.read_bytes()
        rid = hashlib.sha256(data).hexdigest()
        kept = archive.find(root, rid, stored[rid])
        assert kept == root / rid[:2] / f"{rid}.{stored[rid]}", p.name
        assert kept.read_bytes() == data, p.name
    assert sorted(q.name.split(".")[0] for q in root.rglob("*") if q.is_file()) == sorted(stored)


def test_a_missing_archive_file_is_reported_and_the_rest_reparsed(reparsed, tmp_path):
    """Two archived files deleted: one whose harvest file moved away (left as it is, one note naming it), one
    whose file is still at its source_path (archived from there, then re-parsed)."""
    db = tmp_path / "old.duckdb"
    shutil.copy(reparsed.old, db)
    store = tmp_path / "kept"
    shutil.copytree(reparsed.db.parent / "archive", store)
    gone, fmt = rows(db, "SELECT report_id, source_format FROM reports WHERE source_path LIKE '%wuxing_office_2021.txt'")[0]
    archive.path_for(store, gone, fmt).unlink()
    con = duckdb.connect(str(db))  # … and its harvest moved away since
    try:
        con.execute("UPDATE reports SET source_path = replace(source_path, 'harvest/', 'moved/') WHERE report_id = ?", [gone])
    finally:
        con.close()
    # a report audited before the archive existed, whose file is still where it was: archived from there
    early, efmt = rows(db, "SELECT report_id, source_format FROM reports WHERE source_path LIKE '%shuyang_fgj_2023.html'")[0]
    archive.path_for(store, early, efmt).unlink()
    mp = pytest.MonkeyPatch()
    mp.setenv("GONGKAI_AGENCIES", str(REGISTRY))
    try:
        skipped = invoke("audit", str(reparsed.harvest), "--db", str(db), "--archive", str(store), "--no-reparse")
        assert skipped.exit_code == 0, shown(skipped)
        assert "re-parsed" not in skipped.output
        assert rows(db, "SELECT count(*) FROM reports WHERE parser_version = '1'") == [(23,)]
        res = invoke("audit", str(reparsed.harvest), "--db", str(db), "--archive", str(store))
    finally:
        mp.undo()
    assert res.exit_code == 0, shown(res)
    assert f"re-parsed 22 reports (parser 1 → {PARSER_VERSION})" in res.output, shown(res)
    assert "1 report(s) to re-parse left as they are: their bytes are not in the archive" in res.output, shown(res)
    assert "wuxing_office_2021.txt" in res.output
    assert rows(db, "SELECT parser_version, reparsed_at FROM reports WHERE report_id = ?", [gone]) == [("1", None)]
    assert rows(db, "SELECT count(*) FROM reports WHERE parser_version = ?", [PARSER_VERSION]) == [(23,)]
    assert archive.find(store, early, efmt).read_bytes() == (reparsed.harvest / "shuyang_fgj_2023.html").read_bytes()
    assert rows(db, "SELECT reparsed_at IS NOT NULL FROM reports WHERE report_id = ?", [early]) == [(True,)]


def test_targets_are_older_versions_or_with_force_any_other(audited, tmp_path):
    db = tmp_path / "w.duckdb"
    shutil.copy(audited.db, db)
    con = duckdb.connect(str(db))
    try:
        ids = [r for (r,) in con.execute("SELECT report_id FROM reports ORDER BY source_path LIMIT 4").fetchall()]
        for rid, version in zip(ids, ["1", None, str(int(PARSER_VERSION) + 1), "x"], strict=True):
            con.execute("UPDATE reports SET parser_version = ? WHERE report_id = ?", [version, rid])
        con.execute("UPDATE reports SET manifest = NULL WHERE report_id = ?", [ids[0]])
        stored = con.execute("SELECT source_url, agency_id, region, level FROM reports WHERE report_id = ?",
                             [ids[0]]).fetchone()
        manifest = con.execute("SELECT manifest FROM reports WHERE report_id = ?", [ids[1]]).fetchone()[0]
    finally:
        con.close()
    auto = {t.report_id: t for t in reparse.targets(db)}
    assert set(auto) == {ids[0], ids[1], ids[3]}  # older, unknown, not a number; never a newer one
    assert {t.report_id for t in reparse.targets(db, force=True)} == set(ids)
    assert reparse.targets(tmp_path / "none.duckdb") == []
    # a report loaded before reports.manifest existed keeps what a manifest or the registry may have given
    assert auto[ids[0]].manifest == {k: v for k, v in zip(["url", "agency_id", "region", "level"], stored, strict=True)
                                     if v is not None}
    assert auto[ids[1]].manifest == json.loads(manifest)
