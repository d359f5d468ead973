"""Generated PDF reports (gongkai.synth.render_pdf) and what the PDF parser makes of them.

The rendering must carry the hard parts of real government PDFs — tables that break across pages
(表三's header repeated or not), row labels and column headers wrapped over several lines, the
vertical 三、本年度办理结果 header stacked one character a line, page numbers and running headers
between two rows of a table in text order, numbers centred in tall cells so that they print above
a wrapped label's last line — and the parser must still read every printed cell exactly as the
generator's truth, and keep the running headers and footers out of the section text.
"""

from __future__ import annotations

import importlib.util
import io
import random
import re
import unicodedata
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from gongkai.parse.pdf.layout import parse_pdf
from gongkai.parse.pdf.model import cluster_lines
from gongkai.parse.pdf.read import read_pages
from gongkai.report.read import parse_bytes
from gongkai.synth.evaluate import read_cell
from gongkai.synth.pdf_text import FONT, font
from gongkai.synth.render_pdf import render_pdf
from gongkai.synth.report import DEFECTS, make_report

ROOT = Path(__file__).resolve().parents[2]
_PAGE_NO = re.compile(r"^[-—\s]*(第\s*)?\d+(\s*页)?[-—\s]*$")


def _sample_reports():
    out = []
    for s in range(22):
        defects = [DEFECTS[s % len(DEFECTS)]]
        if s % 3 == 0:
            defects.append(DEFECTS[(s * 5 + 2) % len(DEFECTS)])
        if s % 5 == 4:
            defects = []
        agency = ("宿城区人民政府", f"测试县第{s}局", "淮安市洪泽区人民政府办公室", f"沭阳县{s}街道办事处")[s % 4]
        out.append(make_report(100 + s, agency, 2019 + s % 7, defects))
    return out


def _compact(text: str | None) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text or ""))


def _features(data: bytes) -> dict:
    """What the PDF shows, read back from its text layer (characters and their boxes)."""
    pages = read_pages(data, "x.pdf")
    lines = [cluster_lines(p.glyphs) for p in pages]
    texts = [[_compact(ln.text) for ln in page] for page in lines]

    def pages_with(s: str) -> list[int]:
        s = _compact(s)
        return [i for i, page in enumerate(texts) if any(s in t for t in page)]

    f: dict = {}
    first, last = pages_with("一、本年新收"), pages_with("四、结转下")
    f["t3_across_pages"] = bool(first and last and last[-1] > first[0])
    f["t3_header_repeated"] = len(pages_with("申请人情况")) >= 2
    f["page_numbers"] = sum(any(_PAGE_NO.match(ln.text) for ln in page) for page in lines) >= len(pages) - 1
    # a line at the same place in the top band of several pages
    tops: dict[tuple[str, int], set[int]] = {}
    for p, page in zip(pages, lines):
        for ln in page:
            if ln.bottom - p.offset < 0.12 * p.height:
                tops.setdefault((_compact(ln.text), round(ln.top - p.offset)), set()).add(p.no)
    f["running_header"] = next((t for (t, _), seen in tops.items() if len(seen) >= 2), None)
    label = "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    f["label_wrapped"] = bool(pages_with("（二）部分公开")) and not pages_with(label)
    # the vertical header: 本 / 年 / 度 stacked in one column, one character a line
    f["vertical_header"] = False
    for p in pages:
        gl = {g.ch: [] for g in p.glyphs}
        for g in p.glyphs:
            gl[g.ch].append(g)
        for ben in gl.get("本", []):
            below = [g for g in gl.get("年", []) if abs(g.cx - ben.cx) < 1 and 0 < g.top - ben.top < 2.5 * ben.h]
            if below and any(abs(g.cx - ben.cx) < 1 and 0 < g.top - below[0].top < 2.5 * ben.h for g in gl.get("度", [])):
                f["vertical_header"] = True
    # numbers of a wrapped row printed above the label's last line
    f["number_above_label_end"] = False
    for p, page in zip(pages, lines):
        start = [ln for ln in page if _compact("（二）部分公开") in _compact(ln.text)]
        end = [ln for ln in page if _compact("其他情形）") in _compact(ln.text)]
        if start and end and end[0].top > start[0].top:
            label_right = max(g.x1 for g in start[0].glyphs if g.ch in "（二）部分公开")
            nums = [g for g in p.glyphs if g.ch.isdigit() and g.x0 > label_right + 2
                    and start[0].top - 1 <= g.cy <= end[0].bottom]
            end_top = min(g.top for g in end[0].glyphs if g.x1 <= label_right + 200 and not g.ch.isdigit())
            f["number_above_label_end"] = bool(nums) and all(g.cy < end_top for g in nums)
    f["pages"] = len(pages)
    return f


