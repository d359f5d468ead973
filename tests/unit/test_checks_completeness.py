"""gongkai.checks, completeness, format and parse: real Pandera and GX runs over tiny batches built with
gongkai.frames.build — missing tables and sections, outdated formats, failed reports, and frames that break
the contract."""

from __future__ import annotations

import pytest
from checks_support import cell_findings, keys_of, make_report, one, rr, run

from gongkai.checks import FrameContractError, run_checks
from gongkai.report.batch import build
from gongkai.report.model import ParsedReport


def failed_report(report_id: str, error: str = "文件为空") -> ParsedReport:
    return ParsedReport(report_id=report_id, source_path=f"{report_id}.pdf", source_format="pdf", status="failed", error=error)


# ------------------------------------------------------------------ completeness, format, parse
def test_missing_table_gives_one_table_missing_and_no_identity_findings():
    res = run(make_report("a", missing_tables=("t3",)))
    assert cell_findings(res) == {("TABLE_MISSING", "t3", None, None, None, None)}
    assert one(res, "TABLE_MISSING").message == "未找到表三（收到和处理政府信息公开申请情况）"
    assert rr(res, "a", "TABLE_MISSING").tolist()[2:] == [3, 1, 0]
    for rule in ("T3_BALANCE", "T3_TOTAL_COLUMN", "T3_OUTCOME_SUM"):
        assert rr(res, "a", rule).tolist()[2:] == [0, 0, 0]
    assert rr(res, "a", "T4_TOTAL").tolist()[2:] == [3, 0, 0]


def test_table_row_absent_from_the_tables_frame_counts_as_missing():
    batch = build([make_report("a")])
    batch.tables = batch.tables[batch.tables.table_id != "t4"].reset_index(drop=True)
    res = run_checks(batch)
    assert cell_findings(res) == {("TABLE_MISSING", "t4", None, None, None, None)}


def test_missing_section_five():
    res = run(make_report("a", missing_sections=(5,)))
    f = one(res, "SECTION_MISSING")
    assert keys_of(f) == (None, "5", None) and f.message == "未找到必备章节「五、存在的主要问题及改进情况」"
    assert rr(res, "a", "SECTION_MISSING").tolist()[2:] == [6, 1, 0]
    batch = build([make_report("b")])
    batch.sections = batch.sections[batch.sections.section_no != 6].reset_index(drop=True)
    assert keys_of(one(run_checks(batch), "SECTION_MISSING")) == (None, "6", None)


def test_format_outdated_only_for_2021_and_later():
    res = run(make_report("old", "2019", 2022), make_report("ok", "2019", 2020), make_report("new", "2021", 2022))
    f = one(res, "FORMAT_OUTDATED")
    assert f.report_id == "old" and keys_of(f) == (None, None, None) and "2022" in f.message
    assert [rr(res, r, "FORMAT_OUTDATED").failed for r in ("old", "ok", "new")] == [1, 0, 0]


def test_failed_report_yields_only_parse_failed():
    res = run(failed_report("bad", "PDF 没有文字层（扫描件），无法读取"), make_report("good"))
    f = one(res, "PARSE_FAILED")
    assert f.report_id == "bad" and f.status == "fail" and keys_of(f) == (None, None, None)
    assert f.message == "PDF 没有文字层（扫描件），无法读取"
    assert set(res.findings.report_id) == {"bad"}
    assert res.rule_results[res.rule_results.report_id == "bad"].rule_id.tolist() == ["PARSE_FAILED"]
    assert rr(res, "good", "PARSE_FAILED").tolist()[2:] == [1, 0, 0]


def test_a_key_outside_the_template_is_a_parser_bug():
    bad = make_report("a", overrides={("t3", "y2019_other_processing", "total"): "1"})
    with pytest.raises(FrameContractError, match="key_in_template"):
        run(bad)
    unknown = make_report("b", overrides={("t3", "no_such_row", "total"): "1"})
    unknown.format_version = "unknown"
    with pytest.raises(FrameContractError, match="no_such_row"):
        run(unknown)


def test_value_must_match_semantic():
    rep = make_report("a")
    rep.cells[0].value = None  # a 'number' without a value
    with pytest.raises(FrameContractError, match="value_iff_number"):
        run(rep)


def test_unknown_format_is_checked_against_2021():
    rep = make_report("a")
    rep.format_version = "unknown"
    res = run(rep)
    assert res.findings.empty and rr(res, "a", "T3_TOTAL_COLUMN").evaluated == 25
    assert rr(res, "a", "FORMAT_OUTDATED").evaluated == 0
