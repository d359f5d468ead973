"""The evidence kept: every audited file's bytes, content-addressed beside the warehouse.

    <archive>/<sha256[:2]>/<sha256>.<ext>

`sha256` is the hash of the bytes, i.e. the report's `report_id`; `ext` is the report's `source_format`
(`reports.source_format`: txt, html, docx, pdf, md, or for a file that failed the lower-case extension it
had). An `ext` that is not 1–16 lower-case letters or digits is stored as `bin`. The archive is
`<warehouse dir>/archive/` unless `$GONGKAI_ARCHIVE` or `gongkai audit --archive PATH` names another.

Writes are atomic (a temporary file in the target folder, flushed to disk, then `os.replace`; a chunk's
files are flushed together: Staging) and idempotent (a file already present is left as it is: same name,
same bytes). The dashboard serves `/reports/{id}/original` from `path_for(root, report_id, source_format)`;
a re-parse reads the same path. Pure file I/O, no DuckDB.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, cast

from gongkai.errors import GongkaiError

ENV = "GONGKAI_ARCHIVE"
_EXT = re.compile(r"[a-z0-9]{1,16}")
_ID = re.compile(r"[0-9a-f]{64}")


class ArchiveError(GongkaiError):
    """The archive cannot be written (one line: the path and the reason)."""


def valid_id(report_id: str) -> bool:
    """Whether `report_id` is a sha256 (64 lower-case hex digits), i.e. names archivable bytes."""
    return _ID.fullmatch(report_id) is not None


def default_root(db: Path | str) -> Path:
    """The archive of the warehouse `db`: $GONGKAI_ARCHIVE, else `archive/` beside the warehouse."""
    given = os.environ.get(ENV)
    return Path(given) if given else Path(db).resolve().parent / "archive"


def find_root(db: Path | str, given: Path | str | None = None) -> Path:
    """The archive a run uses, absolute: `given` (--archive), else default_root(db)."""
    return Path(given).resolve() if given else default_root(db).resolve()


def _ext(ext: str | None) -> str:
    e = (ext or "").lower().lstrip(".")
    return e if _EXT.fullmatch(e) else "bin"


def path_for(root: Path | str, report_id: str, ext: str | None) -> Path:
    """Where the bytes of `report_id` (its sha256, 64 lower-case hex digits) with format `ext` are kept."""
    if not _ID.fullmatch(report_id):
        raise ValueError(f"not a sha256 report_id: {report_id!r}")
    return Path(root) / report_id[:2] / f"{report_id}.{_ext(ext)}"


def find(root: Path | str, report_id: str, ext: str | None) -> Path | None:
    """The archived file of `report_id`, or None when it is not in the archive (or is no sha256: a file that
    could not be read has an id that names no bytes)."""
    if not valid_id(report_id):
        return None
    p = path_for(root, report_id, ext)
    return p if p.is_file() else None


def file_sha256(path: Path | str) -> str:
    """The sha256 of a file's bytes, read in 1 MiB blocks (a report's id; also checks an archived copy)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Staging:
    """The archive writes of one chunk. Each file is written under a temporary name in its target folder,
    not flushed; `commit()` flushes them all to disk at once (one `syncfs` of the archive's file system;
    an fsync per file where syncfs is missing) and only then renames each to its name. So a name in the
    archive always holds complete bytes, as with a flush per file, at one disk flush per chunk (measured on
    this machine's ext4: 0.07 ms a file instead of 0.32–0.42 ms, ~20 s of a national year's 150,000).
    syncfs also waits for whatever else is pending on that file system (README: keep the archive on a file
    system of its own where other programs write heavily).

    Used as a context manager: committed on a normal exit, the temporary files removed on an exception.
    A target already present, or already staged, is not written again (same name, same bytes)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self._pending: dict[Path, str] = {}  # target → its temporary file
        self._folders: set[Path] = set()
        self._token = f"{os.getpid()}.{uuid.uuid4().hex[:12]}"  # unique on a shared archive (Dask workers)

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()

    def _stage(self, target: Path, write: Callable[[BinaryIO], None]) -> None:
        folder = target.parent
        tmp = str(folder / f".{target.name}.{self._token}.{len(self._pending)}.tmp")
        try:
            if folder not in self._folders:
                folder.mkdir(parents=True, exist_ok=True)
                self._folders.add(folder)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        except OSError as exc:
            raise ArchiveError(f"archive {folder}: cannot write ({exc.strerror or exc})") from exc
        try:
            with os.fdopen(fd, "wb") as fh:
                write(fh)
        except BaseException as exc:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            if isinstance(exc, OSError):
                raise ArchiveError(f"archive {target}: cannot write ({exc.strerror or exc})") from exc
            raise
        self._pending[target] = tmp

    def put(self, data: bytes, ext: str | None, report_id: str | None = None) -> Path:
        """Stage `data` (whose sha256 is `report_id`, computed when not given) as a `ext` file; its path."""
        target = path_for(self.root, report_id or hashlib.sha256(data).hexdigest(), ext)
        if target not in self._pending and not target.exists():
            def write(fh: BinaryIO) -> None:
                fh.write(data)

            self._stage(target, write)
        return target

    def put_file(self, source: Path | str, ext: str | None, report_id: str) -> Path | None:
        """Stage the file `source` (too large to hold in memory) as `report_id`, streamed. Its path, or None
        when the file's bytes no longer hash to `report_id` (it changed since it was hashed)."""
        target = path_for(self.root, report_id, ext)
        if target in self._pending or target.exists():
            return target
        h = hashlib.sha256()

        def copy(fh: BinaryIO) -> None:
            with open(source, "rb") as src:
                for block in iter(lambda: src.read(1 << 20), b""):
                    h.update(block)
                    fh.write(block)
            if h.hexdigest() != report_id:
                raise _Changed

        try:
            self._stage(target, copy)
        except _Changed:
            return None
        return target

    def commit(self) -> None:
        """Flush the staged files to disk, then give each its name."""
        if not self._pending:
            return
        try:
            _flush(self.root, list(self._pending.values()))
            for target, tmp in self._pending.items():
                os.replace(tmp, target)
        except OSError as exc:
            self.discard()
            raise ArchiveError(f"archive {self.root}: cannot write ({exc.strerror or exc})") from exc
        self._pending.clear()

    def discard(self) -> None:
        """Remove the staged files (an exception ended the chunk)."""
        for tmp in self._pending.values():
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        self._pending.clear()


