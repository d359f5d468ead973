"""The `runs` rows: what a run is (RunRecord), what it added (RunSummary), and recording a run: started
(record_started_run, which also marks abandoned runs crashed), completed (by load.write_shards) or failed
before its commit (record_failed_run)."""

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
    publish_seconds: float = 0.0          # publication: copying the published file, commit, checkpoint, swap
    reparsed: int = 0                     # reports re-parsed from the archive (gongkai.warehouse.write.reparse)
    reparsed_from: tuple[str, ...] = ()   # their parser versions before ('unknown' for NULL)


def _one_line(text: str) -> str:
    lines = [ln.strip() for ln in str(text).splitlines() if ln.strip()]
    return (lines[0] if lines else "unknown error")[:1000]


def insert_run(con: duckdb.DuckDBPyConnection, run: RunRecord, status: str, counts: dict[str, int],
                error: str | None) -> None:
    """Write the run's row: insert it, or end the 'running' row its start recorded. A 'failed' row never
    overwrites a run that completed."""
    row = {
        "run_id": run.run_id, "flow_run_id": run.flow_run_id, "started_at": utc(run.started_at),
        "finished_at": None if status == "running" else utc(datetime.now(UTC)), "status": status,
        "harvest": run.harvest, "files_seen": run.files_seen, "files_new": run.files_new, **counts,
        "gongkai_version": __version__, "parser_version": PARSER_VERSION, "error": error,
    }
    cols = ", ".join(row)
    params = ", ".join(f"${c}" for c in row)
    updates = ", ".join(f"{c} = excluded.{c}" for c in row if c != "run_id")
    con.execute(f"INSERT INTO runs ({cols}) VALUES ({params}) "
                f"ON CONFLICT (run_id) DO UPDATE SET {updates} WHERE runs.status = 'running'", row)


_NO_COUNTS = {"reports_parsed": 0, "reports_partial": 0, "reports_failed": 0, "findings_new": 0}


def record_failed_run(db: Path, run: RunRecord, error: str) -> None:
    """Record a run that failed before its commit: one `runs` row (status 'failed', one-line error), nothing
    else. A run already recorded as completed keeps its row."""
    with publishing(Path(db)) as con:
        insert_run(con, run, "failed", _NO_COUNTS, _one_line(error))


def record_started_run(db: Path, run: RunRecord, crashed: list[str]) -> None:
    """Publish the run's 'running' row, and mark 'crashed' the 'running' rows of the runs in `crashed`
    (run ids whose run folder a living run no longer owns: gongkai.warehouse.write.runfolder.abandoned)."""
    with publishing(Path(db)) as con:
        mark_crashed(con, crashed)
        insert_run(con, run, "running", _NO_COUNTS, None)


def mark_crashed(con: duckdb.DuckDBPyConnection, run_ids: list[str]) -> int:
    """'running' rows of `run_ids` become 'crashed' (finished_at: now). Returns how many."""
    if not run_ids:
        return 0
    return int(con.execute("""
        UPDATE runs SET status = 'crashed', finished_at = $now,
               error = 'the run''s process ended without recording an outcome (killed or crashed); '
                       || 'a later run found its run folder abandoned and removed it; nothing else was written'
        WHERE status = 'running' AND list_contains($ids, run_id)""",
                           {"now": utc(datetime.now(UTC)), "ids": run_ids}).fetchall()[0][0])
