"""Word .docx (Office Open XML) → RawDocument, with zipfile + lxml (no python-docx at parse time).

Archive safety (nothing is unpacked to disk, and nothing is decompressed beyond the limits):

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

Blocks in document order from w:body (also inside block-level content controls w:sdt and w:customXml):

* A table of contents (a content control of the "Table of Contents" gallery) is skipped: it would
  repeat every section heading before the report.
* w:p → paragraph text: only w:t is read (never w:instrText, w:delText, DrawingML numbers such as
  wp:posOffset, or OLE metadata), from every run, including runs inside hyperlinks, smart tags,
  fields (their results), inline content controls and tracked insertions; w:tab/w:ptab → space;
  w:br/w:cr → a new line, and each line is its own paragraph; w:noBreakHyphen → "-". Skipped: deleted
  text (w:del, w:delText, w:moveFrom), text boxes (w:txbxContent, in DrawingML or VML), ruby guide
  text (w:rt), the mc:Fallback copy of mc:AlternateContent, and runs marked hidden (w:vanish).
  Automatic list numbering (word/numbering.xml, direct or through the paragraph style and the styles
  it is based on) is printed as Word prints it ("一、", "（二）", "1.") before the text; counters run
  per w:num in document order, lower levels restart. A damaged styles/numbering part only loses the
  labels. Whitespace (incl. U+3000) collapses to one
  space, invisible characters are dropped, lines are stripped, empty ones skipped.
* w:tbl → `Block("table")`: one row per w:tr; each w:tc is `TCell(text, span=w:gridSpan)`; a cell with
  `w:vMerge` (continue, no val) is the stand-in `TCell("", span, cont=True)` and `w:vMerge="restart"`
  starts a merge; legacy w:hMerge continuation cells widen the cell before them. w:gridBefore /
  w:gridAfter (grid columns a row leaves out on the left / right) become `TCell("", n)`, so every row
  keeps the geometry of the grid and values stay under their headers counted from the right edge.
  Cell text = the cell's lines (paragraphs, line breaks, nested-table cells) joined with "" — with a
  single space where the join would glue two digits together, as `html.cell_text` does. Nested tables
  are flattened into their cell's text.
* A *layout* table (at most one cell, a cell over 800 characters, or a cell with a nested table and
  over 200 characters — a frame around the whole report) is walked as content instead of gridded.

`title_hint` is dc:title of docProps/core.xml when set.

Speed: about 3.5 ms for a python-docx report on one core of this box — 1 ms of it libxml2 parsing
the 70 kB document.xml, 0.6 ms inflating python-docx's 440 kB styles.xml (read only when the document
has list numbering and uses paragraph styles; Word's own is ~30 kB), the rest the walk.
"""

from __future__ import annotations

import io
import re
import zipfile

from lxml import etree

from ..model import Block, CorruptFile, FileTooLarge, NotAReport, RawDocument, Table, TCell

__all__ = ["parse_docx", "MAX_UNPACKED", "MAX_PART", "MAX_RATIO", "MAX_MEMBERS"]

MAX_UNPACKED = 100 * 2**20  # declared uncompressed total of all members (images included)
MAX_PART = 50 * 2**20       # one XML part that is actually read
MAX_RATIO = 100             # uncompressed : compressed, for parts over 1 MiB and for the whole archive
MAX_MEMBERS = 10_000
_SMALL = 2**20

_MAIN_NS = ("http://schemas.openxmlformats.org/wordprocessingml/2006/main",
            "http://purl.oclc.org/ooxml/wordprocessingml/main")
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ROOT_START = re.compile(rb"<[^!?]")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_DIGITS = frozenset("0123456789０１２３４５６７８９")
_MAX_SPAN = 1000
_FIX = "open it in Word or WPS and save it as .docx"


