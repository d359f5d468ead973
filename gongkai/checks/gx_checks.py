"""GX engine: the 表三/表四 identities (expectations/*.json) over the wide frames of the whole batch.

The suites are canonical JSON files loaded once per process into an ephemeral context (progress bars and
analytics off). Each suite is validated once over its frame (never per report). Failing rows come from
`unexpected_index_list` (result_format COMPLETE, the frame's named index row_no, unexpected values
excluded — GX then lists indices without a per-row lookup). Results are matched to the suite's
expectations by expectation type + kwargs, never by order; expected/observed are read from the frame.
An instance with a non-numeric operand is neither pass nor fail: a not_assessable finding.
"""

from __future__ import annotations

import json
import os
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from gongkai.checks.errors import GXCheckError
from gongkai.findings import Counts, Part, fmt, per_report
from gongkai.checks.rules import (
    IDENTITY_ZH, T3_APPLICANTS, T3_COLS, T3_ROWS, T4_COLS, T4_GROUPS, T4_PARTS, col_label, row_label,
    t4_group_label, table_zh,
)
from gongkai.checks.wide import Dense, Wide, layout, operands

SUITES = ("t3_rows", "t3_columns", "t4_cases")
RULES = ("T3_BALANCE", "T3_TOTAL_COLUMN", "T3_OUTCOME_SUM", "T4_TOTAL")
RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": ["row_no"],
    "exclude_unexpected_values": True,
    "return_unexpected_index_query": False,
    "partial_unexpected_count": 0,
}


def expectations_dir() -> Path:
    env = os.environ.get("GONGKAI_EXPECTATIONS")
    return Path(env) if env else Path(str(resources.files("gongkai.expectations")))


def load_suite_json(name: str) -> dict:
    return json.loads((expectations_dir() / f"{name}.json").read_text(encoding="utf-8"))


def _key(etype: str, kwargs: dict) -> tuple:
    return (etype, *sorted((k, json.dumps(v, sort_keys=True)) for k, v in kwargs.items() if k != "batch_id"))


@cache
def engine() -> dict[str, tuple[object, object, dict]]:
    """suite name → (ExpectationSuite, batch definition, {(type, kwargs): expectation JSON})."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig, InMemoryStoreBackendDefaults, ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    ctx = gx.get_context(mode="ephemeral", project_config=config)
    source = ctx.data_sources.add_pandas("gongkai_batch")
    out = {}
    for name in SUITES:
        spec = load_suite_json(name)
        suite = ctx.suites.add(gx.ExpectationSuite(**spec))
        lookup = {_key(e["type"], e["kwargs"]): e for e in spec["expectations"]}
        bd = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("whole_batch")
        out[name] = (suite, bd, lookup)
    return out


def _raised(info: object) -> str | None:
    if isinstance(info, dict):
        if info.get("raised_exception"):
            return str(info.get("exception_message") or info)
        for v in info.values():
            msg = _raised(v)
            if msg:
                return msg
    return None


def validate(w: Wide) -> list[tuple[dict, np.ndarray]]:
    """Validate one wide frame with its suite: [(expectation JSON, failing row_nos)] per expectation."""
    suite, bd, lookup = engine()[w.name]
    if not len(w.df):
        return [(e, np.zeros(0, np.int64)) for e in lookup.values()]
    res = bd.get_batch(batch_parameters={"dataframe": w.df}).validate(suite, result_format=RESULT_FORMAT)
    out = []
    for r in res.results:
        cfg = r.expectation_config
        spec = lookup.get(_key(cfg.type, dict(cfg.kwargs)))
        if spec is None:
            raise GXCheckError(f"suite {w.name}: result for an unknown expectation {cfg.type} {cfg.kwargs}")
        err = _raised(r.exception_info)
        if err:
            raise GXCheckError(f"suite {w.name}: {cfg.type} {cfg.kwargs} raised: {err}")
        idx = r.result.get("unexpected_index_list") or []
        rows = np.asarray(idx[0]["row_no"] if idx else [], dtype=np.int64)
        kw = spec["kwargs"]
        assessable = int((w.df[kw["column_A"]].notna() & w.df[kw["column_B"]].notna()).sum())
        seen = r.result["element_count"] - r.result.get("missing_count", 0)
        if seen != assessable or len(rows) != r.result["unexpected_count"]:
            raise GXCheckError(f"suite {w.name}: {kw} GX saw {seen} rows / {r.result['unexpected_count']} "
                               f"unexpected, the frame has {assessable} assessable / {len(rows)} listed")
        out.append((spec, rows))
    return out


# ------------------------------------------------------------------ messages
@cache
def _labels() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per dense column: row label, column label (operand names); T3 row/column subjects."""
    lay = layout()
    rows = np.empty(lay.width, object)
    cols = np.empty(lay.width, object)
    for i, r in enumerate(T3_ROWS):
        for j, c in enumerate(T3_COLS):
            rows[lay.t3[i, j]], cols[lay.t3[i, j]] = row_label("t3", r), col_label("t3", c)
    for j, c in enumerate(T4_COLS):
        rows[lay.t4[j]], cols[lay.t4[j]] = "", col_label("t4", c)
    row_subject = np.array([f"表三「{row_label('t3', r)}」行" for r in T3_ROWS], object)
    col_subject = np.array([f"表三「{col_label('t3', c)}」列" for c in T3_COLS], object)
    return rows, cols, row_subject, col_subject


