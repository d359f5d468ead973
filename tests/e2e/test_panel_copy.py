"""Panel rule XY_COPY (gongkai.warehouse.panel): the fingerprints it compares (cells digest and text
sketch, gongkai.report.fingerprints, pure), copies by text and by values in the warehouse, a copy
re-rendered in another format than last year's report, and digests written before migration 0008."""

from __future__ import annotations

import dataclasses

import pytest
from panel_support import _chain, _findings, _parsed, _write, query

from gongkai.app.pipeline import apply_manifest
from gongkai.report import batch as frames
from gongkai.report import fingerprints
from gongkai.report.read import parse_bytes
from gongkai.synth import make_report, render_html, render_text
from gongkai.synth.report import SynthReport


def test_fingerprints():
    r = make_report(1, "测试局", 2023)
    other = dict(r.cells)
    k = ("t3", "granted", "natural_person")
    other[k] = "１" if other[k] == "1" else "1"          # one raw text differs
    a = parse_bytes("a.txt", render_text(r))
    b = parse_bytes("b.html", render_html(r))            # same cells, same text, other rendering
    c = parse_bytes("c.txt", render_text(dataclasses.replace(r, cells=other)))
    fp = fingerprints.fingerprints_frame(frames.build([a, b, c])).set_index("report_id")
    fa, fb, fc = (fp.loc[x.report_id] for x in (a, b, c))
    assert (fa.cells, fa.cells_digest, fa.text_chars) == (fb.cells, fb.cells_digest, fb.text_chars) == (200, fa.cells_digest, fa.text_chars)
    assert fa.text_sketch == fb.text_sketch and len(fa.text_sketch) == fingerprints.SKETCH_K and fa.text_chars >= 200
    assert fc.cells_digest != fa.cells_digest
    # the digest does not depend on the order of the cells
    cells = frames.build([a]).cells
    shuffled = cells.sample(frac=1, random_state=1)
    assert fingerprints.cells_digests(shuffled).cells_digest.item() == fa.cells_digest


def test_sketch_estimates_jaccard():
    """Bottom-k sketches of a copy (only the year changed) share nearly all hashes; honest years share few."""
    a, b = _chain_texts(3, "测试县人民政府办公室", copy=True)
    c, d = _chain_texts(4, "测试县人民政府办公室", copy=False)
    share = lambda x, y: len(set(fingerprints.text_sketch(x)) & set(fingerprints.text_sketch(y))) / fingerprints.SKETCH_K  # noqa: E731
    assert share(a, b) >= 0.8 > share(c, d)


def _chain_texts(seed: int, agency: str, copy: bool) -> tuple[str, str]:
    r22 = make_report(seed, agency, 2022)
    r23 = make_report(seed, agency, 2023, ("copy_text",) if copy else (), prev=r22)
    return tuple(fingerprints.comparable_text(t for _, _, t in r.sections) for r in (r22, r23))


def test_copy_by_text_only(db):
    r22, r23 = _chain(4, "测试县水利局", [2022, 2023], {2023: ("copy_text",)})
    _write(db, "r1", frames.build([_parsed(r22, "F"), _parsed(r23, "F")]))
    f = _findings(db, "XY_COPY")
    assert len(f) == 1 and f.observed[0] >= 0.9 and "正文" in f.message[0] and "逐格相同" not in f.message[0]


def test_all_zero_tables_are_not_a_copy_but_a_repeated_text_is(db, seed_bytes):
    """A small office with nothing to report prints the same all-zero tables every year: that alone is not
    雷同 (fewer than 5 non-zero numbers). Its text repeated with only the year changed is."""
    a = parse_bytes("harvest/w2021.txt", seed_bytes)
    b = parse_bytes("harvest/w2022.txt", seed_bytes.replace(b"2021", b"2022"))
    for p, y in ((a, 2021), (b, 2022)):
        apply_manifest(p, {"agency_id": "W", "year": y})
    _write(db, "r1", frames.build([a, b]))
    f = _findings(db, "XY_COPY")
    assert len(f) == 1 and f.observed[0] > 0.95
    assert "正文" in f.message[0] and "逐格相同" not in f.message[0]


# ------------------------------------------------------------------------------------------------
# XY_COPY on values: a copy re-rendered in another format

def _render(r: SynthReport, rendering: str, agency_id: str) -> ParsedReport:  # noqa: F821
    from gongkai.synth import render_pdf
    from gongkai.synth.render_docx import render_docx
    data, ext = {
        "txt": lambda: (render_text(r), "txt"),
        "html": lambda: (render_html(r), "html"),
        "gbk": lambda: (render_html(r, portal=True, encoding="gbk", fullwidth_cells=True), "html"),  # １２ in cells
        "docx": lambda: (render_docx(r), "docx"),
        "pdf": lambda: (render_pdf(r), "pdf"),
    }[rendering]()
    p = parse_bytes(f"harvest/{agency_id}_{r.year}_{rendering}.{ext}", data)
    apply_manifest(p, {"agency": r.agency, "agency_id": agency_id, "year": r.year})
    return p


CROSS_RENDERINGS = [("html", "txt"), ("txt", "gbk"), ("gbk", "docx"), ("docx", "pdf"), ("pdf", "html")]


@pytest.mark.parametrize("last, this", CROSS_RENDERINGS, ids=[f"{a}-{b}" for a, b in CROSS_RENDERINGS])
def test_table_copy_is_found_whatever_the_two_renderings(db, last, this):
    """The generator's copy (copy_previous: every cell as printed last year) rendered in another format than
    last year's report: equal digests on values, XY_COPY fires on the tables; the honest next year of the same
    agency, in the same two renderings, is no copy."""
    r22 = make_report(11, "测试县水利局", 2022)
    copy = make_report(11, "测试县水利局", 2023, ("copy_previous",), prev=r22)
    honest = make_report(11, "测试县林业局", 2023, prev=make_report(11, "测试县林业局", 2022))
    prev_honest = make_report(11, "测试县林业局", 2022)
    _write(db, "r1", frames.build([_render(r22, last, "C1"), _render(copy, this, "C1"),
                                   _render(prev_honest, last, "C2"), _render(honest, this, "C2")]))
    f = _findings(db, "XY_COPY")
    assert f[f.status == "fail"].agency_id.tolist() == ["C1"], f.message.tolist()
    assert "逐格相同" in f.message[0] and "正文" not in f.message[0]
    assert query(db, "SELECT DISTINCT digest_version FROM panel_inputs").digest_version.tolist() == [2]


def test_digests_of_rows_written_before_0008_are_recomputed_not_compared(db):
    """A panel_inputs row written before migration 0008 (digest_version NULL, the raw-text digest) is never
    compared with a digest on values: the run that reads it recomputes it, and the copy is found."""
    r22 = make_report(12, "测试县交通局", 2022)
    r23 = make_report(12, "测试县交通局", 2023, ("copy_previous",), prev=r22)
    _write(db, "r1", frames.build([_render(r22, "html", "V")]))
    from gongkai.warehouse.write import publishing
    with publishing(db) as con:
        good = con.execute("SELECT cells_digest FROM panel_inputs").fetchall()[0][0]
        con.execute("UPDATE panel_inputs SET digest_version = NULL, cells_digest = 'f00dfeedf00dfeed'")
    _write(db, "r2", frames.build([_render(r23, "gbk", "V")]), minutes=1)
    f = _findings(db, "XY_COPY")
    assert len(f) == 1 and "逐格相同" in f.message[0]
    got = query(db, "SELECT DISTINCT cells_digest, digest_version FROM panel_inputs")
    assert got.values.tolist() == [[good, 2]]
