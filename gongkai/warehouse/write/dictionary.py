"""The warehouse's views and data dictionary, re-applied on every publish (after the migrations).

Tables change only through numbered migrations (migrate.py). Views and comments are not history: each
view is one file `sql/views/<view>.sql` holding its current definition and its COMMENTs, and the
comments of the tables and columns are one file, `sql/dictionary/comments.sql`. Both are applied inside
the publishing transaction, so a fixed comment or a redefined view reaches every warehouse at its next
publish without a migration. A view file that reads another view names it in a `-- after: <view>` line.
"""

from __future__ import annotations

import re
from importlib import resources

import duckdb

_PACKAGE = "gongkai.warehouse"
_AFTER = re.compile(r"^-- after: *([\w, ]+)$", re.M)


def _files(folder: str) -> dict[str, str]:
    return {e.name.removesuffix(".sql"): e.read_text(encoding="utf-8")
            for e in resources.files(_PACKAGE).joinpath("sql", folder).iterdir() if e.name.endswith(".sql")}


def view_order(views: dict[str, str]) -> list[str]:
    """View names, each after the views its file says it reads (`-- after:`), otherwise by name."""
    after = {v: {d.strip() for m in _AFTER.findall(sql) for d in m.split(",") if d.strip()} for v, sql in views.items()}
    order: list[str] = []
    while len(order) < len(views):
        ready = [v for v in sorted(views) if v not in order and after[v] <= set(order)]
        if not ready:
            raise RuntimeError(f"views with unknown or circular `-- after:` lines: {sorted(set(views) - set(order))}")
        order.append(ready[0])
    return order


def apply_dictionary(con: duckdb.DuckDBPyConnection) -> None:
    """(Re-)create every view from its file and re-apply the tables' comments."""
    views = _files("views")
    for name in view_order(views):
        con.execute(views[name])
    for sql in _files("dictionary").values():
        con.execute(sql)
