"""HTML renderings: a clean page, or a government-portal page around a Word-pasted article.

Table structure follows the real page ../shared/corpus/real/shuyang_fgj_2023.html: 表二 one table with
第二十条 sub-header rows (colspan) and colspan values for one-column groups; 表三 with a 3-row header
(note cell colspan=3 rowspan=3, 申请人情况 colspan=7, 自然人 rowspan=2, 法人或其他组织 colspan=5, 总计
rowspan=2) and rowspan group labels; 表四 with a 3-row header.
"""

from __future__ import annotations

import random
from dataclasses import replace
from functools import lru_cache
from html import escape

from gongkai.synth.grids import Item, t2_items, t3_items, t4_items
from gongkai.synth.report import SynthReport

_FW = str.maketrans("0123456789", "０１２３４５６７８９")
_TABLE = '<table border="1" cellspacing="0" cellpadding="2" style="border-collapse:collapse">\n<tbody>\n'
_PTABLE = ('<table style="BORDER-COLLAPSE:collapse" cellspacing="0" cellpadding="2" bordercolor="#000000" '
           'border="1">\n  <tbody>\n')
_SPAN = '<span style="font-family: 仿宋_GB2312;">'
_PSTYLE = '<p style="text-align: justify; line-height: 2;" align="">'


def _attrs(colspan: int = 1, rowspan: int = 1) -> str:
    return (f' colspan="{colspan}"' if colspan > 1 else "") + (f' rowspan="{rowspan}"' if rowspan > 1 else "")


@lru_cache(maxsize=4096)
def _clean_label(text: str, colspan: int, rowspan: int) -> str:
    return f"<td{_attrs(colspan, rowspan)}>{escape(text, False)}</td>"


@lru_cache(maxsize=4096)
def _clean_value(raw: str | None, colspan: int) -> str:
    return f"<td{_attrs(colspan)}>{escape(raw, False) if raw is not None else ''}</td>"


def _split(text: str, rng: random.Random) -> str:
    """Split a text over 1–3 <span>s at arbitrary points, as Word paste does (三/、本/年度…)."""
    n = min(len(text), rng.choice((1, 1, 2, 3)))
    cuts = sorted(rng.sample(range(1, len(text)), n - 1)) if n > 1 and len(text) > n else []
    bits, last = [], 0
    for c in cuts + [len(text)]:
        bits.append(f"{_SPAN}{escape(text[last:c], False)}</span>")
        last = c
    return "".join(bits)


@lru_cache(maxsize=4096)
def _portal_label_variants(text: str, colspan: int, rowspan: int, header: bool) -> tuple[str, ...]:
    """A few Word-paste renderings of one label cell (fixed per label; the page picks one per cell)."""
    rng = random.Random(f"label|{text}")
    a = _attrs(colspan, rowspan)
    inners = [f"{_PSTYLE}{_split(text, rng)}<span><o:p></o:p></span></p>" for _ in range(4)]
    if header and 2 <= len(text) <= 6:                     # 商业<br>企业 / <p>商业</p><p>企业</p>
        cut = len(text) // 2
        inners.append(f"{_PSTYLE}{_SPAN}{escape(text[:cut], False)}<br>{escape(text[cut:], False)}</span></p>")
        inners.append(f"{_PSTYLE}{_SPAN}{escape(text[:cut], False)}</span><span><o:p></o:p></span></p>\n"
                      f"      {_PSTYLE}{_SPAN}{escape(text[cut:], False)}</span><span><o:p></o:p></span></p>")
    return tuple(f'<td{a} valign="center">\n      {inner}\n      </td>' for inner in dict.fromkeys(inners))


@lru_cache(maxsize=4096)
def _portal_value(raw: str | None, colspan: int) -> str:
    a = _attrs(colspan)
    if raw is None or not raw.strip():
        return f'<td{a} valign="top">\n      {_PSTYLE}<span><o:p>&nbsp;</o:p></span></p>\n      </td>'
    return f'<td{a} valign="center">\n      {_PSTYLE}{_SPAN}{escape(raw, False)}</span><span><o:p></o:p></span></p>\n      </td>'


_MSO_P = "<p class=MsoNormal align=center style='text-align:center;mso-line-height-rule:exactly'>"
_MSO_SPAN = "<span lang=EN-US style='font-size:10.5pt;font-family:仿宋_GB2312;mso-bidi-font-family:\"Times New Roman\"'>"
_NUMERIC = frozenset("0123456789")
_WORD_PREAMBLE = "根据《中华人民共和国政府信息公开条例》（以下简称《条例》）规定，现公布本机关本年度政府信息公开工作年度报告。"


