"""Harvest discovery and the manifest."""

from __future__ import annotations

import json

import pytest
from support import SEED

from gongkai.app.pipeline import parse_chunk
from gongkai.ingest.discover import HarvestNotFound, chunks, discover


def test_discover_walks_folders_skips_hidden_and_reads_manifest(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "r.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "a" / ".DS_Store").write_bytes(b"x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_bytes(b"x")
    (tmp_path / "a" / "manifest.jsonl").write_text(
        json.dumps({"path": "r.txt", "url": "http://x.gov.cn/r", "agency": "五星街道办事处", "agency_id": "wx-01", "region": "某区", "year": 2022},
                   ensure_ascii=False) + "\nnot json\n", encoding="utf-8")
    warnings: list[str] = []
    files = discover([tmp_path], warnings)
    assert [f.display.rsplit("/", 1)[-1] for f in files] == ["r.txt"]
    assert files[0].manifest == {"url": "http://x.gov.cn/r", "agency": "五星街道办事处", "agency_id": "wx-01", "region": "某区", "year": 2022}
    assert len(warnings) == 1 and "line 2" in warnings[0]
    batch = parse_chunk(files, frozenset()).batch
    rep = batch.reports.iloc[0]
    assert (rep.agency, rep.agency_id, rep.region, rep.year, rep.source_url) == ("五星街道办事处", "wx-01", "某区", 2022, "http://x.gov.cn/r")
    # the disagreement with what the report itself says is recorded, not hidden
    assert "manifest year 2022 overrides 2021" in rep.notes and "manifest agency" in rep.notes


def test_manifest_lines_are_read_one_by_one_whatever_a_line_holds(tmp_path):
    """The manifest is parsed as one JSON array when it can be (fast); a line with two objects, a bad line or a
    string holding U+2028 (a line break to str.splitlines, not to JSON Lines) keeps the line-by-line meaning."""
    for name in ("a.txt", "b.txt", "c.txt", "d.txt"):
        (tmp_path / name).write_bytes(SEED.read_bytes())
    lines = [json.dumps({"path": "a.txt", "agency": "甲\u2028乙"}, ensure_ascii=False),
             json.dumps({"path": "b.txt", "year": 2022}) + ", " + json.dumps({"path": "c.txt", "year": 2023}),
             "",
             json.dumps({"path": "d.txt", "year": "2024"})]
    (tmp_path / "manifest.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    warnings: list[str] = []
    got = {f.display.rsplit("/", 1)[-1]: f.manifest for f in discover([tmp_path], warnings)}
    assert got == {"a.txt": {"agency": "甲\u2028乙"}, "b.txt": {}, "c.txt": {}, "d.txt": {"year": 2024}}
    assert len(warnings) == 1 and "line 2: ignored" in warnings[0]


def test_manifest_agency_id_described_by_registry(tmp_path):
    """A manifest agency_id found in the registry brings its region and level; manifest values win."""
    reg = tmp_path / "agencies.csv"
    reg.write_text("agency_id,name,aliases,region,level,parent\nwx-01,五星街道办事处,,某省/某区,township,\n", encoding="utf-8")
    h = tmp_path / "h"
    h.mkdir()
    for name in ("a.txt", "b.txt"):
        (h / name).write_bytes(SEED.read_bytes() + name.encode())
    (h / "manifest.jsonl").write_text(
        json.dumps({"path": "a.txt", "agency_id": "wx-01"}) + "\n"
        + json.dumps({"path": "b.txt", "agency_id": "wx-01", "region": "某区", "level": "street"}) + "\n", encoding="utf-8")
    reps = parse_chunk(discover([h]), frozenset(), str(reg)).batch.reports.sort_values("source_path")
    assert list(zip(reps.agency_id, reps.region, reps.level)) == [("wx-01", "某省/某区", "township"), ("wx-01", "某区", "street")]


def test_same_bytes_twice_and_known_reports_are_skipped(tmp_path):
    for name in ("one.txt", "two.txt"):
        (tmp_path / name).write_bytes(SEED.read_bytes())
    files = discover([tmp_path])
    res = parse_chunk(files, frozenset())
    assert (len(res.batch.reports), res.skipped) == (1, 1)
    known = frozenset(res.batch.reports.report_id)
    assert len(parse_chunk(files, known).batch.reports) == 0


def test_missing_harvest_path_is_an_error(tmp_path):
    with pytest.raises(HarvestNotFound, match="does not exist"):
        discover([tmp_path / "missing"])


def test_chunks_are_coarse():
    assert [len(c) for c in chunks(list(range(601)), 250)] == [250, 250, 101]
    # several workers: a multiple of their number, files shared equally
    assert [len(c) for c in chunks(list(range(400)), 250, workers=2)] == [200, 200]
    assert [len(c) for c in chunks(list(range(601)), 250, workers=2)] == [301, 300]  # both busy to the end
    assert [len(c) for c in chunks(list(range(1500)), 500, workers=2)] == [750] * 2  # not 4 × 375: fewer, ≤ 1.5 ×
    assert [len(c) for c in chunks(list(range(1750)), 250, workers=4)] == [219] * 6 + [218] * 2  # 4 × 438: > 1.5 ×
    assert [len(c) for c in chunks(list(range(1500)), 250, workers=4)] == [375] * 4  # 6 → 4, within 1.5 × 250
    assert [len(c) for c in chunks(list(range(150_001)), 500, workers=2)] == [501] + [500] * 299  # equal shares
    assert [len(c) for c in chunks(list(range(18)), 250, workers=2)] == [18]  # too small to split
    assert [len(c) for c in chunks(list(range(120)), 250, workers=4)] == [60, 60]  # never below 50 a chunk
    assert [len(c) for c in chunks(list(range(24)), 7, workers=2)] == [6, 6, 6, 6]  # a small size asked for: kept
    assert chunks([], 250, workers=2) == []


def test_a_100_mb_file_gets_a_failed_row_without_being_read(tmp_path):
    big = tmp_path / "huge_report.pdf"
    with open(big, "wb") as fh:  # sparse: 100 MB on paper, nothing on disk
        fh.truncate(100 * 1024 * 1024)
    res = parse_chunk(discover([tmp_path]), frozenset())
    rep = res.batch.reports.iloc[0]
    assert rep.status == "failed" and rep.byte_size == 100 * 1024 * 1024
    assert "huge_report.pdf: 105 MB is larger than the 50 MB limit for a report" in rep.error and "\n" not in rep.error
