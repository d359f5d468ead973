"""bytes → str for text and HTML reports, with honest failure.

`decode_text(data, path, declared=None)` tries, in order:

1. a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE);
2. obvious non-text containers (PDF, ZIP/DOCX, OLE .doc/.xls, images) and NUL bytes → UndecodableText
   (BOM-less UTF-16 is recognised by its alternating NULs and decoded instead);
3. the declared charset (HTML <meta>, HTTP header…) when strict decoding with it succeeds; GBK, GB2312,
   CP936, EUC-CN… are decoded as GB18030, their superset. A declared single-byte charset (ISO-8859-1,
   windows-1252…) decodes *any* byte string, so it is only trusted for pure-ASCII data here and is
   otherwise tried after steps 4–5. A mislabelled page (meta says utf-8, bytes are GBK) falls through;
4. strict UTF-8 (an incomplete character cut off at the very end is dropped);
5. strict GB18030, accepted only when the result looks like Chinese text: at most 20 % of the non-ASCII
   characters may lie outside GB2312 (mojibake from Latin-1 or other bytes lands in the rare GBK
   extension areas);
6. UTF-8, then GB18030, with a handful of invalid sequences replaced by U+FFFD (≤ 8 and ≤ 0.1 % of the
   bytes: a damaged byte, never a digit — the replacement stays visible in the text);
7. charset-normalizer as the last resort.

Every result is checked for binary content (control characters, replacement characters). Empty or
whitespace-only input raises EmptyFile. Messages are one line: file, what is wrong, how to fix it.
"""

from __future__ import annotations

import codecs
import re

from gongkai.parse.errors import EmptyFile, UndecodableText

__all__ = ["decode_text", "sniff_html_charset", "normalize_charset"]

_FIX = "re-save the report as UTF-8 text"

