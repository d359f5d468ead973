"""The lifeline watchdog (gongkai/app/lifeline.py) on plain `sleep` processes: a command killed with SIGKILL or
interrupted with Ctrl-C leaves none of its descendants behind, orphaned grandchildren included, and a pid that
now belongs to another process is never signalled."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gongkai.app import lifeline

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="the watchdog reads /proc (Linux)")

# A command under guard(): a child, an orphaned grandchild and a grandchild orphaned at once. It prints their pids,
# then, told so on stdin, lets the grandchild's parent exit, then waits for ever (until the test kills it).
COMMAND = r"""
import json, subprocess, sys
from gongkai.app import lifeline
with lifeline.guard(poll=0.05, grace=1.0) as ll:
    again = lifeline.start()
    child = subprocess.Popen(["sleep", "300"])
    # its grandchild gets a scrubbed environment (no token): only the watchdog's snapshots can know it
    middle = subprocess.Popen(["sh", "-c", "env -i sleep 301 & echo $!; read x"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    orphan = int(middle.stdout.readline())
    quick = subprocess.Popen(["sh", "-c", "sleep 302 & echo $!"], stdout=subprocess.PIPE, text=True)
    at_once = int(quick.stdout.readline())
    quick.wait()
    print(json.dumps({"watchdog": ll.pid, "again": again.pid, "token": ll.token, "child": child.pid,
                      "middle": middle.pid, "orphan": orphan, "at_once": at_once}), flush=True)
    sys.stdin.readline()
    middle.stdin.close()
    middle.wait()
    print("released", flush=True)
    sys.stdin.readline()
"""

IGNORES_SIGINT = "import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); print('up', flush=True); time.sleep(300)"
IGNORES_SIGTERM = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); time.sleep(300)"


def _until(predicate, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:g} s: {what}")
        time.sleep(0.02)


def _switches(pid: int) -> int:
    """Voluntary context switches of `pid`: the watchdog makes one each time its poll times out (one look)."""
    with open(f"/proc/{pid}/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("voluntary_ctxt_switches"))


def _start(pid: int) -> int:
    st = lifeline.stat(pid)
    assert st is not None, f"no process {pid}"
    return st[1]


def _kill(procs: dict[str, tuple[int, int]]) -> None:
    """A failed test must not leave its processes on a shared machine: SIGKILL what is left (same start time only)."""
    for pid, start in procs.values():
        lifeline.send(pid, start, signal.SIGKILL)


@pytest.fixture
def command():
    proc = subprocess.Popen([sys.executable, "-c", COMMAND], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        yield proc, json.loads(proc.stdout.readline())
    finally:
        proc.kill()
        proc.wait()


def test_kill_9_leaves_no_child_and_no_orphaned_grandchild(command):
    proc, pids = command
    assert pids["again"] == pids["watchdog"]  # one watchdog per process, however many guards
    procs = {name: (pids[name], _start(pids[name])) for name in ("child", "orphan", "at_once", "watchdog")}
    # let the watchdog look at least twice while the grandchild still has its parent, then orphan it
    looked = _switches(pids["watchdog"])
    _until(lambda: _switches(pids["watchdog"]) >= looked + 3, "the watchdog polls")
    proc.stdin.write("\n")
    proc.stdin.flush()
    assert proc.stdout.readline() == "released\n"
    assert lifeline.stat(pids["orphan"])[0] != pids["middle"]  # reparented: no longer below the command
    assert all(lifeline.alive(*p) for p in procs.values()), "the command's processes run until it dies"
    proc.kill()
    proc.wait()
    try:
        _until(lambda: not any(lifeline.alive(*p) for p in procs.values()),
               f"every process of the killed command ended: {[n for n, p in procs.items() if lifeline.alive(*p)]} left")
        # nothing on the machine carries the command's token any more
        assert lifeline.carrying(pids["token"], lifeline.processes()) == {}
    finally:
        _kill(procs)


def _signal_state(pid: int) -> str:
    """A process's state, pending, blocked, ignored and caught signals and kernel wait channel, from /proc."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            keep = [ln.strip() for ln in fh if ln.split(":")[0] in ("State", "SigQ", "SigPnd", "ShdPnd", "SigBlk",
                                                                       "SigIgn", "SigCgt", "Threads")]
        with open(f"/proc/{pid}/wchan") as fh:
            keep.append(f"wchan: {fh.read()}")
    except OSError as exc:
        return f"pid {pid}: gone ({exc.strerror})"
    return f"pid {pid}: " + ", ".join(keep)


