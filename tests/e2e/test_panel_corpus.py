"""Panel rules over a generated corpus: 36 agencies × 2021–2024 with panel defects audited in one run
(the module-scoped panel_corpus, once per rendering), the SQL rules over the agency × year panel of the
warehouse (gongkai.warehouse.panel: XY_CARRY_OVER, XY_T2_STOCK, XY_COPY, TEXT_TABLE, YEAR_MISMATCH) with
precision and recall 1.0, their rule results and messages, the same batch twice, and the sliced
evaluation."""

from __future__ import annotations

import json
import math
import re
from collections import Counter

import pandas as pd
import pytest
from panel_support import _write, query

from gongkai.app.pipeline import parse_chunk
from gongkai.ingest.discover import discover
from gongkai.synth import write_corpus

PANEL_RULES = ("XY_CARRY_OVER", "XY_T2_STOCK", "XY_COPY", "TEXT_TABLE", "YEAR_MISMATCH")


def _norm(v):
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else round(float(v), 6)


@pytest.fixture(scope="module", params=["txt", "portal_gbk"])
def panel_corpus(request, tmp_path_factory):
    """36 agencies × 2021–2024 with panel defects (carry-over breaks, text contradictions, copies of
    tables and of text) and some in-report defects, audited in one run."""
    work = tmp_path_factory.mktemp(f"panel_{request.param}")
    truth = write_corpus(work / "harvest", 36, [2021, 2022, 2023, 2024], renderings=(request.param,), defect_rate=0.15,
                         seed=11, panel_defect_rate=0.4, truth=work / "truth.jsonl")
    batch = parse_chunk(discover([work / "harvest"]), frozenset()).batch
    db = work / "w.duckdb"
    summary = _write(db, "r1", batch)
    return db, [json.loads(x) for x in truth.read_text(encoding="utf-8").splitlines()], summary


def test_panel_precision_and_recall(panel_corpus):
    db, lines, summary = panel_corpus
    want = set()
    for t in lines:
        for f in t["expected_findings"] + t["expected_cross_year"]:
            if f["rule_id"] in PANEL_RULES:
                want.add((t["path"], f["rule_id"], f["table_id"], f["row_key"], f["col_key"], f["status"],
                          _norm(f["expected"]), _norm(f["observed"]) if f["rule_id"] != "XY_COPY" else None))
    got = query(db, """
        SELECT r.source_path, f.rule_id, f.table_id, f.row_key, f.col_key, f.status, f.expected, f.observed
        FROM findings_current AS f JOIN reports AS r USING (report_id)
        WHERE f.rule_id IN ('XY_CARRY_OVER', 'XY_T2_STOCK', 'XY_COPY', 'TEXT_TABLE', 'YEAR_MISMATCH')""")
    have = {(p.rsplit("/", 1)[-1], rule, *(None if pd.isna(x) else x for x in (t, r, c)), s, _norm(e),
             _norm(o) if rule != "XY_COPY" else None)
            for p, rule, t, r, c, s, e, o in got.itertuples(index=False)}
    by_rule = Counter(w[1] for w in want)
    assert by_rule["XY_CARRY_OVER"] >= 20 and by_rule["TEXT_TABLE"] >= 20 and by_rule["XY_COPY"] >= 5
    for rule in PANEL_RULES:
        w = {x for x in want if x[1] == rule}
        h = {x for x in have if x[1] == rule}
        tp = len(w & h)
        precision = tp / len(h) if h else 1.0
        recall = tp / len(w) if w else 1.0
        assert (precision, recall) == (1.0, 1.0), (rule, sorted(w - h)[:5], sorted(h - w)[:5])
    defects = Counter(d for t in lines for d in t["defects"])
    assert min(defects[d] for d in ("text_contradiction", "copy_previous", "copy_text", "carry_over_break")) >= 3
    assert summary.findings_new == len(query(db, "SELECT * FROM findings"))


def test_panel_rule_results_and_messages(panel_corpus):
    db = panel_corpus[0]
    rr = query(db, """SELECT rule_id, count(DISTINCT report_id) AS reports, sum(evaluated) AS evaluated
                      FROM rule_results WHERE rule_id IN ('XY_CARRY_OVER', 'XY_T2_STOCK', 'XY_COPY', 'TEXT_TABLE',
                      'YEAR_MISMATCH') GROUP BY 1""").set_index("rule_id")
    assert (rr.reports == 144).all()                       # every report checked by every panel rule
    assert rr.loc["XY_COPY", "evaluated"] == 36 * 3         # every year with a previous year
    assert rr.loc["YEAR_MISMATCH", "evaluated"] == 144      # every generated text names its year
    msgs = query(db, "SELECT rule_id, message FROM findings WHERE status = 'fail'")
    for rule, m in msgs.itertuples(index=False):
        assert m and re.search(r"[\u4e00-\u9fff]", m), (rule, m)
    tt = msgs[msgs.rule_id == "TEXT_TABLE"].message
    assert tt.str.startswith("正文称「").all() and tt.str.contains("表[三四]").all()


def test_same_batch_twice_changes_nothing(panel_corpus, tmp_path):
    db, _, _ = panel_corpus
    copy = tmp_path / "again.duckdb"
    copy.write_bytes(db.read_bytes())
    before = {t: query(copy, f"SELECT count(*) AS n FROM {t}").n[0] for t in ("findings", "rule_results", "statements")}
    batch = parse_chunk(discover([db.parent / "harvest"]), frozenset()).batch
    s = _write(copy, "r2", batch, minutes=5)
    assert (s.findings_new, s.findings_resolved) == (0, 0)
    assert {t: query(copy, f"SELECT count(*) AS n FROM {t}").n[0] for t in before} == before


def test_text_rules_and_panel_inputs_in_slices_give_the_warehouse_of_one_piece(panel_corpus, tmp_path, monkeypatch):
    """A large run evaluates TEXT_TABLE and YEAR_MISMATCH in slices of new reports (panel.TEXT_SLICE) and
    inserts the panel inputs in slices (operands.INPUT_SLICE), so that DuckDB's memory stays bounded; forced to
    slices of 7 reports here, the warehouse equals the one evaluated in one piece."""
    from support import contents

    from gongkai.warehouse import panel
    from gongkai.warehouse.panel import operands

    db, _, _ = panel_corpus
    monkeypatch.setattr(panel, "TEXT_SLICE", 7)
    monkeypatch.setattr(operands, "INPUT_SLICE", 7)
    sliced = tmp_path / "sliced.duckdb"
    batch = parse_chunk(discover([db.parent / "harvest"]), frozenset()).batch
    _write(sliced, "r1", batch)
    assert query(sliced, "SELECT count(*) AS n FROM findings WHERE rule_id = 'TEXT_TABLE'").n[0] >= 20
    assert contents(sliced) == contents(db)
