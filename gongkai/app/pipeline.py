"""The audit as plain functions: read → hash → parse (in coarse chunks, on all cores) → one Batch per chunk
(frames, statements and fingerprints: gongkai.report.batch).

Prefect flows (flows/audit.py) orchestrate these; tests and benchmarks can call them directly.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from gongkai.ingest.agencies import registry as load_registry
from gongkai.ingest.discover import HarvestFile
from gongkai.parse import MAX_BYTES
from gongkai.report import batch as frames
from gongkai.report.identity import apply_manifest
from gongkai.report.model import ParsedReport
from gongkai.report.read import parse_bytes


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


_KNOWN: frozenset[str] = frozenset()
_REGISTRY: str | None = None


def _set_up_worker(known: frozenset[str], registry: str | None) -> None:
    global _KNOWN, _REGISTRY
    _KNOWN, _REGISTRY = known, registry


def parse_chunk_in_worker(files: list[HarvestFile]) -> ChunkResult:
    """parse_chunk with the known-report set and the registry path the worker received once at start-up."""
    return parse_chunk(files, _KNOWN, _REGISTRY)


def process_pool(workers: int, known: frozenset[str], registry: str | None = None) -> Executor:
    """`workers` spawned processes (spawn, not fork: safe with DuckDB and Prefect's threads), each
    handed the already-audited report ids and the agency registry's absolute path once rather than with
    every chunk (explicitly: a worker never looks for the registry itself, least of all in its cwd)."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_set_up_worker, initargs=(known, registry))


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))