class _NS:
    """Clark-notation tag names of one WordprocessingML namespace (transitional or strict)."""

    def __init__(self, ns: str):
        w = "{%s}" % ns
        for name in ("body", "p", "r", "t", "tab", "ptab", "br", "cr", "noBreakHyphen", "tbl", "tr", "tc",
                     "tcPr", "trPr", "gridSpan", "vMerge", "hMerge", "gridBefore", "gridAfter", "sdt",
                     "sdtContent", "customXml", "txbxContent", "del", "moveFrom", "rt", "vanish", "rPr",
                     "pPr", "numPr", "numId", "ilvl", "pStyle", "val", "style", "styleId", "basedOn",
                     "abstractNum", "abstractNumId", "num", "lvl", "start", "numFmt", "lvlText", "suff",
                     "lvlOverride", "startOverride", "isLgl", "lvlRestart", "sdtPr", "docPartObj", "docPartGallery"):
            setattr(self, name, w + name)
        self.run_text = (self.t, self.tab, self.ptab, self.br, self.cr, self.noBreakHyphen)
        self.drop = (self.txbxContent, getattr(self, "del"), self.moveFrom, self.rt, _MC + "Fallback")
        self.wrappers = (self.sdt, self.sdtContent, self.customXml)
        self.chars = {self.tab: " ", self.ptab: " ", self.br: "\n", self.cr: "\n", self.noBreakHyphen: "-"}


_NAMESPACES = {ns: _NS(ns) for ns in _MAIN_NS}


# --------------------------------------------------------------------------- the archive

def _not_docx(path: str, why: str, fix: str = _FIX) -> CorruptFile:
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
            return _not_docx(path, "a legacy Excel .xls workbook")
        return CorruptFile(f"{path}: legacy binary Office file (OLE: .doc, .wps, .xls …) named .docx; {_FIX}")
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if data.startswith(b"PK"):
        return _not_docx(path, "damaged or truncated zip archive", _REFETCH)
    if head.startswith(b"%pdf"):
        return _not_docx(path, "a PDF file")
    if head.startswith(b"{\\rtf"):
        return _not_docx(path, "an RTF file")
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return _not_docx(path, "an HTML page")
    if head.startswith(b"<?xml") or head.startswith(b"<"):
        return _not_docx(path, "an XML file, not a zip archive")
    return _not_docx(path, "not a zip archive")


class _Archive:
    def __init__(self, data: bytes, path: str):
        self.path = path
        if data.startswith(_OLE) or not data.startswith(b"PK"):
            raise _sniff(data, path)
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zf.infolist()
        except Exception as exc:  # zipfile raises many kinds on a damaged central directory
            raise _not_docx(path, f"damaged or truncated zip archive: {_msg(exc)}", _REFETCH) from None
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
            raise _not_docx(path, f"damaged zip member {info.filename}: {_msg(exc)}", _REFETCH) from None
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


def _xml(data: bytes, part: str, path: str):
    """Parse one XML part safely (see the module docstring). Returns the root element."""
    m = _ROOT_START.search(data, 0, 1 << 16)
    prolog = data[: m.start()] if m else data[: 1 << 16]
    if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
        raise CorruptFile(f"{path}: {part} in the .docx declares a DOCTYPE/entities, which Word never writes; not read")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True, remove_pis=True, collect_ids=False)
    try:
        root = etree.fromstring(data, parser)
    except (etree.LxmlError, ValueError) as exc:
        if "amplification" in str(exc) or "DOCTYPE" in str(exc):  # libxml2's entity guard (a UTF-16 part)
            raise CorruptFile(f"{path}: {part} in the .docx declares a DOCTYPE/entities, which Word never writes; "
                              "not read") from None
        raise _not_docx(path, f"{part} is not well-formed XML: {_msg(exc)}", _REFETCH) from None
    if root is None:
        raise _not_docx(path, f"{part} is empty")
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None:
        raise CorruptFile(f"{path}: {part} in the .docx declares a DOCTYPE/entities, which Word never writes; not read")
    return root


def _main_part(ar: _Archive) -> str | None:
    if ar.has("_rels/.rels"):
        try:
            rels = _xml(ar.read("_rels/.rels"), "_rels/.rels", ar.path)
        except (CorruptFile, FileTooLarge):
            rels = None
        if rels is not None:
            for rel in rels:
                if str(rel.get("Type", "")).endswith("/officeDocument"):
                    target = str(rel.get("Target", "")).lstrip("/")
                    if ar.has(target) and target.lower().endswith(".xml"):
                        return target
    return "word/document.xml" if ar.has("word/document.xml") else None


def _part_near(main: str, name: str) -> str:
    folder = main.rsplit("/", 1)[0] + "/" if "/" in main else ""
    return folder + name


# --------------------------------------------------------------------------- text

def _norm(s: str) -> str:
    s = s.strip()
    if not s:
        return s
    if "\u200b" in s or "\ufeff" in s or "\u00ad" in s or "\u200c" in s or "\u200d" in s or "\u2060" in s:
        s = _INVISIBLE.sub("", s)
    return " ".join(s.split())


