"""`gongkai audit --task-runner dask`: the audit's chunk tasks on a Dask cluster (prefect-dask).

The chunk task (gongkai.app.pipeline.audit_chunk) is pure: file paths in, the path of a Parquet shard in the
run folder out. So any Dask worker that sees the harvest and the run folder (beside the warehouse, or
$GONGKAI_RUNS_DIR) at the same paths as the driver can run it; the driver alone loads the shards and publishes.

- with an address (`--dask-address tcp://host:8786`): the existing cluster (`dask scheduler`, `dask worker`);
- without: a LocalCluster of `workers` single-threaded worker processes, started and closed by the run.
"""

from __future__ import annotations

from typing import Any

from prefect_dask import DaskTaskRunner


def task_runner(address: str | None, workers: int) -> Any:
    """The DaskTaskRunner for `address`, or for a local cluster of `workers` processes."""
    import logging

    logging.getLogger("distributed").setLevel(logging.WARNING)  # its INFO lines (nanny, scheduler) are not news
    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(cluster_kwargs={"n_workers": max(1, workers), "threads_per_worker": 1,
                                          "processes": True, "dashboard_address": None})
