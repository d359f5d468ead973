"""A run does not read again the harvest files it has read unchanged (gongkai.ingest.filestate), through the real
CLI and flow: the nightly re-run with nothing new costs a stat per file, not a read and a sha256."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import duckdb
from support import HARVEST, cache_rows, contents, invoke, shown

from gongkai.ingest import filestate


def _audit(harvest: Path, db: Path, *extra: str) -> tuple[str, dict[str, int]]:
    res = invoke("audit", str(harvest), "--db", str(db), "--workers", "1", *extra)
    assert res.exit_code == 0, shown(res)
    counts = {k: int(v) for k, v in re.findall(r"(files seen|unchanged, not read|new files)\D+?(\d+)", res.output)}
    return res.output, counts


def _last_run(db: Path) -> tuple:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT files_seen, files_new, status FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()
    finally:
        con.close()


def test_unchanged_files_are_not_read_again_and_a_changed_one_is(tmp_path):
    harvest = tmp_path / "harvest"
    shutil.copytree(HARVEST, harvest)
    n = sum(1 for p in harvest.rglob("*") if p.is_file() and not p.name.startswith(".") and p.name != "manifest.jsonl")
    db = tmp_path / "warehouse.duckdb"

    out, first = _audit(harvest, db)
    assert first == {"files seen": n, "unchanged, not read": 0, "new files": n}, out
    cache = cache_rows(filestate.cache_path(db))
    assert len(cache) == n  # every file's bytes were hashed, failed files' included
    after_first = contents(db)

    out, again = _audit(harvest, db)
    assert again == {"files seen": n, "unchanged, not read": n, "new files": 0}, out
    assert _last_run(db) == (n, 0, "completed")
    assert contents(db) == after_first

    # one report edited in place: same size, its mtime put back — ctime moved, so it is read and is new
    target = harvest / "wuxing_office_2021.txt"
    st = target.stat()
    text = target.read_bytes()
    edited = text.replace(b"2021", b"2020", 1)
    assert edited != text and len(edited) == len(text)
    target.write_bytes(edited)
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    out, edit = _audit(harvest, db)
    assert edit == {"files seen": n, "unchanged, not read": n - 1, "new files": 1}, out

    # --rehash reads every file: nothing new, the same warehouse but for the runs row
    before = contents(db)
    out, rehash = _audit(harvest, db, "--rehash")
    assert rehash == {"files seen": n, "unchanged, not read": 0, "new files": 0}, out
    assert contents(db) == before

    # another warehouse beside the same cache file: its report_ids are unknown there, so every file is read
    other = tmp_path / "other.duckdb"
    shutil.copy(filestate.cache_path(db), filestate.cache_path(other))
    out, fresh = _audit(harvest, other)
    assert fresh == {"files seen": n, "unchanged, not read": 0, "new files": n}, out
