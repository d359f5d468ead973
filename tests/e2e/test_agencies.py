"""Agency identity (registry + name normalisation) and sticky reviews."""

from __future__ import annotations

import shutil

import duckdb
from support import REGISTRY, SEED, shown
from typer.testing import CliRunner

from gongkai.app.cli import app
from gongkai.ingest.agencies import Registry
from gongkai.synth.samples import SAMPLES


def test_registry_links_name_variants_by_region():
    reg = Registry.load(REGISTRY)
    # the 洪泽 pair of the real corpus: 2023 titled 洪泽区人民政府, 2024 淮安市洪泽区人民政府
    assert reg.resolve("洪泽区人民政府").agency_id == reg.resolve("淮安市洪泽区人民政府").agency_id == "js-huaian-hongze"
    assert reg.resolve("江苏省淮安市洪泽区人民政府").agency_id == "js-huaian-hongze"
    assert reg.resolve("沭阳县发改局").agency_id == "js-suqian-shuyang-fgj"
    assert reg.resolve("发展和改革局", region="沭阳县").agency_id == "js-suqian-shuyang-fgj"
    assert reg.resolve("淮安市人民政府").agency_id == "js-huaian"
    # a registered region prefix on an unregistered agency is not a match for its parent
    assert reg.resolve("淮安市公安局").status == "unresolved"


def test_ambiguous_names_are_not_guessed(tmp_path):
    path = tmp_path / "agencies.csv"
    path.write_text("agency_id,name,aliases,region,level,parent\n"
                    "a,甲县教育局,,某省/甲县,department,\n"
                    "b,乙县教育局,,某省/乙县,department,\n"
                    "c,丙县财政局,教育财政局,某省/丙县,department,\n"
                    "d,丁县财政局,教育财政局,某省/丁县,department,\n", encoding="utf-8")
    reg = Registry.load(path)
    assert reg.resolve("教育局").status == "unresolved"
    res = reg.resolve("教育财政局")
    assert (res.status, res.candidates, res.agency_id) == ("ambiguous", ("c", "d"), None)
    assert reg.resolve("教育财政局", region="丁县").agency_id == "d"


def test_agencies_command_lists_unresolved_and_reviews_survive_reruns(audited, tmp_path):
    harvest, db = tmp_path / "harvest", tmp_path / "w.duckdb"  # copies: this test writes reviews and runs
    shutil.copytree(audited.harvest, harvest)
    shutil.copy(audited.db, db)
    runs_before = audited.snapshot["runs"] + 1
    runner = CliRunner()

    res = runner.invoke(app, ["agencies", "--db", str(db), "--format", "csv", "--registry", str(REGISTRY)])
    lines = res.output.strip().splitlines()
    # the generated 示范县 agencies are not registered (洪泽, 沭阳 and 五星 are)
    assert res.exit_code == 0, shown(res)
    assert len(lines) == 1 + len({s[1] for s in SAMPLES}) == 1 + 17, shown(res)
    assert all(",unresolved," in line for line in lines[1:]), shown(res)
    res = runner.invoke(app, ["agencies", "--all", "--db", str(db), "--format", "csv", "--registry", str(REGISTRY)])
    assert "五星办事处,五星,wuxing-office,1,2021,2021,registry," in res.output, shown(res)

    con = duckdb.connect(str(db), read_only=True)
    fid = con.execute("SELECT finding_id FROM findings WHERE rule_id = 'T4_TOTAL'").fetchone()[0]
    con.close()
    res = runner.invoke(app, ["review", fid, "--dismiss", "--note", "已更正", "--reviewer", "inspector-1", "--db", str(db)])
    assert res.exit_code == 0, shown(res)
    for i in range(3):  # three re-runs, each with a new file so that the warehouse is really rewritten
        (harvest / f"again_{i}.txt").write_bytes(SEED.read_bytes() + f"\n补充{i}\n".encode())
        res = runner.invoke(app, ["audit", str(harvest), "--db", str(db)])
        assert res.exit_code == 0, shown(res)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT decision, note, reviewer FROM reviews WHERE finding_id = ?", [fid]).fetchall() == [
        ("dismissed", "已更正", "inspector-1")]
    assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == runs_before + 3
    con.close()
    bad = runner.invoke(app, ["review", fid, "--confirm", "--dismiss", "--db", str(db)])
    assert bad.exit_code == 2, shown(bad)
