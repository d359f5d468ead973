"""The one finding assembler: findings and rule_results frames, stable finding ids, number formatting.

Every engine — Pandera and GX in gongkai.checks, the SQL rules of gongkai.warehouse.panel — hands over
`Part`s (one rule's findings as arrays) and `Counts` (per-report evaluated / failed / not_assessable of
one rule); this module turns them into the two contract frames of DESIGN §5. It knows rules only through
the catalogue it is given (rule_id → family, severity, in catalogue order), so checks and the warehouse
both use it and neither imports the other.

finding_id = first 16 hex digits of sha256 over report_id, rule_id, table_id, row_key, col_key joined by
U+001F, a NULL encoded as U+001E (never equal to a real value). In DuckDB SQL, for rules computed there:
  substr(sha256(concat_ws(chr(31), coalesce(report_id, chr(30)), rule_id, coalesce(table_id, chr(30)),
         coalesce(row_key, chr(30)), coalesce(col_key, chr(30)))), 1, 16)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import DTypeLike

FINDING_COLUMNS = [
    "finding_id", "report_id", "rule_id", "family", "severity", "table_id", "row_key", "col_key",
    "expected", "observed", "message", "status",
]
RULE_RESULT_COLUMNS = ["report_id", "rule_id", "evaluated", "failed", "not_assessable"]
SEP, NULL = "\x1f", "\x1e"
_STR_COLS = [c for c in FINDING_COLUMNS if c not in ("expected", "observed")]


@dataclass
class Part:
    """Findings of one rule, columnar. Scalars broadcast; None is NULL. `order` sorts within the rule."""

    rule_id: str
    report_no: np.ndarray
    table_id: object = None
    row_key: object = None
    col_key: object = None
    expected: object = np.nan
    observed: object = np.nan
    message: object = ""
    status: object = "fail"
    order: object = 0

    def __len__(self) -> int:
        return len(self.report_no)


@dataclass
class Counts:
    """Per-report counts of one rule over the batch's reports (arrays of len(reports)); `checked` marks
    the reports the rule was run on (only those get a rule_results row)."""

    rule_id: str
    checked: np.ndarray
    evaluated: np.ndarray
    failed: np.ndarray
    not_assessable: np.ndarray


def col(value: object, n: int, dtype: DTypeLike = object) -> np.ndarray:
    """A scalar broadcast to n, or an array as given."""
    if isinstance(value, (np.ndarray, pd.Series, pd.Index, list, tuple)):
        arr = np.asarray(value, dtype=dtype)
        if len(arr) != n:
            raise ValueError(f"column of length {len(arr)} where {n} expected")
        return arr
    return np.full(n, value, dtype=dtype)


def fmt(values: object) -> np.ndarray:
    """Numbers as printed in messages: integers without a decimal point, other values in their shortest
    form (at most 10 decimals), NaN as ''. Vectorised for the integral case (the common one)."""
    x = np.asarray(values, dtype=float)
    out = np.full(x.shape, "", dtype=object)
    finite = np.isfinite(x)
    integral = finite & (np.abs(x) < 1e15)
    integral[integral] = x[integral] == np.round(x[integral])
    if integral.any():
        out[integral] = x[integral].astype(np.int64).astype(str).astype(object)
    frac = finite & ~integral
    if frac.any():
        out[frac] = [np.format_float_positional(v, precision=10, trim="-") for v in x[frac]]
    return out


def arrow_strings(values: object, dictionary: bool = True) -> pa.Array:
    """Object values (None = NULL) → an arrow string array; low-cardinality columns via a dictionary."""
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values
    if isinstance(values, pd.Series):
        values = values.to_numpy(dtype=object, na_value=None)
    values = np.asarray(values, dtype=object)
    if not dictionary:
        return pa.array(values, type=pa.string(), from_pandas=True)
    codes, uniques = pd.factorize(values)
    if len(uniques) * 4 < len(values):
        return pa.array(np.asarray(uniques, dtype=object), pa.string()).take(pa.array(codes, mask=codes < 0))
    return pa.array(values, type=pa.string(), from_pandas=True)


def finding_ids(report_id: object, rule_id: object, table_id: object, row_key: object,
                col_key: object) -> np.ndarray:
    """Stable ids (see module doc): fields joined in arrow (vectorised), sha256 applied per finding."""
    fields = [pc.fill_null(arrow_strings(a), NULL) for a in (report_id, rule_id, table_id, row_key, col_key)]
    keys = pc.binary_join_element_wise(*fields, SEP).cast(pa.binary()).to_pylist()
    sha = hashlib.sha256
    return np.array([sha(k).hexdigest()[:16] for k in keys], dtype=object)


def empty_findings() -> pd.DataFrame:
    df = pd.DataFrame({c: pd.Series(dtype="string") for c in FINDING_COLUMNS})
    df["expected"] = df["expected"].astype("float64")
    df["observed"] = df["observed"].astype("float64")
    return df


def assemble(parts: list[Part], report_ids: np.ndarray, catalogue: pd.DataFrame) -> pd.DataFrame:
    """One findings frame, sorted (report, rule in catalogue order, order), duplicates of a finding_id
    dropped (first kept). `catalogue`: rule_id, family, severity of the rules the parts may hold."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty_findings()
    rank = {r: i for i, r in enumerate(catalogue["rule_id"])}
    meta = {r: (f, s) for r, f, s in zip(catalogue["rule_id"], catalogue["family"], catalogue["severity"], strict=True)}
    cols: dict[str, list[np.ndarray]] = {c: [] for c in ("_rep", "_rank", "_order", "rule_id", "family", "severity",
                                                         "table_id", "row_key", "col_key", "expected", "observed",
                                                         "message", "status")}
    for p in parts:
        n = len(p)
        family, severity = meta[p.rule_id]
        cols["_rep"].append(np.asarray(p.report_no, dtype=np.int64))
        cols["_rank"].append(np.full(n, rank.get(p.rule_id, len(rank)), np.int64))
        cols["_order"].append(col(p.order, n, np.int64))
        cols["rule_id"].append(col(p.rule_id, n))
        cols["family"].append(col(family, n))
        cols["severity"].append(col(severity, n))
        for c in ("table_id", "row_key", "col_key", "message", "status"):
            cols[c].append(col(getattr(p, c), n))
        cols["expected"].append(col(p.expected, n, float))
        cols["observed"].append(col(p.observed, n, float))
    data = {c: np.concatenate(v) for c, v in cols.items()}
    order = np.lexsort((data["_order"], data["_rank"], data["_rep"]))
    data = {c: v[order] for c, v in data.items()}
    arrow = {c: arrow_strings(data[c], dictionary=c != "message") for c in _STR_COLS if c in data}
    arrow["report_id"] = pa.array(np.asarray(report_ids, dtype=object), pa.string()).take(pa.array(data["_rep"]))
    ids = finding_ids(arrow["report_id"], arrow["rule_id"], arrow["table_id"], arrow["row_key"], arrow["col_key"])
    keep = ~pd.Series(ids).duplicated(keep="first").to_numpy()
    arrow["finding_id"] = pa.array(ids, pa.string())
    mask = pa.array(keep)
    df = pd.DataFrame({
        c: (data[c][keep] if c in ("expected", "observed") else pd.arrays.ArrowStringArray(arrow[c].filter(mask)))
        for c in FINDING_COLUMNS
    })
    return df


