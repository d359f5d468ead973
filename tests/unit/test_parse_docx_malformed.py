"""Word .docx parsing (gongkai.parse.docx), hostile and wrong files: entities, files that are not .docx
and random mutations (hypothesis) must become one-line failed reports, never exceptions."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx_support import CT, RELS, W_NS, _failed, _zip
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai.parse.docx.body import parse_docx
from gongkai.parse.errors import CorruptFile
from gongkai.report.read import parse_bytes
from gongkai.synth.report import make_report

pytest.importorskip("docx", reason="python-docx renders the synthetic .docx files (pip install -e '.[test]')")
from gongkai.synth.render_docx import render_docx  # noqa: E402

XXE = ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
       f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>一、总体情况&xxe;</w:t></w:r></w:p></w:body></w:document>')
LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i + 1} "{f"&lol{i};" * 10 if i else "&lol;" * 10}">' for i in range(9))
          + f']>\n<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>')


@pytest.mark.parametrize("xml", [XXE, LAUGHS], ids=["external-entity", "billion-laughs"])
def test_doctype_and_entities_are_rejected_unresolved(xml):
    data = _zip({"[Content_Types].xml": CT, "_rels/.rels": RELS.format(target="word/document.xml"), "word/document.xml": xml})
    with pytest.raises(CorruptFile, match="DOCTYPE"):
        parse_docx(data, "xxe.docx")
    err = _failed("xxe.docx", data)
    assert "root:" not in err and "lollol" not in err
    # UTF-16 hides the DOCTYPE from the byte check; the parsed tree's DOCTYPE is still refused
    utf16 = xml.replace('encoding="UTF-8"', 'encoding="UTF-16"').replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
    data16 = _zip({"_rels/.rels": RELS.format(target="word/document.xml"), "word/document.xml": utf16.encode("utf-16")})
    assert "DOCTYPE" in _failed("xxe16.docx", data16)


@pytest.fixture(scope="module")
def valid_docx():
    return render_docx(make_report(5, "泗阳县教育局", 2023, ["blank_cell"]))


def test_files_that_are_not_docx(valid_docx):
    assert "damaged or truncated zip archive" in _failed("cut.docx", valid_docx[: len(valid_docx) // 2])
    assert "damaged or truncated" in _failed("cut2.docx", valid_docx[:-30])
    import random

    noise = random.Random(1).randbytes(5000)
    assert "not a zip archive" in _failed("noise.docx", noise)
    assert "a PDF file" in _failed("p.docx", b"%PDF-1.7\n" + noise)
    assert "an HTML page" in _failed("h.docx", "<html><body>一、总体情况</body></html>".encode())
    assert "an RTF file" in _failed("r.docx", b"{\\rtf1\\ansi hello}")
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + noise
    assert "legacy binary Office file" in _failed("ole.docx", ole)
    err = _failed("old.docx", ole + "WordDocument".encode("utf-16-le") + noise)
    assert err == "old.docx: legacy Word .doc (binary OLE file) named .docx; open it in Word or WPS and save it as .docx"
    assert "legacy Excel .xls" in _failed("xls.docx", ole + "Workbook".encode("utf-16-le"))
    enc = ole + "EncryptedPackage".encode("utf-16-le") + noise
    assert "password-protected" in _failed("locked.docx", enc)
    assert "zip archive without word/document.xml" in _failed("z.docx", _zip({"a.txt": "hello"}))
    assert "OpenDocument .odt" in _failed("o.docx", _zip({"mimetype": "application/vnd.oasis.opendocument.text",
                                                          "content.xml": "<x/>"}))
    assert "not well-formed XML" in _failed("bad.docx", _zip({"word/document.xml": "<w:document><w:body>"}))
    err = _failed("wrongroot.docx", _zip({"word/document.xml": f'<w:styles xmlns:w="{W_NS}"/>'}))
    assert "<styles>, not a Word document" in err


def test_xlsx_renamed_docx():
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "一、总体情况"
    buf = io.BytesIO()
    wb.save(buf)
    err = _failed("book.docx", buf.getvalue())
    assert err == "book.docx: not a Word .docx file (an Excel workbook); open it in Word or WPS and save it as .docx"


def _mutate(data: bytes, edits: list[tuple[int, int]], cut: int | None) -> bytes:
    out = bytearray(data)
    for pos, byte in edits:
        out[pos % len(out)] = byte
    return bytes(out[:cut] if cut else out)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 10**7), st.integers(0, 255)), min_size=1, max_size=6),
       cut=st.none() | st.integers(1, 10**5))
def test_random_mutations_never_escape(valid_docx, edits, cut):
    data = _mutate(valid_docx, edits, cut)
    r = parse_bytes("m.docx", data)
    assert r.status in ("parsed", "partial", "failed")
    if r.status == "failed":
        assert r.error and "\n" not in r.error and r.error.startswith("m.docx: ")
        assert "parser error" not in r.error, r.error


@pytest.fixture(scope="module")
def valid_parts(valid_docx):
    z = zipfile.ZipFile(io.BytesIO(valid_docx))
    return {i.filename: z.read(i) for i in z.infolist()}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 10**7), st.sampled_from(b'<>/"=& \x00wWpPtrc:01\xe4\xb8\x80')),
                      min_size=1, max_size=6),
       part=st.sampled_from(["word/document.xml", "_rels/.rels", "word/numbering.xml", "docProps/core.xml", "word/styles.xml"]))
def test_mutated_xml_inside_a_valid_zip_never_escapes(valid_parts, edits, part):
    parts = dict(valid_parts)
    parts[part] = _mutate(parts[part], edits, None)
    r = parse_bytes("x.docx", _zip(parts))
    assert r.status in ("parsed", "partial", "failed")
    if r.status == "failed":
        assert r.error and "\n" not in r.error and "parser error" not in r.error, r.error
