"""The audit flow: discover → audit-chunk tasks (read, parse, per-report checks → Parquet shards; coarse
chunks, all cores or a Dask cluster) → load the shards, evaluate the panel rules, publish.

Thin by design: each task calls one plain function of the `gongkai` package. The audit trail lives in
DuckDB (`runs`, `reports`, `findings`), not only in Prefect's run history (lossy under bursts, §8).
"""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from gongkai import checks, ingest, warehouse
from gongkai.app import pipeline, progress
from gongkai.ingest import archive as archive_store
from gongkai.ingest import filestate
from gongkai.ingest.archive import valid_id
from gongkai.ingest.discover import entry_json
from gongkai.warehouse import write as warehouse_write

DEFAULT_CHUNK = 500  # files per chunk task: hundreds, so per-task costs (Prefect, GX, Pandera: ~0.1 s a chunk) are noise

T = TypeVar("T")


def opaque(value: T) -> T:
    """A large argument (file list, id set) for a task, wrapped in Prefect's `quote` (unwrapped before the task
    runs): Prefect otherwise walks every element of every argument looking for futures (measured: 4 s of a
    run with nothing new over 8,000 files, more than the run's own work). Not for tasks sent to Dask: its
    serialisation takes the wrapper (a tuple subclass) apart, and the task got tuples for HarvestFiles."""
    return cast(T, quote(value))


@task(name="discover", cache_policy=NO_CACHE)
def discover(harvest: list[str]) -> tuple[list[ingest.HarvestFile], list[str]]:
    warnings: list[str] = []
    paths: list[str | Path] = list(harvest)
    return ingest.discover(paths, warnings), warnings


@task(name="known-reports", cache_policy=NO_CACHE)
def known_reports(db: str, folder: str) -> tuple[str, set[str]]:
    """The report_ids already audited, written to the run folder for the chunk tasks: (the file, the ids)."""
    known = warehouse.known_report_ids(Path(db))
    return str(warehouse_write.runfolder.write_known(Path(folder), known)), known


@task(name="unchanged-files", cache_policy=NO_CACHE)
def unchanged_files(db: str, files: list[ingest.HarvestFile], known: set[str],
                    rehash: bool) -> tuple[list[ingest.HarvestFile], list[ingest.HarvestFile]]:
    """(files to read, files unchanged since a run read them as a report the warehouse holds: not read again;
    gongkai.ingest.filestate). `rehash`: read every file."""
    cache = None if rehash else filestate.read(filestate.cache_path(Path(db)))
    return filestate.split(files, cache, known)


@task(name="reparse-targets", cache_policy=NO_CACHE)
def reparse_targets(db: str, archive: str, force: bool | None) -> tuple[list[ingest.HarvestFile], dict[str, Any]]:
    """The reports to re-parse (gongkai.warehouse.write.reparse.targets; `force` None: only those of an
    older parser, True: any other version, False: none) as harvest files pointing at their archived bytes,
    with the stored path as display name and the stored manifest entry; and what was found. A report whose
    bytes are not archived (audited before the archive existed) is archived first from its source_path when
    the file there still has the same bytes; otherwise it is missing."""
    if force is False:
        return [], {"targets": 0, "missing": []}
    found = warehouse_write.reparse.targets(Path(db), force=bool(force))
    files, missing = [], []
    for t in found:
        path = archive_store.find(archive, t.report_id, t.source_format)
        if path is None and valid_id(t.report_id) and Path(t.source_path).is_file():
            # audited before the archive existed: keep the file at its path if its bytes are unchanged
            path = archive_store.put_file(archive, t.source_path, t.source_format, t.report_id)
        if path is None:
            missing.append(t.source_path)
            continue
        files.append(ingest.HarvestFile(str(path), t.source_path, path.stat().st_size,
                                         entry_json(t.manifest)))
    return files, {"targets": len(found), "missing": missing}


@task(name="audit-chunk", cache_policy=NO_CACHE)
def audit_chunk(files: list[ingest.HarvestFile], folder: str, chunk: int, known_file: str | None,
                registry: str | None = None, archive: str | None = None,
                reparse: bool = False) -> warehouse_write.Shard:
    """Parse and check one chunk into its shard. Pure (paths in, shard path out): on a local run the work goes
    to this machine's worker processes, on a Dask worker it runs where the task runs."""
    pool = pipeline.local_pool()
    if pool is not None:  # this thread only waits
        return pool.submit(pipeline.audit_chunk, files, folder, chunk, known_file, registry, archive,
                           reparse).result()
    return pipeline.audit_chunk(files, folder, chunk, known_file, registry, archive, reparse)


@task(name="load-and-publish", cache_policy=NO_CACHE)
def load(db: str, run: warehouse_write.RunRecord, shards: list[warehouse_write.Shard],
         reparse: list[str] | None = None) -> warehouse_write.RunSummary:
    return warehouse_write.write_shards(Path(db), run, shards, checks.catalogue(), reparse or [])


