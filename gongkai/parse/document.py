"""RawDocument: what every format parser hands over — blocks in reading order (paragraphs and table grids)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(slots=True)
class TCell:
    """One printed table cell. `span` is the number of grid columns it covers: known for HTML/DOCX
    (colspan), None where the rendering lost it (Word text dumps). `cont` marks the empty stand-in a
    rendering leaves for a vertically merged cell (rowspan continuation / Word vMerge)."""

    text: str
    span: int | None = 1
    cont: bool = False


Table = list[list[TCell]]


@dataclass(slots=True)
class Block:
    kind: Literal["para", "table"]
    text: str = ""
    table: Table | None = None


@dataclass(slots=True)
class RawDocument:
    source_format: str  # txt | html | docx | pdf | md
    blocks: list[Block]
    title_hint: str | None = None  # e.g. HTML <title>
    encoding: str | None = None
    meta_titles: tuple[str, ...] = ()  # HTML <meta name="ArticleTitle"> / <meta property="og:title">, in that order
