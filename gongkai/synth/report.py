"""The synthetic report model: printed cells, narrative sections, defects and the expected findings."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from typing import Sequence

from .evaluate import evaluate, evaluate_text, read_cell
from .numbers import (
    CARRIED, FORWARD, MIXED, NEW, PROCESSED, TOTAL, Key, agency_scale, balanced_numbers, layout, mixed_rows,
)

DEFECTS = (
    "t3_balance", "t3_total_column", "t3_outcome_sum", "t4_total", "blank_cell", "dash_cell", "text_cell",
    "negative_cell", "fraction_cell", "missing_section", "missing_table", "fullwidth_digits",
    "blank_org_columns", "outdated_format",
)
# Defects the panel rules of the warehouse catch (gongkai/warehouse/panel/). Never drawn by
# write_corpus unless asked (panel_defect_rate), so corpora without them stay as they were.
#   text_contradiction  the narrative states one number differently from the table (TEXT_TABLE)
#   copy_previous       every table cell printed as in last year's report (XY_COPY; needs prev)
#   copy_text           the narrative is last year's with the year changed (XY_COPY, and TEXT_TABLE
#                       wherever last year's numbers differ from this year's tables; needs prev)
#   carry_over_break    上年结转 ≠ last year's 结转下年度 in one applicant column (and so in 总计), the
#                       table still balanced (XY_CARRY_OVER; needs prev)
PANEL_DEFECTS = ("text_contradiction", "copy_previous", "copy_text", "carry_over_break")
NEEDS_PREV = frozenset({"copy_previous", "copy_text", "carry_over_break"})
# Layouts seen in real files, drawn by write_corpus on their own (mixed_rate), so the draws of DEFECTS stay
# as they were:
#   mixed_format        2021 labels, but 表三 prints （六）其他处理 as the single 2019 row (the sum of its three
#                       sub-rows, which are not printed): cells under `y2019_other_processing`, the sub-rows
#                       blank (not printed); the identities use the single row; FORMAT_OUTDATED at (t3,
#                       y2019_other_processing, NULL) from 2021 on. Combines with every other defect (an
#                       arithmetic or printing defect may land on the single row, never on a sub-row) except
#                       outdated_format (the 2019 format prints that row anyway) and copy_previous (the copy
#                       keeps last year's layout, mixed or not).
LAYOUT_DEFECTS = ("mixed_format",)
EXCLUSIVE = (frozenset({"mixed_format", "outdated_format"}), frozenset({"mixed_format", "copy_previous"}))
ALL_DEFECTS = DEFECTS + PANEL_DEFECTS + LAYOUT_DEFECTS
LITIGATION_KEY = "t4|cases|suit_direct_total+suit_after_review_total"   # stated key of 行政诉讼 (both totals)

SECTION_TITLES = {
    1: ("一、总体情况", "1、 总体情况"),
    2: ("二、主动公开政府信息情况",),
    3: ("三、收到和处理政府信息公开申请情况",),
    4: ("四、政府信息公开行政复议、行政诉讼情况",),
    5: ("五、存在的主要问题及改进情况", "五、政府信息公开工作存在的主要问题及改进情况", "五、存在的主要问题及整改措施"),
    6: ("六、其他需要报告的事项",),
}
_FW = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass
class SynthReport:
    report_key: str
    agency: str
    year: int
    version: str
    cells: dict[Key, str | None]                     # printed raw text per cell of a present table; None = blank
    sections: list[tuple[int, str, str]]             # (section_no, printed title, text) — missing ones left out
    tables_present: dict[str, bool]
    expected_findings: list[dict]
    defects: tuple[str, ...] = ()
    numbers: dict[Key, float] = field(default_factory=dict)    # balanced values before any defect
    stated: dict[str, float] = field(default_factory=dict)     # numbers the narrative restates, "t|r|c" → value
    preamble: str = ""
    seed: int = 0
    region: str = ""
    relabel: dict[str, str] = field(default_factory=dict)      # template label → printed variant (all renderings)
    mixed: bool = False     # the mixed layout (mixed_format, or a copy of a mixed report): `cells` holds the
                            # single row's cells and the three unprinted sub-rows' as None (not printed)

    @property
    def layout_key(self) -> str:
        """How the tables are laid out: the format version, or numbers.MIXED (what `layout()` takes)."""
        return MIXED if self.mixed else self.version

    def not_printed(self) -> frozenset[Key]:
        """Cells of the template that the layout does not print (the mixed layout's sub-rows): the parser
        stores them blank with raw NULL, and no finding is about them."""
        if not self.mixed:
            return frozenset()
        return frozenset(("t3", r, c) for r in mixed_rows()[1] for c, _ in layout(MIXED).t3_cols)

    @property
    def title(self) -> str:
        return f"{self.agency}{self.year}年政府信息公开工作年度报告"

    def text(self) -> str:
        """The narrative of sections 一…六 (what XY_COPY compares), paragraphs joined by newlines."""
        return "\n".join(t for _, _, t in self.sections if t)

    def truth_cells(self) -> dict[str, str | None]:
        return {f"{t}|{r}|{c}": raw for (t, r, c), raw in self.cells.items()}


def _fmt(v: float, money: bool, style: int) -> str:
    if not money or v == int(v):
        return str(int(v))
    return f"{v:.4f}" if style else f"{v:.4f}".rstrip("0").rstrip(".")


def _fullwidth(raw: str, rng: random.Random) -> str:
    sem, x = read_cell(raw)
    if sem != "number":
        return raw
    if abs(x) >= 1000 and x == int(x):
        raw = f"{int(x):,}"
    return raw.translate(_FW) if rng.random() < 0.6 else raw


def _self(agency: str) -> str:
    for suffix, me in (("办事处", "我办"), ("局", "我局"), ("委员会", "我委"), ("人民政府", "本级政府"), ("办公室", "我办")):
        if agency.endswith(suffix):
            return me
    return "本机关"


def make_report(seed: int, agency: str, year: int, defects: Sequence[str] = (), *,
                version: str | None = None, prev: "SynthReport | None" = None, region: str = "") -> SynthReport:
    """A synthetic report of `agency` for `year` with the requested defects (DEFECTS, PANEL_DEFECTS,
    LAYOUT_DEFECTS; the pairs in EXCLUSIVE are refused).

    `prev` (the same agency's report of year−1) chains 上年结转 to its 结转下年度 and 表二 stock, and keeps
    the tables from being identical to it. Deterministic in (seed, agency, year, defects, prev).
    `expected_findings` holds the in-report rules and TEXT_TABLE; the cross-year ones (XY_*) come from
    `evaluate_cross_year` on the pair, as write_corpus does."""
    unknown = set(defects) - set(ALL_DEFECTS)
    if unknown:
        raise ValueError(f"unknown defects {sorted(unknown)}; choose from {ALL_DEFECTS}")
    defects = tuple(d for d in ALL_DEFECTS if d in defects)
    if prev is None and NEEDS_PREV & set(defects):
        raise ValueError(f"defects {sorted(NEEDS_PREV & set(defects))} need the previous year's report (prev)")
    for pair in EXCLUSIVE:
        if pair <= set(defects):
            raise ValueError(f"defects {sorted(pair)} exclude each other")
    mixed = "mixed_format" in defects
    if version is None:
        version = "2021" if year >= 2021 or mixed else "2019"
        if "outdated_format" in defects:
            version = "2019"
    if mixed and version != "2021":
        raise ValueError("mixed_format is a layout of the 2021 format (version '2021')")
    L = layout(MIXED if mixed else version)
    single, subs = mixed_rows()
    base = f"{seed}|{agency}|{year}"
    rng = random.Random(base)
    carried = in_force = None
    if prev is not None:
        carried = {c: prev.numbers[("t3", FORWARD, c)] for c in L.applicant_cols}
        if prev.version == version:
            in_force = {r: prev.numbers[("t2", r, "in_force")] for g in L.t2_groups for r, _ in g.rows
                        if ("t2", r, "in_force") in prev.numbers}
    nums = balanced_numbers(rng, version, scale=agency_scale(agency), carried_over=carried, in_force=in_force)
    if mixed:   # the single row prints the sum of the three sub-rows (FORMAT.md), the sub-rows nothing
        one = {c: sum(nums[("t3", r, c)] for r in subs) for c, _ in L.t3_cols}
        nums = {k: one[k[2]] if k[:2] == ("t3", single) else nums[k] for k in L.keys}
    if prev is not None and prev.version == version and all(prev.numbers.get(k) == x for k, x in nums.items()):
        for c in ("issued", "in_force"):   # never publish tables identical to last year's (XY_COPY)
            nums[("t2", "normative_docs", c)] += 1
    drng = {d: random.Random(f"{base}|{d}") for d in defects}
    if "carry_over_break" in defects:   # the published numbers themselves (next year chains to them)
        r = drng["carry_over_break"]
        c, d = r.choice(L.applicant_cols), r.randint(1, 3)
        for row in (CARRIED, FORWARD):
            for cc in (c, TOTAL):
                nums[("t3", row, cc)] += d
    if "fullwidth_digits" in defects and not any(abs(x) >= 1000 for x in nums.values()):
        r = drng["fullwidth_digits"]   # a big count (no identity uses it) so that "1,234" gets printed
        k = r.choice([k for k in L.keys if k[0] == "t2" and k[2] == "decisions"])
        nums[k] = float(r.randint(1000, 30000))
    work = dict(nums)
    t4 = L.t4_row

    # arithmetic defects: change numbers so that exactly the targeted identities break
    if "t3_balance" in defects:
        r = drng["t3_balance"]
        c = r.choice(L.applicant_cols)
        d = r.choice((1, 2, 3, 5, 10))
        if work[("t3", CARRIED, c)] >= d and r.random() < 0.5:
            d = -d
        for cc in (c, TOTAL):
            work[("t3", CARRIED, cc)] += d
    if "t3_total_column" in defects:
        r = drng["t3_total_column"]
        row = single if mixed and r.random() < 0.5 else r.choice(L.outcome_rows)   # the single row, often
        d = r.randint(1, 5)
        for rr in (row, PROCESSED, NEW):   # the 总计 column stays balanced; three rows ≠ their sum
            work[("t3", rr, TOTAL)] += d
    if "t3_outcome_sum" in defects:
        r = drng["t3_outcome_sum"]
        row = single if mixed and r.random() < 0.5 else r.choice(L.outcome_rows)   # the single row, often
        c, d = r.choice(L.applicant_cols), r.randint(1, 5)
        for cc in (c, TOTAL):              # the row still adds up; （七）≠ sum in column c and in 总计
            work[("t3", row, cc)] += d
    if "negative_cell" in defects:
        r = drng["negative_cell"]
        if r.random() < 0.5:               # 表四: a negative part, its 总计 adjusted so only CELL_INVALID fires
            p = r.choice(L.t4_prefixes)
            parts = L.t4_parts[p]
            part, k = r.choice(parts[1:]), r.randint(1, 3)
            work[("t4", t4, part)] = -k
            if sum(work[("t4", t4, c)] for c in parts) < 0:
                work[("t4", t4, parts[0])] += k
            work[("t4", t4, f"{p}_{TOTAL}")] = sum(work[("t4", t4, c)] for c in parts)
        else:                              # 表二: a count no identity uses
            k = r.choice([k for k in L.keys if k[0] == "t2" and k[2] == "decisions"])
            work[k] = -float(r.randint(1, 30))
    if "t4_total" in defects:
        r = drng["t4_total"]
        p = r.choice(L.t4_prefixes)
        k = ("t4", t4, f"{p}_{TOTAL}")
        work[k] += -1 if work[k] >= 1 and r.random() < 0.5 else r.randint(1, 3)

    money_style = rng.randrange(2)
    cells: dict[Key, str | None] = {k: _fmt(x, k in L.fraction_ok, money_style) for k, x in work.items()}

    # printing defects
    t3_keys = [k for k in L.keys if k[0] == "t3"]
    if "fraction_cell" in defects:
        r = drng["fraction_cell"]
        k = r.choice([k for k in L.keys if k[0] == "t2" and k not in L.fraction_ok and k[2] not in ("in_force", "issued", "repealed")])
        cells[k] = f"{int(work[k])}.{r.choice((5, 25, 3))}"
    if "blank_org_columns" in defects:
        for k in t3_keys:
            if k[2] not in (L.applicant_cols[0], TOTAL):
                cells[k] = None
    if "blank_cell" in defects:
        cells[drng["blank_cell"].choice(t3_keys)] = None
    if "dash_cell" in defects:
        r = drng["dash_cell"]
        cells[r.choice(t3_keys)] = r.choice(("—", "—", "-", "/"))
    if "text_cell" in defects:
        r = drng["text_cell"]
        cells[r.choice(t3_keys)] = r.choice(("见说明", "未统计", "不详", "详见附件"))
    if "fullwidth_digits" in defects:
        r = drng["fullwidth_digits"]
        for k in L.keys:
            if cells[k] is not None and (r.random() < 0.5 or abs(work[k]) >= 1000):
                cells[k] = _fullwidth(cells[k], r)

    if mixed:                           # the sub-rows are not printed: blank (what the parser stores)
        cells.update((("t3", r, c), None) for r in subs for c, _ in L.t3_cols)

    tables_present = {"t2": True, "t3": True, "t4": "missing_table" not in defects}
    if not tables_present["t4"]:
        cells = {k: x for k, x in cells.items() if k[0] != "t4"}

    if "copy_previous" in defects:      # every cell as printed last year (and so last year's numbers and layout)
        cells, tables_present, version = dict(prev.cells), dict(prev.tables_present), prev.version
        nums, work, mixed = dict(prev.numbers), dict(prev.numbers), prev.mixed
        L = layout(MIXED if mixed else version)

    trng = random.Random(f"{base}|text")
    state, tstate = rng.getstate(), trng.getstate()
    sections, stated, preamble = _narrative(rng, trng, L.t4_row, agency, year, cells, work, tables_present)
    if "text_contradiction" in defects and stated:
        r = drng["text_contradiction"]
        k = r.choice(sorted(stated))
        v = stated[k]
        lie = 0.0 if v > 0 and r.random() < 0.3 else v + r.choice((1, 2, 3, 5, 10))
        rng.setstate(state)
        trng.setstate(tstate)
        sections, stated, preamble = _narrative(rng, trng, L.t4_row, agency, year, cells, work, tables_present,
                                                lie={k: lie})
    if "copy_text" in defects:          # last year's narrative, only the year changed
        old, new = f"{prev.year}年", f"{year}年"
        sections = [(no, title, text.replace(old, new)) for no, title, text in prev.sections]
        stated, preamble = dict(prev.stated), prev.preamble.replace(old, new)
    if "missing_section" in defects:
        sections = [s for s in sections if s[0] != 5]
    findings = evaluate(cells, version=version, year=year, sections_present=[s[0] for s in sections],
                        tables_present=tables_present, mixed=mixed)
    findings += evaluate_text(cells, stated, tables_present)
    key = hashlib.sha1(f"{base}|{','.join(defects)}|{version}".encode()).hexdigest()[:16]
    return SynthReport(key, agency, year, version, cells, sections, tables_present, findings, defects,
                       nums, stated, preamble, seed, region,
                       _relabel(random.Random(f"{base}|labels"), MIXED if mixed else version), mixed)


def _relabel(rng: random.Random, version: str) -> dict[str, str]:
    """Label variants seen in real reports (FORMAT.md), derived from the template's own labels:
    规范性文件 for 行政规范性文件, the fee header without 保留4位小数, 结转下一年度, straight quotes around
    三安全一稳定, "，" for "、" inside the （六） sub-rows."""
    if rng.random() >= 0.35:
        return {}
    L = layout(version)
    rules = [
        lambda s: s[2:] if s.startswith("行政规范性文件") else s,
        lambda s: s.replace("，保留4位小数", ""),
        lambda s: s.replace("结转下年度", "结转下一年度"),
        lambda s: s.replace("“", '"').replace("”", '"'),
    ]
    rules = [f for f in rules if rng.random() < 0.6]
    labels = [lab for g in L.t2_groups for _, lab in g.cols + g.rows] + [row.label for row in L.t3_rows]
    out = {}
    for lab in labels:
        new = lab
        for f in rules:
            new = f(new)
        if new != lab:
            out[lab] = new
    if rng.random() < 0.6:
        for row in L.t3_rows:
            if row.level == 3 and "、" in row.label:
                out[row.label] = row.label.replace("、", "，")
    return out


_MEASURES = (
    "高度重视，强化领导。将政府信息公开工作列入年度重点工作，明确分管领导和专职人员，定期研究部署。",
    "规范制度，提高质量。严格执行信息发布审核制度，坚持先审后发，确保公开信息准确规范。",
    "拓宽渠道，方便查阅。依托门户网站、政务新媒体和公开栏等载体，多渠道发布政府信息，方便群众获取。",
    "聚焦重点，深化公开。围绕财政预决算、重大建设项目、公共资源配置等重点领域，持续加大公开力度。",
    "强化解读，回应关切。坚持政策文件与解读材料同步起草、同步审签、同步发布，及时回应社会关切。",
    "完善目录，动态更新。对照基层政务公开标准目录，逐项梳理公开事项，实行清单化管理和动态调整。",
    "严格审查，守牢底线。落实保密审查和个人信息保护要求，对拟公开信息逐条把关，杜绝泄密和侵权风险。",
    "加强培训，提升能力。组织业务骨干参加政务公开专题培训，以案释法，提升依法公开和依申请办理水平。",
    "规范办理，依法答复。健全依申请公开登记、审核、答复、归档全流程台账，严格在法定期限内答复。",
    "畅通互动，接受监督。通过政民互动栏目和热线电话收集意见，认真办理群众诉求并及时反馈。",
    "加强考核，压实责任。将政务公开纳入年度目标考核，定期通报工作情况，推动责任落实到岗到人。",
    "优化平台，提升体验。完善网站栏目设置和检索功能，清理过期信息，提升信息查找的便利性。",
)
_DISCLOSURE = (
    "围绕优化营商环境、乡村振兴、民生保障等重点工作，及时发布政策文件和工作动态。",
    "按时公开财政预决算和“三公”经费信息，主动接受社会监督。",
    "规范发布人事任免、公务员招录和事业单位招聘信息，确保程序公开透明。",
    "及时公开重大项目审批和实施情况，做好公共资源配置领域信息公开。",
    "在门户网站开设专题专栏，集中展示重点领域政策措施和办理结果。",
    "对涉及群众切身利益的政策文件，同步发布图文解读和问答解读。",
    "定期更新机构职能、领导分工和办事指南，方便群众查询办事。",
    "做好突发事件和社会热点的信息发布，及时回应群众关切。",
    "做好行政许可、行政处罚等执法信息的公示，推进执法全过程记录公开。",
    "按规定公开建议提案办理结果，接受代表委员和社会监督。",
)
_MANAGEMENT = (
    "严格落实信息发布审核和保密审查制度，信息发布前逐级审核把关。",
    "对照主动公开基本目录，对已公开信息进行全面梳理和动态调整。",
    "加强政府网站和政务新媒体日常监测，及时整改错链断链和栏目空白问题。",
    "推进政务公开专区建设，为群众提供政策查询和信息申请服务。",
    "健全政府信息公开工作机制，明确各科室信息报送责任和时限。",
    "规范政府信息公开申请受理、登记、审核和答复流程，做到件件有回音。",
    "落实政府信息管理动态调整机制，对不再适用的文件及时清理。",
    "将政务公开工作纳入年度考核，定期通报各科室信息报送情况。",
)
_PROBLEMS = (
    "政策解读的形式还不够丰富，图解、视频等解读方式运用较少。",
    "部分信息更新不够及时，公开的深度和广度有待进一步拓展。",
    "依申请公开答复文书的规范性仍需提高，个别答复说理不够充分。",
    "政务新媒体运维力量不足，互动回应的时效性有待增强。",
    "基层政务公开标准化规范化建设推进不平衡，部分事项公开要素不全。",
    "工作人员业务能力参差不齐，对新条例的理解把握还不够深入。",
    "公开平台之间信息同步不够，存在重复发布、口径不一的情况。",
    "主动公开与公众需求还有差距，群众关注度高的信息公开不够充分。",
)
_IMPROVEMENTS = (
    "丰富解读形式，提升解读质量，增强政策解读的针对性和可读性。",
    "加强队伍建设，定期开展业务培训，提高工作人员的业务能力。",
    "规范答复文书，统一格式和法律依据表述，提高依申请公开办理质量。",
    "加强新媒体管理，明确专人负责，提升互动回应效率。",
    "对照标准目录查漏补缺，推进基层政务公开标准化规范化建设。",
    "健全信息发布协调机制，统一发布口径，避免重复和矛盾。",
    "聚焦群众关切，扩大重点领域信息公开范围，提高公开实效。",
    "完善考核评议机制，强化督促检查，推动各项工作落到实处。",
)


def _narrative(rng: random.Random, trng: random.Random, t4: str, agency: str, year: int, cells: dict, work: dict,
               tables_present: dict, lie: dict[str, float] | None = None
               ) -> tuple[list[tuple[int, str, str]], dict[str, float], str]:
    """Six sections whose text restates the *printed* totals (so text and tables agree), except the
    numbers in `lie` ("t|r|c" → value stated instead). `stated` holds exactly the numbers the text prints
    (a zero phrasing such as 未收到…申请 states 0). `trng` picks the boilerplate paragraphs, so that two
    years of one agency read differently."""
    me = _self(agency)
    lie = lie or {}
    stated: dict[str, float] = {}

    def printed(t: str, r: str, c: str) -> float | None:
        sem, x = read_cell(cells.get((t, r, c)))
        return x if sem == "number" else None

    def value(key: str, x: float | None) -> float | None:
        return lie.get(key, x) if x is not None else None

    def num(x: float) -> str:
        return f"{int(x)}" if x == int(x) else f"{x}"

    def state(key: str, x: float, text: str) -> str:
        stated[key] = x
        return text

    titles = {no: rng.choice(v) if no in (1, 5) and rng.random() < 0.3 else v[0] for no, v in SECTION_TITLES.items()}
    preamble = ""
    if rng.random() < 0.6:
        preamble = (f"本报告根据《中华人民共和国政府信息公开条例》和国务院办公厅政府信息与政务公开办公室有关要求编制。"
                    f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。")

    # 一、总体情况
    p1 = ["（一）主动公开情况" if rng.random() < 0.5 else "（一）工作开展情况",
          f"{year}年，{me}坚持以公开为常态、不公开为例外，全年共主动公开政府信息{rng.randint(20, 900)}条，"
          f"及时更新政府信息公开专栏，确保信息公开及时、准确、完整。"
          + "".join(trng.sample(_DISCLOSURE, 3)),
          "（二）依申请公开政府信息办理情况"]
    k_new, k_car, k_done = f"t3|{NEW}|{TOTAL}", f"t3|{CARRIED}|{TOTAL}", f"t3|{PROCESSED}|{TOTAL}"
    k_g, k_pg, k_fwd = f"t3|granted|{TOTAL}", f"t3|partially_granted|{TOTAL}", f"t3|{FORWARD}|{TOTAL}"
    new = value(k_new, printed("t3", NEW, TOTAL))
    if new == 0:
        p1.append(state(k_new, 0.0, f"{year}年，{me}未收到政府信息公开申请。"))
    else:
        parts = []
        if new is not None:
            parts.append(state(k_new, new, f"{me}共收到政府信息公开申请{num(new)}件"))
        carried = value(k_car, printed("t3", CARRIED, TOTAL))
        if carried not in (None, 0):
            parts.append(state(k_car, carried, f"上年结转{num(carried)}件"))
        done = value(k_done, printed("t3", PROCESSED, TOTAL))
        if done is not None:
            parts.append(state(k_done, done, f"办结{num(done)}件"))
        g, pg = value(k_g, printed("t3", "granted", TOTAL)), value(k_pg, printed("t3", "partially_granted", TOTAL))
        if g is not None and pg is not None:
            stated[k_g] = g
            parts.append(state(k_pg, pg, f"其中予以公开{num(g)}件，部分公开{num(pg)}件"))
        fwd = value(k_fwd, printed("t3", FORWARD, TOTAL))
        if fwd is not None:
            parts.append(state(k_fwd, fwd, f"结转下年度继续办理{num(fwd)}件"))
        p1.append(f"{year}年，" + "，".join(parts or [f"{me}依申请公开工作依法有序开展"]) + "。")
    p1.append("（三）因政府信息公开申请行政复议和提起行政诉讼情况")
    k_rev = f"t4|{t4}|review_total"
    review = value(k_rev, printed("t4", t4, "review_total")) if tables_present["t4"] else None
    suits = [printed("t4", t4, f"{p}_total") for p in ("suit_direct", "suit_after_review")] if tables_present["t4"] else [None]
    suit_total = value(LITIGATION_KEY, sum(suits)) if None not in suits else None
    if review == 0 and suit_total == 0:
        stated[k_rev] = 0.0
        p1.append(state(LITIGATION_KEY, 0.0,
                        f"{year}年，{me}未发生因政府信息公开工作而申请行政复议和提起行政诉讼的事项。"))
    else:
        bits = []
        if review is not None:
            bits.append(state(k_rev, review, f"因政府信息公开被申请行政复议{num(review)}件"))
        if suit_total is not None:
            bits.append(state(LITIGATION_KEY, suit_total, f"被提起行政诉讼{num(suit_total)}件"))
        if bits:
            p1.append(f"{year}年，{me}" + "，".join(bits) + "。")
        else:
            review_n = float(lie.get(k_rev, int(work[("t4", t4, "review_total")])))
            p1.append(state(k_rev, review_n, f"{year}年，{me}因政府信息公开被申请行政复议{num(review_n)}件。"))
    measures = trng.sample(_MEASURES, trng.randint(3, 5))
    p1 += ["（四）政府信息管理和平台建设情况", "".join(trng.sample(_MANAGEMENT, 3)),
           "（五）工作措施", *(f"{i}.{m}" for i, m in enumerate(measures, 1))]
    problems, fixes = trng.sample(_PROBLEMS, 2), trng.sample(_IMPROVEMENTS, 2)
    p5 = ["（一）存在的主要问题", *(f"{i}.{m}" for i, m in enumerate(problems, 1)),
          "（二）改进措施", *(f"{i}.{m}" for i, m in enumerate(fixes, 1))]
    p6 = [rng.choice((f"{year}年，{me}无其他需要报告的事项。",
                      f"{year}年度，{me}未收取信息处理费，无其他需要报告的事项。"))]
    p4 = "" if tables_present["t4"] else (
        f"{year}年，{me}政府信息公开行政复议、行政诉讼情况详见总体情况部分。")
    sections = [(1, titles[1], "\n".join(p1)), (2, titles[2], ""), (3, titles[3], ""), (4, titles[4], p4),
                (5, titles[5], "\n".join(p5)), (6, titles[6], "\n".join(p6))]
    return sections, stated, preamble
