"""Fixtures of the unit tests: `db`, the warehouse tests' path of a warehouse in a data/ folder that does not
exist yet. It stands in for the root conftest's `db` in tests/unit; the other unit modules that take `db`
(test_review_merge, test_warehouse_sql, test_web_auth) define their own."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "warehouse.duckdb"