def _syncfs() -> Callable[[int], int] | None:
    try:
        fn = ctypes.CDLL(None, use_errno=True).syncfs
    except (AttributeError, OSError):  # not Linux (or no symbol): fsync each file
        return None
    fn.argtypes = [ctypes.c_int]
    return cast(Callable[[int], int], fn)


_SYNCFS = _syncfs()


def _flush(root: Path, files: list[str]) -> None:
    """Every byte of `files` (all under `root`, one file system) on disk."""
    if _SYNCFS is not None:
        fd = os.open(root, os.O_RDONLY)
        try:
            if _SYNCFS(fd) == 0:
                return
        finally:
            os.close(fd)
    for name in files:
        fd = os.open(name, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def put(root: Path | str, data: bytes, ext: str | None, *, report_id: str | None = None) -> Path:
    """Keep `data` (whose sha256 is `report_id`, computed when not given) as a `ext` file, on disk when this
    returns; its path. Already present: nothing is written. (A chunk stages its files: Staging.)"""
    with Staging(root) as staging:
        return staging.put(data, ext, report_id)


def put_file(root: Path | str, source: Path | str, ext: str | None, report_id: str) -> Path | None:
    """Keep the file `source` (too large to hold in memory) as `report_id`, streamed, on disk when this
    returns. Its path, or None when the file's bytes no longer hash to `report_id` (it changed since it was
    hashed)."""
    with Staging(root) as staging:
        return staging.put_file(source, ext, report_id)


class _Changed(Exception):
    pass
