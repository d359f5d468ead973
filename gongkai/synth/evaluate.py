"""A small, independent reference evaluator of DESIGN §6 over *printed* cells.

Plain Python, no pandas, no project checks and no `gongkai.cells`: the synthetic corpus's truth must not
share code with what it tests. It implements the in-report rules FORMAT_OUTDATED, SECTION_MISSING,
TABLE_MISSING, CELL_BLANK, CELL_NOT_NUMBER, CELL_INVALID, T3_BALANCE, T3_TOTAL_COLUMN, T3_OUTCOME_SUM and
T4_TOTAL, TEXT_TABLE (the numbers the narrative states, against the printed tables), and (for corpora)
the cross-year rules XY_CARRY_OVER, XY_T2_STOCK and XY_COPY.

A finding is a dict {rule_id, table_id, row_key, col_key, status, expected, observed}; status is
'fail' or 'not_assessable' (an identity with a non-number operand: expected/observed None). Identities of
a missing table are not evaluated at all.

The mixed layout (`mixed=True`: 2021 labels, 表三 （六）其他处理 printed as the single 2019 row instead of its
three sub-rows) is evaluated as its own template (`layout(MIXED)`): the single row stands in for the
sub-rows in every identity and is checked like any printed row; the unprinted sub-rows are no cells of
it (no CELL_BLANK, whatever `cells` holds for them); a report of 2021 or later gets one FORMAT_OUTDATED at
(t3, <the single row>, None), an earlier one none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from gongkai.synth.numbers import CARRIED, FORWARD, MIXED, NEW, PROCESSED, TOTAL, Key, layout, mixed_rows

_FULLWIDTH = str.maketrans("０１２３４５６７８９．－，＋", "0123456789.-,+")
_WS = " \t\r\n\u3000\u00a0\u200b\ufeff"
_NUM = re.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:件|个|条|项|元|万元)?$")
_DASHES = frozenset({"-", "--", "—", "——", "–", "―", "−", "/", "\\", "无", "_"})
TOL = 1e-6


@lru_cache(maxsize=1 << 16)
def read_cell(raw: str | None) -> tuple[str, float | None]:
    """(semantic, value) of a printed cell: number | blank | dash | text."""
    if raw is None:
        return "blank", None
    s = raw.translate(_FULLWIDTH).strip(_WS)
    if not s:
        return "blank", None
    if s in _DASHES:
        return "dash", None
    m = _NUM.match(s)
    if m:
        sign, whole, frac = m.group(1), m.group(2).replace(",", ""), m.group(3) or ""
        return "number", float(sign + whole + frac)
    return "text", None


def _f(rule: str, t: str | None, r: str | None, c: str | None, status: str = "fail",
       expected: float | None = None, observed: float | None = None) -> dict:
    return {"rule_id": rule, "table_id": t, "row_key": r, "col_key": c, "status": status,
            "expected": expected, "observed": observed}


def _identity(out: list, rule: str, t: str, r: str | None, c: str | None,
              lhs: Iterable[float | None], rhs: Iterable[float | None]) -> None:
    left, right = list(lhs), list(rhs)
    left_v, right_v = [x for x in left if x is not None], [x for x in right if x is not None]
    if len(left_v) < len(left) or len(right_v) < len(right):
        out.append(_f(rule, t, r, c, "not_assessable"))
        return
    e, o = sum(left_v), sum(right_v)
    if abs(e - o) > TOL:
        out.append(_f(rule, t, r, c, "fail", e, o))


def evaluate(cells: Mapping[Key, str | None], *, version: str, year: int | None = None,
             sections_present: Iterable[int] = range(1, 7),
             tables_present: Mapping[str, bool] | None = None, mixed: bool = False) -> list[dict]:
    """The findings a correct auditor must report for one report's printed cells (`mixed`: the mixed
    layout of a 2021-format report, module doc)."""
    if mixed and version != "2021":
        raise ValueError("the mixed layout is a layout of the 2021 format")
    L = layout(MIXED if mixed else version)
    present = {t: True for t in ("t2", "t3", "t4")} | dict(tables_present or {})
    out: list[dict] = []
    if version == "2019" and year is not None and year >= 2021:
        out.append(_f("FORMAT_OUTDATED", None, None, None))
    if mixed and year is not None and year >= 2021:
        out.append(_f("FORMAT_OUTDATED", "t3", mixed_rows()[0], None))
    secs = set(sections_present)
    for no in range(1, 7):
        if no not in secs:
            out.append(_f("SECTION_MISSING", None, str(no), None))
    for t in ("t2", "t3", "t4"):
        if not present[t]:
            out.append(_f("TABLE_MISSING", t, None, None))

    val: dict[Key, float | None] = {}
    for key in L.keys:
        t, r, c = key
        if not present[key[0]]:
            continue
        sem, x = read_cell(cells.get(key))
        val[key] = x
        if sem == "blank":
            out.append(_f("CELL_BLANK", t, r, c))
        elif sem != "number":
            out.append(_f("CELL_NOT_NUMBER", t, r, c))
        elif x is not None and ((x < 0 and key not in L.signed_ok) or (x != int(x) and key not in L.fraction_ok)):
            out.append(_f("CELL_INVALID", t, r, c, observed=x))

    if present["t3"]:
        cols = [c for c, _ in L.t3_cols]
        g = lambda r, c: val[("t3", r, c)]  # noqa: E731
        for c in cols:
            _identity(out, "T3_BALANCE", "t3", None, c, (g(NEW, c), g(CARRIED, c)), (g(PROCESSED, c), g(FORWARD, c)))
        for row in L.t3_rows:
            _identity(out, "T3_TOTAL_COLUMN", "t3", row.key, TOTAL,
                      (g(row.key, c) for c in L.applicant_cols), (g(row.key, TOTAL),))
        for c in cols:
            _identity(out, "T3_OUTCOME_SUM", "t3", PROCESSED, c, (g(r, c) for r in L.outcome_rows), (g(PROCESSED, c),))
    if present["t4"]:
        for p in L.t4_prefixes:
            _identity(out, "T4_TOTAL", "t4", L.t4_row, f"{p}_{TOTAL}",
                      (val[("t4", L.t4_row, c)] for c in L.t4_parts[p]), (val[("t4", L.t4_row, f"{p}_{TOTAL}")],))
    return out


def evaluate_text(cells: Mapping[Key, str | None], stated: Mapping[str, float],
                  tables_present: Mapping[str, bool] | None = None) -> list[dict]:
    """TEXT_TABLE: each number the narrative states ("t|r|c" → value; "r1+r2" or "c1+c2" = the sum of
    those cells) against the printed cells. A missing table: not evaluated; a non-number cell:
    not_assessable; a difference: fail with expected = the table's value, observed = the stated one."""
    present = {t: True for t in ("t2", "t3", "t4")} | dict(tables_present or {})
    out = []
    for key, v in stated.items():
        t, r, c = key.split("|")
        if not present[t]:
            continue
        rows, cols = r.split("+"), c.split("+")
        ops = [(t, rr, cc) for rr in rows for cc in cols]
        vals = [read_cell(cells.get(k)) for k in ops]
        nums = [x for _, x in vals if x is not None]  # all of them when every operand is a number
        if any(sem != "number" for sem, _ in vals):
            out.append(_f("TEXT_TABLE", t, r, c, "not_assessable"))
        elif abs(sum(nums) - v) > TOL:
            out.append(_f("TEXT_TABLE", t, r, c, "fail", sum(nums), float(v)))
    return out


