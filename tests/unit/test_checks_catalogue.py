"""gongkai.checks, rules and findings named: the rules catalogue (engines, a responsibility from each
rule's family) and finding ids, stable, distinct and reproducible in SQL."""

from __future__ import annotations

import pandas as pd
import pytest
from checks_support import CHECKED_RULES, make_report, run

from gongkai.checks import catalogue as checks_catalogue
from gongkai.checks import finding_ids


def test_rules_carry_a_responsibility_from_their_family():
    cat = checks_catalogue()
    assert set(cat.responsibility) == {"source", "parser"}
    assert (cat.responsibility.eq("parser") == cat.family.eq("parse")).all()
    assert set(cat[cat.responsibility == "parser"].rule_id) == {"PARSE_FAILED", "CELL_UNREAD"}


# ------------------------------------------------------------------ ids
def test_finding_ids_are_stable_distinct_and_reproducible_in_sql():
    reports = [make_report("a", overrides={("t3", "granted", "total"): "", ("t4", "cases", "review_total"): "9"}),
               make_report("b", missing_sections=(2,))]
    first, second = run(*reports), run(*reports)
    assert first.findings.finding_id.tolist() == second.findings.finding_id.tolist()
    assert first.findings.finding_id.is_unique
    same_cell = first.findings[(first.findings.row_key == "granted") & (first.findings.col_key == "total")]
    assert set(same_cell.rule_id) == {"CELL_BLANK", "T3_TOTAL_COLUMN"} and same_cell.finding_id.nunique() == 2
    f = first.findings.iloc[0]
    key = "\x1f".join("\x1e" if pd.isna(x) else x for x in (f.report_id, f.rule_id, f.table_id, f.row_key, f.col_key))
    import hashlib
    assert f.finding_id == hashlib.sha256(key.encode()).hexdigest()[:16]
    # a NULL key differs from an empty one
    assert finding_ids(["a"], ["R"], [None], [None], [None])[0] != finding_ids(["a"], ["R"], [""], [""], [""])[0]
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    df = first.findings[["report_id", "rule_id", "table_id", "row_key", "col_key", "finding_id"]].astype(object)
    con.register("df", df.where(df.notna(), None))
    got = con.execute("SELECT substr(sha256(concat_ws(chr(31), coalesce(report_id, chr(30)), rule_id, "
                      "coalesce(table_id, chr(30)), coalesce(row_key, chr(30)), coalesce(col_key, chr(30)))), 1, 16) "
                      "= finding_id FROM df").fetchall()
    assert len(got) == len(df) and all(x for (x,) in got)


# ------------------------------------------------------------------ catalogue, suites, scale
def test_rules_catalogue():
    cat = checks_catalogue()
    assert list(cat.columns) == ["rule_id", "family", "severity", "engine", "title_zh", "title_en", "description",
                                 "responsibility"]
    engines = cat.set_index("rule_id").engine
    assert engines["PARSE_FAILED"] == "parser" and engines["T3_BALANCE"] == "gx" and engines["CELL_BLANK"] == "pandera"
    assert set(CHECKED_RULES) <= set(cat.rule_id)
