"""Word .docx rendering with python-docx (a test/bench dependency, imported only when called).

The document looks like what agencies upload: a centred title (sometimes wrapped with a line break),
section headings in 黑体 (sometimes Word's automatic 一、二、… list numbering instead of typed numbers),
narrative paragraphs with a first-line indent whose text is spread over several runs (with proofing
marks and a `_GoBack` bookmark in between, some digits full-width), the three tables laid out like the
national form with *merged* cells, and the agency and date signed at the end.

Tables are gongkai.synth.grids' items (as render_html and render_pdf write them), with Word's
merges in place of colspan/rowspan: w:gridSpan for horizontal merges, w:vMerge="restart" on the first
cell of a vertical merge and w:vMerge (continue) cells below it. 表二: 第二十条 sub-header rows merged
across the table, one-column groups' value cell merged across 3 columns; 表三: the note cell merged 3×3,
申请人情况 across 7, 自然人 and 总计 merged vertically over 2 rows, 法人或其他组织 across 5, group labels
(三、本年度办理结果, （三）不予公开 …) merged vertically; 表四: a 3-row header. Label text is split over
runs, some two-character-pair headers over two paragraphs ("商业" / "企业"); blank cells hold an empty
paragraph.

The bytes are deterministic for a report (fixed zip timestamps and document properties).
"""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile

from gongkai.synth.grids import Item, place, t2_items, t3_items, t4_items
from gongkai.synth.report import SynthReport

__all__ = ["render_docx"]

_FW = str.maketrans("0123456789", "０１２３４５６７８９")
_CN_NUM = "一二三四五六"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

# --------------------------------------------------------------------------- document building

