"""The audit warehouse: the only module that speaks SQL DDL (DESIGN §2, §5).

- migrate.py   numbered schema migrations (migrations/NNNN_name.sql; COMMENT ON = the data dictionary)
- publish.py   copy-on-write publication: lock, copy, write one transaction, CHECKPOINT, os.replace
- load.py      one audit run (batch frames + findings) → one published commit
- query.py     read-only access for the CLI, dashboards and SQL users
"""

from . import load, migrate
from .load import RunRecord, RunSummary, record_failed_run, record_reviews, write_run
from .publish import STORAGE_COMPATIBILITY, WarehouseBusy, publishing
from .query import (
    ReadOnlyViolation,
    WarehouseMissing,
    connect_readonly,
    default_db,
    describe,
    known_report_ids,
    query,
)

__all__ = [
    "load", "migrate",
    "RunRecord", "RunSummary", "write_run", "record_failed_run", "record_reviews",
    "publishing", "STORAGE_COMPATIBILITY", "WarehouseBusy",
    "ReadOnlyViolation", "WarehouseMissing", "connect_readonly", "default_db", "describe",
    "known_report_ids", "query",
]