def _subject(rule: str, w: Wide, rows: np.ndarray, col_key: str | None) -> np.ndarray:
    _, _, row_subject, col_subject = _labels()
    if rule == "T3_TOTAL_COLUMN":
        return row_subject[w.row[rows]]
    if rule.startswith("T3_"):
        return col_subject[w.col[rows]]
    return np.full(len(rows), f"{table_zh('t4')}「{t4_group_label((col_key or '').removesuffix('_total'))}」", object)


def _sum_text(df: pd.DataFrame, rows: np.ndarray, columns: tuple[str, ...], names: list[str]) -> np.ndarray:
    text = np.full(len(rows), "", object)
    for i, (c, name) in enumerate(zip(columns, names)):
        text = text + ("+" if i else "") + name + "(" + fmt(df[c].to_numpy()[rows]) + ")"
    return text


def fail_message(rule: str, w: Wide, rows: np.ndarray, spec: dict, exp: np.ndarray, obs: np.ndarray) -> np.ndarray:
    subj, e, o = _subject(rule, w, rows, spec["meta"].get("col_key")), fmt(exp), fmt(obs)
    df = w.df
    if rule == "T3_BALANCE":
        v = [fmt(df[c].to_numpy()[rows]) for c in ("new_received", "carried_over", "processed_total", "carried_forward")]
        return (subj + "不平衡：一(" + v[0] + ")+二(" + v[1] + ")=" + e + "，但三(七)总计(" + v[2] + ")+四(" + v[3]
                + ")=" + o)
    if rule == "T3_TOTAL_COLUMN":
        parts = _sum_text(df, rows, T3_APPLICANTS, [col_label("t3", c) for c in T3_APPLICANTS])
        return subj + "总计与六类申请人之和不符：" + parts + "=" + e + "，但总计为" + o
    if rule == "T3_OUTCOME_SUM":
        return subj + "办理结果不符：（一）至（六）各项之和为" + e + "，但（七）总计为" + o
    group = spec["meta"]["col_key"].removesuffix("_total")
    cols = tuple(f"{group}_{p}" for p in T4_PARTS)
    parts = _sum_text(df, rows, cols, [col_label("t4", c) for c in cols])
    return subj + "总计不符：" + parts + "=" + e + "，但总计为" + o


def _join(groups: np.ndarray, text: np.ndarray) -> np.ndarray:
    """'、'-join text per consecutive run of equal group ids (groups sorted)."""
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    joined = np.add.reduceat(text + "、", starts)
    return np.array([s[:-1] for s in joined], dtype=object)


