"""Text decoding (gongkai.parse.decode): BOMs and UTF-16, the GB family and mislabelled pages, truncated
and damaged UTF-8, binary and empty input, and the HTML charset sniffer."""

from __future__ import annotations

import pytest
from html_support import _one_line

from gongkai.parse.decode import decode_text, sniff_html_charset
from gongkai.parse.errors import EmptyFile, UndecodableText

# --------------------------------------------------------------------------- decode_text

ZH = "一、总体情况\n本年新收政府信息公开申请26件，办结26件。\n"


def test_decode_plain_and_bom():
    assert decode_text(ZH.encode(), "a.txt") == (ZH, "utf-8")
    assert decode_text(b"\xef\xbb\xbf" + ZH.encode(), "a.txt") == (ZH, "utf-8-sig")
    assert decode_text(b"\xff\xfe" + ZH.encode("utf-16-le"), "a.txt") == (ZH, "utf-16-le")
    assert decode_text(b"\xfe\xff" + ZH.encode("utf-16-be"), "a.txt") == (ZH, "utf-16-be")
    assert decode_text(ZH.encode("utf-16-le"), "a.txt") == (ZH, "utf-16-le")  # no BOM


def test_decode_gb_family():
    gbk = (ZH * 3).encode("gbk")
    assert decode_text(gbk, "a.txt") == (ZH * 3, "gb18030")
    assert decode_text(gbk, "a.txt", declared="GB2312") == (ZH * 3, "gb18030")
    assert decode_text(gbk, "a.txt", declared="utf-8") == (ZH * 3, "gb18030")  # mislabelled
    assert decode_text(ZH.encode(), "a.txt", declared="gbk") == (ZH, "utf-8")  # mislabelled the other way
    assert decode_text("镕堃".encode("gb18030") + gbk, "a.txt")[0].startswith("镕堃")  # GBK-only characters


def test_decode_truncated_and_damaged_utf8():
    data = (ZH * 40).encode()
    assert decode_text(data[:-2], "a.txt") == ((ZH * 40)[:-2], "utf-8")  # "\n" and half of "。" cut off
    text, enc = decode_text(data + b"\xff" + data, "a.txt")
    assert enc == "utf-8" and text.count("\ufffd") == 1


@pytest.mark.parametrize(("data", "what"), [
    (b"abc\x00def" * 3, "offset 3"),
    (b"%PDF-1.4\n1 0 obj", "PDF"),
    (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "OLE"),
    (bytes(range(256)) * 20, "offset 0"),
    (b"text\x01\x02\x03\x04\x05\x06\x08\x0e\x0f\x10", "binary"),
])
def test_decode_rejects_binary(data, what):
    with pytest.raises(UndecodableText) as e:
        decode_text(data, "dir/report 1.txt")
    msg = str(e.value)
    _one_line(msg, "dir/report 1.txt")
    assert what in msg


@pytest.mark.parametrize("data", [b"", b"   \r\n\t", b"\xef\xbb\xbf", b"\xef\xbb\xbf  \n", "\u3000\u00a0\n".encode()])
def test_decode_empty(data):
    with pytest.raises(EmptyFile) as e:
        decode_text(data, "empty.txt")
    _one_line(str(e.value), "empty.txt")


def test_sniff_html_charset():
    assert sniff_html_charset(b'<html><head><meta charset="utf-8" />') == "utf-8"
    assert sniff_html_charset(b"<meta charset=GBK>") == "gb18030"
    assert sniff_html_charset(
        b'<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=gb2312">') == "gb18030"
    assert sniff_html_charset(b'<meta content="text/html;charset=GB18030" http-equiv="Content-Type">') == "gb18030"
    assert sniff_html_charset(b'<?xml version="1.0" encoding="GBK"?><html>') == "gb18030"
    assert sniff_html_charset(b'<meta name="keywords" content="x"><p>charset=gbk</p>') is None
    assert sniff_html_charset(b" " * 5000 + b'<meta charset="gbk">') is None  # only the first 4 KB
    assert sniff_html_charset(b'<meta charset="no-such-charset">') is None
