"""Nothing outlives a gongkai command, however it dies (kill -9 included): a watchdog process sweeps its descendants.

`with lifeline.guard(): ...` (the CLI's `audit` and `serve`) starts a tiny watchdog: this very file run as a
script (`python -I -S lifeline.py`, stdlib only, ~20 ms), in a session of its own so that neither Ctrl-C nor a
closing terminal reaches it, while the command itself stays in the terminal's foreground process group (so
Ctrl-C still interrupts it as before). The watchdog's stdin is the read end of a pipe whose write end only the
command holds; the kernel closes it when the command's process ends, whatever ended it.

While the command lives, the watchdog records its descendants every `poll` seconds from /proc as
(pid, start time): the Prefect API server (a uvicorn subprocess), the parser processes, Prefect's flow-run
subprocesses under `serve`, and their own children. A descendant stays recorded after its parent exits
(an orphaned grandchild is reparented away from the tree but is still swept). When the pipe reports EOF (or the
watchdog finds itself reparented) it takes one last look: the children of everything recorded, and every
process whose environment carries this guard's random token (`GONGKAI_LIFELINE`, inherited by every process
the command starts after `guard()`, so a child born after the last snapshot is found too). It sends them
SIGTERM, then SIGKILL to whatever is left after `grace` seconds, and exits. A process is only ever signalled
if its start time still equals the recorded one, through a pidfd where the kernel has them: a pid reused by
an unrelated process is never killed.

Linux only (it reads /proc). Elsewhere `guard()` does nothing: descendants may outlive a killed command there.
Measured here: launching costs the command ~6 ms; waiting, the watchdog used 0.13 % of one core with ~95
processes on the machine (a look lists /proc and reads the stat of new pids only).

Not a parent-death signal in the parser processes (prctl PR_SET_PDEATHSIG in the pool's initializer): it fires
when the *thread* that spawned a worker exits, and ProcessPoolExecutor spawns workers from the thread that
submits (here a Prefect task thread): measured, a pool whose submitting thread ended lost its worker
(BrokenProcessPool). Not a process group of its own for the command either: Ctrl-C must still reach it.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import time

ENV = "GONGKAI_LIFELINE"  # colon-separated tokens of the guards a process was started under
POLL = 0.25  # seconds between snapshots of the descendants
GRACE = 2.0  # seconds between SIGTERM and SIGKILL


# ---------------------------------------------------------------------------------------------------------------
# /proc (shared by the watchdog and the tests)

def stat(pid: int) -> tuple[int, int, str] | None:
    """(ppid, start time in clock ticks since boot, state letter) of `pid`, or None when there is no such process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            raw = fh.read()
    except OSError:
        return None
    fields = raw[raw.rindex(b")") + 2:].split()  # the command name (field 2) may hold spaces and parentheses
    return int(fields[1]), int(fields[19]), fields[0].decode()


def alive(pid: int, start: int) -> bool:
    """Whether the process `pid` started at `start` still runs (a zombie has finished: it only awaits its reaper)."""
    st = stat(pid)
    return st is not None and st[1] == start and st[2] not in "ZX"


def processes() -> dict[int, tuple[int, int, str]]:
    """Every process on the machine: pid -> (ppid, start time, state)."""
    table = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = stat(int(name))
            if st is not None:
                table[int(name)] = st
    return table


def descendants(roots: dict[int, int], table: dict[int, tuple[int, int, str]]) -> dict[int, int]:
    """pid -> start time of every process in `table` below the live processes `roots` (pid -> start time)."""
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found: dict[int, int] = {}
    todo = [pid for pid, start in roots.items() if pid in table and table[pid][1] == start]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found and child not in roots:
                found[child] = table[child][1]
                todo.append(child)
    return found


def carrying(token: str, table: dict[int, tuple[int, int, str]]) -> dict[int, int]:
    """pid -> start time of the processes whose environment names `token` in GONGKAI_LIFELINE (own user's only)."""
    key = ENV.encode() + b"="
    found = {}
    for pid, (_, start, state) in table.items():
        if state in "ZX":
            continue
        try:
            with open(f"/proc/{pid}/environ", "rb") as fh:
                env = fh.read()
        except OSError:  # another user's process, or gone
            continue
        for entry in env.split(b"\0"):
            if entry.startswith(key) and token.encode() in entry[len(key):].split(b":"):
                found[pid] = start
    return found


def send(pid: int, start: int, sig: int) -> bool:
    """Signal `pid` only if it is still the process that started at `start`; whether a signal was sent.

    With a pidfd (Linux ≥ 5.3) the check and the signal address the same process, so a pid that is freed and
    reused between them cannot be hit; without one the window is the microseconds between two system calls."""
    fd = None
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return False
    except (AttributeError, OSError):  # no pidfd here: check, then kill
        pass
    try:
        if not alive(pid, start):
            return False
        if fd is not None:
            signal.pidfd_send_signal(fd, sig)
        else:
            os.kill(pid, sig)
        return True
    except (ProcessLookupError, PermissionError):
        return False
    finally:
        if fd is not None:
            os.close(fd)


# ---------------------------------------------------------------------------------------------------------------
# the watchdog (run as a script: imports nothing but the standard library's os, select, signal, sys, time)

