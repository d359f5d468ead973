"""Panel rules: the rules that need the agency × year panel or the narrative, evaluated in SQL over the
warehouse inside the run's write transaction, after the batch is loaded (load.write_run calls `evaluate`).

Each rule is one file sql/rules/<rule>.sql: its catalogue entry (header), what it checks (comment) and
one SELECT over the relations declared in relations.py. The catalogue: `catalogue()`.
  XY_CARRY_OVER, XY_T2_STOCK, XY_COPY   cross-year, re-evaluated (below) for the pairs of panel_pairs
  TEXT_TABLE, YEAR_MISMATCH             per new report, from its statements (when the run has them)

Re-evaluation. The cross-year rules are evaluated for every agency-year whose own current report is new
in this run, or whose previous year's current report is new (a late or corrected Y−1 report re-checks
Y; a new Y report re-checks Y+1). For those reports the result replaces the previous one: a finding no
longer produced gets `resolved_run_id` = this run (findings_current hides it; findings keeps it), a
finding produced again is reopened (resolved_run_id NULL) and its expected/observed/message refreshed
if they changed, a new one is inserted with this run's run_id. rule_results gets a row when a (report,
rule) result is new or changed (zero counts included: evaluated 0 = checked, nothing to compare).

Findings go through gongkai.findings (assemble: finding_id, family, severity); numbers in messages are
formatted by gongkai.findings.fmt, registered in SQL as gk_num; labels come from gongkai.form.template.

Reads. A run reads one panel_inputs row per report of the pairs it re-evaluates (fingerprints and the
cross-year operands, operands.py), the new reports' cells from the batch, and the sections of
text-copy candidates only — never a scan of all cells.
"""

from __future__ import annotations

import contextlib
from functools import cache

import duckdb
import pandas as pd
import pyarrow as pa
from duckdb import sqltypes

from gongkai.findings import fmt
from gongkai.report.fingerprints import SKETCH_K
from gongkai.report.narrative import YEAR_FACT
from gongkai.warehouse.panel.copies import register_similarity
from gongkai.warehouse.panel.lookups import register_lookups
from gongkai.warehouse.panel.operands import OPERANDS, insert_panel_inputs, refresh_stale
from gongkai.warehouse.panel.relations import (
    COPY_PAIRS,
    OPERAND_CELLS,
    PAIRS,
    PANEL_OUT,
    PANEL_OUT_DDL,
    RULES,
    TEXT_REPORTS,
    Step,
)
from gongkai.warehouse.panel.sqlfiles import CATALOGUE_COLUMNS, catalogue_row, sql_file
from gongkai.warehouse.panel.store import PanelSummary, store

__all__ = ["OPERANDS", "PARAMS", "PanelSummary", "catalogue", "evaluate", "insert_panel_inputs", "register_lookups"]

# the rules' bound parameters ($name in sql/rules/*.sql, sql/panel/*.sql)
PARAMS: dict[str, object] = {
    "tol": 1e-6,
    "year_fact": YEAR_FACT,
    "copy_min_nonzero": 5,       # identical tables count as copied only with at least 5 non-zero numbers
    "copy_min_chars": 200,       # narratives shorter than this are not compared
    "copy_jaccard": 0.9,         # 3-gram Jaccard similarity from which narratives count as copied
    "sketch_k": SKETCH_K,
    "sketch_candidate": 0.8,     # share of sketch hashes in common that makes a pair a text candidate
    "grams_bound": 0.88,         # copy_jaccard less a margin for 32-bit hash collisions in text_grams
}


@cache
def catalogue() -> pd.DataFrame:
    """The catalogue rows of the panel rules (rule_id, family, severity, engine, title_zh, title_en,
    description, responsibility), from the headers of their SQL files, in catalogue order."""
    return pd.DataFrame([catalogue_row(sql_file("rules", r.file)) for r in RULES], columns=CATALOGUE_COLUMNS)


def _gk_num(values: pa.Array) -> pa.Array:
    return pa.array(list(fmt(values.to_numpy(zero_copy_only=False))), pa.string())


