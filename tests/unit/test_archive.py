"""The evidence archive (gongkai.ingest.archive) and the chunk step that fills it (gongkai.app.pipeline)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from support import SEED, SHUYANG

from gongkai.app import pipeline
from gongkai.ingest import archive
from gongkai.ingest.discover import HarvestFile, entry_json


def test_path_for_is_content_addressed_by_sha256_and_source_format(tmp_path):
    rid = hashlib.sha256(b"x").hexdigest()
    assert archive.path_for(tmp_path, rid, "html") == tmp_path / rid[:2] / f"{rid}.html"
    assert archive.path_for(tmp_path, rid, "PDF").name == f"{rid}.pdf"
    assert archive.path_for(tmp_path, rid, "").name == f"{rid}.bin"
    assert archive.path_for(tmp_path, rid, "../x").name == f"{rid}.bin"
    with pytest.raises(ValueError, match="not a sha256"):
        archive.path_for(tmp_path, "../../etc/passwd", "txt")
    assert archive.find(tmp_path, "../../etc/passwd", "txt") is None and not archive.valid_id(rid.upper())


def test_put_keeps_the_bytes_once_atomically(tmp_path):
    data = SEED.read_bytes()
    rid = hashlib.sha256(data).hexdigest()
    assert archive.find(tmp_path, rid, "txt") is None
    path = archive.put(tmp_path, data, "txt")
    assert path == archive.find(tmp_path, rid, "txt") and path.read_bytes() == data
    before = path.stat()
    assert archive.put(tmp_path, data, "txt", report_id=rid) == path  # present: not written again
    assert path.stat().st_ino == before.st_ino and path.stat().st_mtime_ns == before.st_mtime_ns
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


def test_put_file_streams_and_refuses_bytes_that_changed(tmp_path):
    src = tmp_path / "big.pdf"
    src.write_bytes(b"%PDF-1.4 " * 1000)
    rid = hashlib.sha256(src.read_bytes()).hexdigest()
    root = tmp_path / "archive"
    kept = archive.put_file(root, src, "pdf", rid)
    assert kept is not None and kept.read_bytes() == src.read_bytes()
    other = hashlib.sha256(b"something else").hexdigest()
    assert archive.put_file(root, src, "pdf", other) is None
    assert archive.find(root, other, "pdf") is None
    assert not any(p.name.endswith(".tmp") for p in root.rglob("*"))


def test_an_unwritable_archive_is_one_line_naming_it(tmp_path):
    root = tmp_path / "not-a-folder"
    root.write_text("a file where the archive should be")
    with pytest.raises(archive.ArchiveError, match="not-a-folder") as exc:
        archive.put(root, b"data", "txt")
    assert "\n" not in str(exc.value)


def test_the_chunk_step_archives_what_it_reads_under_the_reports_source_format(tmp_path):
    """An HTML page saved as .txt is source_format html, so it is kept as .html; a file over the size limit is
    kept too (streamed); files already audited are neither read nor kept again."""
    harvest = tmp_path / "h"
    harvest.mkdir()
    page = harvest / "page_saved_as.txt"
    page.write_bytes(SHUYANG.read_bytes())
    seed = harvest / "seed.txt"
    seed.write_bytes(SEED.read_bytes())
    root = tmp_path / "archive"
    with archive.Staging(root) as staging:
        r = pipeline.read_and_parse(HarvestFile(str(page), "page_saved_as.txt", page.stat().st_size), set(), None,
                                    staging)
    assert r is not None and r.source_format == "html"
    assert archive.find(root, r.report_id, "html").read_bytes() == page.read_bytes()

    known = {hashlib.sha256(seed.read_bytes()).hexdigest()}
    with archive.Staging(root) as staging:
        assert pipeline.read_and_parse(HarvestFile(str(seed), "seed.txt", seed.stat().st_size), known, None,
                                       staging) is None
    assert archive.find(root, next(iter(known)), "txt") is None


def test_an_oversize_file_is_kept_and_a_reparse_checks_the_name(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "MAX_BYTES", 100)
    big = tmp_path / "big.txt"
    big.write_bytes(SEED.read_bytes())
    root = tmp_path / "archive"
    f = HarvestFile(str(big), "big.txt", big.stat().st_size)
    with archive.Staging(root) as staging:
        r = pipeline.read_and_parse(f, set(), None, staging)
    assert r is not None and r.status == "failed" and "limit" in (r.error or "")
    kept = archive.find(root, r.report_id, "txt")
    assert kept is not None and kept.read_bytes() == big.read_bytes()
    # a re-parse expects the bytes to hash to the archived name; other bytes are skipped
    assert pipeline.read_and_parse(f, set(), None, None, expect="0" * 64) is None
    assert pipeline.read_and_parse(f, set(), None, None, expect=r.report_id) is not None


def test_parse_chunk_records_the_manifest_entry_applied(tmp_path):
    seed = tmp_path / "seed.txt"
    seed.write_bytes(SEED.read_bytes())
    entry = {"url": "http://example.gov.cn/a.txt", "region": "示范县"}
    res = pipeline.parse_chunk([HarvestFile(str(seed), "seed.txt", seed.stat().st_size, entry_json(entry))],
                               frozenset())
    assert res.manifests == ['{"region": "示范县", "url": "http://example.gov.cn/a.txt"}']
    assert res.batch.reports["source_url"].tolist() == ["http://example.gov.cn/a.txt"]


def test_archive_defaults_beside_the_warehouse_or_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv(archive.ENV, raising=False)
    assert archive.find_root(tmp_path / "w.duckdb") == (tmp_path / "archive").resolve()
    monkeypatch.setenv(archive.ENV, str(tmp_path / "elsewhere"))
    assert archive.find_root(tmp_path / "w.duckdb") == (tmp_path / "elsewhere").resolve()
    assert archive.find_root(tmp_path / "w.duckdb", tmp_path / "given") == (tmp_path / "given").resolve()
    assert Path(archive.default_root("w.duckdb")) == tmp_path / "elsewhere"


def _names(root: Path) -> list[str]:
    return sorted(p.name for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize("syncfs", [True, False], ids=["syncfs", "fsync-per-file"])
def test_a_chunk_stages_its_files_and_names_them_only_once_flushed(tmp_path, monkeypatch, syncfs):
    """Staging: nothing carries an archive name before commit (a crash mid-chunk leaves no partial file
    under a report's name); after it every file is there with its bytes and no temporary file is left.
    Both flushes (one syncfs; an fsync per file where syncfs is missing) are exercised."""
    if not syncfs:
        monkeypatch.setattr(archive, "_SYNCFS", None)
    else:
        assert archive._SYNCFS is not None  # Linux: the one-flush path is the one that runs
    flushed: list[int] = []
    real = archive._flush
    monkeypatch.setattr(archive, "_flush", lambda root, files: (flushed.append(len(files)), real(root, files)))
    root = tmp_path / "archive"
    blobs = [SEED.read_bytes(), SHUYANG.read_bytes(), b"third report"]
    ids = [hashlib.sha256(b).hexdigest() for b in blobs]
    with archive.Staging(root) as staging:
        for data, rid in zip(blobs, ids, strict=True):
            staging.put(data, "txt", rid)
        staging.put(blobs[0], "txt", ids[0])  # staged already: not twice
        assert all(archive.find(root, rid, "txt") is None for rid in ids)
        assert all(name.endswith(".tmp") for name in _names(root)) and len(_names(root)) == 3
    assert flushed == [3]
    assert [archive.find(root, rid, "txt").read_bytes() for rid in ids] == blobs
    assert _names(root) == sorted(f"{rid}.txt" for rid in ids)


def test_a_chunk_that_fails_leaves_no_staged_file(tmp_path):
    root = tmp_path / "archive"
    with pytest.raises(RuntimeError), archive.Staging(root) as staging:
        staging.put(b"half a chunk", "txt")
        raise RuntimeError("the chunk failed")
    assert _names(root) == []


def test_parse_chunk_archives_its_files_together(tmp_path, monkeypatch):
    harvest = tmp_path / "h"
    harvest.mkdir()
    files = []
    for name, src in (("seed.txt", SEED), ("page.html", SHUYANG)):
        (harvest / name).write_bytes(src.read_bytes())
        files.append(HarvestFile(str(harvest / name), name, (harvest / name).stat().st_size))
    flushed: list[int] = []
    real = archive._flush
    monkeypatch.setattr(archive, "_flush", lambda root, names: (flushed.append(len(names)), real(root, names)))
    res = pipeline.parse_chunk(files, frozenset(), archive=str(tmp_path / "archive"))
    assert flushed == [2]  # one flush for the chunk
    for rid, fmt, f in zip(res.batch.reports["report_id"], res.batch.reports["source_format"], files, strict=True):
        assert archive.find(tmp_path / "archive", rid, fmt).read_bytes() == Path(f.path).read_bytes()
