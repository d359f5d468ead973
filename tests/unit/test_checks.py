"""gongkai.checks: real Pandera and GX runs over tiny batches built with gongkai.frames.build."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from gongkai.checks import (
    FINDING_COLUMNS,
    RULE_RESULT_COLUMNS,
    CheckResult,
    FrameContractError,
    finding_ids,
    run_checks,
)
from gongkai.checks import (
    catalogue as checks_catalogue,
)
from gongkai.checks.identities import declared
from gongkai.checks.suites import committed_dir
from gongkai.form import template
from gongkai.form.cells import UNREAD, classify
from gongkai.report.batch import build
from gongkai.report.model import Cell, ParsedReport, Section

CHECKED_RULES = [
    "CELL_UNREAD", "FORMAT_OUTDATED", "SECTION_MISSING", "TABLE_MISSING", "CELL_BLANK", "CELL_NOT_NUMBER", "CELL_INVALID",
    "T3_BALANCE", "T3_TOTAL_COLUMN", "T3_OUTCOME_SUM", "T4_TOTAL",
]
SUITES = ("t3_rows", "t3_columns", "t4_cases")
APPLICANTS = ["natural_person", "commercial", "research", "social_welfare", "legal_services", "other_org"]


# ------------------------------------------------------------------ a balanced-report factory
def balanced_values(version: str = "2021") -> dict[tuple[str, str, str], float]:
    """A value for every template cell such that every identity holds (表三 columns differ)."""
    vals: dict[tuple[str, str, str], float] = {}
    rows = template.row_keys(version, "t3")
    outcomes = [r for r in rows if r not in ("new_received", "carried_over", "processed_total", "carried_forward")]
    for j, c in enumerate(APPLICANTS):
        col = {r: float((i + j) % 3) for i, r in enumerate(outcomes)}
        col["processed_total"] = sum(col.values())
        col["carried_over"] = float(j % 2)
        col["carried_forward"] = 2.0
        col["new_received"] = col["processed_total"] + col["carried_forward"] - col["carried_over"]
        for r, v in col.items():
            vals[("t3", r, c)] = v
    for r in rows:
        vals[("t3", r, "total")] = sum(vals[("t3", r, c)] for c in APPLICANTS)
    for g, parts in (("review", (1, 2, 0, 1)), ("suit_direct", (0, 1, 1, 0)), ("suit_after_review", (3, 0, 0, 2))):
        for p, v in zip(("upheld", "corrected", "other", "pending"), parts):
            vals[("t4", "cases", f"{g}_{p}")] = float(v)
        vals[("t4", "cases", f"{g}_total")] = float(sum(parts))
    for i, (r, c) in enumerate(template.keys(version, "t2")):
        vals[("t2", r, c)] = 1.5 if (r, c) in (("fees", "amount"), ("y2019_procurement", "y2019_amount")) else float(i)
    return vals


def raw_of(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def make_report(report_id: str, version: str = "2021", year: int = 2022, overrides: dict | None = None,
                missing_tables: tuple[str, ...] = (), missing_sections: tuple[int, ...] = (),
                drop_cells: tuple[tuple[str, str, str], ...] = (),
                unread: tuple[tuple[str, str, str], ...] = ()) -> ParsedReport:
    """overrides: {(table, row, col): raw text (None/'' for blank)}; the semantic comes from classify()."""
    raws = {k: raw_of(v) for k, v in balanced_values(version).items()}
    raws.update(overrides or {})
    cells = []
    for (t, r, c), raw in raws.items():
        if t in missing_tables or (t, r, c) in drop_cells:
            continue
        if (t, r, c) in unread:
            cells.append(Cell(t, r, c, None, UNREAD, None))
            continue
        semantic, value = classify(raw)
        cells.append(Cell(t, r, c, raw if raw else None, semantic, value))
    sections = [Section(i, f"第{i}部分", "……", i not in missing_sections) for i in range(1, 7)]
    return ParsedReport(
        report_id=report_id, source_path=f"{report_id}.txt", source_format="txt", year=year,
        agency="某某局", format_version=version, sections=sections,
        tables_present={t: t not in missing_tables for t in template.TABLES}, cells=cells,
    )


def failed_report(report_id: str, error: str = "文件为空") -> ParsedReport:
    return ParsedReport(report_id=report_id, source_path=f"{report_id}.pdf", source_format="pdf", status="failed", error=error)


def run(*reports: ParsedReport) -> CheckResult:
    return run_checks(build(list(reports)))


def one(result: CheckResult, rule: str, status: str = "fail") -> pd.Series:
    hits = result.findings[(result.findings.rule_id == rule) & (result.findings.status == status)]
    assert len(hits) == 1, hits[["rule_id", "table_id", "row_key", "col_key", "message"]].to_string()
    return hits.iloc[0]


def keys_of(row: pd.Series) -> tuple:
    return tuple(None if pd.isna(row[k]) else row[k] for k in ("table_id", "row_key", "col_key"))


def rr(result: CheckResult, report_id: str, rule: str) -> pd.Series:
    hit = result.rule_results[(result.rule_results.report_id == report_id) & (result.rule_results.rule_id == rule)]
    assert len(hit) == 1
    return hit.iloc[0]


# ------------------------------------------------------------------ clean reports
@pytest.mark.parametrize("version,year", [("2021", 2022), ("2019", 2020)])
def test_balanced_report_is_clean_and_checked(version, year):
    result = run(make_report("a", version, year))
    assert list(result.findings.columns) == FINDING_COLUMNS
    assert list(result.rule_results.columns) == RULE_RESULT_COLUMNS
    assert result.findings.empty, result.findings.message.tolist()
    got = result.rule_results.set_index("rule_id")
    assert list(got.index) == ["PARSE_FAILED", *CHECKED_RULES]
    assert (got.evaluated > 0).all() and (got.failed == 0).all() and (got.not_assessable == 0).all()
    assert got.loc["T3_TOTAL_COLUMN", "evaluated"] == len(template.row_keys(version, "t3"))
    assert got.loc["T3_BALANCE", "evaluated"] == 7 and got.loc["T4_TOTAL", "evaluated"] == 3
    assert got.loc["CELL_BLANK", "evaluated"] == len(template.cells(version))
    assert result.rule_results.dtypes[["evaluated", "failed", "not_assessable"]].eq("int64").all()


def test_frame_dtypes():
    f = run(make_report("a", overrides={("t3", "carried_over", "research"): "9"})).findings
    assert f.expected.dtype == "float64" and f.observed.dtype == "float64"
    assert all(f[c].dtype == "string" for c in FINDING_COLUMNS if c not in ("expected", "observed"))


def cell_findings(result: CheckResult, status: str | None = None) -> set[tuple]:
    """{(rule, table, row, col, expected, observed)} with NaN as None."""
    f = result.findings if status is None else result.findings[result.findings.status == status]
    out = set()
    for _, row in f.iterrows():
        e, o = (None if pd.isna(row[k]) else float(row[k]) for k in ("expected", "observed"))
        out.add((row.rule_id, *keys_of(row), e, o))
    return out


BAL = balanced_values("2021")


def v(table: str, row: str, col: str) -> float:
    return BAL[(table, row, col)]


# ------------------------------------------------------------------ each identity at its exact cell key
def test_t3_balance_and_total_column_fire_at_their_keys():
    new = v("t3", "new_received", "natural_person") + 3
    res = run(make_report("a", overrides={("t3", "new_received", "natural_person"): raw_of(new)}))
    co, pt, cf = (v("t3", r, "natural_person") for r in ("carried_over", "processed_total", "carried_forward"))
    six = sum(v("t3", "new_received", c) for c in APPLICANTS) + 3
    assert cell_findings(res) == {
        ("T3_BALANCE", "t3", None, "natural_person", new + co, pt + cf),
        ("T3_TOTAL_COLUMN", "t3", "new_received", "total", six, v("t3", "new_received", "total")),
    }
    bal = one(res, "T3_BALANCE")
    assert bal.message == (f"表三「自然人」列不平衡：一({raw_of(new)})+二({raw_of(co)})={raw_of(new + co)}，"
                           f"但三(七)总计({raw_of(pt)})+四({raw_of(cf)})={raw_of(pt + cf)}")
    assert "表三「一、本年新收政府信息公开申请数量」行" in one(res, "T3_TOTAL_COLUMN").message
    assert rr(res, "a", "T3_BALANCE").tolist()[2:] == [7, 1, 0]
    assert rr(res, "a", "T3_TOTAL_COLUMN").tolist()[2:] == [25, 1, 0]


def test_t3_outcome_sum_fires_at_processed_total():
    granted = v("t3", "granted", "commercial") + 2
    res = run(make_report("a", overrides={("t3", "granted", "commercial"): raw_of(granted)}))
    outcome_sum = sum(v("t3", r, "commercial") for r in template.row_keys("2021", "t3")
                      if r not in ("new_received", "carried_over", "processed_total", "carried_forward")) + 2
    six = sum(v("t3", "granted", c) for c in APPLICANTS) + 2
    assert cell_findings(res) == {
        ("T3_OUTCOME_SUM", "t3", "processed_total", "commercial", outcome_sum, v("t3", "processed_total", "commercial")),
        ("T3_TOTAL_COLUMN", "t3", "granted", "total", six, v("t3", "granted", "total")),
    }
    assert one(res, "T3_OUTCOME_SUM").message.startswith("表三「商业企业」列办理结果不符")


def test_t4_total_fires_at_the_total():
    res = run(make_report("a", overrides={("t4", "cases", "suit_direct_total"): "5"}))
    assert cell_findings(res) == {("T4_TOTAL", "t4", "cases", "suit_direct_total", 2.0, 5.0)}
    assert one(res, "T4_TOTAL").message == (
        "表四「行政诉讼·未经复议直接起诉」总计不符：结果维持(0)+结果纠正(1)+其他结果(1)+尚未审结(0)=2，但总计为5")
    assert rr(res, "a", "T4_TOTAL").tolist()[2:] == [3, 1, 0]


def test_2019_report_balances_with_its_other_processing_row():
    assert run(make_report("a", "2019", 2020)).findings.empty
    cell = ("t3", "y2019_other_processing", "research")
    broken = balanced_values("2019")[cell] + 1
    res = run(make_report("a", "2019", 2020, overrides={cell: raw_of(broken)}))
    assert {(f[0], f[2], f[3]) for f in cell_findings(res)} == {
        ("T3_OUTCOME_SUM", "processed_total", "research"), ("T3_TOTAL_COLUMN", "y2019_other_processing", "total")}


# ------------------------------------------------------------------ not assessable
def test_blank_operand_is_not_assessable_and_a_cell_blank_but_never_a_fail():
    res = run(make_report("a", overrides={("t3", "carried_over", "natural_person"): ""}))
    assert (res.findings.status == "fail").sum() == 1
    blank = one(res, "CELL_BLANK")
    assert keys_of(blank) == ("t3", "carried_over", "natural_person")
    assert blank.message == "表三「二、上年结转政府信息公开申请数量」行「自然人」列为空白"
    bal = one(res, "T3_BALANCE", "not_assessable")
    assert keys_of(bal) == ("t3", None, "natural_person") and pd.isna(bal.expected) and pd.isna(bal.observed)
    assert bal.message == "表三「自然人」列：「二、上年结转政府信息公开申请数量」为空白，无法核对一+二=三(七)+四"
    tot = one(res, "T3_TOTAL_COLUMN", "not_assessable")
    assert keys_of(tot) == ("t3", "carried_over", "total")
    assert "「自然人」为空白" in tot.message
    assert rr(res, "a", "T3_BALANCE").tolist()[2:] == [6, 0, 1]
    assert rr(res, "a", "T3_TOTAL_COLUMN").tolist()[2:] == [24, 0, 1]
    assert res.findings[res.findings.rule_id.isin(["T3_OUTCOME_SUM", "T4_TOTAL"])].empty


def test_unread_cell_is_cell_unread_and_not_assessable_never_cell_blank():
    """A cell the parser could not read: CELL_UNREAD (family parse, our misread) at its keys, the identities
    over it not assessable naming it 「…」未能识别, and nothing against the agency (no CELL_BLANK, no fail)."""
    key = ("t3", "carried_over", "natural_person")
    res = run(make_report("a", unread=(key,)))
    unread = one(res, "CELL_UNREAD")
    assert keys_of(unread) == key and unread.family == "parse" and unread.severity == "warning"
    assert unread.message.startswith("表三「二、上年结转政府信息公开申请数量」行「自然人」列未能识别")
    assert "不是报告单位的问题" in unread.message
    assert res.findings[res.findings.rule_id.isin(["CELL_BLANK", "CELL_NOT_NUMBER", "CELL_INVALID"])].empty
    assert (res.findings.status == "fail").sum() == 1  # CELL_UNREAD only
    bal = one(res, "T3_BALANCE", "not_assessable")
    assert bal.message == "表三「自然人」列：「二、上年结转政府信息公开申请数量」未能识别，无法核对一+二=三(七)+四"
    assert "「自然人」未能识别" in one(res, "T3_TOTAL_COLUMN", "not_assessable").message
    assert rr(res, "a", "CELL_UNREAD").failed == 1
    assert rr(res, "a", "CELL_BLANK").failed == 0


def test_rules_carry_a_responsibility_from_their_family():
    cat = checks_catalogue()
    assert set(cat.responsibility) == {"source", "parser"}
    assert (cat.responsibility.eq("parser") == cat.family.eq("parse")).all()
    assert set(cat[cat.responsibility == "parser"].rule_id) == {"PARSE_FAILED", "CELL_UNREAD"}


def test_not_assessable_names_every_non_numeric_operand_and_absent_cells():
    res = run(make_report("a", overrides={("t4", "cases", "review_upheld"): "—", ("t4", "cases", "review_other"): "不详"},
                          drop_cells=(("t4", "cases", "review_total"),)))
    na = one(res, "T4_TOTAL", "not_assessable")
    assert keys_of(na) == ("t4", "cases", "review_total")
    assert na.message == ("表四「行政复议」：「结果维持」为「—」、「其他结果」为「不详」、「总计」缺失，"
                          "无法核对总计=结果维持+结果纠正+其他结果+尚未审结")
    assert rr(res, "a", "T4_TOTAL").tolist()[2:] == [2, 0, 1]


def test_a_printed_value_is_never_repaired():
    assert v("t3", "granted", "total") > 0 and v("t3", "partially_granted", "total") > 0
    res = run(make_report("a", overrides={("t3", "granted", "total"): "", ("t3", "partially_granted", "total"): ""}))
    # zero-filling the blanks would make the total column's outcome sum fail; it is not assessable instead
    assert set(res.findings.loc[res.findings.status == "fail", "rule_id"]) == {"CELL_BLANK"}
    assert keys_of(one(res, "T3_OUTCOME_SUM", "not_assessable")) == ("t3", "processed_total", "total")


# ------------------------------------------------------------------ cell rules
def test_dash_and_text_are_cell_not_number():
    res = run(make_report("a", overrides={("t2", "penalty", "decisions"): "—", ("t2", "coercion", "decisions"): "无此项"}))
    got = res.findings[res.findings.rule_id == "CELL_NOT_NUMBER"]
    assert [keys_of(r) for _, r in got.iterrows()] == [("t2", "penalty", "decisions"), ("t2", "coercion", "decisions")]
    assert got.message.tolist() == ["表二「行政处罚」行「本年处理决定数量」列为「—」，应填写数字",
                                    "表二「行政强制」行「本年处理决定数量」列为文字「无此项」，应填写数字"]
    assert set(res.findings.rule_id) == {"CELL_NOT_NUMBER"}
    assert rr(res, "a", "CELL_NOT_NUMBER").tolist()[2:] == [200, 2, 0]


def test_negative_and_fractional_counts_are_invalid_but_fee_amounts_may_be_fractions():
    res = run(make_report("a", overrides={("t2", "regulations", "issued"): "-1", ("t2", "penalty", "decisions"): "1.5",
                                          ("t2", "coercion", "decisions"): "-2.5", ("t2", "fees", "amount"): "0.1234"}))
    assert cell_findings(res) == {
        ("CELL_INVALID", "t2", "regulations", "issued", None, -1.0),
        ("CELL_INVALID", "t2", "penalty", "decisions", None, 1.5),
        ("CELL_INVALID", "t2", "coercion", "decisions", None, -2.5),
    }
    msgs = res.findings.set_index("row_key").message
    assert msgs["regulations"] == "表二「规章」行「本年制发件数」列为负数(-1)，件数应为非负整数"
    assert "为小数(1.5)" in msgs["penalty"] and "为负的小数(-2.5)" in msgs["coercion"]
    assert rr(res, "a", "CELL_INVALID").tolist()[2:] == [200, 3, 0]


def test_2019_procurement_amount_may_be_a_fraction_and_change_may_be_negative():
    res = run(make_report("a", "2019", 2020, overrides={("t2", "y2019_procurement", "y2019_amount"): "12.75",
                                                        ("t2", "licensing", "y2019_change"): "-3",
                                                        ("t2", "y2019_procurement", "y2019_projects"): "2.5"}))
    assert cell_findings(res) == {("CELL_INVALID", "t2", "y2019_procurement", "y2019_projects", None, 2.5)}


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


# ------------------------------------------------------------------ ids
def test_finding_ids_are_stable_distinct_and_reproducible_in_sql():
    reports = [make_report("a", overrides={("t3", "granted", "total"): "", ("t4", "cases", "review_total"): "9"}),
               make_report("b", missing_sections=(2,))]
    first, second = run(*reports), run(*reports)
    assert first.findings.finding_id.tolist() == second.findings.finding_id.tolist()
    assert first.findings.finding_id.is_unique
    same_cell = first.findings[(first.findings.row_key == "granted") & (first.findings.col_key == "total")]
    assert set(same_cell.rule_id) == {"CELL_BLANK", "T3_TOTAL_COLUMN"} and same_cell.finding_id.nunique() == 2
    f = first.findings.iloc[0]
    key = "\x1f".join("\x1e" if pd.isna(x) else x for x in (f.report_id, f.rule_id, f.table_id, f.row_key, f.col_key))
    import hashlib
    assert f.finding_id == hashlib.sha256(key.encode()).hexdigest()[:16]
    # a NULL key differs from an empty one
    assert finding_ids(["a"], ["R"], [None], [None], [None])[0] != finding_ids(["a"], ["R"], [""], [""], [""])[0]
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    df = first.findings[["report_id", "rule_id", "table_id", "row_key", "col_key", "finding_id"]].astype(object)
    con.register("df", df.where(df.notna(), None))
    got = con.execute("SELECT substr(sha256(concat_ws(chr(31), coalesce(report_id, chr(30)), rule_id, "
                      "coalesce(table_id, chr(30)), coalesce(row_key, chr(30)), coalesce(col_key, chr(30)))), 1, 16) "
                      "= finding_id FROM df").fetchall()
    assert len(got) == len(df) and all(x for (x,) in got)


# ------------------------------------------------------------------ catalogue, suites, scale
def test_rules_catalogue():
    cat = checks_catalogue()
    assert list(cat.columns) == ["rule_id", "family", "severity", "engine", "title_zh", "title_en", "description",
                                 "responsibility"]
    engines = cat.set_index("rule_id").engine
    assert engines["PARSE_FAILED"] == "parser" and engines["T3_BALANCE"] == "gx" and engines["CELL_BLANK"] == "pandera"
    assert set(CHECKED_RULES) <= set(cat.rule_id)


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
