"""A rule's catalogue entry: what the warehouse stores in `rules` and what findings carry (family, severity)."""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields

import pandas as pd

ENGINES = ("parser", "pandera", "gx")  # the engines run by gongkai.checks (the 'sql' rules live in the warehouse)


@dataclass(frozen=True)
class Rule:
    rule_id: str
    family: str
    severity: str
    engine: str
    title_zh: str
    title_en: str
    description: str

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ValueError(f"rule {self.rule_id}: engine {self.engine!r} is not one of {ENGINES}")


CATALOGUE_COLUMNS = [f.name for f in fields(Rule)]


def catalogue_frame(rules: list[Rule]) -> pd.DataFrame:
    """Catalogue rows (CATALOGUE_COLUMNS, string dtype) of the given rules, in the given order."""
    return pd.DataFrame([astuple(r) for r in rules], columns=CATALOGUE_COLUMNS).astype("string")
