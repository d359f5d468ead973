"""Text and table fingerprints for XY_COPY (pure Python, computed in the parse step).

XY_COPY must not scan every cell of every pair, so each report carries: per report the number of
cells and of non-zero number cells, a digest of its cells' values — the sum mod 2^64 of a keyed SipHash
(pandas.util.hash_array, fixed key) of "table|row|col|semantic|content" per cell (cell_tokens: content =
the normalised number, or the normalised text of a dash or text cell), so it does not depend on the order
of the cells nor on the rendering (HTML, text dump, GBK page with full-width digits, DOCX, PDF), and two
reports have equal digests exactly when every cell (key, semantic and value) is the same, but for a 2^-64
chance; DIGEST_VERSION names this definition (panel_inputs.digest_version: rows of another version are
recomputed before they are compared) — and a bottom-k sketch of the narrative's character 3-grams
(the SKETCH_K smallest distinct splitmix64 hashes, 32 bits kept), whose overlap with last year's
preselects the pairs whose exact 3-gram Jaccard similarity (text_jaccard) is then computed. About 0.05 ms a
report: compute them in the parse step (workers) and hand them to write_run; it computes them itself
otherwise.

    fingerprints_frame(batch)  → report_id, cells, nonzero_cells, cells_digest, text_chars, text_grams, text_sketch
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from gongkai.findings import fmt
from gongkai.report.narrative import section_texts

FINGERPRINT_COLUMNS = ["report_id", "cells", "nonzero_cells", "cells_digest", "text_chars", "text_grams",
                       "text_sketch"]
SKETCH_K = 64

TEXT_SPACE = "[ \t\n\r\f\v\u3000\xa0\u200b\ufeff]+"     # removed before comparing texts (same class in SQL)
_TEXT_SPACE = re.compile(TEXT_SPACE)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


FULLWIDTH_DIGITS, ASCII_DIGITS = "０１２３４５６７８９", "0123456789"   # mapped before comparing (same in SQL)
_DIGITS = str.maketrans(FULLWIDTH_DIGITS, ASCII_DIGITS)
_HAS_FULLWIDTH_DIGIT = re.compile(f"[{FULLWIDTH_DIGITS}]")


def comparable_text(section_texts: Iterable[str | None]) -> str:
    """Sections 一…六 concatenated, whitespace removed, full-width digits as ASCII: what XY_COPY compares."""
    t = _TEXT_SPACE.sub("", "".join(t for t in section_texts if t))
    return t.translate(_DIGITS) if _HAS_FULLWIDTH_DIGIT.search(t) else t


def _mix(c: NDArray[np.uint64]) -> NDArray[np.uint32]:
    """32-bit splitmix64 hashes (high half) of the 3-grams of a code point array."""
    x = (c[:-2] << np.uint64(42)) | (c[1:-1] << np.uint64(21)) | c[2:]
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    x = x ^ (x >> np.uint64(31))
    return (x >> np.uint64(32)).astype(np.uint32)


def _codes(text: str) -> NDArray[np.uint64]:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def _grams(text: str) -> NDArray[np.uint64]:
    """Distinct character 3-grams of a text as exact 63-bit codes (three 21-bit code points)."""
    if len(text) < 3:
        return np.zeros(0, np.uint64)
    c = _codes(text)
    return np.unique((c[:-2] << np.uint64(42)) | (c[1:-1] << np.uint64(21)) | c[2:])


def text_jaccard(a: str, b: str) -> float:
    """Exact Jaccard similarity of the character 3-gram sets of two texts (already comparable_text)."""
    ga, gb = _grams(a), _grams(b)
    if not len(ga) and not len(gb):
        return 1.0
    shared = np.intersect1d(ga, gb, assume_unique=True).size
    return shared / (len(ga) + len(gb) - shared)


def text_sketch(text: str, k: int = SKETCH_K) -> NDArray[np.uint32]:
    """The k smallest distinct 32-bit hashes (splitmix64, high half) of the text's character 3-grams."""
    return _hashes(text)[:k]


def _hashes(text: str) -> NDArray[np.uint32]:
    """Distinct 32-bit hashes of the text's 3-grams, ascending."""
    if len(text) < 3:
        return np.zeros(0, np.uint32)
    return _sorted_unique(_mix(_codes(text)))


def _sorted_unique(h: NDArray[np.uint32]) -> NDArray[np.uint32]:
    """np.unique(h) for a non-empty array: sorted in place, each value kept where it differs from the one
    before (numpy 2's unique hashes the values first, ~6 times as long on a report's few thousand 3-grams)."""
    h.sort()
    return h[np.r_[True, h[1:] != h[:-1]]]


_HASH_KEY = "0123456789123456"                 # pandas' default key, fixed here so digests never change
DIGEST_VERSION = 2   # 1: "table|row|col|semantic|raw" (before migration 0008); 2: on values (cell_tokens)


def _strings(values: pd.Series) -> pa.Array:
    try:
        return pa.array(values).cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return pa.array(values.astype("string").to_numpy(dtype=object, na_value=None), pa.string())


