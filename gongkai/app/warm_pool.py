"""The warm parser processes `gongkai serve` keeps for its flow runs, reached over a Unix socket.

serve: `with serving(workers) as address:` starts `workers` parser processes (spawned, each warmed up once:
the parsers' imports and GX's context, ~3–5 s) and a listener on a Unix socket in a private directory (mode
0700; the connection is authenticated with a random key kept in a file of mode 0600 beside the socket). The
address, the socket's path, is what serve passes to its runs (the flow's `workers_address`). serve holds the
folder's owner lock (gongkai.owner_lock) while it lives and removes the folder when it stops; a serve killed
with kill -9 cannot, so each serve first removes this user's folders that no living serve owns.

A flow run (Prefect's runner starts a process per run): `connect(address)` returns an Executor whose
`submit(fn, *args)` sends the call (a module-level function and its arguments, pickled) on a connection of its
own; serve runs it on its parser processes and sends back the result or the exception.

Why not a Dask cluster (what serve kept until 2026-12-05): a flow run had to import `distributed` and connect a
client before it could send its first chunk, 0.2 s of a served run of 1,500 files (3.3 s), and the scheduler
and the workers' event loops took cycles from the parsers. Dask stays for `gongkai audit --task-runner dask`.

A parser process that dies (killed, a crash in a C library) breaks the pool: serve then starts a new one and
runs the call that met the broken pool once more; a call that breaks a fresh pool too is answered with the
error. POSIX only (Unix sockets). `spawn_pool` starts such processes for serve and for the parser processes a
cold `gongkai audit` starts ahead (gongkai.app.pipeline.started_workers).
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import secrets
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Client, Connection, Listener, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, TypeVar, cast

from gongkai import owner_lock

T = TypeVar("T")

SOCKET = "pool.sock"
KEY = "key"
FOLDER_PREFIX = "gongkai-serve-"  # the socket's folder: <temporary directory>/gongkai-serve-XXXXXXXX/


def _deaf(initializer: Callable[[], object]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    initializer()


def spawn_pool(workers: int, initializer: Callable[[], object]) -> tuple[ProcessPoolExecutor, list[Future[int]]]:
    """`workers` spawned processes, each through `initializer`, started now: a spawn pool starts a process per
    submitted call while none is idle, and none is idle before its initializer has run, so one call each starts
    them all (the returned futures give their pids). Ctrl-C reaches the whole foreground process group: the
    processes ignore SIGINT — set while they are spawned from the main thread (inherited: Python then installs no
    KeyboardInterrupt handler), and first in each process, for a pool replaced from another thread — so they
    print no tracebacks; the command handles it and ends them. Used by serve's pool and by the parser processes
    a cold `gongkai audit` starts ahead (gongkai.app.pipeline.started_workers)."""
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        pool = ProcessPoolExecutor(max_workers=max(1, workers), mp_context=multiprocessing.get_context("spawn"),
                                   initializer=functools.partial(_deaf, initializer))
        pending = [pool.submit(os.getpid) for _ in range(max(1, workers))]
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)
    return pool, pending


class WarmPool:
    """serve's side: the parser processes and the listener that runs calls on them."""

    def __init__(self, workers: int, initializer: Callable[[], object]) -> None:
        self.workers = max(1, workers)
        self.initializer = initializer
        self.lock = threading.Lock()
        self.closing = False
        self.pool = self._start()
        sweep_abandoned()
        self.folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))  # mode 0700
        self.owner = owner_lock.own(self.folder)  # held while serve lives: a killed serve's folder is swept
        self.key = secrets.token_bytes(32)
        key_file = self.folder / KEY
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(self.key)
        self.listener = Listener(str(self.folder / SOCKET), family="AF_UNIX", authkey=self.key)
        self.accepting = threading.Thread(target=self._accept, name="gongkai-warm-pool", daemon=True)
        self.accepting.start()

    @property
    def address(self) -> str:
        return str(self.folder / SOCKET)

    def pids(self) -> list[int]:
        return sorted(getattr(self.pool, "_processes", {}))

    def _start(self) -> ProcessPoolExecutor:
        """`workers` processes, each through `initializer` before this returns."""
        pool, pending = spawn_pool(self.workers, self.initializer)
        try:
            for fut in pending:
                fut.result()
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise
        return pool

    def _accept(self) -> None:
        while True:
            try:
                conn = self.listener.accept()
            except OSError:  # the listener was closed: serve is ending
                return
            except Exception:  # noqa: BLE001 - a client that failed the authentication or hung up: the next one
                continue
            threading.Thread(target=self._serve_call, args=(conn,), name="gongkai-warm-call", daemon=True).start()

    def _run(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        pool = self.pool
        try:
            return pool.submit(fn, *args, **kwargs).result()
        except BrokenProcessPool:
            with self.lock:
                if self.closing:  # serve ends: its processes were ended on purpose
                    raise
                if self.pool is pool:  # the first call to meet it replaces it; the others use the new one
                    pool.shutdown(wait=False, cancel_futures=True)
                    self.pool = self._start()
            return self.pool.submit(fn, *args, **kwargs).result()

    def _serve_call(self, conn: Connection) -> None:
        with conn:
            try:
                fn, args, kwargs = conn.recv()
            except (EOFError, OSError):
                return
            try:
                reply: tuple[str, Any] = ("ok", self._run(fn, args, kwargs))
            except Exception as exc:  # noqa: BLE001 - the call's own error goes back to the flow run
                reply = ("error", exc)
            with contextlib.suppress(OSError, EOFError):  # a flow run that ended meanwhile takes no answer
                try:
                    conn.send(reply)
                except Exception as exc:  # noqa: BLE001 - an exception or result that does not pickle
                    conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc} (warm pool reply)")))

    def close(self) -> None:
        """Stop listening and end the processes: idle ones at once, one busy with a chunk after at most 1 s
        (SIGTERM; its flow run ends with serve too, and the next run parses the files again)."""
        with self.lock:
            self.closing = True
        self.listener.close()
        processes = list(getattr(self.pool, "_processes", {}).values())
        self.pool.shutdown(wait=False, cancel_futures=True)  # an idle process takes its end-of-work marker and exits
        for proc in _still_running(processes, 1.0):  # still at a call after 1 s: ended (killing an idle one,
            proc.terminate()  # blocked on the queue's lock, would leave multiprocessing's semaphores behind)
        for proc in processes:  # their sentinels are ready as they exit; join waits until they are gone
            proc.join(5.0)
        shutil.rmtree(self.folder, ignore_errors=True)
        os.close(self.owner)


