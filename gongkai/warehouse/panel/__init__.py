"""Panel rules: the rules that need the agency × year panel or the narrative, evaluated in SQL over the
warehouse inside the run's write transaction, after the batch is loaded (load.write_run calls `evaluate`).

Cross-year rules (re-evaluated, see below):
  XY_CARRY_OVER  per 表三 column: 二、上年结转 (Y) of the agency's current report for Y vs 四、结转下年度继续办理
                 of its current report for Y−1 (both formats share these keys, so it holds across the
                 2020→2021 change). Finding at (t3, 'carried_over', col); expected = last year's value,
                 observed = this year's. A non-number operand → not_assessable. Needs 表三 in both.
  XY_T2_STOCK    rows regulations and normative_docs, 2021 format both years: 现行有效 (Y) vs 现行有效 (Y−1)
                 + 本年制发 (Y) − 本年废止 (Y). Finding at (t2, row, 'in_force'); expected = the sum,
                 observed = the printed 现行有效. A non-number operand → not_assessable. Needs 表二 in both.
  XY_COPY        the report repeats last year's (雷同), finding at (NULL, NULL, NULL), when
                 * every printed cell of 表二/三/四 equals last year's — same keys, same raw text, same
                   semantic (equal cell digests, gongkai.fingerprints.cells_digests) — and at least
                   COPY_MIN_NONZERO (5) of them are non-zero numbers (an agency that had nothing to report
                   prints the same all-zero tables every year: that alone is not a copy), or
                 * the narratives (sections 一…六, whitespace removed, digits as ASCII) both have
                   ≥ COPY_MIN_CHARS (200) characters and a character 3-gram Jaccard similarity
                   ≥ COPY_JACCARD (0.9).
                 Why 0.9: a report copied and then updated (the year, a dozen numbers, a sentence or two)
                 keeps 0.93–0.99 of its 3-grams (copies of generated reports measured 0.964–0.989 after
                 HTML/portal/text rendering and parsing; the seed report with only its year changed
                 0.97); two honestly written years of one agency that share set phrases (工作措施,
                 存在问题 boilerplate) measured 0.19–0.61 on the generated panel. Below 200 characters (a
                 report that says almost nothing) similarity says little, so it is not used.
                 observed = the similarity when the texts were compared exactly, expected NULL.
                 Cost: tables are compared by digest (panel_inputs.cells_digest). Texts are compared
                 exactly (in Python, fingerprints.text_jaccard, on the sections fetched for the candidates)
                 only for pairs whose distinct 3-gram counts are within GRAMS_BOUND of each other
                 (J ≤ min/max) and whose 64-hash sketches share ≥ SKETCH_CANDIDATE (0.8) of their hashes
                 (a Jaccard of 0.9 shares ~0.95 of them, five standard deviations above 0.8; pairs below
                 ~0.65 rarely reach it).
Per new report, from its statements (only when the run loaded statements):
  TEXT_TABLE     each stated count vs its cell(s) (gongkai.statements.FACTS); finding at the compared
                 cell (compound facts: row_key or col_key 'a+b'); expected = the table value, observed =
                 the stated one; message quotes the sentence. One instance per cell: a fail if any
                 sentence contradicts it (the first one is quoted), else not_assessable if a cell is not a
                 number, else a pass. The table missing → not evaluated.
  YEAR_MISMATCH  reports.year (title or manifest) vs the year the text reports on (statements row
                 'report_year'); finding at (NULL, NULL, NULL), expected = reports.year, observed = text year.

Re-evaluation. The cross-year rules are evaluated for every agency-year whose own current report is new
in this run, or whose previous year's current report is new (a late or corrected Y−1 report re-checks
Y; a new Y report re-checks Y+1). For those reports the result replaces the previous one: a finding no
longer produced gets `resolved_run_id` = this run (findings_current hides it; findings keeps it), a
finding produced again is reopened (resolved_run_id NULL) and its expected/observed/message refreshed
if they changed, a new one is inserted with this run's run_id. rule_results gets a row when a (report,
rule) result is new or changed, as for the other engines (zero counts included: evaluated 0 = checked,
nothing to compare, e.g. no previous year). finding_id is the same hash as
gongkai.checks.findings.finding_ids, computed in SQL (FINDING_ID_SQL).

Reads. A run reads one panel_inputs row per report of the pairs it re-evaluates (fingerprints and a copy
of the 20 cross-year operands, written with each report), the new reports' cells from the batch, and the
sections of text-copy candidates only — never a scan of all cells. Joins go through (agency_id, year)
over the reports of the touched agency-years; no per-report loop.
"""

from __future__ import annotations

from __future__ import annotations

from gongkai.warehouse.panel.common import (COPY_JACCARD, COPY_MIN_CHARS, COPY_MIN_NONZERO, FINDING_ID_SQL, GRAMS_BOUND, SKETCH_CANDIDATE,
                     TEXT_RULES, TOL, XY_RULES, MACROS, PanelSummary)
from gongkai.warehouse.panel.copies import copies
from gongkai.warehouse.panel.cross_year import carry_over, t2_stock
from gongkai.warehouse.panel.inputs import PANEL_KEYS, backfill, insert_panel_inputs, panel_cells_table, targets
from gongkai.warehouse.panel.store import store
from gongkai.warehouse.panel.text import text_table, year_mismatch

__all__ = ["COPY_JACCARD", "COPY_MIN_CHARS", "COPY_MIN_NONZERO", "FINDING_ID_SQL", "GRAMS_BOUND", "PANEL_KEYS",
           "SKETCH_CANDIDATE", "TEXT_RULES", "TOL", "XY_RULES", "PanelSummary", "evaluate", "insert_panel_inputs"]


def evaluate(con, run_id: str, text_rules: bool, new_cells: str = "cells") -> PanelSummary:
    """Evaluate the panel rules for this run (inside the caller's transaction, after the batch's reports,
    cells, sections, statements and panel inputs are loaded; needs load's `new_reports` temp table).
    `text_rules`: the run loaded statements, so TEXT_TABLE and YEAR_MISMATCH are evaluated for its new
    reports (otherwise they are not evaluated at all). `new_cells`: a relation holding the new reports'
    cells (write_run passes its registered batch frame, sparing a scan of the cells table)."""
    con.execute(MACROS)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE panel_out (
            report_id VARCHAR, rule_id VARCHAR, table_id VARCHAR, row_key VARCHAR, col_key VARCHAR,
            expected DOUBLE, observed DOUBLE, message VARCHAR, status VARCHAR)  -- status NULL = evaluated, passed""")
    n_targets = targets(con)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE panel_text AS      -- new reports whose statements were loaded
        SELECT n.report_id FROM new_reports AS n WHERE n.status <> 'failed' AND {str(bool(text_rules)).lower()}""")
    n_text = con.execute("SELECT count(*) FROM panel_text").fetchone()[0]
    if n_targets:
        backfill(con)
        panel_cells_table(con)
        carry_over(con)
        t2_stock(con)
        copies(con)
    if n_text:
        text_table(con, new_cells)
        year_mismatch(con)
    summary = store(con, run_id, "panel_pairs", "panel_text")
    summary.targets, summary.text_reports = n_targets, n_text
    return summary
