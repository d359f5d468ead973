"""The identity declaration (gongkai/checks/identities.toml): the committed GX suites are generated from it, and
one more declared identity is validated by GX and reported like the real ones."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from checks_support import make_report, rr

from gongkai.checks import catalogue, run_checks
from gongkai.checks.gx_checks import engine
from gongkai.checks.identities import DeclarationError, declared, load, parse
from gongkai.checks.suites import build, canonical, committed_dir, main, stale, write
from gongkai.report.batch import build as build_batch

PACKAGED = resources.files("gongkai.checks").joinpath("identities.toml").read_text(encoding="utf-8")

MADE_UP = '''
[[identity]]
rule_id = "T4_REVIEW_EQ_DIRECT"
family = "balance"
severity = "warning"
title_zh = "行政复议总计与直接起诉总计不同"
title_en = "Review total differs from direct suit total"
description = "A made-up identity of the tests."
suite = "t4_cases"
identity_zh = "行政复议总计=直接起诉总计"
subject = "{table}「{group}」"
fail = "{subject}总计({observed})与直接起诉总计({suit_direct_total})不同，差{expected}"
expected = ["suit_direct_total"]
observed = ["review_total"]
notes = "行政复议 总计 = 行政诉讼·未经复议直接起诉 总计 (tests only)"
'''


@pytest.fixture(scope="module")
def made_up(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("decl") / "identities.toml"
    path.write_text(PACKAGED + MADE_UP, encoding="utf-8")
    return load(path)


# ------------------------------------------------------------------ the committed suites
def test_committed_suites_are_generated_from_the_declaration():
    assert stale(declared(), committed_dir()) == []
    assert main(["--check"]) == 0
    for name, spec in build(declared()).items():
        assert (committed_dir() / f"{name}.json").read_text(encoding="utf-8") == canonical(spec)


def test_check_fails_and_write_repairs_a_suite_that_disagrees(tmp_path: Path):
    assert write(declared(), tmp_path) == ["t3_columns.json", "t3_rows.json", "t4_cases.json"]
    edited = tmp_path / "t4_cases.json"
    edited.write_text(edited.read_text(encoding="utf-8").replace("review_parts", "review_sum"), encoding="utf-8")
    (tmp_path / "stray.json").write_text("{}\n", encoding="utf-8")
    assert main(["--check", "--dir", str(tmp_path)]) == 1
    assert main(["--write", "--dir", str(tmp_path)]) == 0
    assert stale(declared(), tmp_path) == [] and not (tmp_path / "stray.json").exists()


def test_declaration_holds_the_four_identities_with_their_catalogue_entries():
    decl = declared()
    assert [i.rule_id for i in decl.identities] == ["T3_BALANCE", "T3_TOTAL_COLUMN", "T3_OUTCOME_SUM", "T4_TOTAL"]
    assert [len(i.instances) for i in decl.identities] == [1, 1, 1, 3]
    cat = catalogue().set_index("rule_id")
    assert cat.loc["T4_TOTAL", "title_zh"] == "表四总计与分项之和不符" and cat.loc["T3_BALANCE", "engine"] == "gx"
    outcome = decl.identities[2].instances[0]
    assert outcome.expected[2][-1] == "y2019_other_processing" and outcome.expected[0][-1] == "other_other"


@pytest.mark.parametrize("edit,match", [
    (lambda t: t.replace('"other_org"]', '"other_orgs"]'), "other_orgs"),
    (lambda t: t.replace('suite = "t4_cases"', 'suite = "t5"'), "t5"),
    (lambda t: t.replace('over = "column"', 'over = "diagonal"'), "over"),
    (lambda t: t.replace('table = "t4"', 'table = "t5"'), "table"),
    (lambda t: t.replace('subject = "{table}「{row}」行"', 'subjet = "{table}「{row}」行"'), "subjet"),
    (lambda t: t.replace('expected_as = "balance_in"\n', ''), "expected_as"),
    (lambda t: t.replace('expected_as = "outcomes_sum"', 'expected_as = "balance_in"'), "another sum"),
    (lambda t: t.replace('expected_as = "applicants_sum"', 'expected_as = "total"'), "is a key"),
    (lambda t: t + t[t.index("\n[[identity]]\n"):t.index("\n[[identity]]\n", t.index("\n[[identity]]\n") + 1)],
     "twice"),
])
def test_a_malformed_declaration_fails_at_load_time(edit, match):
    import tomllib
    with pytest.raises(DeclarationError, match=match):
        parse(tomllib.loads(edit(PACKAGED)))


# ------------------------------------------------------------------ one more identity, one declaration entry
def test_a_declared_identity_is_run_by_gx_and_reported(made_up):
    assert made_up.identities[-1].rule_id == "T4_REVIEW_EQ_DIRECT"
    suite = engine(made_up)["t4_cases"].suite
    assert {e.column_B for e in suite.expectations} == {"review_total", "suit_direct_total", "suit_after_review_total"}
    assert len(suite.expectations) == 4

    violating = make_report("a")  # review total 4, direct suit total 2
    res = run_checks(build_batch([violating]), identities=made_up)
    hit = res.findings[res.findings.rule_id == "T4_REVIEW_EQ_DIRECT"]
    assert len(hit) == 1
    f = hit.iloc[0]
    assert (f.status, f.family, f.severity, f.table_id, f.row_key, f.col_key) == (
        "fail", "balance", "warning", "t4", "cases", "review_total")
    assert (f.expected, f.observed) == (2.0, 4.0)
    assert f.message == "表四「行政复议」总计(4)与直接起诉总计(2)不同，差2"
    assert rr(res, "a", "T4_REVIEW_EQ_DIRECT").tolist()[2:] == [1, 1, 0]
    assert res.catalogue.rule_id.tolist()[-1] == "T4_REVIEW_EQ_DIRECT"
    assert set(res.findings.rule_id) == {"T4_REVIEW_EQ_DIRECT"}  # the real identities still hold

    satisfying = make_report("b", overrides={("t4", "cases", "suit_direct_upheld"): "2",
                                             ("t4", "cases", "suit_direct_total"): "4"})
    blank = make_report("c", overrides={("t4", "cases", "suit_direct_total"): ""})
    res = run_checks(build_batch([satisfying, blank]), identities=made_up)
    assert rr(res, "b", "T4_REVIEW_EQ_DIRECT").tolist()[2:] == [1, 0, 0]
    assert res.findings[res.findings.report_id == "b"].empty
    na = res.findings[(res.findings.report_id == "c") & (res.findings.rule_id == "T4_REVIEW_EQ_DIRECT")]
    assert na.status.tolist() == ["not_assessable"]
    assert na.message.tolist() == ["表四「行政复议」：「总计」为空白，无法核对行政复议总计=直接起诉总计"]


def test_the_packaged_run_does_not_see_the_made_up_identity(made_up):
    res = run_checks(build_batch([make_report("a")]))
    assert res.findings.empty and "T4_REVIEW_EQ_DIRECT" not in set(res.rule_results.rule_id)
