"""Plain-text reports → RawDocument.

Two renderings are recognised line by line, and may mix in one file:

* Word text dumps (the seed report): a table cell is a line indented by one tab; a blank line ends a
  table row; a tab-only line is a merged/empty cell; a non-indented line ends the table.
* Markdown pipe tables written by PDF-to-Markdown converters (`.md`): "| label | 0 |  | 0 |", blank
  cells kept, separator rows skipped, **bold** and <br> markup dropped.
* Cell-separated text (crawler dumps, copy-paste): a table row on one line, cells separated by tabs
  or by spaces. A line is taken as a table row only when its first cell is a label of the national
  template (or a header label) and, for data rows, at least one other cell is a number or dash — so
  prose with numbers in it stays prose.

Everything else is a paragraph. Column spans are unknown in text (`TCell.span = None`); the table
mapper resolves them from the template's header groups.
"""

from __future__ import annotations

import re

from gongkai.form import template
from gongkai.form.cells import classify
from gongkai.parse.decode import decode_text
from gongkai.parse.document import Block, RawDocument, TCell

_ARTEFACT = re.compile(r"\[bookmark: [^\]]*\]")
_MD_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_MD_MARKUP = re.compile(r"(\*\*|__|<br\s*/?>)")
_SPLIT_TABS = re.compile(r"\t+")
_SPLIT_SPACES = re.compile(r"[ \u3000\u00a0]+")


def _md_cells(line: str) -> list[TCell] | None:
    """A Markdown pipe-table row ("| 一、本年新收… | 26 |  | 26 |"): cells between pipes, blanks kept."""
    body = line.strip()
    if not (body.startswith("|") and body.count("|") >= 2):
        return None
    parts = body.strip("|").split("|")
    return [TCell(_MD_MARKUP.sub("", p).strip(), None) for p in parts]


def _row_cells(line: str) -> list[TCell] | None:
    """A cell-separated table row, or None when the line is prose."""
    body = line.strip()
    if not body:
        return None
    parts = _SPLIT_TABS.split(body) if "\t" in body else _SPLIT_SPACES.split(body)
    if len(parts) < 2:
        return None
    semantics = [classify(p)[0] for p in parts]
    valued = sum(s in ("number", "dash") for s in semantics)
    if all(s in ("number", "dash", "blank") for s in semantics) and valued >= 5:
        return [TCell(p.strip(), None) for p in parts]  # e.g. the single number row of 表四
    if not template.is_label(parts[0]):
        return None
    if valued == 0 and not all(template.is_label(p) for p in parts):
        return None
    return [TCell(p.strip(), None) for p in parts]


def parse_text(data: bytes, path: str) -> RawDocument:
    text, encoding = decode_text(data, path)
    text = _ARTEFACT.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    blocks: list[Block] = []
    table: list[list[TCell]] | None = None
    row: list[TCell] = []
    mode = ""  # "dump" | "cells" while inside a table

    def close_row() -> None:
        nonlocal row
        if row and table is not None:
            table.append(row)
        row = []

    def close_table() -> None:
        nonlocal table, mode
        close_row()
        if table:
            blocks.append(Block("table", table=table))
        table, mode = None, ""

    for line in text.split("\n"):
        if line.startswith("\t") and "\t" not in line[1:]:  # Word dump: one cell per line
            if mode != "dump":
                close_table()
                table, mode = [], "dump"
            row.append(TCell(line[1:].strip(), None))
            continue
        if not line.strip():
            if mode == "dump":
                close_row()
            continue
        if _MD_RULE.match(line):  # Markdown header separator |---|---|
            continue
        cells = _md_cells(line) or _row_cells(line)
        if cells is not None:
            if mode != "cells" or table is None:  # (in "cells" mode there is always a table)
                close_table()
                table, mode = [], "cells"
            table.append(cells)
            continue
        close_table()
        blocks.append(Block("para", text=line.strip()))
    close_table()
    return RawDocument("md" if path.lower().endswith(".md") else "txt", blocks, encoding=encoding)