def _prepare(con: duckdb.DuckDBPyConnection) -> None:
    """Lookups, gk_num (gongkai.findings.fmt), the message macros and an empty panel_out."""
    register_lookups(con)
    with contextlib.suppress(duckdb.Error):
        con.remove_function("gk_num")
    con.create_function("gk_num", _gk_num, [sqltypes.DOUBLE], sqltypes.VARCHAR,  # type: ignore[call-overload]
                        type="arrow", null_handling="special")
    con.execute(sql_file("panel", "macros").sql)
    con.execute(PANEL_OUT_DDL)


def _materialize(con: duckdb.DuckDBPyConnection, step: Step, params: dict[str, object]) -> int:
    sql_file("panel", step.file).execute(con, params, prefix=f"CREATE OR REPLACE TEMP TABLE {step.writes} AS\n")
    return int(con.execute(f"SELECT count(*) FROM {step.writes}").fetchall()[0][0])


def _run_rules(con: duckdb.DuckDBPyConnection, cross_year: bool, params: dict[str, object]) -> None:
    for rule in RULES:
        if rule.cross_year == cross_year:
            sql_file("rules", rule.file).execute(
                con, {**params, "rule_id": rule.rule_id},
                prefix=f"INSERT INTO {PANEL_OUT} BY NAME\nSELECT *, $rule_id AS rule_id FROM (\n", suffix="\n)")


TEXT_SLICE = 10_000  # new reports per evaluation of the text rules


def _run_text_rules(con: duckdb.DuckDBPyConnection, n_text: int, params: dict[str, object]) -> None:
    """The per-report rules (TEXT_TABLE, YEAR_MISMATCH) over panel_text in slices of TEXT_SLICE reports: their
    ordered aggregates hold a slice's statements in memory, which DuckDB cannot spill (a cold national year in
    one piece needed ~1 GB; 256 MB ran out at 30,000 reports). Each report is in one slice and the rules read
    nothing of other reports, so the findings are those of one evaluation; panel_text is whole again after."""
    slices = -(-n_text // TEXT_SLICE)
    if slices <= 1:
        _run_rules(con, False, params)
        return
    con.execute("CREATE OR REPLACE TEMP TABLE panel_text_all AS SELECT * FROM panel_text")
    for i in range(slices):
        con.execute("CREATE OR REPLACE TEMP TABLE panel_text AS SELECT * FROM panel_text_all "
                    "WHERE hash(report_id) % $n = $i", {"n": slices, "i": i})
        _run_rules(con, False, params)
    con.execute("CREATE OR REPLACE TEMP TABLE panel_text AS SELECT * FROM panel_text_all")
    con.execute("DROP TABLE panel_text_all")


def evaluate(con: duckdb.DuckDBPyConnection, run_id: str, text_rules: bool) -> PanelSummary:
    """Evaluate the panel rules for this run (inside the caller's transaction, after the batch's reports,
    cells, sections, statements and panel inputs are loaded; reads load's new_reports and in_cells).
    `text_rules`: the run loaded statements, so TEXT_TABLE and YEAR_MISMATCH are evaluated for its new
    reports (otherwise they are not evaluated at all)."""
    params = {**PARAMS, "text_rules": bool(text_rules)}
    _prepare(con)
    n_targets = _materialize(con, PAIRS, params)
    n_text = _materialize(con, TEXT_REPORTS, params)
    con.register("panel_similarity", pd.DataFrame({"report_id": pd.array([], dtype="string"),
                                                   "jaccard": pd.array([], dtype="float64")}))
    if n_targets:
        refresh_stale(con)
        _materialize(con, OPERAND_CELLS, params)
        _materialize(con, COPY_PAIRS, params)
        register_similarity(con)
        _run_rules(con, True, params)
    if n_text:
        _run_text_rules(con, n_text, params)
    summary = store(con, run_id, catalogue())
    con.execute("DELETE FROM rederived_reports")  # their pairs are evaluated now (migration 0010)
    summary.targets, summary.text_reports = n_targets, n_text
    return summary
