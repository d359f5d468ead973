"""The map step's shortcuts (issue 11, item 3) give exactly what the plain code they replace gives.

Each is compared with a reference — the code as it was before the shortcut, kept here — on real inputs: the
sample harvest (real reports from portals among them), the test fixtures, and generated reports in the text,
clean HTML and portal renderings, UTF-8 and GBK, with defects (rows printed twice, missing cells, spans lost):
  * HTML table grids built in one pass (no pending-rowspan bookkeeping for rows nothing reaches into, cells
    without attributes, the layout test's sizes counted on the way) against the two-pass grid and layout test;
  * content_root composing an ancestor's whitespace-free text and link length from its measured child against
    measuring every element itself;
  * table mapping with each row key's plan read once per header against the row-by-row placement;
  * batch string columns built by Arrow against pandas' own conversion; sorted unique 3-gram hashes by sort
    against numpy's unique; section headings through the cache against the uncached function.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from lxml import etree

from gongkai.form import headings, template
from gongkai.parse import html, html_root, html_text, read_document
from gongkai.parse.decode import decode_text, sniff_html_charset
from gongkai.parse.document import Table, TCell
from gongkai.report import batch, fingerprints, table_layout, table_rows, tablemap
from gongkai.report.read import parse_bytes
from gongkai.synth import RENDERINGS, agencies
from gongkai.synth.report import DEFECTS, make_report

ROOT = Path(__file__).resolve().parents[2]
_TEXT_RENDERINGS = ("txt", "html", "html_gbk", "portal", "portal_gbk")


def _inputs() -> list[tuple[str, bytes]]:
    files = [p for d in (ROOT / "data" / "harvest", ROOT / "tests" / "fixtures") for p in sorted(d.rglob("*"))
             if p.is_file() and p.suffix in (".html", ".txt")]
    out = [(str(p), p.read_bytes()) for p in files]
    defects = sorted(DEFECTS)
    for i, ag in enumerate(agencies(12, seed=3)):
        report = make_report(i, ag["agency"], 2021 + i % 3, [defects[i % len(defects)]] if i % 2 else [],
                             region=ag["region"])
        for name in _TEXT_RENDERINGS:
            render, ext = RENDERINGS[name]
            out.append((f"gen{i}_{name}.{ext}", render(report)))
    return out


INPUTS = _inputs()
HTML = [(p, d) for p, d in INPUTS if p.endswith(".html")]


def _tree(path: str, data: bytes) -> etree._Element:
    text, _ = decode_text(data, path, sniff_html_charset(data[:4096]))
    parser = etree.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, encoding="utf-8")
    root = etree.fromstring(text.lstrip("\ufeff").encode("utf-8", "surrogatepass"), parser)
    etree.strip_elements(root, *html._DROP, with_tail=False)
    return root


def _pages() -> list[etree._Element]:
    pages = []
    for path, data in HTML:
        try:
            root = _tree(path, data)
        except Exception:  # the broken sample files: nothing to compare
            continue
        if root is not None:
            pages.append(root)
    return pages


PAGES = _pages()


def test_inputs_are_there() -> None:
    assert len(PAGES) >= 60 and sum(p.endswith(".txt") for p, _ in INPUTS) >= 12


# --------------------------------------------------------------------------- HTML grids

def _grid_reference(table: etree._Element) -> Table:
    """table_grid with every row read by the general path (html._spanned_row), whether a rowspan reaches it or not:
    the grid before the one-pass rows."""
    grid: Table = []
    pending: list[list[int]] = []
    for tr in html._own(table, html._ROW_TAGS):
        row, pending = html._spanned_row(html._own(tr, html._CELL_TAGS), pending)
        grid.append(row)
    return grid


def _layout_reference(table: etree._Element, grid: Table) -> bool:
    cells = [c for row in grid for c in row if not c.cont]
    if len(cells) <= 1:
        return True
    longest = max(len(c.text) for c in cells)
    return longest > 800 or (longest > 200 and table.find(".//table") is not None)


def _random_table(rng: random.Random) -> str:
    rows = []
    for _ in range(rng.randint(0, 6)):
        cells = []
        for _ in range(rng.randint(0, 5)):
            attrs = ""
            if rng.random() < 0.3:
                attrs += f' colspan="{rng.choice(["2", "3", "0", "x", "2px", ""])}"'
            if rng.random() < 0.3:
                attrs += f' rowspan="{rng.choice(["2", "3", "4", "1", "", "1001"])}"'
            if rng.random() < 0.2:
                attrs += ' valign="center"'
            text = rng.choice(["", "0", "12", "自然人", "<p>1</p><p>2</p>", "<span>总</span>计", "x" * rng.choice([199, 200, 201, 300, 800, 801]),
                               "<table><tr><td>内</td></tr></table>" + "y" * 250])
            cells.append(f"<{rng.choice(['td', 'th'])}{attrs}>{text}</td>")
        wrap = rng.random()
        rows.append(f"<tr>{''.join(cells)}</tr>" if wrap < 0.8 else f"<tbody><tr>{''.join(cells)}</tr></tbody>")
    return f"<table>{''.join(rows)}</table>"


def test_grid_equals_the_two_pass_grid() -> None:
    tables = [t for page in PAGES for t in page.iter("table")]
    rng = random.Random(7)
    for _ in range(600):
        page = etree.fromstring(f"<html><body>{_random_table(rng)}</body></html>", etree.HTMLParser())
        tables += list(page.iter("table"))
    layouts = {True: 0, False: 0}
    spans = 0
    for table in tables:
        expected = _grid_reference(table)
        grid, cells, longest = html._grid(table)
        assert grid == expected
        origin = [c for row in expected for c in row if not c.cont]
        assert (cells, longest) == (len(origin), max((len(c.text) for c in origin), default=0))
        assert html.table_grid(table) == expected
        layout = _layout_reference(table, expected)
        assert html._layout_sized(table, cells, longest) is layout
        assert html._is_layout(table, expected) is layout
        layouts[layout] += 1
        spans += any(c.cont for row in grid for c in row)
    assert len(tables) > 900 and min(layouts.values()) > 50 and spans > 50


# --------------------------------------------------------------------------- content root

def _content_root_reference(body: etree._Element) -> etree._Element:
    """content_root's choice with every element measured directly (before its measures were composed from a
    measured child)."""
    flats: dict[etree._Element, str] = {}

    def flat(el: etree._Element) -> str:
        if el not in flats:
            flats[el] = html_text.flat_text(el)
        return flats[el]

    def link_len(el: etree._Element) -> int:
        return sum(len(flat(a)) for a in el.iter("a"))

    return html_root._select_root(body, flat, link_len)


def test_content_root_equals_measuring_every_element() -> None:
    moved = 0
    for page in PAGES:
        body = page.find("body")
        body = page if body is None else body
        root = html_root.content_root(body)
        assert root is _content_root_reference(body)
        moved += root is not body
    assert moved > 30


def test_composed_measures_equal_the_direct_ones() -> None:
    """Every element with at most 16 children, all of them measured, against its own measure."""
    rng = random.Random(3)

    def nest(depth: int) -> str:
        parts = []
        for _ in range(rng.randint(0, 4)):
            parts.append(rng.choice(["", " ", "链接", "a b", "\n  ", "总体情况"]))
            if depth < 4 and rng.random() < 0.6:
                tag = rng.choice(["a", "a", "span", "div", "p", "td"])
                parts.append(f"<{tag}>{nest(depth + 1)}</{tag}>")
        return "".join(parts)

    made = [etree.fromstring(f"<html><body><div>{nest(0)}</div></body></html>", etree.HTMLParser())
            for _ in range(300)]
    checked = nested_links = 0
    for page in PAGES[:40] + made:
        elements = [el for el in page.iter() if el.tag.__class__ is str]
        flats = {el: html_text.flat_text(el) for el in elements}
        links = {el: html_root._link_len(el, flats.__getitem__) for el in elements}
        for el in elements:
            if len(el) and len(el) <= html_root._COMPOSE:
                assert html_root._flat_from_children(el, flats) == flats[el]
                assert html_root._link_len_from_children(el, links, flats.__getitem__) == links[el]
                checked += 1
                nested_links += el.tag == "a" and links[el] > len(flats[el])
    assert checked > 500 and nested_links > 20


# --------------------------------------------------------------------------- table mapping

def _place_row_reference(m: table_rows.Mapped, version: str, table_id: str, row: list[TCell], cols: dict[int, str],
                         allowed: frozenset[tuple[str, str]], plans: object = None) -> bool:
    """place_row before the plans (its short-row branch is shared and unchanged)."""
    n = len(cols)
    layout = table_layout.layout(row, table_id)
    _, texts = table_rows._row_label(layout, n)
    row_key = table_rows._match_row(version, table_id, texts)
    if row_key is None:
        return table_rows.place_row(m, version, table_id, row, cols, allowed)
    if any((row_key, c) in m.raw for c in cols.values()):
        m.notes.append(f"{template.TABLE_ZH[table_id]} row {texts[0]!r} printed twice; the first is kept")
        return True
    by_key: dict[str, TCell] = {}
    for lo, hi, cell in layout:
        if lo >= n:
            break
        for p in range(lo, min(hi, n - 1) + 1):
            key = cols[p]
            if (row_key, key) not in allowed:
                continue
            if key in by_key and by_key[key] is not cell:
                m.ambiguous.add((row_key, key))
            by_key.setdefault(key, cell)
        if lo < n <= hi:
            m.notes.append(f"{template.TABLE_ZH[table_id]} row {texts[0]!r}: a cell spans label and value columns")
    for key, cell in by_key.items():
        m.raw[(row_key, key)] = "" if cell.cont else cell.text
    return True


def _mapped(grids: list[Table]) -> list[Any]:
    version, mapped, notes = tablemap.map_tables(grids)
    return [version, notes] + [(t, m.raw, m.ambiguous, m.unread, m.notes, m.mixed) for t, m in sorted(mapped.items())]


def test_mapping_equals_the_row_by_row_placement(monkeypatch: pytest.MonkeyPatch) -> None:
    docs = []
    for path, data in INPUTS:
        try:
            docs.append(read_document(path, data))
        except Exception:  # the broken sample files
            continue
    grids = [[b.table for b in d.blocks if b.kind == "table" and b.table] for d in docs]
    rng = random.Random(11)
    for g in [g for g in grids if g]:  # damaged copies: rows printed twice or moved to another table or
        for _ in range(4):            # header, cells lost, spans changed or lost, stand-ins
            copy = [[[TCell(c.text, c.span, c.cont) for c in row] for row in t] for t in g]
            for _ in range(rng.randint(1, 6)):
                table = rng.choice(copy)
                row = rng.choice(table) if table else []
                if not row:
                    continue
                what, i = rng.random(), rng.randrange(len(row))
                if what < 0.3:
                    into = rng.choice(copy)
                    into.insert(rng.randrange(len(into) + 1), [TCell(c.text, c.span, c.cont) for c in row])
                elif what < 0.45:
                    del row[i]
                elif what < 0.75:
                    row[i].span = rng.choice([None, 1, 2, 3])
                else:
                    row.insert(i, TCell("", rng.choice([1, 2]), True))
            grids.append(copy)
    fast = [_mapped(g) for g in grids for _ in range(2)]  # twice: the second time through the plans' memo
    with monkeypatch.context() as mp:
        original = table_rows.place_row
        mp.setattr(table_rows, "place_row", lambda *a: _place_row_reference(*a)
                   if len(a) == 7 else original(*a))
        slow = [_mapped(g) for g in grids for _ in range(2)]
    assert fast == slow
    assert sum(len(g) > 2 for g in fast) > 60
    maps = [m for g in fast for m in g[2:]]
    assert sum(any("printed twice" in n for n in m[4]) for m in maps) > 20
    assert sum(any("spans label and value" in n for n in m[4]) for m in maps) > 5
    assert sum(bool(m[2]) for m in maps) > 20  # ambiguous cells


def test_allowed_cells_are_the_templates() -> None:
    for version in template.VERSIONS:
        for tid in template.TABLES:
            expected = set(template.keys(version, tid))
            if tid == "t3" and version == "2021":
                expected |= set(template.mixed_keys())
            assert table_rows.allowed(tid, version) == expected


# --------------------------------------------------------------------------- frames, fingerprints, headings

def _reports() -> list:
    return [parse_bytes(p, d) for p, d in INPUTS]


def test_string_columns_equal_pandas_conversion() -> None:
    b = batch.build(_reports())
    columns = {"cells": ["report_id", "table_id", "row_key", "col_key", "raw", "semantic"],
               "sections": ["report_id", "title", "text"], "tables": ["report_id", "table_id"]}
    for frame, cols in columns.items():
        df = getattr(b, frame)
        for c in cols:
            values = df[c].astype(object).where(df[c].notna(), None).tolist()
            expected = pd.array(values, dtype="string")
            got = batch._strings(values)
            assert type(got) is type(expected) and got.dtype == expected.dtype and got.equals(expected)
    corner: list[list[object]] = [[], [None], ["a", None], [b"x"], [1, "a"], [float("nan"), "b"], [pd.NA], [True],
                                  ["\u3000"]]
    for values in corner:
        expected = pd.array(values, dtype="string")
        got = batch._strings(values)
        assert type(got) is type(expected) and got.dtype == expected.dtype and got.equals(expected), values
    with pytest.raises(UnicodeEncodeError):
        batch._strings(["\ud800"])


def test_sorted_unique_hashes_equal_numpy_unique() -> None:
    texts = [fingerprints.comparable_text([s.text for s in r.sections]) for r in _reports() if r.sections]
    assert sum(len(t) > 500 for t in texts) > 50
    for t in texts:
        if len(t) >= 3:
            h = fingerprints._mix(fingerprints._codes(t))
            assert np.array_equal(fingerprints._sorted_unique(h.copy()), np.unique(h))
    rng = np.random.default_rng(5)
    for n in (1, 2, 3, 50, 5000):
        h = rng.integers(0, 40, n).astype(np.uint32)
        assert np.array_equal(fingerprints._sorted_unique(h.copy()), np.unique(h))


def test_cached_headings_equal_the_function() -> None:
    lines = [b.text for p, d in INPUTS for b in _blocks(p, d) if b.kind == "para"]
    lines += ["三、收到和处理政府信息公开申请情况", "1、 总体情况", "六、其他需要报告的事项" + " " * 60, "二、主动公开。"]
    found = 0
    for _ in range(2):  # the second time from the cache
        for line in lines:
            expected = None if "。" in line else headings._heading_no(line)
            assert headings.heading_no(line) == expected
            found += expected is not None
    assert found > 100


def _blocks(path: str, data: bytes) -> list:
    try:
        return read_document(path, data).blocks
    except Exception:
        return []
