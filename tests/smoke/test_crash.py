"""Crash hygiene: a `gongkai audit` killed with SIGKILL mid-run leaves no process behind (its Prefect API server,
its parser processes and everything below them die with it: gongkai/app/lifeline.py), and a writer killed
mid-publication leaves a temp file beside the warehouse that the next write removes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from support import shown_proc

from gongkai.app import lifeline
from gongkai.synth import write_corpus
from gongkai.warehouse.write.publish import publishing, remove_stale_temps

GONGKAI = str(Path(sys.executable).with_name("gongkai"))
# exec the command with SIGINT at its default, as a terminal's foreground job has it, whatever the test runner
# inherited (a background job of a non-interactive shell, e.g. `make test &`, starts with SIGINT ignored)
FOREGROUND = [sys.executable, "-c", "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
              "os.execv(sys.argv[1], sys.argv[1:])"]
pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds processes in /proc (Linux)")


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _until(predicate, what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:g} s: {what}")
        time.sleep(0.05)


def _audit_mid_run(tmp_path: Path, existing: bool = False) -> tuple[subprocess.Popen, dict[tuple[int, int], str]]:
    """A `gongkai audit` of 600 generated files (in a session of its own, as a terminal's foreground process group
    is), returned once its Prefect API server and its parser processes run and its first chunk has begun (its
    `running` row is published by then), with every descendant seen so far: (pid, start time) → command line.
    `existing`: into a warehouse a first audit (of one other file) made, whose parser processes the run starts at
    its map step rather than as its first step (gongkai.app.pipeline.started_workers)."""
    if existing:
        first = tmp_path / "first"
        write_corpus(first, 1, [2021], ["txt"], seed=3)
        made = subprocess.run([GONGKAI, "audit", str(first), "--db", str(tmp_path / "w.duckdb"), "--workers", "2"],
                              cwd=tmp_path, capture_output=True, text=True, timeout=600)
        assert made.returncode == 0, shown_proc(made)
    harvest = tmp_path / "harvest"
    write_corpus(harvest, 150, range(2022, 2024), ["txt", "html"], seed=11, truth=tmp_path / "truth.jsonl")  # 600 files
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    with open(tmp_path / "out.txt", "w") as out, open(tmp_path / "err.txt", "w") as err:
        cli = subprocess.Popen([*FOREGROUND, GONGKAI, "audit", str(harvest), "--db", str(tmp_path / "w.duckdb"),
                                "--workers", "2"], cwd=tmp_path, env=env, stdout=out, stderr=err, start_new_session=True)
    seen: dict[tuple[int, int], str] = {}  # (pid, start time) -> command line of every descendant ever seen
    start = lifeline.stat(cli.pid)[1]
    deadline = time.monotonic() + 180  # Prefect's API server takes 6–20 s to start on a loaded machine

    def mid_run() -> bool:
        table = lifeline.processes()
        now = []
        for pid, st in lifeline.descendants({cli.pid: start}, table).items():
            now.append(_cmdline(pid))  # the latest: a child read between its fork and its exec shows its parent's
            seen[(pid, st)] = now[-1] or seen.get((pid, st), "")
        return (any("uvicorn" in c for c in now) and any("multiprocessing.spawn" in c for c in now)
                and any(tmp_path.glob(".w.duckdb.runs/*/chunk-*")))

    try:
        while not mid_run():
            if cli.poll() is not None:
                pytest.fail("the audit ended before its Prefect server and parser processes were seen parsing "
                            f"(a larger harvest is needed): {shown_proc(_ended(cli, tmp_path))}")
            assert time.monotonic() < deadline, f"no Prefect server and parser processes after 180 s: {seen}"
            time.sleep(0.05)
    except BaseException:
        cli.kill()
        cli.wait()
        raise
    return cli, seen


def _ended(cli: subprocess.Popen, tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.CompletedProcess(cli.args, cli.returncode, (tmp_path / "out.txt").read_text(),
                                       (tmp_path / "err.txt").read_text())


def _nothing_left(seen: dict[tuple[int, int], str]) -> None:
    """Every process of the ended audit ends (its watchdog's last sweep), none started later escaped."""
    tokens = {c.split()[-3] for c in seen.values() if "lifeline.py" in c}  # the watchdog's argv: pid token poll grace

    def left() -> list[str]:
        return [c[:120] for (pid, st), c in seen.items() if lifeline.alive(pid, st)]

    try:
        _until(lambda: not left(), f"every process of the ended audit ended; still running: {left()}", timeout=10)
        assert len(tokens) == 1 and any("uvicorn" in c for c in seen.values()), f"one watchdog, one server: {seen}"
        assert lifeline.carrying(tokens.pop(), lifeline.processes()) == {}  # none started later escaped the snapshots
    finally:  # a failed test must not leave its orphans on a shared machine either
        for pid, st in seen:
            lifeline.send(pid, st, signal.SIGKILL)


def test_kill_9_of_a_running_audit_leaves_no_process_behind(tmp_path):
    cli, seen = _audit_mid_run(tmp_path)
    cli.kill()
    cli.wait()
    _nothing_left(seen)


@pytest.mark.parametrize("warehouse", ["new", "existing"])
def test_ctrl_c_of_a_running_audit_ends_it_at_once_with_one_line_and_the_next_run_records_it_crashed(tmp_path,
                                                                                                     warehouse):
    """Ctrl-C (SIGINT to the foreground process group: the command, its parser processes, multiprocessing's
    resource tracker) ends the audit within seconds with exit code 130 and one line on stderr — no Prefect log,
    no traceback, no resource-tracker warning — and nothing left running; the next run records it as crashed.
    Into a new warehouse the parser processes were started as the command's first step, into an existing one at
    its map step."""
    cli, seen = _audit_mid_run(tmp_path, existing=warehouse == "existing")
    try:
        os.killpg(cli.pid, signal.SIGINT)
        cli.wait(20)
    finally:
        cli.kill()
        cli.wait()
    proc = _ended(cli, tmp_path)
    assert proc.returncode == 130, shown_proc(proc)
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: interrupted (Ctrl-C)"), shown_proc(proc)
    _nothing_left(seen)
    again = subprocess.run([GONGKAI, "audit", str(tmp_path / "harvest"), "--db", str(tmp_path / "w.duckdb"),
                            "--workers", "2"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, shown_proc(again)
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    try:
        runs = con.execute("SELECT status, files_new FROM runs ORDER BY started_at").fetchall()
    finally:
        con.close()
    before = ["completed"] if warehouse == "existing" else []
    assert [r[0] for r in runs] == [*before, "crashed", "completed"] and runs[-1][1] == 600, runs


def test_a_publication_killed_mid_way_leaves_a_temp_file_the_next_write_removes(tmp_path):
    db = tmp_path / "w.duckdb"
    with publishing(db) as con:
        con.execute("CREATE TABLE t AS SELECT 1 AS x")
    writer = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\nfrom pathlib import Path\nfrom gongkai.warehouse.write.publish import publishing\n"
        f"with publishing(Path({str(db)!r})) as con:\n"
        "    con.execute('INSERT INTO t VALUES (2)')\n"
        "    print('writing', flush=True)\n"
        "    time.sleep(300)\n")], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline() == "writing\n"
        writer.kill()
        writer.wait()
    finally:
        writer.kill()
        writer.wait()
    (stale,) = tmp_path.glob(f".w.duckdb.{writer.pid}.*.tmp")  # what the killed writer left
    Path(f"{stale}.wal").write_bytes(b"")  # and its WAL, as a writer killed before CHECKPOINT leaves one
    running = subprocess.Popen(["sleep", "300"])  # a temp file named after a process that still runs is kept
    try:
        kept = tmp_path / f".w.duckdb.{running.pid}.0123abcd.tmp"
        kept.write_bytes(b"")
        other = tmp_path / f".other.duckdb.{writer.pid}.0123abcd.tmp"  # another warehouse's: not this one's to judge
        other.write_bytes(b"")
        with publishing(db) as con:
            con.execute("INSERT INTO t VALUES (3)")
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == sorted([kept.name, other.name])
    finally:
        running.kill()
        running.wait()
    assert remove_stale_temps(db) == [kept]  # its process has ended now
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT list(x ORDER BY x) FROM t").fetchone()[0] == [1, 3]  # the killed write never landed
    finally:
        con.close()
