"""HTML parsing (gongkai.parse.html), the table grid builder: rowspan and colspan, bad spans, table
sections in document order, nested tables, and the text of a cell."""

from __future__ import annotations

import pytest
from html_support import C, _page, _tables, _texts

from gongkai.parse.document import TCell
from gongkai.parse.html import parse_html


def _grid(table_html: str):
    doc = parse_html(_page(table_html), "t.html")
    tables = _tables(doc)
    assert len(tables) == 1
    return tables[0]


# --------------------------------------------------------------------------- grid builder

def test_grid_rowspan_colspan_block():
    g = _grid("""<table>
      <tr><td rowspan="2" colspan="2">A</td><td>B</td></tr>
      <tr><td>C</td></tr>
      <tr><td>D</td><td>E</td><td>F</td></tr></table>""")
    assert g == [[TCell("A", 2), TCell("B")], [C(2), TCell("C")], [TCell("D"), TCell("E"), TCell("F")]]


def test_grid_rowspan_in_middle_and_at_end():
    g = _grid("""<table>
      <tr><td>a</td><td rowspan="3">b</td><td>c</td><td rowspan="2">z</td></tr>
      <tr><td>d</td><td>e</td></tr>
      <tr><td>f</td><td>g</td><td>h</td></tr></table>""")
    assert g == [
        [TCell("a"), TCell("b"), TCell("c"), TCell("z")],
        [TCell("d"), C(), TCell("e"), C()],
        [TCell("f"), C(), TCell("g"), TCell("h")],
    ]


def test_grid_total_header_next_to_colspan_group():
    g = _grid("""<table>
      <tr><td rowspan="2" colspan="3">x</td><td rowspan="2">自然人</td>
          <td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>
      <tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>
      <tr><td colspan="3">一、本年新收政府信息公开申请数量</td><td>3</td><td>1</td><td></td><td>&nbsp;</td>
          <td>0</td><td>0</td><td>4</td></tr></table>""")
    assert g[0] == [TCell("x", 3), TCell("自然人"), TCell("法人或其他组织", 5), TCell("总计")]
    assert g[1] == [C(3), C(1), TCell("商业企业"), TCell("科研机构"), TCell("社会公益组织"),
                    TCell("法律服务机构"), TCell("其他"), C(1)]
    assert _texts(g[2]) == ["一、本年新收政府信息公开申请数量", "3", "1", "", "", "0", "0", "4"]


def test_grid_rowspan_past_last_row_is_not_clamped_or_invented():
    g = _grid("""<table><tr><td rowspan="5" colspan="2">x</td><td>1</td></tr>
                 <tr><td>2</td></tr></table>""")
    assert g == [[TCell("x", 2), TCell("1")], [C(2), TCell("2")]]


def test_grid_rows_of_different_width_are_kept():
    g = _grid("<table><tr><td>a</td><td>b</td><td>c</td></tr><tr><td>d</td></tr></table>")
    assert g == [[TCell("a"), TCell("b"), TCell("c")], [TCell("d")]]


@pytest.mark.parametrize("attrs", ['rowspan="0" colspan="0"', 'rowspan="abc" colspan="x"',
                                   'rowspan="99999" colspan="5000"', 'rowspan="" colspan=""', ""])
def test_grid_bad_spans_count_as_one(attrs):
    g = _grid(f"<table><tr><td {attrs}>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>")
    assert g == [[TCell("a"), TCell("b")], [TCell("c"), TCell("d")]]


def test_grid_sections_in_document_order():
    g = _grid("""<table><caption>表三</caption>
      <thead><tr><th>h1</th><th>h2</th></tr></thead>
      <tfoot><tr><td>f1</td><td>f2</td></tr></tfoot>
      <tbody><tr><td>b1</td><td>b2</td></tr></tbody></table>""")
    assert [_texts(r) for r in g] == [["h1", "h2"], ["f1", "f2"], ["b1", "b2"]]
    doc = parse_html(_page("<table><caption>表三</caption><tr><td>a</td><td>b</td></tr></table>"), "c.html")
    assert [b.kind for b in doc.blocks] == ["para", "table"] and doc.blocks[0].text == "表三"


def test_grid_nested_table_is_flattened_into_its_cell():
    g = _grid("""<table><tr><td>外<table><tr><td>商业</td><td>企业</td></tr>
                 <tr><td>1</td><td>2</td></tr></table></td><td>y</td></tr></table>""")
    assert g == [[TCell("外商业企业1 2"), TCell("y")]]


@pytest.mark.parametrize(("cell", "text"), [
    ("商业<p>企业</p>", "商业企业"),
    ("<p>商业</p>\n  <p>企业</p>", "商业企业"),
    ("<p>商业</p> <p>企业</p>", "商业企业"),
    ("<div><span>法人或</span><span>其他组织</span></div>", "法人或其他组织"),
    ("<span>2</span><span>6</span>", "26"),  # inline spans inside one line: never a separator
    ("<p><span>2</span><font>6</font><o:p></o:p></p>", "26"),
    ("1<br>2", "1 2"),
    ("<p>1</p><p>2</p>", "1 2"),
    ("<p>１</p><p>２</p>", "１ ２"),
    ("第1<br>项", "第1项"),
    ("本年收费金额<br>（单位：万元）", "本年收费金额（单位：万元）"),
    ("&nbsp;", ""),
    ("&nbsp;&nbsp;\u3000 ", ""),
    ("<p><o:p>&nbsp;</o:p></p>", ""),
    ("  251000元 ", "251000元"),
    ("<p>&nbsp;</p><p>自然人</p>", "自然人"),
    ("<b>总</b>\n<b>计</b>", "总计"),
])
def test_cell_text(cell, text):
    g = _grid(f"<table><tr><td>{cell}</td><td>z</td></tr></table>")
    assert g[0][0] == TCell(text)
