"""The synthetic report generator: a corpus written with its manifest and truth, years chained by the
carry-over, deterministic, in every rendering."""

from __future__ import annotations

import hashlib
import json

import pytest

from gongkai.form import template
from gongkai.synth import layout, read_cell, write_corpus

# --------------------------------------------------------------------------------------------------
# corpus

def test_write_corpus(tmp_path):
    years = [2020, 2021, 2022]
    truth = write_corpus(tmp_path / "a", n_agencies=4, years=years, defect_rate=0.5, seed=3)
    assert truth == tmp_path / "a" / "truth.jsonl"
    files = sorted(p.name for p in (tmp_path / "a").iterdir() if p.name not in ("manifest.jsonl", "truth.jsonl"))
    assert len(files) == 4 * 3 * 3
    manifest = [json.loads(x) for x in (tmp_path / "a" / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    lines = [json.loads(x) for x in truth.read_text(encoding="utf-8").splitlines()]
    assert len(manifest) == len(lines) == len(files)
    assert sorted(m["path"] for m in manifest) == files == sorted(t["path"] for t in lines)
    assert all({"path", "url", "agency", "region", "year"} <= set(m) for m in manifest)
    assert len({m["url"] for m in manifest}) == len(manifest)
    finding_keys = {"rule_id", "table_id", "row_key", "col_key", "status", "expected", "observed"}
    for t in lines:   # the cells of the report's layout (the project's template: a version's, or the mixed one)
        name = template.MIXED if t["mixed"] else t["format_version"]
        assert set(t["cells"]) == {f"{a}|{b}|{c}" for a in ("t2", "t3", "t4") if t["tables_present"][a]
                                   for b, c in template.layout_keys(name, a)}
        assert t["mixed"] == ("mixed_format" in t["defects"]) and (not t["mixed"] or t["year"] >= 2021)
        assert all(set(f) == finding_keys for f in t["expected_findings"] + t["expected_cross_year"])
    assert any(t["defects"] for t in lines) and any(not t["defects"] for t in lines)
    assert {t["format_version"] for t in lines if t["year"] == 2020} == {"2019"}
    # consecutive years are chained: 上年结转 (Y) = 结转下年度 (Y−1) unless a defect says otherwise
    by = {(t["agency"], t["year"], t["rendering"]): t for t in lines}
    chained = 0
    for (agency, year, rendering), t in by.items():
        prev = by.get((agency, year - 1, rendering))
        if prev is None:
            assert t["expected_cross_year"] == []
            continue
        want_fail, want_na = set(), set()
        for c in layout("2021").applicant_cols + ("total",):
            a = read_cell(prev["cells"].get(f"t3|carried_forward|{c}"))
            b = read_cell(t["cells"].get(f"t3|carried_over|{c}"))
            if a[0] != "number" or b[0] != "number":
                want_na.add(c)
            elif a[1] != b[1]:
                want_fail.add(c)
            else:
                chained += 1
        xy = [f for f in t["expected_cross_year"] if f["rule_id"] == "XY_CARRY_OVER"]
        assert {f["col_key"] for f in xy if f["status"] == "fail"} == want_fail
        assert {f["col_key"] for f in xy if f["status"] == "not_assessable"} == want_na
        assert not want_fail or "t3_balance" in t["defects"]
    assert chained > 50
    # deterministic
    write_corpus(tmp_path / "b", n_agencies=4, years=years, defect_rate=0.5, seed=3)
    digest = lambda d: {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in d.iterdir()}  # noqa: E731
    assert digest(tmp_path / "a") == digest(tmp_path / "b")


def test_write_corpus_renderings(tmp_path):
    write_corpus(tmp_path, n_agencies=100, years=[2022, 2023], renderings=("txt", "html", "portal", "portal_gbk"))
    files = [p for p in tmp_path.iterdir() if p.suffix in (".txt", ".html")]
    assert len(files) == 100 * 2 * 4
    with pytest.raises(ValueError):
        write_corpus(tmp_path / "x", 1, [2022], renderings=("xlsx",))
