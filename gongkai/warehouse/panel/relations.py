"""The relations of one panel evaluation, declared in one place: what each step and each SQL rule reads
and writes. Everything named here lives for the write transaction only (temp tables, registered frames).

From the load (gongkai.warehouse.write.load): new_reports (temp table: this run's new reports) and
in_cells (the batch's cells, registered). Table rederived_reports: reports whose agency_id
migration 0010 changed and whose cross-year pairs no run has evaluated since (emptied by `evaluate`). Tables: reports, sections, statements, panel_inputs.
Lookups (lookups.py): lookup_facts, lookup_labels, lookup_operands.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    writes: str                 # the temp table the step creates
    file: str                   # sql/panel/<file>.sql, one SELECT
    reads: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    rule_id: str
    file: str                   # sql/rules/<file>.sql; its rows are appended to panel_out
    reads: tuple[str, ...]
    cross_year: bool            # re-evaluated with the pairs (panel_pairs); else per new report (panel_text)


PAIRS = Step("panel_pairs", "pairs", ("new_reports", "rederived_reports", "reports"))
TEXT_REPORTS = Step("panel_text", "text_reports", ("new_reports",))
OPERAND_CELLS = Step("panel_cells", "operand_cells", ("panel_pairs", "panel_inputs", "lookup_operands"))
COPY_PAIRS = Step("panel_copy", "copy_pairs", ("panel_pairs", "panel_inputs"))
COPY_TEXTS = "copy_texts"       # reads panel_copy, sections; its rows feed panel_similarity (copies.py)

# catalogue order (the order of the rules' rows in `rules` and of their findings)
RULES: tuple[Rule, ...] = (
    Rule("XY_CARRY_OVER", "xy_carry_over", ("panel_pairs", "panel_cells", "lookup_labels"), True),
    Rule("XY_T2_STOCK", "xy_t2_stock", ("panel_pairs", "panel_cells", "lookup_labels"), True),
    Rule("XY_COPY", "xy_copy", ("panel_copy", "panel_similarity"), True),
    Rule("TEXT_TABLE", "text_table", ("statements", "panel_text", "in_cells", "reports", "lookup_facts"), False),
    Rule("YEAR_MISMATCH", "year_mismatch", ("statements", "panel_text", "reports"), False),
)

# what the rules write: one row per evaluated instance (status NULL = passed); store.py turns it into
# panel_findings (via gongkai.findings.assemble), findings and rule_results
PANEL_OUT = "panel_out"
PANEL_OUT_DDL = """
    CREATE OR REPLACE TEMP TABLE panel_out (
        report_id VARCHAR, rule_id VARCHAR, table_id VARCHAR, row_key VARCHAR, col_key VARCHAR,
        expected DOUBLE, observed DOUBLE, message VARCHAR, status VARCHAR)"""