def sweep_abandoned() -> list[Path]:
    """Remove the socket folders of serves that ended without removing them (kill -9: the watchdog ends their
    processes, but nothing of theirs is left to remove files): this user's folders of the temporary directory
    whose owner lock no living process holds. A folder without an owner lock is left alone. The folders
    removed."""
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*"):
        with contextlib.suppress(OSError):
            if (not folder.is_symlink() and folder.is_dir() and folder.stat().st_uid == os.getuid()
                    and owner_lock.remove_if_abandoned(folder, missing_lock_abandons=False)):
                removed.append(folder)
    return removed


def _still_running(processes: list[BaseProcess], timeout: float) -> list[BaseProcess]:
    """Wait up to `timeout` seconds for `processes` to end; those still running. Waits on their sentinels (ready
    once a process exits, whichever thread reaps it: the pool's own does too), not on is_alive(), which cannot
    tell a process the pool's thread reaped from one still running."""
    left = {proc.sentinel: proc for proc in processes}
    deadline = time.monotonic() + timeout
    while left and (rest := deadline - time.monotonic()) > 0:
        for ready in wait(list(left), rest):
            left.pop(cast(int, ready))  # the sentinels are file descriptors
    return list(left.values())


@contextlib.contextmanager
def serving(workers: int, initializer: Callable[[], object]) -> Iterator[WarmPool]:
    """For `gongkai serve`: `workers` warm parser processes (each run through `initializer` once) behind a Unix
    socket; the pool's `address` goes to the flow runs. Closed when the block ends; the lifeline watchdog
    ends the processes however serve dies."""
    pool = WarmPool(workers, initializer)
    try:
        yield pool
    finally:
        pool.close()


class Unreachable(OSError):
    """The warm pool at an address cannot be reached (serve ended, or the address is not one)."""


class WarmClient(Executor):
    """A flow run's side: each `submit` is one call on a connection of its own, answered by serve's pool."""

    def __init__(self, address: str) -> None:
        self.address = address
        try:
            self.key = (Path(address).parent / KEY).read_bytes()
            Client(address, family="AF_UNIX", authkey=self.key).close()  # reachable now
        except (OSError, EOFError) as exc:
            raise Unreachable(f"{exc.strerror or exc}" if isinstance(exc, OSError) else str(exc)) from exc
        except Exception as exc:  # multiprocessing's AuthenticationError: not this pool's key
            raise Unreachable(f"{type(exc).__name__}: {exc}") from exc

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        fut: Future[T] = Future()
        fut.set_running_or_notify_cancel()
        threading.Thread(target=self._call, args=(fut, fn, args, kwargs), name="gongkai-warm-client",
                         daemon=True).start()
        return fut

    def _call(self, fut: Future[T], fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        try:
            with Client(self.address, family="AF_UNIX", authkey=self.key) as conn:
                conn.send((fn, args, kwargs))
                status, value = conn.recv()
        except (OSError, EOFError) as exc:
            fut.set_exception(Unreachable(f"warm pool at {self.address} lost during a call: {exc}"))
            return
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting task
            fut.set_exception(exc)
            return
        if status == "ok":
            fut.set_result(value)
        else:
            fut.set_exception(value)
