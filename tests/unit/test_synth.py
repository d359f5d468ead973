"""The synthetic report generator: balanced numbers, defects with known findings, faithful renderings."""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections import Counter
from pathlib import Path

import pytest

from gongkai.form import template
from gongkai.synth import (
    DEFECTS,
    balanced_numbers,
    evaluate,
    layout,
    make_report,
    read_cell,
    render_html,
    render_text,
    write_corpus,
)

SEED_TXT = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "seed" / "wuxing_office_2021.txt"
AGENCY = "五星街道办事处"


def _printed(nums):
    return {k: (str(int(v)) if v == int(v) else repr(v)) for k, v in nums.items()}


def _fails(r):
    return Counter(f["rule_id"] for f in r.expected_findings if f["status"] == "fail")


def _na(r):
    return Counter(f["rule_id"] for f in r.expected_findings if f["status"] == "not_assessable")


# --------------------------------------------------------------------------------------------------
# numbers

@pytest.mark.parametrize("version", template.VERSIONS)
def test_balanced_numbers_satisfy_every_identity(version):
    keys = set(zip(template.cells(version).table_id, template.cells(version).row_key, template.cells(version).col_key))
    rows, cols = template.row_keys(version, "t3"), template.col_keys(version, "t3")
    applicants = [c for c in cols if c != "total"]
    outcomes = [r for r in rows if r not in ("new_received", "carried_over", "processed_total", "carried_forward")]
    t4 = template.col_keys(version, "t4")
    money = {k for k in keys if k[0] == "t2" and k[2] in ("amount", "y2019_amount")}
    for seed in range(200):
        nums = balanced_numbers(random.Random(seed), version)
        assert set(nums) == keys
        assert all(v >= 0 for v in nums.values())
        assert all(v == int(v) for k, v in nums.items() if k not in money)
        assert all(round(v, 4) == v for v in nums.values())
        # the reference evaluator finds nothing …
        assert evaluate(_printed(nums), version=version) == []
        # … and the sums hold when written out directly
        g = lambda r, c, nums=nums: nums[("t3", r, c)]  # noqa: E731
        for c in cols:
            assert g("new_received", c) + g("carried_over", c) == g("processed_total", c) + g("carried_forward", c)
            assert sum(g(r, c) for r in outcomes) == g("processed_total", c)
        for r in rows:
            assert sum(g(r, c) for c in applicants) == g(r, "total")
        for p in ("review", "suit_direct", "suit_after_review"):
            parts = [c for c in t4 if c.startswith(p + "_") and c != f"{p}_total"]
            assert len(parts) == 4
            assert sum(nums[("t4", "cases", c)] for c in parts) == nums[("t4", "cases", f"{p}_total")]


def test_magnitudes_are_realistic():
    new, nat = [], 0.0
    for i in range(400):
        n = make_report(i, f"测试局{i}", 2022).numbers
        new.append(n[("t3", "new_received", "total")])
        nat += n[("t3", "new_received", "natural_person")]
    assert 0.2 < sum(x == 0 for x in new) / len(new) < 0.6       # many agencies receive nothing
    assert max(new) >= 100                                      # occasional hundreds
    assert nat / sum(new) > 0.7                                 # natural persons dominate


def test_reports_without_defects_have_no_findings():
    for i in range(300):
        r = make_report(i, f"测试局{i % 17}", 2019 + i % 6)
        assert r.expected_findings == [], (i, r.expected_findings)
        assert r.version == ("2021" if r.year >= 2021 else "2019")
        assert all(x is not None for x in r.cells.values())


# --------------------------------------------------------------------------------------------------
# defects

def _defect_reports(defect, n=40):
    return [make_report(s, f"{AGENCY}{s % 7}", 2021 + s % 4, [defect]) for s in range(n)]


