"""The audit's map step as plain functions: read → hash → parse (in coarse chunks, on all cores) → one Batch
per chunk (frames, statements and fingerprints: gongkai.report.batch) → the per-report checks → a Parquet
shard in the run folder (gongkai.warehouse.write.shards), which the run's load reads.

Prefect flows (flows/audit.py) orchestrate these; tests and benchmarks can call them directly.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import threading
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from gongkai import checks
from gongkai.ingest.agencies import registry as load_registry
from gongkai.ingest.discover import HarvestFile
from gongkai.parse import MAX_BYTES
from gongkai.report import batch as frames
from gongkai.report.identity import apply_manifest
from gongkai.report.model import ParsedReport
from gongkai.report.read import parse_bytes
from gongkai.warehouse.write.shards import Shard, write_shard


@dataclass
class ChunkResult:
    batch: frames.Batch  # with statements and fingerprints
    skipped: int  # files whose bytes were already audited (or repeated within this chunk)


def read_and_parse(f: HarvestFile, known: frozenset[str] | set[str], registry: str | None = None) -> ParsedReport | None:
    """One file → ParsedReport, or None if its bytes were audited before. Never raises.

    `registry` is the agency registry's absolute path (gongkai.ingest.agencies.find_registry), None for none."""
    if f.size > MAX_BYTES:
        rid = _hash_file(f.path)
        if rid in known:
            return None
        r = ParsedReport(rid, f.display, Path(f.path).suffix.lstrip(".").lower(), status="failed",
                         error=f"{f.display}: {f.size / 1e6:.0f} MB is larger than the "
                               f"{MAX_BYTES // 2**20} MB limit for a report")
        r.byte_size = f.size
    else:
        try:
            data = Path(f.path).read_bytes()
        except OSError as exc:
            rid = hashlib.sha256(f"unreadable:{f.display}".encode()).hexdigest()
            if rid in known:
                return None
            return ParsedReport(rid, f.display, Path(f.path).suffix.lstrip(".").lower(), status="failed",
                                error=f"{f.display}: cannot be read ({exc.strerror or exc}); check permissions")
        rid = hashlib.sha256(data).hexdigest()
        if rid in known:
            return None
        r = parse_bytes(f.display, data, rid)
    apply_manifest(r, f.manifest, load_registry(registry))
    return r


def _hash_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def parse_chunk(files: list[HarvestFile], known: frozenset[str], registry: str | None = None) -> ChunkResult:
    """Parse a chunk of files into batch frames (runs in a worker process), agencies resolved by the
    registry at the absolute path `registry` (None: no registry)."""
    reports: list[ParsedReport] = []
    seen: set[str] = set()
    skipped = 0
    for f in files:
        r = read_and_parse(f, known, registry)
        if r is None or r.report_id in seen:
            skipped += 1
            continue
        seen.add(r.report_id)
        reports.append(r)
    return ChunkResult(frames.build(reports).with_derived(), skipped)


def audit_chunk(files: list[HarvestFile], folder: str, chunk: int, known_file: str | None,
                registry: str | None = None) -> Shard:
    """The map step, pure (paths in, a shard's path out; runs in a local worker process or on a Dask worker):
    read → parse → per-report checks (Pandera and GX on the chunk) → Parquet shard `folder`/chunk-NNNNN.
    `known_file`: report_ids already in the warehouse (skipped unread), one a line; `registry`: the agency
    registry's absolute path (None: none)."""
    result = parse_chunk(files, _known(known_file), registry)
    target = Path(folder) / f"chunk-{chunk:05d}"
    if len(result.batch.reports) == 0:  # every file audited before: nothing to check (no GX start-up)
        return write_shard(target, chunk, result.batch, pd.DataFrame(), pd.DataFrame(), result.skipped)
    with _checks_lock:  # GX's context is not thread-safe: one chunk's checks at a time per process
        checked = checks.run_checks(result.batch)
    return write_shard(target, chunk, result.batch, checked.findings, checked.rule_results, result.skipped)


_checks_lock = threading.Lock()
_known_cache: dict[str, frozenset[str]] = {}
_known_lock = threading.Lock()


def _known(path: str | None) -> frozenset[str]:
    """The known report_ids in `path`, read once per process (a run's chunks share one file)."""
    if path is None:
        return frozenset()
    with _known_lock:
        if path not in _known_cache:
            _known_cache.clear()  # one run at a time per process: keep only the current run's set
            _known_cache[path] = frozenset(Path(path).read_text(encoding="ascii").split())
        return _known_cache[path]


def process_pool(workers: int) -> Executor:
    """`workers` spawned processes (spawn, not fork: safe with DuckDB and Prefect's threads) for the chunk
    tasks. GX starts (~3 s, once per process) at a worker's first chunk with new reports: a run with
    nothing new never pays it."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


_LOCAL: Executor | None = None


def local_pool() -> Executor | None:
    """The worker processes of the local run in this process (None on a Dask worker, or with one worker)."""
    return _LOCAL


@contextlib.contextmanager
def local_workers(workers: int) -> Iterator[Executor | None]:
    """Start `workers` worker processes for the chunk tasks of a local run (none when `workers` < 2: the
    tasks run in their own thread) and stop them after."""
    global _LOCAL
    if workers < 2:
        yield None
        return
    pool = process_pool(workers)
    _LOCAL = pool
    try:
        yield pool
    finally:
        _LOCAL = None
        pool.shutdown(cancel_futures=True)


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))
