"""Shared fixtures: the real sample reports shipped in data/harvest, fresh temp warehouses, and an
isolated Prefect home so tests never touch the user's Prefect database."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support import SEED, SHUYANG


@pytest.fixture(scope="session")
def seed_bytes() -> bytes:
    return SEED.read_bytes()


@pytest.fixture(scope="session")
def shuyang_bytes() -> bytes:
    return SHUYANG.read_bytes()


@pytest.fixture(scope="session", autouse=True)
def _prefect_home(tmp_path_factory):
    """Each test session gets its own Prefect home (its own ephemeral API database)."""
    home = tmp_path_factory.mktemp("prefect-home")
    os.environ["PREFECT_HOME"] = str(home)
    os.environ.pop("PREFECT_API_URL", None)
    yield home


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "warehouse.duckdb"
