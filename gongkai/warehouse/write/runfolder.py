"""The run folder: where a run's chunk tasks write their shards, beside the warehouse, owned by the run.

    <warehouse dir>/.<warehouse name>.runs/<run_id>/owner.lock    flock held by the run's process while it lives
                                                 /known.txt     report_ids already in the warehouse (one a line)
                                                 /chunk-NNNNN/  one shard per chunk (shards.py)

The run holds an exclusive `flock` on owner.lock (gongkai.owner_lock) from before its 'running' row is
published until its folder is removed; the OS releases it when the process dies, however it dies (kill -9
included). So a folder whose lock can be taken belongs to no living run: `abandoned` removes such folders and returns their run ids, which
the next run records as 'crashed' (runs.record_started_run). A Dask worker writing shards needs this folder on
a path it shares with the driver (the folder may be given: GONGKAI_RUNS_DIR).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from gongkai import owner_lock

KNOWN = "known.txt"


def runs_dir(db: Path) -> Path:
    """Where run folders live: $GONGKAI_RUNS_DIR, else `.<warehouse name>.runs` beside the warehouse."""
    given = os.environ.get("GONGKAI_RUNS_DIR")
    return Path(given) if given else Path(db).with_name(f".{Path(db).name}.runs")


def abandoned(db: Path) -> list[str]:
    """Remove the run folders no living run owns and return their run ids (sorted)."""
    root = runs_dir(db)
    if not root.is_dir():
        return []
    return [folder.name for folder in sorted(p for p in root.iterdir() if p.is_dir())
            if owner_lock.remove_if_abandoned(folder)]


@contextlib.contextmanager
def owned(db: Path, run_id: str) -> Iterator[Path]:
    """Create the run's folder, hold its owner lock while the block runs, remove the folder after."""
    folder = runs_dir(db) / run_id
    folder.mkdir(parents=True, exist_ok=False)
    fd = owner_lock.own(folder)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        os.close(fd)
        with contextlib.suppress(OSError):
            folder.parent.rmdir()  # only when empty: other runs may be working beside this one


def write_known(folder: Path, report_ids: Iterable[str]) -> Path:
    """The report_ids already audited, for the chunk tasks (read once per worker process)."""
    path = folder / KNOWN
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(f"{r}\n" for r in report_ids), encoding="ascii")
    os.replace(tmp, path)
    return path
