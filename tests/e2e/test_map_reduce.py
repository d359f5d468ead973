"""The audit as map–reduce (issue 11): chunk tasks write Parquet shards into a run folder, the load reads them in
one transaction. However the files are cut into chunks, and whichever task runner runs the chunks (this
machine's processes or a Dask cluster), the warehouse is the same; a killed run is recorded as crashed by the
next one, which ends as a clean run would."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from support import HARVEST, contents, invoke, shown, shown_proc

from gongkai.synth import write_corpus
from gongkai.warehouse.write import runfolder


def _audit(harvest: Path, db: Path, *extra: str) -> str:
    res = invoke("audit", str(harvest), "--db", str(db), *extra)
    assert res.exit_code == 0, shown(res)
    return res.output


def _runs(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT run_id, status, error FROM runs ORDER BY started_at").fetchall()
    finally:
        con.close()


@pytest.fixture()
def harvest(tmp_path: Path) -> Path:
    h = tmp_path / "harvest"
    shutil.copytree(HARVEST, h)
    return h


@pytest.fixture()
def reference(tmp_path: Path, harvest: Path) -> dict:
    """The sample harvest audited the usual way (local runner, default chunks)."""
    db = tmp_path / "reference" / "warehouse.duckdb"
    _audit(harvest, db, "--workers", "2")
    return contents(db)


def test_dask_local_cluster_gives_the_same_warehouse_as_the_local_runner(tmp_path, harvest, reference):
    db = tmp_path / "dask" / "warehouse.duckdb"
    out = _audit(harvest, db, "--task-runner", "dask", "--workers", "2", "--chunk-size", "7")
    assert "new files" in out
    assert contents(db) == reference
    assert [s for _, s, _ in _runs(db)] == ["completed"]
    assert not runfolder.runs_dir(db).exists(), "the run folder (shards) outlived the run"


def test_chunking_and_repeated_bytes_across_chunks_do_not_change_the_warehouse(tmp_path, harvest, reference):
    """Chunks of 5 files run by one process's threads (--workers 1: the chunks' checks share one GX context,
    which is not thread-safe), and one report's bytes at a second path that lands in another chunk: the copy
    is the same report (one row, its cells once, its findings once)."""
    shutil.copy(harvest / "wuxing_office_2021.txt", harvest / "zz_copy_of_wuxing_office_2021.txt")
    db = tmp_path / "chunked" / "warehouse.duckdb"
    _audit(harvest, db, "--workers", "1", "--chunk-size", "5")
    got = contents(db)
    assert got == reference
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT files_seen, files_new FROM runs").fetchall() == [(25, 24)]
    finally:
        con.close()


def test_a_killed_audit_is_recorded_crashed_by_the_next_run_which_ends_as_a_clean_run(tmp_path):
    """`kill -9` of a real `gongkai audit` mid-run (after its first shard is written): the next run records it
    'crashed', removes its run folder, and ends with the warehouse a clean audit gives."""
    harvest = tmp_path / "harvest"
    write_corpus(harvest, 150, [2023, 2024], ["txt"], seed=3)
    db = tmp_path / "killed" / "warehouse.duckdb"
    cmd = [sys.executable, "-c", "from gongkai.app.cli import app; app()", "audit", str(harvest), "--db", str(db),
           "--workers", "2", "--chunk-size", "10"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    shard = None
    while time.monotonic() < deadline and proc.poll() is None:
        shard = next(runfolder.runs_dir(db).glob("*/chunk-*/DONE"), None) if runfolder.runs_dir(db).exists() else None
        if shard:
            break
        time.sleep(0.05)
    assert shard is not None and proc.poll() is None, "the audit ended before it could be killed mid-run: " + \
        shown_proc(subprocess.CompletedProcess(cmd, proc.returncode, *proc.communicate()))
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    killed_run = shard.parent.parent.name
    assert [(r, s) for r, s, _ in _runs(db)] == [(killed_run, "running")]

    _audit(harvest, db, "--workers", "2")
    runs = _runs(db)
    assert [(r, s) for r, s, _ in runs][0] == (killed_run, "crashed")
    assert "killed or crashed" in runs[0][2]
    assert [s for _, s, _ in runs] == ["crashed", "completed"]
    assert not (runfolder.runs_dir(db) / killed_run).exists()

    clean = tmp_path / "clean" / "warehouse.duckdb"
    _audit(harvest, clean, "--workers", "2")
    assert contents(db) == contents(clean)
