"""Word/Excel-pasted portal pages (issue 10, item 3): a printed digit is a number whatever invisible marks the
paste left around it (never two numbers glued into one), and the title, agency and year come from the heading,
else the page's <title> / ArticleTitle / og:title, else a first line cut where it runs on into the text.

Fixtures in tests/fixtures/html/ (hand-written after the real page data/harvest/shuyang_fgj_2023.html and the
Word/Excel HTML export); full pages from the generator's `render_html(word_pasted=True)` with their truth."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from support import SHUYANG

from gongkai.checks import run_checks
from gongkai.form.cells import classify
from gongkai.parse.html import cell_text, parse_html
from gongkai.report.batch import build
from gongkai.report.read import parse_bytes
from gongkai.report.structure import find_title, title_agency_year
from gongkai.synth import make_report, read_cell, render_html

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "html"


def _rows() -> list[tuple[str, str, str]]:
    """(pattern, expected, cell text) per row of word_pasted_cells.html, parsed as parse_html parses."""
    parser = etree.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, encoding="utf-8")
    root = etree.fromstring((FIXTURES / "word_pasted_cells.html").read_bytes(), parser)
    return [(tr.get("data-pattern"), tr.get("data-expect"), cell_text(tr.findall("td")[1])) for tr in root.iter("tr")]


ROWS = _rows()


@pytest.mark.parametrize(("pattern", "expect", "text"), ROWS, ids=[r[0] for r in ROWS])
def test_word_pasted_cell_is_a_number(pattern, expect, text):
    sem, value = classify(text)
    if expect == "text":  # two numbers in one cell: kept as text, never glued
        assert sem == "text", (pattern, text)
        assert " " in text
    else:
        assert (sem, value) == ("number", float(expect)), (pattern, text)
        assert text.strip() == text and text.isdigit() or text == "１４", (pattern, repr(text))


def test_fixture_has_every_pattern():
    assert len(ROWS) == 17


@pytest.mark.parametrize("raw", ["0\u200e", "\u200f0", "\u202a0\u202c", "0\u2061", "\u180e0", "0\u034f", "0\ufe0f",
                                 "0\u3164", "\x070", "0\x07", "\u00ad0", "\ufeff0", "0\u2060", "\U000e00010"])
def test_classify_ignores_invisible_marks(raw):
    assert classify(raw) == ("number", 0.0)


@pytest.mark.parametrize("raw", ["1\u200b 2", "1\x0b2", "1\u00a02", "1\n2", "1\u30002"])
def test_classify_whitespace_still_separates_numbers(raw):
    assert classify(raw)[0] == "text"


def test_page_text_drops_invisible_marks():
    html = ("<html><head><title>t</title></head><body><p>\u200e沭阳县\u2060交通运输局\u202a2023\u202c年</p>"
            "<table><tr><td>本年新收</td><td>&lrm;0</td></tr><tr><td>a</td><td>1</td></tr></table></body></html>")
    doc = parse_html(html.encode(), "x.html")
    assert doc.blocks[0].text == "沭阳县交通运输局2023年"
    assert doc.blocks[1].table[0][1].text == "0"


# --------------------------------------------------------------------------- title, agency, year

TITLES = {
    # fixture: (title, agency, year)
    "title_runs_on_meta.html": ("沭阳县住房和城乡建设局2019年政府信息公开工作年度报告", "沭阳县住房和城乡建设局", 2019),
    "title_runs_on_og.html": ("泗阳县民政局2020年政府信息公开工作年度报告", "泗阳县民政局", 2020),
    "title_runs_on_only.html": ("如皋市商务局2021年政府信息公开工作年度报告", "如皋市商务局", 2021),
    "title_heading_meta_agency.html": ("2022年政府信息公开工作年度报告", "洪泽区司法局", 2022),
}


@pytest.mark.parametrize("name", sorted(TITLES))
def test_title_agency_year_when_the_body_title_runs_on(name):
    data = (FIXTURES / name).read_bytes()
    rep = parse_bytes(name, data)
    assert rep.status != "failed", rep.error
    assert (rep.title, rep.agency, rep.year) == TITLES[name]
    assert all(s.present for s in rep.sections)


def test_meta_titles_are_read_in_order():
    doc = parse_html((FIXTURES / "title_runs_on_meta.html").read_bytes(), "x.html")
    assert doc.title_hint == "2019年政府信息公开工作年度报告-沭阳县人民政府"
    assert doc.meta_titles == ("沭阳县住房和城乡建设局2019年政府信息公开工作年度报告",)
    assert doc.blocks[0].text.startswith("2019年政府信息公开工作年度报告 根据《中华人民共和国政府信息公开条例》")
    og = parse_html(b'<html><head><meta property="OG:Title" content="A"><meta content="B" name="articletitle">'
                    b'</head><body><p>x</p></body></html>', "y.html")
    assert og.meta_titles == ("B", "A")


@pytest.mark.parametrize(("paras", "title"), [
    (["某局2023年政府信息公开工作年度报告 根据《条例》规定，现公布本年度报告。"], "某局2023年政府信息公开工作年度报告"),
    (["某局2023年政府信息公开年度报告根据《条例》规定，现公布本年度报告，全文如下所述并附表格。"], "某局2023年政府信息公开年度报告"),
    (["某局2023年政府信息公开工作年度报告"], "某局2023年政府信息公开工作年度报告"),      # a heading: unchanged
    (["某局2023年政府信息公开工作年度报告（全文）"], "某局2023年政府信息公开工作年度报告(全文)"),  # not a run-on (NFKC)
    (["关于某局2023年政府信息公开工作年度报告的说明"], "关于某局2023年政府信息公开工作年度报告的说明"),
])
def test_first_line_cut_only_where_it_runs_on(paras, title):
    assert find_title(paras, None) == title


def test_agency_only_from_a_title_of_the_same_year():
    assert title_agency_year(["2023年政府信息公开工作年度报告"], "某局2022年政府信息公开工作年度报告", ()) == (
        "2023年政府信息公开工作年度报告", None, 2023)
    assert title_agency_year([], None, ("某局2022年政府信息公开工作年度报告",)) == (
        "某局2022年政府信息公开工作年度报告", "某局", 2022)
    assert title_agency_year([], None, ()) == (None, None, None)


# --------------------------------------------------------------------------- generated full pages

@pytest.mark.parametrize(("seed", "agency", "year"), [(1, "沭阳县交通运输局", 2019), (2, "淮安市洪泽区司法局", 2021),
                                                      (3, "如皋市商务局", 2023)])
def test_generated_word_pasted_page_reads_exactly(seed, agency, year):
    r = make_report(seed, agency, year)
    data = render_html(r, word_pasted=True)
    assert b"x:num" in data and b"&#8206;" in data and b"ArticleTitle" in data and b"<h1" not in data
    rep = parse_bytes(f"{agency}.html", data)
    assert rep.status == "parsed"
    assert (rep.agency, rep.year) == (agency, year)
    got = {(c.table_id, c.row_key, c.col_key): (c.semantic, c.value) for c in rep.cells}
    assert got == {k: read_cell(r.cells.get(k)) for k in got}
    assert len(got) == len(r.cells)
    findings = run_checks(build([rep])).findings
    assert not (findings["rule_id"] == "CELL_NOT_NUMBER").any()
    assert set(findings["rule_id"]) <= {f["rule_id"] for f in r.expected_findings}


def test_a_sentence_naming_the_report_is_not_a_run_on_title():
    para = "根据《中华人民共和国政府信息公开条例》要求，编制本机关2023年政府信息公开工作年度报告 本报告由总体情况等部分组成。"
    assert find_title([para], None) is None
    assert find_title(["政府信息公开工作年度报告 根据《条例》规定编制，无年份。" + "文" * 60], None) is None


def test_real_portal_page_title_unchanged():
    if not SHUYANG.is_file():
        pytest.skip("data/harvest/shuyang_fgj_2023.html not found")
    rep = parse_bytes(str(SHUYANG), SHUYANG.read_bytes())
    assert (rep.title, rep.agency, rep.year) == ("沭阳县发展和改革局2023年政府信息公开年度报告", "沭阳县发展和改革局", 2023)
    assert not any(c.semantic == "text" for c in rep.cells)
