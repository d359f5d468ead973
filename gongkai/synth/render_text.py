"""Word text dump rendering, in the seed's style (../shared/corpus/seed/wuxing_office_2021.txt).

One table cell per line indented by a tab, a blank line after each table row, vertically merged cells as
tab-only lines, horizontally merged cells printed once; headings and prose unindented.
"""

from __future__ import annotations

import random
from functools import cache

from gongkai.synth.numbers import T2_HEAD, T3_APPLICANTS, T3_NOTE, T3_ORGS, TOTAL, layout
from gongkai.synth.report import SynthReport

_NBSP_INDENT = "\xa0 \xa0\xa0 \xa0 "


@cache
def _t3_header(version: str) -> str:
    L = layout(version)
    cols = dict(L.t3_cols)
    first, orgs = L.applicant_cols[0], L.applicant_cols[1:]
    lines = [T3_NOTE, T3_APPLICANTS, None,
             "", cols[first], T3_ORGS, cols[TOTAL], None,
             "", "", *(cols[c] for c in orgs), "", None]
    return "".join("\n" if x is None else f"\t{x}\n" for x in lines)


@cache
def _t3_row_heads(version: str) -> tuple[tuple[str, tuple], ...]:
    """Per 表三 row: the label lines that precede its values, as printed by Word."""
    out = []
    for row in layout(version).t3_rows:
        if row.level == 1:
            heads = f"\t{row.label}\n"
        elif row.level == 2:
            heads = f"\t{row.group if row.first_in_group else ''}\n\t{row.label}\n"
        else:
            heads = (f"\t{row.group if row.first_in_group else ''}\n"
                     f"\t{row.sub if row.first_in_sub else ''}\n\t{row.label}\n")
        out.append((heads, tuple(("t3", row.key, c) for c, _ in layout(version).t3_cols)))
    return tuple(out)


@cache
def _t4_header(version: str) -> str:
    L = layout(version)
    tops = list(dict.fromkeys(c.top for c in L.t4_cols))
    plain = [c for c in L.t4_cols if not c.sub]
    nested = [c for c in L.t4_cols if c.sub]
    subs = list(dict.fromkeys(c.sub for c in nested))
    lines = [*tops, None, *(c.label for c in plain), *subs, None, *("" for _ in plain), *(c.label for c in nested), None]
    return "".join("\n" if x is None else f"\t{x}\n" for x in lines)


def _v(raw: str | None) -> str:
    return f"\t{raw if raw is not None else ''}\n"


def _t2(r: SynthReport, out: list[str]) -> None:
    for g in layout(r.layout_key).t2_groups:
        out.append(f"\t{g.label}\n\n\t{T2_HEAD}\n")
        out.extend(f"\t{label}\n" for _, label in g.cols)
        out.append("\n")
        for rk, label in g.rows:
            out.append(f"\t{label}\n")
            out.extend(_v(r.cells.get(("t2", rk, c))) for c, _ in g.cols)
            out.append("\n")
    out.append("\n")


def _t3(r: SynthReport, out: list[str]) -> None:
    out.append(_t3_header(r.layout_key))
    cells = r.cells
    for heads, keys in _t3_row_heads(r.layout_key):
        out.append(heads)
        out.extend(_v(cells.get(k)) for k in keys)
        out.append("\n")
    out.append("\n")


def _t4(r: SynthReport, out: list[str]) -> None:
    L = layout(r.layout_key)
    out.append(_t4_header(r.layout_key))
    out.extend(_v(r.cells.get(("t4", L.t4_row, c.key))) for c in L.t4_cols)
    out.append("\n\n\n")


def render_text(r: SynthReport) -> bytes:
    """The report as a UTF-8 Word text dump."""
    rng = random.Random(f"{r.report_key}|txt")
    indent = _NBSP_INDENT if rng.random() < 0.5 else ""
    bookmark = rng.random() < 0.4
    out = ["\n", f"{r.agency}{r.year}年政府信息公开工作\n年度报告\n\n"]
    if r.preamble:
        out.append(f"{r.preamble}\n")
    tables = {2: ("t2", _t2), 3: ("t3", _t3), 4: ("t4", _t4)}
    for no, title, text in r.sections:
        out.append(f"{title} \n" if title[:1].isdigit() else f"{title}\n")
        lines = text.split("\n") if text else []
        if no >= 5:
            lines = [indent + x for x in lines]
            if bookmark and no == 5 and len(lines) > 3:
                lines[3] = "[bookmark: _GoBack]" + lines[3]
        out.extend(f"{x}\n" for x in lines)
        if no in tables and r.tables_present.get(tables[no][0]):
            tables[no][1](r, out)
        elif no == 1:
            out.append("\n")
    out.append("\n")
    text = "".join(out)
    for old, new in r.relabel.items():
        text = text.replace(f"\t{old}\n", f"\t{new}\n")
    return text.encode("utf-8")
