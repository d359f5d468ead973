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
_RUN_ON = re.compile(r"^(?P<title>.{2,60}?(?:政府信息公开|政务公开|信息公开)(?:工作)?年度报告)(?P<sep>\s*)(?P<rest>\S.*)$")
_NOT_TITLE = ("根据", "本报告", "本年度报告")
_RUN_ON_STARTS = ("根据", "依据", "按照", "依照", "本报告", "本年度报告", "现将", "为", "一、")


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


def _cut_run_on(t: str) -> str | None:
    """The title at the head of a first line that runs on into the text ("…2019年政府信息公开工作年度报告 根据《中华
    人民共和国政府信息公开条例》…", a Word paste with &nbsp; and no line break), or None."""
    m = _RUN_ON.match(t)
    if m is None or t.startswith(_NOT_TITLE) or not (m.group("sep") or m.group("rest").startswith(_RUN_ON_STARTS)):
        return None
    return m.group("title") if _TITLE_YEAR.match(m.group("title").replace(" ", "")) else None


def _heading_or_first_line(paras: list[str]) -> tuple[str | None, str | None]:
    """(the title printed as a heading, the title cut from a first line that runs on into the text)."""
    for i, p in enumerate(paras[:12]):
        t = _norm(p)
        cut = _cut_run_on(t)
        if cut is not None:
            return None, cut
        if "报告" in t and len(t) <= 60 and not t.startswith(_NOT_TITLE):
            if i > 0 and len(t) < 10 and len(_norm(paras[i - 1])) <= 40:
                return _norm(paras[i - 1]) + t, None
            return t, None
    return None, None


def _hint_titles(hint: str | None, meta_titles: tuple[str, ...]) -> list[str]:
    """The page's <title>, ArticleTitle and og:title (site-name suffix removed), in that order."""
    out = [_HINT_SUFFIX.sub("", _norm(hint))] if hint else []
    out += [_HINT_SUFFIX.sub("", _norm(m)) for m in meta_titles]
    return [t for t in dict.fromkeys(out) if t]


def _candidates(paras: list[str], hint: str | None, meta_titles: tuple[str, ...]) -> list[str]:
    """The titles in order of preference: the heading; else the page's titles and the cut first line, those
    naming agency and year first, then those naming a year, each group in that order."""
    heading, first_line = _heading_or_first_line(paras)
    others = _hint_titles(hint, meta_titles) + ([first_line] if first_line else [])

    def rank(t: str) -> int:
        agency, year = agency_year(t)
        return 0 if agency and year else 1 if year else 2
    return ([heading] if heading else []) + sorted(others, key=rank)


def find_title(paras: list[str], hint: str | None, meta_titles: tuple[str, ...] = ()) -> str | None:
    """The report title: the heading, which may wrap over lines ("五星办事处2021年政府信息公开工作" / "年度报告");
    else the page's <title> (site name suffix removed), ArticleTitle, og:title or the first line (cut after
    年度报告 where it runs on into the text) — the first naming agency and year, else the first naming a year,
    else the first."""
    candidates = _candidates(paras, hint, meta_titles)
    return candidates[0] if candidates else None


def title_agency_year(paras: list[str], hint: str | None,
                      meta_titles: tuple[str, ...] = ()) -> tuple[str | None, str | None, int | None]:
    """(title, agency, year). The title as `find_title`; agency and year from the title, else from whichever
    of the other titles (page <title>, ArticleTitle, og:title, the first line) names them — an agency only
    from a title of the same year."""
    candidates = _candidates(paras, hint, meta_titles)
    if not candidates:
        return None, None, None
    title = candidates[0]
    agency, year = agency_year(title)
    for other in candidates[1:]:
        if agency is not None and year is not None:
            break
        a, y = agency_year(other)
        if year is None and y is not None:
            year = y
        if agency is None and a is not None and (y is None or y == year):
            agency = a
    return title, agency, year


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
    title, agency, year = title_agency_year(paras[: max(first_heading, 1)], raw.title_hint, raw.meta_titles)
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
        raw_of, ambiguous, add = m.raw.get, m.ambiguous, report.cells.append
        for key in (template.mixed_keys() if m.mixed else template.keys(use, tid)):
            raw_text = raw_of(key)
            row_key, col_key = key
            if raw_text is not None:
                if key in ambiguous:
                    add(Cell(tid, row_key, col_key, raw_text, "text", None))
                    uncertain = True
                else:
                    sem, val = classify(raw_text)
                    add(Cell(tid, row_key, col_key, raw_text, sem, val))
            elif row_key in not_printed:  # the mixed layout's sub-rows: not printed
                add(Cell(tid, row_key, col_key, None, "blank", None))
            else:  # the table was found but this cell not read: our misread, not a blank
                if row_key not in missing_rows:
                    missing_rows.append(row_key)
                add(Cell(tid, row_key, col_key, None, UNREAD, None))
        if missing_rows:
            uncertain = True
            notes.append(f"{template.TABLE_ZH[tid]}: cells not read (stored unread) in rows: {', '.join(missing_rows)}")
    mixed = any(m is not None and m.mixed for m in mapped.values())
    report.layout = "mixed" if mixed else version
    if uncertain:
        report.status = "partial"
    report.notes = notes
    return report
