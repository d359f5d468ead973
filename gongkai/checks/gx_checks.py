"""GX engine: the declared identities (gongkai/checks/identities.toml) over the wide frames of the whole batch.

The suites are generated from the declaration (gongkai.checks.suites: the same JSON as the committed
expectations/*.json) and loaded once per process and declaration into an ephemeral context (progress bars
and analytics off). Each suite is validated once over its frame (never per report). Failing rows come from
`unexpected_index_list` (result_format COMPLETE, the frame's named index row_no, unexpected values
excluded — GX then lists indices without a per-row lookup). Results are matched to the declared instances
by expectation type + kwargs, never by order; expected/observed are read from the frame.
An instance with a non-numeric operand is neither pass nor fail: a not_assessable finding.
"""

from __future__ import annotations

import gc
import json
import os
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from gongkai.checks import suites
from gongkai.checks.errors import GXCheckError
from gongkai.checks.identities import Declaration, Identity, finding_keys, union_keys
from gongkai.checks.messages import fail_message, not_assessable_message
from gongkai.checks.wide import Dense, Wide
from gongkai.findings import Counts, Part, per_report

RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": ["row_no"],
    "exclude_unexpected_values": True,
    "return_unexpected_index_query": False,
    "partial_unexpected_count": 0,
}


def _key(etype: str, kwargs: dict[str, Any]) -> tuple[str, ...]:
    return (etype, *sorted(f"{k}={json.dumps(v, sort_keys=True)}" for k, v in kwargs.items() if k != "batch_id"))


@dataclass(frozen=True)
class Expectation:
    """A declared identity instance as GX runs it."""

    identity: Identity
    instance: int  # index in identity.instances
    spec: dict[str, Any]


@dataclass(frozen=True)
class SuiteRun:
    suite: Any             # great_expectations.ExpectationSuite
    batch_definition: Any  # whole-dataframe batch definition of the suite's pandas asset
    expectations: dict[tuple[str, ...], Expectation]  # by (type, kwargs)


