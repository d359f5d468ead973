"""Identity from the national division list through the real audit (issue 10 item 5): the 洪泽 pair links and
is checked for carry-over from any working directory with no registry; the registry still wins; migration
0010 re-derives a warehouse written before it so that its pairs link and are checked."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from support import HARVEST, REGISTRY, invoke, shown

from gongkai.warehouse.write import migrate

FILES = ["hongze_district_2023.pdf", "hongze_district_2024.pdf", "shuyang_fgj_2023.html", "wuxing_office_2021.txt"]
DECOY = "agency_id,name,aliases,region,level,parent\ndecoy,洪泽区人民政府,淮安市洪泽区人民政府,江苏省/淮安市/洪泽区,county,\n"
IDENTITY = "SELECT source_path, agency, agency_id, region, level, division_code, year, is_current FROM reports ORDER BY source_path"


def _q(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _carry_over(db: Path, agency_id: str) -> tuple:
    """XY_CARRY_OVER on the 2024 report, the latest result: (evaluated, failed), and its failing findings."""
    res = _q(db, f"""SELECT rr.evaluated, rr.failed FROM rule_results rr JOIN reports r USING (report_id)
                     WHERE rr.rule_id = 'XY_CARRY_OVER' AND r.agency_id = '{agency_id}' AND r.year = 2024
                     ORDER BY rr.run_id DESC LIMIT 1""")[0]
    fails = _q(db, f"SELECT count(*) FROM findings WHERE rule_id = 'XY_CARRY_OVER' AND agency_id = '{agency_id}'")[0][0]
    return (*res, fails)


@pytest.fixture
def harvest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The real 洪泽 pair, 沭阳 and the seed; the working directory is elsewhere and holds decoy registries."""
    h = tmp_path / "harvest"
    h.mkdir()
    for name in FILES:
        shutil.copy(HARVEST / name, h / name)
    cwd = tmp_path / "cwd"
    (cwd / "data").mkdir(parents=True)
    (cwd / "agencies.csv").write_text(DECOY, encoding="utf-8")
    (cwd / "data" / "agencies.csv").write_text(DECOY, encoding="utf-8")
    monkeypatch.chdir(cwd)
    monkeypatch.delenv("GONGKAI_AGENCIES", raising=False)
    monkeypatch.delenv("GONGKAI_DB", raising=False)
    return h


def test_hongze_pair_links_and_is_checked_without_registry_from_anywhere(harvest, tmp_path):
    db = tmp_path / "w" / "warehouse.duckdb"
    res = invoke("audit", str(harvest), "--db", str(db), "--workers", "1")
    assert res.exit_code == 0 and "agency registry: none" in res.output, shown(res)
    rows = _q(db, IDENTITY)
    assert [r[1:] for r in rows] == [
        ("洪泽区人民政府", "320813:人民政府", "江苏省/淮安市/洪泽区", "county", "320813", 2023, True),
        ("淮安市洪泽区人民政府", "320813:人民政府", "江苏省/淮安市/洪泽区", "county", "320813", 2024, True),
        ("沭阳县发展和改革局", "321322:发展和改革局", "江苏省/宿迁市/沭阳县", "county", "321322", 2023, True),
        ("五星办事处", "五星办事处", None, None, None, 2021, True),
    ]
    evaluated, failed, fails = _carry_over(db, "320813:人民政府")
    assert evaluated >= 1 and failed == 0 and fails == 0  # 2024 上年结转 = 2023 结转下年度, checked
    assert _q(db, "SELECT agency_id, division_code, year FROM agency_year WHERE division_code = '320813' ORDER BY year") == [
        ("320813:人民政府", "320813", 2023), ("320813:人民政府", "320813", 2024)]
    # `gongkai agencies` shows how each was resolved and the code
    res = invoke("agencies", "--all", "--db", str(db), "--format", "csv")
    assert res.exit_code == 0, shown(res)
    assert "淮安市洪泽区人民政府,江苏省/淮安市/洪泽区,320813:人民政府,1,2024,2024,division,,320813" in res.output, shown(res)
    assert "五星办事处,,五星办事处,1,2021,2021,no registry,," in res.output, shown(res)