def test_t3_balance_breaks_one_column_and_the_total():
    for r in _defect_reports("t3_balance"):
        assert _fails(r) == Counter({"T3_BALANCE": 2}) and not _na(r)
        cols = {f["col_key"] for f in r.expected_findings}
        assert "total" in cols and len(cols) == 2
        for f in r.expected_findings:
            assert f["table_id"] == "t3" and f["row_key"] is None
            v = lambda row, r=r, f=f: read_cell(r.cells[("t3", row, f["col_key"])])[1]  # noqa: E731
            assert f["expected"] == v("new_received") + v("carried_over")
            assert f["observed"] == v("processed_total") + v("carried_forward")
            assert f["expected"] != f["observed"]


def test_t3_total_column():
    for r in _defect_reports("t3_total_column"):
        assert _fails(r) == Counter({"T3_TOTAL_COLUMN": 3}) and not _na(r)
        for f in r.expected_findings:
            assert f["col_key"] == "total"
            assert f["observed"] == read_cell(r.cells[("t3", f["row_key"], "total")])[1]
        assert {"new_received", "processed_total"} <= {f["row_key"] for f in r.expected_findings}


def test_t3_outcome_sum():
    for r in _defect_reports("t3_outcome_sum"):
        assert _fails(r) == Counter({"T3_OUTCOME_SUM": 2}) and not _na(r)
        assert all(f["row_key"] == "processed_total" for f in r.expected_findings)
        assert "total" in {f["col_key"] for f in r.expected_findings}


def test_t4_total_exactly_one():
    for r in _defect_reports("t4_total"):
        assert _fails(r) == Counter({"T4_TOTAL": 1}) and not _na(r)
        (f,) = r.expected_findings
        assert f["table_id"] == "t4" and f["row_key"] == "cases" and f["col_key"].endswith("_total")


@pytest.mark.parametrize("defect,rule", [("blank_cell", "CELL_BLANK"), ("dash_cell", "CELL_NOT_NUMBER"),
                                         ("text_cell", "CELL_NOT_NUMBER")])
def test_non_numbers_make_identities_not_assessable(defect, rule):
    seen_dash = set()
    for r in _defect_reports(defect):
        assert _fails(r) == Counter({rule: 1})
        (cell,) = [f for f in r.expected_findings if f["status"] == "fail"]
        assert cell["table_id"] == "t3"
        raw = r.cells[("t3", cell["row_key"], cell["col_key"])]
        seen_dash.add(raw)
        # the row's total-column identity and at least one column identity are not assessable, never pass/fail
        na = [f for f in r.expected_findings if f["status"] == "not_assessable"]
        assert ("T3_TOTAL_COLUMN", cell["row_key"]) in {(f["rule_id"], f["row_key"]) for f in na}
        assert set(_na(r)) <= {"T3_TOTAL_COLUMN", "T3_BALANCE", "T3_OUTCOME_SUM"} and len(na) >= 2
        assert all(f["expected"] is None and f["observed"] is None for f in na)
    if defect == "dash_cell":
        assert "—" in seen_dash
    if defect == "blank_cell":
        assert seen_dash == {None}


@pytest.mark.parametrize("defect", ["negative_cell", "fraction_cell"])
def test_invalid_values(defect):
    for r in _defect_reports(defect):
        assert _fails(r) == Counter({"CELL_INVALID": 1}) and not _na(r)
        (f,) = r.expected_findings
        x = read_cell(r.cells[(f["table_id"], f["row_key"], f["col_key"])])[1]
        assert f["observed"] == x and (x < 0 or x != int(x))


def test_missing_section_and_table():
    for r in _defect_reports("missing_section"):
        assert r.expected_findings == [{"rule_id": "SECTION_MISSING", "table_id": None, "row_key": "5", "col_key": None,
                                        "status": "fail", "expected": None, "observed": None}]
        assert [s[0] for s in r.sections] == [1, 2, 3, 4, 6]
        assert "五、" not in render_text(r).decode()
    for r in _defect_reports("missing_table"):
        assert _fails(r) == Counter({"TABLE_MISSING": 1}) and not _na(r)
        assert r.expected_findings[0]["table_id"] == "t4"
        assert r.tables_present == {"t2": True, "t3": True, "t4": False}
        assert not any(k[0] == "t4" for k in r.cells)
        assert "行政复议\n" not in render_text(r).decode()


