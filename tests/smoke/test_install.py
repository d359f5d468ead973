"""The wheel as users get it: `pip install .` (not editable) ships flows, schemas and the GX suites under the
gongkai namespace, and `gongkai audit` runs from a directory that is not the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built from the checkout and installed (without its dependencies, which the test
    environment already has) into a folder of its own."""
    work = tmp_path_factory.mktemp("wheel")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work / "dist"), str(ROOT)],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stdout + build.stderr
    wheels = list((work / "dist").glob("gongkai-*.whl"))
    assert len(wheels) == 1, wheels
    site = work / "site"
    inst = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheels[0])],
                          capture_output=True, text=True)
    assert inst.returncode == 0, inst.stdout + inst.stderr
    return site


def test_wheel_has_no_generic_top_level_names_and_ships_the_suites(installed: Path) -> None:
    top = sorted(p.name for p in installed.iterdir() if not p.name.endswith(".dist-info") and p.name != "bin")
    assert top == ["gongkai"], top
    suites = sorted(p.name for p in (installed / "gongkai" / "expectations").glob("*.json"))
    assert suites == ["t3_columns.json", "t3_rows.json", "t4_cases.json"], suites
    for sub in ("flows/audit.py", "flows/nightly.py", "schemas/cells.py", "form/data/cells_2021.csv",
                "form/data/labels.csv", "checks/identities.toml", "checks/rules/cell_blank.py",
                "warehouse/sql/dictionary/comments.sql", "app/prefect_logging.yml"):
        assert (installed / "gongkai" / sub).is_file(), sub
    sql = installed / "gongkai" / "warehouse" / "sql"
    for folder in ("migrations", "views", "rules", "panel"):  # every SQL file of the checkout is in the wheel
        shipped = sorted(p.name for p in (sql / folder).glob("*.sql"))
        assert shipped == sorted(p.name for p in (ROOT / "gongkai" / "warehouse" / "sql" / folder).glob("*.sql")), folder
    web = installed / "gongkai" / "app" / "web"
    for folder in ("templates", "static"):  # the dashboard's templates and vendored assets
        shipped = sorted(p.name for p in (web / folder).iterdir())
        assert shipped == sorted(p.name for p in (ROOT / "gongkai" / "app" / "web" / folder).iterdir()), folder


def test_installed_audit_runs_from_another_directory(installed: Path, tmp_path: Path) -> None:
    """`gongkai audit` of the sample harvest from a directory with no checkout in it: exit 0, the usual
    summary, every module and data file taken from the installed wheel (none from the checkout)."""
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    db = tmp_path / "warehouse.duckdb"
    probe = (
        "import sys, gongkai, gongkai.flows.audit\n"
        "from importlib import resources\n"
        f"site = {str(installed)!r}\n"
        "for m in (gongkai, gongkai.flows.audit):\n"
        "    assert m.__file__.startswith(site), m.__file__\n"
        "suites = str(resources.files('gongkai.expectations'))\n"
        "assert suites.startswith(site), suites\n"
        "from gongkai.app.cli import app\n"
        "sys.argv = ['gongkai', 'audit', sys.argv[1], '--db', sys.argv[2]]\n"
        "app()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(installed), "PREFECT_HOME": str(tmp_path / "prefect")}
    env.pop("GONGKAI_DB", None)
    r = subprocess.run([sys.executable, "-c", probe, str(ROOT / "data" / "harvest"), str(db)], cwd=cwd, env=env,
                       capture_output=True, text=True, timeout=300)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert "files seen 文件" in r.stdout and "findings new 新发现" in r.stdout, out
    assert db.is_file(), out
    assert not (cwd / "data").exists(), out
