"""The synthetic report generator: faithful renderings (the Word text dump, clean HTML, the portal page
in UTF-8 and GBK) carry the printed cells, the layout of the real documents and the narrative's totals."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from synth_support import AGENCY

from gongkai.synth import DEFECTS, layout, make_report, read_cell, render_html, render_text

SEED_TXT = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "seed" / "wuxing_office_2021.txt"


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
        # HTML rows hold no vertical-merge stand-ins: each row's cells read by position from its right end
        assert _cells_from_rows(r, tables) == r.cells


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
