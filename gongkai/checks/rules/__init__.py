"""The per-report rules other than the declared identities: one module per rule, in catalogue order.

Each module holds its catalogue entry (`RULE`, a gongkai.checks.rule.Rule), the Pandera checks whose failure
cases it reads (`CHECKS`, names of checks of schemas/cells.py; empty for the parser's rule) and its
evaluation (`evaluate(validated) -> (parts, counts)` over the whole batch, gongkai.checks.pandera_checks).
Adding a rule: a module here, listed in MODULES (and, for a new Pandera check, the check in schemas/cells.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from gongkai.checks.pandera_checks import Validated
from gongkai.checks.rule import Rule
from gongkai.checks.rules import (
    cell_blank,
    cell_invalid,
    cell_not_number,
    cell_unread,
    format_outdated,
    parse_failed,
    section_missing,
    table_missing,
)
from gongkai.findings import Counts, Part

MODULES: tuple[ModuleType, ...] = (
    parse_failed, cell_unread, format_outdated, section_missing, table_missing, cell_blank, cell_not_number, cell_invalid,
)


@dataclass(frozen=True)
class PerReportRule:
    rule: Rule
    checks: tuple[str, ...]
    evaluate: Callable[[Validated], tuple[list[Part], Counts]]


RULES = tuple(PerReportRule(m.RULE, m.CHECKS, m.evaluate) for m in MODULES)
AUDIT_CHECKS = frozenset(c for r in RULES for c in r.checks)
