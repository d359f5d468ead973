"""The audit flow: discover → parse (coarse chunks, all cores) → check (whole batch) → load → publish.

Thin by design: each task calls one plain function of the `gongkai` package. The audit trail lives in
DuckDB (`runs`, `reports`, `findings`), not only in Prefect's run history (lossy under bursts, §8).
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import Executor
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from gongkai import checks, ingest, warehouse
from gongkai.app import pipeline, progress
from gongkai.report import batch as frames
from gongkai.warehouse import write as warehouse_write

DEFAULT_CHUNK = 250  # files per parse task: hundreds, so Prefect's per-task cost is noise


@task(name="discover", cache_policy=NO_CACHE)
def discover(harvest: list[str]) -> tuple[list[ingest.HarvestFile], list[str]]:
    warnings: list[str] = []
    paths: list[str | Path] = list(harvest)
    return ingest.discover(paths, warnings), warnings


@task(name="known-reports", cache_policy=NO_CACHE)
def known_reports(db: str) -> frozenset[str]:
    return frozenset(warehouse.known_report_ids(Path(db)))


@task(name="parse-chunk", cache_policy=NO_CACHE)
def parse_chunk(files: list[ingest.HarvestFile], known: frozenset[str], pool: Executor | None,
                registry: str | None = None) -> pipeline.ChunkResult:
    if pool is not None:  # CPU work in a spawned process (it got `registry` at start-up); this thread only waits
        result = pool.submit(pipeline.parse_chunk_in_worker, files).result()
    else:
        result = pipeline.parse_chunk(files, known, registry)
    return result


@task(name="check", cache_policy=NO_CACHE)
def check(batch: frames.Batch) -> checks.CheckResult:
    return checks.run_checks(batch)


@task(name="load-and-publish", cache_policy=NO_CACHE)
def load(db: str, run: warehouse_write.RunRecord, batch: frames.Batch,
         result: checks.CheckResult) -> warehouse_write.RunSummary:
    return warehouse_write.write_run(Path(db), run, batch, result)


def parse_all(files: list[ingest.HarvestFile], known: frozenset[str], workers: int, chunk_size: int,
              use_processes: bool, registry: str | None = None) -> frames.Batch:
    """Fan the files out in chunks (parse-chunk tasks, in worker processes when asked) and return the one
    de-duplicated Batch of the run; agencies resolved by the registry at the absolute path `registry`."""
    parts = ingest.chunks(files, chunk_size, workers if use_processes else 1)
    progress.report("parse", 0, len(files))
    pool = pipeline.process_pool(workers, known, registry) if use_processes and workers > 1 and len(parts) > 1 else None
    try:
        futures = [parse_chunk.submit(part, quote(known), quote(pool), registry)  # type: ignore[call-overload]
                   for part in parts]
        results, done = [], 0
        for part, fut in zip(parts, futures, strict=True):
            results.append(fut.result())
            done += len(part)
            progress.report("parse", done, len(files))
    finally:
        if pool is not None:
            pool.shutdown()
    batch, _ = frames.Batch.concat(r.batch for r in results).dedupe()
    return batch


@flow(name="gongkai-audit", task_runner=ThreadPoolTaskRunner(max_workers=8),  # type: ignore[arg-type]
      log_prints=False)
def audit(harvest: list[str], db: str, workers: int = 2, chunk_size: int = DEFAULT_CHUNK,
          use_processes: bool = True, registry: str | None = None) -> dict[str, Any]:
    """Audit every new file under `harvest` into the warehouse `db`; returns the run summary.

    `registry` is the agency registry (default: $GONGKAI_AGENCIES, else agencies.csv beside `db`; never
    the current directory); its absolute path is handed to the parser workers."""
    run = warehouse_write.RunRecord(
        run_id=datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:8],
        flow_run_id=str(flow_run.id) if flow_run.id else None,
        started_at=datetime.now(UTC),
        harvest=";".join(harvest),
        files_seen=0,
        files_new=0,
    )
    try:
        warm = threading.Thread(target=checks.warm_up, name="gx-warm-up", daemon=True)
        warm.start()  # GX's import and context build overlap with parsing in the worker processes
        found = ingest.find_registry(Path(db), registry)
        files, warnings = discover(harvest)
        known = known_reports(db)
        run.files_seen = len(files)
        batch = parse_all(files, known, workers, chunk_size, use_processes, str(found) if found else None)
        run.files_new = len(batch.reports)
        progress.report("check", 0, 1)
        warm.join()
        result = check(batch)
        progress.report("load", 0, 1)
        summary = load(db, run, batch, result)
    except Exception as exc:
        warehouse_write.record_failed_run(Path(db), run, " ".join(f"{type(exc).__name__}: {exc}".split())[:500])
        raise
    return {**asdict(summary), "warnings": warnings, "registry": str(found) if found else None}
