"""The evidence kept: every audited file's bytes, content-addressed beside the warehouse.

    <archive>/<sha256[:2]>/<sha256>.<ext>

`sha256` is the hash of the bytes, i.e. the report's `report_id`; `ext` is the report's `source_format`
(`reports.source_format`: txt, html, docx, pdf, md, or for a file that failed the lower-case extension it
had). An `ext` that is not 1–16 lower-case letters or digits is stored as `bin`. The archive is
`<warehouse dir>/archive/` unless `$GONGKAI_ARCHIVE` or `gongkai audit --archive PATH` names another.

Writes are atomic (a temporary file in the target folder, then `os.replace`) and idempotent (a file already
present is left as it is: same name, same bytes). The dashboard serves `/reports/{id}/original` from
`path_for(root, report_id, source_format)`; a re-parse reads the same path. Pure file I/O, no DuckDB.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from pathlib import Path

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


def _atomic(target: Path, write: object) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise ArchiveError(f"archive {target.parent}: cannot write ({exc.strerror or exc})") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)  # type: ignore[operator]
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o444)
        os.replace(tmp, target)
    except OSError as exc:
        raise ArchiveError(f"archive {target}: cannot write ({exc.strerror or exc})") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def put(root: Path | str, data: bytes, ext: str | None, *, report_id: str | None = None) -> Path:
    """Keep `data` (whose sha256 is `report_id`, computed when not given) as a `ext` file; returns its path.
    Already present: nothing is written."""
    rid = report_id or hashlib.sha256(data).hexdigest()
    target = path_for(root, rid, ext)
    if not target.exists():
        _atomic(target, lambda fh: fh.write(data))
    return target


def put_file(root: Path | str, source: Path | str, ext: str | None, report_id: str) -> Path | None:
    """Keep the file `source` (too large to hold in memory) as `report_id`, streamed. Returns its path, or
    None when the file's bytes no longer hash to `report_id` (it changed since it was hashed)."""
    target = path_for(root, report_id, ext)
    if target.exists():
        return target
    h = hashlib.sha256()

    def copy(fh: object) -> None:
        with open(source, "rb") as src:
            for block in iter(lambda: src.read(1 << 20), b""):
                h.update(block)
                fh.write(block)  # type: ignore[attr-defined]
        if h.hexdigest() != report_id:
            raise _Changed

    try:
        _atomic(target, copy)
    except _Changed:
        return None
    return target


class _Changed(Exception):
    pass
