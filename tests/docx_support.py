"""What the Word .docx parsing tests (tests/unit/test_parse_docx_*.py) share: hand-written document.xml
strings and the zips around them, and the check that a file becomes a one-line failed report."""

from __future__ import annotations

import io
import zipfile

from gongkai.parse.document import TCell
from gongkai.parse.docx.body import parse_docx
from gongkai.report.read import parse_bytes

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>'
      '<Override PartName="/word/document.xml" '
      'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="{target}"/></Relationships>')


# --------------------------------------------------------------------------- helpers

def _zip(parts: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def _document(body: str, ns: str = W_NS, prolog: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{prolog}'
            f'<w:document xmlns:w="{ns}" '
            'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
            'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
            'xmlns:v="urn:schemas-microsoft-com:vml" '
            f'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"><w:body>{body}'
            '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>')


def _docx(body: str, extra: dict[str, str | bytes] | None = None, ns: str = W_NS, main: str = "word/document.xml") -> bytes:
    parts = {"[Content_Types].xml": CT, "_rels/.rels": RELS.format(target=main), main: _document(body, ns)}
    parts.update(extra or {})
    return _zip(parts)


def _blocks(body: str, **kw):
    return parse_docx(_docx(body, **kw), "t.docx").blocks


def P(*runs: str, ppr: str = "") -> str:  # noqa: N802 - a paragraph of plain runs
    return f"<w:p>{ppr}" + "".join(f'<w:r><w:t xml:space="preserve">{t}</w:t></w:r>' for t in runs) + "</w:p>"


def TC(text: str = "", pr: str = "") -> str:  # noqa: N802
    return f"<w:tc><w:tcPr><w:tcW w:w=\"1000\" w:type=\"dxa\"/>{pr}</w:tcPr>{P(text) if text else '<w:p/>'}</w:tc>"


def TR(*cells: str, pr: str = "") -> str:  # noqa: N802
    return f"<w:tr>{f'<w:trPr>{pr}</w:trPr>' if pr else ''}{''.join(cells)}</w:tr>"


def TBL(*rows: str) -> str:  # noqa: N802
    return f'<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid/>{"".join(rows)}</w:tbl>'


def C(span: int = 1) -> TCell:  # noqa: N802 - a vMerge stand-in
    return TCell("", span, True)


SPAN2 = '<w:gridSpan w:val="2"/>'


def _failed(name: str, data: bytes):
    r = parse_bytes(name, data)
    assert r.status == "failed", (r.status, r.error)
    assert r.error and "\n" not in r.error and r.error.startswith(f"{name}: "), r.error
    assert "parser error" not in r.error, r.error     # an expected failure, not a caught bug
    assert r.source_format == "docx"
    return r.error