def _join_lines(lines: list[str]) -> str:
    if not lines:
        return ""
    out = lines[0]
    for line in lines[1:]:
        if out and out[-1] in _DIGITS and line[0] in _DIGITS:
            out = f"{out} {line}"
        else:
            out += line
    return out


def _int(value, lo: int, hi: int, default: int) -> int:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    return n if lo <= n <= hi else default


# --------------------------------------------------------------------------- numbering

_CN_DIGITS = "〇一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_PAREN = "⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽⑾⑿⒀⒁⒂⒃⒄⒅⒆⒇"
_STOP = "⒈⒉⒊⒋⒌⒍⒎⒏⒐⒑⒒⒓⒔⒕⒖⒗⒘⒙⒚⒛"
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def _cn_count(n: int, digits: str = _CN_DIGITS, ten: str = "十", hundred: str = "百") -> str:
    if n <= 0 or n >= 1000:
        return str(n)
    h, rest = divmod(n, 100)
    t, u = divmod(rest, 10)
    out = f"{digits[h]}{hundred}" if h else ""
    if t:
        out += ("" if t == 1 and not h else digits[t]) + ten
    elif h and u:
        out += digits[0]
    if u:
        out += digits[u]
    return out


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting",
               "taiwaneseCountingThousand", "koreanCounting"):
        return _cn_count(n)
    if fmt in ("chineseLegalSimplified", "japaneseLegal"):
        return _cn_count(n, _CN_LEGAL, "拾", "佰")
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join(_CN_DIGITS[int(d)] for d in str(n))
    if fmt == "ideographTraditional":
        return _TIANGAN[(n - 1) % 10]
    if fmt == "ideographZodiac":
        return _DIZHI[(n - 1) % 12]
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese", "ideographEnclosedCircle"):
        return _CIRCLED[n - 1] if 1 <= n <= 20 else str(n)
    if fmt == "decimalEnclosedParen":
        return _PAREN[n - 1] if 1 <= n <= 20 else f"({n})"
    if fmt == "decimalEnclosedFullstop":
        return _STOP[n - 1] if 1 <= n <= 20 else f"{n}."
    if fmt in ("upperLetter", "lowerLetter"):
        s = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else str(n)
        return s if fmt == "upperLetter" else s.lower()
    if fmt in ("upperRoman", "lowerRoman"):
        if not 0 < n < 4000:
            return str(n)
        out, x = "", n
        for v, s in _ROMAN:
            while x >= v:
                out, x = out + s, x - v
        return out if fmt == "upperRoman" else out.lower()
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("none", "bullet"):
        return ""
    return str(n)


