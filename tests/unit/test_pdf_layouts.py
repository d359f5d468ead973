"""PDF layouts beyond the default rendering (issue 10 item 2): each is a rendering of the generator
(render_pdf(r, style), registered as pdf_<style>) and the parser must read its tables exactly as the
generator's truth. Every test first checks that the generated PDFs really show the layout (read back
from the PDF's text layer and drawings, not from the generator's settings), then parses them."""

from __future__ import annotations

import re
from functools import cache

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from gongkai.parse.pdf.grid import grids, text_runs
from gongkai.parse.pdf.model import cluster_lines
from gongkai.parse.pdf.read import read_pages
from gongkai.report.read import parse_bytes
from gongkai.synth.corpus import RENDERINGS
from gongkai.synth.evaluate import read_cell
from gongkai.synth.render_pdf import STYLES, render_pdf
from gongkai.synth.report import DEFECTS, make_report

N = 3  # reports per layout: both format versions, a defect included


@cache
def _reports() -> tuple:
    out = []
    for s in range(N):
        agency = ("宿城区人民政府", f"测试县第{s}局", "淮安市洪泽区人民政府办公室", f"沭阳县{s}街道办事处")[s]
        defects = [DEFECTS[(3 * s) % len(DEFECTS)]] if s % 2 else []
        out.append(make_report(700 + s, agency, (2019, 2021, 2020, 2023)[s], defects))
    return tuple(out)


@cache
def _rendered(style: str) -> tuple:
    return tuple((r, render_pdf(r, style)) for r in _reports())


def _table_grids(data: bytes, marker: str) -> list:
    """(page, grid) of each ruled grid holding `marker` (a header text of the table)."""
    out = []
    for page in read_pages(data, "x.pdf"):
        for g in grids(page.hsegs, page.vsegs):
            x0, y0, x1, y1 = g.bbox
            inside = "".join(gl.ch for gl in page.glyphs if x0 <= gl.cx <= x1 and y0 <= gl.cy <= y1)
            if marker in re.sub(r"\s", "", inside):
                out.append((page, g))
    return out


def _page_of(pages: list, text: str) -> int:
    return next(p.no for p in pages if any(text in re.sub(r"\s", "", ln.text) for ln in cluster_lines(p.glyphs)))


def _stroked_verticals(data: bytes) -> int:
    """Vertical stroked path segments in the document (rulings drawn as lines)."""
    import ctypes

    doc = pdfium.PdfDocument(data)
    n = 0
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    x, y = ctypes.c_float(), ctypes.c_float()
    for page in doc:
        for k in range(pdfium_c.FPDFPage_CountObjects(page.raw)):
            obj = pdfium_c.FPDFPage_GetObject(page.raw, k)
            if pdfium_c.FPDFPageObj_GetType(obj) != pdfium_c.FPDF_PAGEOBJ_PATH:
                continue
            pdfium_c.FPDFPath_GetDrawMode(obj, fill, stroke)
            if not stroke.value:
                continue
            pts = []
            for s in range(pdfium_c.FPDFPath_CountSegments(obj)):
                pdfium_c.FPDFPathSegment_GetPoint(pdfium_c.FPDFPath_GetPathSegment(obj, s), x, y)
                pts.append((x.value, y.value))
            n += sum(1 for a, b in zip(pts, pts[1:]) if abs(a[0] - b[0]) < 0.5 and abs(a[1] - b[1]) > 2)
    return n


def _assert_exact(style: str) -> None:
    for r, data in _rendered(style):
        rep = parse_bytes(f"{r.report_key}_{style}.pdf", data)
        assert rep.error is None and (rep.agency, rep.year, rep.format_version) == (r.agency, r.year, r.version)
        got = {f"{c.table_id}|{c.row_key}|{c.col_key}": (c.raw, c.semantic) for c in rep.cells}
        want = {k: ("" if raw is None else raw, read_cell(raw)[0]) for k, raw in r.truth_cells().items()}
        assert got == want, (style, r.report_key, {k: (got.get(k), v) for k, v in want.items() if got.get(k) != v})
        assert rep.status == "parsed", rep.notes


def test_every_layout_is_a_registered_rendering():
    r = _reports()[0]
    default = render_pdf(r)
    for style in STYLES:
        render, ext = RENDERINGS[f"pdf_{style}"]
        assert ext == "pdf" and render(r) == _rendered(style)[0][1] != default
    with pytest.raises(ValueError):
        render_pdf(_reports()[0], "no-such-layout")


