"""The one audited warehouse the end-to-end tests share: the bundled sample harvest audited once per test
session (per xdist worker) with the real flow, then audited again (the idempotence check reads both)."""

from __future__ import annotations

import fcntl
import os
import pickle
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from support import HARVEST, REGISTRY, invoke, shown, snapshot


@dataclass(frozen=True)
class Audited:
    db: Path            # the warehouse after both runs (read it, never write it: copy it first)
    harvest: Path       # the copy of data/harvest that was audited
    snapshot: dict      # per table: row count and content hash after the first run; runs count
    first_output: str
    second_output: str


def _audit_once(shared: Path) -> tuple[dict, str, str]:
    """Audit the sample harvest into `shared` once for the whole test session: under xdist the first worker
    to take the lock audits, the others find its result (snapshot and outputs) and reuse it."""
    with open(shared / "audited.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = shared / "audited.pickle"
        if not result.exists():
            harvest, db = shared / "harvest", shared / "warehouse.duckdb"
            shutil.copytree(HARVEST, harvest)
            mp = pytest.MonkeyPatch()
            mp.setenv("GONGKAI_AGENCIES", str(REGISTRY))  # the checkout's registry, whatever the working directory
            try:
                first = invoke("audit", str(harvest), "--db", str(db), "--workers", "2")
                assert first.exit_code == 0, shown(first)
                before = snapshot(db)
                second = invoke("audit", str(harvest), "--db", str(db))
                assert second.exit_code == 0, shown(second)
            finally:
                mp.undo()
            result.write_bytes(pickle.dumps((before, first.output, second.output)))
        loaded: tuple[dict, str, str] = pickle.loads(result.read_bytes())
        return loaded


@pytest.fixture(scope="session")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Audited:
    """The audited sample warehouse, a copy of it per xdist worker (tests may write beside it, e.g. the
    dashboard's review store), audited once per session."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    before, first, second = _audit_once(shared)
    work = tmp_path_factory.mktemp("e2e")
    shutil.copytree(shared / "harvest", work / "harvest")
    shutil.copy(shared / "warehouse.duckdb", work / "warehouse.duckdb")
    return Audited(work / "warehouse.duckdb", work / "harvest", before, first, second)
