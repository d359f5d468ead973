"""Writing the warehouse: migrations (migrate), views and comments (dictionary), one run's load in one
transaction (load, runs, frames), reviews (reviews), publication of the next warehouse file (publish),
rule_results bookkeeping (rule_results)."""

from gongkai.warehouse.write import dictionary, migrate
from gongkai.warehouse.write.load import ChecksResult, write_run
from gongkai.warehouse.write.publish import STORAGE_COMPATIBILITY, publishing
from gongkai.warehouse.write.reviews import record_reviews
from gongkai.warehouse.write.runs import RunRecord, RunSummary, record_failed_run

__all__ = ["ChecksResult", "RunRecord", "RunSummary", "STORAGE_COMPATIBILITY", "dictionary", "migrate", "publishing",
           "record_failed_run", "record_reviews", "write_run"]