def test_overflowing_header_and_label_text():
    """Label and header lines run over their cell's ruling into the next cell (a run of text crosses a
    column boundary of its grid by more than half a character) and are read as printed."""
    crossing = 0
    for _, data in _rendered("overflow"):
        for page in read_pages(data, "x.pdf"):
            for g in grids(page.hsegs, page.vsegs):
                x0, y0, x1, y1 = g.bbox
                inside = [gl for gl in page.glyphs if x0 <= gl.cx <= x1 and y0 <= gl.cy <= y1]
                for run in text_runs(inside):
                    a, b = run[0].x0, run[-1].x1
                    size = run[0].x1 - run[0].x0
                    crossing += any(a + 0.5 * size < x < b - 0.5 * size for x in g.xs[1:-1])
    assert crossing >= 3 * N
    _assert_exact("overflow")


def test_spanning_header_cells_drawn_as_separate_cells():
    """申请人情况 and 行政复议 sit in grids that draw every header cell on its own (no merged cell
    under the group label's text), and the tables are read as printed."""
    checked = 0
    for _, data in _rendered("split"):
        for marker in ("申请人情况", "行政复议"):
            found = _table_grids(data, marker)
            if not found:
                continue
            checked += 1
            page, g = found[0]
            label = [gl for gl in page.glyphs if gl.ch == marker[0] and g.bbox[1] <= gl.cy <= g.bbox[3]
                     and g.bbox[0] <= gl.cx <= g.bbox[2]][0]
            i = max(k for k, y in enumerate(g.ys) if y <= label.cy)
            assert all(g.cells[(i, j)][2] == g.cells[(i, j)][3] for j in range(len(g.xs) - 1)), marker
    assert checked >= N
    _assert_exact("split")


def test_t2_as_one_four_column_grid():
    """表二 is one grid of four columns without a merged cell; a group with one value column leaves
    the columns after it empty."""
    seen = 0
    for r, data in _rendered("t2grid"):
        found = _table_grids(data, "第二十条")
        assert found, r.report_key
        for _, g in found:
            assert len(g.xs) == 5 and all(c[0] == c[1] and c[2] == c[3] for c in g.cells.values())
            seen += 1
    assert seen >= N
    _assert_exact("t2grid")


def test_cells_drawn_as_filled_rectangles():
    """No table ruling is a stroked line (both variants: tinted cells with white gaps, white cells on a
    dark frame); the grids come from the rectangles' sides."""
    for _, data in _rendered("filled"):
        assert _stroked_verticals(data) == 0
        assert _table_grids(data, "申请人情况") or _table_grids(data, "第二十条")
    _assert_exact("filled")


def test_t3_header_at_the_foot_of_a_page():
    """表三's header rows end one page; its first row (一、本年新收…) starts the next."""
    for r, data in _rendered("t3break"):
        if not r.tables_present["t3"]:
            continue
        pages = read_pages(data, "x.pdf")
        assert _page_of(pages, "一、本年新收") == _page_of(pages, "申请人情况") + 1, r.report_key
    _assert_exact("t3break")


def test_tables_without_rulings():
    """No table draws a ruling (the only strokes are a running header's rule, horizontal): the tables
    are read from text positions; every cell is as printed or `unread` (our misread: never another
    value, never blank for a printed value; the report is then partial), and these reports are read
    whole."""
    for _, data in _rendered("norules"):
        assert _stroked_verticals(data) == 0
        assert all(not page.vsegs and len(page.hsegs) <= 1 for page in read_pages(data, "x.pdf"))
    _assert_exact("norules")


def test_text_positions_never_store_a_wrong_value():
    """Over more generated reports (defects included: columns printed blank, text in value cells), a
    cell read from text positions is as printed or unread, and a report with an unread cell is partial."""
    exact = total = 0
    for s in range(5):
        r = make_report(900 + s, f"测试县第{s}局", 2019 + s % 6, [DEFECTS[s % len(DEFECTS)]] if s % 2 else [])
        rep = parse_bytes(f"{r.report_key}.pdf", render_pdf(r, "norules"))
        got = {f"{c.table_id}|{c.row_key}|{c.col_key}": c for c in rep.cells}
        unread = 0
        for key, raw in r.truth_cells().items():
            total += 1
            if got[key].semantic == "unread":
                unread += 1
            else:
                assert (got[key].raw, got[key].semantic) == ("" if raw is None else raw, read_cell(raw)[0]), key
                exact += 1
        assert (rep.status == "partial") == bool(unread), rep.notes
    assert exact / total >= 0.98
