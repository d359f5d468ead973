"""The synthetic report model: printed cells, narrative sections, defects and the expected findings."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from typing import Sequence

from .evaluate import evaluate, read_cell
from .numbers import CARRIED, FORWARD, NEW, PROCESSED, TOTAL, Key, agency_scale, balanced_numbers, layout

DEFECTS = (
    "t3_balance", "t3_total_column", "t3_outcome_sum", "t4_total", "blank_cell", "dash_cell", "text_cell",
    "negative_cell", "fraction_cell", "missing_section", "missing_table", "fullwidth_digits",
    "blank_org_columns", "outdated_format",
)

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

    @property
    def title(self) -> str:
        return f"{self.agency}{self.year}年政府信息公开工作年度报告"

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
    """A synthetic report of `agency` for `year` with the requested defects (see DEFECTS).

    `prev` (the same agency's report of year−1) chains 上年结转 to its 结转下年度 and 表二 stock, and keeps
    the tables from being identical to it. Deterministic in (seed, agency, year, defects, prev)."""
    unknown = set(defects) - set(DEFECTS)
    if unknown:
        raise ValueError(f"unknown defects {sorted(unknown)}; choose from {DEFECTS}")
    defects = tuple(d for d in DEFECTS if d in defects)
    if version is None:
        version = "2021" if year >= 2021 else "2019"
        if "outdated_format" in defects:
            version = "2019"
    L = layout(version)
    base = f"{seed}|{agency}|{year}"
    rng = random.Random(base)
    carried = in_force = None
    if prev is not None:
        carried = {c: prev.numbers[("t3", FORWARD, c)] for c in L.applicant_cols}
        if prev.version == version:
            in_force = {r: prev.numbers[("t2", r, "in_force")] for g in L.t2_groups for r, _ in g.rows
                        if ("t2", r, "in_force") in prev.numbers}
    nums = balanced_numbers(rng, version, scale=agency_scale(agency), carried_over=carried, in_force=in_force)
    if prev is not None and prev.version == version and all(prev.numbers.get(k) == x for k, x in nums.items()):
        for c in ("issued", "in_force"):   # never publish tables identical to last year's (XY_COPY)
            nums[("t2", "normative_docs", c)] += 1
    drng = {d: random.Random(f"{base}|{d}") for d in defects}
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
        row, d = r.choice(L.outcome_rows), r.randint(1, 5)
        for rr in (row, PROCESSED, NEW):   # the 总计 column stays balanced; three rows ≠ their sum
            work[("t3", rr, TOTAL)] += d
    if "t3_outcome_sum" in defects:
        r = drng["t3_outcome_sum"]
        row, c, d = r.choice(L.outcome_rows), r.choice(L.applicant_cols), r.randint(1, 5)
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

    tables_present = {"t2": True, "t3": True, "t4": "missing_table" not in defects}
    if not tables_present["t4"]:
        cells = {k: x for k, x in cells.items() if k[0] != "t4"}

    sections, stated, preamble = _narrative(rng, L.t4_row, agency, year, cells, work, tables_present)
    if "missing_section" in defects:
        sections = [s for s in sections if s[0] != 5]
    findings = evaluate(cells, version=version, year=year, sections_present=[s[0] for s in sections],
                        tables_present=tables_present)
    key = hashlib.sha1(f"{base}|{','.join(defects)}|{version}".encode()).hexdigest()[:16]
    return SynthReport(key, agency, year, version, cells, sections, tables_present, findings, defects,
                       nums, stated, preamble, seed, region, _relabel(random.Random(f"{base}|labels"), version))


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


def _narrative(rng: random.Random, t4: str, agency: str, year: int, cells: dict, work: dict,
               tables_present: dict) -> tuple[list[tuple[int, str, str]], dict[str, float], str]:
    """Six sections whose text restates the *printed* totals (so text and tables agree)."""
    me = _self(agency)
    stated: dict[str, float] = {}

    def printed(t: str, r: str, c: str) -> float | None:
        sem, x = read_cell(cells.get((t, r, c)))
        return x if sem == "number" else None

    def say(t: str, r: str, c: str) -> str | None:
        x = printed(t, r, c)
        if x is None:
            return None
        stated[f"{t}|{r}|{c}"] = x
        return f"{int(x)}" if x == int(x) else f"{x}"

    titles = {no: rng.choice(v) if no in (1, 5) and rng.random() < 0.3 else v[0] for no, v in SECTION_TITLES.items()}
    preamble = ""
    if rng.random() < 0.6:
        preamble = (f"本报告根据《中华人民共和国政府信息公开条例》和国务院办公厅政府信息与政务公开办公室有关要求编制。"
                    f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。")

    # 一、总体情况
    p1 = ["（一）主动公开情况" if rng.random() < 0.5 else "（一）工作开展情况",
          f"{year}年，{me}坚持以公开为常态、不公开为例外，全年共主动公开政府信息{rng.randint(20, 900)}条，"
          f"及时更新政府信息公开专栏，确保信息公开及时、准确、完整。",
          "（二）依申请公开政府信息办理情况"]
    new = say("t3", NEW, TOTAL)
    if new == "0":
        p1.append(f"{year}年，{me}未收到政府信息公开申请。")
    else:
        parts = []
        if new is not None:
            parts.append(f"{me}共收到政府信息公开申请{new}件")
        carried = say("t3", CARRIED, TOTAL)
        if carried not in (None, "0"):
            parts.append(f"上年结转{carried}件")
        done = say("t3", PROCESSED, TOTAL)
        if done is not None:
            parts.append(f"办结{done}件")
        g, pg = say("t3", "granted", TOTAL), say("t3", "partially_granted", TOTAL)
        if g is not None and pg is not None:
            parts.append(f"其中予以公开{g}件，部分公开{pg}件")
        fwd = say("t3", FORWARD, TOTAL)
        if fwd is not None:
            parts.append(f"结转下年度继续办理{fwd}件")
        p1.append(f"{year}年，" + "，".join(parts or [f"{me}依申请公开工作依法有序开展"]) + "。")
    p1.append("（三）因政府信息公开申请行政复议和提起行政诉讼情况")
    review = say("t4", t4, "review_total") if tables_present["t4"] else None
    suits = [printed("t4", t4, f"{p}_total") for p in ("suit_direct", "suit_after_review")] if tables_present["t4"] else [None]
    if review == "0" and suits == [0.0, 0.0]:
        p1.append(f"{year}年，{me}未发生因政府信息公开工作而申请行政复议和提起行政诉讼的事项。")
    else:
        bits = []
        if review is not None:
            bits.append(f"因政府信息公开被申请行政复议{review}件")
        if None not in suits:
            bits.append(f"被提起行政诉讼{int(sum(suits))}件")
            stated[f"t4|{t4}|suit_total"] = sum(suits)
        if bits:
            p1.append(f"{year}年，{me}" + "，".join(bits) + "。")
        else:
            review_n = int(work[("t4", t4, "review_total")])
            p1.append(f"{year}年，{me}因政府信息公开被申请行政复议{review_n}件。")
            stated[f"t4|{t4}|review_total"] = review_n
    p1 += ["（四）工作措施",
           "1.高度重视，强化领导。将政府信息公开工作列入年度重点工作，明确分管领导和专职人员，定期研究部署。",
           "2.规范制度，提高质量。严格执行信息发布审核制度，坚持先审后发，确保公开信息准确规范。"]
    p5 = ["（一）存在的主要问题",
          "1.政策解读的形式还不够丰富，图解、视频等解读方式运用较少。",
          "2.部分信息更新不够及时，公开的深度和广度有待进一步拓展。",
          "（二）改进措施",
          "1.丰富解读形式，提升解读质量，增强政策解读的针对性和可读性。",
          "2.加强队伍建设，定期开展业务培训，提高工作人员的业务能力。"]
    p6 = [rng.choice((f"{year}年，{me}无其他需要报告的事项。",
                      f"{year}年度，{me}未收取信息处理费，无其他需要报告的事项。"))]
    p4 = "" if tables_present["t4"] else (
        f"{year}年，{me}政府信息公开行政复议、行政诉讼情况详见总体情况部分。")
    sections = [(1, titles[1], "\n".join(p1)), (2, titles[2], ""), (3, titles[3], ""), (4, titles[4], p4),
                (5, titles[5], "\n".join(p5)), (6, titles[6], "\n".join(p6))]
    return sections, stated, preamble
