"""PDF reports with a text layer (gongkai.parse.pdf) on the three real PDFs of the corpus.

Expected values were verified by hand, by reading the rendered pages (pypdfium2 renders of the table
pages, checked by eye) and the PDF's text layer:

* 淮安 2024 (huaian_city_2024.pdf): every cell of 表二, 表三 (all 25 rows × 7 columns) and 表四 — pages
  3–5 rendered and read; 表二 also against the text layer.
* 洪泽 2023: 表二 (text layer), 表三 all rows (pages 3–4 rendered), 表四 (page 4 rendered: the printed
  row really is 10 1 0 0 0 | 0 0 0 0 0 | 5 0 0 0 0 — its 复议 总计 0 beside 维持 10 is on the page,
  not a text-layer garble; the parser reports what is printed).
* 洪泽 2024: 表二 (text layer), 表三 rows 一 … （四）1 (page 3 rendered) and the rest from the text
  layer, 表四 (page 4 rendered: 1 1 0 0 2 / 1 0 0 0 1 / 2 0 1 0 3).

The 洪泽 reports print 2021 labels with a single （六）其他处理 row (the "mixed case"; page 4 of both
rendered: the row reads 0 0 0 0 0 0 0). The mapper stores that row as printed under its 2019 key
`y2019_other_processing`, stores the three 2021 sub-rows as not printed (blank, raw NULL, named in the
notes) and the report is `parsed`; the checks add （六） to （七）总计 through the single row and report the
layout once as FORMAT_OUTDATED (tests/test_mixed_format.py covers the case on hand-written reports).
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai.parse.pdf.layout import parse_pdf
from gongkai.report import structure
from gongkai.report.read import parse_bytes

FIX = Path(__file__).parents[1] / "fixtures" / "pdf"
HUAIAN = FIX / "huaian_city_2024.pdf"
HZ23 = FIX / "hongze_district_2023.pdf"
HZ24 = FIX / "hongze_district_2024.pdf"

T3_COLS = ("natural_person", "commercial", "research", "social_welfare", "legal_services", "other_org", "total")
T4_COLS = tuple(f"{g}_{o}" for g in ("review", "suit_direct", "suit_after_review")
                for o in ("upheld", "corrected", "other", "pending", "total"))
SUB_ROWS_2021 = ("other_no_correction", "other_no_fee", "other_other")

# 表三 of 淮安 2024 as printed (pages 4–5), rows in template order
HUAIAN_T3 = {
    "new_received": (3001, 53, 0, 0, 61, 4, 3119),
    "carried_over": (34, 0, 0, 0, 0, 0, 34),
    "granted": (1288, 21, 0, 0, 50, 3, 1362),
    "partially_granted": (447, 7, 0, 0, 0, 0, 454),
    "denied_state_secret": (2, 0, 0, 0, 0, 0, 2),
    "denied_prohibited_by_law": (30, 1, 0, 0, 0, 0, 31),
    "denied_three_safety_one_stability": (5, 0, 0, 0, 0, 0, 5),
    "denied_third_party_rights": (6, 0, 0, 0, 0, 0, 6),
    "denied_internal_affairs": (7, 1, 0, 0, 0, 0, 8),
    "denied_process_info": (12, 0, 0, 0, 0, 0, 12),
    "denied_enforcement_case_file": (9, 0, 0, 0, 0, 0, 9),
    "denied_administrative_inquiry": (105, 0, 0, 0, 0, 0, 105),
    "unavailable_not_held": (746, 12, 0, 0, 10, 1, 769),
    "unavailable_needs_creation": (11, 0, 0, 0, 0, 0, 11),
    "unavailable_still_unclear": (1, 0, 0, 0, 0, 0, 1),
    "not_processed_petition": (56, 6, 0, 0, 0, 0, 62),
    "not_processed_duplicate": (25, 0, 0, 0, 0, 0, 25),
    "not_processed_publication": (0, 0, 0, 0, 0, 0, 0),
    "not_processed_excessive": (0, 0, 0, 0, 0, 0, 0),
    "not_processed_confirmation": (1, 0, 0, 0, 0, 0, 1),
    "other_no_correction": (67, 3, 0, 0, 1, 0, 71),
    "other_no_fee": (6, 0, 0, 0, 0, 0, 6),
    "other_other": (108, 2, 0, 0, 0, 0, 110),
    "processed_total": (2932, 53, 0, 0, 61, 4, 3050),
    "carried_forward": (103, 0, 0, 0, 0, 0, 103),
}

# 洪泽: only 自然人 and 总计 are non-zero anywhere; (自然人 = 总计) per row, rows not listed are all 0
HZ23_T3_NONZERO = {"new_received": 21, "partially_granted": 4, "denied_state_secret": 1, "denied_process_info": 1,
                   "denied_enforcement_case_file": 1, "unavailable_not_held": 10, "unavailable_needs_creation": 3,
                   "not_processed_petition": 1, "processed_total": 21}
HZ24_T3_NONZERO = {"new_received": 95, "granted": 50, "partially_granted": 9, "denied_three_safety_one_stability": 1,
                   "denied_process_info": 1, "denied_enforcement_case_file": 1, "unavailable_not_held": 31,
                   "unavailable_needs_creation": 1, "not_processed_petition": 1, "processed_total": 95}

T2 = {
    HUAIAN: {("regulations", "issued"): 1, ("regulations", "repealed"): 0, ("regulations", "in_force"): 11,
             ("normative_docs", "issued"): 8, ("normative_docs", "repealed"): 26, ("normative_docs", "in_force"): 66,
             ("licensing", "decisions"): 447228, ("penalty", "decisions"): 3985758, ("coercion", "decisions"): 88283,
             ("fees", "amount"): 96171.6},
    HZ23: {("regulations", "issued"): 0, ("regulations", "repealed"): 0, ("regulations", "in_force"): 0,
           ("normative_docs", "issued"): 0, ("normative_docs", "repealed"): 5, ("normative_docs", "in_force"): 5,
           ("licensing", "decisions"): 550, ("penalty", "decisions"): 4119, ("coercion", "decisions"): 195,
           ("fees", "amount"): 7730.28},
    HZ24: {("regulations", "issued"): 0, ("regulations", "repealed"): 0, ("regulations", "in_force"): 0,
           ("normative_docs", "issued"): 3, ("normative_docs", "repealed"): 0, ("normative_docs", "in_force"): 8,
           ("licensing", "decisions"): 9487, ("penalty", "decisions"): 2776, ("coercion", "decisions"): 84,
           ("fees", "amount"): 7545},
}
T4 = {
    HUAIAN: (72, 64, 178, 37, 351, 13, 4, 8, 1, 26, 12, 1, 1, 6, 20),
    HZ23: (10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0),  # as printed (inconsistent on the page itself)
    HZ24: (1, 1, 0, 0, 2, 1, 0, 0, 0, 1, 2, 0, 1, 0, 3),
}
META = {
    HUAIAN: ("淮安市人民政府", 2024, "parsed"),
    HZ23: ("洪泽区人民政府", 2023, "parsed"),
    HZ24: ("淮安市洪泽区人民政府", 2024, "parsed"),
}


def _parse(path: Path):
    return parse_bytes(path.name, path.read_bytes())


def _values(report, table_id: str) -> dict[tuple[str, str], float | None]:
    return {(c.row_key, c.col_key): c.value for c in report.cells if c.table_id == table_id}


@pytest.fixture(scope="module")
def reports():
    return {p: _parse(p) for p in (HUAIAN, HZ23, HZ24)}


@pytest.mark.parametrize("path,totals", [(HUAIAN, (3119, 3050, 103)), (HZ23, (21, 21, 0)), (HZ24, (95, 95, 0))])
def test_hand_checked_totals(reports, path, totals):
    r = reports[path]
    t3 = _values(r, "t3")
    assert (t3[("new_received", "total")], t3[("processed_total", "total")], t3[("carried_forward", "total")]) == totals


@pytest.mark.parametrize("path", [HUAIAN, HZ23, HZ24])
def test_title_sections_tables(reports, path):
    r = reports[path]
    agency, year, status = META[path]
    assert (r.agency, r.year, r.status, r.source_format, r.format_version) == (agency, year, status, "pdf", "2021")
    assert r.error is None
    assert [s.section_no for s in r.sections if s.present] == [1, 2, 3, 4, 5, 6]
    assert r.tables_present == {"t2": True, "t3": True, "t4": True}
    assert len(r.cells) == (200 if path == HUAIAN else 207)  # 洪泽: + the single （六）其他处理 row


def test_huaian_every_t3_cell(reports):
    t3 = _values(reports[HUAIAN], "t3")
    got = {row: tuple(t3[(row, c)] for c in T3_COLS) for row in HUAIAN_T3}
    assert got == HUAIAN_T3
    assert reports[HUAIAN].notes == []


@pytest.mark.parametrize("path,nonzero", [(HZ23, HZ23_T3_NONZERO), (HZ24, HZ24_T3_NONZERO)])
def test_hongze_t3(reports, path, nonzero):
    """The mixed case: 2021 labels, （六）其他处理 printed as one row of zeros (page 4 rendered). Its cells
    are stored as printed under y2019_other_processing; the three 2021 sub-rows are not printed. The
    checks evaluate （七）总计 = （一）…（五） + （六） (it holds in every column of both years) and report the
    layout once as FORMAT_OUTDATED, never a CELL_BLANK for the unprinted sub-rows."""
    import pandas as pd

    from gongkai.checks import run_checks
    from gongkai.form import template
    from gongkai.report.batch import build

    r = reports[path]
    t3 = _values(r, "t3")
    assert {k[0] for k in t3} == {row for row, _ in template.mixed_keys()}
    for row in {k[0] for k in t3}:
        if row in SUB_ROWS_2021:  # not printed: the single （六）其他处理 row stands for them
            assert all(t3[(row, c)] is None for c in T3_COLS)
            continue
        n = nonzero.get(row, 0)
        assert tuple(t3[(row, c)] for c in T3_COLS) == (n, 0, 0, 0, 0, 0, n), row
    single = {c.col_key: (c.raw, c.semantic, c.value) for c in r.cells if c.row_key == "y2019_other_processing"}
    assert single == {c: ("0", "number", 0.0) for c in T3_COLS}
    assert r.status == "parsed"
    assert r.notes == [("表三: （六）其他处理 printed as one row (2019 layout) under 2021 labels, stored as "
                        "y2019_other_processing; its 2021 sub-rows other_no_correction, other_no_fee, other_other "
                        "are not printed (stored blank, raw NULL)")]
    blanks = [c for c in r.cells if c.row_key in SUB_ROWS_2021]
    assert len(blanks) == 21 and all(c.raw is None and c.semantic == "blank" for c in blanks)

    res = run_checks(build([r]))
    got = {(f.rule_id, f.table_id, f.row_key, None if pd.isna(f.col_key) else f.col_key, f.expected, f.observed)
           for f in res.findings.itertuples()}
    t4 = {("T4_TOTAL", "t4", "cases", "review_total", 11.0, 0.0),  # 洪泽 2023 表四 as printed (10 1 0 0 | 0 …)
          ("T4_TOTAL", "t4", "cases", "suit_after_review_total", 5.0, 0.0)} if path == HZ23 else set()
    assert {g[:4] for g in got} - {g[:4] for g in t4} == {("FORMAT_OUTDATED", "t3", "y2019_other_processing", None)}
    assert {g for g in got if g[0] == "T4_TOTAL"} == t4
    outdated = res.findings[res.findings.rule_id == "FORMAT_OUTDATED"].iloc[0]
    assert outdated.severity == "warning" and outdated.status == "fail"
    assert outdated.message.startswith(f"报告年度为{r.year}年，表三「（六）其他处理」只印了一行") and "「3.其他」" in outdated.message
    counts = res.rule_results.set_index("rule_id")[["evaluated", "failed", "not_assessable"]]
    assert counts.loc["T3_OUTCOME_SUM"].tolist() == [7, 0, 0]   # evaluated, not "not assessable"
    assert counts.loc["T3_TOTAL_COLUMN"].tolist() == [23, 0, 0]  # 25 rows − 3 sub-rows + the single row
    assert counts.loc["T3_BALANCE"].tolist() == [7, 0, 0]
    assert counts.loc["CELL_BLANK"].tolist() == [186, 0, 0]      # 207 cells − the 21 unprinted sub-row cells
    assert counts.loc["FORMAT_OUTDATED"].tolist() == [1, 1, 0]


@pytest.mark.parametrize("path", [HUAIAN, HZ23, HZ24])
def test_t2_and_t4(reports, path):
    r = reports[path]
    assert _values(r, "t2") == T2[path]
    t4 = _values(r, "t4")
    assert tuple(t4[("cases", c)] for c in T4_COLS) == T4[path]


def test_carry_over_across_years(reports):
    t23, t24 = _values(reports[HZ23], "t3"), _values(reports[HZ24], "t3")
    assert all(t24[("carried_over", c)] == t23[("carried_forward", c)] for c in T3_COLS)


def test_paragraphs_page_numbers_and_reading_order(reports):
    r = reports[HUAIAN]
    text = "\n".join(s.text or "" for s in r.sections)
    assert "共受理政府信息公开申请3119件，答复3050件" in text  # line breaks inside the paragraph joined
    assert "“建设‘四最’一流营商环境高质量推进产业发展”" in text  # a paragraph running over a page break
    assert "- 2 -" not in text and "- 4 -" not in text
    assert reports[HUAIAN].title == "淮安市人民政府2024年政府信息公开工作年度报告"  # two title lines joined
    sec5 = next(s for s in r.sections if s.section_no == 5)
    assert sec5.title == "五、存在的主要问题及改进情况" and sec5.text.startswith("对照上级新要求")


def test_grid_shapes_of_the_quirks():
    """The ruled reading: the vertical 三/本/年/度… header is one cell, wrapped labels are one cell,
    表四's headers spread over single characters are whole labels, the table split over pages 4–5 is
    one grid, and the page number printed below it is not in it."""
    raw = parse_pdf(HUAIAN.read_bytes(), HUAIAN.name)
    tables = [b.table for b in raw.blocks if b.kind == "table"]
    texts = [[c.text for c in row] for t in tables for row in t]
    flat = [t for row in texts for t in row]
    assert "三、本年度办理结果" in flat
    assert "（二）部分公开（区分处理的，只计这一情形，不计其他情形）" in flat
    assert "1、申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请" in flat
    assert "5.要求行政机关确认或重新出具已获取信息" in flat
    t3 = next(t for t in tables if any(c.text.startswith("一、本年新收") for row in t for c in row))
    assert any(c.text == "四、结转下年度继续办理" for row in t3 for c in row)  # page 5 joined to page 4
    assert not any("- 4 -" in t or "- 5 -" in t for t in flat)
    t4 = next(t for t in tables if any(c.text == "行政复议" for c in t[0]))
    assert [c.text for c in t4[2] if not c.cont][:5] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    assert [c.text for c in t4[-1]] == [str(v) for v in T4[HUAIAN]]


@pytest.mark.parametrize("path", [HZ23, HZ24, HUAIAN])
def test_aligned_text_reading_without_rulings(path):
    """Tables read from text positions alone (rulings ignored) give the same cells as the ruled reading.
    淮安's 表四 header (labels spread over single characters in narrow cells) cannot be told apart
    without its rulings: no column is named, its 15 cells are unread (our misread, never blank) and the
    report is partial — never a value under a guessed column."""
    data = path.read_bytes()
    ruled = structure.assemble(parse_pdf(data, path.name), "a", path.name)
    aligned = structure.assemble(parse_pdf(data, path.name, use_rulings=False), "b", path.name)
    for tid in ("t2", "t3", "t4"):
        a = {(c.row_key, c.col_key): (c.raw, c.semantic) for c in ruled.cells if c.table_id == tid}
        b = {(c.row_key, c.col_key): (c.raw, c.semantic) for c in aligned.cells if c.table_id == tid}
        if path == HUAIAN and tid == "t4":
            assert set(b.values()) == {(None, "unread")} and aligned.status == "partial"
            assert "表四: header names 0 of 15 columns" in aligned.notes
        else:
            assert a == b, tid
    assert (aligned.agency, aligned.year) == (ruled.agency, ruled.year)
    assert [s.section_no for s in aligned.sections if s.present] == [1, 2, 3, 4, 5, 6]


# ------------------------------------------------------------------------------------------ failures


def _scanned_pdf() -> bytes:
    """An image-only PDF: page 1 of a real report rendered to a bitmap and placed on an empty page."""
    src = pdfium.PdfDocument(HZ24.read_bytes())
    width, height = src[0].get_size()
    bitmap = src[0].render(scale=0.5)
    doc = pdfium.PdfDocument.new()
    page = doc.new_page(width, height)
    image = pdfium.PdfImage.new(doc)
    image.set_bitmap(bitmap)
    image.set_matrix(pdfium.PdfMatrix().scale(width, height))
    page.insert_obj(image)
    page.gen_content()
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _minimal_pdf(trailer_extra: bytes = b"", extra_objects: tuple[bytes, ...] = ()) -> bytes:
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>", *extra_objects]
    out, offsets = b"%PDF-1.4\n", []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R " % (len(objs) + 1) + trailer_extra + b">>\nstartxref\n%d\n%%%%EOF\n" % xref
    return out


def test_scanned_pdf_fails_with_clear_reason():
    r = parse_bytes("scan.pdf", _scanned_pdf())
    assert r.status == "failed"
    assert r.error == "scan.pdf: scanned PDF, no text layer (OCR is not supported)"


@pytest.mark.parametrize("name,data,expected", [
    ("truncated.pdf", HZ24.read_bytes()[:120_000], "truncated PDF"),
    ("random.pdf", random.Random(7).randbytes(5000), "not a PDF"),
    ("garbage.pdf", b"%PDF-1.7\n" + random.Random(8).randbytes(3000) + b"\n%%EOF\n", "corrupt PDF"),
    ("encrypted.pdf", _minimal_pdf(b"/Encrypt 4 0 R /ID [<" + b"33" * 16 + b"> <" + b"33" * 16 + b">] ",
                                   (b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32
                                    + b"> /P -4 >>",)), "encrypted PDF"),
    ("blank.pdf", _minimal_pdf(), "no text layer and no images"),
])
def test_broken_pdfs_fail_with_one_line(name, data, expected):
    r = parse_bytes(name, data)
    assert r.status == "failed"
    assert r.error.startswith(f"{name}: ") and expected in r.error and "\n" not in r.error
    assert "parser error" not in r.error


_REAL = HZ24.read_bytes()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(st.tuples(st.integers(0, len(_REAL) - 1), st.integers(0, 255)), min_size=1, max_size=20),
       st.one_of(st.none(), st.integers(100, len(_REAL))))
def test_mutated_pdf_never_raises(edits, cut):
    data = bytearray(_REAL)
    for pos, value in edits:
        data[pos] = value
    if cut is not None:
        data = data[:cut]
    r = parse_bytes("mutated.pdf", bytes(data))
    assert r.status in ("parsed", "partial", "failed")
    if r.status == "failed":
        assert r.error and "\n" not in r.error