def map_chunks(files: list[ingest.HarvestFile], folder: str, known_file: str, workers: int, chunk_size: int,
               use_processes: bool, registry: str | None = None, archive: str | None = None,
               reparse: list[ingest.HarvestFile] | None = None, workers_address: str | None = None,
               notes: list[str] | None = None) -> list[warehouse_write.Shard]:
    """Fan the files out in chunks (audit-chunk tasks; on a local run in `workers` processes) and return the
    shards, in chunk order. Agencies are resolved by the registry at the absolute path `registry`; new files'
    bytes are kept in `archive`. The archived files of `reparse` follow in chunks of their own (after the
    harvest's, read whatever the known ids)."""
    parts = [(p, False) for p in ingest.chunks(files, chunk_size, workers)]
    parts += [(p, True) for p in ingest.chunks(reparse or [], chunk_size, workers)]
    total = sum(len(p) for p, _ in parts)
    progress.report("parse", 0, total)
    address = workers_address if use_processes and parts else None
    # one chunk runs in this process's thread, unless the command started its parser processes ahead
    with pipeline.local_workers(min(workers, len(parts)) if use_processes else 0, address, notes):
        futures = [audit_chunk.submit(opaque(part) if use_processes else part, folder, i, None if redo else known_file, registry, archive, redo)
                   for i, (part, redo) in enumerate(parts)]
        shards, done = [], 0
        for (part, _), fut in zip(parts, futures, strict=True):
            shards.append(fut.result())
            done += len(part)
            progress.report("parse", done, total)
    return shards


@flow(name="gongkai-audit", task_runner=ThreadPoolTaskRunner(max_workers=8),  # type: ignore[arg-type]
      log_prints=False)
def audit(harvest: list[str], db: str, workers: int = 2, chunk_size: int = DEFAULT_CHUNK,
          use_processes: bool = True, registry: str | None = None, archive: str | None = None,
          reparse: bool | None = None, rehash: bool = False,
          workers_address: str | None = None) -> dict[str, Any]:
    """Audit every new file under `harvest` into the warehouse `db`; returns the run summary.

    Map: chunk tasks write Parquet shards into the run folder beside `db`. Reduce: one transaction loads
    them, evaluates the panel rules and publishes. The run's `runs` row is published as 'running' first;
    runs whose folder no living process owns are recorded 'crashed' and their folders removed.

    `registry` is the agency registry (default: $GONGKAI_AGENCIES, else agencies.csv beside `db`; never
    the current directory); its absolute path is handed to the chunk tasks.

    `archive`: where audited files' bytes are kept (default: $GONGKAI_ARCHIVE, else archive/ beside `db`).
    `reparse`: None (default) re-parses, from the archive, the reports of an older parser version; True
    every report of another version (`gongkai audit --reparse`); False none.
    `rehash`: read and hash every file, also those the files-read cache (gongkai.ingest.filestate) says are
    unchanged since a run read them (`gongkai audit --rehash`).
    `workers_address`: the socket of the warm parser processes to run the chunks on (`gongkai serve` keeps
    them: pipeline.warm_workers, gongkai.app.warm_pool); None: start `workers` processes for this run."""
    pipeline.system_arrow_memory()
    run = warehouse_write.RunRecord(
        run_id=datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:8],
        flow_run_id=str(flow_run.id) if flow_run.id else None,
        started_at=datetime.now(UTC),
        harvest=";".join(harvest),
        files_seen=0,
        files_new=0,
    )
    dbp = Path(db)
    crashed = warehouse_write.runfolder.abandoned(dbp)
    with (warehouse_write.runfolder.owned(dbp, run.run_id) as folder,
          ThreadPoolExecutor(1, thread_name_prefix="gongkai-start") as starter):
        # the 'running' row is published while the harvest is discovered (a publication copies the warehouse
        # file: ~1 s at 150,000 reports) and before any file is parsed
        started = starter.submit(warehouse_write.record_started_run, dbp, run, crashed)
        try:
            found = ingest.find_registry(dbp, registry)
            store = str(archive_store.find_root(dbp, archive))
            files, warnings = discover(harvest)
            known_file, known = known_reports(db, str(folder))
            todo, unchanged = unchanged_files(db, opaque(files), opaque(known), rehash)
            del known
            again, redo = reparse_targets(db, store, reparse)
            run.files_seen = len(files)
            started.result()
            clock = time.perf_counter()
            shards = map_chunks(todo, str(folder), known_file, workers, chunk_size, use_processes,
                                str(found) if found else None, store, again, workers_address, warnings)
            map_s = time.perf_counter() - clock
            progress.report("load", 0, 1)
            summary = load(db, run, shards, [Path(f.path).name.partition(".")[0] for f in again])
            load_s = time.perf_counter() - clock - map_s
        except Exception as exc:
            if started.exception() is None:  # (waits for it) a run whose start was not published records nothing
                warehouse_write.record_failed_run(dbp, run, " ".join(f"{type(exc).__name__}: {exc}".split())[:500])
            raise
        try:  # published: remember the files read (a hint only; a failure costs the next run a re-read)
            filestate.save(filestate.cache_path(dbp), harvest, unchanged,
                           sorted(folder.glob(f"chunk-*/{filestate.PART}")))
        except OSError as exc:
            warnings.append(f"{filestate.cache_path(dbp)}: files-read cache not written ({exc.strerror or exc}); "
                            "the next run reads every file again")
    redo["failed"] = len(again) - summary.reparsed  # archived bytes that no longer hash to their name
    return {**asdict(summary), "warnings": warnings, "registry": str(found) if found else None,
            "archive": store, "reparse_targets": redo["targets"], "reparse_missing": redo["missing"],
            "reparse_damaged": redo["failed"],
            "crashed_runs": crashed, "files_unchanged": len(unchanged), "seconds": {"map": round(map_s, 3), "load": round(load_s, 3)}}