def cell_tokens(cells: pd.DataFrame) -> pa.Array:
    """What the digest hashes of each cell: "table|row|col|semantic|content", content being the normalised
    number for a `number` (1, 1.5: the value, however it was printed — full-width digits, 1,234, a unit),
    the raw text NFKC-normalised with all whitespace removed for `dash` and `text`, and nothing for `blank`
    and `unread`. So a table re-rendered in another format (HTML, a text dump, a GBK portal page with
    full-width digits, DOCX, PDF) has the same tokens exactly when it prints the same values."""
    semantic = _strings(cells["semantic"])
    number = pc.fill_null(pc.equal(semantic, "number"), False).to_numpy(zero_copy_only=False)
    content = np.full(len(cells), "", dtype=object)
    if number.any():
        content[number] = fmt(cells["value"].astype("float64").to_numpy(na_value=np.nan)[number])
    textual = pc.fill_null(pc.is_in(semantic, pa.array(["dash", "text"])), False).to_numpy(zero_copy_only=False)
    if textual.any():
        raw = pc.fill_null(_strings(cells["raw"]).filter(pa.array(textual)), "")
        raw = pc.replace_substring_regex(pc.utf8_normalize(raw, "NFKC"), TEXT_SPACE, "")
        content[textual] = np.asarray(raw.to_numpy(zero_copy_only=False), dtype=object)
    parts = [_strings(cells[c]) for c in ("table_id", "row_key", "col_key")]
    parts += [semantic, pa.array(content, pa.string())]
    return pc.binary_join_element_wise(*parts, "\x1f")


def cells_digests(cells: pd.DataFrame) -> pd.DataFrame:
    """report_id → cells, nonzero_cells, cells_digest (see the module doc), for a frame of cells."""
    if len(cells) == 0:
        return pd.DataFrame({"cells": pd.Series(dtype="int64"), "nonzero_cells": pd.Series(dtype="int64"),
                             "cells_digest": pd.Series(dtype="string")}, index=pd.Index([], name="report_id"))
    keys = pc.dictionary_encode(cell_tokens(cells))   # cells repeat: hash each once
    if isinstance(keys, pa.ChunkedArray):
        keys = keys.combine_chunks()
    unique = pd.util.hash_array(keys.dictionary.to_numpy(zero_copy_only=False), hash_key=_HASH_KEY, categorize=False)
    h = unique[keys.indices.to_numpy()]
    codes, ids = pd.factorize(cells["report_id"].astype("string"), sort=False)
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    digest = np.add.reduceat(h[order], starts)                        # uint64: wraps mod 2^64
    value = cells["value"].astype("float64").to_numpy(na_value=np.nan)
    nonzero = (cells["semantic"].astype("string") == "number").fillna(False).to_numpy(bool) & (np.nan_to_num(value) != 0)
    n = np.bincount(codes, minlength=len(ids))
    nz = np.bincount(codes, weights=nonzero, minlength=len(ids)).astype(np.int64)
    return pd.DataFrame({"cells": n.astype(np.int64), "nonzero_cells": nz,
                         "cells_digest": [f"{d:016x}" for d in digest]},
                        index=pd.Index(np.asarray(ids, dtype=object)[sorted_codes[starts]], name="report_id")
                        ).reindex(np.asarray(ids, dtype=object))


class HasSectionsAndCells(Protocol):
    """What fingerprints_frame reads of a batch (gongkai.report.batch.Batch or any frames holder)."""

    @property
    def sections(self) -> pd.DataFrame: ...

    @property
    def cells(self) -> pd.DataFrame: ...


def fingerprints_frame(batch: HasSectionsAndCells) -> pd.DataFrame:
    """Per report with sections or cells: its cell digest and the narrative's length and 3-gram sketch.
    Works on any object with `sections` and `cells` frames (cells: report_id, table_id, row_key, col_key,
    value, raw, semantic)."""
    texts = {rid: comparable_text(secs.get(n) for n in range(1, 7))
             for rid, secs in section_texts(batch.sections).items()}
    stats = cells_digests(batch.cells)
    ids = list(dict.fromkeys([*texts, *stats.index.tolist()]))
    stats = stats.reindex(ids)
    hashes = [_hashes(texts.get(i, "")) for i in ids]
    out = pd.DataFrame({
        "report_id": pd.array(ids, dtype="string"),
        "cells": stats["cells"].fillna(0).astype("int64").to_numpy(),
        "nonzero_cells": stats["nonzero_cells"].fillna(0).astype("int64").to_numpy(),
        "cells_digest": pd.array(stats["cells_digest"].where(stats["cells"].fillna(0) > 0).to_numpy(dtype=object),
                                 dtype="string"),
        "text_chars": [len(texts.get(i, "")) for i in ids],
        "text_grams": [len(h) for h in hashes],
        "text_sketch": [h[:SKETCH_K].tolist() for h in hashes],
    })
    return out[FINGERPRINT_COLUMNS]
