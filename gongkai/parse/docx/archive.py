"""Word .docx archives, opened safely (nothing is unpacked to disk, nothing decompressed beyond the limits):

* a legacy binary Word .doc (an OLE compound file) renamed .docx, a password-protected .docx (also an
  OLE file), a legacy .xls, PDF, RTF, HTML or random bytes are rejected with a one-line reason before
  unzipping; so is a zip that is another format (an .xlsx, .pptx or .odt renamed .docx);
* at most `MAX_MEMBERS` members; the *declared* uncompressed sizes of all members may add up to at most
  `MAX_UNPACKED` bytes, and an archive declaring more than 10 MB at over `MAX_RATIO`:1 is a zip bomb —
  both rejected from the central directory alone, before anything is decompressed;
* a part that is read (word/document.xml, numbering, styles, core properties) must declare at most
  `MAX_PART` bytes and, above 1 MiB, a compression ratio of at most `MAX_RATIO`:1; it is read with a
  bounded read (`MAX_PART + 1` bytes at most), so a header that lies about the size cannot unpack more;
  the CRC is checked;
* XML is parsed by lxml with resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False;
  a part with a DOCTYPE (Word never writes one) is rejected before parsing (and checked again after),
  so no entity is ever declared, expanded or fetched.

The main part is found through _rels/.rels (officeDocument relationship), falling back to
word/document.xml; transitional and strict OOXML namespaces are both read. A zip without a Word main
part says what it is instead (an Excel workbook, a PowerPoint deck, an OpenDocument file…).
"""

from __future__ import annotations

import io
import re
import zipfile

from lxml import etree

from gongkai.parse.errors import CorruptFile, FileTooLarge

MAX_UNPACKED = 100 * 2**20  # declared uncompressed total of all members (images included)
MAX_PART = 50 * 2**20       # one XML part that is actually read
MAX_RATIO = 100             # uncompressed : compressed, for parts over 1 MiB and for the whole archive
MAX_MEMBERS = 10_000
_SMALL = 2**20
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ROOT_START = re.compile(rb"<[^!?]")
_FIX = "open it in Word or WPS and save it as .docx"


# --------------------------------------------------------------------------- the archive

def not_docx(path: str, why: str, fix: str = _FIX) -> CorruptFile:
    return CorruptFile(f"{path}: not a Word .docx file ({why}); {fix}")


_REFETCH = "harvest the file again, or open it in Word or WPS and save it again"


def _sniff(data: bytes, path: str) -> CorruptFile:
    """Why bytes that are not a readable zip are not a .docx."""
    if data.startswith(_OLE):  # an OLE compound file: legacy binary Office, or an encrypted OOXML package
        if "EncryptedPackage".encode("utf-16-le") in data:
            return CorruptFile(f"{path}: the .docx is password-protected (encrypted); save a copy without a password")
        if "WordDocument".encode("utf-16-le") in data:
            return CorruptFile(f"{path}: legacy Word .doc (binary OLE file) named .docx; {_FIX}")
        if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
            return not_docx(path, "a legacy Excel .xls workbook")
        return CorruptFile(f"{path}: legacy binary Office file (OLE: .doc, .wps, .xls …) named .docx; {_FIX}")
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if data.startswith(b"PK"):
        return not_docx(path, "damaged or truncated zip archive", _REFETCH)
    if head.startswith(b"%pdf"):
        return not_docx(path, "a PDF file")
    if head.startswith(b"{\\rtf"):
        return not_docx(path, "an RTF file")
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return not_docx(path, "an HTML page")
    if head.startswith(b"<?xml") or head.startswith(b"<"):
        return not_docx(path, "an XML file, not a zip archive")
    return not_docx(path, "not a zip archive")


class Archive:
    def __init__(self, data: bytes, path: str) -> None:
        self.path = path
        if data.startswith(_OLE) or not data.startswith(b"PK"):
            raise _sniff(data, path)
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zf.infolist()
        except Exception as exc:  # zipfile raises many kinds on a damaged central directory
            raise not_docx(path, f"damaged or truncated zip archive: {_msg(exc)}", _REFETCH) from None
        if len(infos) > MAX_MEMBERS:
            raise CorruptFile(f"{path}: the .docx holds {len(infos)} files, more than {MAX_MEMBERS}; not unpacked")
        total = sum(i.file_size for i in infos)
        if total > MAX_UNPACKED:
            raise FileTooLarge(
                f"{path}: the .docx would unpack to {total / 2**20:,.0f} MB, more than the {MAX_UNPACKED // 2**20} MB "
                "limit (a zip bomb, a damaged archive, or not a report); not unpacked")
        if total > 10 * _SMALL and total > MAX_RATIO * len(data):
            raise CorruptFile(f"{path}: the .docx is compressed {total / len(data):,.0f}:1 (a zip bomb, or a damaged archive); not unpacked")
        self.by_name = {i.filename.lower(): i for i in infos}

    def has(self, name: str) -> bool:
        return name.lower() in self.by_name

    def read(self, name: str) -> bytes:
        info = self.by_name[name.lower()]
        path = self.path
        if info.file_size > MAX_PART:
            raise FileTooLarge(f"{path}: {info.filename} in the .docx unpacks to {info.file_size / 2**20:,.0f} MB, "
                               f"more than the {MAX_PART // 2**20} MB limit; not unpacked")
        if info.file_size > _SMALL and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise CorruptFile(f"{path}: {info.filename} in the .docx is compressed "
                              f"{info.file_size / max(info.compress_size, 1):,.0f}:1 (a zip bomb); not unpacked")
        if info.flag_bits & 0x1:
            raise CorruptFile(f"{path}: {info.filename} in the .docx is encrypted; save a copy without a password")
        try:
            with self.zf.open(info) as f:
                buf = f.read(MAX_PART + 1)
        except Exception as exc:
            raise not_docx(path, f"damaged zip member {info.filename}: {_msg(exc)}", _REFETCH) from None
        if len(buf) > MAX_PART:
            raise FileTooLarge(f"{path}: {info.filename} in the .docx unpacks to more than {MAX_PART // 2**20} MB; not unpacked")
        return buf

    def kind(self) -> str | None:
        """What another zip-based format this archive is, if it is one."""
        names = self.by_name
        if any(n.startswith("xl/") for n in names):
            return "an Excel workbook"
        if any(n.startswith("ppt/") for n in names):
            return "a PowerPoint presentation"
        if "mimetype" in names:
            try:
                mime = self.read("mimetype")[:100].decode("ascii", "replace")
            except (CorruptFile, FileTooLarge):
                mime = ""
            if "opendocument.text" in mime:
                return "an OpenDocument .odt text"
            return "an OpenDocument file" if "opendocument" in mime else "a zip archive with a mimetype, not Word"
        return None


