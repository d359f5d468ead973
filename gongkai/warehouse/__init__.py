"""The audit warehouse (DESIGN §5): the only package that speaks SQL DDL.

- read.py     the one read-only connection (the CLI's `sql`, `findings`, `rules`, the dashboard); light:
              importing it does not import pandas or the writer
- write/      migrations, one run's load in one transaction, publication of the next file
- panel/      the SQL rules over the agency × year panel, run inside the write transaction
- sql/        migrations/NNNN_name.sql (tables, numbered, never edited once released); views/<view>.sql and
              dictionary/comments.sql (re-applied on every publish); rules/<rule>.sql and panel/*.sql (the
              panel rules and the relations they read)

Writers import gongkai.warehouse.write; readers gongkai.warehouse.read (re-exported here).
"""

from gongkai.warehouse.errors import ReadOnlyViolation, SqlRefused, WarehouseBusy, WarehouseError, WarehouseMissing
from gongkai.warehouse.read import Result, check_sql, connect_readonly, default_db, describe, known_report_ids, query

__all__ = [
    "ReadOnlyViolation", "SqlRefused", "WarehouseBusy", "WarehouseError", "WarehouseMissing",
    "Result", "check_sql", "connect_readonly", "default_db", "describe", "known_report_ids", "query",
]
