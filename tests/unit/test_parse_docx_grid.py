"""Word .docx parsing (gongkai.parse.docx), table grids: hand-written document.xml strings pin the grid
semantics (gridSpan, vMerge, gridBefore/After, legacy hMerge, cell text, nested tables, content controls)."""

from __future__ import annotations

from docx_support import SPAN2, TBL, TC, TR, C, P, _blocks

from gongkai.parse.document import TCell

RESTART = '<w:vMerge w:val="restart"/>'
CONT = "<w:vMerge/>"


def _grid(body: str):
    tables = [b.table for b in _blocks(body) if b.kind == "table"]
    assert len(tables) == 1
    return tables[0]


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