class _Writer:
    def __init__(self, r: SynthReport, rng: random.Random):
        try:
            from docx import Document
        except ImportError as exc:
            raise ModuleNotFoundError("the docx rendering needs python-docx: pip install -e '.[test]'") from exc
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Pt

        self.r, self.rng = r, rng
        self.E, self.qn, self.Pt, self.ALIGN = OxmlElement, qn, Pt, WD_ALIGN_PARAGRAPH
        self.doc = Document()
        self.relabel = r.relabel
        self.bookmark_done = False
        normal = self.doc.styles["Normal"]
        normal.font.name = "Times New Roman"
        normal.font.size = Pt(16)
        rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
        rfonts.set(qn("w:eastAsia"), "仿宋_GB2312")
        self.numbered_headings = False
        from docx.enum.style import WD_STYLE_TYPE

        cell_style = self.doc.styles.add_style("表格文字", WD_STYLE_TYPE.PARAGRAPH)
        cell_style.base_style = normal
        cell_style.font.size = Pt(10.5)
        cell_style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        cell_style.paragraph_format.space_after = Pt(0)
        self.cell_style, self.cell_style_obj = cell_style.style_id, cell_style

    # ---- runs and paragraphs

    def _cuts(self, text: str, max_runs: int) -> list[str]:
        n = min(len(text), self.rng.choice((1, 1, 2, 3, max_runs)))
        if n <= 1 or len(text) <= n:
            return [text]
        cuts = sorted(self.rng.sample(range(1, len(text)), n - 1))
        return [text[a:b] for a, b in zip([0] + cuts, cuts + [len(text)])]

    def runs(self, p, text: str, *, bold: bool = False, font: str | None = None, size: float | None = None,
             max_runs: int = 4) -> None:
        pieces = self._cuts(text, max_runs)
        for k, piece in enumerate(pieces):
            if k and self.rng.random() < 0.15:
                err = self.E("w:proofErr")
                err.set(self.qn("w:type"), self.rng.choice(("spellStart", "gramStart", "spellEnd")))
                p._p.append(err)
            if not self.bookmark_done and k and self.rng.random() < 0.05:
                self._bookmark(p)
            run = p.add_run(piece)
            if bold:
                run.bold = True
            if size:
                run.font.size = self.Pt(size)
            if font:
                run.font.name = font
                run._r.get_or_add_rPr().get_or_add_rFonts().set(self.qn("w:eastAsia"), font)

    def _bookmark(self, p) -> None:
        start, end = self.E("w:bookmarkStart"), self.E("w:bookmarkEnd")
        start.set(self.qn("w:id"), "0")
        start.set(self.qn("w:name"), "_GoBack")
        end.set(self.qn("w:id"), "0")
        p._p.append(start)
        p._p.append(end)
        self.bookmark_done = True

    def para(self, text: str, *, indent: bool = True, align=None) -> None:
        p = self.doc.add_paragraph()
        if indent:
            p.paragraph_format.first_line_indent = self.Pt(32)
        if align is not None:
            p.alignment = align
        if self.rng.random() < 0.3:
            text = text.translate(_FW)          # some full-width digits in the prose
        self.runs(p, text)

    def title(self) -> None:
        title = self.r.title
        p = self.doc.add_paragraph()
        p.alignment = self.ALIGN.CENTER
        head = title.removesuffix("年度报告")
        if head != title and len(head) <= 40 and self.rng.random() < 0.25:   # wrapped with a line break
            self.runs(p, head, font="方正小标宋简体", size=22)
            p.add_run().add_break()
            self.runs(p, "年度报告", font="方正小标宋简体", size=22)
        else:
            self.runs(p, title, font="方正小标宋简体", size=22)
        self.doc.add_paragraph()

    def heading(self, no: int, title: str) -> None:
        p = self.doc.add_paragraph()
        p.paragraph_format.first_line_indent = self.Pt(32)
        if self.numbered_headings:
            prefix = f"{_CN_NUM[no - 1]}、"
            ppr = p._p.get_or_add_pPr()
            num_pr = self.E("w:numPr")
            for tag, val in (("w:ilvl", "0"), ("w:numId", "90")):
                el = self.E(tag)
                el.set(self.qn("w:val"), val)
                num_pr.append(el)
            from docx.oxml.xmlchemy import BaseOxmlElement

            if not isinstance(num_pr, BaseOxmlElement):  # (OxmlElement is typed as maybe a plain lxml element)
                raise TypeError(f"w:numPr is a {type(num_pr).__name__}, not a python-docx element")
            ppr.insert_element_before(num_pr, "w:jc", "w:ind", "w:spacing", "w:rPr")
            title = title.removeprefix(prefix)
        self.runs(p, title, font="黑体", max_runs=2)

    def enable_numbered_headings(self) -> None:
        """An automatic 一、二、… list for the section headings (numbering.xml)."""
        numbering = self.doc.part.numbering_part.element
        E, qn = self.E, self.qn
        abstract = E("w:abstractNum")
        abstract.set(qn("w:abstractNumId"), "90")
        mlt = E("w:multiLevelType")
        mlt.set(qn("w:val"), "singleLevel")
        abstract.append(mlt)
        lvl = E("w:lvl")
        lvl.set(qn("w:ilvl"), "0")
        for tag, val in (("w:start", "1"), ("w:numFmt", "chineseCounting"), ("w:suff", "nothing"),
                         ("w:lvlText", "%1、"), ("w:lvlJc", "left")):
            el = E(tag)
            el.set(qn("w:val"), val)
            lvl.append(el)
        abstract.append(lvl)
        first_num = numbering.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            numbering.append(abstract)
        num = E("w:num")
        num.set(qn("w:numId"), "90")
        ref = E("w:abstractNumId")
        ref.set(qn("w:val"), "90")
        num.append(ref)
        numbering.append(num)
        self.numbered_headings = True

    # ---- tables

    def table(self, rows: list[list[Item]]) -> None:
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls
        from docx.oxml.table import CT_Tc
        from docx.table import _Cell

        grid, ncols = place(rows)
        table = self.doc.add_table(rows=len(grid), cols=ncols)
        table.style = self.doc.styles["Table Grid"]
        table.alignment = 1  # centred
        widths = [gc.w for gc in table._tbl.tblGrid.gridCol_lst]
        decl = nsdecls("w")
        for tr, cells in zip(table._tbl.tr_lst, grid):
            for tc in list(tr.tc_lst):
                tr.remove(tc)
            for j, (kind, what) in sorted(cells.items()):
                span = what[1] if kind == "origin" else what
                props = f'<w:tcW w:w="{sum(widths[j:j + span])}" w:type="dxa"/>'
                if span > 1:
                    props += f'<w:gridSpan w:val="{span}"/>'
                if kind == "cont":
                    props += '<w:vMerge w:val="continue"/>' if self.rng.random() < 0.2 else "<w:vMerge/>"
                elif what[2] > 1:
                    props += '<w:vMerge w:val="restart"/>'
                tc = parse_xml(f'<w:tc {decl}><w:tcPr>{props}<w:vAlign w:val="center"/></w:tcPr>'
                               f'<w:p><w:pPr><w:pStyle w:val="{self.cell_style}"/></w:pPr></w:p></w:tc>')
                tr.append(tc)
                if kind == "origin":
                    if not isinstance(tc, CT_Tc):  # (parse_xml is typed as returning the base element class)
                        raise TypeError(f"w:tc parsed as a {type(tc).__name__}, not CT_Tc")
                    self._fill(_Cell(tc, table), what[0], what[3])
        self.doc.add_paragraph()

    def _fill(self, cell, text: str | None, role: str) -> None:
        p = cell.paragraphs[0]
        if role == "value":
            if text is not None and text != "":
                p.add_run(text)
            elif self.rng.random() < 0.3:
                p.add_run()                      # an empty run, as Word leaves after deleting a value
            return
        if text is None:
            raise ValueError(f"a {role} cell needs its text")
        text = self.relabel.get(text, text)
        if role == "label" and len(text) >= 8:
            p.alignment = self.ALIGN.LEFT
        if role == "head" and 2 <= len(text) <= 6 and self.rng.random() < 0.3:   # 商业 / 企业
            cut = len(text) // 2
            self.runs(p, text[:cut], max_runs=1)
            self.runs(cell.add_paragraph(style=self.cell_style_obj), text[cut:], max_runs=1)
            return
        self.runs(p, text, max_runs=3)

    # ---- output

    def save(self) -> bytes:
        r = self.r
        props = self.doc.core_properties
        stamp = dt.datetime(r.year + 1, 1 + self.rng.randrange(3), 1 + self.rng.randrange(28), 9, 30)
        props.created = props.modified = stamp
        props.last_printed = stamp
        props.author = props.last_modified_by = r.agency if self.rng.random() < 0.5 else "Administrator"
        props.title = r.title if self.rng.random() < 0.5 else ""
        props.revision = 1 + self.rng.randrange(9)
        buf = io.BytesIO()
        self.doc.save(buf)
        return _deterministic_zip(buf.getvalue())


