"""HTML parsing (gongkai.parse.html), paragraphs and the content root: inline and block text, the title
hint, the portal's chrome dropped around the report, layout tables walked, not gridded."""

from __future__ import annotations

from html_support import _page, _paras, _tables, _texts

from gongkai.parse.document import Block, TCell
from gongkai.parse.html import parse_html

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