def test_fullwidth_digits_parse_to_the_same_numbers():
    wide = grouped = 0
    for r in _defect_reports("fullwidth_digits"):
        assert r.expected_findings == []
        for k, raw in r.cells.items():
            assert read_cell(raw)[1] == r.numbers[k]
        wide += any(re.search("[０-９]", x) for x in r.cells.values())
        grouped += any("," in x for x in r.cells.values())
    assert wide >= 30 and grouped == 40


def test_blank_org_columns_and_outdated_format():
    for r in _defect_reports("blank_org_columns", 10):
        rows = len(layout(r.version).t3_rows)
        assert _fails(r) == Counter({"CELL_BLANK": 5 * rows})
        assert _na(r) == Counter({"T3_TOTAL_COLUMN": rows, "T3_BALANCE": 5, "T3_OUTCOME_SUM": 5})
    for r in _defect_reports("outdated_format", 10):
        assert r.version == "2019" and r.year >= 2021
        assert _fails(r) == Counter({"FORMAT_OUTDATED": 1})


def test_defects_combine_and_unknown_defect_rejected():
    r = make_report(3, AGENCY, 2022, ["t4_total", "missing_table", "t3_balance"])
    assert _fails(r) == Counter({"TABLE_MISSING": 1, "T3_BALANCE": 2})   # no T4_TOTAL on a missing table
    with pytest.raises(ValueError):
        make_report(1, AGENCY, 2022, ["no_such_defect"])


def test_evaluator_edge_cases():
    nums = balanced_numbers(random.Random(7))
    cells = _printed(nums)
    assert read_cell("１,２３４") == ("number", 1234.0)
    assert read_cell("\xa0") == ("blank", None) and read_cell("—") == ("dash", None)
    assert read_cell("12件") == ("number", 12.0) and read_cell("见说明") == ("text", None)
    cells[("t4", "cases", "review_total")] = None
    out = evaluate(cells, version="2021", tables_present={"t3": False})
    assert {f["rule_id"] for f in out} == {"TABLE_MISSING", "CELL_BLANK", "T4_TOTAL"}
    assert [f["status"] for f in out if f["rule_id"] == "T4_TOTAL"] == ["not_assessable"]


# --------------------------------------------------------------------------------------------------
# renderings

RENDERERS = {
    "txt": render_text,
    "html": lambda r: render_html(r),
    "portal": lambda r: render_html(r, portal=True),
    "portal_gbk": lambda r: render_html(r, portal=True, encoding="gbk"),
}


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_rendering_is_deterministic(name):
    f = RENDERERS[name]
    a = f(make_report(11, AGENCY, 2022, ["blank_cell"]))
    assert a == f(make_report(11, AGENCY, 2022, ["blank_cell"]))
    assert a != f(make_report(12, AGENCY, 2022, ["blank_cell"]))


def _table_region(text):
    a, b = text.index("二、主动公开政府信息情况"), text.index("五、")
    return [re.sub(r"^\t[\d.]+$", "\tN", x) for x in text[a:b].split("\n")]


def test_text_has_the_seed_layout():
    r = next(r for s in range(50) if not (r := make_report(s, "五星办事处", 2021)).relabel)
    text = render_text(r).decode("utf-8")
    lines = text.split("\n")
    assert lines[0] == "" and lines[1] == "五星办事处2021年政府信息公开工作" and lines[2] == "年度报告"
    assert any(x.startswith("\t") and x[1:].strip() for x in lines)     # tab-indented cells
    assert lines.count("\t") >= 40                                       # tab-only placeholder lines
    assert "\t申请人情况\n\n\t\n\t自然人\n\t法人或其他组织\n\t总计\n\n\t\n\t\n\t商业企业\n" in text
    assert "\n\t行政复议\n\t行政诉讼\n\n" in text and "\t\n\t\n\t\n\t\n\t\n\t结果维持\n" in text
    for title in ("主动公开政府信息情况", "收到和处理政府信息公开申请情况", "其他需要报告的事项"):
        assert re.search(rf"^[一二三四五六]、{title}$", text, re.M)
    if SEED_TXT.exists():   # the tables are laid out exactly as in the real Word dump
        assert _table_region(text) == _table_region(SEED_TXT.read_text(encoding="utf-8"))


