"""The audit's map step as plain functions: read → hash → parse (in coarse chunks, on all cores) → one Batch
per chunk (frames, statements and fingerprints: gongkai.report.batch) → the per-report checks → a Parquet
shard in the run folder (gongkai.warehouse.write.shards), which the run's load reads.

Prefect flows (flows/audit.py) orchestrate these; tests and benchmarks can call them directly.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import threading
from collections.abc import Iterator
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from gongkai import checks
from gongkai.ingest import archive as evidence
from gongkai.ingest import filestate
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
    manifests: list[str] = field(default_factory=list)  # per report: the manifest entry applied, as JSON
    hashed: dict[str, str] = field(default_factory=dict)  # path → report_id of every file whose bytes were hashed


def read_and_parse(f: HarvestFile, known: frozenset[str] | set[str], registry: str | None = None,
                   archive: evidence.Staging | None = None, expect: str | None = None,
                   hashed: dict[str, str] | None = None) -> ParsedReport | None:
    """One file → ParsedReport, or None if its bytes were audited before. Never raises for a bad file.

    `registry` is the agency registry's absolute path (gongkai.ingest.agencies.find_registry), None for none.
    `archive`: the evidence archive's writes (gongkai.ingest.archive.Staging, flushed by its owner): the bytes
    of every new file that could be read are kept there, oversize files included (streamed); an unwritable
    archive raises ArchiveError.
    `expect`: the report_id the bytes must hash to (a re-parse from the archive); other bytes give None.
    `hashed`: when given, gets path → report_id for a file whose bytes were read (known or not)."""
    if f.size > MAX_BYTES:
        rid = evidence.file_sha256(f.path)
        if hashed is not None:
            hashed[f.path] = rid
        if rid in known or (expect is not None and rid != expect):
            return None
        r = ParsedReport(rid, f.display, Path(f.path).suffix.lstrip(".").lower(), status="failed",
                         error=f"{f.display}: {f.size / 1e6:.0f} MB is larger than the "
                               f"{MAX_BYTES // 2**20} MB limit for a report")
        r.byte_size = f.size
        if archive is not None:
            archive.put_file(f.path, r.source_format, rid)
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
        if hashed is not None:
            hashed[f.path] = rid
        if rid in known or (expect is not None and rid != expect):
            return None
        r = parse_bytes(f.display, data, rid)
        if archive is not None:
            archive.put(data, r.source_format, rid)
    apply_manifest(r, f.manifest, load_registry(registry))
    return r


def parse_chunk(files: list[HarvestFile], known: frozenset[str], registry: str | None = None,
                archive: str | None = None, reparse: bool = False) -> ChunkResult:
    """Parse a chunk of files into batch frames (runs in a worker process), agencies resolved by the
    registry at the absolute path `registry` (None: no registry), new files' bytes kept in `archive`.
    `reparse`: the files are archived reports (named <report_id>.<ext>) read again: none is skipped as
    known, and a file whose bytes no longer hash to its name is skipped (the load reports it missing).

    `manifests`: the harvest-manifest entry applied to each report, as JSON ('{}': none), stored as
    reports.manifest so that a re-parse applies it again."""
    reports: list[ParsedReport] = []
    manifests: list[str] = []
    seen: set[str] = set()
    hashed: dict[str, str] = {}
    skipped = 0
    keep = evidence.Staging(archive) if archive is not None and not reparse else contextlib.nullcontext()
    with keep as staging:  # the chunk's archive writes, on disk together before it returns
        for f in files:
            expect = Path(f.path).name.partition(".")[0] if reparse else None
            r = read_and_parse(f, frozenset() if reparse else known, registry, staging, expect, hashed)
            if r is None or r.report_id in seen:
                skipped += 1
                continue
            seen.add(r.report_id)
            reports.append(r)
            manifests.append(f.manifest_json.decode())
    return ChunkResult(frames.build(reports).with_derived(), skipped, manifests, hashed)


def audit_chunk(files: list[HarvestFile], folder: str, chunk: int, known_file: str | None,
                registry: str | None = None, archive: str | None = None, reparse: bool = False) -> Shard:
    """The map step, pure (paths in, a shard's path out; runs in a local worker process or on a Dask worker):
    read → parse → per-report checks (Pandera and GX on the chunk) → Parquet shard `folder`/chunk-NNNNN,
    with the chunk's part of the files-read cache (gongkai.ingest.filestate; not for re-parsed files).
    `known_file`: report_ids already in the warehouse (skipped unread), one a line; `registry`: the agency
    registry's absolute path (None: none); `archive`: the evidence archive's absolute path (None: keep
    nothing); `reparse`: the files are archived reports read again (parse_chunk).

    One chunk at a time per process: PDFium (pypdfium2) and GX's context are not thread-safe (seen: a
    segfault parsing PDFs in two threads, GXCheckError from two checks at once), and threads would not run
    the CPU-bound work in parallel anyway. Chunks run in parallel as processes (local workers, Dask workers)."""
    with _chunk_lock:
        system_arrow_memory()
        result = parse_chunk(files, _known(known_file), registry, archive, reparse)
        target = Path(folder) / f"chunk-{chunk:05d}"
        if not reparse:
            target.mkdir(exist_ok=True)  # never its parents: a run folder removed as abandoned stays removed
            filestate.write_part(target, files, result.hashed)
        if len(result.batch.reports) == 0:  # every file audited before: nothing to check (no GX start-up)
            return write_shard(target, chunk, result.batch, pd.DataFrame(), pd.DataFrame(), result.skipped)
        checked = checks.run_checks(result.batch)
        batch = replace(result.batch, reports=result.batch.reports.assign(
            manifest=pd.array(result.manifests, dtype="string")))
        return write_shard(target, chunk, batch, checked.findings, checked.rule_results, result.skipped)


_chunk_lock = threading.Lock()


def system_arrow_memory() -> None:
    """Arrow buffers (pandas' string columns, the Parquet shards) from the C library's malloc, not Arrow's
    default mimalloc pool, which keeps what a chunk freed: measured on a worker after each chunk of 500 files,
    ~370 MB instead of ~420 MB, at the same CPU time per file; in the flow's process, reading the files-read
    cache of 150,000 files left 371 MB instead of 284. Set in each process itself (a Dask worker may have
    imported pyarrow before gongkai): the workers at their chunks, the flow at its start."""
    import pyarrow as pa

    if pa.default_memory_pool().backend_name != "system":
        pa.set_memory_pool(pa.system_memory_pool())


_known_cache: dict[str, frozenset[str]] = {}  # read under _chunk_lock


def _known(path: str | None) -> frozenset[str]:
    """The known report_ids in `path`, read once per process (a run's chunks share one file)."""
    if path is None:
        return frozenset()
    if path not in _known_cache:
        _known_cache.clear()  # one run at a time per process: keep only the current run's set
        _known_cache[path] = frozenset(Path(path).read_text(encoding="ascii").split())
    return _known_cache[path]


def process_pool(workers: int) -> Executor:
    """`workers` spawned processes (spawn, not fork: safe with DuckDB and Prefect's threads) for the chunk
    tasks, deaf to Ctrl-C like every parser process (warm_pool.spawn_pool). GX starts (~3 s, once per process)
    at a worker's first chunk with new reports: a run with nothing new never pays it."""
    from gongkai.app.warm_pool import spawn_pool

    return spawn_pool(workers, lean_heap)[0]


_LEAN = False  # lean_heap ran in this process


def lean_heap() -> None:
    """Initializer of a run's own parser processes (not of `gongkai serve`'s warm workers: they were not
    measured with it): glibc maps blocks of 1 MB or more on their own (M_MMAP_THRESHOLD) and gives freed heap
    back to the system above 1 MB (M_TRIM_THRESHOLD), instead of its dynamic threshold, which rises to the
    largest block freed so far and then keeps the chunks' large frames in a heap that only grows. Measured over
    60 chunks of 500 files in one process: peak RSS 438 MB instead of 463–468, same CPU (70–76 s either way);
    at 128 KB it was 415 MB but a national year's map took 17 % longer. No-op without glibc."""
    global _LEAN
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(-3, 1 << 20)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 1 << 20)  # M_TRIM_THRESHOLD
    except (OSError, AttributeError):  # not glibc: its allocator's own policy
        return
    _LEAN = True


_LOCAL: Executor | None = None
_STARTED: Executor | None = None  # parser processes started ahead of the run (started_workers)


@contextlib.contextmanager
def started_workers(workers: int) -> Iterator[None]:
    """Start the parser processes of a one-shot `gongkai audit` into a warehouse that does not exist yet (every
    file is new) as the command's first step, so that their start-up (a fresh interpreter, the parsers' imports
    and GX's context: ~2.5 s of CPU each) runs while the command imports Prefect and waits for its API server,
    not after; the run's map step (local_workers) then uses them and shuts them down. Not for a warehouse that
    exists: a run with nothing new must not pay them (measured over 30,000 files: a no-op 2.3 s slower with
    processes started ahead, importing only; building GX's context at the lowest CPU priority instead, the
    first chunk waited minutes for it on a busy machine). Nothing is started for fewer than 2 workers. When the
    block ends by an exception (the command failed) they are ended at once (SIGTERM), not after their start-up."""
    global _STARTED
    if workers < 2:
        yield
        return
    from gongkai.app.warm_pool import spawn_pool

    _quiet_resource_tracker()
    pool, _ = spawn_pool(workers, _started_worker)  # started now, without waiting for their start-up
    _STARTED = pool
    try:
        yield
    except BaseException:  # the command failed or was interrupted: end them now, not after their start-up
        for proc in list(getattr(pool, "_processes", {}).values()):
            proc.terminate()
        raise
    finally:
        _STARTED = None
        pool.shutdown(cancel_futures=True)


def _quiet_resource_tracker() -> None:
    """Start multiprocessing's resource tracker (which unlinks the pool's named semaphores should this process
    end without doing it, e.g. on Ctrl-C: the CLI then exits at once) with its stderr on /dev/null: it would
    otherwise print "UserWarning: resource_tracker: There appear to be 7 leaked semaphore objects to clean up at
    shutdown" on the user's terminal while it cleans them up. No-op when it already runs."""
    from multiprocessing import resource_tracker

    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        resource_tracker.ensure_running()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _started_worker() -> None:
    lean_heap()
    warm_up()


def local_pool() -> Executor | None:
    """The worker processes of the local run in this process (None on a Dask worker, or with one worker)."""
    return _LOCAL


@contextlib.contextmanager
def local_workers(workers: int, address: str | None = None,
                  notes: list[str] | None = None) -> Iterator[Executor | None]:
    """The worker processes for the chunk tasks of a local run: with `address`, the warm workers a long-lived
    `gongkai serve` keeps (warm_workers); else those the command started ahead
    (started_workers; shut down when the block ends, unused when `workers` is 0); else `workers` processes
    started here (none when
    `workers` < 2: the tasks run in their own thread) and stopped after. Warm workers that cannot be reached
    are replaced by processes started here, with a line in `notes`."""
    global _LOCAL
    if address:
        from gongkai.app.warm_pool import Unreachable, WarmClient

        try:
            client = WarmClient(address)
        except Unreachable as exc:
            if notes is not None:
                notes.append(f"warm workers at {address} unreachable ({' '.join(str(exc).split())[:120]}); "
                             f"this run started {workers} parser processes of its own")
        else:
            _LOCAL = client
            try:
                yield client
            finally:
                _LOCAL = None
            return
    started = _STARTED
    if started is not None:  # this command's own processes, started ahead (started_workers)
        _LOCAL = started if workers >= 1 else None
        try:
            yield _LOCAL
        finally:
            _LOCAL = None
            # the run's map step is over: their memory back before the load (measured: the tree of a cold run
            # over 30,000 files peaked at 1,768 MB with two idle parsers kept through the load, 1,351 without)
            started.shutdown(cancel_futures=True)
        return
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


def warm_up() -> int:
    """Make this process ready for chunks before the first one comes: import the parsers and checks and build
    GX's context (~3–5 s once per process). Returns the pid (what `gongkai serve` logs)."""
    system_arrow_memory()
    checks.warm_up()
    return os.getpid()


@contextlib.contextmanager
def warm_workers(workers: int) -> Iterator[str]:
    """For `gongkai serve`: `workers` parser processes that outlive the flow runs, warmed up once
    (gongkai.app.warm_pool); yields their address, which the served deployment passes to its runs (the flow's
    `workers_address`). Closed when the block ends; the lifeline watchdog ends them however serve dies."""
    from gongkai.app.warm_pool import serving

    _quiet_resource_tracker()  # a process ended at a call at serve's end leaves it semaphores to unlink, quietly
    with serving(workers, warm_up) as pool:
        yield pool.address


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))
