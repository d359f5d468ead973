"""Publication: every write builds the next warehouse file beside the published one and swaps it in.

DuckDB lets one process write a file or many read it, never both (DESIGN §8). Readers (SQL CLI,
dashboards, BI tools) therefore only ever open the *published* file read-only, and writers never open it
read-write. A write (`publishing(db)`):

1. takes an exclusive `fcntl.flock` on `<db>.lock` (a sibling file that is never deleted), so writers
   queue one behind the other and none loses another's rows;
2. copies the published file (and its `.wal`, should a foreign read-write session have left one) to a
   hidden sibling temp file `.<name>.<pid>.<random>.tmp`, holding a read-only DuckDB connection on the
   published file meanwhile so no foreign writer can change it mid-copy;
3. opens the copy read-write, and in ONE transaction applies pending migrations, re-creates the views and
   comments (dictionary.py) and runs the caller's writes;
4. COMMITs, CHECKPOINTs (folds the WAL into the file; compacting the tables only when one has become sparse:
   compaction.py), closes, fsyncs, and `os.replace()`s the copy over
   the published path (atomic on POSIX), then fsyncs the directory.

A reader that opened the old file keeps the old inode, so it sees the old state, whole, until it reopens;
a new reader sees the new state, whole. Any exception before the swap deletes the temp file and leaves
the published file byte-identical. A writer killed outright (kill -9, power loss) cannot delete it: the next
write, under the lock, removes every temp file (and its `.wal`) whose writer's pid no longer runs
(`remove_stale_temps`). Costs: one full file copy + fsync per write (measured here: 2M cells
= 26 MB, copy 10-40 ms, whole publication of an empty run 0.14 s; 16M cells = 170 MB, copy 0.15-0.2 s,
empty run 0.4 s) and, while old readers stay open, the disk space of the old version. POSIX only (flock,
rename over an open file). Everything that writes the warehouse, reviews included, must go through here:
a direct write to the published file would be lost at the next swap.

File format: new files are created with `storage_compatibility_version = 'v1.0.0'` (copies keep the
format they were created with). Measured with the Python clients: DuckDB 1.1.3, 1.2.2, 1.3.2, 1.4.4 and
2.0 read every table, view and comment (CLI, JDBC and ODBC of a version share its storage code); 1.0.x
cannot (it fails on the primary-key indexes as 2.0.1 writes them, even in this mode). Without the option
the file would be readable by DuckDB 2.x only.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from gongkai.warehouse.errors import WarehouseBusy
from gongkai.warehouse.read import connect_readonly
from gongkai.warehouse.write import compaction
from gongkai.warehouse.write.dictionary import apply_dictionary
from gongkai.warehouse.write.migrate import migrate

STORAGE_COMPATIBILITY = "v1.0.0"
CONNECT_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "storage_compatibility_version": STORAGE_COMPATIBILITY}


DEFAULT_MEMORY_LIMIT = "512MB"


def writer_memory() -> dict[str, str | bool | int | float | list[str]]:
    """The writer's DuckDB settings for memory: a limit ($GONGKAI_DUCKDB_MEMORY, else 512 MB; what does not
    fit spills to DuckDB's temporary directory beside the file being written) and no insertion-order
    preservation (no table's meaning depends on its physical row order; keeping it makes large INSERT … SELECTs
    buffer). The steps whose ordered aggregates cannot spill run in slices (panel.TEXT_SLICE,
    operands.INPUT_SLICE). Measured, loading the 600 shards of a cold national year (150,000 reports): 512 MB
    → 36.8 s, peak RSS 799 MB; 1 GB → 45 s, 1,263 MB (a loaded machine); before the slices 512 MB ran out of
    memory there and 384 MB at 30,000 reports."""
    return {"memory_limit": os.environ.get("GONGKAI_DUCKDB_MEMORY", DEFAULT_MEMORY_LIMIT),
            "preserve_insertion_order": False}


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


@contextlib.contextmanager
def writer_lock(db: Path, timeout: float | None = None) -> Iterator[None]:
    """Exclusive lock serialising writers of `db` (flock on `<db>.lock`). Blocks until free, or raises
    WarehouseBusy after `timeout` seconds. Released by the OS if the process dies."""
    path = lock_path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if timeout is None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        else:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise WarehouseBusy(f"another gongkai run is writing {db} "
                                            f"(lock {path} held for {timeout:g}s)") from None
                    time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(*paths: Path) -> None:
    for p in paths:
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _copy_published(db: Path, tmp: Path) -> bool:
    """Copy the published file (and a stray WAL) to `tmp` while holding a read-only DuckDB lock on it.
    Returns whether a WAL was copied (it is replayed into the copy, so the published one must go)."""
    try:
        guard = connect_readonly(db)
    except (duckdb.IOException, duckdb.ConnectionException) as e:  # lock held by a read-write session
        raise WarehouseBusy(f"{db} is open read-write by another program; open the warehouse read-only (duckdb "
                            f"-readonly, gongkai sql) so runs can publish: {str(e).splitlines()[0]}") from e
    try:
        shutil.copyfile(db, tmp)
        shutil.copymode(db, tmp)
        if _wal(db).exists():
            shutil.copyfile(_wal(db), _wal(tmp))
            return True
        return False
    finally:
        guard.close()


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_stale_temps(db: Path) -> list[Path]:
    """Delete the temp files (`.<name>.<pid>.<hex>.tmp` and their `.wal`) that writers of `db` killed before they
    could clean up left beside it: those whose pid no longer runs, or is this process's (it holds the writer lock,
    so none of its own writes is under way). Call it under the writer lock; a file whose pid is another running
    process is left alone, even if that pid was reused. Returns the deleted files."""
    pattern = re.compile(rf"\.{re.escape(db.name)}\.(\d+)\.[0-9a-f]+\.tmp(\.wal)?")
    removed = []
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(db.parent):
            m = pattern.fullmatch(entry.name)
            if m and (int(m.group(1)) == os.getpid() or not _running(int(m.group(1)))):
                _remove(Path(entry.path))
                removed.append(Path(entry.path))
    return removed


@contextlib.contextmanager
def publishing(db: Path, lock_timeout: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a connection to the next version of `db`, inside one open transaction with migrations applied.

    On normal exit the transaction is committed and the new file published atomically; on an exception
    nothing is published and the exception propagates."""
    db = Path(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    with writer_lock(db, lock_timeout):
        remove_stale_temps(db)
        tmp = db.with_name(f".{db.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        stray_wal = False
        try:
            if db.exists():
                stray_wal = _copy_published(db, tmp)
            con = duckdb.connect(str(tmp), config={**CONNECT_CONFIG, **writer_memory()})
            try:
                con.execute("BEGIN TRANSACTION")
                migrate(con)
                apply_dictionary(con)
                yield con
                con.execute("COMMIT")
                compaction.checkpoint(con)  # compacts only when a table has become sparse (compaction.py)
            except BaseException:
                with contextlib.suppress(Exception):
                    con.execute("ROLLBACK")
                raise
            finally:
                con.close()
            _fsync(tmp)
            if stray_wal:  # folded into the new file; left beside it, DuckDB would replay it again
                _remove(_wal(db))
            os.replace(tmp, db)
            _fsync(db.parent)
        finally:
            _remove(tmp, _wal(tmp))