def rule_results(counts: list[Counts], report_ids: np.ndarray, catalogue: pd.DataFrame) -> pd.DataFrame:
    """One row per (report, rule) the rule was run on, sorted by report then catalogue order."""
    rank = {r: i for i, r in enumerate(catalogue["rule_id"])}
    frames = []
    for c in counts:
        idx = np.flatnonzero(c.checked)
        frames.append(pd.DataFrame({
            "_rep": idx, "_rank": rank.get(c.rule_id, len(rank)),
            "report_id": report_ids[idx], "rule_id": c.rule_id,
            "evaluated": np.asarray(c.evaluated, np.int64)[idx],
            "failed": np.asarray(c.failed, np.int64)[idx],
            "not_assessable": np.asarray(c.not_assessable, np.int64)[idx],
        }))
    if not frames:
        df = pd.DataFrame({"_rep": [], "_rank": [], **{c: [] for c in RULE_RESULT_COLUMNS}})
    else:
        df = pd.concat(frames, ignore_index=True).sort_values(["_rep", "_rank"], kind="stable", ignore_index=True)
    df = df[RULE_RESULT_COLUMNS].astype({"report_id": "string", "rule_id": "string"})
    return df.astype({c: "int64" for c in ("evaluated", "failed", "not_assessable")})


def per_report(report_no: np.ndarray, n: int) -> np.ndarray:
    """How many entries fall on each of n reports."""
    return np.bincount(np.asarray(report_no, dtype=np.int64), minlength=n).astype(np.int64)