def _text_tables(text):
    """Tables of a Word dump as rows of cells (a test reader, positions only)."""
    tables, table, row = [], None, []
    for line in text.split("\n"):
        if line.startswith("\t"):
            table = table if table is not None else []
            row.append(line[1:].strip() or None)
        elif not line.strip():
            if row:
                table.append(row)
                row = []
        elif table is not None:
            tables.append(table)
            table = None
    return tables


def _cells_from_rows(r, tables):
    """Map tables (rows of cell texts, placeholders included) back to template keys by position."""
    L = layout(r.version)
    got = {}
    t2 = iter(tables[0])
    for g in L.t2_groups:
        next(t2), next(t2)
        for rk, _ in g.rows:
            row = next(t2)
            for (c, _), x in zip(g.cols, row[1:]):
                got[("t2", rk, c)] = x
    for row, vals in zip(L.t3_rows, tables[1][3:]):
        for (c, _), x in zip(L.t3_cols, vals[-7:]):
            got[("t3", row.key, c)] = x
    if r.tables_present["t4"]:
        for c, x in zip(L.t4_cols, tables[2][3]):
            got[("t4", L.t4_row, c.key)] = x
    return got


def _sample_reports():
    out = [make_report(s, f"测试局{s}", 2020 + s % 5, [DEFECTS[s % len(DEFECTS)]]) for s in range(28)]
    return out + [make_report(99, AGENCY, 2022, ["blank_org_columns", "fullwidth_digits", "dash_cell"])]


def test_text_rendering_carries_the_printed_cells():
    for r in _sample_reports():
        tables = _text_tables(render_text(r).decode("utf-8"))
        assert len(tables) == 2 + r.tables_present["t4"]
        assert _cells_from_rows(r, tables) == r.cells


def _html_tables(data: bytes, encoding: str):
    from lxml import html as lhtml

    doc = lhtml.fromstring(data.decode(encoding))
    out = []
    for t in doc.iter("table"):
        if t.get("class") == "table_content":      # the portal's page-metadata table
            continue
        grid: dict[tuple[int, int], str | None] = {}
        for i, tr in enumerate(t.iter("tr")):
            j = 0
            for td in tr.iter("td"):
                while (i, j) in grid:
                    j += 1
                text = re.sub(r"[\s\xa0]+", "", td.text_content()) or None
                cs, rs = int(td.get("colspan", 1)), int(td.get("rowspan", 1))
                for di in range(rs):
                    for dj in range(cs):
                        grid[(i + di, j + dj)] = text if (di, dj) == (0, 0) else "\x00span"
                j += cs
        n = max(i for i, _ in grid) + 1
        rows = [[grid[(i, j)] for j in sorted(j for ii, j in grid if ii == i)] for i in range(n)]
        out.append([[x for x in row if x != "\x00span"] for row in rows])
    return out


