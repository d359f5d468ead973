"""The stored originals, as the dashboard reads them: the archive the audit writes (gongkai.ingest.archive:
`<archive>/<sha256[:2]>/<sha256>.<ext>`, report_id being the sha256 of the bytes and ext reports.source_format;
`--archive PATH`, else $GONGKAI_ARCHIVE, else `archive/` beside the warehouse). The dashboard only reads it,
and serves a file as an attachment under its own content type (never inline), so a harvested HTML page never
renders in the dashboard's origin."""

from __future__ import annotations

import hashlib
from pathlib import Path

from gongkai.ingest import archive as _archive


def archive_dir(db: Path, explicit: Path | None = None) -> Path:
    """The archive of warehouse `db`: --archive, else $GONGKAI_ARCHIVE, else `archive/` beside it."""
    return _archive.find_root(db, explicit)


def original_path(archive: Path, report_id: str, source_format: str | None) -> Path | None:
    """Where the original of a report is kept; None when the id is not a sha256 (never a path outside the
    archive: the id is 64 hex digits, the extension letters and digits or `bin`)."""
    if not _archive.valid_id(report_id):
        return None
    return _archive.path_for(archive, report_id, source_format)


def stored_original(archive: Path, report_id: str, source_format: str | None) -> Path | None:
    """The archived file when it exists, else None."""
    path = original_path(archive, report_id, source_format)
    return path if path is not None and path.is_file() else None


def matches(path: Path, report_id: str) -> bool:
    """Whether the file's bytes still hash to the report id."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest() == report_id
