"""Word .docx parsing (gongkai.parse.docx), paragraph text from hand-written document.xml strings: runs,
tabs and breaks and what is not printed, body order, the table of contents, automatic numbering, the strict
namespace, and a document that is no report (a one-line failed report, never an exception)."""

from __future__ import annotations

import pytest
from docx_support import SPAN2, TBL, TC, TR, W_NS, P, _blocks, _docx, _failed

from gongkai.parse.document import TCell
from gongkai.parse.docx.body import parse_docx
from gongkai.parse.errors import NotAReport

STRICT_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"


def _paras(body: str, **kw) -> list[str]:
    return [b.text for b in _blocks(body, **kw) if b.kind == "para"]


# --------------------------------------------------------------------------- paragraph text

def test_paragraph_runs_tabs_breaks_and_what_is_not_printed():
    body = (
        '<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs></w:pPr>'
        '<w:r><w:t>一、</w:t></w:r><w:proofErr w:type="spellStart"/><w:bookmarkStart w:id="0" w:name="_GoBack"/>'
        '<w:r><w:t>总体</w:t></w:r><w:bookmarkEnd w:id="0"/><w:r><w:t>情况</w:t></w:r></w:p>'
        '<w:p><w:r><w:t>甲</w:t><w:tab/><w:t>乙</w:t></w:r><w:r><w:br/><w:t>第二行</w:t><w:cr/><w:t>第三行</w:t></w:r></w:p>'
        '<w:p><w:r><w:t>保留</w:t></w:r><w:del w:id="1" w:author="x"><w:r><w:delText>删除</w:delText></w:r></w:del>'
        '<w:ins w:id="2" w:author="x"><w:r><w:t>插入</w:t></w:r></w:ins>'
        '<w:moveFrom w:id="3" w:author="x"><w:r><w:t>移走</w:t></w:r></w:moveFrom></w:p>'
        '<w:p><w:hyperlink r:id="rId9" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<w:r><w:t>链接</w:t></w:r></w:hyperlink><w:smartTag w:uri="u" w:element="date"><w:r><w:t>2023年</w:t></w:r>'
        '</w:smartTag><w:fldSimple w:instr=" PAGE "><w:r><w:t>7</w:t></w:r></w:fldSimple>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> DATE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>结果</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
        '<w:sdt><w:sdtContent><w:r><w:t>控件</w:t></w:r></w:sdtContent></w:sdt></w:p>'
        '<w:p><w:r><w:t>正文</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
        '<wp:anchor><wp:positionH relativeFrom="column"><wp:posOffset>123456</wp:posOffset></wp:positionH>'
        '<wps:txbx><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent></wps:txbx></wp:anchor>'
        '</w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>VML文本框</w:t>'
        '</w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>'
        '<w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r><w:r><w:rPr><w:vanish w:val="0"/></w:rPr><w:t>可见</w:t></w:r>'
        '<w:r><w:t>A</w:t><w:noBreakHyphen/><w:t>B</w:t></w:r></w:p>'
        '<w:p/><w:p><w:r><w:t xml:space="preserve">  多　 空格\u200b  </w:t></w:r></w:p>'
    )
    assert _paras(body) == ["一、总体情况", "甲 乙", "第二行", "第三行", "保留插入", "链接2023年7结果控件",
                            "正文可见A-B", "多 空格"]


def test_body_order_sdt_blocks_and_layout_frame():
    report = P("一、总体情况") + TBL(TR(TC("项目"), TC("数量")), TR(TC("a"), TC("1"))) + P("二、主动公开政府信息情况")
    framed = TBL(TR(f"<w:tc>{report}</w:tc>"))               # a one-cell frame around the report
    blocks = _blocks(f"{P('标题')}<w:sdt><w:sdtContent>{framed}</w:sdtContent></w:sdt>{P('落款')}")
    assert [(b.kind, b.text if b.kind == "para" else b.table) for b in blocks] == [
        ("para", "标题"), ("para", "一、总体情况"),
        ("table", [[TCell("项目"), TCell("数量")], [TCell("a"), TCell("1")]]),
        ("para", "二、主动公开政府信息情况"), ("para", "落款")]


def test_table_of_contents_is_skipped():
    toc = ('<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/><w:docPartUnique/></w:docPartObj>'
           f'</w:sdtPr><w:sdtContent>{P("目录")}{P("一、总体情况", "1")}{P("二、主动公开政府信息情况", "2")}</w:sdtContent></w:sdt>')
    assert _paras(P("标题") + toc + P("一、总体情况")) == ["标题", "一、总体情况"]


def test_automatic_numbering_is_printed():
    numbering = (f'<w:numbering xmlns:w="{W_NS}">'
                 '<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
                 '<w:suff w:val="nothing"/><w:lvlText w:val="%1、"/></w:lvl>'
                 '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:suff w:val="nothing"/>'
                 '<w:lvlText w:val="（%2）"/></w:lvl>'
                 '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl></w:abstractNum>'
                 '<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="\uf0b7"/></w:lvl>'
                 '</w:abstractNum>'
                 '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
                 '<w:num w:numId="3"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="10"/>'
                 '</w:lvlOverride></w:num></w:numbering>')
    styles = (f'<w:styles xmlns:w="{W_NS}"><w:style w:type="paragraph" w:styleId="a"><w:name w:val="Normal"/></w:style>'
              '<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="a"/>'
              '<w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr></w:pPr></w:style>'
              '<w:style w:type="paragraph" w:styleId="MyHeading"><w:basedOn w:val="Heading2"/></w:style></w:styles>')

    def num(text: str, nid: int, ilvl: int = 0) -> str:
        return P(text, ppr=f'<w:pPr><w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{nid}"/></w:numPr></w:pPr>')

    def styled(text: str, style: str) -> str:
        return P(text, ppr=f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>')

    body = (num("总体情况", 1) + styled("主动公开情况", "Heading2") + styled("依申请公开情况", "MyHeading")
            + num("第一条", 1, 2) + num("第二条", 1, 2) + num("主动公开政府信息情况", 1) + styled("小节", "Heading2")
            + num("要点", 2) + num("十号", 3) + num("不编号", 0) + P("普通"))
    paras = _paras(body, extra={"word/numbering.xml": numbering, "word/styles.xml": styles})
    assert paras == ["一、总体情况", "（一）主动公开情况", "（二）依申请公开情况", "1. 第一条", "2. 第二条",
                     "二、主动公开政府信息情况", "（一）小节", "要点", "十、十号", "不编号", "普通"]
    # without numbering.xml the labels are simply not there
    assert _paras(num("总体情况", 1)) == ["总体情况"]


def test_strict_namespace_renamed_main_part_and_title_hint():
    core = ('<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>某局2023年政府信息公开工作年度报告</dc:title>'
            '</cp:coreProperties>')
    data = _docx(P("一、总体情况") + TBL(TR(TC("a", SPAN2), TC("1"))), ns=STRICT_NS, main="word/document2.xml",
                 extra={"docProps/core.xml": core})
    doc = parse_docx(data, "s.docx")
    assert doc.source_format == "docx" and doc.title_hint == "某局2023年政府信息公开工作年度报告"
    assert [b.kind for b in doc.blocks] == ["para", "table"] and doc.blocks[1].table == [[TCell("a", 2), TCell("1")]]


def test_empty_document_is_not_a_report():
    with pytest.raises(NotAReport, match="no text"):
        parse_docx(_docx("<w:p/>"), "e.docx")
    err = _failed("e.docx", _docx(P("会议纪要") + P("今天讨论了食堂菜单。")))
    assert "not an annual report" in err