class _Numbering:
    """Word's automatic list labels: numbering.xml definitions, paragraph-style links, live counters."""

    def __init__(self, ns: _NS, numbering, style_num: dict[str, tuple[str, int | None]]):
        self.ns = ns
        W = ns
        abstract: dict[str, dict[int, tuple]] = {}
        for a in numbering.iterchildren(W.abstractNum):
            levels = {}
            for lvl in a.iterchildren(W.lvl):
                levels[_int(lvl.get(W.ilvl), 0, 8, 0)] = self._level(lvl)
            abstract[a.get(W.abstractNumId, "")] = levels
        self.nums: dict[str, dict[int, tuple]] = {}
        for num in numbering.iterchildren(W.num):
            ref = num.find(W.abstractNumId)
            levels = dict(abstract.get(ref.get(W.val, "") if ref is not None else "", {}))
            for ov in num.iterchildren(W.lvlOverride):
                i = _int(ov.get(W.ilvl), 0, 8, 0)
                lvl = ov.find(W.lvl)
                if lvl is not None:
                    levels[i] = self._level(lvl)
                so = ov.find(W.startOverride)
                if so is not None and i in levels:
                    levels[i] = (_int(so.get(W.val), -1, 10**6, 1),) + levels[i][1:]
            self.nums[num.get(W.numId, "")] = levels
        self.style_num = style_num
        self.counters: dict[str, list[int | None]] = {}

    def _level(self, lvl) -> tuple:
        W = self.ns
        start, fmt, text, suff = lvl.find(W.start), lvl.find(W.numFmt), lvl.find(W.lvlText), lvl.find(W.suff)
        return (_int(start.get(W.val), -1, 10**6, 1) if start is not None else 1,
                fmt.get(W.val, "decimal") if fmt is not None else "decimal",
                text.get(W.val) if text is not None else None,
                suff.get(W.val, "tab") if suff is not None else "tab",
                lvl.find(W.isLgl) is not None)

    def label(self, p) -> str:
        W = self.ns
        ppr = p.find(W.pPr)
        if ppr is None:
            return ""
        nid = ilvl = None
        npr = ppr.find(W.numPr)
        if npr is not None:
            n, i = npr.find(W.numId), npr.find(W.ilvl)
            nid = n.get(W.val) if n is not None else None
            ilvl = _int(i.get(W.val), 0, 8, 0) if i is not None else None
        if nid is None or ilvl is None:
            ps = ppr.find(W.pStyle)
            if ps is not None:
                snid, silvl = self.style_num.get(ps.get(W.val, ""), (None, None))
                nid = nid if nid is not None else snid
                ilvl = ilvl if ilvl is not None else silvl
        if nid is None or nid == "0":
            return ""
        ilvl = ilvl or 0
        levels = self.nums.get(nid)
        if not levels or ilvl not in levels:
            return ""
        count = self.counters.setdefault(nid, [None] * 9)
        start, fmt, text, suff, _legal = levels[ilvl]
        count[ilvl] = start if count[ilvl] is None else count[ilvl] + 1
        for deeper in range(ilvl + 1, 9):
            count[deeper] = None
        if text is None or fmt == "bullet":
            return ""

        def sub(m: re.Match) -> str:
            k = int(m.group(1)) - 1
            if k > ilvl or k not in levels:
                return ""
            n = count[k] if count[k] is not None else levels[k][0]
            return _format_number(n, "decimal" if (levels[ilvl][4] and k < ilvl) else levels[k][1])

        out = re.sub(r"%([1-9])", sub, text)
        if not out.strip():
            return ""
        return out + ("" if suff == "nothing" else " ")


# --------------------------------------------------------------------------- walking

