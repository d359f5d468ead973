"""Writing the warehouse: migrations (migrate), views and comments (dictionary), the chunks' Parquet shards
(shards) in the run's folder (runfolder), one run's load in one transaction (load, runs, frames), reviews
(reviews), publication of the next warehouse file (publish), rule_results bookkeeping (rule_results)."""

from gongkai.warehouse.write import dictionary, migrate, reparse, runfolder
from gongkai.warehouse.write.load import ChecksResult, write_run, write_shards
from gongkai.warehouse.write.publish import STORAGE_COMPATIBILITY, publishing
from gongkai.warehouse.write.reviews import record_reviews
from gongkai.warehouse.write.runs import RunRecord, RunSummary, record_failed_run, record_started_run
from gongkai.warehouse.write.shards import Shard, write_shard

__all__ = ["ChecksResult", "RunRecord", "RunSummary", "STORAGE_COMPATIBILITY", "Shard", "dictionary", "migrate",
           "publishing", "record_failed_run", "record_reviews", "record_started_run", "reparse", "runfolder", "write_run",
           "write_shard", "write_shards"]