@pytest.fixture(scope="module")
def rendered():
    return [(r, render_pdf(r)) for r in _sample_reports()]


@pytest.fixture(scope="module")
def features(rendered):
    return [_features(data) for _, data in rendered]


def test_generated_pdfs_parse_to_the_truth_cells(rendered):
    versions, defects = set(), set()
    for r, data in rendered:
        rep = parse_bytes(f"{r.report_key}.pdf", data)
        assert rep.source_format == "pdf" and rep.error is None, rep.error
        assert (rep.agency, rep.year, rep.format_version) == (r.agency, r.year, r.version)
        assert rep.title == r.title
        assert rep.tables_present == r.tables_present
        assert [s.section_no for s in rep.sections if s.present] == [no for no, _, _ in r.sections]
        got = {f"{c.table_id}|{c.row_key}|{c.col_key}": (c.raw, c.semantic) for c in rep.cells}
        want = {k: ("" if raw is None else raw, read_cell(raw)[0]) for k, raw in r.truth_cells().items()}
        assert got == want, r.report_key
        assert rep.status == "parsed", rep.notes
        versions.add(r.version)
        defects.update(r.defects)
    assert versions == {"2019", "2021"} and defects == set(DEFECTS)


def test_the_hard_parts_of_real_pdfs_are_in_the_sample(rendered, features):
    """Each quirk of the real PDFs occurs in the sample (and the test above reads them all right)."""
    assert all(f["pages"] >= 3 and f["page_numbers"] for f in features)
    for quirk in ("t3_across_pages", "t3_header_repeated", "running_header", "label_wrapped", "vertical_header",
                  "number_above_label_end"):
        assert sum(bool(f[quirk]) for f in features) >= 2, quirk
    # a table whose continuation follows a page number and the next page's running header
    assert any(f["t3_across_pages"] and f["running_header"] for f in features)


def test_sections_are_the_generated_text_without_running_headers(rendered, features):
    checked = 0
    for (r, data), f in zip(rendered, features):
        rep = parse_bytes(f"{r.report_key}.pdf", data)
        got = {s.section_no: s for s in rep.sections if s.present}
        for no, title, text in r.sections:
            assert _compact(got[no].title) == _compact(title)
            if no < 6:
                assert _compact(got[no].text) == _compact(text), (r.report_key, no)
            else:  # the signature (agency, date) follows the last section
                assert _compact(got[no].text).startswith(_compact(text))
        if f["running_header"]:
            checked += 1
            assert all(f["running_header"] not in _compact(s.text) for s in got.values())
            assert not any(_compact(b.text) == f["running_header"] for b in parse_pdf(data, "x.pdf").blocks
                           if b.kind == "para" and b.text != rep.title)
    assert checked >= 3


def _furnished_pdf() -> bytes:
    """Three pages of prose with a running header, a running footer with the page number, and a line
    that sits once at the header's place (page 3's first line of text)."""
    from reportlab.pdfgen import canvas

    font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595.2756, 841.8898), invariant=1)
    para = "本机关严格落实政府信息公开工作要求，及时准确公开各类政府信息，主动回应社会关切。" * 3
    for page in range(1, 4):
        c.setFont(FONT, 9)
        if page < 3:
            c.drawString(200, 841.89 - 40, "示范县教育局2023年政府信息公开工作年度报告")
        else:
            c.drawString(90, 841.89 - 40, "附件：示范县教育局政府信息公开工作年度报告统计表")
        c.drawString(90, 60, f"示范县教育局 第 {page} 页 共 3 页")
        c.setFont(FONT, 16)
        y = 841.89 - 110
        if page == 1:
            c.drawString(160, y, "示范县教育局2023年政府信息公开工作年度报告".replace("2023", "2023 "))
            y -= 50
            c.drawString(90 + 32, y, "一、总体情况")
            y -= 30
        for k in range(0, len(para), 28):
            c.drawString(90 if k else 122, y, para[k:k + 28])
            y -= 28
        c.showPage()
    c.save()
    return buf.getvalue()


