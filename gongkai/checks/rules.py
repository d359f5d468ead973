"""The rule catalogue (gongkai/data/rules.csv) and the arithmetic identities of 表三/表四, derived from the
template (template-as-data: no label is spelled here, only the contract keys of DESIGN §4)."""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd

from gongkai.form.template import MIXED, col_keys, layout_keys, mixed_rows, row_keys
from gongkai.form.template import col_label, row_label, t4_group_label, table_zh  # noqa: F401  (re-exported)

CATALOGUE_COLUMNS = ["rule_id", "family", "severity", "engine", "title_zh", "title_en", "description"]
ENGINES = ("parser", "pandera", "gx")  # the engines run by gongkai.checks (the 'sql' rules live in the warehouse)


@cache
def _catalogue() -> pd.DataFrame:
    with resources.files("gongkai.checks").joinpath("data").joinpath("rules.csv").open(encoding="utf-8") as fh:
        df = pd.read_csv(fh, dtype=str, keep_default_na=False)
    missing = set(CATALOGUE_COLUMNS) - set(df.columns)
    if missing:
        raise ValueError(f"gongkai/data/rules.csv lacks columns {sorted(missing)}")
    return df[CATALOGUE_COLUMNS].astype("string")


def rules_catalogue() -> pd.DataFrame:
    """The rule catalogue: rule_id, family, severity, engine, title_zh, title_en, description."""
    return _catalogue().copy()


@cache
def checked_rules() -> tuple[str, ...]:
    """Rule ids evaluated by gongkai.checks, in catalogue order (PARSE_FAILED first)."""
    cat = _catalogue()
    return tuple(cat.loc[cat.engine.isin(ENGINES), "rule_id"])


def checked_catalogue() -> pd.DataFrame:
    """The catalogue rows of the rules evaluated by gongkai.checks, in catalogue order."""
    cat = _catalogue()
    return cat[cat.engine.isin(ENGINES)].reset_index(drop=True)


@cache
def rule_meta() -> dict[str, tuple[str, str]]:
    """rule_id → (family, severity)."""
    cat = _catalogue()
    return {r: (f, s) for r, f, s in zip(cat.rule_id, cat.family, cat.severity)}


# ------------------------------------------------------------------ 表三
T3_COLS = col_keys("2021", "t3")                    # 自然人 … 其他, 总计
T3_TOTAL_COL = "total"
T3_APPLICANTS = tuple(c for c in T3_COLS if c != T3_TOTAL_COL)
BALANCE_IN = ("new_received", "carried_over")       # 一 + 二
BALANCE_OUT = ("processed_total", "carried_forward")  # 三（七）+ 四
PROCESSED_TOTAL = "processed_total"


def _union_rows() -> tuple[str, ...]:
    """表三 rows of both versions, 2021 order, 2019-only rows placed before （七）总计."""
    rows21 = list(row_keys("2021", "t3"))
    only19 = [r for r in row_keys("2019", "t3") if r not in rows21]
    at = rows21.index(PROCESSED_TOTAL)
    return tuple(rows21[:at] + only19 + rows21[at:])


T3_ROWS = _union_rows()


@cache
def t3_rows_in(layout: str) -> tuple[str, ...]:
    """表三 rows a report of this layout (gongkai.template.LAYOUTS) prints, whose identities are checked:
    its version's rows; for the mixed layout the 2021 rows with the single （六）其他处理 row in place of
    the three sub-rows (not printed there: no identity is evaluated on them)."""
    rows = dict.fromkeys(r for r, _ in layout_keys(layout, "t3"))
    if layout == MIXED:
        rows = {r: None for r in rows if r not in mixed_rows()[1]}
    return tuple(rows)


@cache
def outcome_rows(layout: str) -> tuple[str, ...]:
    """Outcome rows （一）…（六） whose sum is （七）总计: every row except 一, 二, （七）, 四 (for the mixed
    layout （六） is the single row: （七）总计 = （一）…（五） + （六）其他处理)."""
    return tuple(r for r in t3_rows_in(layout) if r not in BALANCE_IN + BALANCE_OUT)


# ------------------------------------------------------------------ 表四
T4_ROW = "cases"
T4_COLS = col_keys("2021", "t4")
T4_PARTS = ("upheld", "corrected", "other", "pending")
T4_GROUPS = tuple(c.removesuffix("_total") for c in T4_COLS if c.endswith("_total"))


IDENTITY_ZH = {
    "T3_BALANCE": "一+二=三(七)+四",
    "T3_TOTAL_COLUMN": "总计=六类申请人之和",
    "T3_OUTCOME_SUM": "（七）总计=（一）至（六）各项之和",
    "T4_TOTAL": "总计=结果维持+结果纠正+其他结果+尚未审结",
}
