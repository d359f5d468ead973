"""Text reports: the real Word text dump (seed) and cell-separated renderings of it."""

from __future__ import annotations

import pytest

from gongkai.form.template import keys
from gongkai.parse.text import parse_text
from gongkai.report.read import parse_bytes


def cellmap(report):
    return {(c.table_id, c.row_key, c.col_key): c for c in report.cells}


def test_seed_report_parses_completely(seed_bytes):
    r = parse_bytes("wuxing_office_2021.txt", seed_bytes)
    assert (r.status, r.error, r.year, r.agency, r.format_version) == ("parsed", None, 2021, "五星办事处", "2021")
    assert r.title == "五星办事处2021年政府信息公开工作年度报告"  # wrapped over two lines in the file
    assert r.tables_present == {"t2": True, "t3": True, "t4": True}
    assert len(r.cells) == 200
    assert {(c.semantic, c.value, c.raw) for c in r.cells} == {("number", 0.0, "0")}
    assert set(cellmap(r)) == {(t, rk, ck) for t in ("t2", "t3", "t4") for rk, ck in keys("2021", t)}
    assert [(s.section_no, s.present) for s in r.sections] == [(n, True) for n in range(1, 7)]
    assert r.sections[0].title == "1、 总体情况"
    assert "全年未收到信息公开申请" in r.sections[0].text
    assert "bookmark" not in r.sections[4].text and "改进措施" in r.sections[4].text
    assert r.notes == []


def _cell_separated(seed: str, sep: str, keep_blank: bool) -> str:
    """Re-render the seed's tables one row a line, cells joined by `sep` (as crawler dumps do)."""
    out, row = [], []
    for line in seed.split("\n"):
        if line.startswith("\t"):
            row.append(line[1:])
            continue
        if row:
            out.append(sep.join(c for c in row if c or keep_blank))
            row = []
        out.append(line)
    return "\n".join(out)


@pytest.mark.parametrize("sep, keep_blank", [("\t", True), ("\t", False), ("  ", False), (" ", False)])
def test_cell_separated_renderings_map_by_label(seed_bytes, sep, keep_blank):
    text = _cell_separated(seed_bytes.decode(), sep, keep_blank)
    # distinct numbers so that a shifted column would be caught
    text = text.replace(f"一、本年新收政府信息公开申请数量{sep}0{sep}0", f"一、本年新收政府信息公开申请数量{sep}5{sep}3", 1)
    text = text.replace(f"行政规范性文件{sep}0{sep}0{sep}0", f"行政规范性文件{sep}4{sep}1{sep}9", 1)
    r = parse_bytes("dump.txt", text.encode())
    c = cellmap(r)
    assert r.status == "parsed", r.notes
    assert len(r.cells) == 200
    assert c[("t3", "new_received", "natural_person")].value == 5
    assert c[("t3", "new_received", "commercial")].value == 3
    assert c[("t3", "new_received", "research")].value == 0
    assert (c[("t2", "normative_docs", "issued")].value, c[("t2", "normative_docs", "repealed")].value,
            c[("t2", "normative_docs", "in_force")].value) == (4, 1, 9)
    assert c[("t4", "cases", "suit_after_review_total")].semantic == "number"


def test_short_row_is_kept_as_text_and_report_partial(seed_bytes):
    text = _cell_separated(seed_bytes.decode(), " ", False)
    text = text.replace("（七）总计 0 0 0 0 0 0 0", "（七）总计 26 26", 1)  # five blanks lost in the rendering
    r = parse_bytes("short.txt", text.encode())
    c = cellmap(r)
    assert r.status == "partial"
    assert {c[("t3", "processed_total", k)].semantic for k in ("natural_person", "total", "commercial")} == {"text"}
    assert c[("t3", "processed_total", "total")].raw == "26 26"
    assert any("（七）总计" in n and "2 value cells for 7 columns" in n for n in r.notes)


def test_prose_with_numbers_stays_prose():
    doc = parse_text("2023年 行政许可 共 3 件，较上年增加 1 件。\n一、总体情况\n".encode(), "p.txt")
    assert [b.kind for b in doc.blocks] == ["para", "para"]


def test_not_a_report_is_rejected_with_one_line():
    r = parse_bytes("notes.txt", "会议纪要\n今天讨论了食堂菜单。\n".encode())
    assert r.status == "failed"
    assert r.error.startswith("notes.txt: no section headings") and "\n" not in r.error


def test_gbk_text_dump_decodes(seed_bytes):
    r = parse_bytes("gbk.txt", seed_bytes.decode().encode("gb18030"))
    assert (r.status, r.agency, len(r.cells)) == ("parsed", "五星办事处", 200)


def test_pre_2019_report_is_recognised_and_rejected(seed_bytes):
    old = seed_bytes.decode().replace("五星办事处2021年", "五星办事处2017年", 1)
    r = parse_bytes("old.txt", old.encode())
    assert r.status == "failed"
    assert "2017 report predates the national format" in r.error and r.error.startswith("old.txt:")


def test_markdown_pipe_tables_from_pdf_converters(seed_bytes):
    out, row = [], []
    for line in seed_bytes.decode().split("\n"):
        if line.startswith("\t"):
            row.append(line[1:])
            continue
        if row:
            out.append("| " + " | ".join(f"**{c}**" if "本年新收" in c else c for c in row) + " |")
            if len(out) >= 2 and not out[-2].startswith("|"):
                out.append("|" + "---|" * len(row))
            row = []
        out.append(line)
    text = "\n".join(out).replace("| 一、本年新收政府信息公开申请数量** | 0 | 0 |", "| 一、本年新收政府信息公开申请数量** | 7 |  |")
    text = text.replace("| **一、本年新收政府信息公开申请数量** | 0 | 0 |", "| **一、本年新收政府信息公开申请数量** | 7 |  |")
    r = parse_bytes("report.md", text.encode())
    c = cellmap(r)
    assert (r.status, r.source_format, len(r.cells)) == ("parsed", "md", 200)
    assert c[("t3", "new_received", "natural_person")].value == 7
    assert c[("t3", "new_received", "commercial")].semantic == "blank"
    assert c[("t4", "cases", "review_total")].value == 0
