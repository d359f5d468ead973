"""The national template as data: canonical cells (cells_2021.csv, cells_2019.csv) and label patterns.

Nothing else in the code base names a row or column label; parsers ask this module.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import pandas as pd

VERSIONS = ("2021", "2019")
MIXED = "mixed"
LAYOUTS = (*VERSIONS, MIXED)  # how a report's tables are laid out: a version's template, or the mixed layout
TABLES = ("t2", "t3", "t4")
TABLE_ZH = {"t2": "表二", "t3": "表三", "t4": "表四"}
TABLE_TITLES = {  # the titles the national form prints (messages name them)
    "t2": "主动公开政府信息情况",
    "t3": "收到和处理政府信息公开申请情况",
    "t4": "政府信息公开行政复议、行政诉讼情况",
}
SECTION_TITLES = {
    1: "一、总体情况",
    2: "二、主动公开政府信息情况",
    3: "三、收到和处理政府信息公开申请情况",
    4: "四、政府信息公开行政复议、行政诉讼情况",
    5: "五、存在的主要问题及改进情况",
    6: "六、其他需要报告的事项",
}

_QUOTES = re.compile(r"[\s\u3000\u00a0\"'“”‘’「」『』〝〞]+")


@lru_cache(maxsize=1 << 12)
def norm_label(text: str) -> str:
    """Normalise a printed label for matching: NFKC (full-width → ASCII), no whitespace, no quotes,
    Chinese comma/dot variants unified. Raw text is kept elsewhere; this is only for matching."""
    t = unicodedata.normalize("NFKC", text or "")
    t = _QUOTES.sub("", t)
    return t.replace("．", ".").replace("。", ".")


def _read_csv(name: str) -> list[dict[str, str]]:
    with resources.files("gongkai.form").joinpath("data").joinpath(name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


@cache
def cells(version: str = "2021") -> pd.DataFrame:
    """The canonical cells of a format version, in template order (table_id, row_key, col_key, labels…)."""
    if version not in VERSIONS:
        raise ValueError(f"unknown format version {version!r}; expected one of {VERSIONS}")
    df = pd.DataFrame(_read_csv(f"cells_{version}.csv"))
    df["format_version"] = version
    df["cell_no"] = range(len(df))
    return df


@cache
def all_cells() -> pd.DataFrame:
    """Union of both versions' cells, one row per (format_version, table_id, row_key, col_key)."""
    return pd.concat([cells(v) for v in VERSIONS], ignore_index=True)


@dataclass(frozen=True)
class Pattern:
    key: str
    regex: re.Pattern[str]


@cache
def _label_rows() -> tuple[dict[str, str], ...]:
    return tuple(_read_csv("labels.csv"))


@cache
def patterns(version: str, table_id: str, axis: str) -> tuple[Pattern, ...]:
    """Label patterns for one axis ('row', 'col' or 'group') of a table, in priority order."""
    return tuple(
        Pattern(r["key"], re.compile(r["pattern"]))
        for r in _label_rows()
        if r["table_id"] == table_id and r["axis"] == axis and r["version"] in ("both", version)
    )


@lru_cache(maxsize=1 << 13)
def match(version: str, table_id: str, axis: str, label: str) -> str | None:
    """The key whose pattern matches a printed label first, or None (cached: labels repeat across reports)."""
    norm = norm_label(label)
    if not norm:
        return None
    for p in patterns(version, table_id, axis):
        if p.regex.search(norm):
            return p.key
    return None


@lru_cache(maxsize=1 << 12)
def group_span(table_id: str, label: str) -> int | None:
    """How many leaf columns a header group label spans (for renderings that drop colspans)."""
    for version in VERSIONS:
        key = match(version, table_id, "group", label)
        if key:
            return int(key)
    return None


@cache
def keys(version: str, table_id: str) -> tuple[tuple[str, str], ...]:
    """(row_key, col_key) pairs of a table, template order."""
    df = cells(version)
    sub = df[df.table_id == table_id]
    return tuple(zip(sub.row_key, sub.col_key))


@cache
def row_keys(version: str, table_id: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(r for r, _ in keys(version, table_id)))


@cache
def col_keys(version: str, table_id: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c for _, c in keys(version, table_id)))


