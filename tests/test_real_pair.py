"""The real 洪泽 2023/2024 PDFs: one agency across the two titles, carry-over checked, no false finding."""

from __future__ import annotations

import shutil

import duckdb
from conftest import ROOT
from typer.testing import CliRunner

from gongkai.app.cli import app

PDFS = ROOT / "tests" / "fixtures" / "pdf"


def test_hongze_pair_links_and_carry_over_holds(tmp_path, monkeypatch):
    harvest = tmp_path / "harvest"
    harvest.mkdir()
    for name in ("hongze_district_2023.pdf", "hongze_district_2024.pdf"):
        shutil.copy(PDFS / name, harvest / name)
    monkeypatch.setenv("GONGKAI_AGENCIES", str(ROOT / "data" / "agencies.csv"))
    db = tmp_path / "w.duckdb"
    res = CliRunner().invoke(app, ["audit", str(harvest), "--db", str(db), "--workers", "1"])
    assert res.exit_code == 0, res.output
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT agency, agency_id, year FROM reports ORDER BY year").fetchall()
    assert rows == [("洪泽区人民政府", "js-huaian-hongze", 2023), ("淮安市洪泽区人民政府", "js-huaian-hongze", 2024)]
    # region and level come from the registry entry the titles resolved to
    assert con.execute("SELECT DISTINCT region, level FROM reports").fetchall() == [("江苏省/淮安市/洪泽区", "county")]
    assert con.execute("SELECT DISTINCT level FROM agency_year").fetchall() == [("county",)]
    xy = con.execute("""SELECT sum(evaluated), sum(failed), sum(not_assessable) FROM rule_results rr
                        JOIN reports r USING (report_id) WHERE rule_id = 'XY_CARRY_OVER' AND r.year = 2024""").fetchone()
    assert xy[0] >= 1 and xy[1] == 0  # 2024 上年结转 = 2023 结转下年度, checked, no failure
    assert con.execute("SELECT count(*) FROM findings WHERE rule_id = 'XY_CARRY_OVER' AND status = 'fail'").fetchone()[0] == 0
    con.close()
