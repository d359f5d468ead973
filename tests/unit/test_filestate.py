"""The files-read cache (gongkai.ingest.filestate): which harvest files a run may skip without reading them."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from support import cache_rows

from gongkai.ingest import discover, filestate


def _harvest(root: Path, n: int = 3) -> list[Path]:
    root.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        p = root / f"r{i}.txt"
        p.write_text(f"report {i}\n", encoding="utf-8")
        paths.append(p)
    return paths


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _read_all(tmp: Path, files: list) -> Path:
    """What a chunk task writes for files it read: its part of the cache."""
    part = tmp / "chunk-00000"
    part.mkdir(parents=True, exist_ok=True)
    return filestate.write_part(part, files, {f.path: _sha(Path(f.path)) for f in files})


def test_a_file_is_skipped_only_when_size_times_inode_match_and_the_warehouse_holds_its_report(tmp_path):
    paths = _harvest(tmp_path / "h")
    files = discover([tmp_path / "h"])
    cache_file = tmp_path / "cache.parquet"
    assert filestate.save(cache_file, [tmp_path / "h"], [], [_read_all(tmp_path, files)]) == 3
    cache = filestate.read(cache_file)
    known = {_sha(p) for p in paths}

    todo, unchanged = filestate.split(discover([tmp_path / "h"]), cache, known)
    assert (len(todo), len(unchanged)) == (0, 3)

    # same size, mtime put back: ctime moved, so the file is read again
    st = paths[0].stat()
    paths[0].write_text("report 9\n", encoding="utf-8")
    os.utime(paths[0], ns=(st.st_atime_ns, st.st_mtime_ns))
    assert paths[0].stat().st_size == st.st_size and paths[0].stat().st_mtime_ns == st.st_mtime_ns
    # replaced by a copy (new inode)
    copy = tmp_path / "copy.txt"
    copy.write_bytes(paths[1].read_bytes())
    os.replace(copy, paths[1])
    # a report the warehouse does not hold (another warehouse's cache)
    todo, unchanged = filestate.split(discover([tmp_path / "h"]), cache, known - {_sha(paths[2])})
    assert sorted(Path(f.path).name for f in todo) == ["r0.txt", "r1.txt", "r2.txt"]
    assert unchanged == []


def test_save_keeps_unchanged_and_other_harvests_rows_and_drops_deleted_files(tmp_path):
    a, b = _harvest(tmp_path / "a"), _harvest(tmp_path / "b", 2)
    cache_file = tmp_path / "cache.parquet"
    filestate.save(cache_file, [tmp_path / "a", tmp_path / "b"], [],
                   [_read_all(tmp_path / "p1", discover([tmp_path / "a", tmp_path / "b"]))])
    assert len(cache_rows(cache_file)) == 5

    a[0].unlink()                                   # deleted from harvest a
    a[1].write_text("changed report\n", encoding="utf-8")  # changed: read again by the next run
    known = {_sha(p) for p in a[1:] + b} | {hashlib.sha256(b"report 1\n").hexdigest()}
    todo, unchanged = filestate.split(discover([tmp_path / "a"]), filestate.read(cache_file), known)
    assert [Path(f.path).name for f in todo] == ["r1.txt"] and [Path(f.path).name for f in unchanged] == ["r2.txt"]
    n = filestate.save(cache_file, [tmp_path / "a"], unchanged, [_read_all(tmp_path / "p2", todo)])

    cache = cache_rows(cache_file)
    assert n == len(cache) == 4
    assert str(a[0].resolve()) not in cache                                   # gone from harvest a: dropped
    assert cache[str(a[1].resolve())][1] == _sha(a[1])                        # re-read: its new bytes
    assert cache[str(a[2].resolve())][1] == _sha(a[2])                        # unchanged: kept
    assert {str(p.resolve()) for p in b} <= cache.keys()                      # another harvest: kept


def test_a_missing_or_damaged_cache_means_every_file_is_read(tmp_path):
    _harvest(tmp_path / "h")
    files = discover([tmp_path / "h"])
    assert cache_rows(tmp_path / "absent.parquet") == {}
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 not really parquet")
    assert cache_rows(bad) == {}
    assert filestate.read(bad) is None
    todo, unchanged = filestate.split(files, filestate.read(bad), set())
    assert len(todo) == 3 and unchanged == []
