"""The agency registry is found beside the warehouse (or $GONGKAI_AGENCIES, or --registry), never relative to
the current directory (issue 10, item 5): the same harvest audited from two working directories gives the
same agency_ids, and the real 洪泽 pair links from a directory that is not the checkout."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from support import HARVEST, REGISTRY, invoke, shown

from gongkai.ingest.agencies import RegistryNotFound, find_registry

FILES = ["hongze_district_2023.pdf", "hongze_district_2024.pdf", "wuxing_office_2021.txt"]
HONGZE = [("洪泽区人民政府", "js-huaian-hongze", 2023), ("淮安市洪泽区人民政府", "js-huaian-hongze", 2024)]
DECOY = ("agency_id,name,aliases,region,level,parent\n"
         "decoy-hongze,洪泽区人民政府,淮安市洪泽区人民政府,江苏省/淮安市/洪泽区,county,\n"
         "decoy-wuxing,五星办事处,五星街道办事处,五星,township,\n")


def _ids(db: Path) -> list[tuple[str, str, int]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT agency, agency_id, year FROM reports ORDER BY source_path").fetchall()
    finally:
        con.close()


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A checkout-like folder (data/harvest with the sample files, data/agencies.csv the bundled registry) and
    another folder whose cwd-relative data/agencies.csv and agencies.csv are decoys that must never be read."""
    checkout = tmp_path / "checkout"
    (checkout / "data" / "harvest").mkdir(parents=True)
    for name in FILES:
        shutil.copy(HARVEST / name, checkout / "data" / "harvest" / name)
    shutil.copy(REGISTRY, checkout / "data" / "agencies.csv")
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "data").mkdir(parents=True)
    (elsewhere / "data" / "agencies.csv").write_text(DECOY, encoding="utf-8")
    (elsewhere / "agencies.csv").write_text(DECOY, encoding="utf-8")
    monkeypatch.delenv("GONGKAI_AGENCIES", raising=False)
    monkeypatch.delenv("GONGKAI_DB", raising=False)
    return checkout, elsewhere


def test_find_registry_order_and_never_the_cwd(places, tmp_path, monkeypatch):
    checkout, elsewhere = places
    monkeypatch.chdir(elsewhere)
    lone = tmp_path / "lone" / "warehouse.duckdb"  # a warehouse folder without a registry
    assert find_registry(lone) is None                      # the cwd's data/agencies.csv and agencies.csv: ignored
    assert find_registry(None) is None
    assert find_registry(checkout / "data" / "warehouse.duckdb") == checkout / "data" / "agencies.csv"
    monkeypatch.chdir(checkout)
    assert find_registry(Path("data/warehouse.duckdb")) == checkout / "data" / "agencies.csv"  # absolute
    monkeypatch.setenv("GONGKAI_AGENCIES", str(REGISTRY))
    assert find_registry(lone) == REGISTRY                  # $GONGKAI_AGENCIES before the warehouse's folder
    assert find_registry(lone, elsewhere / "agencies.csv") == elsewhere / "agencies.csv"  # --registry first
    with pytest.raises(RegistryNotFound, match="missing.csv \\(--registry\\) does not exist"):
        find_registry(lone, tmp_path / "missing.csv")
    monkeypatch.setenv("GONGKAI_AGENCIES", str(tmp_path / "gone.csv"))
    with pytest.raises(RegistryNotFound, match="GONGKAI_AGENCIES"):
        find_registry(lone)


def test_same_harvest_same_agency_ids_from_any_directory(places, tmp_path, monkeypatch):
    checkout, elsewhere = places
    # 1. `make audit` / the README quick start: in the checkout, default warehouse data/warehouse.duckdb
    monkeypatch.chdir(checkout)
    res = invoke("audit", "data/harvest", "--workers", "2", "--chunk-size", "1")  # spawned parser workers
    assert res.exit_code == 0, shown(res)
    assert f"agencyregistry:{checkout / 'data' / 'agencies.csv'}" in "".join(res.output.split()), shown(res)
    home = _ids(checkout / "data" / "warehouse.duckdb")
    assert [r for r in home if r[1] == "js-huaian-hongze"] == HONGZE
    assert ("五星办事处", "wuxing-office", 2021) in home

    # 2. from another directory (decoy registries in its cwd), a warehouse with the registry beside it
    monkeypatch.chdir(elsewhere)
    beside = tmp_path / "beside" / "warehouse.duckdb"
    beside.parent.mkdir()
    shutil.copy(REGISTRY, beside.parent / "agencies.csv")
    res = invoke("audit", str(checkout / "data" / "harvest"), "--db", str(beside), "--workers", "2", "--chunk-size", "1")
    assert res.exit_code == 0, shown(res)
    assert _ids(beside) == home

    # 3. from there again, the registry given with --registry, a warehouse folder without one
    explicit = tmp_path / "explicit" / "warehouse.duckdb"
    res = invoke("audit", str(checkout / "data" / "harvest"), "--db", str(explicit),
                 "--registry", str(checkout / "data" / "agencies.csv"), "--workers", "1")
    assert res.exit_code == 0, shown(res)
    assert _ids(explicit) == home

    # 4. no registry anywhere it is looked for: the cwd's decoys are still not used (names, not decoy ids)
    bare = tmp_path / "bare" / "warehouse.duckdb"
    res = invoke("audit", str(checkout / "data" / "harvest"), "--db", str(bare), "--workers", "1")
    assert res.exit_code == 0, shown(res)
    assert "agency registry: none" in res.output, shown(res)
    ids = {aid for _, aid, _ in _ids(bare)}
    assert not any(a.startswith("decoy") for a in ids) and "js-huaian-hongze" not in ids, ids

    # a registry named explicitly must exist: one line, exit 2, nothing written
    res = invoke("audit", str(checkout / "data" / "harvest"), "--db", str(tmp_path / "x" / "w.duckdb"),
                 "--registry", str(tmp_path / "nope.csv"))
    assert res.exit_code == 2 and "nope.csv (--registry) does not exist" in res.output, shown(res)
    assert not (tmp_path / "x").exists()


def test_audit_help_names_where_the_registry_is_found():
    res = invoke("audit", "--help")
    assert res.exit_code == 0, shown(res)
    text = " ".join(res.output.replace("│", " ").split())
    assert "else agencies.csv beside the warehouse (data/agencies.csv for data/warehouse.duckdb)" in text
    assert "--registry" in text and "beside the warehouse" in text and "never the current directory" in text
