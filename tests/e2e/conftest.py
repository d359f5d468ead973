"""The one audited warehouse the end-to-end tests share: the bundled sample harvest audited once per test
session (per xdist worker) with the real flow, then audited again (the idempotence check reads both)."""

from __future__ import annotations

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


@pytest.fixture(scope="session")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Audited:
    work = tmp_path_factory.mktemp("e2e")
    harvest = work / "harvest"
    shutil.copytree(HARVEST, harvest)
    db = work / "warehouse.duckdb"
    mp = pytest.MonkeyPatch()
    mp.setenv("GONGKAI_AGENCIES", str(REGISTRY))  # the registry of the checkout, whatever the working directory
    try:
        first = invoke("audit", str(harvest), "--db", str(db), "--workers", "2")
        assert first.exit_code == 0, shown(first)
        before = snapshot(db)
        second = invoke("audit", str(harvest), "--db", str(db))
        assert second.exit_code == 0, shown(second)
    finally:
        mp.undo()
    return Audited(db, harvest, before, first.output, second.output)
