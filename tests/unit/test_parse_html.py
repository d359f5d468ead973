"""HTML parsing (gongkai.parse.html) and text decoding (gongkai.parse.decode)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gongkai.parse.decode import decode_text, sniff_html_charset
from gongkai.parse.document import Block, TCell
from gongkai.parse.errors import CorruptFile, EmptyFile, NotAReport, UndecodableText
from gongkai.parse.html import parse_html

REPO = Path(__file__).resolve().parents[2]
REAL_NAME = "shuyang_fgj_2023.html"
TITLE = "沭阳县发展和改革局2023年政府信息公开年度报告-沭阳县发改局"


# --------------------------------------------------------------------------- fixtures

def _find_real_page() -> Path | None:
    env = os.environ.get("GONGKAI_SHUYANG_HTML")
    if env and Path(env).is_file():
        return Path(env)
    harvest = REPO / "data" / "harvest"
    if harvest.is_dir():
        for p in sorted(harvest.rglob(REAL_NAME)):
            return p
    shared = Path("/work/shared/corpus/real") / REAL_NAME
    return shared if shared.is_file() else None


@pytest.fixture(scope="module")
def real_path() -> Path:
    p = _find_real_page()
    if p is None:
        pytest.skip(f"{REAL_NAME} not found (set GONGKAI_SHUYANG_HTML)")
    return p


@pytest.fixture(scope="module")
def real_bytes(real_path) -> bytes:
    return real_path.read_bytes()


@pytest.fixture(scope="module")
def real_doc(real_bytes, real_path):
    return parse_html(real_bytes, str(real_path))


def _paras(doc) -> list[str]:
    return [b.text for b in doc.blocks if b.kind == "para"]


def _tables(doc):
    return [b.table for b in doc.blocks if b.kind == "table"]


def _row(table, first_text: str):
    rows = [r for r in table if r and any(c.text == first_text for c in r[:2])]
    assert len(rows) == 1, f"row {first_text!r}: {len(rows)} matches"
    return rows[0]


def _page(body: str, head: str = "<title>t</title>") -> bytes:
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>".encode()


def _grid(table_html: str):
    doc = parse_html(_page(table_html), "t.html")
    tables = _tables(doc)
    assert len(tables) == 1
    return tables[0]


def _texts(row) -> list[str]:
    return [c.text for c in row]


def C(span: int = 1) -> TCell:  # noqa: N802 - a rowspan stand-in
    return TCell("", span, True)


# --------------------------------------------------------------------------- the real page

def test_real_page_basics(real_doc):
    assert real_doc.source_format == "html"
    assert real_doc.title_hint == TITLE
    assert real_doc.encoding == "utf-8"
    paras = _paras(real_doc)
    for heading in (
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及整改措施",
        "六、其他需要报告的事项",
        "（二）依申请公开政府信息情况",
    ):
        assert heading in paras, heading
    # one paragraph rebuilt from dozens of <span>/<font> pieces, numbers included
    intro = next(p for p in paras if p.startswith("根据《中华人民共和国政府信息公开条例》"))
    assert "本年度报告所列数据的统计时限为2023年1月1日至2023年12月31日。" in intro
    assert "电话：0527—83593059）" in intro
    assert paras[-1] == "2024年1月17日" and paras[-2] == "沭阳县发展和改革局"
    assert all(p == p.strip() and p for p in paras)


def test_real_page_chrome_is_dropped(real_doc):
    paras = _paras(real_doc)
    text = "\n".join(paras)
    for chrome in ("websiteId", "繁體版", "采集时间", "星期二", "jquery", "font-family", "沭阳县人民政府\n"):
        assert chrome not in text, chrome
    for nav in ("首页", "走进沭阳", "无障碍", "办事服务", "政民互动"):
        assert nav not in paras, nav
    # the article title (h1) follows the page's metadata box; the page <title> is only the title_hint
    kinds = [(b.kind, b.text) for b in real_doc.blocks]
    title_at = kinds.index(("para", "沭阳县发展和改革局2023年政府信息公开年度报告"))
    assert [k for k, _ in kinds[:title_at]].count("table") == 1


def test_real_page_tables(real_doc):
    tables = _tables(real_doc)
    assert len(tables) == 4
    meta, t2, t3, t4 = tables
    assert meta[0] == [TCell("名称"), TCell("沭阳县发展和改革局2023年政府信息公开年度报告", 3)]
    assert _texts(meta[2]) == ["发布机构", "沭阳县发展和改革局", "公开日期", "2024-01-17"]
    assert meta[1][3] == TCell("信息公开年报 其他 报告")
    assert t2[0] == [TCell("第二十条第（一）项", 4)]
    assert _texts(t2[3]) == ["规范性文件", "8", "0", "18"]
    assert t2[-1] == [TCell("行政事业性收费"), TCell("0", 3)]
    assert t3[0][0].text.startswith("（本列数据的勾稽关系为") and t3[0][0].span == 3
    assert t3[0][1] == TCell("申请人情况", 7)
    assert t4[0] == [TCell("行政复议", 5), TCell("行政诉讼", 10)]
    # table text is not repeated as paragraphs
    paras = _paras(real_doc)
    assert not any("本年新收" in p or "结果维持" in p or "索引号" in p for p in paras)


def test_real_page_table3_grid(real_doc):
    t3 = _tables(real_doc)[2]
    assert len(t3) == 28
    assert t3[1] == [C(3), TCell("自然人"), TCell("法人或其他组织", 5), TCell("总计")]
    assert t3[2] == [C(3), C(1), TCell("商业企业"), TCell("科研机构"), TCell("社会公益组织"),
                     TCell("法律服务机构"), TCell("其他"), C(1)]
    assert t3[3] == [TCell("一、本年新收政府信息公开申请数量", 3), TCell("26")] + [TCell("")] * 5 + [TCell("26")]
    assert t3[5] == [TCell("三、本年度办理结果"), TCell("（一）予以公开", 2), TCell("26")] + [TCell("")] * 5 + [TCell("26")]
    assert t3[7][:3] == [C(1), TCell("（三）不予公开"), TCell("1.属于国家秘密")]
    assert t3[8][:3] == [C(1), C(1), TCell("2.其他法律行政法规禁止公开")]
    assert t3[9][2] == TCell("3.危及“三安全一稳定”")
    # rowspan=22 on 三、本年度办理结果 (row 5) covers rows 5..26: the last covered row is （七）总计
    assert t3[26] == [C(1), TCell("（七）总计", 2), TCell("26")] + [TCell("")] * 5 + [TCell("26")]
    assert t3[27] == [TCell("四、结转下年度继续办理", 3), TCell("0")] + [TCell("")] * 5 + [TCell("0")]
    # this table is well formed: every row covers the same 10 grid columns
    assert {sum(c.span for c in row) for row in t3} == {10}


def test_real_page_table4(real_doc):
    t4 = _tables(real_doc)[3]
    assert len(t4) == 4
    assert t4[1][:5] == [TCell("结果维持"), TCell("结果纠正"), TCell("其他结果"), TCell("尚未审结"), TCell("总计")]
    assert t4[1][5:] == [TCell("未经复议直接起诉", 5), TCell("复议后起诉", 5)]
    assert t4[2][:5] == [C(1)] * 5
    assert _texts(t4[3]) == "0 0 0 1 1 0 0 0 0 0 0 0 0 0 0".split()
    assert all(c.span == 1 and not c.cont for c in t4[3])


def _variants(real_bytes: bytes) -> dict[str, bytes]:
    s = real_bytes.decode("utf-8")
    head_meta = '<meta charset="utf-8" />'
    body_meta = '<meta charset="utf-8">'
    assert s.count(head_meta) == 1 and s.index(head_meta) < 4096
    return {
        "gbk meta charset": s.replace(head_meta, '<meta charset="gbk" />').replace(body_meta, "").encode("gbk"),
        # real "gb2312" pages hold GBK-only characters (this one: 繁體版), so the bytes are GBK
        "gb2312 http-equiv": s.replace(
            head_meta, '<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />'
        ).replace(body_meta, "").encode("gbk"),
        "gbk undeclared": s.replace(head_meta, "").replace(body_meta, "").encode("gbk"),
        "gbk mislabelled utf-8": s.encode("gbk"),
        "utf-8 with BOM": b"\xef\xbb\xbf" + real_bytes,
    }


@pytest.mark.parametrize("variant", ["gbk meta charset", "gb2312 http-equiv", "gbk undeclared",
                                     "gbk mislabelled utf-8", "utf-8 with BOM"])
def test_real_page_reencoded(real_doc, real_bytes, variant):
    data = _variants(real_bytes)[variant]
    doc = parse_html(data, f"{variant}.html")
    assert doc.blocks == real_doc.blocks
    assert doc.title_hint == TITLE
    assert doc.encoding == ("utf-8-sig" if "BOM" in variant else "gb18030")


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


# --------------------------------------------------------------------------- paragraphs

def test_paragraphs_join_inline_and_split_blocks():
    doc = parse_html(_page("""
      <p><span>三、收到和处理</span><span style="x">政府信息公开申请情况</span><o:p></o:p></p>
      <p>&nbsp;</p><p>\u3000</p>
      <div>甲<br>乙<br/><br>丙</div>
      <div>前<p>中</p>后</div>
      <h2>标题\n  续</h2>
      <ul><li>一</li><li><a href="#">二</a></li></ul>
      <p>正文<script>var x = 1;</script><style>p{}</style>继续</p>
      <p>a&nbsp;&nbsp; b</p>"""), "p.html")
    assert _paras(doc) == ["三、收到和处理政府信息公开申请情况", "甲", "乙", "丙", "前", "中", "后",
                           "标题续", "一", "二", "正文继续", "a b"]


def test_title_hint_and_no_title():
    doc = parse_html(_page("<p>x</p>", head="<title>\n  某某局 2023年报告 </title>"), "t.html")
    assert doc.title_hint == "某某局 2023年报告"
    assert doc.blocks == [Block("para", text="x")]
    doc = parse_html(b"<html><body><p>x</p></body></html>", "t.html")
    assert doc.title_hint is None


_NAV = "<div class='nav'>" + "".join(f"<a href='/c{i}'>栏目{i}主动公开目录</a>" for i in range(40)) + "</div>"
_SIDE = "<ul class='side'>" + "".join(f"<li><a href='/s{i}'>相关链接{i}</a></li>" for i in range(30)) + "</ul>"
_T3 = ("<table><tr><td colspan='3'>一、本年新收政府信息公开申请数量</td><td>5</td><td>5</td></tr>"
       "<tr><td colspan='3'>四、结转下年度继续办理</td><td>0</td><td>0</td></tr></table>")
_BODY_TEXT = "".join(f"<p>第{i}段正文，说明政府信息公开工作的有关情况。</p>" for i in range(20))


def test_content_root_drops_portal_chrome_keeps_metadata_box():
    page = f"""{_NAV}<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/g">政府信息公开</a></div>
      <div class="main"><div class="left">{_SIDE}</div>
        <div class="right"><div class="article">
          <table class="meta"><tr><td>索引号</td><td>0143/2024-00002</td></tr>
                              <tr><td>发布机构</td><td>某某局</td></tr></table>
          <h1>某某局2023年政府信息公开工作年度报告</h1>
          <div id="zoom"><p>一、总体情况</p>{_BODY_TEXT}<p>二、主动公开政府信息情况</p>
            <p>三、收到和处理政府信息公开申请情况</p>{_T3}<p>六、其他需要报告的事项</p></div>
        </div></div></div>
      <div class="footer"><a href="/about">关于我们</a><a href="/map">网站地图</a></div>"""
    doc = parse_html(_page(page), "portal.html")
    paras = _paras(doc)
    assert paras[0] == "某某局2023年政府信息公开工作年度报告"
    assert paras[1] == "一、总体情况" and paras[-1] == "六、其他需要报告的事项"
    assert not any("栏目" in p or "相关链接" in p or "当前位置" in p or "网站地图" in p for p in paras)
    tables = _tables(doc)
    assert len(tables) == 2 and _texts(tables[0][0]) == ["索引号", "0143/2024-00002"]
    assert _texts(tables[1][0]) == ["一、本年新收政府信息公开申请数量", "5", "5"]


def test_content_root_without_table3():
    page = f"""{_NAV}<div class="box"><div class="art"><p>一、总体情况</p>{_BODY_TEXT}
        <p>二、主动公开政府信息情况</p><p>六、其他需要报告的事项</p><p>无。</p></div>{_SIDE}</div>"""
    doc = parse_html(_page(page), "notable.html")
    paras = _paras(doc)
    assert paras[0] == "一、总体情况" and paras[-1] == "无。"
    assert not any("栏目" in p or "相关链接" in p for p in paras)


def test_layout_table_around_the_report_is_walked_not_gridded():
    page = f"""<table><tr><td class="left">{_SIDE}</td>
        <td class="content"><p>一、总体情况</p>{_BODY_TEXT}<p>二、主动公开政府信息情况</p>{_T3}</td></tr></table>"""
    doc = parse_html(_page(page), "layout.html")
    assert [b.kind for b in doc.blocks].count("table") == 1
    assert _tables(doc)[0][1][0] == TCell("四、结转下年度继续办理", 3)
    assert _paras(doc)[0] == "一、总体情况"
    single = parse_html(_page("<table><tr><td><p>一、总体情况</p><p>正文</p></td></tr></table>"), "one.html")
    assert _paras(single) == ["一、总体情况", "正文"] and not _tables(single)


# --------------------------------------------------------------------------- safety and failures

def test_external_entity_is_not_inlined(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE html [\n<!ENTITY xxe SYSTEM "file://{secret}">\n'
        f'<!ENTITY % pe SYSTEM "file://{secret}"> %pe;\n]>\n'
        '<html><body><p>一、总体情况&xxe;</p><table><tr><td>&xxe;</td><td>x</td></tr></table></body></html>'
    ).encode()
    doc = parse_html(data, "xxe.html")
    dump = repr(doc.blocks)
    assert "TOP-SECRET-CONTENT" not in dump
    assert _paras(doc)[0].startswith("一、总体情况")
    assert not any("ENTITY" in p or p == "]>" for p in _paras(doc))


def _one_line(msg: str, path: str) -> None:
    assert "\n" not in msg and path in msg and len(msg) < 300


def test_html_failures():
    with pytest.raises(NotAReport) as e:
        parse_html(b"<html><head><script>load()</script></head><body><script>x()</script></body></html>", "js.html")
    _one_line(str(e.value), "js.html")
    with pytest.raises(NotAReport):
        parse_html(b"<!-- nothing -->", "c.html")
    with pytest.raises(NotAReport):
        parse_html(b"<frameset><frame src='a.html'></frameset>", "f.html")
    with pytest.raises(CorruptFile) as e:
        parse_html(b"<html><body>" + b"<div>" * 400 + b"<p>x</p>" + b"</div>" * 400 + b"</body></html>", "deep.html")
    _one_line(str(e.value), "deep.html")
    with pytest.raises(UndecodableText) as e:
        parse_html(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "report.html")
    _one_line(str(e.value), "report.html")
    with pytest.raises(EmptyFile):
        parse_html(b"  \n ", "empty.html")


# --------------------------------------------------------------------------- decode_text

ZH = "一、总体情况\n本年新收政府信息公开申请26件，办结26件。\n"


def test_decode_plain_and_bom():
    assert decode_text(ZH.encode(), "a.txt") == (ZH, "utf-8")
    assert decode_text(b"\xef\xbb\xbf" + ZH.encode(), "a.txt") == (ZH, "utf-8-sig")
    assert decode_text(b"\xff\xfe" + ZH.encode("utf-16-le"), "a.txt") == (ZH, "utf-16-le")
    assert decode_text(b"\xfe\xff" + ZH.encode("utf-16-be"), "a.txt") == (ZH, "utf-16-be")
    assert decode_text(ZH.encode("utf-16-le"), "a.txt") == (ZH, "utf-16-le")  # no BOM


def test_decode_gb_family():
    gbk = (ZH * 3).encode("gbk")
    assert decode_text(gbk, "a.txt") == (ZH * 3, "gb18030")
    assert decode_text(gbk, "a.txt", declared="GB2312") == (ZH * 3, "gb18030")
    assert decode_text(gbk, "a.txt", declared="utf-8") == (ZH * 3, "gb18030")  # mislabelled
    assert decode_text(ZH.encode(), "a.txt", declared="gbk") == (ZH, "utf-8")  # mislabelled the other way
    assert decode_text("镕堃".encode("gb18030") + gbk, "a.txt")[0].startswith("镕堃")  # GBK-only characters


def test_decode_truncated_and_damaged_utf8():
    data = (ZH * 40).encode()
    assert decode_text(data[:-2], "a.txt") == ((ZH * 40)[:-2], "utf-8")  # "\n" and half of "。" cut off
    text, enc = decode_text(data + b"\xff" + data, "a.txt")
    assert enc == "utf-8" and text.count("\ufffd") == 1


@pytest.mark.parametrize(("data", "what"), [
    (b"abc\x00def" * 3, "offset 3"),
    (b"%PDF-1.4\n1 0 obj", "PDF"),
    (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "OLE"),
    (bytes(range(256)) * 20, "offset 0"),
    (b"text\x01\x02\x03\x04\x05\x06\x08\x0e\x0f\x10", "binary"),
])
def test_decode_rejects_binary(data, what):
    with pytest.raises(UndecodableText) as e:
        decode_text(data, "dir/report 1.txt")
    msg = str(e.value)
    _one_line(msg, "dir/report 1.txt")
    assert what in msg


@pytest.mark.parametrize("data", [b"", b"   \r\n\t", b"\xef\xbb\xbf", b"\xef\xbb\xbf  \n", "\u3000\u00a0\n".encode()])
def test_decode_empty(data):
    with pytest.raises(EmptyFile) as e:
        decode_text(data, "empty.txt")
    _one_line(str(e.value), "empty.txt")


def test_sniff_html_charset():
    assert sniff_html_charset(b'<html><head><meta charset="utf-8" />') == "utf-8"
    assert sniff_html_charset(b"<meta charset=GBK>") == "gb18030"
    assert sniff_html_charset(
        b'<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=gb2312">') == "gb18030"
    assert sniff_html_charset(b'<meta content="text/html;charset=GB18030" http-equiv="Content-Type">') == "gb18030"
    assert sniff_html_charset(b'<?xml version="1.0" encoding="GBK"?><html>') == "gb18030"
    assert sniff_html_charset(b'<meta name="keywords" content="x"><p>charset=gbk</p>') is None
    assert sniff_html_charset(b" " * 5000 + b'<meta charset="gbk">') is None  # only the first 4 KB
    assert sniff_html_charset(b'<meta charset="no-such-charset">') is None