COPY_MIN_NONZERO = 5        # identical tables count as copied only with at least this many non-zero numbers
COPY_MIN_CHARS = 200        # texts shorter than this (whitespace removed) are not compared
COPY_JACCARD = 0.9          # character 3-gram Jaccard similarity from which texts count as copied
_SPACE = re.compile("[ \t\n\r\f\v\u3000\xa0\u200b\ufeff]+")


def _grams(text: str) -> set[str]:
    t = _SPACE.sub("", text)
    return {t[i:i + 3] for i in range(len(t) - 2)} if len(t) >= COPY_MIN_CHARS else set()


def evaluate_cross_year(prev_cells: Mapping[Key, str | None], prev_version: str, prev_tables: Mapping[str, bool],
                        cells: Mapping[Key, str | None], version: str, tables: Mapping[str, bool],
                        prev_text: str | None = None, text: str | None = None) -> list[dict]:
    """XY_CARRY_OVER (上年结转 Y vs 结转下年度 Y−1, per 表三 column; across format versions),
    XY_T2_STOCK (现行有效 Y vs 现行有效 Y−1 + 制发 − 废止; 2021 format both years) and XY_COPY (every
    printed cell as last year's with at least COPY_MIN_NONZERO non-zero numbers, or — when both texts are
    given — narratives of ≥ COPY_MIN_CHARS characters with 3-gram Jaccard ≥ COPY_JACCARD) for consecutive
    years of one agency. Findings sit at (t3, carried_over, col), (t2, row, in_force) and (None, None,
    None); expected is the value implied by the previous year, observed the printed one."""
    out: list[dict] = []
    num = lambda cs, k: read_cell(cs.get(k))[1]  # noqa: E731
    if prev_tables.get("t3", True) and tables.get("t3", True):
        for c, _ in layout(version).t3_cols:
            e, o = num(prev_cells, ("t3", FORWARD, c)), num(cells, ("t3", CARRIED, c))
            if e is None or o is None:
                out.append(_f("XY_CARRY_OVER", "t3", CARRIED, c, "not_assessable"))
            elif abs(e - o) > TOL:
                out.append(_f("XY_CARRY_OVER", "t3", CARRIED, c, "fail", e, o))
    if prev_version == version == "2021" and prev_tables.get("t2", True) and tables.get("t2", True):
        for g in layout(version).t2_groups:
            if {c for c, _ in g.cols} >= {"issued", "repealed", "in_force"}:
                for r, _ in g.rows:
                    stock, issued = num(prev_cells, ("t2", r, "in_force")), num(cells, ("t2", r, "issued"))
                    repealed, in_force = num(cells, ("t2", r, "repealed")), num(cells, ("t2", r, "in_force"))
                    if stock is None or issued is None or repealed is None or in_force is None:
                        out.append(_f("XY_T2_STOCK", "t2", r, "in_force", "not_assessable"))
                    elif abs(stock + issued - repealed - in_force) > TOL:
                        out.append(_f("XY_T2_STOCK", "t2", r, "in_force", "fail", stock + issued - repealed, in_force))
    same_tables = (dict(prev_tables) == dict(tables) and any(tables.values()) and dict(prev_cells) == dict(cells)
                   and sum(1 for raw in cells.values() if read_cell(raw)[0] == "number" and read_cell(raw)[1] != 0)
                   >= COPY_MIN_NONZERO)
    same_text = False
    if prev_text is not None and text is not None:
        a, b = _grams(prev_text), _grams(text)
        same_text = bool(a and b) and len(a & b) / len(a | b) >= COPY_JACCARD
    if same_tables or same_text:
        out.append(_f("XY_COPY", None, None, None))
    return out
