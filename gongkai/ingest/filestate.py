"""Files already read: lets a run skip re-reading and re-hashing the harvest files it has seen unchanged.

A report is identified by the sha256 of its bytes, so telling a known file from a new one means reading and
hashing it: 28 s for the 5.7 GB of a national year (150,000 reports), every night, to find nothing new. This
cache remembers, per harvest file read, its size and times and the report_id its bytes hashed to:

    <warehouse dir>/.<warehouse name>.files.parquet
        path       VARCHAR  the file's absolute path as discovered (symlinks resolved)
        size       BIGINT   bytes
        mtime_ns   BIGINT   modification time, ns since the epoch
        ctime_ns   BIGINT   inode change time, ns since the epoch
        inode      BIGINT   inode number
        report_id  VARCHAR  sha256 of the bytes read (the reports row they were audited as)

A discovered file whose size, mtime, ctime and inode all equal its row, and whose report_id the warehouse
holds, is counted as seen and not read again. Any write to a file moves its mtime and ctime, and ctime cannot
be set back by a user (`touch -d` sets mtime only, and moves ctime), so a changed file is read again; so is a
file copied, moved or restored from a backup (new inode or times), which costs a read, never a wrong answer.
`gongkai audit --rehash` reads and hashes every file regardless (the cache is then rewritten).

Only a hint: a missing, unreadable or foreign cache file means every file is read (as on a first run); rows
whose report_id the warehouse does not hold are ignored. Written after the run's publication (atomic rename);
rows of files under the run's harvest roots that were not discovered again (deleted files) are dropped, rows
of other harvests kept. The chunk tasks write their part (`seen.parquet` in their shard folder, the same
columns) for the files they hashed. Plain pyarrow: no DuckDB here.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from gongkai.ingest.discover import HarvestFile

SCHEMA = pa.schema([("path", pa.string()), ("size", pa.int64()), ("mtime_ns", pa.int64()),
                    ("ctime_ns", pa.int64()), ("inode", pa.int64()), ("report_id", pa.string())])
PART = "seen.parquet"

Key = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode
KEY_COLUMNS = ("size", "mtime_ns", "ctime_ns", "inode")  # Key's columns in SCHEMA


def cache_path(db: Path) -> Path:
    """Where the cache of the warehouse `db` lives: `.<name>.files.parquet` beside it."""
    return Path(db).with_name(f".{Path(db).name}.files.parquet")


def _key(f: HarvestFile) -> Key:
    return (f.size, *f.stat)


def rows(files: Iterable[HarvestFile], hashed: Mapping[str, str]) -> pa.Table:
    """The cache rows of the `files` whose bytes were hashed (`hashed`: path → report_id) and whose times
    discovery recorded."""
    out: dict[str, list[object]] = {name: [] for name in SCHEMA.names}
    for f in files:
        rid = hashed.get(f.path)
        if rid is None or f.stat == (0, 0, 0):
            continue
        for name, value in zip(SCHEMA.names, (f.path, *_key(f), rid), strict=True):
            out[name].append(value)
    return pa.table(out, schema=SCHEMA)


def write_part(folder: Path, files: Iterable[HarvestFile], hashed: Mapping[str, str]) -> Path:
    """A chunk's part of the cache: `folder`/seen.parquet."""
    path = Path(folder) / PART
    pq.write_table(rows(files, hashed), path, compression="zstd", compression_level=1)
    return path


def read(path: Path) -> pa.Table | None:
    """The cache at `path` as an Arrow table (SCHEMA), or None when absent, damaged or of another layout."""
    try:
        table = pq.read_table(path)
        return table.select(SCHEMA.names).cast(SCHEMA)
    except (OSError, KeyError, ValueError, pa.ArrowException):  # absent, damaged, or another layout: no hint
        return None


def split(files: Sequence[HarvestFile], cache: pa.Table | None,
          known: set[str] | frozenset[str]) -> tuple[list[HarvestFile], list[HarvestFile]]:
    """(files to read, files unchanged since they were read as a report the warehouse holds): a file is
    unchanged when the cache (`read`; None: no cache) has its path with the same size, mtime, ctime and inode
    and a report_id in `known`, and discovery recorded its times. Compared column-wise in Arrow: building a
    Python row per cached file took 225 MB at a national year's 150,000 (116 MB of it kept by the process)."""
    if cache is None or cache.num_rows == 0 or not files or not known:
        return list(files), []
    at = pc.index_in(pa.array([f.path for f in files], pa.string()), value_set=cache.column("path"))
    hit = cache.take(at)
    same = pc.is_in(hit.column("report_id"), value_set=pa.array(list(known), pa.string()))
    for name, now in zip(KEY_COLUMNS, zip(*map(_key, files), strict=True), strict=True):
        same = pc.and_(same, pc.equal(hit.column(name), pa.array(now, pa.int64())))
    recorded = pa.array([f.stat != (0, 0, 0) for f in files], pa.bool_())
    keep = pc.fill_null(pc.and_(same, recorded), False).to_pylist()
    todo = [f for f, k in zip(files, keep, strict=True) if not k]
    unchanged = [f for f, k in zip(files, keep, strict=True) if k]
    return todo, unchanged


def _under(paths: pa.ChunkedArray, roots: Sequence[str]) -> pa.ChunkedArray:
    hit = pc.is_in(paths, value_set=pa.array(list(roots), pa.string()))
    for root in roots:
        hit = pc.or_(hit, pc.starts_with(paths, root.rstrip(os.sep) + os.sep))
    return hit


def save(path: Path, roots: Sequence[str | Path], unchanged: Sequence[HarvestFile], parts: Sequence[Path]) -> int:
    """Write the cache after a published run: the rows of this run's `parts` (files it read), the previous
    rows of the files it found `unchanged`, and the previous rows of files outside its harvest `roots`.
    Atomic (temp file + rename). Returns the number of rows."""
    path = Path(path)
    real_roots = [os.path.realpath(r) for r in roots]
    tables = [t for t in (read(p) for p in parts) if t is not None]
    old = read(path)
    if old is not None and old.num_rows:
        fresh = pa.concat_tables(tables).column("path") if tables else pa.chunked_array([], pa.string())
        kept = pc.or_(pc.is_in(old.column("path"), value_set=pa.array([f.path for f in unchanged], pa.string())),
                      pc.invert(_under(old.column("path"), real_roots)))
        kept = pc.and_(kept, pc.invert(pc.is_in(old.column("path"), value_set=fresh.combine_chunks())))
        tables.insert(0, old.filter(kept))
    table = pa.concat_tables(tables) if tables else SCHEMA.empty_table()
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        pq.write_table(table, tmp, compression="zstd", compression_level=1)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return table.num_rows
