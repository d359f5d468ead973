"""The cross-year operands: the cells XY_CARRY_OVER and XY_T2_STOCK compare, copied into
panel_inputs.panel_cells with each report (named by key 'table_id.row_key.col_key'), and the upkeep of
panel_inputs (written with new reports; recomputed for reports whose row is missing or lacks a key).

To compare a new cell across years, add it to OPERANDS (and say whether the checked year, the previous
year or both read it): rows written before then lack its key and are recomputed from cells when read.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import duckdb
import pandas as pd

from gongkai.report.fingerprints import DIGEST_VERSION, fingerprints_frame
from gongkai.warehouse.panel.sqlfiles import sql_file

T3_APPLICANTS = ("natural_person", "commercial", "research", "social_welfare", "legal_services", "other_org", "total")
T2_STOCK_ROWS = ("regulations", "normative_docs")
DIGEST = {"digest_version": DIGEST_VERSION}   # the cells_digest definition rows are written with / must have


@dataclass(frozen=True)
class Operand:
    table_id: str
    row_key: str
    col_key: str
    this_year: bool   # read on the report under check
    last_year: bool   # read on its previous year's report

    @property
    def key(self) -> str:
        return f"{self.table_id}.{self.row_key}.{self.col_key}"


OPERANDS: tuple[Operand, ...] = (
    *(Operand("t3", "carried_over", c, True, False) for c in T3_APPLICANTS),
    *(Operand("t3", "carried_forward", c, False, True) for c in T3_APPLICANTS),
    *(Operand("t2", r, c, True, c == "in_force") for r in T2_STOCK_ROWS for c in ("issued", "repealed", "in_force")),
)


def operands_frame() -> pd.DataFrame:
    """lookup_operands: key, table_id, row_key, col_key, this_year, last_year."""
    return pd.DataFrame([{"key": o.key, "table_id": o.table_id, "row_key": o.row_key, "col_key": o.col_key,
                          "this_year": o.this_year, "last_year": o.last_year} for o in OPERANDS])


INPUT_SLICE = 20_000  # reports per INSERT of panel inputs from a relation (bounded memory: a national year at once
                     # ran out of 512 MB in the ordered list of operands)


def insert_panel_inputs(con: duckdb.DuckDBPyConnection, fp: pd.DataFrame | str, cells: str) -> None:
    """Insert the panel inputs of loaded reports that have none (report content never changes): the
    fingerprints `fp` (gongkai.report.fingerprints; a frame, or the name of a relation holding them such as
    the run's in_fingerprints) and the operands taken from the relation `cells` (the run's in_cells, or the
    cells table when recomputing). Needs lookup_operands."""
    if isinstance(fp, str):
        n = int(con.execute(f"SELECT count(*) FROM {fp}").fetchall()[0][0])
        slices = -(-n // INPUT_SLICE)
        con.execute(f"CREATE OR REPLACE TEMP VIEW panel_inputs_cells AS SELECT * FROM {cells}")
        for i in range(slices):  # in slices: the per-report ordered list (panel_cells) cannot spill
            where = f"WHERE hash(report_id) % {slices} = {i}" if slices > 1 else ""
            con.execute(f"CREATE OR REPLACE TEMP VIEW panel_inputs_fp AS SELECT * FROM {fp} {where}")
            sql_file("panel", "inputs").execute(con, DIGEST, prefix="INSERT INTO panel_inputs BY NAME\n")
        con.execute("DROP VIEW IF EXISTS panel_inputs_fp")
    elif len(fp) == 0:
        return
    else:
        con.register("panel_inputs_fp", fp)
        con.execute(f"CREATE OR REPLACE TEMP VIEW panel_inputs_cells AS SELECT * FROM {cells}")
        sql_file("panel", "inputs").execute(con, DIGEST, prefix="INSERT INTO panel_inputs BY NAME\n")
        con.unregister("panel_inputs_fp")
    con.execute("DROP VIEW panel_inputs_cells")


def refresh_stale(con: duckdb.DuckDBPyConnection) -> int:
    """Recompute, from sections and cells, the panel inputs of the reports this run reads whose row is
    missing, lacks an operand key or holds a digest of another DIGEST_VERSION (sql/panel/stale_inputs.sql).
    Returns how many were recomputed."""
    stale = [r for (r,) in sql_file("panel", "stale_inputs").execute(con, DIGEST).fetchall()]
    if not stale:
        return 0
    con.register("panel_stale", pd.DataFrame({"report_id": pd.array(stale, dtype="string")}))
    con.execute("DELETE FROM panel_inputs WHERE report_id IN (SELECT report_id FROM panel_stale)")
    sections = con.execute("""SELECT s.report_id, s.section_no, s.title, s.text, s.present FROM sections AS s
                              JOIN panel_stale USING (report_id) ORDER BY s.report_id, s.section_no""").df()
    con.execute("""CREATE OR REPLACE TEMP TABLE panel_stale_cells AS
                   SELECT c.* FROM cells AS c JOIN panel_stale USING (report_id)""")
    cells = con.execute("SELECT * FROM panel_stale_cells").df()
    con.unregister("panel_stale")
    insert_panel_inputs(con, fingerprints_frame(SimpleNamespace(sections=sections, cells=cells)), "panel_stale_cells")
    return len(stale)
