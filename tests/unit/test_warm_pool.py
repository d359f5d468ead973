"""serve's warm parser processes behind a Unix socket (gongkai.app.warm_pool), with real spawned processes."""

from __future__ import annotations

import os
import stat
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from gongkai.app import pipeline, warm_pool

pytestmark = pytest.mark.skipif(os.name != "posix", reason="Unix sockets")


def _die() -> None:
    os._exit(3)  # a parser process that dies mid-call (a crash in a C library, the OOM killer)


def _marker() -> str:
    return os.environ.get("GONGKAI_TEST_WARM", "")


def _sigint_ignored() -> bool:
    import signal

    return signal.getsignal(signal.SIGINT) is signal.SIG_IGN


def _initializer() -> None:
    os.environ["GONGKAI_TEST_WARM"] = f"warmed {os.getpid()}"


@pytest.fixture(scope="module")
def pool():
    with warm_pool.serving(2, _initializer) as p:
        yield p


def test_calls_run_on_the_warm_processes_each_through_its_initializer(pool):
    client = warm_pool.WarmClient(pool.address)
    pids = {client.submit(os.getpid).result(timeout=60) for _ in range(8)}
    assert pids <= set(pool.pids()) and len(pool.pids()) == 2, (pids, pool.pids())
    assert os.getpid() not in pids
    assert client.submit(_marker).result(timeout=60).startswith("warmed ")
    assert client.submit(divmod, 17, 5).result(timeout=60) == (3, 2)  # arguments travel, results come back
    assert client.submit(_sigint_ignored).result(timeout=60)  # Ctrl-C at serve's terminal: no traceback here


def test_a_calls_exception_reaches_the_caller_and_the_pool_goes_on(pool):
    client = warm_pool.WarmClient(pool.address)
    with pytest.raises(ValueError, match="invalid literal for int"):
        client.submit(int, "七").result(timeout=60)
    assert client.submit(int, "7").result(timeout=60) == 7


def test_the_socket_and_its_key_are_the_owners_only(pool):
    folder = Path(pool.address).parent
    assert Path(pool.address).is_socket()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / warm_pool.KEY).stat().st_mode) == 0o600


def test_a_client_without_the_key_is_refused(pool, tmp_path):
    fake = tmp_path / "pool.sock"  # another folder's key beside a link to the real socket
    fake.symlink_to(pool.address)
    (tmp_path / warm_pool.KEY).write_bytes(b"not the key")
    with pytest.raises(warm_pool.Unreachable, match="AuthenticationError"):
        warm_pool.WarmClient(str(fake))
    assert warm_pool.WarmClient(pool.address).submit(os.getpid).result(timeout=60) in pool.pids()


def test_an_address_nobody_serves_is_unreachable_and_a_run_starts_its_own_processes(tmp_path):
    with pytest.raises(warm_pool.Unreachable):
        warm_pool.WarmClient(str(tmp_path / "pool.sock"))
    notes: list[str] = []
    with pipeline.local_workers(2, str(tmp_path / "pool.sock"), notes) as own:
        assert own is not None and not isinstance(own, warm_pool.WarmClient)
        assert own.submit(os.getpid).result(timeout=60) != os.getpid()
    assert len(notes) == 1 and "unreachable" in notes[0] and "started 2 parser processes of its own" in notes[0], notes


def test_a_run_uses_the_warm_processes_at_its_address(pool):
    with pipeline.local_workers(2, pool.address, []) as client:
        assert isinstance(client, warm_pool.WarmClient) and pipeline.local_pool() is client
        assert client.submit(os.getpid).result(timeout=60) in pool.pids()
    assert pipeline.local_pool() is None


def test_a_dead_parser_process_is_replaced_and_the_next_call_runs():
    with warm_pool.serving(1, _initializer) as p:
        before = p.pids()
        client = warm_pool.WarmClient(p.address)
        with pytest.raises(Exception, match="terminated abruptly"):  # BrokenProcessPool: it died twice (tried again once)
            client.submit(_die).result(timeout=120)
        after = client.submit(os.getpid).result(timeout=60)
        assert after in p.pids() and after not in before, (before, p.pids(), after)
        assert client.submit(_marker).result(timeout=60) == f"warmed {after}"  # the new process was warmed too
        assert client.submit(_sigint_ignored).result(timeout=60)  # started from a call's thread, deaf to Ctrl-C too
        folder = Path(p.address).parent
    assert not folder.exists()  # closed: the socket's folder is gone


