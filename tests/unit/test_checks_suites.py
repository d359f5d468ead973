"""gongkai.checks, the GX suites: committed as canonical JSON naming their rules, each validated once per
batch, and a real run over 2,000 reports with more failures than GX lists by default."""

from __future__ import annotations

import json

from checks_support import make_report, run

from gongkai.checks import run_checks
from gongkai.checks.identities import declared
from gongkai.checks.suites import committed_dir
from gongkai.report.batch import build
from gongkai.report.model import ParsedReport

SUITES = ("t3_rows", "t3_columns", "t4_cases")


def test_suites_are_canonical_json_and_name_their_rules():
    rules = set()
    for name in SUITES:
        path = committed_dir() / f"{name}.json"
        text = path.read_text(encoding="utf-8")
        spec = json.loads(text)
        assert text == json.dumps(spec, ensure_ascii=False, indent=2, sort_keys=True) + "\n", path
        assert spec["name"] == name and "id" not in spec
        rules |= {e["meta"]["rule_id"] for e in spec["expectations"]}
    assert rules == {"T3_BALANCE", "T3_TOTAL_COLUMN", "T3_OUTCOME_SUM", "T4_TOTAL"}
    assert tuple(s.name for s in declared().suites) == SUITES


def test_each_suite_is_validated_once_per_batch(monkeypatch):
    from gongkai.checks import gx_checks
    calls = []
    real = gx_checks.validate
    monkeypatch.setattr(gx_checks, "validate", lambda w, d: calls.append(w.suite.name) or real(w, d))
    run(*(make_report(f"r{i}") for i in range(5)))
    assert sorted(calls) == sorted(SUITES)


def test_scale_2000_reports_and_more_failures_than_gx_lists_by_default():
    run(make_report("warm"))  # GX import and context are paid once per process
    broken = make_report("x", overrides={("t4", "cases", "review_total"): "9", ("t3", "granted", "total"): ""})
    clean = make_report("x")
    reports = [
        ParsedReport(report_id=f"r{i:05d}", source_path=f"{i}.txt", source_format="txt", year=2022,
                     format_version="2021", sections=src.sections, tables_present=src.tables_present, cells=src.cells)
        for i, src in enumerate(broken if i % 4 == 0 else clean for i in range(2000))
    ]
    batch = build(reports)
    assert len(batch.cells) == 400_000
    res = run_checks(batch)  # its time is measured by make bench-timings, not asserted here
    counts = res.findings.groupby(["rule_id", "status"]).size().to_dict()
    assert counts == {("CELL_BLANK", "fail"): 500, ("T3_TOTAL_COLUMN", "not_assessable"): 500,
                      ("T3_OUTCOME_SUM", "not_assessable"): 500, ("T4_TOTAL", "fail"): 500}
    assert res.findings.finding_id.is_unique
    assert len(res.rule_results) == 2000 * 12
