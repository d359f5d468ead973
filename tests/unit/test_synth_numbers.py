"""The synthetic report generator: balanced numbers (every identity holds, realistic magnitudes, no
findings without defects) and the reference evaluator's edge cases."""

from __future__ import annotations

import random

import pytest

from gongkai.form import template
from gongkai.synth import balanced_numbers, evaluate, make_report, read_cell


def _printed(nums):
    return {k: (str(int(v)) if v == int(v) else repr(v)) for k, v in nums.items()}


# --------------------------------------------------------------------------------------------------
# numbers

@pytest.mark.parametrize("version", template.VERSIONS)
def test_balanced_numbers_satisfy_every_identity(version):
    keys = set(zip(template.cells(version).table_id, template.cells(version).row_key, template.cells(version).col_key))
    rows, cols = template.row_keys(version, "t3"), template.col_keys(version, "t3")
    applicants = [c for c in cols if c != "total"]
    outcomes = [r for r in rows if r not in ("new_received", "carried_over", "processed_total", "carried_forward")]
    t4 = template.col_keys(version, "t4")
    money = {k for k in keys if k[0] == "t2" and k[2] in ("amount", "y2019_amount")}
    for seed in range(200):
        nums = balanced_numbers(random.Random(seed), version)
        assert set(nums) == keys
        assert all(v >= 0 for v in nums.values())
        assert all(v == int(v) for k, v in nums.items() if k not in money)
        assert all(round(v, 4) == v for v in nums.values())
        # the reference evaluator finds nothing …
        assert evaluate(_printed(nums), version=version) == []
        # … and the sums hold when written out directly
        g = lambda r, c, nums=nums: nums[("t3", r, c)]  # noqa: E731
        for c in cols:
            assert g("new_received", c) + g("carried_over", c) == g("processed_total", c) + g("carried_forward", c)
            assert sum(g(r, c) for r in outcomes) == g("processed_total", c)
        for r in rows:
            assert sum(g(r, c) for c in applicants) == g(r, "total")
        for p in ("review", "suit_direct", "suit_after_review"):
            parts = [c for c in t4 if c.startswith(p + "_") and c != f"{p}_total"]
            assert len(parts) == 4
            assert sum(nums[("t4", "cases", c)] for c in parts) == nums[("t4", "cases", f"{p}_total")]


def test_magnitudes_are_realistic():
    new, nat = [], 0.0
    for i in range(400):
        n = make_report(i, f"测试局{i}", 2022).numbers
        new.append(n[("t3", "new_received", "total")])
        nat += n[("t3", "new_received", "natural_person")]
    assert 0.2 < sum(x == 0 for x in new) / len(new) < 0.6       # many agencies receive nothing
    assert max(new) >= 100                                      # occasional hundreds
    assert nat / sum(new) > 0.7                                 # natural persons dominate


def test_reports_without_defects_have_no_findings():
    for i in range(300):
        r = make_report(i, f"测试局{i % 17}", 2019 + i % 6)
        assert r.expected_findings == [], (i, r.expected_findings)
        assert r.version == ("2021" if r.year >= 2021 else "2019")
        assert all(x is not None for x in r.cells.values())


def test_evaluator_edge_cases():
    nums = balanced_numbers(random.Random(7))
    cells = _printed(nums)
    assert read_cell("１,２３４") == ("number", 1234.0)
    assert read_cell("\xa0") == ("blank", None) and read_cell("—") == ("dash", None)
    assert read_cell("12件") == ("number", 12.0) and read_cell("见说明") == ("text", None)
    cells[("t4", "cases", "review_total")] = None
    out = evaluate(cells, version="2021", tables_present={"t3": False})
    assert {f["rule_id"] for f in out} == {"TABLE_MISSING", "CELL_BLANK", "T4_TOTAL"}
    assert [f["status"] for f in out if f["rule_id"] == "T4_TOTAL"] == ["not_assessable"]
