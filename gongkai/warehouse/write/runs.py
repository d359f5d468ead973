"""The `runs` rows: what a run is (RunRecord), what it added (RunSummary), and recording a run, completed
(by load.write_run) or failed before its commit (record_failed_run)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from gongkai import PARSER_VERSION, __version__
from gongkai.warehouse.write.frames import utc
from gongkai.warehouse.write.publish import publishing


@dataclass
class RunRecord:
    run_id: str
    flow_run_id: str | None
    started_at: datetime
    harvest: str
    files_seen: int
    files_new: int


@dataclass
class RunSummary:
    run_id: str
    files_seen: int
    files_new: int
    reports_parsed: int
    reports_partial: int
    reports_failed: int
    findings_new: int
    findings_by_severity: dict[str, int]  # failing findings by severity, plus 'not_assessable'
    status: str
    findings_resolved: int = 0            # cross-year findings a re-evaluation no longer produced


def _one_line(text: str) -> str:
    lines = [ln.strip() for ln in str(text).splitlines() if ln.strip()]
    return (lines[0] if lines else "unknown error")[:1000]


def insert_run(con: duckdb.DuckDBPyConnection, run: RunRecord, status: str, counts: dict[str, int],
                error: str | None) -> None:
    row = {
        "run_id": run.run_id, "flow_run_id": run.flow_run_id, "started_at": utc(run.started_at),
        "finished_at": utc(datetime.now(UTC)), "status": status, "harvest": run.harvest,
        "files_seen": run.files_seen, "files_new": run.files_new, **counts,
        "gongkai_version": __version__, "parser_version": PARSER_VERSION, "error": error,
    }
    cols = ", ".join(row)
    params = ", ".join(f"${c}" for c in row)
    con.execute(f"INSERT INTO runs ({cols}) VALUES ({params}) ON CONFLICT (run_id) DO NOTHING"
                if status == "failed" else f"INSERT INTO runs ({cols}) VALUES ({params})", row)


def record_failed_run(db: Path, run: RunRecord, error: str) -> None:
    """Record a run that failed before its commit: one `runs` row (status 'failed', one-line error), nothing
    else. If the run_id is already recorded, the existing row is kept."""
    counts = {"reports_parsed": 0, "reports_partial": 0, "reports_failed": 0, "findings_new": 0}
    with publishing(Path(db)) as con:
        insert_run(con, run, "failed", counts, _one_line(error))
