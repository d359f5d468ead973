"""Pandera schemas for the batch frames (DESIGN §8: Pandera owns the *shape* of the frames).

Four DataFrameModels, each validated lazily over a whole batch:

  CellsModel     the cells frame annotated by `annotate_cells` (adds report_no, format_version, key_id, mixed)
  SectionsModel  one row per report × section 1…6
  TablesModel    one row per report × 表二/三/四
  ReportsModel   one row per report

Every check has a name. A check whose failure cases a rule module of gongkai.checks.rules reads is an audit
check (its failure cases become findings); a failure of any other check (unknown key, unknown semantic, value
set for a non-number, duplicate cell, wrong dtype…) means a parser broke the frame contract, and the caller
raises.

The mixed layout (real files, e.g. 洪泽 2023/2024): a 2021 report whose 表三 prints （六）其他处理 as the single
2019 row. The parser says so (the reports frame's `layout` column, 'mixed'); its cells are the 2021 cells plus
the single row's (`y2019_other_processing`), and the three 2021 sub-rows are not printed (semantic blank).
The single row's cells in any other report, and a printed sub-row cell in a mixed one, are outside the
report's layout (key_in_template). In a mixed report the sub-rows are not cells of its layout: CELL_BLANK is
not reported for them, FORMAT_OUTDATED reports the layout once (check `layout_current`, a 2021+ report), and
the identities use the single row (gongkai.checks.wide). A report of layout 'unknown' is laid out as its
format_version's template.

An `unread` cell (gongkai.form.cells.UNREAD: the table was found but the parser could not attribute a value to
the cell) fails only the check not_unread (read by CELL_UNREAD, family parse, responsibility parser): it is not
blank, dash or text, so no completeness finding is raised against the agency, and it has no value, so the
identities over it are not assessable.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from gongkai.form.cells import SEMANTICS, UNREAD
from gongkai.form.template import LAYOUTS, MIXED, TABLES, VERSIONS, all_cells, mixed_rows

STATUSES = ("parsed", "partial", "failed")
REPORT_VERSIONS = (*VERSIONS, "unknown")
REPORT_LAYOUTS = (*LAYOUTS, "unknown")
SECTION_NOS = (1, 2, 3, 4, 5, 6)

# Cells that may hold a fraction (money, 万元 or as printed); every other cell is a count.
FRACTION_CELLS = frozenset({("t2", "fees", "amount"), ("t2", "y2019_procurement", "y2019_amount")})
# 2019 表二 本年增/减 is a signed change, not a count: it may be negative (still an integer).
SIGNED_COLS = frozenset({"y2019_change"})

# ---------------------------------------------------------------- template keys as integer ids
@cache
def template_keys() -> pd.DataFrame:
    """Union of both versions' cell keys; the position is the key_id used by `annotate_cells`.
    Columns: table_id, row_key, col_key, in_2021, in_2019, fraction_ok, signed_ok."""
    cells = all_cells()
    keys = cells.drop_duplicates(["table_id", "row_key", "col_key"])[["table_id", "row_key", "col_key"]]
    keys = keys.reset_index(drop=True)
    present = set(zip(cells.format_version, cells.table_id, cells.row_key, cells.col_key, strict=True))
    for v in VERSIONS:
        triples = zip(keys.table_id, keys.row_key, keys.col_key, strict=True)
        keys[f"in_{v}"] = [(v, t, r, c) in present for t, r, c in triples]
    keys["fraction_ok"] = [k in FRACTION_CELLS for k in zip(keys.table_id, keys.row_key, keys.col_key, strict=True)]
    keys["signed_ok"] = (keys.table_id == "t2") & keys.col_key.isin(SIGNED_COLS)
    return keys


@cache
def _key_arrays() -> tuple[dict[tuple[str, str, str], int], np.ndarray, np.ndarray, np.ndarray]:
    """(key → key_id, allowed[version, key_id], fraction_ok[key_id], signed_ok[key_id]). The arrays have one
    trailing False entry, so that key_id == -1 (a key in no template) looks up False."""
    keys = template_keys()
    index = {k: i for i, k in enumerate(zip(keys.table_id, keys.row_key, keys.col_key, strict=True))}
    allowed = np.stack([np.append(keys[f"in_{v}"].to_numpy(bool), False) for v in VERSIONS])
    fraction_ok = np.append(keys.fraction_ok.to_numpy(bool), False)
    signed_ok = np.append(keys.signed_ok.to_numpy(bool), False)
    return index, allowed, fraction_ok, signed_ok


@cache
def mixed_key_masks() -> tuple[np.ndarray, np.ndarray]:
    """(single[key_id], sub_row[key_id]): the cells of 表三's single 2019 （六）其他处理 row and of the three
    2021 sub-rows it stands for; one trailing False entry for key_id == -1."""
    keys = template_keys()
    single, subs = mixed_rows()
    t3 = keys.table_id.eq("t3").to_numpy(bool)
    return (np.append(t3 & keys.row_key.eq(single).to_numpy(bool), False),
            np.append(t3 & keys.row_key.isin(subs).to_numpy(bool), False))


def mixed(reports: pd.DataFrame) -> np.ndarray:
    """Per report: the mixed layout (reports.layout, set by the parser)."""
    return np.asarray(reports["layout"].to_numpy(dtype=object, na_value=None) == MIXED, dtype=bool)


def layout_codes(reports: pd.DataFrame) -> np.ndarray:
    """Each report's layout as an index into gongkai.form.template.LAYOUTS: MIXED, else its version's
    template ('unknown' → 2021)."""
    return np.where(mixed(reports), LAYOUTS.index(MIXED), version_codes(reports["format_version"]))


def key_ids(table_id: pd.Series, row_key: pd.Series, col_key: pd.Series) -> np.ndarray:
    """Vectorised (table_id, row_key, col_key) → key_id (position in `template_keys()`), -1 if the key is
    in no template. Factorises each column once and looks up only the distinct combinations."""
    index = _key_arrays()[0]
    codes, uniques = [], []
    for s in (table_id, row_key, col_key):
        c, u = pd.factorize(s)
        codes.append(c.astype(np.int64) + 1)  # 0 = NA
        uniques.append([None, *u])
    n_r, n_c = len(uniques[1]), len(uniques[2])
    combo = (codes[0] * n_r + codes[1]) * n_c + codes[2]
    combo_codes, combos = pd.factorize(combo)
    lut = np.array(
        [index.get((uniques[0][x // (n_r * n_c)], uniques[1][x // n_c % n_r], uniques[2][x % n_c]), -1)
         for x in combos],
        dtype=np.int64,
    )
    return lut[combo_codes] if len(lut) else np.zeros(0, np.int64)


def version_codes(format_version: pd.Series) -> np.ndarray:
    """Effective template version per report as an index into VERSIONS: '2019' → 1, else ('2021',
    'unknown') → 0."""
    is_2019 = format_version.to_numpy(dtype=object, na_value=None) == "2019"
    return np.where(is_2019, VERSIONS.index("2019"), VERSIONS.index("2021"))


def annotate_cells(cells: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    """The frame CellsModel validates: the cells' key columns, value and semantic, plus
    report_no (position of the cell's report in `reports`, -1 if unknown), format_version (the template
    that applies: the report's, 'unknown' → '2021') and key_id (see `key_ids`). Same index as `cells`.
    `reports.report_id` must be unique (ReportsModel checks it). `mixed`: the cell's report has the mixed
    layout (reports.layout)."""
    rep_codes, rep_uniques = pd.factorize(cells["report_id"])
    lut = np.append(pd.Index(reports["report_id"]).get_indexer(rep_uniques), -1)
    report_no = lut[rep_codes]
    vcode = np.append(version_codes(reports["format_version"]), -1)
    out = cells[["table_id", "row_key", "col_key", "semantic", "value"]].copy()
    out["report_no"] = report_no
    out["format_version"] = pd.Categorical.from_codes(vcode[report_no], categories=list(VERSIONS))
    out["key_id"] = key_ids(cells["table_id"], cells["row_key"], cells["col_key"])
    out["mixed"] = np.append(mixed(reports), False)[report_no]
    return out


# ---------------------------------------------------------------- schemas
class CellsModel(pa.DataFrameModel):
    """Cells of the checked reports, annotated by `annotate_cells`."""

    table_id: Series[pd.StringDtype] = pa.Field(isin=TABLES)
    row_key: Series[pd.StringDtype]
    col_key: Series[pd.StringDtype]
    semantic: Series[pd.StringDtype] = pa.Field(isin=SEMANTICS)
    value: Series[float] = pa.Field(nullable=True)
    report_no: Series[int] = pa.Field(ge=0)  # a cell of a report that is not in the batch
    format_version: Series[pa.typing.Category] = pa.Field(isin=VERSIONS)
    key_id: Series[int]
    mixed: Series[bool]  # the report has the mixed layout (module doc)

    class Config:
        strict = True

    @pa.check("semantic", name="not_blank")
    def _not_blank(cls, s: Series[str]) -> Series[bool]:
        return s.ne("blank")

    @pa.check("semantic", name="not_unread")
    def _not_unread(cls, s: Series[str]) -> Series[bool]:
        return s.ne(UNREAD)

    @pa.check("semantic", name="not_dash_or_text")
    def _not_dash_or_text(cls, s: Series[str]) -> Series[bool]:
        return ~s.isin(["dash", "text"])

    @pa.dataframe_check(name="key_in_template")
    def _key_in_template(cls, df: pd.DataFrame) -> Series[bool]:
        allowed = _key_arrays()[1]
        vcode = df["format_version"].cat.codes.to_numpy()
        key = df["key_id"].to_numpy()
        mixed = df["mixed"].to_numpy(bool)
        single, sub = mixed_key_masks()
        printed_sub = mixed & sub[key] & df["semantic"].ne("blank").fillna(True).to_numpy(bool)
        in_layout = (allowed[np.maximum(vcode, 0), key] & ~printed_sub) | (mixed & single[key])
        return pd.Series((vcode >= 0) & in_layout, index=df.index)

    @pa.dataframe_check(name="value_iff_number")
    def _value_iff_number(cls, df: pd.DataFrame) -> Series[bool]:
        return df["value"].notna() == (df["semantic"] == "number").fillna(False)

    @pa.dataframe_check(name="one_row_per_cell")
    def _one_row_per_cell(cls, df: pd.DataFrame) -> Series[bool]:
        code = df["report_no"].to_numpy(np.int64) * (len(template_keys()) + 1) + df["key_id"].to_numpy(np.int64) + 1
        return ~pd.Series(code, index=df.index).duplicated(keep=False)

    @pa.dataframe_check(name="count_non_negative")
    def _count_non_negative(cls, df: pd.DataFrame) -> Series[bool]:
        signed = _key_arrays()[3][df["key_id"].to_numpy()]
        v = df["value"].to_numpy(float)
        return pd.Series(~(v < 0) | signed, index=df.index)

    @pa.dataframe_check(name="count_integral")
    def _count_integral(cls, df: pd.DataFrame) -> Series[bool]:
        fraction_ok = _key_arrays()[2][df["key_id"].to_numpy()]
        v = df["value"].to_numpy(float)
        with np.errstate(invalid="ignore"):
            integral = ~np.isfinite(v) | (v == np.round(v))
        return pd.Series(integral | np.isnan(v) | fraction_ok, index=df.index)


class SectionsModel(pa.DataFrameModel):
    """One row per checked report × section 1…6 (rows the parser did not emit added as present=False)."""

    report_id: Series[pd.StringDtype]
    section_no: Series[pa.typing.Int8] = pa.Field(isin=SECTION_NOS)
    present: Series[bool]

    class Config:
        unique = ["report_id", "section_no"]

    @pa.check("present", name="section_present")
    def _present(cls, s: Series[bool]) -> Series[bool]:
        return s


class TablesModel(pa.DataFrameModel):
    """One row per checked report × 表二/三/四 (rows the parser did not emit added as present=False)."""

    report_id: Series[pd.StringDtype]
    table_id: Series[pd.StringDtype] = pa.Field(isin=TABLES)
    present: Series[bool]

    class Config:
        unique = ["report_id", "table_id"]

    @pa.check("present", name="table_present")
    def _present(cls, s: Series[bool]) -> Series[bool]:
        return s


class ReportsModel(pa.DataFrameModel):
    """One row per report of the batch (failed ones included: they are the PARSE_FAILED findings)."""

    report_id: Series[pd.StringDtype] = pa.Field(unique=True)
    status: Series[pd.StringDtype] = pa.Field(isin=STATUSES)
    format_version: Series[pd.StringDtype] = pa.Field(isin=REPORT_VERSIONS)
    year: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    layout: Series[pd.StringDtype] = pa.Field(isin=REPORT_LAYOUTS)

    @pa.dataframe_check(name="layout_of_version")
    def _layout_of_version(cls, df: pd.DataFrame) -> Series[bool]:
        """The layout is the version's template, the mixed one (2021 labels) or unknown."""
        layout, version = df["layout"], df["format_version"]
        ok = layout.eq("unknown") | layout.eq(version) | (layout.eq(MIXED) & version.eq("2021"))
        return ok.fillna(False).astype(bool)

    @pa.dataframe_check(name="format_current")
    def _format_current(cls, df: pd.DataFrame) -> Series[bool]:
        return ~outdated(df)

    @pa.dataframe_check(name="layout_current")
    def _layout_current(cls, df: pd.DataFrame) -> Series[bool]:
        return ~mixed_outdated(df)


def outdated(reports: pd.DataFrame) -> pd.Series:
    """The 2019 trial format used for a report of 2021 or later (a year that is unknown is not outdated)."""
    return ((reports["format_version"] == "2019") & (reports["year"] >= 2021)).fillna(False).astype(bool)


def mixed_outdated(reports: pd.DataFrame) -> pd.Series:
    """A 2021+ report of the mixed layout: 表三 （六）其他处理 printed as the single 2019 row."""
    return (reports["layout"].eq(MIXED) & (reports["year"] >= 2021)).fillna(False).astype(bool)