@cache
def mixed_rows() -> tuple[str, tuple[str, ...]]:
    """表三's （六）其他处理 in the two formats, derived from the cell lists: the 2019 single row and the
    three 2021 sub-rows it stands for (FORMAT.md: the single row equals the sum of the three). Their row
    keys are the only ones that differ between the two versions of 表三."""
    r21, r19 = row_keys("2021", "t3"), row_keys("2019", "t3")
    single = [r for r in r19 if r not in r21]
    subs = tuple(r for r in r21 if r not in r19)
    if len(single) != 1 or len(subs) != 3:
        raise ValueError(f"cells_2019/2021.csv: 表三 rows differ by {single} / {subs}, expected 1 / 3")
    return single[0], subs


@cache
def mixed_keys() -> tuple[tuple[str, str], ...]:
    """表三 cells of the mixed layout seen in real files (2021 labels, （六）其他处理 printed as the single 2019
    row): the 2021 cells with the single row's cells placed after the sub-rows (which stay in the list: they
    are stored as not printed)."""
    single, subs = mixed_rows()
    at = max(i for i, (r, _) in enumerate(keys("2021", "t3")) if r in subs) + 1
    base = keys("2021", "t3")
    return base[:at] + tuple((r, c) for r, c in keys("2019", "t3") if r == single) + base[at:]


@cache
def layout_keys(layout: str, table_id: str) -> tuple[tuple[str, str], ...]:
    """(row_key, col_key) pairs a report of this layout carries (MIXED: the 2021 ones plus, in 表三, the
    single （六）其他处理 row's)."""
    if layout == MIXED:
        return mixed_keys() if table_id == "t3" else keys("2021", table_id)
    return keys(layout, table_id)


@cache
def labels(version: str = "2021") -> dict[tuple[str, str, str], tuple[str, str]]:
    """(table_id, row_key, col_key) → (row_label, col_label) as printed on the national form."""
    df = cells(version)
    return {
        (t, r, c): (rl, cl)
        for t, r, c, rl, cl in zip(df.table_id, df.row_key, df.col_key, df.row_label, df.col_label)
    }


@cache
def _names() -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], str]]:
    """Printed row and column names per (table_id, key), 2021 labels first, 2019-only keys added."""
    rows: dict[tuple[str, str], str] = {}
    cols: dict[tuple[str, str], str] = {}
    for version in VERSIONS:
        df = cells(version)
        for t, r, c, rl, cl, g in zip(df.table_id, df.row_key, df.col_key, df.row_label, df.col_label, df.group):
            rows.setdefault((t, r), rl)
            cols.setdefault((t, c), f"{g.replace('/', '·')}·{cl}" if t == "t4" else cl)
    return rows, cols


def cell_name(table_id: str, row_key: str | None = None, col_key: str | None = None) -> str:
    """A Chinese name for a cell or line, e.g. 表三「一、本年新收政府信息公开申请数量」行「自然人」列."""
    rows, cols = _names()
    name = TABLE_ZH.get(table_id, table_id)
    if row_key and rows.get((table_id, row_key)):
        name += f"「{rows[(table_id, row_key)]}」行"
    if col_key and cols.get((table_id, col_key)):
        name += f"「{cols[(table_id, col_key)]}」列"
    return name


@cache
def any_label() -> re.Pattern[str]:
    """One regex matching any row, column or group label of any table and version (for sniffing)."""
    pats = {r["pattern"] for r in _label_rows()}
    return re.compile("|".join(f"(?:{p})" for p in sorted(pats)))


def is_label(text: str) -> bool:
    return bool(any_label().search(norm_label(text)))


# ------------------------------------------------------------------ printed names (the one label lookup for messages)
@cache
def row_label(table_id: str, row_key: str) -> str:
    for v in VERSIONS:
        df = cells(v)
        hit = df[(df.table_id == table_id) & (df.row_key == row_key)]
        if len(hit):
            return str(hit.row_label.iloc[0])
    return row_key


@cache
def col_label(table_id: str, col_key: str) -> str:
    for v in VERSIONS:
        df = cells(v)
        hit = df[(df.table_id == table_id) & (df.col_key == col_key)]
        if len(hit):
            return str(hit.col_label.iloc[0])
    return col_key


@cache
def t4_group_label(group: str) -> str:
    df = cells("2021")
    hit = df[(df.table_id == "t4") & (df.col_key == f"{group}_total")]
    return str(hit.group.iloc[0]).replace("/", "·") if len(hit) else group


def table_zh(table_id: str) -> str:
    return TABLE_ZH.get(table_id, table_id)