def _msg(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:160]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def parse_xml(data: bytes, part: str, path: str) -> etree._Element:
    """Parse one XML part safely (see the module docstring). Returns the root element."""
    m = _ROOT_START.search(data, 0, 1 << 16)
    prolog = data[: m.start()] if m else data[: 1 << 16]
    if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
        raise CorruptFile(f"{path}: {part} in the .docx declares a DOCTYPE/entities, which Word never writes; not read")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True, remove_pis=True, collect_ids=False)
    try:
        root: etree._Element | None = etree.fromstring(data, parser)
    except (etree.LxmlError, ValueError) as exc:
        if "amplification" in str(exc) or "DOCTYPE" in str(exc):  # libxml2's entity guard (a UTF-16 part)
            raise CorruptFile(f"{path}: {part} in the .docx declares a DOCTYPE/entities, which Word never writes; "
                              "not read") from None
        raise not_docx(path, f"{part} is not well-formed XML: {_msg(exc)}", _REFETCH) from None
    if root is None:
        raise not_docx(path, f"{part} is empty")
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None:  # type: ignore[attr-defined]  # lxml-stubs 0.5.1 lacks DocInfo.doctype
        raise CorruptFile(f"{path}: {part} in the .docx declares a DOCTYPE/entities, which Word never writes; not read")
    return root


def main_part(ar: Archive) -> str | None:
    if ar.has("_rels/.rels"):
        try:
            rels = parse_xml(ar.read("_rels/.rels"), "_rels/.rels", ar.path)
        except (CorruptFile, FileTooLarge):
            rels = None
        if rels is not None:
            for rel in rels:
                if str(rel.get("Type", "")).endswith("/officeDocument"):
                    target = str(rel.get("Target", "")).lstrip("/")
                    if ar.has(target) and target.lower().endswith(".xml"):
                        return target
    return "word/document.xml" if ar.has("word/document.xml") else None


def part_near(main: str, name: str) -> str:
    folder = main.rsplit("/", 1)[0] + "/" if "/" in main else ""
    return folder + name


# ------------------------------------------------------------------ WordprocessingML names
MAIN_NS = ("http://schemas.openxmlformats.org/wordprocessingml/2006/main",
            "http://purl.oclc.org/ooxml/wordprocessingml/main")
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"


class WordNames:
    """Clark-notation tag names of one WordprocessingML namespace (transitional or strict): `W.tbl` is
    "{ns}tbl". One attribute per element or attribute name the parser reads (declared, so typed)."""

    body: str
    p: str
    r: str
    t: str
    tab: str
    ptab: str
    br: str
    cr: str
    noBreakHyphen: str
    tbl: str
    tr: str
    tc: str
    tcPr: str
    trPr: str
    gridSpan: str
    vMerge: str
    hMerge: str
    gridBefore: str
    gridAfter: str
    sdt: str
    sdtContent: str
    customXml: str
    txbxContent: str
    del_: str  # w:del (`del` is a Python keyword)
    moveFrom: str
    rt: str
    vanish: str
    rPr: str
    pPr: str
    numPr: str
    numId: str
    ilvl: str
    pStyle: str
    val: str
    style: str
    styleId: str
    basedOn: str
    abstractNum: str
    abstractNumId: str
    num: str
    lvl: str
    start: str
    numFmt: str
    lvlText: str
    suff: str
    lvlOverride: str
    startOverride: str
    isLgl: str
    lvlRestart: str
    sdtPr: str
    docPartObj: str
    docPartGallery: str
    run_text: tuple[str, ...]
    drop: tuple[str, ...]
    wrappers: tuple[str, ...]
    chars: dict[str, str]

    def __init__(self, ns: str) -> None:
        w = f"{{{ns}}}"
        for attr in _WORD_NAMES:
            setattr(self, attr, w + attr.rstrip("_"))
        self.run_text = (self.t, self.tab, self.ptab, self.br, self.cr, self.noBreakHyphen)
        self.drop = (self.txbxContent, self.del_, self.moveFrom, self.rt, MC + "Fallback")
        self.wrappers = (self.sdt, self.sdtContent, self.customXml)
        self.chars = {self.tab: " ", self.ptab: " ", self.br: "\n", self.cr: "\n", self.noBreakHyphen: "-"}


_WORD_NAMES = tuple(k for k, v in WordNames.__annotations__.items() if v in ("str", str))  # the declared names

NAMESPACES = {ns: WordNames(ns) for ns in MAIN_NS}
