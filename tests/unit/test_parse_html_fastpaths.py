"""The HTML parser's C-level shortcuts give exactly what the line-by-line walk gives.

cell_text reads a cell with one C call when its whole text cannot depend on its lines, and _walk reads a
subtree that ends no line (a <p> of <span>s) with one C call. Both are checked here against a plain
reference of the documented rules (block elements and <br> end lines; a cell's lines are joined with "",
with a space between two digits) on thousands of generated cells and paragraphs: nested blocks, line
breaks, whitespace and source newlines between CJK characters, invisible characters, full-width digits.
"""

from __future__ import annotations

import random

import pytest
from lxml import etree

from gongkai.form.cells import join_lines
from gongkai.parse.document import Block
from gongkai.parse.html import _BLOCK, _walk, cell_text, parse_html
from gongkai.parse.html_text import norm as _norm

_TEXTS = ["", "", " ", "\n", "\n  ", "1", "2", "0", "12", "１", "２", "中", "文", "情况", "\u200b", "\u00ad", "a",
          "\u3000", "\xa0", "0 ", " 3", "\t", "—", "件", "&nbsp;"]
_INLINE = ["span", "b", "font", "o:p", "a", "i"]
_BLOCKS = ["p", "div", "li", "h3"]


def _fragment(rng: random.Random, depth: int) -> str:
    out = []
    for _ in range(rng.randint(0, 3)):
        out.append(rng.choice(_TEXTS))
        kind = rng.random()
        if kind < 0.12:
            out.append("<br>")
        elif depth < 4 and kind < 0.6:
            tag = rng.choice(_INLINE if rng.random() < 0.6 else _BLOCKS)
            out.append(f"<{tag}>{_fragment(rng, depth + 1)}</{tag}>")
    out.append(rng.choice(_TEXTS))
    return "".join(out)


def _reference_lines(root: etree._Element) -> list[str]:
    """The documented rules, element by element: a block element or <br> ends the line; texts and tails
    join; each line normalised, empty lines dropped."""
    lines: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        text = _norm("".join(buf))
        buf.clear()
        if text:
            lines.append(text)

    def visit(el: etree._Element, is_root: bool) -> None:
        if el.tag == "br":
            flush()
        else:
            block = el.tag in _BLOCK
            if block:
                flush()
            buf.append(el.text or "")
            for child in el:
                visit(child, False)
            if block:
                flush()
        if not is_root:
            buf.append(el.tail or "")

    visit(root, True)
    flush()
    return lines


def _parse(html: str) -> etree._Element:
    return etree.fromstring(f"<html><body>{html}</body></html>", etree.HTMLParser())


@pytest.mark.parametrize("seed", range(4))
def test_cell_text_equals_the_line_walk(seed: int) -> None:
    rng = random.Random(seed)
    shortcut = 0
    for _ in range(1500):
        inner = _fragment(rng, 0)
        td = _parse(f"<table><tr><td>{inner}</td></tr></table>").find(".//td")
        expected = join_lines(_reference_lines(td))
        assert cell_text(td) == expected, inner
        shortcut += len(td) > 0 and " " not in expected
    assert shortcut > 300  # the generated cells do take the one-call path


def test_cell_text_lines_that_the_whole_text_would_merge() -> None:
    """The cases the shortcut must refuse: two digits in two lines, and whitespace between two lines."""
    for inner, expected in [("<p>1</p><p>2</p>", "1 2"), ("1<br>2", "1 2"), ("<p>a</p> <p>b</p>", "ab"),
                            ("<p>中</p>\n<p>文</p>", "中文"), ("<div>1</div>\u200b<div>2</div>", "1 2"),
                            ("<p>１</p><p>2</p>", "１ 2"), ("<span>1</span><span>2</span>", "12")]:
        td = _parse(f"<table><tr><td>{inner}</td></tr></table>").find(".//td")
        assert cell_text(td) == expected, inner


@pytest.mark.parametrize("seed", range(4))
def test_walk_equals_the_reference(seed: int) -> None:
    rng = random.Random(100 + seed)
    for _ in range(800):
        inner = _fragment(rng, 0)
        body = _parse(f"<div>{inner}</div>").find("body")
        blocks: list[Block] = []
        _walk(body, blocks)
        assert [b.text for b in blocks] == _reference_lines(body), inner
        assert all(b.kind == "para" for b in blocks)


def test_page_paragraphs_of_spans() -> None:
    page = ("<html><body><p><span>一、</span><span>总体</span>\n<span>情况</span><o:p></o:p></p>"
            "<p><span>全年</span><b>收到<i>申请</i></b><span>１２</span>件<br><span>办结</span>3件</p></body></html>")
    doc = parse_html(page.encode("utf-8"), "page.html")
    assert [b.text for b in doc.blocks] == ["一、总体情况", "全年收到申请１２件", "办结3件"]