@cache
def engine(decl: Declaration) -> dict[str, SuiteRun]:
    """suite name → its GX suite, batch definition and declared expectations (one context per declaration)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    ctx = gx.get_context(mode="ephemeral", project_config=config)
    source = ctx.data_sources.add_pandas("gongkai_batch")
    specs = suites.build(decl)
    out = {}
    for name, spec in specs.items():
        declared = [(i, k) for i in decl.of_suite(name) for k in range(len(i.instances))]
        lookup = {_key(e["type"], e["kwargs"]): Expectation(i, k, e)
                  for (i, k), e in zip(declared, spec["expectations"], strict=True)}
        if len(lookup) != len(declared):
            raise GXCheckError(f"suite {name}: two identity instances compare the same pair of columns")
        suite = ctx.suites.add(gx.ExpectationSuite(**spec))
        bd = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("whole_batch")
        out[name] = SuiteRun(suite, bd, lookup)
    freeze_heap()
    return out


YOUNG_GC_THRESHOLD = 10_000  # allocations between two collections of the youngest generation (CPython: 700)


def freeze_heap() -> None:
    """Move what the process holds now (the imports of pandas, Pandera and GX, GX's context: hundreds of
    thousands of objects that live as long as the process) out of the cyclic garbage collector's reach,
    after one collection. Every full collection of the parse and check work that follows otherwise walks
    them again (~0.2 s each); reference counting still frees any of them that are released later.

    Then the youngest generation is collected every YOUNG_GC_THRESHOLD allocations instead of 700: the map
    step's objects (table cells, parsed cells, a chunk's reports) live until the chunk is written, so a young
    collection finds almost nothing to free and only moves them on to be walked again (measured: 3–4 % of the
    map step's CPU, as much as switching the collector off). Nothing a report gets depends on it; it bounds
    how long a reference cycle may wait to be freed, by 10,000 allocations."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GC_THRESHOLD, *gc.get_threshold()[1:])


def _raised(info: object) -> str | None:
    if isinstance(info, dict):
        if info.get("raised_exception"):
            return str(info.get("exception_message") or info)
        for v in info.values():
            msg = _raised(v)
            if msg:
                return msg
    return None


def validate(w: Wide, decl: Declaration) -> list[tuple[Expectation, np.ndarray]]:
    """Validate one wide frame with its suite: [(expectation, failing row_nos)] per declared instance."""
    run = engine(decl)[w.suite.name]
    if not len(w.df):
        return [(e, np.zeros(0, np.int64)) for e in run.expectations.values()]
    res = run.batch_definition.get_batch(batch_parameters={"dataframe": w.df}).validate(
        run.suite, result_format=RESULT_FORMAT)
    out = []
    for r in res.results:
        cfg = r.expectation_config
        exp = run.expectations.get(_key(cfg.type, dict(cfg.kwargs)))
        if exp is None:
            raise GXCheckError(f"suite {w.suite.name}: result for an unknown expectation {cfg.type} {cfg.kwargs}")
        err = _raised(r.exception_info)
        if err:
            raise GXCheckError(f"suite {w.suite.name}: {cfg.type} {cfg.kwargs} raised: {err}")
        idx = r.result.get("unexpected_index_list") or []
        rows = np.asarray(idx[0]["row_no"] if idx else [], dtype=np.int64)
        kw = exp.spec["kwargs"]
        assessable = int((w.df[kw["column_A"]].notna() & w.df[kw["column_B"]].notna()).sum())
        seen = r.result["element_count"] - r.result.get("missing_count", 0)
        if seen != assessable or len(rows) != r.result["unexpected_count"]:
            raise GXCheckError(f"suite {w.suite.name}: {kw} GX saw {seen} rows / {r.result['unexpected_count']} "
                               f"unexpected, the frame has {assessable} assessable / {len(rows)} listed")
        out.append((exp, rows))
    return out


# ------------------------------------------------------------------ findings
def _keys(exp: Expectation, w: Wide, rows: np.ndarray) -> dict[str, object]:
    """table_id, row_key, col_key of the findings ("{row_key}" / "{col_key}": the frame row's own key)."""
    row_key, col_key = finding_keys(w.suite, exp.identity.instances[exp.instance])
    out: dict[str, object] = {"table_id": w.suite.table, "row_key": row_key, "col_key": col_key}
    for field, axis in (("row_key", "row"), ("col_key", "column")):
        if out[field] == f"{{{field}}}":
            out[field] = np.asarray(union_keys(w.suite.table, axis), dtype=object)[w.pos[rows]]
    return out


def check_identities(decl: Declaration, frames: list[Wide], dn: Dense, cells: pd.DataFrame,
                     checked: np.ndarray) -> tuple[list[Part], list[Counts]]:
    """Findings and counts of the declared identities over their suites' frames (gongkai.checks.wide)."""
    n = len(checked)
    tally = {i.rule_id: [np.zeros(n, np.int64) for _ in range(3)] for i in decl.identities}
    parts: list[Part] = []
    for w in frames:
        for exp, failing in validate(w, decl):
            identity, inst = exp.identity, exp.identity.instances[exp.instance]
            rule = identity.rule_id
            exp_all, obs_all = w.df[inst.column_a].to_numpy(), w.df[inst.column_b].to_numpy()
            na = np.flatnonzero(np.isnan(exp_all) | np.isnan(obs_all))
            order = (exp.instance << 20) + w.pos  # within a report: the instance, then the row / column
            e, o = exp_all[failing], obs_all[failing]
            parts.append(Part(rule, w.rep[failing], **_keys(exp, w, failing), expected=e, observed=o,
                              message=fail_message(identity, inst, w, failing, e, o), order=order[failing]))
            parts.append(Part(rule, w.rep[na], **_keys(exp, w, na), status="not_assessable",
                              message=not_assessable_message(identity, inst, w, na, dn, cells), order=order[na]))
            evaluated, failed, not_assessable = tally[rule]
            evaluated += per_report(w.rep, n) - per_report(w.rep[na], n)
            failed += per_report(w.rep[failing], n)
            not_assessable += per_report(w.rep[na], n)
    return parts, [Counts(i.rule_id, checked, *tally[i.rule_id]) for i in decl.identities]
