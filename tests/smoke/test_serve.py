"""`gongkai serve` on a real Prefect server: served runs go through the deployment and parse on the parser
processes serve started once and keeps warm (no per-run worker start-up), and nothing outlives serve."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import duckdb
import pytest
from support import HARVEST

from gongkai.app import lifeline
from gongkai.synth import write_corpus

GONGKAI = str(Path(sys.executable).with_name("gongkai"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _api(url: str, path: str, body: dict | None = None) -> dict:
    """GET (or POST `body`) on Prefect's API; a 503 (a busy server: SQLite locked under load) is tried again."""
    req = urllib.request.Request(url + path, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"}, method="GET" if body is None else "POST")
    for attempt in range(10):
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            if exc.code != 503 or attempt == 9:
                raise
            time.sleep(1 + attempt)
    raise AssertionError("unreachable")


def _wait(what: str, ok, timeout: float, procs: list[subprocess.Popen], logs: list[Path], every: float = 0.3):
    deadline = time.monotonic() + timeout
    while True:
        try:
            got = ok()
            if got:
                return got
        except Exception:  # noqa: BLE001 - not up yet
            pass
        for p in procs:
            if p.poll() is not None:
                pytest.fail(f"{p.args[:3]} exited ({p.returncode}) waiting for {what}:\n" +
                            "\n".join(f.read_text(errors="replace")[-3000:] for f in logs))
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} after {timeout:g} s:\n" + "\n".join(f.read_text(errors="replace")[-3000:] for f in logs))
        time.sleep(every)


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
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home"), "PREFECT_API_URL": url,
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false", "PYTHONWARNINGS": "ignore"}
    env.pop("PREFECT_LOGGING_CONFIG_PATH", None)
    harvest = tmp_path / "harvest"  # 120 reports: two chunks, which a run without warm workers parses on
    write_corpus(harvest, 60, [2022, 2023], ["txt"], seed=5)  # two processes of its own
    db = tmp_path / "warehouse.duckdb"
    server_log, serve_log = tmp_path / "server.log", tmp_path / "serve.log"
    with server_log.open("wb") as slog, serve_log.open("wb") as vlog:
        server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                                   "--port", str(port), "--no-services"], env=env, stdout=slog, stderr=slog)
        serve = None
        try:
            _wait("Prefect server", lambda: _api(url, "/health"), 180, [server], [server_log])
            serve = subprocess.Popen([GONGKAI, "serve", "--harvest", str(harvest), "--db", str(db), "--workers", "2",
                                      "--cron", "0 0 1 1 *"], env=env, stdout=vlog, stderr=vlog)
            dep = _wait("the nightly deployment", lambda: _api(url, "/deployments/name/gongkai-audit/nightly"),
                        180, [server, serve], [serve_log])
            assert dep["parameters"]["workers_address"].startswith("tcp://127.0.0.1:"), dep["parameters"]
            warm = {pid for pid, (ppid, cmd) in _tree(serve.pid).items() if ppid == serve.pid and "spawn_main" in cmd}
            assert len(warm) == 2, _tree(serve.pid)  # the two parser processes, started once

            seen: dict[int, tuple[int, str]] = {}
            for n, extra in ((1, None), (2, "zz_new_copy.txt")):
                if extra:  # a new report for the second run: the same text, different bytes
                    (harvest / extra).write_bytes(HARVEST.joinpath("wuxing_office_2021.txt").read_bytes())
                _api(url, f"/deployments/{dep['id']}/create_flow_run", {})

                def done(n: int = n) -> bool:
                    seen.update(_tree(serve.pid))
                    return sum(1 for r in _runs(db) if r[0] == "completed") >= n
                _wait(f"served run {n}", done, 240, [server, serve], [serve_log], every=0.1)

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
        finally:
            if serve is not None:
                serve.send_signal(signal.SIGINT)
                try:
                    serve.wait(60)
                except subprocess.TimeoutExpired:
                    serve.kill()
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
    if serve is not None:
        left = [pid for pid in warm if lifeline.stat(pid) is not None and lifeline.stat(pid)[2] not in "ZX"]
        assert left == [], f"warm parser processes outlived serve: {left}"
