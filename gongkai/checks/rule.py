"""A rule's catalogue entry: what the warehouse stores in `rules` and what findings carry (family, severity).

`responsibility` says whom a failure is counted against: 'parser' (the parse family: our failure to read the
file or a cell) or 'source' (every other family: what the agency printed). Derived from the family, so a
declaration cannot get it wrong; scorecards keep the two apart (DESIGN §6)."""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields

import pandas as pd

ENGINES = ("parser", "pandera", "gx")  # the engines run by gongkai.checks (the 'sql' rules live in the warehouse)
RESPONSIBILITIES = ("source", "parser")
PARSER_FAMILIES = frozenset({"parse"})


def responsibility_of(family: str) -> str:
    """'parser' for the parse family (our misread), 'source' for every other family (the agency's report)."""
    return "parser" if family in PARSER_FAMILIES else "source"


@dataclass(frozen=True)
class Rule:
    rule_id: str
    family: str
    severity: str
    engine: str
    title_zh: str
    title_en: str
    description: str
    responsibility: str = ""  # '' = derived from the family (responsibility_of)

    def __post_init__(self) -> None:
        derived = responsibility_of(self.family)
        if not self.responsibility:
            object.__setattr__(self, "responsibility", derived)
        elif self.responsibility != derived:
            raise ValueError(f"rule {self.rule_id}: responsibility {self.responsibility!r} contradicts family "
                             f"{self.family!r} ({derived!r})")
        if self.engine not in ENGINES:
            raise ValueError(f"rule {self.rule_id}: engine {self.engine!r} is not one of {ENGINES}")


CATALOGUE_COLUMNS = [f.name for f in fields(Rule)]


def catalogue_frame(rules: list[Rule]) -> pd.DataFrame:
    """Catalogue rows (CATALOGUE_COLUMNS, string dtype) of the given rules, in the given order."""
    return pd.DataFrame([astuple(r) for r in rules], columns=CATALOGUE_COLUMNS).astype("string")