def _per_char(text: str) -> str:
    """One <span> around every character, as a Word paste with mixed run properties writes it."""
    return "".join(f"{_MSO_SPAN}{escape(ch, False)}</span>" for ch in text)


# How a Word/Excel paste wraps a printed number: invisible marks and empty Office elements around it. None
# of them prints anything, so the cell still reads as the number (the truth is the raw text unchanged).
_WORD_NUMBER = (
    lambda v: f"{_MSO_SPAN}{v}</span><span lang=EN-US><o:p></o:p></span>",
    lambda v: f"{_MSO_SPAN}&#8206;{v}</span><o:p></o:p>",                       # left-to-right mark
    lambda v: f"{_MSO_SPAN}{v}&#8203;</span><o:p>&nbsp;</o:p>",                 # zero-width space, <o:p>&nbsp;
    lambda v: f"<span style='mso-spacerun:yes'>&nbsp;</span>{_per_char(v)}&shy;<o:p></o:p>",
    lambda v: f"{_MSO_SPAN}&#xFEFF;{v}&#x2060;</span><span style='mso-tab-count:1'>\t</span>",
)


def _word_value(raw: str | None, colspan: int, rng: random.Random) -> str:
    a = _attrs(colspan)
    if raw is None or not raw.strip():
        return f"<td{a} width=43 valign=top style='border:solid windowtext 1.0pt'>{_MSO_P}<span lang=EN-US><o:p>&nbsp;</o:p></span></p></td>"
    xnum = ""
    if raw and set(raw) <= _NUMERIC:
        xnum = " x:num" if rng.random() < 0.5 else f' x:num="{raw}"'
    inner = _WORD_NUMBER[int(rng.random() * len(_WORD_NUMBER))](escape(raw, False)) if xnum else \
        f"{_MSO_SPAN}{escape(raw, False)}</span><o:p></o:p>"
    return f"<td{a} width=43 valign=center{xnum} style='border:solid windowtext 1.0pt'>{_MSO_P}{inner}</p></td>"


def _word_label(text: str, colspan: int, rowspan: int) -> str:
    return (f"<td{_attrs(colspan, rowspan)} width=120 valign=center style='border:solid windowtext 1.0pt'>"
            f"<p class=MsoNormal style='text-align:justify'>{_per_char(text)}<span lang=EN-US><o:p></o:p></span></p></td>")


class _Cells:
    """How cell contents are written: clean (plain text) or portal (Word-pasted spans, &nbsp;)."""

    def __init__(self, rng: random.Random | None, relabel: dict[str, str] | None = None, word: bool = False):
        self.rng = rng
        self.relabel = relabel or {}
        self.word = word  # Word-pasted: MsoNormal paragraphs, a span per character, x:num, invisible marks

    def label(self, text: str, colspan: int = 1, rowspan: int = 1, header: bool = False) -> str:
        text = self.relabel.get(text, text)
        if self.word:
            return _word_label(text, colspan, rowspan)
        if self.rng is None:
            return _clean_label(text, colspan, rowspan)
        variants = _portal_label_variants(text, colspan, rowspan, header)
        return variants[int(self.rng.random() * len(variants))]

    def spans(self, text: str) -> str:
        if self.rng is None:
            raise ValueError("spans() splits text the way portal pages do: it needs the portal's rng")
        return _split(text, self.rng)

    def value(self, raw: str | None, colspan: int = 1) -> str:
        if self.word and self.rng is not None:
            return _word_value(raw, colspan, self.rng)
        return _clean_value(raw, colspan) if self.rng is None else _portal_value(raw, colspan)


def _rows(items: list[list[Item]], w: _Cells, headers: bool) -> list[list[str]]:
    """grids items → <td> strings. `headers`: head items are written as portal header cells (表三, 表四;
    表二's column heads are written like labels)."""
    return [[w.value(text, cs) if kind == "value" else w.label(text, cs, rs, header=headers and kind == "head")
             for text, cs, rs, kind in row] for row in items]


def _t2(r: SynthReport, w: _Cells) -> list[list[str]]:
    return _rows(t2_items(r), w, headers=False)


def _t3(r: SynthReport, w: _Cells) -> list[list[str]]:
    return _rows(t3_items(r), w, headers=True)


def _t4(r: SynthReport, w: _Cells) -> list[list[str]]:
    return _rows(t4_items(r), w, headers=True)


