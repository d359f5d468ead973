"""The nightly audit deployment: cron 0 2 * * * in Asia/Shanghai, served on a real Prefect API.

    gongkai serve [--cron "0 2 * * *"] [--harvest data/harvest] [--db data/warehouse.duckdb]

runs `flow.serve()`: it registers the deployment with the Prefect API in PREFECT_API_URL (start one
with `prefect server start`) and runs scheduled audits until stopped, each in a subprocess (Prefect's
runner), on parser processes `gongkai serve` starts once and keeps warm across runs.
"""

from __future__ import annotations

from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron, Schedule

from gongkai.flows.audit import audit  # importing gongkai.flows configured Prefect (gongkai/flows/__init__.py)

DEPLOYMENT_NAME = "nightly"
DEFAULT_CRON = "0 2 * * *"
TIMEZONE = "Asia/Shanghai"


def schedule(cron: str = DEFAULT_CRON) -> Schedule:
    return Cron(cron, timezone=TIMEZONE)


def _parameters(harvest: list[str], db: str, workers: int, workers_address: str | None) -> dict[str, object]:
    params: dict[str, object] = {"harvest": harvest, "db": db, "workers": workers}
    if workers_address:
        params["workers_address"] = workers_address
    return params


def deployment(harvest: list[str], db: str, cron: str = DEFAULT_CRON, workers: int = 2,
               workers_address: str | None = None) -> RunnerDeployment:
    """The nightly RunnerDeployment (readable without a server: `.schedules`)."""
    return audit.to_deployment(
        name=DEPLOYMENT_NAME,
        schedules=[schedule(cron)],
        parameters=_parameters(harvest, db, workers, workers_address),
        description="Nightly audit of newly harvested 政府信息公开工作年度报告 into the DuckDB warehouse.",
        tags=["gongkai", "nightly"],
    )


def serve(harvest: list[str], db: str, cron: str = DEFAULT_CRON, workers: int = 2,
          workers_address: str | None = None) -> None:
    """Serve the deployment until stopped; its runs use the warm workers at `workers_address` (kept by
    `gongkai serve`: gongkai.app.pipeline.warm_workers) when given."""
    audit.serve(
        name=DEPLOYMENT_NAME,
        schedules=[schedule(cron)],
        parameters=_parameters(harvest, db, workers, workers_address),
        description="Nightly audit of newly harvested 政府信息公开工作年度报告 into the DuckDB warehouse.",
        tags=["gongkai", "nightly"],
        pause_on_shutdown=False,
    )
