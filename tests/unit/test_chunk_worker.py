"""The chunk step in a real worker process (gongkai.app.pipeline.process_pool)."""

from __future__ import annotations

import hashlib

from support import SEED

from gongkai.app import pipeline
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
        assert pool.submit(_pool_backend).result() == "system"
    finally:
        pool.shutdown()
