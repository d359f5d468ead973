"""The stored originals (issue 10's archive contract): every audited file kept content-addressed as
`<archive>/<sha256[:2]>/<sha256>.<ext>`, report_id being the sha256 of the bytes and ext reports.source_format.
The archive is `--archive PATH`, else $GONGKAI_ARCHIVE, else `archive/` in the warehouse's folder. The
dashboard only reads it, and serves a file as an attachment under its own content type (never inline), so a
harvested HTML page never renders in the dashboard's origin."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

REPORT_ID = re.compile(r"^[0-9a-f]{64}$")
EXT = re.compile(r"^[a-z0-9]{1,10}$")


def archive_dir(db: Path, explicit: Path | None = None) -> Path:
    if explicit is not None:
        return Path(explicit)
    env = os.environ.get("GONGKAI_ARCHIVE")
    return Path(env) if env else Path(db).parent / "archive"


def original_path(archive: Path, report_id: str, source_format: str | None) -> Path | None:
    """Where the original of a report is kept; None when the id or the format cannot name a file (never a
    path outside the archive)."""
    ext = (source_format or "").lower()
    if not REPORT_ID.match(report_id) or not EXT.match(ext):
        return None
    return Path(archive) / report_id[:2] / f"{report_id}.{ext}"


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
