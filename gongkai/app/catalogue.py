"""The whole rule catalogue: the rules the checks run in Python (gongkai.checks: the per-report modules and
the declared identities) followed by the SQL rules of the warehouse (gongkai.warehouse.panel: the headers of
sql/rules/*.sql). Each part is declared beside its rules; this is only their concatenation, in that order."""

from __future__ import annotations

import pandas as pd


def catalogue() -> pd.DataFrame:
    """rule_id, family, severity, engine, title_zh, title_en, description, responsibility of every rule."""
    from gongkai.checks import catalogue as checks_catalogue
    from gongkai.warehouse.panel import catalogue as sql_catalogue

    return pd.concat([checks_catalogue(), sql_catalogue()], ignore_index=True)
