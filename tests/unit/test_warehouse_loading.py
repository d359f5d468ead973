"""The DuckDB audit warehouse (DESIGN §5), its loading rules: what a run writes, versions and the current
report, findings and rule results kept from their first run, failed runs, reviews kept across runs, and a
bulk load."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from warehouse_support import KEYS, RULES, T0, TABLES, findings_for, one, query, report, results_for, run, sha, write

from gongkai import PARSER_VERSION
from gongkai.checks import CheckResult
from gongkai.report import batch as frames
from gongkai.report.model import ParsedReport
from gongkai.warehouse import connect_readonly, known_report_ids
from gongkai.warehouse.write import record_failed_run, record_reviews, write_run


def failed(tag: str, path: str | None = None, error: str = "CorruptFile: the PDF is truncated") -> ParsedReport:
    return ParsedReport(report_id=sha(tag), source_path=path or f"harvest/{tag}.pdf", source_format="pdf",
                        status="failed", error=error, byte_size=10)


def fingerprint(db: Path, tables: list[str]) -> dict[str, tuple]:
    con = connect_readonly(db)
    try:
        return {t: con.execute(f"SELECT count(*), bit_xor(hash(x)) FROM {t} AS x").fetchone() for t in tables}
    finally:
        con.close()


def test_load_contents(db):
    a, f = report("a"), failed("bad")
    s = write(db, "r1", [a, f])
    assert (s.reports_parsed, s.reports_partial, s.reports_failed) == (1, 0, 1)
    assert (s.files_seen, s.files_new, s.findings_new, s.status) == (2, 2, 2, "completed")
    assert s.findings_by_severity == {"error": 1, "warning": 1}
    r = query(db, f"SELECT * FROM reports WHERE report_id = '{a.report_id}'").iloc[0]
    assert (r.agency_id, r.agency, r.year, r.is_current, r.first_run_id) == ("某某市人民政府", "某某市 人民政府", 2023, True, "r1")
    assert (r.title, r.byte_size, r.notes, r.has_t3, r.parser_version) == (a.title, 1234, "ok", True, PARSER_VERSION)
    assert r.parsed_at == T0.replace(tzinfo=None)
    assert one(db, f"SELECT count(*) FROM cells WHERE report_id = '{a.report_id}'") == len(KEYS)
    blank = query(db, "SELECT value, raw, semantic FROM cells WHERE semantic = 'blank'")
    assert len(blank) == 1 and blank.value.isna().all() and blank.raw.isna().all()
    assert one(db, "SELECT count(*) FROM sections") == 6
    fr = query(db, "SELECT * FROM findings WHERE rule_id = 'T3_BALANCE'").iloc[0]
    assert (fr.run_id, fr.agency_id, fr.year, fr.expected, fr.observed) == ("r1", "某某市人民政府", 2023, 12.0, 13.0)
    runs = query(db, "SELECT * FROM runs").iloc[0]
    assert (runs.status, runs.flow_run_id, runs.harvest, runs.files_seen, runs.reports_failed, runs.findings_new) == (
        "completed", "flow-r1", "data/harvest", 2, 1, 2)
    assert runs.started_at == T0.replace(tzinfo=None) and runs.finished_at >= runs.started_at
    assert runs.gongkai_version and pd.isna(runs.error)
    assert one(db, "SELECT count(*) FROM rules") == len(RULES)
    assert known_report_ids(db) == {a.report_id, f.report_id}
    assert one(db, "SELECT count(*) FROM reviews") == 0


def test_manifest_agency_id_wins(db):
    write(db, "r1", [report("a", agency_id="G-001"), report("b", agency=None, year=2023)])
    got = dict(query(db, "SELECT source_path, coalesce(agency_id, '<NULL>') FROM reports").itertuples(index=False))
    assert got == {"harvest/a.txt": "G-001", "harvest/b.txt": "<NULL>"}


def test_failed_report_has_row_with_error(db):
    f = failed("bad", error="CorruptFile: the PDF is truncated")
    write(db, "r1", [f])
    r = query(db, "SELECT status, error, is_current, agency_id, has_t2 FROM reports").iloc[0]
    assert (r.status, r.error, r.is_current) == ("failed", "CorruptFile: the PDF is truncated", True)
    assert pd.isna(r.agency_id) and pd.isna(r.has_t2)
    assert one(db, "SELECT count(*) FROM cells") == 0 and one(db, "SELECT count(*) FROM sections") == 0
    assert one(db, "SELECT status FROM report_scorecard") == "failed"


def test_same_batch_twice_adds_only_a_runs_row(db):
    reps = [report("a"), report("b", year=2022), failed("bad")]
    write(db, "r1", reps)
    others = [t for t in TABLES if t != "runs"]
    before = fingerprint(db, others)
    s = write(db, "r2", reps, minutes=5)
    assert (s.reports_parsed, s.reports_failed, s.findings_new, s.findings_by_severity) == (0, 0, 0, {})
    assert fingerprint(db, others) == before
    assert query(db, "SELECT run_id, status FROM runs ORDER BY started_at").values.tolist() == [
        ["r1", "completed"], ["r2", "completed"]]


def test_new_version_for_same_agency_year_becomes_current(db):
    v1, v2 = report("a-v1", value=1), report("a-v2", value=2)
    other = report("other", agency="另一个局", year=2023)
    write(db, "r1", [v1, other])
    write(db, "r2", [v2], minutes=1)
    cur = dict(query(db, "SELECT report_id, is_current FROM reports").itertuples(index=False))
    assert cur == {v1.report_id: False, v2.report_id: True, other.report_id: True}
    ay = query(db, "SELECT * FROM agency_year WHERE agency_id = '某某市人民政府'").iloc[0]
    assert (ay.reports, ay.current_report_id, ay.year, ay.errors, ay.warnings) == (2, v2.report_id, 2023, 1, 1)
    assert set(query(db, "SELECT report_id FROM findings_current").report_id) == {v2.report_id, other.report_id}
    assert set(query(db, "SELECT report_id FROM report_scorecard").report_id) == {v2.report_id, other.report_id}
    assert one(db, "SELECT count(*) FROM findings") == 6  # history is kept


def test_versions_within_one_batch_and_by_path(db):
    v1, v2 = report("a-v1", value=1), report("a-v2", value=2)
    write(db, "r1", [v1, v2])  # later in the batch = newer
    assert one(db, "SELECT report_id FROM reports WHERE is_current AND agency IS NOT NULL") == v2.report_id
    # without agency/year: versioned by source_path
    write(db, "r2", [failed("x1", path="harvest/x.pdf")], minutes=1)
    write(db, "r3", [failed("x2", path="harvest/x.pdf")], minutes=2)
    cur = dict(query(db, "SELECT report_id, is_current FROM reports WHERE source_path = 'harvest/x.pdf'").itertuples(index=False))
    assert cur == {sha("x1"): False, sha("x2"): True}
    # a file at that path that now parses supersedes the unidentified failed versions
    write(db, "r4", [report("x3", path="harvest/x.pdf", agency="第三局")], minutes=3)
    cur = dict(query(db, "SELECT report_id, is_current FROM reports WHERE source_path = 'harvest/x.pdf'").itertuples(index=False))
    assert cur == {sha("x1"): False, sha("x2"): False, sha("x3"): True}


def test_identical_file_twice_in_a_batch(db):
    a = report("a")
    copy = report("a", path="harvest/copy-of-a.txt")
    write(db, "r1", [a, copy])
    assert one(db, "SELECT count(*) FROM reports") == 1
    assert one(db, "SELECT count(*) FROM cells") == len(KEYS)
    assert one(db, "SELECT count(*) FROM sections") == 6


def test_rule_results_recorded_when_new_or_changed(db):
    a = report("a")
    write(db, "r1", [a])
    write(db, "r2", [a], minutes=1)
    loader_rules = "SELECT count(*) FROM rule_results WHERE rule_id IN ('T3_BALANCE', 'CELL_BLANK')"  # not the panel's
    assert one(db, loader_rules) == 2
    write(db, "r3", [a], minutes=2, results=results_for(a, failed_count=0))
    assert one(db, loader_rules) == 4
    stats = query(db, "SELECT * FROM rule_stats WHERE rule_id = 'T3_BALANCE'").iloc[0]
    assert (stats.reports_evaluated, stats.reports_failing, stats.findings, stats.title_en) == (
        1, 0, 1, "Table 3 does not balance")


def test_findings_insert_or_ignore_keeps_first_run(db):
    a, b = report("a"), report("b", agency="另一个局", year=2022)  # another agency: no cross-year pair with a
    write(db, "r1", [a])
    s = write(db, "r2", [a, b], minutes=1, findings=findings_for(a, b))
    assert s.findings_new == 2
    assert query(db, "SELECT report_id, min(run_id) AS r FROM findings GROUP BY ALL").set_index("report_id").r.to_dict() == {
        a.report_id: "r1", b.report_id: "r2"}


def test_record_failed_run(db):
    write(db, "r1", [report("a")])
    others = [t for t in TABLES if t != "runs"]
    before = fingerprint(db, others)
    record_failed_run(db, run("r2", minutes=1, files=3), "RuntimeError: disk full\nTraceback (most recent call last): …")
    assert fingerprint(db, others) == before
    r = query(db, "SELECT * FROM runs WHERE run_id = 'r2'").iloc[0]
    assert (r.status, r.error, r.files_seen, r.findings_new) == ("failed", "RuntimeError: disk full", 3, 0)
    assert r.finished_at is not None


def test_record_failed_run_on_new_warehouse(db):
    record_failed_run(db, run("r1"), "boom")
    assert query(db, "SELECT run_id, status, error FROM runs").values.tolist() == [["r1", "failed", "boom"]]
    assert known_report_ids(db) == set()


def test_reviews_survive_later_runs(db):
    a = report("a")
    write(db, "r1", [a])
    fid = findings_for(a).finding_id.tolist()
    n = record_reviews(db, pd.DataFrame({"finding_id": fid, "decision": ["confirmed", "dismissed"],
                                         "note": ["已核实", "误报"], "reviewer": ["张三", "张三"],
                                         "decided_at": [T0, None]}))
    assert n == 2
    before = fingerprint(db, ["reviews"])
    write(db, "r2", [a, report("b", agency="另一个局", year=2022)], minutes=1)
    write(db, "r3", [a], minutes=2, findings=findings_for(a))
    assert fingerprint(db, ["reviews"]) == before
    assert one(db, f"SELECT decided_at FROM reviews WHERE finding_id = '{fid[0]}'") == T0.replace(tzinfo=None)
    got = query(db, f"SELECT finding_id, decision, note FROM findings_current WHERE report_id = '{a.report_id}'")
    assert dict(zip(got.finding_id, got.decision)) == {fid[0]: "confirmed", fid[1]: "dismissed"}
    card = query(db, f"SELECT * FROM report_scorecard WHERE report_id = '{a.report_id}'").iloc[0]
    assert (card.errors, card.warnings, card.confirmed, card.dismissed) == (1, 0, 1, 1)


def _big_batch(n_reports: int, offset: int = 0) -> frames.Batch:
    """n_reports × ~190 template cells, built column-wise with the dtypes of frames.build."""
    proto = frames.build([report("proto")])
    ids = np.array([sha(f"big{i + offset}") for i in range(n_reports)], dtype=object)
    keys = pd.DataFrame(KEYS, columns=["table_id", "row_key", "col_key"])
    k = len(keys)
    rng = np.random.default_rng(1)
    values = rng.integers(0, 3000, n_reports * k).astype("float64")
    cells = pd.DataFrame({
        "report_id": np.repeat(ids, k), "table_id": np.tile(keys.table_id.to_numpy(), n_reports),
        "row_key": np.tile(keys.row_key.to_numpy(), n_reports), "col_key": np.tile(keys.col_key.to_numpy(), n_reports),
        "value": values, "raw": values.astype(int).astype(str), "semantic": "number"}).astype(proto.cells.dtypes.to_dict())
    reports = pd.concat([proto.reports] * n_reports, ignore_index=True)
    reports["report_id"] = pd.array(ids, dtype="string")
    reports["agency"] = pd.array([f"机关{i}" for i in range(n_reports)], dtype="string")
    sections = pd.concat([proto.sections] * n_reports, ignore_index=True)
    sections["report_id"] = pd.array(np.repeat(ids, 6), dtype="string")
    tables = pd.concat([proto.tables] * n_reports, ignore_index=True)
    tables["report_id"] = pd.array(np.repeat(ids, 3), dtype="string")
    return frames.Batch(reports, sections, tables, cells)


def test_bulk_load_of_a_large_batch(db):
    """200,000 cells through the Arrow bulk path (make bench-timings measures a million: ~1.5 s)."""
    n_reports = -(-200_000 // len(KEYS))
    batch = _big_batch(n_reports)
    assert len(batch.cells) >= 200_000
    s = write_run(db, run("big", files=n_reports), batch, CheckResult(pd.DataFrame(), pd.DataFrame(), RULES))
    assert s.reports_parsed == n_reports
    assert one(db, "SELECT count(*) FROM cells") == len(batch.cells)
