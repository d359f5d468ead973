"""What the HTML parsing tests (tests/unit/test_parse_html_*.py) and the text decoding tests share: the
paragraphs and tables of a parsed document, a page around a body, and the check that an error is one line
naming the file."""

from __future__ import annotations

from gongkai.parse.document import TCell


def _paras(doc) -> list[str]:
    return [b.text for b in doc.blocks if b.kind == "para"]


def _tables(doc):
    return [b.table for b in doc.blocks if b.kind == "table"]


def _row(table, first_text: str):
    rows = [r for r in table if r and any(c.text == first_text for c in r[:2])]
    assert len(rows) == 1, f"row {first_text!r}: {len(rows)} matches"
    return rows[0]


def _page(body: str, head: str = "<title>t</title>") -> bytes:
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>".encode()


def _texts(row) -> list[str]:
    return [c.text for c in row]


def C(span: int = 1) -> TCell:  # noqa: N802 - a rowspan stand-in
    return TCell("", span, True)


def _one_line(msg: str, path: str) -> None:
    assert "\n" not in msg and path in msg and len(msg) < 300