_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_MAGIC = (
    (b"%PDF-", "a PDF file", "give it a .pdf extension"),
    (b"PK\x03\x04", "a ZIP container (DOCX/XLSX?)", "give it its real extension (.docx)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Word/Excel (OLE) file", "save it as .docx or as UTF-8 text"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image", "harvest the report itself, not an image of it"),
    (b"\xff\xd8\xff", "a JPEG image", "harvest the report itself, not an image of it"),
    (b"GIF8", "a GIF image", "harvest the report itself, not an image of it"),
    (b"{\\rtf", "an RTF document", "save it as .docx or as UTF-8 text"),
    (b"\x1f\x8b", "a gzip-compressed file", "decompress it first"),
)

_GB_NAMES = {
    "gbk", "gb2312", "gb_2312", "gb_2312-80", "gb18030", "gb-18030", "cp936", "ms936", "windows-936",
    "x-gbk", "euc-cn", "euccn", "x-euc-cn", "csgb2312", "iso-ir-58", "chinese", "hz-gb-2312", "gb-2312",
}
_UTF8_NAMES = {"utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8", "unicode-2-0-utf-8"}

# control characters that never occur in a text report (tab, LF, VT, FF, CR and the Word cell
# marker \x07 are tolerated; C1 controls \x80–\x9f only appear in mis-decoded or binary data)
_CONTROL = re.compile(r"[\x00-\x06\x08\x0e-\x1a\x1c-\x1f\x7f\x80-\x9f]")
_CONTROL_BYTES = re.compile(rb"[\x00-\x06\x08\x0e-\x1a\x1c-\x1f\x7f]")

_META_CHARSET = re.compile(
    rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)


def normalize_charset(name: str | None) -> str | None:
    """A declared charset label → a Python codec name (GB family → gb18030); None if unknown."""
    if not name:
        return None
    label = name.strip().strip("\"'").lower()
    if not label:
        return None
    if label in _GB_NAMES:
        return "gb18030"
    if label in _UTF8_NAMES:
        return "utf-8"
    try:
        codec = codecs.lookup(label).name
    except LookupError:
        return None
    if codec in ("gbk", "gb2312", "gb18030", "hz"):
        return "gb18030"
    return codec


def sniff_html_charset(head: bytes) -> str | None:
    """The charset declared in the first ~4 KB of an HTML page: `<meta charset=…>`,
    `<meta http-equiv="Content-Type" content="text/html; charset=…">` or an XML declaration.
    Returns the normalised codec name (GBK/GB2312 → gb18030) or None."""
    head = head[:4096]
    m = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if not m:
        return None
    return normalize_charset(m.group(1).decode("ascii", "replace"))


def _fail(path: str, what: str, fix: str = _FIX) -> UndecodableText:
    return UndecodableText(f"{path}: {what}; {fix}")


def _looks_chinese(text: str) -> bool:
    """GB18030-decoded text is plausible when almost all of its non-ASCII characters are in GB2312."""
    outside = text.encode("gb2312", "replace").count(b"?") - text.count("?")
    if outside == 0:  # (then the share is 0 whatever the count of non-ASCII characters: not counted)
        return True
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    return outside <= 0.2 * non_ascii


_CONTROL_BYTE_VALUES = bytes(b for b in range(0x80) if _CONTROL.match(chr(b)))  # _CONTROL's C0 part and DEL
# the byte sequences that begin every C1 control character (\x80–\x9f) of the two codecs: UTF-8 \xc2\x80–\xc2\x9f,
# GB18030 \x81\x30\x81\x30–\x81\x30\x84\x31
_C1_LEADS = {"utf-8": b"\xc2", "gb18030": b"\x810"}


def _no_controls(data: bytes, encoding: str) -> bool:
    """True when a text decoded strictly from `data` with `encoding` (utf-8 or gb18030) certainly holds no
    _CONTROL character, judged from the bytes in C: both codecs decode a byte below 0x80 to itself and never
    use one inside a multi-byte character, so the text holds a C0 control or DEL exactly when the bytes do,
    and a C1 control only where the bytes hold its codec's lead sequence. False: the text must be searched."""
    lead = _C1_LEADS.get(encoding)
    return (lead is not None and lead not in data
            and len(data.translate(None, _CONTROL_BYTE_VALUES)) == len(data))


def _check_text(text: str, data: bytes, path: str, encoding: str, strict: bool = False) -> str:
    """`strict`: text is data (or, for a cut-off UTF-8 character, its head) decoded strictly with encoding."""
    n = len(text)
    if n:
        if strict and _no_controls(data, encoding):
            controls = 0
        else:
            controls = len(_CONTROL.findall(text)) if _CONTROL.search(text) else 0
        if controls > max(2, n // 100):
            m = _CONTROL_BYTES.search(data)
            where = f" at offset {m.start()}" if m else ""
            raise _fail(path, f"not text in UTF-8 or GBK/GB18030 (binary control bytes{where}, read as {encoding})")
        bad = text.count("\ufffd")
        if bad > max(8, n // 1000):
            raise _fail(path, f"not text in UTF-8 or GBK/GB18030 ({bad} undecodable characters as {encoding})")
    if not text or text.isspace():  # (no copy of the text, unlike `not text.strip()`: the same test)
        raise EmptyFile(f"{path}: the file holds only whitespace; harvest it again")
    return text


def _lenient(data: bytes, encoding: str) -> str | None:
    """Decode with a few damaged sequences replaced; None when there are more than a few."""
    text = data.decode(encoding, "replace")
    bad = text.count("\ufffd") - data.decode(encoding, "ignore").count("\ufffd")
    if bad <= 8 and bad <= len(data) // 1000:
        return text
    return None


_PLAUSIBLE = re.compile(r"[\t\n\r\x20-\x7e\u00a0-\u00ff\u2000-\u206f\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def _bomless_utf16(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a BOM: NULs in the bytes, and one byte order gives plausible text (no NULs, a
    line break per 400 characters, ≥ 95 % ASCII/Latin-1/CJK/punctuation characters); None otherwise.
    (ASCII read as UTF-16 lands in the CJK block too, so the line breaks are what tell them apart.)"""
    if len(data) < 4 or len(data) % 2:
        return None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            continue
        sample = text[:4000]
        lines = sample.count("\n") + sample.count("\r")
        if lines * 400 >= len(sample) and len(_PLAUSIBLE.findall(sample)) >= 0.95 * len(sample):
            return text, enc
    return None


def decode_text(data: bytes, path: str, declared: str | None = None) -> tuple[str, str]:
    """Decode a report's bytes; returns (text without BOM, encoding name).

    Raises EmptyFile for empty/whitespace-only input and UndecodableText for binary or undecodable
    bytes (one-line messages naming `path`)."""
    if not data or data.isspace():
        raise EmptyFile(f"{path}: the file is empty; harvest it again")
    text: str | None

    # 1. byte-order mark
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError as exc:
                raise _fail(path, f"invalid {enc} after its byte-order mark (at offset {exc.start})") from None
            text = text.lstrip("\ufeff")
            return _check_text(text, data, path, enc), enc

    # 2. containers that are not text, then NUL bytes (binary, or UTF-16 without a BOM)
    for magic, what, fix in _MAGIC:
        if data.startswith(magic):
            raise _fail(path, f"this is {what}, not text", fix)
    nul = data.find(b"\x00")
    if nul >= 0:
        utf16 = _bomless_utf16(data)
        if utf16 is not None:
            return _check_text(utf16[0], data, path, utf16[1]), utf16[1]
        raise _fail(path, f"not text in UTF-8 or GBK/GB18030 (binary bytes at offset {nul})")

    # 3. the declared charset, when it decodes strictly
    declared_codec = normalize_charset(declared)
    if declared_codec and declared_codec.startswith(("utf-16", "utf-32", "utf_16", "utf_32")):
        declared_codec = None  # without a BOM (step 1) or NULs (step 2) the bytes are not UTF-16/32
    single_byte_declared: tuple[str, str] | None = None  # (text, codec) of a single-byte declared charset
    if declared_codec:
        try:
            text = data.decode(declared_codec)
        except UnicodeDecodeError:
            text = None
        if text is not None:
            multibyte = declared_codec.startswith(("utf", "gb", "big5", "euc", "shift", "iso2022", "cp949", "cp950"))
            if multibyte or data.isascii():
                if declared_codec != "gb18030" or _looks_chinese(text):
                    return _check_text(text, data, path, declared_codec, strict=True), declared_codec
            else:
                single_byte_declared = text, declared_codec

    # 4. strict UTF-8 (a character cut off by a truncated download is dropped)
    try:
        return _check_text(data.decode("utf-8"), data, path, "utf-8", strict=True), "utf-8"
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.end == len(data) and len(data) - exc.start < 4:
            return _check_text(data[: exc.start].decode("utf-8"), data, path, "utf-8", strict=True), "utf-8"

    # 5. strict GB18030, when it reads as Chinese
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and _looks_chinese(text):
        return _check_text(text, data, path, "gb18030", strict=True), "gb18030"

    # 6. nearly-valid UTF-8 / GB18030 with a few damaged bytes
    text = _lenient(data, "utf-8")
    if text is not None:
        return _check_text(text, data, path, "utf-8"), "utf-8"
    text = _lenient(data, "gb18030")
    if text is not None and _looks_chinese(text):
        return _check_text(text, data, path, "gb18030"), "gb18030"

    if single_byte_declared is not None:
        sb_text, sb_codec = single_byte_declared
        return _check_text(sb_text, data, path, sb_codec), sb_codec

    # 7. charset-normalizer
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        m = _CONTROL_BYTES.search(data)
        where = f"binary bytes at offset {m.start()}" if m else "no encoding fits"
        raise _fail(path, f"not text in UTF-8 or GBK/GB18030 ({where})")
    enc = best.encoding
    return _check_text(str(best), data, path, enc), enc
