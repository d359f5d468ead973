"""Template-derived table layout and balanced synthetic numbers.

Everything about rows, columns and printed labels comes from `gongkai.template.cells(version)`; this
module only knows the *keys* that the identities of DESIGN §6 are written in (new_received,
carried_over, processed_total, carried_forward, total, <prefix>_total).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import cache

import pandas as pd

from gongkai.form import template

Key = tuple[str, str, str]

# Keys the identities are stated in (contract keys of cells_2021.csv / cells_2019.csv).
NEW, CARRIED, PROCESSED, FORWARD, TOTAL = "new_received", "carried_over", "processed_total", "carried_forward", "total"
FLOW_ROWS = (NEW, CARRIED, PROCESSED, FORWARD)


@dataclass(frozen=True)
class T2Group:
    label: str                              # 第二十条第（一）项
    cols: tuple[tuple[str, str], ...]       # (col_key, col_label)
    rows: tuple[tuple[str, str], ...]       # (row_key, row_label)


@dataclass(frozen=True)
class T3Row:
    key: str
    label: str
    level: int          # 1: label spans the 3 label columns; 2: under the outer group; 3: under a sub-group
    group: str          # outer group label (level 2/3) or ""
    sub: str            # sub-group label (level 3) or ""
    first_in_group: bool
    first_in_sub: bool
    group_span: int     # rows covered by the outer group (on its first row)
    sub_span: int       # rows covered by the sub-group (on its first row)


@dataclass(frozen=True)
class T4Col:
    key: str
    label: str
    top: str            # 行政复议 | 行政诉讼
    sub: str            # "" | 未经复议直接起诉 | 复议后起诉


@dataclass(frozen=True)
class Layout:
    version: str
    keys: tuple[Key, ...]                   # all template cells, template order
    t2_groups: tuple[T2Group, ...]
    t2_width: int                           # number of value columns of the widest 表二 group
    t3_cols: tuple[tuple[str, str], ...]
    t3_rows: tuple[T3Row, ...]
    t4_cols: tuple[T4Col, ...]
    applicant_cols: tuple[str, ...]         # the six columns summed into 总计
    outcome_rows: tuple[str, ...]           # （一）…（六） leaf rows summed into （七）总计
    t4_prefixes: tuple[str, ...]            # review, suit_direct, suit_after_review
    t4_parts: dict                          # prefix → the four part col_keys
    t4_row: str                             # the single row key of 表四 (cases)
    fraction_ok: frozenset                  # cells where decimals are legitimate (money)
    signed_ok: frozenset                    # cells where negatives are legitimate (2019 本年增/减)


MIXED = "mixed"   # the mixed layout of real files (洪泽 2023/2024): 2021 labels, （六）其他处理 as the single 2019 row


@cache
def mixed_rows() -> tuple[str, tuple[str, ...]]:
    """(the 2019 single row, the three 2021 sub-rows it stands for), derived from the two cell lists: the
    2019 表三 row missing from 2021 is the single row, the 2021 rows grouped under its label the sub-rows."""
    d21, d19 = template.cells("2021"), template.cells("2019")
    t21, t19 = d21[d21.table_id == "t3"], d19[d19.table_id == "t3"]
    single = t19[~t19.row_key.isin(set(t21.row_key))]
    (key,), (label,) = single.row_key.unique(), single.row_label.unique()
    return key, tuple(dict.fromkeys(t21[t21.group == label].row_key))


@cache
def _frame(name: str):
    """The template cells of a layout: a format version's, or MIXED (2021 with the single row's cells in
    place of the sub-rows')."""
    if name != MIXED:
        return template.cells(name)
    d21, d19 = template.cells("2021"), template.cells("2019")
    single, subs = mixed_rows()
    at = d21.index[d21.row_key.isin(subs)]
    assert list(at) == list(range(at[0], at[-1] + 1)), "the sub-rows are contiguous in cells_2021.csv"
    return pd.concat([d21.iloc[: at[0]], d19[d19.row_key == single], d21.iloc[at[-1] + 1:]], ignore_index=True)