class _Walker:
    def __init__(self, ns: _NS, numbering: _Numbering | None):
        self.W = ns
        self.numbering = numbering

    def para_lines(self, p) -> list[str]:
        """The lines of one w:p (after `_prepare` turned tabs, breaks and hyphens into w:t)."""
        text = "".join([t.text or "" for t in p.iter(self.W.t)])
        numbering = self.numbering
        if numbering is not None:
            label = numbering.label(p)
            if label:
                text = label + text
        if not text:
            return []
        if "\n" in text:
            return [line for line in map(_norm, text.split("\n")) if line]
        text = _norm(text)
        return [text] if text else []

    def _children(self, el, tag: str) -> list:
        """Children with `tag`, looking through content controls and custom XML wrappers."""
        out = []
        wrappers = self.W.wrappers
        for child in el:
            ctag = child.tag
            if ctag == tag:
                out.append(child)
            elif ctag in wrappers:
                out.extend(self._children(child, tag))
        return out

    def cell_lines(self, container, lines: list[str]) -> None:
        W = self.W
        for el in container:
            tag = el.tag
            if tag == W.p:
                lines.extend(self.para_lines(el))
            elif tag == W.tbl:
                for tr in self._children(el, W.tr):
                    for tc in self._children(tr, W.tc):
                        if not self._is_continue(tc):
                            self.cell_lines(tc, lines)
            elif tag in W.wrappers:
                self.cell_lines(el, lines)

    def _is_continue(self, tc) -> bool:
        W = self.W
        pr = tc.find(W.tcPr)
        if pr is None:
            return False
        vm = pr.find(W.vMerge)
        return vm is not None and vm.get(W.val) != "restart"

    def grid(self, tbl) -> tuple[Table, bool]:
        """The grid of one w:tbl, and whether it is a layout table (see the module docstring)."""
        W = self.W
        tcPr, gridSpan, vMerge, hMerge, val, p, t = W.tcPr, W.gridSpan, W.vMerge, W.hMerge, W.val, W.p, W.t
        numbering = self.numbering
        grid: Table = []
        longest = 0
        cells = 0
        for tr in self._children(tbl, W.tr):
            row: list[TCell] = []
            before = after = 0
            pr = tr.find(W.trPr)
            if pr is not None:
                gb, ga = pr.find(W.gridBefore), pr.find(W.gridAfter)
                before = _int(gb.get(W.val), 0, _MAX_SPAN, 0) if gb is not None else 0
                after = _int(ga.get(W.val), 0, _MAX_SPAN, 0) if ga is not None else 0
            if before:
                row.append(TCell("", before))
            for tc in self._children(tr, W.tc):
                span, vmerge, hmerge = 1, None, None
                n = len(tc)
                if n and tc[0].tag == tcPr:  # w:tcPr is the first child when present
                    for prop in tc[0]:
                        ptag = prop.tag
                        if ptag == gridSpan:
                            span = _int(prop.get(val), 1, _MAX_SPAN, 1)
                        elif ptag == vMerge:
                            vmerge = prop.get(val) or "continue"
                        elif ptag == hMerge:
                            hmerge = prop.get(val) or "continue"
                if hmerge is not None and hmerge != "restart" and row and row[-1].span:
                    row[-1].span += span  # legacy horizontal merge: this cell belongs to the one before
                    continue
                if vmerge is not None and vmerge != "restart":
                    row.append(TCell("", span, True))
                    continue
                if n and tc[n - 1].tag == p and (n == 1 or (n == 2 and tc[0].tag == tcPr)):
                    # the usual <w:tc><w:tcPr/><w:p/></w:tc>
                    text = "".join([x.text or "" for x in tc[n - 1].iter(t)])
                    if numbering is not None or "\n" in text:
                        text = _join_lines(self.para_lines(tc[n - 1]))
                    elif text and not text.isdigit():
                        text = _norm(text)
                else:
                    lines: list[str] = []
                    self.cell_lines(tc, lines)
                    text = _join_lines(lines)
                    if len(text) > 200 and tc.find(".//" + W.tbl) is not None:
                        longest = max(longest, 801)
                cells += 1
                longest = max(longest, len(text))
                row.append(TCell(text, span))
            if after:
                row.append(TCell("", after))
            grid.append(row)
        return grid, cells <= 1 or longest > 800

    def _is_toc(self, sdt) -> bool:
        W = self.W
        gallery = sdt.find(f"{W.sdtPr}/{W.docPartObj}/{W.docPartGallery}")
        return gallery is not None and "contents" in (gallery.get(W.val) or "").lower()

    def blocks(self, container, out: list[Block]) -> None:
        W = self.W
        p, tbl, wrappers = W.p, W.tbl, W.wrappers
        for el in container:
            tag = el.tag
            if tag == p:
                for line in self.para_lines(el):
                    out.append(Block("para", text=line))
            elif tag == tbl:
                saved = None
                if self.numbering is not None:
                    saved = {k: list(v) for k, v in self.numbering.counters.items()}
                grid, layout = self.grid(el)
                if layout:
                    if saved is not None:
                        self.numbering.counters = saved
                    for tr in self._children(el, W.tr):
                        for tc in self._children(tr, W.tc):
                            if not self._is_continue(tc):
                                self.blocks(tc, out)
                elif any(grid):
                    out.append(Block("table", table=grid))
            elif tag in wrappers:
                if tag == W.sdt and self._is_toc(el):
                    continue  # a table of contents would repeat every heading before the report
                self.blocks(el, out)


def _prepare(root, ns: _NS) -> None:
    """Remove what is not printed text of the body — deleted/moved-from text, text boxes, ruby guides,
    the fallback copy of alternate content, hidden runs (w:vanish) — and turn run-level tabs, breaks
    and non-breaking hyphens into w:t holding " ", "\n", "-", so a paragraph's text is its w:t texts."""
    doomed = list(root.iter(*ns.drop))
    for v in root.iter(ns.vanish):
        if v.get(ns.val, "true") in ("0", "false", "off"):
            continue
        rpr = v.getparent()
        run = rpr.getparent() if rpr is not None and rpr.tag == ns.rPr else None
        if run is not None and run.tag == ns.r:
            doomed.append(run)
    for el in doomed:
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)
    r, t, chars = ns.r, ns.t, ns.chars
    for el in list(root.iter(ns.tab, ns.ptab, ns.br, ns.cr, ns.noBreakHyphen)):
        if el.getparent().tag == r:  # not a tab stop of w:pPr/w:tabs
            el.text = chars[el.tag]
            el.tag = t


_STYLE_NUM_ID = re.compile(rb'<w:numId\s+w:val="([^"]*)"')
_STYLE_ILVL = re.compile(rb'<w:ilvl\s+w:val="([^"]*)"')
_STYLE_BASED = re.compile(rb'<w:basedOn\s+w:val="([^"]*)"')


