"""Writing the warehouse: migrations (migrate), one run's load in one transaction (load), publication of
the next warehouse file (publish), rule_results bookkeeping (rule_results)."""

from gongkai.warehouse.write import dictionary, migrate
from gongkai.warehouse.write.load import RunRecord, RunSummary, record_failed_run, record_reviews, write_run
from gongkai.warehouse.write.publish import STORAGE_COMPATIBILITY, publishing

__all__ = ["dictionary", "migrate", "RunRecord", "RunSummary", "record_failed_run", "record_reviews", "write_run", "STORAGE_COMPATIBILITY",
           "publishing"]
