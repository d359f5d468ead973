"""The overflow layout of a generated PDF's tables (render_pdf's "overflow" style): label and header lines
wrapped wider than their cell, so they run over the ruling into the next cell (never closer than 0.6
characters to another cell's text, never out of the table; numbers centred).
"""

from __future__ import annotations

from gongkai.synth.pdf_draw import centred
from gongkai.synth.pdf_page import Doc
from gongkai.synth.pdf_text import text_width, wrap


def _extent(cell: list, xs: list[float], padx: float, value_align: str) -> tuple[float, float]:
    """Left and right end of a cell's printed lines."""
    _, _, c0, c1, text, role, lines, fs, _ = cell
    x0, x1 = xs[c0], xs[c1 + 1]
    lo, hi = x1, x0
    for line in lines:
        w = text_width(line, fs)
        tx = (x0 + x1 - w) / 2 if centred(role, text, len(lines), x0, x1, fs, value_align) else x0 + padx
        lo, hi = min(lo, tx), max(hi, tx + w)
    return lo, hi


def overflow(doc: Doc, cells: list[list], xs: list[float], padx: float, value_align: str) -> None:
    """Header and label text that runs over its cell's ruling into the next cell (wrapped at a width
    wider than the cell, as Word does with a fixed row height or a label typed with spaces): each
    label or header is wrapped wider, then put back inside its cell wherever its text would come
    closer than half a character to another cell's text (or leave the table)."""
    rng = doc.rng
    order = [k for k, c in enumerate(cells) if c[5] != "value" and c[4] and xs[c[3] + 1] - xs[c[2]] - 2 * padx >= 2.5 * c[7]]
    rng.shuffle(order)
    for k in order:  # greedily, each cell as wide as its neighbours' text lets it
        cell = cells[k]
        _, _, c0, c1, text, role, lines, fs, _ = cell
        avail = xs[c1 + 1] - xs[c0] - 2 * padx
        for factor in (1.9, 1.7, 1.5, 1.35, 1.2, 1.1):
            wider = wrap(text, fs, avail * factor)
            if max(text_width(x, fs) for x in wider) <= avail + 2 * padx + 0.5 * fs:
                continue  # does not reach over the ruling
            cell[6] = wider
            if not _collides(k, cells, xs, padx, value_align):
                break
            cell[6] = lines


def _collides(k: int, cells: list[list], xs: list[float], padx: float, value_align: str) -> bool:
    """Cell k's text leaves the table or comes closer than 0.6 characters to the text of a cell
    beside it (in a row it spans)."""
    a = cells[k]
    alo, ahi = _extent(a, xs, padx, value_align)
    if alo < xs[0] + 1 or ahi > xs[-1] - 1:
        return True
    for j, b in enumerate(cells):
        if j == k or not b[6] or b[1] < a[0] or b[0] > a[1] or not (b[2] > a[3] or b[3] < a[2]):
            continue
        blo, bhi = _extent(b, xs, padx, value_align)
        gap = 0.6 * max(a[7], b[7])
        if (b[2] > a[3] and ahi + gap > blo) or (b[3] < a[2] and bhi + gap > alo):
            return True
    return False
