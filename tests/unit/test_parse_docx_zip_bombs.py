"""Word .docx parsing (gongkai.parse.docx), safety of the zip: zip bombs, lying size headers and too
many members must become one-line failed reports, never exceptions, and are never inflated."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
import zlib

import pytest
from docx_support import CT, RELS, P, _document, _failed

from gongkai.parse.docx.body import MAX_PART, parse_docx
from gongkai.parse.errors import FileTooLarge

# --------------------------------------------------------------------------- safety

def _raw_zip(entries: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip written by hand: (name, stored/deflated payload, method, crc, declared uncompressed size)."""
    out, central = io.BytesIO(), []
    for name, payload, method, crc, size in entries:
        offset = out.tell()
        fn = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(payload), size, len(fn), 0))
        out.write(fn)
        out.write(payload)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(payload),
                                   size, len(fn), 0, 0, 0, 0, 0, offset) + fn)
    start = out.tell()
    for c in central:
        out.write(c)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start, start, 0))
    return out.getvalue()


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def _zeros_deflated(megabytes: int) -> tuple[bytes, int]:
    """Raw deflate of `megabytes` MiB of zeros, built without holding them: after a full flush the
    compressor starts afresh, so every MiB compresses to the same bytes. Returns (payload, crc)."""
    mib = bytes(1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(mib) + c.flush(zlib.Z_FULL_FLUSH)
    assert c.compress(mib) + c.flush(zlib.Z_FULL_FLUSH) == block
    payload = block * megabytes + c.flush()
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(mib, crc)
    return payload, crc


def _base_entries(doc_xml: bytes | None = None) -> list:
    doc_xml = doc_xml if doc_xml is not None else _document(P("一、总体情况")).encode()
    out = []
    for name, data in (("[Content_Types].xml", CT.encode()), ("_rels/.rels", RELS.format(target="word/document.xml").encode()),
                       ("word/document.xml", doc_xml)):
        out.append((name, _deflate(data), 8, zlib.crc32(data), len(data)))
    return out


@pytest.fixture(scope="module")
def gigabyte_of_zeros():
    return _zeros_deflated(1024)


def test_zip_bomb_member_is_rejected_quickly_without_unpacking(gigabyte_of_zeros):
    payload, crc = gigabyte_of_zeros
    bomb = _raw_zip(_base_entries() + [("word/media/image1.png", payload, 8, crc, 1 << 30)])
    assert len(bomb) < 2 * 2**20 and zipfile.ZipFile(io.BytesIO(bomb)).getinfo("word/media/image1.png").file_size == 1 << 30
    tracemalloc.start()
    with pytest.raises(FileTooLarge, match="zip bomb"):
        parse_docx(bomb, "bomb.docx")
    err = _failed("bomb.docx", bomb)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 64 * 2**20, f"{peak / 2**20:.0f} MB allocated: the bomb was inflated"
    assert "1,024 MB" in err and "not unpacked" in err


def test_zip_bomb_as_the_document_part(gigabyte_of_zeros):
    payload, crc = gigabyte_of_zeros
    entries = _base_entries()[:2] + [("word/document.xml", payload, 8, crc, 1 << 30)]
    err = _failed("bomb2.docx", _raw_zip(entries))
    assert "more than the 100 MB limit" in err
    # a 40 MB part that compresses 1000:1 is a bomb too, even under the size limits
    forty, crc40 = _zeros_deflated(40)
    err = _failed("bomb3.docx", _raw_zip(_base_entries()[:2] + [("word/document.xml", forty, 8, crc40, 40 << 20)]))
    assert "zip bomb" in err


def test_lying_size_header_reads_no_more_than_declared(gigabyte_of_zeros):
    payload, crc = gigabyte_of_zeros                 # declares 2 kB, inflates to 1 GB
    entries = _base_entries()[:2] + [("word/document.xml", payload, 8, crc, 2048)]
    tracemalloc.start()
    err = _failed("liar.docx", _raw_zip(entries))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # reading stops at the part cap (MAX_PART, 50 MB, held at most twice while inflating), never the 1 GB
    assert peak < 2 * MAX_PART + 16 * 2**20, f"{peak / 2**20:.0f} MB allocated: the member was inflated past the cap"
    assert "damaged zip member word/document.xml" in err or "not well-formed" in err
    assert MAX_PART == 50 * 2**20


def test_too_many_members():
    entries = _base_entries() + [(f"word/media/{i}.bin", b"", 0, 0, 0) for i in range(10_001)]
    assert "more than 10000" in _failed("many.docx", _raw_zip(entries))