def na_message(rule: str, w: Wide, rows: np.ndarray, spec: dict, ops: np.ndarray, dn: Dense,
               cells: pd.DataFrame) -> np.ndarray:
    """'<subject>：「<operand>」为空白、…，无法核对<identity>' naming every non-numeric operand."""
    op = ops[rows]
    rep = w.rep[rows]
    bad = (op >= 0) & np.isnan(dn.value[rep[:, None], np.maximum(op, 0)])
    inst, j = np.nonzero(bad)
    d = op[inst, j]
    pos = dn.pos[rep[inst], d]
    present = pos >= 0
    sem = np.full(len(pos), "absent", object)
    raw = np.full(len(pos), "", object)
    sem[present] = cells["semantic"].take(pos[present]).to_numpy(object, na_value="")
    raw[present] = cells["raw"].take(pos[present]).to_numpy(object, na_value="")
    state = np.where(sem == "blank", "为空白", np.where(sem == "absent", "缺失", "为「" + raw + "」")).astype(object)
    labels = _labels()[0] if rule.startswith("T3_") and rule != "T3_TOTAL_COLUMN" else _labels()[1]
    desc = "「" + labels[d] + "」" + state.astype(object)
    joined = _join(inst, desc) if len(inst) else np.zeros(0, object)
    if len(joined) != len(rows):
        raise GXCheckError(f"{rule}: a not-assessable instance without a non-numeric operand")
    return _subject(rule, w, rows, spec["meta"].get("col_key")) + "：" + joined + "，无法核对" + IDENTITY_ZH[rule]


# ------------------------------------------------------------------ findings
def _keys(spec: dict, w: Wide, rows: np.ndarray) -> dict[str, object]:
    out = {}
    for field, fill in (("row_key", (T3_ROWS, w.row)), ("col_key", (T3_COLS, w.col))):
        v = spec["meta"].get(field)
        out[field] = np.asarray(fill[0], dtype=object)[fill[1][rows]] if v == "{%s}" % field else v
    out["table_id"] = spec["meta"]["table_id"]
    return out


def check_identities(frames: list[Wide], dn: Dense, cells: pd.DataFrame, lcode: np.ndarray,
                     checked: np.ndarray) -> tuple[list[Part], list[Counts]]:
    """Findings and counts of the identity rules. `lcode`: each report's layout (gongkai.checks.wide)."""
    n = len(checked)
    tally = {r: [np.zeros(n, np.int64) for _ in range(3)] for r in RULES}
    parts: list[Part] = []
    for w in frames:
        for spec, failing in validate(w):
            rule, kw = spec["meta"]["rule_id"], spec["kwargs"]
            exp_all, obs_all = w.df[kw["column_A"]].to_numpy(), w.df[kw["column_B"]].to_numpy()
            na = np.flatnonzero(np.isnan(exp_all) | np.isnan(obs_all))
            if rule == "T4_TOTAL":  # order within a report: the group, then (表三) the row or column
                order = np.full(len(w.df), T4_GROUPS.index(spec["meta"]["col_key"].removesuffix("_total")))
            else:
                order = w.row if w.row is not None else w.col
            exp, obs = exp_all[failing], obs_all[failing]
            parts.append(Part(rule, w.rep[failing], **_keys(spec, w, failing), expected=exp, observed=obs,
                              message=fail_message(rule, w, failing, spec, exp, obs), order=order[failing]))
            ops = operands(rule, w, spec["meta"].get("col_key"), lcode)
            parts.append(Part(rule, w.rep[na], **_keys(spec, w, na), status="not_assessable",
                              message=na_message(rule, w, na, spec, ops, dn, cells), order=order[na]))
            evaluated, failed, not_assessable = tally[rule]
            evaluated += per_report(w.rep, n) - per_report(w.rep[na], n)
            failed += per_report(w.rep[failing], n)
            not_assessable += per_report(w.rep[na], n)
    return parts, [Counts(r, checked, *tally[r]) for r in RULES]