@pytest.mark.parametrize("portal,encoding", [(False, "utf-8"), (True, "utf-8"), (True, "gbk"), (False, "gbk")])
def test_html_rendering_carries_the_printed_cells(portal, encoding):
    for r in _sample_reports():
        data = render_html(r, portal=portal, encoding=encoding)
        tables = _html_tables(data, "gb18030" if encoding == "gbk" else encoding)
        assert len(tables) == 2 + r.tables_present["t4"]
        # HTML rows hold no vertical-merge stand-ins: pad rows back to the text-dump shape by position
        L = layout(r.version)
        got = {}
        t2 = iter(tables[0])
        for g in L.t2_groups:
            next(t2), next(t2)
            for rk, _ in g.rows:
                for (c, _), x in zip(g.cols, next(t2)[1:]):
                    got[("t2", rk, c)] = x
        for row, vals in zip(L.t3_rows, tables[1][3:]):
            for (c, _), x in zip(L.t3_cols, vals[-7:]):
                got[("t3", row.key, c)] = x
        if r.tables_present["t4"]:
            for c, x in zip(L.t4_cols, tables[2][3]):
                got[("t4", L.t4_row, c.key)] = x
        assert got == r.cells


def test_html_table_structure_matches_the_real_page():
    r = make_report(4, "沭阳县发展和改革局", 2023)
    for portal in (False, True):
        s = render_html(r, portal=portal).decode("utf-8")
        tds = re.findall(r"<td([^>]*)>(.*?)</td>", s, re.S)
        plain = [(re.sub(r'\s*valign="\w+"', "", a).strip(), re.sub(r"<[^>]+>|\s|&nbsp;", "", b)) for a, b in tds]
        assert ('colspan="3" rowspan="3"', "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）") in plain
        assert ('colspan="7"', "申请人情况") in plain and ('colspan="5"', "法人或其他组织") in plain
        assert ('rowspan="2"', "自然人") in plain and ('rowspan="2"', "总计") in plain
        assert ('rowspan="22"', "三、本年度办理结果") in plain and ('rowspan="8"', "（三）不予公开") in plain
        assert ('colspan="4"', "第二十条第（一）项") in plain and ('colspan="3"', "本年处理决定数量") in plain
        assert ('colspan="5"', "行政复议") in plain and ('colspan="10"', "行政诉讼") in plain
        assert ('rowspan="2"', "结果维持") in plain
        assert s.count("<table") == 3 + portal


def test_portal_gbk_page():
    r = make_report(8, "沭阳县发展和改革局", 2023, ["blank_cell"], region="沭阳县")
    data = render_html(r, portal=True, encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    s = data.decode("gb18030")
    assert '<meta charset="gbk">' in s
    assert re.search(r"<td[^>]*>\s*<p[^>]*><span><o:p>&nbsp;</o:p></span></p>\s*</td>", s)   # the blank cell
    assert s.index('class="table_content"') < s.index("BORDER-COLLAPSE")                       # metadata table first
    assert "mainNav" in s and 'class="footer"' in s and "当前位置" in s
    assert re.search("[０-９]", s)
    assert "</span><span" in s
    # the clean page is plain: no spans, blank cells empty
    clean = render_html(r).decode("utf-8")
    assert "<span" not in clean and "<td></td>" in clean


def test_narrative_restates_the_printed_totals():
    for s in range(60):
        r = make_report(s, f"测试局{s}", 2022)
        one = r.sections[0][2]
        new = read_cell(r.cells[("t3", "new_received", "total")])[1]
        if new == 0:
            assert "未收到政府信息公开申请" in one
        else:
            assert f"共收到政府信息公开申请{int(new)}件" in one
            assert f"办结{int(read_cell(r.cells[('t3', 'processed_total', 'total')])[1])}件" in one
        assert r.stated["t3|new_received|total"] == new


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


def test_fullwidth_cells_change_the_printed_digits_not_the_values():
    from gongkai.report.read import parse_bytes
    from gongkai.synth import make_report, render_html
    r = make_report(11, "测试县水利局", 2022)
    a = parse_bytes("a.html", render_html(r))
    b = parse_bytes("b.html", render_html(r, portal=True, encoding="gbk", fullwidth_cells=True))
    va = {(c.table_id, c.row_key, c.col_key): (c.semantic, c.value) for c in a.cells}
    vb = {(c.table_id, c.row_key, c.col_key): (c.semantic, c.value) for c in b.cells}
    assert va == vb
    assert any(c.raw and "１" in c.raw for c in b.cells)
