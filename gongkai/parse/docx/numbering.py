"""Word list numbering (word/numbering.xml, directly or through paragraph styles) printed as Word prints it."""

from __future__ import annotations

import re

from lxml import etree

from gongkai.parse.docx.archive import Archive, WordNames, parse_xml, part_near
from gongkai.parse.errors import CorruptFile, FileTooLarge


def bounded_int(value: str | None, lo: int, hi: int, default: int) -> int:
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


# One list level: (start, numFmt, lvlText or None, suff, isLgl).
Level = tuple[int, str, str | None, str, bool]


class Numbering:
    """Word's automatic list labels: numbering.xml definitions, paragraph-style links, live counters."""

    def __init__(self, ns: WordNames, numbering: etree._Element, style_num: dict[str, tuple[str, int | None]]) -> None:
        self.ns = ns
        W = ns
        abstract: dict[str, dict[int, Level]] = {}
        for a in numbering.iterchildren(W.abstractNum):
            levels: dict[int, Level] = {}
            for lvl in a.iterchildren(W.lvl):
                levels[bounded_int(lvl.get(W.ilvl), 0, 8, 0)] = self._level(lvl)
            abstract[a.get(W.abstractNumId, "")] = levels
        self.nums: dict[str, dict[int, Level]] = {}
        for num in numbering.iterchildren(W.num):
            ref = num.find(W.abstractNumId)
            levels = dict(abstract.get(ref.get(W.val, "") if ref is not None else "", {}))
            for ov in num.iterchildren(W.lvlOverride):
                i = bounded_int(ov.get(W.ilvl), 0, 8, 0)
                override = ov.find(W.lvl)
                if override is not None:
                    levels[i] = self._level(override)
                so = ov.find(W.startOverride)
                if so is not None and i in levels:
                    levels[i] = (bounded_int(so.get(W.val), -1, 10**6, 1),) + levels[i][1:]
            self.nums[num.get(W.numId, "")] = levels
        self.style_num = style_num
        self.counters: dict[str, list[int | None]] = {}

    def _level(self, lvl: etree._Element) -> Level:
        W = self.ns
        start, fmt, text, suff = lvl.find(W.start), lvl.find(W.numFmt), lvl.find(W.lvlText), lvl.find(W.suff)
        return (bounded_int(start.get(W.val), -1, 10**6, 1) if start is not None else 1,
                fmt.get(W.val, "decimal") if fmt is not None else "decimal",
                text.get(W.val) if text is not None else None,
                suff.get(W.val, "tab") if suff is not None else "tab",
                lvl.find(W.isLgl) is not None)

    def label(self, p: etree._Element) -> str:
        W = self.ns
        ppr = p.find(W.pPr)
        if ppr is None:
            return ""
        nid = ilvl = None
        npr = ppr.find(W.numPr)
        if npr is not None:
            n, i = npr.find(W.numId), npr.find(W.ilvl)
            nid = n.get(W.val) if n is not None else None
            ilvl = bounded_int(i.get(W.val), 0, 8, 0) if i is not None else None
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
        current = count[ilvl]
        count[ilvl] = start if current is None else current + 1
        for deeper in range(ilvl + 1, 9):
            count[deeper] = None
        if text is None or fmt == "bullet":
            return ""

        def sub(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            if k > ilvl or k not in levels:
                return ""
            counted = count[k]
            n = counted if counted is not None else levels[k][0]
            return _format_number(n, "decimal" if (levels[ilvl][4] and k < ilvl) else levels[k][1])

        out = re.sub(r"%([1-9])", sub, text)
        if not out.strip():
            return ""
        return out + ("" if suff == "nothing" else " ")


_STYLE_NUM_ID = re.compile(rb'<w:numId\s+w:val="([^"]*)"')
_STYLE_ILVL = re.compile(rb'<w:ilvl\s+w:val="([^"]*)"')
_STYLE_BASED = re.compile(rb'<w:basedOn\s+w:val="([^"]*)"')


def style_numbers(styles: bytes, used: set[str]) -> dict[str, tuple[str, int | None]]:
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
        cur: str | None = sid
        seen: set[str] = set()
        while cur and cur not in seen and len(seen) < 20:
            seen.add(cur)
            c = chunk(cur)
            if c is None:
                break
            if nid is None and (m := _STYLE_NUM_ID.search(c)):
                nid = m.group(1).decode("ascii", "replace")
            if ilvl is None and (m := _STYLE_ILVL.search(c)):
                ilvl = bounded_int(m.group(1).decode("ascii", "replace"), 0, 8, 0)
            m = _STYLE_BASED.search(c)
            cur = m.group(1).decode("utf-8", "replace") if m else None
        if nid is not None and nid != "0":
            out[sid] = (nid, ilvl)
    return out


def numbering(ar: Archive, main: str, doc_xml: bytes, body: etree._Element, ns: WordNames) -> Numbering | None:
    """List numbering, only when the document uses it (directly or through a paragraph style). A damaged
    styles or numbering part costs the list labels, not the report."""
    name = part_near(main, "numbering.xml")
    if not ar.has(name):
        return None
    try:
        style_num: dict[str, tuple[str, int | None]] = {}
        used = {v for el in body.iter(ns.pStyle) if (v := el.get(ns.val))}
        styles_name = part_near(main, "styles.xml")
        if used and ar.has(styles_name):
            style_num = style_numbers(ar.read(styles_name), used)
        if not style_num and b"numPr" not in doc_xml:
            return None
        return Numbering(ns, parse_xml(ar.read(name), name, ar.path), style_num)
    except (CorruptFile, FileTooLarge):
        return None


