"""RawDocument → ParsedReport: title, agency, year, sections 一…六 and canonical cells.

Format-independent: every parser (text, HTML, later DOCX/PDF) hands over blocks in reading order.
A cell of a found table that the mapping could not attribute a value to (row or column not recognised, text
not located) is stored `unread` (raw and value NULL) and the report is `partial`; `blank` is only a cell
found and printed empty (and the unprinted sub-rows of the mixed layout).
"""

from __future__ import annotations

import re
import unicodedata

from gongkai.form import template
from gongkai.form.cells import UNREAD, classify
from gongkai.form.headings import heading_no
from gongkai.parse.document import RawDocument
from gongkai.parse.errors import NotAReport, UnsupportedFormat
from gongkai.report.model import Cell, ParsedReport, Section
from gongkai.report.tablemap import map_tables

FIRST_NATIONAL_YEAR = 2019  # reports before 2019 use local tables (spec/FORMAT.md)
_TITLE_YEAR = re.compile(r"^(?P<pre>.*?)(?P<year>(?:19|20)\d{2})\s*年度?(?P<post>.*)$")
_PERIOD_YEAR = re.compile(r"统计(?:期限|时限|期|时段)[^0-9]{0,8}((?:19|20)\d{2})\s*年")
_HINT_SUFFIX = re.compile(r"\s*[-_|—–]+\s*[^-_|—–]*$")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def split_sections(paras: list[str]) -> tuple[list[Section], int]:
    """Sections in order (first heading of each number after the previous one); index of the first heading."""
    found: dict[int, int] = {}
    last = -1
    for i, p in enumerate(paras):
        n = heading_no(p)
        if n and n not in found and i > last:
            found[n] = i
            last = i
    starts = sorted((i, n) for n, i in found.items())
    sections = []
    for k, (i, n) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(paras)
        sections.append(Section(n, paras[i].strip(), "\n".join(paras[i + 1 : end]).strip() or None, True))
    present = {s.section_no for s in sections}
    sections += [Section(n, None, None, False) for n in range(1, 7) if n not in present]
    sections.sort(key=lambda s: s.section_no)
    return sections, (starts[0][0] if starts else len(paras))


def find_title(paras: list[str], hint: str | None) -> str | None:
    """The report title, which may wrap over lines ("五星办事处2021年政府信息公开工作" / "年度报告")."""
    for i, p in enumerate(paras[:12]):
        t = _norm(p)
        if "报告" in t and len(t) <= 60 and not t.startswith(("根据", "本报告", "本年度报告")):
            if i > 0 and len(t) < 10 and len(_norm(paras[i - 1])) <= 40:
                return _norm(paras[i - 1]) + t
            return t
    if hint:
        return _HINT_SUFFIX.sub("", _norm(hint)) or None
    return None


def agency_year(title: str | None) -> tuple[str | None, int | None]:
    """("沭阳县发展和改革局", 2023) from "沭阳县发展和改革局2023年政府信息公开年度报告"; year-first titles too."""
    if not title:
        return None, None
    m = _TITLE_YEAR.match(title.replace(" ", ""))
    if not m:
        return None, None
    agency = m.group("pre").removeprefix("关于").strip("《》“”\"")
    if not agency:  # "2023年沭阳县发展和改革局政府信息公开工作年度报告"
        agency = re.split(r"政府信息公开|政务公开|信息公开", m.group("post"))[0]
    return (agency or None), int(m.group("year"))


def assemble(raw: RawDocument, report_id: str, path: str) -> ParsedReport:
    """Build the report from parsed blocks. Raises NotAReport when nothing of the format is found."""
    paras = [b.text for b in raw.blocks if b.kind == "para" and b.text]
    grids = [b.table for b in raw.blocks if b.kind == "table" and b.table]
    sections, first_heading = split_sections(paras)
    version, mapped, notes = map_tables(grids)
    if not any(s.present for s in sections) and not mapped:
        raise NotAReport(
            f"{path}: no section headings 一…六 and no table 二/三/四 of the national format found — not an annual report?"
        )
    title = find_title(paras[: max(first_heading, 1)], raw.title_hint)
    agency, year = agency_year(title)
    if year is not None and year < FIRST_NATIONAL_YEAR:
        raise UnsupportedFormat(
            f"{path}: a {year} report predates the national format (国办公开办函〔2019〕60号, used from the 2019 "
            f"reports on); its local tables are out of scope"
        )
    if year is None:
        period = next((pm for p in paras[:20] if (pm := _PERIOD_YEAR.search(p))), None)
        if period:
            year = int(period.group(1))
            notes.append(f"year {year} taken from the statistics period in the text")
    report = ParsedReport(report_id=report_id, source_path=path, source_format=raw.source_format,
                          title=title, agency=agency, year=year, format_version=version, sections=sections)
    use = version if version != "unknown" else "2021"
    uncertain = False
    for tid in template.TABLES:
        m = mapped.get(tid)
        report.tables_present[tid] = m is not None
        if m is None:
            continue
        notes.extend(m.notes)
        missing_rows: list[str] = []
        not_printed: tuple[str, ...] = ()
        if m.mixed:  # 2021 labels, （六）其他处理 as the single 2019 row: its sub-rows are not printed
            single, not_printed = template.mixed_rows()
            notes.append(f"{template.TABLE_ZH[tid]}: （六）其他处理 printed as one row (2019 layout) under 2021 labels, "
                         f"stored as {single}; its 2021 sub-rows {', '.join(not_printed)} are not printed "
                         f"(stored blank, raw NULL)")
        for row_key, col_key in (template.mixed_keys() if m.mixed else template.keys(use, tid)):
            raw_text = m.raw.get((row_key, col_key))
            if raw_text is None and row_key in not_printed:  # the mixed layout's sub-rows: not printed
                report.cells.append(Cell(tid, row_key, col_key, None, "blank", None))
            elif raw_text is None:  # the table was found but this cell not read: our misread, not a blank
                if row_key not in missing_rows:
                    missing_rows.append(row_key)
                report.cells.append(Cell(tid, row_key, col_key, None, UNREAD, None))
            elif (row_key, col_key) in m.ambiguous:
                report.cells.append(Cell(tid, row_key, col_key, raw_text, "text", None))
                uncertain = True
            else:
                sem, val = classify(raw_text)
                report.cells.append(Cell(tid, row_key, col_key, raw_text, sem, val))
        if missing_rows:
            uncertain = True
            notes.append(f"{template.TABLE_ZH[tid]}: cells not read (stored unread) in rows: {', '.join(missing_rows)}")
    mixed = any(m is not None and m.mixed for m in mapped.values())
    report.layout = "mixed" if mixed else version
    if uncertain:
        report.status = "partial"
    report.notes = notes
    return report