def test_the_registry_still_wins(harvest, tmp_path):
    db = tmp_path / "w" / "warehouse.duckdb"
    res = invoke("audit", str(harvest), "--db", str(db), "--registry", str(REGISTRY), "--workers", "1")
    assert res.exit_code == 0, shown(res)
    assert [r[2:6] for r in _q(db, IDENTITY)] == [
        ("js-huaian-hongze", "江苏省/淮安市/洪泽区", "county", "320813"),
        ("js-huaian-hongze", "江苏省/淮安市/洪泽区", "county", "320813"),
        ("js-suqian-shuyang-fgj", "江苏省/宿迁市/沭阳县", "department", "321322"),
        ("wuxing-office", "五星", "township", None),
    ]
    assert _carry_over(db, "js-huaian-hongze")[:2][1] == 0


def _as_before_0010(db: Path) -> None:
    """Rewind a warehouse to what the code before migration 0010 wrote for the same harvest with no registry
    (checked by hand against one audited by commit 9c94c2e: the same agency_id, region, level on every report):
    agency_id the whitespace-stripped name, no region or level, no division_code column nor rederived_reports, each spelling of 洪泽
    its own agency (so no cross-year result for the pair), 0010 not applied."""
    con = duckdb.connect(str(db))
    try:
        con.execute("ALTER TABLE reports DROP COLUMN division_code")
        con.execute("DROP TABLE rederived_reports")
        con.execute("UPDATE reports SET agency_id = regexp_replace(agency, '\\s+', '', 'g'), region = NULL, level = NULL")
        con.execute("UPDATE findings AS f SET agency_id = r.agency_id FROM reports AS r WHERE r.report_id = f.report_id")
        con.execute("DELETE FROM findings WHERE rule_id LIKE 'XY\\_%' ESCAPE '\\'")
        con.execute("UPDATE rule_results SET evaluated = 0, failed = 0, not_assessable = 0 WHERE rule_id LIKE 'XY\\_%' ESCAPE '\\'")
        con.execute("DELETE FROM schema_migrations WHERE version = 10")
        con.execute("CHECKPOINT")
    finally:
        con.close()


@pytest.mark.parametrize("first_write", ["audit", "review"])
def test_migration_0010_rederives_a_warehouse_written_before_it(harvest, tmp_path, first_write):
    """The next audit migrates, links the pair and checks it; also when the first write after the upgrade was
    a review (the migration runs then, the pair is checked by the audit after it)."""
    fresh, old = tmp_path / "fresh" / "warehouse.duckdb", tmp_path / "old" / "warehouse.duckdb"
    res = invoke("audit", str(harvest), "--db", str(fresh), "--workers", "1")
    assert res.exit_code == 0, shown(res)
    old.parent.mkdir()
    shutil.copy(fresh, old)
    _as_before_0010(old)
    assert _q(old, "SELECT agency_id FROM reports ORDER BY source_path") == [
        ("洪泽区人民政府",), ("淮安市洪泽区人民政府",), ("沭阳县发展和改革局",), ("五星办事处",)]
    assert _carry_over(old, "淮安市洪泽区人民政府")[0] == 0  # the pair was never compared

    latest = max(m.version for m in migrate.available())
    if first_write == "review":  # decisions published by a program (`gongkai review` writes the review store)
        import pandas as pd

        from gongkai.warehouse.write import record_reviews

        fid = _q(old, "SELECT finding_id FROM findings WHERE rule_id = 'T4_TOTAL' ORDER BY finding_id LIMIT 1")[0][0]
        record_reviews(old, pd.DataFrame([{"finding_id": fid, "decision": "confirmed", "note": None,
                                           "reviewer": "test", "decided_at": None}]))
        assert _q(old, "SELECT max(version) FROM schema_migrations") == [(latest,)]
        assert _q(old, "SELECT count(*) FROM rederived_reports") == [(3,)]  # 洪泽 × 2, 沭阳: ids changed
        assert _carry_over(old, "320813:人民政府")[0] == 0  # linked, not yet checked
    res = invoke("audit", str(harvest), "--db", str(old), "--workers", "1")  # nothing new: the migration runs
    assert res.exit_code == 0, shown(res)
    assert _q(old, "SELECT max(version) FROM schema_migrations") == [(latest,)]
    assert _q(old, "SELECT count(*) FROM rederived_reports") == [(0,)]
    assert _q(old, IDENTITY) == _q(fresh, IDENTITY)  # the identity a fresh audit gives
    assert _q(old, "SELECT DISTINCT f.agency_id = r.agency_id FROM findings f JOIN reports r USING (report_id)") == [(True,)]
    evaluated, failed, fails = _carry_over(old, "320813:人民政府")
    assert evaluated >= 1 and (failed, fails) == (0, 0)  # the pair linked by the migration is checked now
    assert _carry_over(old, "320813:人民政府")[0] == _carry_over(fresh, "320813:人民政府")[0]


