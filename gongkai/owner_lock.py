"""Folders owned by a living process: an exclusive `flock` on `<folder>/owner.lock`, held while the owner lives.

The OS releases a flock when its process dies, however it dies (kill -9 included), so a folder whose lock can
be taken belongs to no living process and may be removed. Used by a run's folder
(gongkai.warehouse.write.runfolder: the next run removes an abandoned one and records its run crashed) and by
`gongkai serve`'s socket folder (gongkai.app.warm_pool: the next serve removes a killed serve's). POSIX only.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

OWNER = "owner.lock"


def try_lock(path: Path, create: bool = True) -> int | None:
    """An fd holding an exclusive flock on `path` (created when missing if `create`), or None when another
    process holds it (or it is missing and not to be created)."""
    try:
        fd = os.open(path, os.O_RDWR | (os.O_CREAT if create else 0), 0o600)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def own(folder: Path) -> int:
    """Take the new folder `folder` for this process: its owner lock, held until the returned fd is closed (or
    the process ends). The lock is taken on a file of another name, then renamed to owner.lock, so that no
    sweeper ever finds an owner.lock that is not yet held."""
    staged = folder / f".{OWNER}.{os.getpid()}"
    fd = try_lock(staged)
    if fd is None:  # a fresh folder: only a process racing on the same name could hold it
        raise RuntimeError(f"folder {folder} is owned by another process")
    os.rename(staged, folder / OWNER)
    return fd


def remove_if_abandoned(folder: Path, missing_lock_abandons: bool = True) -> bool:
    """Remove `folder` when no living process owns it; whether it was removed. A folder without owner.lock
    counts as abandoned only when `missing_lock_abandons` (else it is left: made by a version that took no
    lock, or not by gongkai)."""
    fd = try_lock(folder / OWNER, create=missing_lock_abandons)
    if fd is None:
        return False
    try:
        shutil.rmtree(folder, ignore_errors=True)
    finally:
        os.close(fd)
    return True