def _table(rows: list[list[str]], portal: bool) -> str:
    if portal:
        return _PTABLE + "".join("    <tr>\n      " + "\n      ".join(tr) + "\n    </tr>\n" for tr in rows) + "  </tbody>\n</table>\n"
    return _TABLE + "".join("<tr>" + "".join(tr) + "</tr>\n" for tr in rows) + "</tbody>\n</table>\n"


def _body(r: SynthReport, rng: random.Random | None, word: bool = False) -> str:
    w = _Cells(rng, r.relabel, word)
    portal = rng is not None
    out = []

    def para(text: str, heading: bool = False) -> None:
        if rng is None:  # (not portal)
            out.append(f"<p>{escape(text, False)}</p>\n")
            return
        if word:
            style = "" if heading else " style='text-indent:32.0pt;mso-char-indent-count:2.0'"
            out.append(f"<p class=MsoNormal{style}>{_per_char(text)}<span lang=EN-US><o:p></o:p></span></p>\n")
            return
        if not heading and rng.random() < 0.3:
            text = text.translate(_FW)          # some full-width digits in the prose
        style = "text-indent: 2em; text-align: justify; line-height: 2;"
        out.append(f'<p style="{style}" align="">{w.spans(text)}<span><o:p></o:p></span></p>\n')

    if word:  # the title runs into the first paragraph: "…年度报告&nbsp;根据《条例》…", no line break
        first = f"&nbsp;{_per_char(r.preamble or _WORD_PREAMBLE)}"
        out.append(f"<p class=MsoNormal align=center style='text-align:center'><b>{_per_char(r.title)}</b>"
                   f"<span lang=EN-US>{first}<o:p></o:p></span></p>\n")
    elif r.preamble:
        para(r.preamble)
    builders = {2: ("t2", _t2), 3: ("t3", _t3), 4: ("t4", _t4)}
    for no, title, text in r.sections:
        para(title, heading=True)
        for line in text.split("\n") if text else ():
            para(line)
        if no in builders and r.tables_present.get(builders[no][0]):
            table = _table(builders[no][1](r, w), portal)
            out.append(f'<div style="text-align: center;">\n{table}</div>\n' if portal else table)
            if portal:
                out.append("<p>&nbsp;</p>\n")
    return "".join(out)


