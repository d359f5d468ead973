"""Word .docx parsing (gongkai.parse.docx) and the synthetic DOCX rendering (gongkai.synth.render_docx).

Synthetic reports rendered by python-docx must parse to exactly the printed cells of the generator's
truth; hand-written document.xml strings pin the grid semantics (gridSpan, vMerge, gridBefore/After);
zip bombs, entities and files that are not .docx must become one-line failed reports, never exceptions.
"""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai.parse.document import TCell
from gongkai.parse.docx.body import MAX_PART, parse_docx
from gongkai.parse.errors import CorruptFile, FileTooLarge, NotAReport
from gongkai.report.read import parse_bytes
from gongkai.synth.evaluate import read_cell
from gongkai.synth.numbers import T3_NOTE
from gongkai.synth.report import DEFECTS, make_report

pytest.importorskip("docx", reason="python-docx renders the synthetic .docx files (pip install -e '.[test]')")
from gongkai.synth.render_docx import render_docx  # noqa: E402

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
STRICT_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>'
      '<Override PartName="/word/document.xml" '
      'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="{target}"/></Relationships>')


# --------------------------------------------------------------------------- helpers

def _zip(parts: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def _document(body: str, ns: str = W_NS, prolog: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{prolog}'
            f'<w:document xmlns:w="{ns}" '
            'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
            'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
            'xmlns:v="urn:schemas-microsoft-com:vml" '
            f'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"><w:body>{body}'
            '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>')


def _docx(body: str, extra: dict[str, str | bytes] | None = None, ns: str = W_NS, main: str = "word/document.xml") -> bytes:
    parts = {"[Content_Types].xml": CT, "_rels/.rels": RELS.format(target=main), main: _document(body, ns)}
    parts.update(extra or {})
    return _zip(parts)


def _blocks(body: str, **kw):
    return parse_docx(_docx(body, **kw), "t.docx").blocks


def _paras(body: str, **kw) -> list[str]:
    return [b.text for b in _blocks(body, **kw) if b.kind == "para"]


def _grid(body: str):
    tables = [b.table for b in _blocks(body) if b.kind == "table"]
    assert len(tables) == 1
    return tables[0]


def P(*runs: str, ppr: str = "") -> str:  # noqa: N802 - a paragraph of plain runs
    return f"<w:p>{ppr}" + "".join(f'<w:r><w:t xml:space="preserve">{t}</w:t></w:r>' for t in runs) + "</w:p>"


def TC(text: str = "", pr: str = "") -> str:  # noqa: N802
    return f"<w:tc><w:tcPr><w:tcW w:w=\"1000\" w:type=\"dxa\"/>{pr}</w:tcPr>{P(text) if text else '<w:p/>'}</w:tc>"


def TR(*cells: str, pr: str = "") -> str:  # noqa: N802
    return f"<w:tr>{f'<w:trPr>{pr}</w:trPr>' if pr else ''}{''.join(cells)}</w:tr>"


def TBL(*rows: str) -> str:  # noqa: N802
    return f'<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid/>{"".join(rows)}</w:tbl>'


def C(span: int = 1) -> TCell:  # noqa: N802 - a vMerge stand-in
    return TCell("", span, True)


SPAN2 = '<w:gridSpan w:val="2"/>'
RESTART = '<w:vMerge w:val="restart"/>'
CONT = "<w:vMerge/>"


def _failed(name: str, data: bytes):
    r = parse_bytes(name, data)
    assert r.status == "failed", (r.status, r.error)
    assert r.error and "\n" not in r.error and r.error.startswith(f"{name}: "), r.error
    assert "parser error" not in r.error, r.error     # an expected failure, not a caught bug
    assert r.source_format == "docx"
    return r.error


# --------------------------------------------------------------------------- synthetic reports

def _sample_reports():
    out = []
    for s in range(56):
        defects = [DEFECTS[s % len(DEFECTS)]]
        if s % 3 == 0:
            defects.append(DEFECTS[(s * 7 + 3) % len(DEFECTS)])
        if s % 4 == 1:
            defects = []
        out.append(make_report(s, f"测试县第{s}局" if s % 2 else f"宿城区{s}街道办事处", 2019 + s % 6, defects))
    out.append(make_report(99, "沭阳县发展和改革局", 2022, ["blank_org_columns", "fullwidth_digits", "dash_cell"]))
    out.append(make_report(7, "五星办事处", 2021, ["outdated_format", "text_cell"]))
    return out


@pytest.fixture(scope="module")
def rendered():
    return [(r, render_docx(r)) for r in _sample_reports()]


def test_synthetic_docx_parse_to_the_truth_cells(rendered):
    versions, defects, numbered = set(), set(), 0
    for r, data in rendered:
        rep = parse_bytes(f"{r.report_key}.docx", data)
        assert rep.source_format == "docx" and rep.error is None, rep.error
        assert (rep.agency, rep.year, rep.format_version) == (r.agency, r.year, r.version)
        assert rep.title == r.title
        assert rep.tables_present == r.tables_present
        assert [s.section_no for s in rep.sections if s.present] == [no for no, _, _ in r.sections]
        titles = {s.section_no: s.title for s in rep.sections if s.present}
        assert titles == {no: t for no, t, _ in r.sections}
        got = {f"{c.table_id}|{c.row_key}|{c.col_key}": (c.raw, c.semantic) for c in rep.cells}
        want = {k: ("" if raw is None else raw, read_cell(raw)[0]) for k, raw in r.truth_cells().items()}
        assert got == want, r.report_key
        assert rep.status == "parsed", rep.notes
        versions.add(r.version)
        defects.update(r.defects)
        numbered += b"chineseCounting" in zipfile.ZipFile(io.BytesIO(data)).read("word/numbering.xml")
    assert versions == {"2019", "2021"} and len(defects) == len(DEFECTS)
    assert numbered >= 3          # some documents number their headings with Word's automatic lists


def test_rendered_tables_are_merged_like_the_national_form(rendered):
    r, data = next((r, d) for r, d in rendered if r.version == "2021" and r.tables_present["t4"] and not r.relabel)
    tables = [b.table for b in parse_docx(data, "x.docx").blocks if b.kind == "table"]
    assert len(tables) == 3
    t2, t3, t4 = tables
    # 表三: the note merged 3×3, 申请人情况 across 7, 自然人/总计 vertically, 法人或其他组织 across 5
    assert t3[0] == [TCell(T3_NOTE, 3), TCell("申请人情况", 7)]
    assert t3[1] == [C(3), TCell("自然人"), TCell("法人或其他组织", 5), TCell("总计")]
    assert t3[2] == [C(3), C(1), TCell("商业企业"), TCell("科研机构"), TCell("社会公益组织"),
                     TCell("法律服务机构"), TCell("其他"), C(1)]
    assert t3[3][0] == TCell("一、本年新收政府信息公开申请数量", 3) and len(t3[3]) == 8
    assert t3[5][:2] == [TCell("三、本年度办理结果"), TCell("（一）予以公开", 2)]
    assert t3[7][:3] == [C(1), TCell("（三）不予公开"), TCell("1.属于国家秘密")]
    assert t3[8][:2] == [C(1), C(1)]
    # 表二: 第二十条 sub-headers merged across, one-column groups' values across 3 columns
    assert t2[0] == [TCell("第二十条第（一）项", 4)]
    assert [c.text for c in t2[1]] == ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    assert [(c.span, c.cont) for c in t2[-1]] == [(1, False), (3, False)]
    # 表四: a 3-row header
    assert t4[0] == [TCell("行政复议", 5), TCell("行政诉讼", 10)]
    assert [c.span for c in t4[1]] == [1] * 5 + [5, 5]
    assert t4[2][:5] == [C(1)] * 5 and len(t4[2]) == 15 and len(t4[3]) == 15


def test_rendering_is_deterministic_and_registered():
    from gongkai.synth.corpus import RENDERINGS

    r = make_report(3, "沭阳县发展和改革局", 2023, ["blank_cell"])
    assert render_docx(r) == render_docx(r)
    render, ext = RENDERINGS["docx"]
    assert ext == "docx" and render(r) == render_docx(r)
    z = zipfile.ZipFile(io.BytesIO(render_docx(r)))
    assert z.testzip() is None and "word/document.xml" in z.namelist()
    # a real Word document: python-docx reads it back, merged cells and all
    import docx

    d = docx.Document(io.BytesIO(render_docx(r)))
    assert len(d.tables) == 3 and d.tables[1].cell(0, 0).text == T3_NOTE
    assert d.tables[1].cell(2, 2)._tc is d.tables[1].cell(0, 0)._tc       # merged 3×3


# --------------------------------------------------------------------------- grid semantics

def test_grid_span_and_vertical_merge():
    grid = _grid(TBL(
        TR(TC("a", SPAN2 + RESTART), TC("b")),
        TR(TC("", SPAN2 + CONT), TC("c")),
        TR(TC("", SPAN2 + '<w:vMerge w:val="continue"/>'), TC("d", RESTART)),
        TR(TC("e"), TC("f"), TC("text ignored", CONT)),
    ))
    assert grid == [
        [TCell("a", 2), TCell("b")],
        [C(2), TCell("c")],
        [C(2), TCell("d")],
        [TCell("e"), TCell("f"), C(1)],
    ]


def test_grid_before_and_after_keep_the_geometry():
    grid = _grid(TBL(
        TR(TC("h1"), TC("h2"), TC("h3"), TC("h4")),
        TR(TC("x"), TC("1"), pr='<w:gridBefore w:val="1"/><w:gridAfter w:val="1"/>'),
        TR(TC("y"), TC("2"), pr='<w:gridAfter w:val="2"/>'),
        TR(TC("z"), pr='<w:gridBefore w:val="3"/>'),
        TR(TC("w"), pr='<w:gridBefore w:val="junk"/><w:gridAfter w:val="0"/>'),
    ))
    assert grid == [
        [TCell("h1"), TCell("h2"), TCell("h3"), TCell("h4")],
        [TCell(""), TCell("x"), TCell("1"), TCell("")],
        [TCell("y"), TCell("2"), TCell("", 2)],
        [TCell("", 3), TCell("z")],
        [TCell("w")],
    ]


def test_legacy_hmerge_and_bad_spans():
    grid = _grid(TBL(
        TR(TC("a", '<w:hMerge w:val="restart"/>'), TC("", "<w:hMerge/>"), TC("b")),
        TR(TC("c", '<w:gridSpan w:val="0"/>'), TC("d", '<w:gridSpan w:val="x"/>'), TC("e", '<w:gridSpan w:val="99999"/>')),
    ))
    assert grid == [[TCell("a", 2), TCell("b")], [TCell("c"), TCell("d"), TCell("e")]]


def test_cell_text_joins_lines_and_flattens_nested_tables():
    nested = TBL(TR(TC("甲"), TC("乙")), TR(TC("3"), TC("4")))
    grid = _grid(TBL(
        TR(f"<w:tc>{P('商业')}{P('企业')}</w:tc>", f"<w:tc>{P('1')}{P('2')}</w:tc>",
           f'<w:tc>{P("12")}<w:p><w:r><w:t>3</w:t><w:br/><w:t>4</w:t></w:r></w:p></w:tc>'),
        TR(f"<w:tc>{P('外')}{nested}<w:p/></w:tc>", TC("　１２　"), TC(" ")),
    ))
    assert grid == [[TCell("商业企业"), TCell("1 2"), TCell("12 3 4")],
                    [TCell("外甲乙3 4"), TCell("１２"), TCell("")]]


def test_rows_and_cells_inside_content_controls():
    grid = _grid(TBL(
        f"<w:sdt><w:sdtPr><w:alias w:val='rows'/></w:sdtPr><w:sdtContent>{TR(TC('a'), TC('1'))}</w:sdtContent></w:sdt>",
        TR(TC("b"), f"<w:sdt><w:sdtContent>{TC('2')}</w:sdtContent></w:sdt>"),
    ))
    assert grid == [[TCell("a"), TCell("1")], [TCell("b"), TCell("2")]]


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


# --------------------------------------------------------------------------- safety

def _raw_zip(entries: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip written by hand: (name, stored/deflated payload, method, crc, declared uncompressed size)."""
    out, central = io.BytesIO(), []
    for name, payload, method, crc, size in entries:
        offset = out.tell()
        fn = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(payload), size, len(fn), 0))
        out.write(fn)
        out.write(payload)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(payload),
                                   size, len(fn), 0, 0, 0, 0, 0, offset) + fn)
    start = out.tell()
    for c in central:
        out.write(c)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start, start, 0))
    return out.getvalue()


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def _zeros_deflated(megabytes: int) -> tuple[bytes, int]:
    """Raw deflate of `megabytes` MiB of zeros, built without holding them: after a full flush the
    compressor starts afresh, so every MiB compresses to the same bytes. Returns (payload, crc)."""
    mib = bytes(1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(mib) + c.flush(zlib.Z_FULL_FLUSH)
    assert c.compress(mib) + c.flush(zlib.Z_FULL_FLUSH) == block
    payload = block * megabytes + c.flush()
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(mib, crc)
    return payload, crc


def _base_entries(doc_xml: bytes | None = None) -> list:
    doc_xml = doc_xml if doc_xml is not None else _document(P("一、总体情况")).encode()
    out = []
    for name, data in (("[Content_Types].xml", CT.encode()), ("_rels/.rels", RELS.format(target="word/document.xml").encode()),
                       ("word/document.xml", doc_xml)):
        out.append((name, _deflate(data), 8, zlib.crc32(data), len(data)))
    return out


@pytest.fixture(scope="module")
def gigabyte_of_zeros():
    return _zeros_deflated(1024)


def test_zip_bomb_member_is_rejected_quickly_without_unpacking(gigabyte_of_zeros):
    payload, crc = gigabyte_of_zeros
    bomb = _raw_zip(_base_entries() + [("word/media/image1.png", payload, 8, crc, 1 << 30)])
    assert len(bomb) < 2 * 2**20 and zipfile.ZipFile(io.BytesIO(bomb)).getinfo("word/media/image1.png").file_size == 1 << 30
    tracemalloc.start()
    with pytest.raises(FileTooLarge, match="zip bomb"):
        parse_docx(bomb, "bomb.docx")
    err = _failed("bomb.docx", bomb)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 64 * 2**20, f"{peak / 2**20:.0f} MB allocated: the bomb was inflated"
    assert "1,024 MB" in err and "not unpacked" in err


def test_zip_bomb_as_the_document_part(gigabyte_of_zeros):
    payload, crc = gigabyte_of_zeros
    entries = _base_entries()[:2] + [("word/document.xml", payload, 8, crc, 1 << 30)]
    err = _failed("bomb2.docx", _raw_zip(entries))
    assert "more than the 100 MB limit" in err
    # a 40 MB part that compresses 1000:1 is a bomb too, even under the size limits
    forty, crc40 = _zeros_deflated(40)
    err = _failed("bomb3.docx", _raw_zip(_base_entries()[:2] + [("word/document.xml", forty, 8, crc40, 40 << 20)]))
    assert "zip bomb" in err


def test_lying_size_header_reads_no_more_than_declared(gigabyte_of_zeros):
    payload, crc = gigabyte_of_zeros                 # declares 2 kB, inflates to 1 GB
    entries = _base_entries()[:2] + [("word/document.xml", payload, 8, crc, 2048)]
    tracemalloc.start()
    err = _failed("liar.docx", _raw_zip(entries))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # reading stops at the part cap (MAX_PART, 50 MB, held at most twice while inflating), never the 1 GB
    assert peak < 2 * MAX_PART + 16 * 2**20, f"{peak / 2**20:.0f} MB allocated: the member was inflated past the cap"
    assert "damaged zip member word/document.xml" in err or "not well-formed" in err
    assert MAX_PART == 50 * 2**20


def test_too_many_members():
    entries = _base_entries() + [(f"word/media/{i}.bin", b"", 0, 0, 0) for i in range(10_001)]
    assert "more than 10000" in _failed("many.docx", _raw_zip(entries))


XXE = ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
       f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>一、总体情况&xxe;</w:t></w:r></w:p></w:body></w:document>')
LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i + 1} "{f"&lol{i};" * 10 if i else "&lol;" * 10}">' for i in range(9))
          + f']>\n<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>')


@pytest.mark.parametrize("xml", [XXE, LAUGHS], ids=["external-entity", "billion-laughs"])
def test_doctype_and_entities_are_rejected_unresolved(xml):
    data = _zip({"[Content_Types].xml": CT, "_rels/.rels": RELS.format(target="word/document.xml"), "word/document.xml": xml})
    with pytest.raises(CorruptFile, match="DOCTYPE"):
        parse_docx(data, "xxe.docx")
    err = _failed("xxe.docx", data)
    assert "root:" not in err and "lollol" not in err
    # UTF-16 hides the DOCTYPE from the byte check; the parsed tree's DOCTYPE is still refused
    utf16 = xml.replace('encoding="UTF-8"', 'encoding="UTF-16"').replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
    data16 = _zip({"_rels/.rels": RELS.format(target="word/document.xml"), "word/document.xml": utf16.encode("utf-16")})
    assert "DOCTYPE" in _failed("xxe16.docx", data16)


@pytest.fixture(scope="module")
def valid_docx():
    return render_docx(make_report(5, "泗阳县教育局", 2023, ["blank_cell"]))


def test_files_that_are_not_docx(valid_docx):
    assert "damaged or truncated zip archive" in _failed("cut.docx", valid_docx[: len(valid_docx) // 2])
    assert "damaged or truncated" in _failed("cut2.docx", valid_docx[:-30])
    import random

    noise = random.Random(1).randbytes(5000)
    assert "not a zip archive" in _failed("noise.docx", noise)
    assert "a PDF file" in _failed("p.docx", b"%PDF-1.7\n" + noise)
    assert "an HTML page" in _failed("h.docx", "<html><body>一、总体情况</body></html>".encode())
    assert "an RTF file" in _failed("r.docx", b"{\\rtf1\\ansi hello}")
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + noise
    assert "legacy binary Office file" in _failed("ole.docx", ole)
    err = _failed("old.docx", ole + "WordDocument".encode("utf-16-le") + noise)
    assert err == "old.docx: legacy Word .doc (binary OLE file) named .docx; open it in Word or WPS and save it as .docx"
    assert "legacy Excel .xls" in _failed("xls.docx", ole + "Workbook".encode("utf-16-le"))
    enc = ole + "EncryptedPackage".encode("utf-16-le") + noise
    assert "password-protected" in _failed("locked.docx", enc)
    assert "zip archive without word/document.xml" in _failed("z.docx", _zip({"a.txt": "hello"}))
    assert "OpenDocument .odt" in _failed("o.docx", _zip({"mimetype": "application/vnd.oasis.opendocument.text",
                                                          "content.xml": "<x/>"}))
    assert "not well-formed XML" in _failed("bad.docx", _zip({"word/document.xml": "<w:document><w:body>"}))
    err = _failed("wrongroot.docx", _zip({"word/document.xml": f'<w:styles xmlns:w="{W_NS}"/>'}))
    assert "<styles>, not a Word document" in err


def test_xlsx_renamed_docx():
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "一、总体情况"
    buf = io.BytesIO()
    wb.save(buf)
    err = _failed("book.docx", buf.getvalue())
    assert err == "book.docx: not a Word .docx file (an Excel workbook); open it in Word or WPS and save it as .docx"


def _mutate(data: bytes, edits: list[tuple[int, int]], cut: int | None) -> bytes:
    out = bytearray(data)
    for pos, byte in edits:
        out[pos % len(out)] = byte
    return bytes(out[:cut] if cut else out)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 10**7), st.integers(0, 255)), min_size=1, max_size=6),
       cut=st.none() | st.integers(1, 10**5))
def test_random_mutations_never_escape(valid_docx, edits, cut):
    data = _mutate(valid_docx, edits, cut)
    r = parse_bytes("m.docx", data)
    assert r.status in ("parsed", "partial", "failed")
    if r.status == "failed":
        assert r.error and "\n" not in r.error and r.error.startswith("m.docx: ")
        assert "parser error" not in r.error, r.error


@pytest.fixture(scope="module")
def valid_parts(valid_docx):
    z = zipfile.ZipFile(io.BytesIO(valid_docx))
    return {i.filename: z.read(i) for i in z.infolist()}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 10**7), st.sampled_from(b'<>/"=& \x00wWpPtrc:01\xe4\xb8\x80')),
                      min_size=1, max_size=6),
       part=st.sampled_from(["word/document.xml", "_rels/.rels", "word/numbering.xml", "docProps/core.xml", "word/styles.xml"]))
def test_mutated_xml_inside_a_valid_zip_never_escapes(valid_parts, edits, part):
    parts = dict(valid_parts)
    parts[part] = _mutate(parts[part], edits, None)
    r = parse_bytes("x.docx", _zip(parts))
    assert r.status in ("parsed", "partial", "failed")
    if r.status == "failed":
        assert r.error and "\n" not in r.error and "parser error" not in r.error, r.error