def test_closing_ends_a_call_in_progress_at_once():
    """serve stopping (Ctrl-C) does not wait for a chunk being parsed: the processes are ended, the caller told."""
    with warm_pool.serving(1, _initializer) as p:
        client = warm_pool.WarmClient(p.address)
        pid = client.submit(os.getpid).result(timeout=60)
        slow = client.submit(time.sleep, 60)
        time.sleep(0.5)  # the call has reached the process
        started = time.monotonic()
    assert time.monotonic() - started < 10
    with pytest.raises((BrokenProcessPool, warm_pool.Unreachable)):  # the ended pool, or the connection lost
        slow.result(timeout=30)
    from gongkai.app import lifeline

    assert lifeline.stat(pid) is None or lifeline.stat(pid)[2] in "ZX", ("the warm process outlived the pool", lifeline.stat(pid))


_SCRIPT = """
import os, sys, time
from gongkai.app import pipeline, warm_pool
if __name__ == "__main__":
    if sys.argv[1] == "idle":
        with warm_pool.serving(2, os.getpid) as p:
            warm_pool.WarmClient(p.address).submit(os.getpid).result(timeout=60)
    else:  # serve's own way (pipeline.warm_workers), stopped during a call
        with pipeline.warm_workers(1) as address:
            busy = warm_pool.WarmClient(address).submit(time.sleep, 60)
            time.sleep(0.5)
    print("closed", flush=True)
"""


@pytest.mark.parametrize("state", ["idle", "busy"])
def test_stopping_prints_nothing_on_the_terminal(tmp_path, state):
    """serve's stop (Ctrl-C) ends the pool without a word on the terminal — no resource-tracker warning about
    leaked semaphores, no traceback — and without waiting for a call in progress."""
    import subprocess
    import sys

    script = tmp_path / "stop.py"
    script.write_text(_SCRIPT, encoding="utf-8")
    started = time.monotonic()
    proc = subprocess.run([sys.executable, str(script), state], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout == "closed\n", proc.stdout + proc.stderr
    assert proc.stderr == "", proc.stderr
    assert time.monotonic() - started < 60  # the busy call (60 s) was not waited for


_KILLED = """
import os, sys, time
from gongkai.app import warm_pool
if __name__ == "__main__":
    with warm_pool.serving(1, os.getpid) as p:
        print(p.address, *p.pids(), flush=True)
        time.sleep(120)
"""


def test_a_killed_serves_socket_folder_is_removed_by_the_next_serve(tmp_path, pool):
    """kill -9 leaves a serve's socket folder (its key, the dead socket) behind; the next serve removes it. The
    folder of a serve that still runs (the module's pool) and a folder without an owner lock stay."""
    import signal
    import subprocess
    import sys
    import tempfile

    script = tmp_path / "killed.py"
    script.write_text(_KILLED, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().split() if proc.stdout else []
        assert len(line) == 2, line
        address, worker = line[0], int(line[1])
    finally:
        proc.kill()  # kill -9: its close() never runs
        proc.wait(30)
    os.kill(worker, signal.SIGKILL)  # what the lifeline watchdog does for `gongkai serve`
    killed = Path(address).parent
    assert (killed / warm_pool.KEY).exists() and (killed / "owner.lock").exists(), list(killed.iterdir())
    unowned = Path(tempfile.mkdtemp(prefix=warm_pool.FOLDER_PREFIX))  # no owner lock: not gongkai's to remove
    try:
        with warm_pool.serving(1, _initializer) as p:
            assert Path(p.address).parent.is_dir()
            assert not killed.exists(), list(killed.iterdir())
            assert Path(pool.address).parent.is_dir() and Path(pool.address).is_socket()  # a living serve's stays
            assert unowned.is_dir()
            assert warm_pool.WarmClient(pool.address).submit(divmod, 7, 2).result(timeout=60) == (3, 1)
    finally:
        unowned.rmdir()
