"""The chunk step in a real worker process (gongkai.app.pipeline.process_pool)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from support import HARVEST, SEED

from gongkai.app import pipeline
from gongkai.checks import gx_checks
from gongkai.ingest.discover import HarvestFile


def _pool_backend() -> str:
    import pyarrow as pa

    return str(pa.default_memory_pool().backend_name)


def _lean() -> bool:
    return pipeline._LEAN


def test_a_worker_allocates_arrow_buffers_with_the_system_malloc(tmp_path):
    """Arrow's default mimalloc pool keeps what a chunk freed (~50 MB a worker); a worker runs its chunks on
    the system allocator instead. The chunk's file is already audited, so no GX start-up is paid here."""
    seed = tmp_path / "seed.txt"
    seed.write_bytes(SEED.read_bytes())
    known = tmp_path / "known.txt"
    known.write_text(hashlib.sha256(seed.read_bytes()).hexdigest() + "\n", encoding="ascii")
    run = tmp_path / "run"
    run.mkdir()
    pool = pipeline.process_pool(1)
    try:
        assert pool.submit(_pool_backend).result() != "system"  # a fresh worker: Arrow's own default
        assert pool.submit(_lean).result() is True  # glibc's heap thresholds set at its start (lean_heap)
        assert pipeline._LEAN is False  # … in the worker only
        shard = pool.submit(pipeline.audit_chunk, [HarvestFile(str(seed), "seed.txt", seed.stat().st_size)],
                            str(run), 0, str(known)).result()
        assert shard.skipped == 1
        engines, young, frozen, _ = pool.submit(_engines).result()  # nothing new: GX never started
        assert engines == 0 and young != gx_checks.YOUNG_GC_THRESHOLD and frozen == 0
        assert pool.submit(_pool_backend).result() == "system"
    finally:
        pool.shutdown()



def _engines() -> tuple[int, int, int, int]:
    """In a worker: (GX engines built, the young generation's GC threshold, objects frozen out of the GC's reach,
    its pid)."""
    import gc

    from gongkai.checks import gx_checks

    return gx_checks.engine.cache_info().currsize, gc.get_threshold()[0], gc.get_freeze_count(), os.getpid()


def _first_checks_imports(paths: list[str]) -> list[str]:
    """In a fresh worker: warm up as a worker started ahead does, then the modules that checking its first
    chunk (the reports at `paths`) still imports."""
    import sys

    from gongkai import checks

    pipeline.warm_up()
    files = [HarvestFile(p, Path(p).name, Path(p).stat().st_size) for p in paths]
    batch = pipeline.parse_chunk(files, frozenset()).batch
    before = set(sys.modules)
    checks.run_checks(batch)
    return sorted(set(sys.modules) - before)


def test_a_warmed_up_worker_checks_its_first_chunk_without_importing_the_check_libraries():
    """warm_up runs the checks once on an empty batch: Pandera's first validation imports its typing for every
    dataframe library installed (dask's dataframe and array: 0.3 s of CPU), which the first chunk of every
    worker of `gongkai serve` and of a cold `gongkai audit` paid before."""
    paths = [str(p) for p in sorted(HARVEST.glob("*.txt"))[:6]]
    pool = pipeline.process_pool(1)
    try:
        imported = pool.submit(_first_checks_imports, paths).result(timeout=300)
    finally:
        pool.shutdown()
    libraries = ("dask", "pandera", "great_expectations", "distributed")
    assert not [m for m in imported if m.split(".")[0] in libraries], imported
    assert len(imported) <= 3, imported  # pandas imports a module or two on first use (reshape), nothing more


def _pids(pool: object) -> set[int]:
    return {p.pid for p in pool._processes.values()}  # type: ignore[attr-defined]


def test_workers_started_ahead_are_the_runs_processes_ready_for_checks_and_end_with_its_map_step():
    """`gongkai audit` into a new warehouse starts its parser processes first (pipeline.started_workers): the
    run's map step uses them, GX's context is built before their first chunk, and they end when the map step
    does, before the load."""
    with pipeline.started_workers(2):
        with pipeline.local_workers(2) as pool:
            assert pool is not None and pipeline.local_pool() is pool
            got = [f.result(timeout=120) for f in [pool.submit(_engines) for _ in range(4)]]
            pids = _pids(pool)
        assert pipeline.local_pool() is None
        assert not any(Path(f"/proc/{pid}").exists() for pid in pids)  # ended with the map step
    assert {g[-1] for g in got} <= pids and len(pids) == 2
    assert {g[0] for g in got} == {1}
    # with GX's context built, its imports are frozen out of the collector's reach and the young generation is
    # collected every YOUNG_GC_THRESHOLD allocations (gx_checks.freeze_heap)
    assert {g[1] for g in got} == {gx_checks.YOUNG_GC_THRESHOLD} and all(g[2] > 100_000 for g in got), got


def test_workers_started_ahead_end_at_once_when_the_command_fails_and_with_a_run_that_maps_nothing():
    with pytest.raises(RuntimeError, match="the command failed"):
        with pipeline.started_workers(2):
            pids = _pids(pipeline._STARTED)
            assert len(pids) == 2
            raise RuntimeError("the command failed")  # while they still build GX's context
    assert not any(Path(f"/proc/{pid}").exists() for pid in pids)
    with pipeline.started_workers(2):
        pids = _pids(pipeline._STARTED)
        with pipeline.local_workers(0) as pool:  # a run with nothing to parse
            assert pool is None
        assert not any(Path(f"/proc/{pid}").exists() for pid in pids)

def test_without_workers_started_ahead_a_run_of_one_chunk_stays_in_its_thread():
    assert pipeline.local_pool() is None
    with pipeline.local_workers(1) as pool:
        assert pool is None
