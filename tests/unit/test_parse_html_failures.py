"""HTML parsing (gongkai.parse.html), safety and failures: external entities are never inlined; pages
with no text, frames, nesting too deep, binary or empty input fail with one-line errors."""

from __future__ import annotations

import pytest
from html_support import _one_line, _paras

from gongkai.parse.errors import CorruptFile, EmptyFile, NotAReport, UndecodableText
from gongkai.parse.html import parse_html

# --------------------------------------------------------------------------- safety and failures

def test_external_entity_is_not_inlined(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE html [\n<!ENTITY xxe SYSTEM "file://{secret}">\n'
        f'<!ENTITY % pe SYSTEM "file://{secret}"> %pe;\n]>\n'
        '<html><body><p>一、总体情况&xxe;</p><table><tr><td>&xxe;</td><td>x</td></tr></table></body></html>'
    ).encode()
    doc = parse_html(data, "xxe.html")
    dump = repr(doc.blocks)
    assert "TOP-SECRET-CONTENT" not in dump
    assert _paras(doc)[0].startswith("一、总体情况")
    assert not any("ENTITY" in p or p == "]>" for p in _paras(doc))


def test_html_failures():
    with pytest.raises(NotAReport) as e:
        parse_html(b"<html><head><script>load()</script></head><body><script>x()</script></body></html>", "js.html")
    _one_line(str(e.value), "js.html")
    with pytest.raises(NotAReport):
        parse_html(b"<!-- nothing -->", "c.html")
    with pytest.raises(NotAReport):
        parse_html(b"<frameset><frame src='a.html'></frameset>", "f.html")
    with pytest.raises(CorruptFile) as e:
        parse_html(b"<html><body>" + b"<div>" * 400 + b"<p>x</p>" + b"</div>" * 400 + b"</body></html>", "deep.html")
    _one_line(str(e.value), "deep.html")
    with pytest.raises(UndecodableText) as e:
        parse_html(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "report.html")
    _one_line(str(e.value), "report.html")
    with pytest.raises(EmptyFile):
        parse_html(b"  \n ", "empty.html")