def _deterministic_zip(data: bytes) -> bytes:
    """Rewrite the archive with fixed timestamps (python-docx stamps members with the current time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(zipfile.ZipInfo(info.filename, _ZIP_TIME), src.read(info), zipfile.ZIP_DEFLATED)
    return out.getvalue()


def render_docx(r: SynthReport) -> bytes:
    """The report as a Word .docx (see the module docstring). Needs python-docx (`pip install -e '.[test]'`)."""
    rng = random.Random(f"{r.report_key}|docx")
    w = _Writer(r, rng)
    numbered = [n for n, t, _ in r.sections] == [1, 2, 3, 4, 5, 6] and all(
        t.startswith(f"{_CN_NUM[n - 1]}、") for n, t, _ in r.sections)
    if numbered and rng.random() < 0.25:
        w.enable_numbered_headings()
    w.title()
    if r.preamble:
        w.para(r.preamble)
    builders = {2: ("t2", t2_items), 3: ("t3", t3_items), 4: ("t4", t4_items)}
    for no, title, text in r.sections:
        w.heading(no, title)
        for line in text.split("\n") if text else ():
            w.para(line)
        if no in builders and r.tables_present.get(builders[no][0]):
            w.table(builders[no][1](r))
    w.doc.add_paragraph()
    date = f"{r.year + 1}年{1 + rng.randrange(3)}月{1 + rng.randrange(28)}日"
    w.para(r.agency, indent=False, align=w.ALIGN.RIGHT)
    w.para(date, indent=False, align=w.ALIGN.RIGHT)
    return w.save()
