"""The synthetic report model: printed cells, defects and the expected findings (the narrative: narrative.py)."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from gongkai.synth.evaluate import evaluate, evaluate_text, read_cell
from gongkai.synth.narrative import narrative
from gongkai.synth.numbers import (
    CARRIED,
    FORWARD,
    MIXED,
    NEW,
    PROCESSED,
    TOTAL,
    Key,
    agency_scale,
    balanced_numbers,
    layout,
    mixed_rows,
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
    if sem != "number" or x is None:  # (a number always has a value)
        return raw
    if abs(x) >= 1000 and x == int(x):
        raw = f"{int(x):,}"
    return raw.translate(_FW) if rng.random() < 0.6 else raw


def make_report(seed: int, agency: str, year: int, defects: Sequence[str] = (), *,
                version: str | None = None, prev: SynthReport | None = None, region: str = "") -> SynthReport:
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
            part, neg = r.choice(parts[1:]), r.randint(1, 3)
            work[("t4", t4, part)] = -neg
            if sum(work[("t4", t4, c)] for c in parts) < 0:
                work[("t4", t4, parts[0])] += neg
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
            printed = cells[k]
            if printed is not None and (r.random() < 0.5 or abs(work[k]) >= 1000):
                cells[k] = _fullwidth(printed, r)

    if mixed:                           # the sub-rows are not printed: blank (what the parser stores)
        cells.update((("t3", r, c), None) for r in subs for c, _ in L.t3_cols)

    tables_present = {"t2": True, "t3": True, "t4": "missing_table" not in defects}
    if not tables_present["t4"]:
        cells = {k: x for k, x in cells.items() if k[0] != "t4"}

    if "copy_previous" in defects and prev is not None:  # (needs prev: checked above) every cell as printed last year (and so last year's numbers and layout)
        cells, tables_present, version = dict(prev.cells), dict(prev.tables_present), prev.version
        nums, work, mixed = dict(prev.numbers), dict(prev.numbers), prev.mixed
        L = layout(MIXED if mixed else version)

    trng = random.Random(f"{base}|text")
    state, tstate = rng.getstate(), trng.getstate()
    sections, stated, preamble = narrative(rng, trng, L.t4_row, agency, year, cells, work, tables_present)
    if "text_contradiction" in defects and stated:
        r = drng["text_contradiction"]
        sk = r.choice(sorted(stated))
        v = stated[sk]
        lie = 0.0 if v > 0 and r.random() < 0.3 else v + r.choice((1, 2, 3, 5, 10))
        rng.setstate(state)
        trng.setstate(tstate)
        sections, stated, preamble = narrative(rng, trng, L.t4_row, agency, year, cells, work, tables_present,
                                                lie={sk: lie})
    if "copy_text" in defects and prev is not None:  # (needs prev: checked above) last year's narrative, only the year changed
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