def test_ctrl_c_stays_with_the_command_and_the_watchdog_still_sweeps(tmp_path):
    """Ctrl-C (SIGINT to the terminal's foreground process group) still interrupts the command, which stays in
    its group; the watchdog, in a session of its own, survives the SIGINT and sweeps a child that ignored it."""
    # SIGINT handled as in a terminal's foreground job, whatever the test runner inherited (a background job of a
    # non-interactive shell, e.g. `make test &`, starts with SIGINT and SIGQUIT ignored, and so would the command)
    script = ("import signal, subprocess, sys, time\nfrom gongkai.app import lifeline\n"
              "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
              "with lifeline.guard(poll=0.05, grace=1.0) as ll:\n"
              f"    stubborn = subprocess.Popen([sys.executable, '-c', {IGNORES_SIGINT!r}], stdout=subprocess.PIPE, text=True)\n"
              "    stubborn.stdout.readline()\n"
              "    print(ll.pid, stubborn.pid, flush=True)\n"
              "    time.sleep(300)\n")
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # its own process group, as a shell gives a foreground job
    procs: dict[str, tuple[int, int]] = {}
    try:
        watchdog, stubborn = (int(x) for x in proc.stdout.readline().split())
        procs = {"watchdog": (watchdog, _start(watchdog)), "stubborn": (stubborn, _start(stubborn))}
        assert os.getpgid(proc.pid) == proc.pid  # the command was not moved out of its group
        assert os.getsid(watchdog) == watchdog and os.getpgid(stubborn) == proc.pid
        os.killpg(proc.pid, signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:  # say what the processes were doing
            pytest.fail(f"30 s after SIGINT: command {_signal_state(proc.pid)}; "
                        f"stubborn {_signal_state(stubborn)}; watchdog {_signal_state(watchdog)}")
        assert proc.returncode == -signal.SIGINT and err.rstrip().endswith("KeyboardInterrupt"), err  # as before
        _until(lambda: not any(lifeline.alive(*p) for p in procs.values()),
               f"the interrupted command left nothing: {[n for n, p in procs.items() if lifeline.alive(*p)]} left")
    finally:
        proc.kill()
        proc.wait()
        _kill(procs)


def test_a_pid_now_owned_by_another_process_is_never_signalled():
    sleeper = subprocess.Popen(["sleep", "300"])
    try:
        start = _start(sleeper.pid)
        other = start + 1  # the start time a process that had this pid before would have had
        assert lifeline.send(sleeper.pid, other, signal.SIGKILL) is False
        assert lifeline.sweep({sleeper.pid: other}, None, grace=0.2) == {}
        assert sleeper.poll() is None and lifeline.alive(sleeper.pid, start)
        assert lifeline.sweep({sleeper.pid: start}, None, grace=0.2) == {sleeper.pid: start}
        assert sleeper.wait(timeout=10) == -signal.SIGTERM  # TERM first
    finally:
        sleeper.kill()
        sleeper.wait()


def test_sigkill_after_the_grace_period():
    stubborn = subprocess.Popen([sys.executable, "-c", IGNORES_SIGTERM], stdout=subprocess.PIPE, text=True)
    try:
        stubborn.stdout.readline()
        t0 = time.monotonic()
        lifeline.sweep({stubborn.pid: _start(stubborn.pid)}, None, grace=0.3)
        assert stubborn.wait(timeout=10) == -signal.SIGKILL
        assert time.monotonic() - t0 >= 0.3
    finally:
        stubborn.kill()
        stubborn.wait()


def test_token_finds_the_processes_that_inherited_it():
    env = {**os.environ, lifeline.ENV: "outer0:inner1"}  # a command run under a command: both tokens
    carrier = subprocess.Popen(["sleep", "300"], env=env)
    plain = subprocess.Popen(["sleep", "300"], env={k: v for k, v in os.environ.items() if k != lifeline.ENV})
    try:
        _until(lambda: _start(carrier.pid) and lifeline.carrying("inner1", lifeline.processes()), "sleep exec'd")
        table = lifeline.processes()
        assert set(lifeline.carrying("inner1", table)) == {carrier.pid}
        assert set(lifeline.carrying("outer0", table)) == {carrier.pid}
        assert lifeline.carrying("inner", table) == {}  # a whole token, not a prefix
        assert plain.pid not in lifeline.carrying("inner1", table)
    finally:
        for p in (carrier, plain):
            p.kill()
            p.wait()


def test_descendants_follow_the_tree_and_stop_at_a_reused_pid():
    # a made-up table: 10 → 11 → 12, 13 an unrelated process, 20 a root whose pid was reused (start 5 ≠ 4)
    table = {10: (1, 100, "S"), 11: (10, 101, "S"), 12: (11, 102, "S"), 13: (1, 103, "S"), 20: (1, 5, "S"),
             21: (20, 6, "S")}
    assert lifeline.descendants({10: 100}, table) == {11: 101, 12: 102}
    assert lifeline.descendants({20: 4}, table) == {}
    assert lifeline.descendants({11: 101, 12: 102}, table) == {}  # roots are not their own descendants


def test_no_watchdog_is_no_reason_to_fail(monkeypatch):
    """Where the watchdog cannot be launched the command runs as it would without one."""
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    monkeypatch.delenv(lifeline.ENV, raising=False)
    monkeypatch.setattr(lifeline, "_CURRENT", {})
    with lifeline.guard() as ll:
        assert ll is None
    assert lifeline.ENV not in os.environ
