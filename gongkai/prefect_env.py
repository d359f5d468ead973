"""Prefect settings gongkai runs with; must run before `prefect` is imported.

Quiet exits (DESIGN §8): Prefect's ephemeral API server logs tracebacks at interpreter shutdown
unless its loggers are silenced, so the committed logging config silences them. Every value is a
default only: an operator's own PREFECT_* environment wins.
"""

from __future__ import annotations

import os
from importlib import resources


def configure() -> None:
    cfg = resources.files("gongkai.data").joinpath("prefect_logging.yml")
    os.environ.setdefault("PREFECT_LOGGING_CONFIG_PATH", str(cfg))
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_CLI_PROMPT", "false")
    # Task runs are our coarse chunks; results live in DuckDB, not in Prefect's result store.
    os.environ.setdefault("PREFECT_RESULTS_PERSIST_BY_DEFAULT", "false")
