"""Which reports a run re-evaluates (panel_pairs) and the stored cross-year operands they read (panel_inputs)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from gongkai.report.fingerprints import fingerprints_frame
from gongkai.report.statements import FACTS
from gongkai.warehouse.panel.common import T2_STOCK_ROWS, q


# ------------------------------------------------------------------ which reports
def targets(con) -> int:
    """panel_pairs: one row per current, non-failed report of an agency-year touched by this run (its own
    report or its previous year's is new), with its previous year's current report (prev_* NULL if none
    or failed)."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE panel_pairs AS
        WITH touched AS (
            SELECT DISTINCT agency_id, year
            FROM new_reports
            WHERE agency_id IS NOT NULL AND year IS NOT NULL
        ),
        agency_years AS (           -- pairs (Y−1, Y) in which a report is new
            SELECT agency_id, year FROM touched
            UNION
            SELECT agency_id, year + 1 FROM touched
        ),
        current_reports AS (
            SELECT report_id, agency_id, year, format_version, status, has_t2, has_t3, has_t4
            FROM reports
            WHERE is_current AND agency_id IS NOT NULL AND year IS NOT NULL AND status <> 'failed'
        )
        SELECT t.report_id, t.agency_id, t.year, t.format_version, t.has_t2, t.has_t3, t.has_t4,
               p.report_id AS prev_id, p.year AS prev_year, p.format_version AS prev_format,
               p.has_t2 AS prev_has_t2, p.has_t3 AS prev_has_t3, p.has_t4 AS prev_has_t4
        FROM current_reports AS t
        JOIN agency_years AS k ON k.agency_id = t.agency_id AND k.year = t.year
        LEFT JOIN current_reports AS p ON p.agency_id = t.agency_id AND p.year = t.year - 1""")
    return con.execute("SELECT count(*) FROM panel_pairs").fetchone()[0]


# The cross-year operands copied into panel_inputs.panel_cells, numbered by position k. Stored data refers to
# these numbers: never reorder or remove an entry, only append.
PANEL_KEYS: tuple[tuple[str, str, str], ...] = (
    *(("t3", "carried_over", c) for c in ("natural_person", "commercial", "research", "social_welfare",
                                          "legal_services", "other_org", "total")),
    *(("t3", "carried_forward", c) for c in ("natural_person", "commercial", "research", "social_welfare",
                                             "legal_services", "other_org", "total")),
    *(("t2", r, c) for r in T2_STOCK_ROWS for c in ("issued", "repealed", "in_force")),
)


def panel_keys_sql() -> str:
    rows = ", ".join(f"({k}::UTINYINT, {q(t)}, {q(r)}, {q(c)})" for k, (t, r, c) in enumerate(PANEL_KEYS))
    return f"(VALUES {rows}) AS pk(k, table_id, row_key, col_key)"


def fact_cell_filter(t: str) -> str:
    """SQL predicate on a cells relation aliased `t`: the cells the narrative's facts are compared with."""
    keys = sorted({(f.table_id, r, c) for f in FACTS.values() for r, c in f.operands})
    return "(" + " OR ".join(f"({t}.table_id = {q(a)} AND {t}.row_key = {q(b)} AND {t}.col_key = {q(c)})"
                             for a, b, c in keys) + ")"


def insert_panel_inputs(con, fp: pd.DataFrame, cells: str) -> None:
    """Insert the panel inputs of reports that have none (report content never changes): the fingerprints
    `fp` (fingerprints.fingerprints_frame) and the panel cells taken from the relation `cells` (the batch's
    registered in_cells, or the cells table when backfilling)."""
    if len(fp) == 0:
        return
    con.register("in_panel_fp", fp)
    con.execute(f"""
        INSERT INTO panel_inputs BY NAME
        WITH wanted AS (
            SELECT i.report_id, i.cells, i.nonzero_cells, i.cells_digest, i.text_chars, i.text_grams, i.text_sketch
            FROM in_panel_fp AS i
            WHERE i.report_id IN (SELECT report_id FROM reports)
              AND NOT EXISTS (SELECT 1 FROM panel_inputs AS x WHERE x.report_id = i.report_id)
            QUALIFY row_number() OVER (PARTITION BY i.report_id) = 1
        ),
        picked AS (
            SELECT DISTINCT c.report_id, pk.k, CAST(c.value AS DOUBLE) AS value, c.semantic,
                   CASE WHEN c.semantic IN ('dash', 'text') THEN c.raw END AS raw
            FROM {cells} AS c
            JOIN {panel_keys_sql()} ON pk.table_id = c.table_id AND pk.row_key = c.row_key AND pk.col_key = c.col_key
            WHERE c.report_id IN (SELECT report_id FROM wanted)
        ),
        per_report AS (
            SELECT report_id,
                   list(struct_pack(k := k, value := value, semantic := semantic, raw := raw) ORDER BY k) AS panel_cells
            FROM picked
            GROUP BY report_id
        )
        SELECT w.report_id, w.cells, w.nonzero_cells, w.cells_digest, w.text_chars, w.text_grams,
               CAST(w.text_sketch AS UINTEGER[]) AS text_sketch, coalesce(p.panel_cells, []) AS panel_cells
        FROM wanted AS w
        LEFT JOIN per_report AS p ON p.report_id = w.report_id""")
    con.unregister("in_panel_fp")


def backfill(con) -> int:
    """Panel inputs of the reports this run reads that were loaded before migration 0003."""
    missing = [r for (r,) in con.execute("""
        SELECT DISTINCT x.report_id
        FROM (SELECT report_id FROM panel_pairs WHERE prev_id IS NOT NULL
              UNION SELECT prev_id FROM panel_pairs WHERE prev_id IS NOT NULL) AS x
        WHERE NOT EXISTS (SELECT 1 FROM panel_inputs AS f WHERE f.report_id = x.report_id)""").fetchall()]
    if not missing:
        return 0
    con.register("panel_missing", pd.DataFrame({"report_id": pd.array(missing, dtype="string")}))
    sections = con.execute("""SELECT s.report_id, s.section_no, s.title, s.text, s.present FROM sections AS s
                              JOIN panel_missing USING (report_id) ORDER BY s.report_id, s.section_no""").df()
    con.execute("""CREATE OR REPLACE TEMP TABLE panel_missing_cells AS
                   SELECT c.* FROM cells AS c JOIN panel_missing USING (report_id)""")
    cells = con.execute("SELECT * FROM panel_missing_cells").df()
    con.unregister("panel_missing")
    insert_panel_inputs(con, fingerprints_frame(SimpleNamespace(sections=sections, cells=cells)), "panel_missing_cells")
    return len(missing)


def panel_cells_table(con) -> None:
    """panel_cells: the cross-year operands of every pair, unnested from panel_inputs — of the report under
    check its 上年结转 and 表二 rows (k 0–6, 14–19), of the previous year's its 结转下年度 and 现行有效
    (k 7–13, 16, 19)."""
    this_k = [k for k, (t, r, c) in enumerate(PANEL_KEYS) if r == "carried_over" or t == "t2"]
    last_k = [k for k, (t, r, c) in enumerate(PANEL_KEYS) if r == "carried_forward" or c == "in_force"]
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE panel_cells AS
        WITH wanted AS (
            SELECT report_id, {this_k} AS ks FROM panel_pairs WHERE prev_id IS NOT NULL
            UNION ALL
            SELECT DISTINCT prev_id, {last_k} FROM panel_pairs WHERE prev_id IS NOT NULL
        ),
        per_report AS (             -- a report can be both (the previous year of one pair, checked in another)
            SELECT report_id, list_distinct(flatten(list(ks))) AS ks FROM wanted GROUP BY report_id
        ),
        unnested AS (
            SELECT i.report_id, unnest(list_filter(i.panel_cells, lambda x: list_contains(w.ks, x.k)), recursive := true)
            FROM panel_inputs AS i
            JOIN per_report AS w ON w.report_id = i.report_id
        )
        SELECT u.report_id, pk.table_id, pk.row_key, pk.col_key, u.value, u.semantic, u.raw
        FROM unnested AS u
        JOIN {panel_keys_sql()} ON pk.k = u.k""")