def sweep(recorded: dict[int, int], token: str | None, grace: float = GRACE, own: int | None = None) -> dict[int, int]:
    """SIGTERM, then after `grace` seconds SIGKILL, every live process of `recorded` (pid -> start time), their
    descendants and the carriers of `token`, until none is left (or 5 s after SIGKILL). Returns those signalled."""
    own = os.getpid() if own is None else own
    targets: dict[int, int] = {}
    killing = False
    deadline = time.monotonic() + grace
    while True:
        table = processes()
        found = {pid: start for pid, start in recorded.items() if pid in table and table[pid][1] == start}
        found.update(descendants({**recorded, **targets}, table))
        if token:
            found.update(carrying(token, table))
        found.pop(own, None)
        for pid, start in found.items():
            if pid not in targets or killing:
                send(pid, start, signal.SIGKILL if killing else signal.SIGTERM)
            targets.setdefault(pid, start)
        if not any(alive(pid, start) for pid, start in targets.items()):
            return targets
        now = time.monotonic()
        if now >= deadline:
            if killing:  # SIGKILLed 5 s ago and still there (uninterruptible I/O): nothing more a watchdog can do
                return targets
            killing, deadline = True, now + 5.0
            continue
        time.sleep(0.05)


def watch(parent: int, token: str, poll: float = POLL, grace: float = GRACE) -> None:
    """Record the descendants of `parent` until stdin (the lifeline) reaches EOF, then sweep them."""
    for sig in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM, signal.SIGQUIT, signal.SIGTSTP, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_IGN)  # only the death of the parent ends a watchdog (or SIGKILL)
    os.closerange(3, 65536)  # descriptors the parent let leak into this process: hold none of them open
    me = os.getpid()
    st = stat(parent)
    if st is None:
        sweep({}, token, grace, own=me)
        return
    # pid -> its start time if it descends from `parent`, None if not. Only pids not seen at the previous look
    # are read (a process never becomes a descendant later), so a look costs one listing of /proc.
    known: dict[int, int | None] = {parent: st[1], me: None}
    while os.getppid() == parent:
        ready, _, _ = select.select([0], [], [], poll)
        if ready and not os.read(0, 512):
            break  # EOF: the parent is gone
        pids = {int(name) for name in os.listdir("/proc") if name.isdigit()}
        for pid in known.keys() - pids:
            del known[pid]
        new = {pid: st for pid in pids - known.keys() if (st := stat(pid)) is not None}
        while True:  # a new child of a new child: repeat until nothing more descends
            ours = {pid for pid, (ppid, _, _) in new.items() if known.get(ppid) is not None}
            if not ours:
                break
            for pid in ours:
                known[pid] = new.pop(pid)[1]
        known.update(dict.fromkeys(new))
    recorded = {pid: start for pid, start in known.items() if start is not None and pid != parent}
    sweep(recorded, token, grace, own=me)


# ---------------------------------------------------------------------------------------------------------------
# the command's side


class Lifeline:
    """A running watchdog: its pid and start time, the token its command's descendants carry in
    GONGKAI_LIFELINE, and the lifeline's write end (held, never written, by the command until it ends)."""

    def __init__(self, pid: int, start: int, token: str, fd: int) -> None:
        self.pid, self.start, self.token, self.fd = pid, start, token, fd


_CURRENT: dict[int, Lifeline] = {}  # this process's watchdog (keyed by pid: a forked child has none of its own)


def start(poll: float = POLL, grace: float = GRACE) -> Lifeline | None:
    """Start the watchdog of this process (see the module's docstring), or return the one it already has (a
    process needs one: the tests run many commands in one process); None where /proc is missing."""
    if os.getpid() in _CURRENT and alive(_CURRENT[os.getpid()].pid, _CURRENT[os.getpid()].start):
        return _CURRENT[os.getpid()]
    if not os.path.exists(f"/proc/{os.getpid()}/stat") or not hasattr(os, "posix_spawn") or not sys.executable:
        return None
    import secrets

    token = secrets.token_hex(8)
    read_end, write_end = os.pipe()  # both close-on-exec: only the watchdog gets the read end (as its stdin)
    try:
        pid = os.posix_spawn(
            sys.executable,
            [sys.executable, "-I", "-S", os.path.abspath(__file__), str(os.getpid()), token, str(poll), str(grace)],
            {},  # a clean environment: the watchdog carries no token of its own
            file_actions=[(os.POSIX_SPAWN_DUP2, read_end, 0),
                          (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                          (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)],
            setsid=True,  # out of the terminal's process group: Ctrl-C and SIGHUP reach the command, not it
        )
    except OSError:  # no watchdog is no reason to stop the command: it runs as it would without one
        os.close(write_end)
        return None
    finally:
        os.close(read_end)
    os.environ[ENV] = f"{os.environ[ENV]}:{token}" if os.environ.get(ENV) else token
    st = stat(pid)
    _CURRENT[os.getpid()] = Lifeline(pid, st[1] if st else 0, token, write_end)
    return _CURRENT[os.getpid()]


class guard:
    """`with lifeline.guard(): run()`: every process started inside dies with this one, however this one dies.

    Leaving the block does not stop the watchdog: the processes a command starts may legitimately end during
    interpreter shutdown (Prefect stops its API server at exit); the watchdog sweeps what is left once this
    process has ended."""

    def __init__(self, poll: float = POLL, grace: float = GRACE) -> None:
        self.poll, self.grace = poll, grace
        self.lifeline: Lifeline | None = None

    def __enter__(self) -> Lifeline | None:
        self.lifeline = start(self.poll, self.grace)
        return self.lifeline

    def __exit__(self, *exc: object) -> None:
        return None


if __name__ == "__main__":
    watch(int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), float(sys.argv[4]))