def test_running_headers_and_footers_are_dropped_but_a_one_off_line_is_kept():
    paras = [b.text for b in parse_pdf(_furnished_pdf(), "f.pdf").blocks if b.kind == "para"]
    text = "\n".join(paras)
    title = "示范县教育局2023年政府信息公开工作年度报告"
    assert [p.replace(" ", "") for p in paras].count(title) == 1     # the title; the running header is gone
    assert paras[0].replace(" ", "") == title and paras[1] == "一、总体情况"
    assert "页" not in text                                         # the footer with its page number
    assert "附件：示范县教育局政府信息公开工作年度报告统计表" in paras  # printed once at that place: kept


def test_a_continued_part_takes_the_columns_of_the_first_part():
    """表二's 行政强制 row alone on the next page draws two cells; in the table it spans 1 + 3 columns.
    A one-row grid of three cells or more (表三's last row alone on a page) is a grid; of two, not."""
    from gongkai.parse.document import TCell
    from gongkai.parse.pdf.grid import grids
    from gongkai.parse.pdf.layout import respan
    from gongkai.parse.pdf.model import Seg

    rows = [[TCell("行政强制"), TCell("7")]]
    assert respan(rows, (10.0, 100.0, 300.0), (10.0, 100.0, 166.0, 233.0, 300.0)) == [[TCell("行政强制"), TCell("7", 3)]]
    assert respan(rows, (10.0, 120.0, 300.0), (10.0, 100.0, 166.0, 233.0, 300.0)) == rows   # not its boundary
    row = [Seg(50.0, 10.0, 300.0), Seg(70.0, 10.0, 300.0)]
    assert len(grids(row, [Seg(x, 50.0, 70.0) for x in (10.0, 100.0, 200.0, 300.0)])) == 1
    assert grids(row, [Seg(x, 50.0, 70.0) for x in (10.0, 100.0, 300.0)]) == []


def test_rendering_is_deterministic_and_registered(tmp_path):
    from gongkai.synth.corpus import RENDERINGS, write_corpus

    r = make_report(3, "沭阳县发展和改革局", 2023, ["blank_cell"])
    data = render_pdf(r)
    assert data == render_pdf(r) and data.startswith(b"%PDF-")
    assert data != render_pdf(make_report(4, "沭阳县发展和改革局", 2023, ["blank_cell"]))
    render, ext = RENDERINGS["pdf"]
    assert ext == "pdf" and render(r) == data
    truth = write_corpus(tmp_path / "c", 1, [2022, 2023], ["pdf"], seed=2)
    files = sorted(p.name for p in (tmp_path / "c").glob("*.pdf"))
    assert len(files) == 2 and len(truth.read_text(encoding="utf-8").splitlines()) == 2
    assert all(len(pdfium.PdfDocument((tmp_path / "c" / f).read_bytes())) >= 3 for f in files)


def test_fuzz_includes_a_generated_pdf_and_its_mutants_never_crash():
    spec = importlib.util.spec_from_file_location("gongkai_fuzz", ROOT / "bench" / "fuzz.py")
    fuzz = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fuzz)
    seeds = dict(fuzz.seeds())
    assert "synth.pdf" in seeds and seeds["synth.pdf"].startswith(b"%PDF-")
    rng = random.Random(7)
    for _ in range(25):
        r = parse_bytes("synth.pdf", fuzz.mutate(seeds["synth.pdf"], rng))
        assert r.status in ("parsed", "partial", "failed")
        assert "parser error" not in (r.error or ""), r.error


def test_without_ruling_lines_cells_are_exact_or_unread(rendered):
    """The text-position reading (a PDF whose tables have no ruling lines, forced here with
    use_rulings=False) stores every printed cell as printed or as `unread` (our misread) — never
    another value, never blank for a printed value — and a report with an unread cell is partial.
    It reads nearly all of them (≥ 99 % of the sample's cells; bench-accuracy's pdf_norules measures
    the same on PDFs drawn without rulings)."""
    from gongkai.report import structure

    exact = total = 0
    for r, data in rendered:
        rep = structure.assemble(parse_pdf(data, "x.pdf", use_rulings=False), "x", "x.pdf")
        got = {f"{c.table_id}|{c.row_key}|{c.col_key}": c for c in rep.cells}
        unread = 0
        for key, raw in r.truth_cells().items():
            c = got[key]
            total += 1
            if c.semantic == "unread":
                assert c.raw is None and c.value is None
                unread += 1
            else:
                assert (c.semantic, c.value) == read_cell(raw) and c.raw == ("" if raw is None else raw), (r.report_key, key)
                exact += 1
        assert (rep.status == "partial") == bool(unread), (r.report_key, rep.notes)
    assert exact / total >= 0.99, exact / total
