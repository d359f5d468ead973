"""Prefect settings gongkai runs with; must run before `prefect` is imported.

Quiet exits (DESIGN §8): Prefect's ephemeral API server logs tracebacks at interpreter shutdown
unless its loggers are silenced, so the committed logging config silences them. Every value is a
default only: an operator's own PREFECT_* environment wins.
"""

from __future__ import annotations

import os
from importlib import resources


def configure() -> None:
    cfg = resources.files("gongkai.app").joinpath("prefect_logging.yml")
    os.environ.setdefault("PREFECT_LOGGING_CONFIG_PATH", str(cfg))
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_CLI_PROMPT", "false")
    # Task runs are our coarse chunks; results live in DuckDB, not in Prefect's result store.
    os.environ.setdefault("PREFECT_RESULTS_PERSIST_BY_DEFAULT", "false")
    # Without PREFECT_API_URL a run starts Prefect's ephemeral API server (a uvicorn subprocess that imports
    # the server and creates/migrates its SQLite database in a new PREFECT_HOME). Prefect gives it 20 s of
    # polling by default; on a busy machine (parallel test workers, other jobs on 2 cores) start-up was
    # measured at 14 s at load 5, and past 20 s the whole audit failed with "Timed out while attempting to
    # connect to ephemeral Prefect API server". Waiting longer costs nothing when the server is quick.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


# Background services of Prefect's API that a one-shot `gongkai audit` never needs (no schedules,
# no late runs, no UI). Only set for `audit`, never for `serve`, whose schedules need the scheduler.
ONE_SHOT_SERVER = {
    "PREFECT_SERVER_UI_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_FOREMAN_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_PAUSE_EXPIRATIONS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_REPOSSESSOR_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_CLEANUP_RECONCILER_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
}


def configure_one_shot() -> None:
    """Settings for a one-shot audit on Prefect's ephemeral API (saves ~0.6 s of start-up)."""
    for key, value in ONE_SHOT_SERVER.items():
        os.environ.setdefault(key, value)
    configure()