def _style_numbers(styles: bytes, used: set[str]) -> dict[str, tuple[str, int | None]]:
    """numId/ilvl that the paragraph styles in `used` (and the styles they are based on) give.

    styles.xml can be half a megabyte (python-docx's template) — parsing it would cost more than the
    whole document — so the few styles the document uses are looked up in its bytes instead: Word and
    every OOXML writer we know spell them `w:styleId="…"` … `</w:style>` with the w: prefix."""
    chunks: dict[str, bytes | None] = {}

    def chunk(sid: str) -> bytes | None:
        if sid not in chunks:
            key = b'w:styleId="' + sid.replace("&", "&amp;").replace('"', "&quot;").encode("utf-8") + b'"'
            i = styles.find(key)
            if i < 0:
                chunks[sid] = None
            else:
                end = styles.find(b"</w:style>", i)
                chunks[sid] = styles[i: end if end >= 0 else i + 8192]
        return chunks[sid]

    out: dict[str, tuple[str, int | None]] = {}
    for sid in used:
        nid = ilvl = None
        cur, seen = sid, set()
        while cur and cur not in seen and len(seen) < 20:
            seen.add(cur)
            c = chunk(cur)
            if c is None:
                break
            if nid is None and (m := _STYLE_NUM_ID.search(c)):
                nid = m.group(1).decode("ascii", "replace")
            if ilvl is None and (m := _STYLE_ILVL.search(c)):
                ilvl = _int(m.group(1).decode("ascii", "replace"), 0, 8, 0)
            m = _STYLE_BASED.search(c)
            cur = m.group(1).decode("utf-8", "replace") if m else None
        if nid is not None and nid != "0":
            out[sid] = (nid, ilvl)
    return out


def _numbering(ar: _Archive, main: str, doc_xml: bytes, body, ns: _NS) -> _Numbering | None:
    """List numbering, only when the document uses it (directly or through a paragraph style). A damaged
    styles or numbering part costs the list labels, not the report."""
    name = _part_near(main, "numbering.xml")
    if not ar.has(name):
        return None
    try:
        style_num: dict[str, tuple[str, int | None]] = {}
        used = {v for el in body.iter(ns.pStyle) if (v := el.get(ns.val))}
        styles_name = _part_near(main, "styles.xml")
        if used and ar.has(styles_name):
            style_num = _style_numbers(ar.read(styles_name), used)
        if not style_num and b"numPr" not in doc_xml:
            return None
        return _Numbering(ns, _xml(ar.read(name), name, ar.path), style_num)
    except (CorruptFile, FileTooLarge):
        return None


def _title_hint(ar: _Archive) -> str | None:
    if not ar.has("docProps/core.xml"):
        return None
    try:
        core = _xml(ar.read("docProps/core.xml"), "docProps/core.xml", ar.path)
    except (CorruptFile, FileTooLarge):
        return None
    el = core.find(_DC_TITLE)
    text = _norm(el.text or "") if el is not None else ""
    return text or None


# --------------------------------------------------------------------------- entry point

def parse_docx(data: bytes, path: str) -> RawDocument:
    """Parse one Word .docx into paragraphs and table grids (source_format "docx")."""
    ar = _Archive(data, path)
    main = _main_part(ar)
    kind = ar.kind()
    if main is None or (kind and not main.lower().startswith("word/")):
        raise _not_docx(path, kind or "a zip archive without word/document.xml")
    doc_xml = ar.read(main)
    root = _xml(doc_xml, main, path)
    tag = root.tag if isinstance(root.tag, str) else ""
    ns_uri, _, local = tag[1:].partition("}")
    if local != "document" or ns_uri not in _NAMESPACES:
        raise _not_docx(path, f"{main} is <{local or '?'}>, not a Word document")
    ns = _NAMESPACES[ns_uri]
    body = root.find(ns.body)
    if body is None:
        raise NotAReport(f"{path}: the Word document has no body text")
    _prepare(body, ns)
    walker = _Walker(ns, _numbering(ar, main, doc_xml, body, ns))
    blocks: list[Block] = []
    walker.blocks(body, blocks)
    if not blocks:
        raise NotAReport(f"{path}: the Word document has no text (a scanned image or an embedded object?); "
                         "harvest a text version of the report")
    return RawDocument("docx", blocks, title_hint=_title_hint(ar))