def test_migration_0010_keeps_one_current_version_per_agency_year(tmp_path, monkeypatch):
    """Two spellings of one agency for the same year were two agency-years before 0010, each current; after it
    they are one agency-year and only the newer report is current."""
    monkeypatch.delenv("GONGKAI_AGENCIES", raising=False)
    h = tmp_path / "h"
    h.mkdir()
    page = (HARVEST / "shuyang_fgj_2023.html").read_bytes()
    (h / "a.html").write_bytes(page)
    db = tmp_path / "warehouse.duckdb"
    assert invoke("audit", str(h), "--db", str(db), "--workers", "1").exit_code == 0
    (h / "b.html").write_bytes(page + "<!-- 更正 -->".encode())  # a later version, its agency spelt with the city
    (h / "manifest.jsonl").write_text('{"path": "b.html", "agency": "宿迁市沭阳县发展和改革局"}\n', encoding="utf-8")
    res = invoke("audit", str(h), "--db", str(db), "--workers", "1")
    assert res.exit_code == 0, shown(res)
    after = [("a.html", "321322:发展和改革局", False), ("b.html", "321322:发展和改革局", True)]
    assert _q(db, "SELECT parse_filename(source_path), agency_id, is_current FROM reports ORDER BY source_path") == after
    _as_before_0010(db)
    con = duckdb.connect(str(db))
    con.execute("UPDATE reports SET is_current = true")  # as before 0010: two agency-years, both current
    con.close()
    assert _q(db, "SELECT agency_id FROM reports ORDER BY source_path") == [("沭阳县发展和改革局",), ("宿迁市沭阳县发展和改革局",)]
    assert invoke("audit", str(h), "--db", str(db), "--workers", "1").exit_code == 0
    assert _q(db, "SELECT parse_filename(source_path), agency_id, is_current FROM reports ORDER BY source_path") == after


def test_a_name_fitting_two_places_stays_unresolved_with_a_note(tmp_path, monkeypatch):
    """朝阳区 (北京 and 长春): no code, the name as agency_id, a note naming both, listed by `gongkai agencies`;
    北京市朝阳区 the same year is another agency with its code."""
    monkeypatch.delenv("GONGKAI_AGENCIES", raising=False)
    h = tmp_path / "h"
    h.mkdir()
    seed = (HARVEST / "wuxing_office_2021.txt").read_bytes()
    (h / "a.txt").write_bytes(seed)
    (h / "b.txt").write_bytes(seed + "\n（北京）\n".encode())
    (h / "manifest.jsonl").write_text('{"path": "a.txt", "agency": "朝阳区人民政府"}\n'
                                      '{"path": "b.txt", "agency": "北京市朝阳区人民政府"}\n', encoding="utf-8")
    db = tmp_path / "warehouse.duckdb"
    res = invoke("audit", str(h), "--db", str(db), "--workers", "1")
    assert res.exit_code == 0, shown(res)
    (a_id, a_region, a_code, a_notes), (b_id, b_region, b_code, _) = _q(
        db, "SELECT agency_id, region, division_code, notes FROM reports ORDER BY source_path")
    assert (a_id, a_region, a_code) == ("朝阳区人民政府", None, None)
    assert "fits several divisions (110105 北京市/朝阳区, 220104 吉林省/长春市/朝阳区)" in a_notes, a_notes
    assert (b_id, b_region, b_code) == ("110105:人民政府", "北京市/朝阳区", "110105")
    res = invoke("agencies", "--db", str(db), "--format", "csv")
    assert res.exit_code == 0, shown(res)
    assert res.output.strip().splitlines()[1:] == ["朝阳区人民政府,,朝阳区人民政府,1,2021,2021,ambiguous,\"110105, 220104\","], shown(res)
