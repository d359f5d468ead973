"""Word .docx parsing (gongkai.parse.docx) and the synthetic DOCX rendering (gongkai.synth.render_docx).

Synthetic reports rendered by python-docx must parse to exactly the printed cells of the generator's
truth, their tables merged like the national form; the rendering is deterministic and registered.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from docx_support import C

from gongkai.parse.document import TCell
from gongkai.parse.docx.body import parse_docx
from gongkai.report.read import parse_bytes
from gongkai.synth.evaluate import read_cell
from gongkai.synth.numbers import T3_NOTE
from gongkai.synth.report import DEFECTS, make_report

pytest.importorskip("docx", reason="python-docx renders the synthetic .docx files (pip install -e '.[test]')")
from gongkai.synth.render_docx import render_docx  # noqa: E402

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