def render_html(r: SynthReport, portal: bool = False, encoding: str = "utf-8", fullwidth_cells: bool = False,
                word_pasted: bool = False) -> bytes:
    """The report as an HTML page. portal=True wraps it in portal chrome (navigation, a page-metadata
    table, footer), splits labels over <span>s, writes &nbsp; in blank cells and some full-width digits
    in the prose. The page declares `encoding` in <meta charset> and is encoded with it. fullwidth_cells:
    every digit of the table cells printed full-width (１２, as some GBK portal pages do; the values, and so
    the truth, are unchanged). word_pasted: a portal page (implies portal=True) whose article is a Word/Excel
    paste as real portals publish it — MsoNormal paragraphs, a <span> per character, <o:p> elements, `x:num`
    on number cells, invisible marks around the numbers (left-to-right mark, zero-width space, soft hyphen,
    BOM, word joiner, mso-spacerun &nbsp;), no title heading: the title runs into the first paragraph after
    an &nbsp;, the page <title> names only the year ("2023年政府信息公开工作年度报告-<site>") and the article
    title is in <meta name="ArticleTitle"> and og:title. The printed values, and so the truth, are unchanged."""
    portal = portal or word_pasted
    if fullwidth_cells:
        r = replace(r, cells={k: v.translate(_FW) if v else v for k, v in r.cells.items()})
    title = escape(r.title, False)
    if not portal:
        html = (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="{encoding}">\n<title>{title}</title>\n'
                f'</head>\n<body>\n<h1>{title}</h1>\n{_body(r, None)}</body>\n</html>\n')
        return html.encode(encoding, errors="xmlcharrefreplace")
    rng = random.Random(f"{r.report_key}|portal")
    site = f"{r.region}人民政府" if r.region else "人民政府门户网站"
    site_e = escape(site, False)
    agency = escape(r.agency, False)
    date = f"{r.year + 1}-{rng.randint(1, 3):02d}-{rng.randint(10, 28):02d}"
    index_no = f"{rng.randint(10**8, 10**9 - 1)}/{r.year + 1}-{rng.randint(1, 99999):05d}"
    nav = "".join(f'<li class="nav{i}"><a href="/{p}/index.shtml" target="_self">{n}</a></li>'
                  for i, (p, n) in enumerate((("home", "首页"), ("zjxq", "走进本地"), ("bsfw", "办事服务"),
                                              ("zmhd", "政民互动"), ("xxgk", "政府信息公开"), ("sjkf", "数据开放"))))
    meta = (f'<table class="table_content">\n<tbody>\n'
            f'<tr><td class="c1" align="center">名称</td><td class="c4" colspan="3" align="left">{title}</td></tr>\n'
            f'<tr><td class="c1" align="center">索引号</td><td class="c2" align="left">{index_no}</td>'
            f'<td class="c1" align="center">分类</td><td class="c3" align="left">信息公开年报&nbsp;&nbsp;报告</td></tr>\n'
            f'<tr><td class="c1" align="center">发布机构</td><td class="c2" align="left">{agency}</td>'
            f'<td class="c1" align="center">公开日期</td><td class="c3" align="left"><publishtime>{date}</publishtime></td></tr>\n'
            f'<tr><td class="c1" align="center">文号</td><td class="c2" align="left"></td>'
            f'<td class="c1" align="center">关键词</td><td class="c3" align="left"></td></tr>\n'
            f'</tbody>\n</table>\n')
    sign = (f'<p style="text-align: right;">{agency}</p>\n'
            f'<p style="text-align: right;">{r.year + 1}年{int(date[5:7])}月{int(date[8:])}日<br>\n</p>\n')
    prev_link = (f'<div class="article-nav">上一篇：<a href="../{r.year - 1}/index.shtml">'
                 f'{agency}{r.year - 1}年政府信息公开工作年度报告</a></div>\n')
    html = (
        '<!DOCTYPE html>\n<html>\n<head>\n'
        f'<meta charset="{encoding}">\n<meta name="renderer" content="webkit">\n'
        f'<meta name="SiteName" content="{site_e}">\n<meta name="ColumnName" content="政府信息公开年报">\n'
        + (f'<meta name="ArticleTitle" content="{title}">\n<meta property="og:title" content="{title}">\n'
           f'<title>{r.year}年政府信息公开工作年度报告-{site_e}</title>\n' if word_pasted else f'<title>{title}-{agency}</title>\n') +
        '<link rel="stylesheet" type="text/css" href="/xhtml/css/common.css">\n'
        '<script type="text/javascript" src="/xhtml/js/jquery.min.js"></script>\n'
        '</head>\n<body>\n'
        '<div class="header-top"><div class="container"><ul class="fr">'
        '<li><a href="/wza.shtml">无障碍</a></li><li><a href="javascript:;">适老化</a></li>'
        '<li><a href="/znwd.shtml">智能问答</a></li></ul><div class="header-date fl" id="utime"></div></div></div>\n'
        f'<div class="header-ban"><div class="header-logo"><img src="/xhtml/images/logo.png" alt="{site_e}"></div>\n'
        '<form action="/search4/s" method="post" name="form1" target="_blank"><input name="searchWord" type="text" '
        'class="s-txt" placeholder="请输入关键词"><input type="submit" class="s-btn" value=""></form>\n'
        f'<div class="mainNav"><ul class="clearfix">{nav}</ul></div></div>\n'
        '<div class="position">当前位置：<a href="/index.shtml">首页</a> &gt; <a href="/xxgk/xxgk.shtml">政府信息公开</a>'
        ' &gt; <a href="../index.shtml">政府信息公开年报</a></div>\n'
        f'<div class="xxgkMain"><div class="container"><h2 class="siteTit">{agency}</h2>\n'
        f'<div class="xxgkArticle"><div class="article-tb">\n{meta}</div>\n'
        + ('' if word_pasted else f'<h1 class="article-title"><ucaptitle>{title}</ucaptitle></h1>\n') +
        f'<div class="article-content" id="zoomcon"><ucapcontent>\n{_body(r, rng, word_pasted)}{sign}</ucapcontent></div>\n'
        f'{prev_link}</div></div></div>\n'
        f'<div class="footer"><p>主办单位：{site_e}办公室　承办：{agency}</p>'
        f'<p>网站标识码：{rng.randint(10**9, 10**10 - 1)}　苏ICP备{rng.randint(10**7, 10**8 - 1)}号</p></div>\n'
        '<script type="text/javascript">document.getElementById("utime").innerHTML = new Date().toLocaleDateString();</script>\n'
        '</body>\n</html>\n')
    return html.encode(encoding, errors="xmlcharrefreplace")
