"""The catalogue of the rules gongkai.checks runs: the per-report rule modules, then the declared identities.

The warehouse's SQL rules (cross-year, copy, text-vs-table) have their own catalogue rows there: a caller
wanting every rule concatenates the two.
"""

from __future__ import annotations

import pandas as pd

from gongkai.checks.identities import Declaration, declared
from gongkai.checks.rule import catalogue_frame
from gongkai.checks.rules import RULES


def catalogue(decl: Declaration | None = None) -> pd.DataFrame:
    """rule_id, family, severity, engine, title_zh, title_en, description, responsibility of every rule run by the checks
    (with the packaged identity declaration unless another is given), in catalogue order."""
    identities = (decl or declared()).identities
    return catalogue_frame([r.rule for r in RULES] + [i.rule for i in identities])
