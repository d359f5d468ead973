"""`gongkai serve` on a real Prefect server: served runs go through the deployment and parse on the parser
processes serve started once and keeps warm (no per-run worker start-up), and nothing outlives serve."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import duckdb
import pytest
from support import HARVEST, ROOT

from gongkai.app import lifeline
from gongkai.synth import write_corpus

# the Prefect server + `gongkai serve` harness and its API helpers are bench/bench_serve.py's (one copy)
_spec = importlib.util.spec_from_file_location("gongkai_bench_serve", ROOT / "bench" / "bench_serve.py")
bench_serve = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_serve)



def _tree(root: int) -> dict[int, tuple[int, str]]:
    """pid → (ppid, cmdline) of root's descendants."""
    procs: dict[int, tuple[int, str]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            st = lifeline.stat(int(d))
            try:
                cmd = Path(f"/proc/{d}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if st is not None:
                procs[int(d)] = (st[0], cmd)
    out, todo = {}, [root]
    while todo:
        pid = todo.pop()
        for child, (ppid, cmd) in procs.items():
            if ppid == pid:
                out[child] = (ppid, cmd)
                todo.append(child)
    return out


def _runs(db: Path) -> list[tuple]:
    if not db.exists():
        return []
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT status, files_seen, files_new FROM runs ORDER BY started_at").fetchall()
    finally:
        con.close()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc (Linux)")
def test_served_runs_parse_on_the_warm_workers_serve_keeps(tmp_path):
    harvest = tmp_path / "harvest"  # 120 reports: two chunks, which a run without warm workers parses on
    write_corpus(harvest, 60, [2022, 2023], ["txt"], seed=5)  # two processes of its own
    db = tmp_path / "warehouse.duckdb"
    with bench_serve.served(tmp_path, harvest, db, 2) as (url, dep, serve, _):
        address = dep["parameters"]["workers_address"]  # a Unix socket in a private folder (gongkai.app.warm_pool)
        assert Path(address).is_socket() and Path(address).parent.stat().st_mode & 0o077 == 0, dep["parameters"]
        warm = {pid for pid, (ppid, cmd) in _tree(serve.pid).items() if ppid == serve.pid and "spawn_main" in cmd}
        assert len(warm) == 2, _tree(serve.pid)  # the two parser processes, started once

        seen: dict[int, tuple[int, str]] = {}
        for n, extra in ((1, None), (2, "zz_new_copy.txt")):
            if extra:  # a new report for the second run: the same text, different bytes
                (harvest / extra).write_bytes(HARVEST.joinpath("wuxing_office_2021.txt").read_bytes())
            bench_serve.api(url, f"/deployments/{dep['id']}/create_flow_run", {})

            def done(n: int = n) -> bool:
                seen.update(_tree(serve.pid))
                return sum(1 for r in _runs(db) if r[0] == "completed") >= n
            bench_serve.wait(f"served run {n}", done, 240, [serve], (tmp_path / "serve.log",))

        runs = _runs(db)
        n_files = sum(1 for p in harvest.rglob("*") if p.is_file() and not p.name.startswith(".")
                      and p.name != "manifest.jsonl") - 1
        assert runs == [("completed", n_files, n_files), ("completed", n_files + 1, 1)], runs
        # every parser process ever seen under serve is one of the two warm ones: no run started its own
        flow_runs = {pid for pid, (ppid, cmd) in seen.items() if ppid == serve.pid and pid not in warm}
        own = {pid: cmd for pid, (ppid, cmd) in seen.items() if ppid in flow_runs and "spawn_main" in cmd}
        assert flow_runs, "no flow-run subprocess was seen"
        assert own == {}, own
        assert warm <= set(_tree(serve.pid)), "a warm parser process died"
    left = [pid for pid in warm if lifeline.stat(pid) is not None and lifeline.stat(pid)[2] not in "ZX"]
    assert left == [], f"warm parser processes outlived serve: {left}"