@cache
def layout(version: str = "2021") -> Layout:
    """The table layout of a format version ("2021", "2019") or of the mixed layout (MIXED): 2021 labels with
    表三's （六）其他处理 printed as one row (its three sub-rows not printed, so not in `keys`)."""
    df = _frame(version)
    rows = list(zip(df.table_id, df.row_key, df.col_key, df.row_label, df.col_label, df.group, df.unit))
    keys = tuple((t, r, c) for t, r, c, *_ in rows)

    # 表二: groups in order, each with its own columns and rows
    groups: dict[str, tuple[dict, dict]] = {}
    for t, r, c, rl, cl, g, _u in rows:
        if t == "t2":
            cols, rws = groups.setdefault(g, ({}, {}))
            cols.setdefault(c, cl)
            rws.setdefault(r, rl)
    t2_groups = tuple(T2Group(g, tuple(cols.items()), tuple(rws.items())) for g, (cols, rws) in groups.items())
    t2_width = max(len(g.cols) for g in t2_groups)

    # 表三
    t3_cols = tuple(dict.fromkeys((c, cl) for t, r, c, rl, cl, g, u in rows if t == "t3"))
    t3_meta = list(dict.fromkeys((r, rl, g) for t, r, c, rl, cl, g, u in rows if t == "t3"))
    grouped = [i for i, (_, _, g) in enumerate(t3_meta) if g]
    outer = t3_meta[grouped[0]][2] if grouped else ""
    t3_rows = []
    for i, (r, rl, g) in enumerate(t3_meta):
        if not g:
            t3_rows.append(T3Row(r, rl, 1, "", "", False, False, 0, 0))
            continue
        first_in_group = i == grouped[0]
        group_span = len(grouped) if first_in_group else 0
        if g == outer:
            t3_rows.append(T3Row(r, rl, 2, outer, "", first_in_group, False, group_span, 0))
            continue
        first_in_sub = t3_meta[i - 1][2] != g
        sub_span = 0
        if first_in_sub:
            j = i
            while j < len(t3_meta) and t3_meta[j][2] == g:
                j += 1
            sub_span = j - i
        t3_rows.append(T3Row(r, rl, 3, outer, g, first_in_group, first_in_sub, group_span, sub_span))
    applicant_cols = tuple(c for c, _ in t3_cols if c != TOTAL)
    outcome_rows = tuple(row.key for row in t3_rows if row.level > 1 and row.key != PROCESSED)

    # 表四
    t4_cols = []
    for t, _r, c, _rl, cl, g, _u in rows:
        if t == "t4":
            top, _, sub = g.partition("/")
            t4_cols.append(T4Col(c, cl, top, sub))
    t4_prefixes = tuple(c.key[: -len("_total")] for c in t4_cols if c.key.endswith("_" + TOTAL))
    t4_parts = {p: tuple(c.key for c in t4_cols if c.key.startswith(p + "_") and c.key != f"{p}_{TOTAL}")
                for p in t4_prefixes}

    fraction_ok = frozenset((t, r, c) for t, r, c, rl, cl, g, u in rows if t == "t2" and u in ("万元", "元", "(as printed)"))
    signed_ok = frozenset((t, r, c) for t, r, c, rl, cl, g, u in rows if t == "t2" and c == "y2019_change")
    t4_row = next(r for t, r, *_ in rows if t == "t4")
    return Layout(version, keys, t2_groups, t2_width, t3_cols, tuple(t3_rows), tuple(t4_cols),
                  applicant_cols, outcome_rows, t4_prefixes, t4_parts, t4_row, fraction_ok, signed_ok)


# ---------------------------------------------------------------------------------------------------
# random helpers (stdlib only: the generator must not depend on numpy)

def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 40:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def binomial(rng: random.Random, n: int, p: float) -> int:
    if n <= 0 or p <= 0:
        return 0
    if n <= 60:
        return sum(rng.random() < p for _ in range(n))
    return min(n, max(0, round(rng.gauss(n * p, math.sqrt(n * p * (1 - p))))))


def multinomial(rng: random.Random, n: int, keys: tuple[str, ...], cum_weights: list[float]) -> dict[str, int]:
    counts = dict.fromkeys(keys, 0)
    if n > 0:
        for k in rng.choices(keys, cum_weights=cum_weights, k=n):
            counts[k] += 1
    return counts


# Relative frequency of each outcome (by row key; unknown keys get a small default weight).
_OUTCOME_WEIGHT = {
    "granted": 45, "partially_granted": 10, "denied_state_secret": 0.3, "denied_prohibited_by_law": 0.5,
    "denied_three_safety_one_stability": 0.3, "denied_third_party_rights": 1.5, "denied_internal_affairs": 1,
    "denied_process_info": 1.5, "denied_enforcement_case_file": 0.8, "denied_administrative_inquiry": 1.5,
    "unavailable_not_held": 16, "unavailable_needs_creation": 3, "unavailable_still_unclear": 2,
    "not_processed_petition": 4, "not_processed_duplicate": 3, "not_processed_publication": 0.5,
    "not_processed_excessive": 0.5, "not_processed_confirmation": 1, "other_no_correction": 3,
    "other_no_fee": 0.2, "other_other": 3, "y2019_other_processing": 6,
}
# share of the applications per applicant column (natural persons dominate)
_APPLICANT_SHARE = {"natural_person": 0.88, "commercial": 0.06, "research": 0.004, "social_welfare": 0.004,
                    "legal_services": 0.02, "other_org": 0.03}


def agency_scale(agency: str) -> float:
    """Expected applications per year of an agency — stable for a name, so years look alike."""
    rng = random.Random(f"scale|{agency}")
    if rng.random() < 0.3:
        return 0.0
    return math.exp(rng.gauss(1.4, 1.5))


