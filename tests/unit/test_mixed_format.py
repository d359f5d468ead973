"""The mixed format seen in real files (洪泽 2023/2024): 2021 labels, but 表三 （六）其他处理 printed as the
single 2019 row instead of its three sub-rows 1./2./3.

The fixture tests/fixtures/mixed/mixed_office_2023.txt is the clean generated 2021 sample
(data/harvest/sample_clean_txt_2023.txt, a Word text dump) with the three （六） sub-rows replaced by one
（六）其他处理 row printing 1 0 0 0 0 0 1, and the 1 of （四）1.本机关不掌握相关政府信息 moved there (the
agency renamed 示范区…), so every identity still holds. The parser stores the single row as printed
(`y2019_other_processing`), the sub-rows as not printed; the checks add （六） to （七）总计 through the single
row and report the layout once (FORMAT_OUTDATED), never a CELL_BLANK for the sub-rows.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from gongkai.checks import FrameContractError, run_checks
from gongkai.form import template
from gongkai.parse.document import Block, RawDocument, TCell
from gongkai.report import structure
from gongkai.report.batch import build
from gongkai.report.model import ParsedReport
from gongkai.report.read import parse_bytes
from gongkai.report.tablemap import map_tables

FIXTURE = Path(__file__).parents[1] / "fixtures" / "mixed" / "mixed_office_2023.txt"
SINGLE = "y2019_other_processing"
SUB_ROWS = ("other_no_correction", "other_no_fee", "other_other")
T3_COLS = ("natural_person", "commercial", "research", "social_welfare", "legal_services", "other_org", "total")
MIXED_NOTE = ("表三: （六）其他处理 printed as one row (2019 layout) under 2021 labels, stored as y2019_other_processing; "
              "its 2021 sub-rows other_no_correction, other_no_fee, other_other are not printed (stored blank, raw NULL)")
SINGLE_ROW_TXT = "\t（六）其他处理\n\t1\n\t0\n\t0\n\t0\n\t0\n\t0\n\t1\n"


def _text(single_row: tuple[str, ...] | None = None) -> str:
    """The fixture, optionally with other values printed in the single （六）其他处理 row."""
    text = FIXTURE.read_text(encoding="utf-8")
    assert text.count(SINGLE_ROW_TXT) == 1
    if single_row is not None:
        text = text.replace(SINGLE_ROW_TXT, "\t（六）其他处理\n" + "".join(f"\t{v}\n" for v in single_row))
    return text


def parse_txt(single_row: tuple[str, ...] | None = None, name: str = "mixed_office_2023.txt"):
    return parse_bytes(name, _text(single_row).encode("utf-8"))


def findings_of(result, report_id: str | None = None) -> set[tuple]:
    """{(rule, table, row, col, expected, observed, status)} with NULL/NaN as None."""
    def val(x):
        return None if pd.isna(x) else (float(x) if isinstance(x, float) else x)
    frame = result.findings if report_id is None else result.findings[result.findings.report_id == report_id]
    return {(f.rule_id, val(f.table_id), val(f.row_key), val(f.col_key), val(f.expected), val(f.observed), f.status)
            for f in frame.itertuples()}


def counts(result, report_id: str) -> dict[str, list[int]]:
    rr = result.rule_results[result.rule_results.report_id == report_id]
    return {r.rule_id: [r.evaluated, r.failed, r.not_assessable] for r in rr.itertuples()}


OUTDATED = ("FORMAT_OUTDATED", "t3", SINGLE, None, None, None, "fail")


# ------------------------------------------------------------------ parsing
def test_single_row_is_stored_as_printed_and_sub_rows_as_not_printed():
    r = parse_txt()
    assert (r.status, r.format_version, r.agency, r.year) == ("parsed", "2021", "示范区人民政府办公室", 2023)
    assert r.notes == [MIXED_NOTE] and r.layout == "mixed"
    t3 = {(c.row_key, c.col_key): c for c in r.cells if c.table_id == "t3"}
    assert list(dict.fromkeys(k for k, _ in t3)) == list(dict.fromkeys(k for k, _ in template.mixed_keys()))
    assert len(r.cells) == 207  # the 200 cells of 2021 + the single row's 7
    single = [(t3[(SINGLE, c)].raw, t3[(SINGLE, c)].semantic, t3[(SINGLE, c)].value) for c in T3_COLS]
    assert single == [("1", "number", 1.0)] + [("0", "number", 0.0)] * 5 + [("1", "number", 1.0)]
    subs = [t3[(row, c)] for row in SUB_ROWS for c in T3_COLS]
    assert all((c.raw, c.semantic, c.value) == (None, "blank", None) for c in subs)  # not printed: raw NULL
    # every other 表三 row as printed: 3 received, 2 granted, 3 processed (自然人 = 总计), the rest 0
    nonzero = {"new_received": "3", "granted": "2", "processed_total": "3"}
    for row in {k for k, _ in t3} - {SINGLE, *SUB_ROWS}:
        n = nonzero.get(row, "0")
        assert [t3[(row, c)].raw for c in T3_COLS] == [n, "0", "0", "0", "0", "0", n], row


# ------------------------------------------------------------------ checks
def test_balanced_mixed_report_one_format_warning_and_identities_evaluated():
    r = parse_txt()
    res = run_checks(build([r]))
    assert findings_of(res) == {OUTDATED}
    f = res.findings.iloc[0]
    assert f.severity == "warning" and f.family == "format"
    assert f.message == ("报告年度为2023年，表三「（六）其他处理」只印了一行（2019年试行格式，国办公开办函〔2019〕60号），"
                         "未按国办公开办函〔2021〕30号规定的格式分列"
                         "「1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请」"
                         "「2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请」「3.其他」三个子项")
    got = counts(res, r.report_id)
    assert got["T3_OUTCOME_SUM"] == [7, 0, 0]    # （七）总计 = （一）…（五） + （六）, every column: pass
    assert got["T3_TOTAL_COLUMN"] == [23, 0, 0]  # 25 rows − 3 unprinted sub-rows + the single row
    assert got["T3_BALANCE"] == [7, 0, 0]
    assert got["CELL_BLANK"] == [186, 0, 0]      # 207 cells − 21 unprinted: no CELL_BLANK for the sub-rows
    assert got["CELL_NOT_NUMBER"] == [186, 0, 0]
    assert got["FORMAT_OUTDATED"] == [1, 1, 0]


def test_mixed_layout_is_not_outdated_before_2021():
    """2019/2020 reports were to use the 2019 format, where （六）其他处理 is one row: nothing to report."""
    r = parse_txt()
    r.year = 2020
    res = run_checks(build([r]))
    assert findings_of(res) == set() and counts(res, r.report_id)["FORMAT_OUTDATED"] == [1, 0, 0]
    assert counts(res, r.report_id)["T3_OUTCOME_SUM"] == [7, 0, 0]


@pytest.mark.parametrize("single_row,expected", [
    # 自然人 and 总计 of （六） 2 instead of 1: （一）…（六） = 4 but （七）总计 printed 3, in both columns
    (("2", "0", "0", "0", "0", "0", "2"), {
        ("T3_OUTCOME_SUM", "t3", "processed_total", "natural_person", 4.0, 3.0, "fail"),
        ("T3_OUTCOME_SUM", "t3", "processed_total", "total", 4.0, 3.0, "fail")}),
    # only 总计 of （六）: the total column's outcome sum, and the single row's own 总计 = six applicants
    (("1", "0", "0", "0", "0", "0", "2"), {
        ("T3_OUTCOME_SUM", "t3", "processed_total", "total", 4.0, 3.0, "fail"),
        ("T3_TOTAL_COLUMN", "t3", SINGLE, "total", 1.0, 2.0, "fail")}),
])
def test_unbalanced_single_row_fails_outcome_sum_in_its_column(single_row, expected):
    r = parse_txt(single_row)
    assert r.status == "parsed"
    res = run_checks(build([r]))
    assert findings_of(res) == expected | {OUTDATED}
    outcome = res.findings[(res.findings.rule_id == "T3_OUTCOME_SUM") & (res.findings.col_key == "total")].iloc[0]
    assert outcome.message == "表三「总计」列办理结果不符：（一）至（六）各项之和为4，但（七）总计为3"
    n_outcome = sum(e[0] == "T3_OUTCOME_SUM" for e in expected)
    assert counts(res, r.report_id)["T3_OUTCOME_SUM"] == [7, n_outcome, 0]


def test_blank_cell_of_the_single_row_is_a_cell_blank_and_not_assessable():
    """The single row is a printed row of the layout: its own blank cell is reported, unlike the sub-rows."""
    text = _text().replace(SINGLE_ROW_TXT, "\t（六）其他处理\n\t1\n\t\n\t0\n\t0\n\t0\n\t0\n\t1\n")
    r = parse_bytes("blank.txt", text.encode("utf-8"))
    assert r.status == "parsed"
    cell = next(c for c in r.cells if (c.row_key, c.col_key) == (SINGLE, "commercial"))
    assert (cell.raw, cell.semantic) == ("", "blank")  # printed empty: raw '', not NULL
    res = run_checks(build([r]))
    assert findings_of(res) == {
        OUTDATED,
        ("CELL_BLANK", "t3", SINGLE, "commercial", None, None, "fail"),
        ("T3_OUTCOME_SUM", "t3", "processed_total", "commercial", None, None, "not_assessable"),
        ("T3_TOTAL_COLUMN", "t3", SINGLE, "total", None, None, "not_assessable"),
    }
    na = res.findings[res.findings.rule_id == "T3_OUTCOME_SUM"].iloc[0]
    assert na.message == "表三「商业企业」列：「（六）其他处理」为空白，无法核对（七）总计=（一）至（六）各项之和"
    assert counts(res, r.report_id)["CELL_BLANK"] == [186, 1, 0]


def test_pure_2019_report_keeps_its_behaviour_beside_a_mixed_one():
    """In one batch: the mixed report gets its keyed warning, a 2019-format 2022 report the plain one."""
    from checks_support import make_report

    mixed = parse_txt()
    old = make_report("old2019", "2019", 2022)
    res = run_checks(build([mixed, old]))
    got = {(f.report_id, f.rule_id, None if pd.isna(f.table_id) else f.table_id,
            None if pd.isna(f.row_key) else f.row_key) for f in res.findings.itertuples()}
    assert got == {(mixed.report_id, "FORMAT_OUTDATED", "t3", SINGLE), ("old2019", "FORMAT_OUTDATED", None, None)}
    plain = res.findings[res.findings.report_id == "old2019"].iloc[0].message
    assert plain.startswith("报告年度为2022年，但使用了2019年试行格式")
    assert counts(res, "old2019")["T3_TOTAL_COLUMN"] == [23, 0, 0]  # the 2019 template's 23 rows


def test_single_row_beside_printed_sub_rows_breaks_the_frame_contract():
    """A 2021 report carrying the single row and numbers in the sub-rows is a parser bug, not a layout."""
    r = parse_txt()
    for c in r.cells:
        if c.row_key == "other_other":
            c.raw, c.semantic, c.value = "0", "number", 0.0
    with pytest.raises(FrameContractError, match="key_in_template"):
        run_checks(build([r]))


def test_the_layout_is_read_from_the_reports_frame_not_inferred_from_the_cells():
    """The same cells are the mixed layout only when the report says so (ParsedReport.layout → reports.layout)."""
    r = parse_txt()
    by_hand = ParsedReport(report_id="by_hand", source_path="by_hand.txt", source_format="txt", year=r.year,
                           format_version="2021", layout="mixed", sections=r.sections,
                           tables_present=r.tables_present, cells=r.cells)
    res = run_checks(build([by_hand]))
    assert findings_of(res) == {OUTDATED} and counts(res, "by_hand")["T3_TOTAL_COLUMN"] == [23, 0, 0]
    by_hand.layout = "unknown"  # a 2021 report: the single row is outside its template
    with pytest.raises(FrameContractError, match="key_in_template"):
        run_checks(build([by_hand]))


@pytest.mark.parametrize("version,layout,match", [
    ("2019", "mixed", "layout_of_version"),     # the mixed layout has 2021 labels
    ("2021", "2019", "layout_of_version"),
    ("2021", "hybrid", "isin"),
])
def test_a_layout_that_contradicts_the_version_breaks_the_frame_contract(version, layout, match):
    r = parse_txt()
    r.format_version, r.layout = version, layout
    with pytest.raises(FrameContractError, match=match):
        run_checks(build([r]))


# ------------------------------------------------------------------ HTML rendering of the same report
def _html(report) -> bytes:
    """The parsed mixed report rendered as a clean HTML page (the synth renderer, 2021 rows), its three
    sub-rows replaced by one 「（六）其他处理」 row spanning the two inner label columns, as the 2019 form
    prints it; the rowspan of 三、本年度办理结果 shrinks by the two rows removed."""
    from gongkai.synth.render_html import render_html
    from gongkai.synth.report import SynthReport

    cells = {(c.table_id, c.row_key, c.col_key): c.raw for c in report.cells if c.row_key != SINGLE}
    synth = SynthReport(report_key="mixed", agency=report.agency, year=report.year, version="2021", cells=cells,
                        sections=[(s.section_no, s.title, s.text) for s in report.sections if s.present],
                        tables_present=dict(report.tables_present), expected_findings=[])
    html = render_html(synth).decode("utf-8")
    values = {c.col_key: c.raw for c in report.cells if c.row_key == SINGLE}
    row = '<tr><td colspan="2">（六）其他处理</td>' + "".join(f"<td>{values[c]}</td>" for c in T3_COLS) + "</tr>\n"
    html, n = re.subn(r'<tr><td rowspan="3">（六）其他处理</td>.*?</tr>\n<tr>.*?</tr>\n<tr>.*?</tr>\n', row, html)
    assert n == 1
    html, n = re.subn(r'<td rowspan="(\d+)">三、本年度办理结果</td>',
                      lambda m: f'<td rowspan="{int(m.group(1)) - 2}">三、本年度办理结果</td>', html)
    assert n == 1
    return html.encode("utf-8")


@pytest.mark.parametrize("single_row", [None, ("2", "0", "0", "0", "0", "0", "2")])
def test_html_rendering_gives_the_same_cells_and_findings(single_row):
    txt = parse_txt(single_row)
    page = _html(txt)
    assert "1.申请人无正当理由" not in page.decode("utf-8")
    html = parse_bytes("mixed_office_2023.html", page)
    assert (html.status, html.format_version, html.source_format, html.notes) == ("parsed", "2021", "html", [MIXED_NOTE])
    def cells(r):
        return {(c.table_id, c.row_key, c.col_key): (c.raw, c.semantic, c.value) for c in r.cells}
    assert cells(html) == cells(txt)
    both = run_checks(build([txt, html]))
    assert findings_of(both, txt.report_id) == findings_of(both, html.report_id) == findings_of(run_checks(build([txt])))
    assert counts(both, txt.report_id) == counts(both, html.report_id)


# ------------------------------------------------------------------ table mapping on tiny grids
def _cells(*texts: str) -> list[TCell]:
    return [TCell(t) for t in texts]


T2_2021 = [_cells("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"), _cells("规章", "0", "0", "0")]
ZEROS = ("0",) * 7


def _t3_grid(*outcome_rows: list[TCell]) -> list[list[TCell]]:
    """A 表三 grid as HTML gives it (header spans known): 一, 二, the given rows, （七）总计."""
    head = [
        [TCell("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3), TCell("申请人情况", 7)],
        [TCell("", 3, True), TCell("自然人"), TCell("法人或其他组织", 5), TCell("总计")],
        [TCell("", 3, True), TCell("", 1, True), *_cells("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"),
         TCell("", 1, True)],
    ]
    return head + [_cells("一、本年新收政府信息公开申请数量", *ZEROS), _cells("二、上年结转政府信息公开申请数量", *ZEROS),
                   *outcome_rows, _cells("（七）总计", *ZEROS)]


def test_heading_row_above_the_sub_rows_is_not_stored():
    """（六）其他处理 on a row of its own above 1./2./3. is their group heading: no single row, no note."""
    for heading in (_cells("（六）其他处理"), _cells("（六）其他处理", *("",) * 7)):
        grid = _t3_grid(heading, _cells("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", *ZEROS),
                        _cells("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", *ZEROS),
                        _cells("3.其他", *ZEROS))
        version, mapped, _ = map_tables([T2_2021, grid])
        t3 = mapped["t3"]
        assert version == "2021" and not t3.mixed and t3.notes == [] and not t3.ambiguous
        assert not any(r == SINGLE for r, _ in t3.raw)
        assert all(t3.raw[(r, "total")] == "0" for r in SUB_ROWS)


def test_heading_row_with_values_above_the_sub_rows_is_named_in_the_notes():
    grid = _t3_grid(_cells("（六）其他处理", *ZEROS), _cells("3.其他", *ZEROS))
    _, mapped, _ = map_tables([T2_2021, grid])
    assert not mapped["t3"].mixed and not any(r == SINGLE for r, _ in mapped["t3"].raw)
    assert mapped["t3"].notes == [("表三: row （六）其他处理 printed with values above its sub-rows 1./2./3.; "
                                   "the sub-rows are kept, its own values are not stored")]


def test_a_short_single_row_keeps_its_values_as_text_and_is_partial():
    """A single row that lost cells (2 values for 7 columns) is not guessed: its values stay text under
    every column, the report is partial; the sub-rows are still reported as not printed."""
    grid = _t3_grid(_cells("（六）其他处理", "1", "1"))
    doc = RawDocument("txt", [Block("para", "示范区人民政府办公室2023年政府信息公开工作年度报告"),
                              Block("table", table=T2_2021), Block("table", table=grid)])
    r = structure.assemble(doc, "short", "short.txt")
    assert r.status == "partial" and r.format_version == "2021"
    single = {c.col_key: (c.raw, c.semantic) for c in r.cells if c.row_key == SINGLE}
    assert single == {c: ("1 1", "text") for c in T3_COLS}
    assert any(n.startswith("表三 row '（六）其他处理': 2 value cells for 7 columns") for n in r.notes)
    assert MIXED_NOTE in r.notes


def test_single_row_without_sub_rows_is_the_mixed_layout_only_under_2021_labels():
    grid = _t3_grid(_cells("（六）其他处理", "1", "0", "0", "0", "0", "0", "1"))
    version, mapped, _ = map_tables([T2_2021, grid])
    assert version == "2021" and mapped["t3"].mixed
    assert [mapped["t3"].raw[(SINGLE, c)] for c in T3_COLS] == ["1", "0", "0", "0", "0", "0", "1"]
    t2_2019 = [_cells("信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"), _cells("规章", "0", "0", "0")]
    version, mapped, _ = map_tables([t2_2019, _t3_grid(_cells("（六）其他处理", *ZEROS))])
    assert version == "2019" and not mapped["t3"].mixed and mapped["t3"].raw[(SINGLE, "total")] == "0"
