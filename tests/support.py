"""What tests at every level share: the paths of the bundled sample harvest and a CLI runner whose failed
assertions show the command's output."""

from __future__ import annotations

import subprocess
import traceback
from pathlib import Path

import duckdb
from click.testing import Result
from typer.testing import CliRunner

from gongkai.app.cli import app

ROOT = Path(__file__).resolve().parent.parent
HARVEST = ROOT / "data" / "harvest"
REGISTRY = ROOT / "data" / "agencies.csv"
SEED = HARVEST / "wuxing_office_2021.txt"
SHUYANG = HARVEST / "shuyang_fgj_2023.html"


def shown(res: Result) -> str:
    """What a failed CLI assertion prints: the exit code, the command's output and, if it raised, the traceback."""
    tb = "".join(traceback.format_exception(*res.exc_info)) if res.exc_info and res.exc_info[0] is not SystemExit else ""
    return f"exit code {res.exit_code}; output:\n{res.output}{tb}"


def shown_proc(proc: subprocess.CompletedProcess[str]) -> str:
    """What a failed assertion on a subprocess prints: its exit code, stdout and stderr."""
    return f"exit code {proc.returncode}; stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"


def invoke(*args: str) -> Result:
    """`gongkai ARGS…` in-process (Typer's CliRunner)."""
    return CliRunner().invoke(app, list(args))


AUDIT_TABLES = ["reports", "sections", "cells", "findings", "rule_results", "rules", "reviews"]


def snapshot(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*), sum(hash(COLUMNS(*)::VARCHAR)) FROM (SELECT * FROM {t})").fetchall()
                for t in AUDIT_TABLES} | {"runs": con.execute("SELECT count(*) FROM runs").fetchone()[0]}
    finally:
        con.close()


# Columns that differ between two runs of the same audit by construction (ids and times of the run).
RUN_COLUMNS = {"run_id", "first_run_id", "parsed_at", "resolved_run_id", "flow_run_id", "started_at", "finished_at",
               "reviewed_at"}
CONTENT_TABLES = ["reports", "sections", "cells", "findings", "rule_results", "rules", "statements", "panel_inputs",
                  "reviews"]


def contents(db: Path) -> dict[str, list[tuple]]:
    """Every row of the audit tables, sorted, without the columns that name or time the run (a finding's
    resolution is kept as resolved yes/no): two warehouses of the same audit compare equal."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for table in CONTENT_TABLES:
            cols = [c for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index", [table]).fetchall()]
            keep = [f'"{c}"' for c in cols if c not in RUN_COLUMNS]
            if "resolved_run_id" in cols:
                keep.append("resolved_run_id IS NOT NULL AS resolved")
            rows = con.execute(f"SELECT {', '.join(keep)} FROM {table}").fetchall()
            out[table] = sorted(rows, key=repr)
        return out
    finally:
        con.close()


def cache_rows(path: Path) -> dict[str, tuple[tuple[int, int, int, int], str]]:
    """The files-read cache at `path` (gongkai.ingest.filestate) as path → ((size, mtime_ns, ctime_ns, inode),
    report_id); empty when absent or unreadable."""
    from gongkai.ingest import filestate

    table = filestate.read(path)
    if table is None:
        return {}
    c = table.to_pydict()
    keys = zip(*(c[k] for k in filestate.KEY_COLUMNS), strict=True)
    return {p: (k, r) for p, k, r in zip(c["path"], keys, c["report_id"], strict=True)}
