"""The per-report rules are one module each (gongkai.checks.rules); the checks' catalogue is assembled from
them and the identity declaration."""

from __future__ import annotations

import pandera.pandas as pa
import pytest
from checks_support import make_report

from gongkai.checks import catalogue, run_checks
from gongkai.checks.rule import CATALOGUE_COLUMNS, Rule
from gongkai.checks.rules import AUDIT_CHECKS, MODULES, RULES
from gongkai.report.batch import build
from gongkai.schemas import cells as schemas

ORDER = ["PARSE_FAILED", "CELL_UNREAD", "FORMAT_OUTDATED", "SECTION_MISSING", "TABLE_MISSING", "CELL_BLANK", "CELL_NOT_NUMBER",
         "CELL_INVALID", "T3_BALANCE", "T3_TOTAL_COLUMN", "T3_OUTCOME_SUM", "T4_TOTAL"]


def _check_names(model: type[pa.DataFrameModel]) -> set[str]:
    schema = model.to_schema()
    names = {c.name for c in schema.checks}
    for column in schema.columns.values():
        names |= {c.name for c in column.checks}
    return names


def test_catalogue_is_the_modules_then_the_identities_in_order():
    cat = catalogue()
    assert list(cat.columns) == CATALOGUE_COLUMNS == [
        "rule_id", "family", "severity", "engine", "title_zh", "title_en", "description", "responsibility"]
    assert cat.rule_id.tolist() == ORDER
    assert (cat.dtypes == "string").all()
    assert not set(cat.rule_id) & {"XY_CARRY_OVER", "XY_T2_STOCK", "XY_COPY", "TEXT_TABLE", "YEAR_MISMATCH"}
    engines = cat.set_index("rule_id").engine
    assert engines["PARSE_FAILED"] == "parser" and engines["CELL_BLANK"] == "pandera" and engines["T4_TOTAL"] == "gx"
    assert run_checks(build([make_report("a")])).catalogue.equals(cat)


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_each_module_declares_its_rule_and_the_checks_it_reads(module):
    assert isinstance(module.RULE, Rule)
    assert module.RULE.rule_id == module.__name__.rsplit(".", 1)[-1].upper()
    assert module.__doc__ and module.RULE.rule_id in module.__doc__
    models = (schemas.CellsModel, schemas.SectionsModel, schemas.TablesModel, schemas.ReportsModel)
    known = set().union(*(_check_names(m) for m in models))
    assert set(module.CHECKS) <= known
    assert (module.CHECKS == ()) == (module.RULE.engine == "parser")


def test_audit_checks_are_the_checks_the_modules_read():
    assert AUDIT_CHECKS == {"not_blank", "not_unread", "not_dash_or_text", "count_non_negative", "count_integral",
                            "section_present", "table_present", "format_current", "layout_current"}
    assert [r.rule.rule_id for r in RULES] == ORDER[:8]


def test_each_module_evaluates_its_own_rule_over_the_batch():
    res = run_checks(build([make_report("a", "2019", 2022, missing_sections=(4,), missing_tables=("t2",),
                                        overrides={("t3", "granted", "research"): "",
                                                   ("t4", "cases", "review_other"): "—"})]))
    fails = res.findings[res.findings.status == "fail"]
    assert set(fails.rule_id) == {"FORMAT_OUTDATED", "SECTION_MISSING", "TABLE_MISSING", "CELL_BLANK",
                                  "CELL_NOT_NUMBER"}
    assert res.rule_results.rule_id.tolist() == ORDER