def balanced_numbers(rng: random.Random, version: str = "2021", *, scale: float | None = None,
                     carried_over: dict[str, float] | None = None,
                     in_force: dict[str, float] | None = None) -> dict[Key, float]:
    """One value per template cell (t2, t3, t4) with every identity of DESIGN §6 holding exactly.

    `carried_over` (applicant col_key → count) chains 上年结转 to the previous year's 结转下年度;
    `in_force` (表二 row_key → count) chains 现行有效 to the previous year's stock."""
    L = layout(version)
    if scale is None:
        scale = 0.0 if rng.random() < 0.3 else math.exp(rng.gauss(1.4, 1.5))
    v: dict[Key, float] = {}

    # 表二 ----------------------------------------------------------------------------------------
    big = rng.random() < 0.25 + min(scale, 50) / 100          # agencies with licensing/penalty business
    for g in L.t2_groups:
        for r, _ in g.rows:
            cols = [c for c, _ in g.cols]
            base = 0 if r == "regulations" and rng.random() < 0.85 else 1
            issued = poisson(rng, 0.5 if r == "regulations" else 3.0) * base
            repealed = poisson(rng, 0.2 if r == "regulations" else 1.0) * base
            prev_stock = (in_force or {}).get(r)
            if prev_stock is None:
                prev_stock = poisson(rng, 4 if r == "regulations" else 25) * base
            repealed = min(repealed, int(prev_stock) + issued)
            x: float
            for c in cols:
                if c == "issued":
                    x = issued
                elif c == "repealed":
                    x = repealed
                elif c == "in_force":
                    x = prev_stock + issued - repealed
                elif c == "decisions":
                    lam = {"licensing": 400, "penalty": 250, "coercion": 6}.get(r, 20)
                    x = round(math.exp(rng.gauss(math.log(lam), 1.2))) if big and rng.random() < 0.8 else 0
                elif c == "amount":
                    x = round(math.exp(rng.gauss(2.5, 2.0)), rng.choice((0, 2, 4))) if rng.random() < 0.25 else 0
                elif c == "y2019_amount":              # no procurement projects, no procurement amount
                    x = round(math.exp(rng.gauss(4, 1.5)), rng.choice((0, 2))) if v.get(("t2", r, "y2019_projects")) else 0
                elif c == "y2019_new_made":
                    x = issued
                elif c == "y2019_new_published":
                    x = min(issued, issued - binomial(rng, issued, 0.1))
                elif c == "y2019_published_total":
                    x = prev_stock + issued
                elif c == "y2019_prev_items":
                    x = poisson(rng, 8) if big else poisson(rng, 0.5)
                elif c == "y2019_change":
                    x = poisson(rng, 0.4)
                elif c == "y2019_projects":
                    x = poisson(rng, 3) if rng.random() < 0.4 else 0
                else:
                    x = poisson(rng, 1)
                v[("t2", r, c)] = float(x)

    # 表三 ----------------------------------------------------------------------------------------
    nudge = 0.05 if scale == 0 else 0.0
    weights = [_OUTCOME_WEIGHT.get(r, 0.5) * rng.uniform(0.3, 1.7) for r in L.outcome_rows]
    cum, acc = [], 0.0
    for w in weights:
        acc += w
        cum.append(acc)
    p_forward = 0.0 if rng.random() < 0.5 else rng.uniform(0.01, 0.12)
    year_factor = rng.uniform(0.6, 1.5)
    for c in L.applicant_cols:
        share = _APPLICANT_SHARE.get(c, 0.01)
        new = poisson(rng, scale * year_factor * share + (nudge if c == "natural_person" else 0))
        if carried_over is not None:
            carried = int(carried_over.get(c, 0))
        else:
            carried = poisson(rng, scale * share * 0.04)
        avail = new + carried
        forward = binomial(rng, avail, p_forward)
        outcomes = multinomial(rng, avail - forward, L.outcome_rows, cum)
        v[("t3", NEW, c)] = float(new)
        v[("t3", CARRIED, c)] = float(carried)
        for r, n in outcomes.items():
            v[("t3", r, c)] = float(n)
        v[("t3", PROCESSED, c)] = float(avail - forward)
        v[("t3", FORWARD, c)] = float(forward)
    for row in L.t3_rows:
        v[("t3", row.key, TOTAL)] = float(sum(v[("t3", row.key, c)] for c in L.applicant_cols))

    # 表四 ----------------------------------------------------------------------------------------
    t4_lam = {"review": 0.08 + scale * 0.02, "suit_direct": 0.03 + scale * 0.01, "suit_after_review": 0.01 + scale * 0.004}
    split = (0.55, 0.1, 0.15, 0.2)
    for p in L.t4_prefixes:
        k = poisson(rng, min(t4_lam.get(p, 0.05), 60))
        parts = L.t4_parts[p]
        counts = multinomial(rng, k, parts, [sum(split[: i + 1]) for i in range(len(parts))])
        for c in parts:
            v[("t4", L.t4_row, c)] = float(counts[c])
        v[("t4", L.t4_row, f"{p}_{TOTAL}")] = float(k)

    return {key: v[key] for key in L.keys}


# Printed header texts of the national form that are not cell labels (cells_*.csv holds the labels of
# value cells only). The group headers match gongkai/data/labels.csv's `group` patterns.
T2_HEAD = "信息内容"
T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
T3_APPLICANTS = "申请人情况"
T3_ORGS = "法人或其他组织"
