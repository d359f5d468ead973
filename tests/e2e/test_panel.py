"""Panel rules: numbers stated in the narrative (gongkai.statements, pure) and the SQL rules over the
agency × year panel of the warehouse (gongkai.warehouse.panel: XY_CARRY_OVER, XY_T2_STOCK, XY_COPY,
TEXT_TABLE, YEAR_MISMATCH), including re-evaluation when a neighbouring year's report arrives or is
replaced."""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from gongkai.app.pipeline import apply_manifest, parse_chunk
from gongkai.checks import CheckResult
from gongkai.checks import catalogue as checks_catalogue
from gongkai.findings import finding_ids
from gongkai.ingest.discover import discover
from gongkai.report import batch as frames
from gongkai.report import fingerprints, statements
from gongkai.report.narrative import statements_frame
from gongkai.report.read import parse_bytes
from gongkai.report.statements import FACTS, chinese_number, extract
from gongkai.report.year import report_year
from gongkai.synth import make_report, render_html, render_text, write_corpus
from gongkai.synth.report import SynthReport
from gongkai.warehouse import connect_readonly
from gongkai.warehouse import query as _query
from gongkai.warehouse.write import RunRecord, write_run


def query(db, sql):
    return _query(db, sql).df()


def _no_checks() -> CheckResult:
    """A checks result with no findings (the panel rules are what these tests look at)."""
    return CheckResult(pd.DataFrame(), pd.DataFrame(), checks_catalogue())

PANEL_RULES = ("XY_CARRY_OVER", "XY_T2_STOCK", "XY_COPY", "TEXT_TABLE", "YEAR_MISMATCH")
T0 = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)

# ------------------------------------------------------------------------------------------------
# statements: every phrasing of the module docstring's table, as a concrete sentence

PHRASINGS = {  # phrasing as listed in the docstring → (a sentence using it, expected statements)
    "全年共收到政府信息公开申请26件": ("全年共收到政府信息公开申请26件。", [("received", 26)]),
    "本年度受理三十二件": ("本年度受理三十二件。", [("received", 32)]),
    "新收政府信息公开申请5件": ("本年新收政府信息公开申请5件。", [("received", 5)]),
    "共收到依申请信息公开26件": ("2023年度我局共收到依申请信息公开26件，及时回复申请人。", [("received", 26)]),
    "全年未收到信息公开申请": ("全年未收到信息公开申请。", [("received", 0)]),
    "未收到政府信息公开申请": ("2021年，办事处未收到政府信息公开申请。", [("received", 0)]),
    "上年结转2件": ("上年结转2件。", [("carried_over", 2)]),
    "含上年度结转申请34件": ("答复3050件（含上年度结转申请34件）。", [("processed", 3050), ("carried_over", 34)]),
    "办结25件": ("办结25件。", [("processed", 25)]),
    "答复3050件": ("全年答复3050件。", [("processed", 3050)]),
    "结转下年度继续办理3件": ("结转下年度继续办理3件。", [("carried_forward", 3)]),
    "另有103件顺延到下年度答复": ("另有103件顺延到下年度答复。", [("carried_forward", 103)]),
    "其中予以公开10件": ("办结25件，其中予以公开10件。", [("processed", 25), ("granted", 10)]),
    "部分公开3件": ("其中予以公开10件，部分公开3件。", [("granted", 10), ("partially_granted", 3)]),
    "予以公开及部分公开258件": ("予以公开及部分公开258件。", [("granted_or_partial", 258)]),
    "公开和部分公开12件": ("公开和部分公开12件。", [("granted_or_partial", 12)]),
    "被申请行政复议2件": ("2023年，我局因政府信息公开被申请行政复议2件。", [("review", 2)]),
    "政府信息公开行政复议351件": ("政府信息公开行政复议351件，其中结果维持72件，结果纠正64件。", [("review", 351)]),
    "未发生…行政复议": ("全年未发生政府信息公开行政复议案件。", [("review", 0)]),
    "未被申请行政复议": ("本机关未被申请行政复议。", [("review", 0)]),
    "被提起行政诉讼1件": ("被提起行政诉讼1件。", [("litigation", 1)]),
    "政府信息公开行政诉讼46件": ("政府信息公开行政诉讼46件，其中结果维持25件。", [("litigation", 46)]),
    "未发生…行政诉讼": ("未发生因政府信息公开引起的行政诉讼。", [("litigation", 0)]),
}
YEAR_PHRASINGS = {
    "统计时限为2023年1月1日至2023年12月31日": ("本报告统计时限为2023年1月1日至2023年12月31日。", 2023),
    "2023年，我局…": ("2023年，我局坚持以公开为常态。", 2023),
    "2023年度": ("2023年度，我局未收取信息处理费。", 2023),
}


def _docstring_phrasings() -> dict[str, list[str]]:
    """fact → phrasings, read from the table in gongkai.statements' docstring."""
    out: dict[str, list[str]] = {}
    fact = None
    for line in statements.__doc__.splitlines():
        m = re.match(r"^\|\s*([a-z_]*)\s*\|\s*(.*?)\s*\|\s*(.*?)\s*\|$", line)
        if not m or set(m.group(2)) <= {"-"} or m.group(1) == "fact":
            continue
        fact = m.group(1) or fact
        for p in m.group(2).split(" · "):
            p = p.strip().removesuffix("→ 0").strip().rstrip("·").strip()
            if p:
                out.setdefault(fact, []).append(p)
    return out


def test_every_docstring_phrasing_has_a_test():
    listed = _docstring_phrasings()
    assert set(listed) == set(FACTS) | {"report_year"}
    for fact, phrasings in listed.items():
        known = YEAR_PHRASINGS if fact == "report_year" else PHRASINGS
        for p in phrasings:
            assert p in known, (fact, p)


@pytest.mark.parametrize("phrasing", list(PHRASINGS))
def test_phrasing(phrasing):
    text, want = PHRASINGS[phrasing]
    got = [(f, v) for f, v, _ in extract(text)]
    assert got == [(f, float(v)) for f, v in want]


@pytest.mark.parametrize("phrasing", list(YEAR_PHRASINGS))
def test_year_phrasing(phrasing):
    text, year = YEAR_PHRASINGS[phrasing]
    assert report_year(text) == year


def test_zero_phrasings_of_the_seed():
    got = extract("全年共主动发布政府信息120余条；全年未收到信息公开申请；"
                  "全年未发生有关政务公开事务的行政复议案和行政诉讼案。")
    assert [(f, v) for f, v, _ in got] == [("received", 0), ("review", 0), ("litigation", 0)]
    both = extract("2021年，办事处未发生因政府信息公开工作而申请行政复议和提起行政诉讼、行政申诉的事项。")
    assert [(f, v) for f, v, _ in both] == [("review", 0), ("litigation", 0)]
    assert both[0][2].startswith("2021年，办事处未发生")        # the sentence is quoted


def test_compatibility_characters_read_as_their_normal_forms():
    """PDF text layers carry compatibility forms (the Kangxi radical ⽆ for 无, ｡ ﹔ for 。 ;, full-width digits):
    read exactly as the normal text, though only sentences that may hold a statement are normalised."""
    plain = "本年度共收到政府信息公开申请12件。上年结转2件;全年无政府信息公开行政复议案件。"
    compat = "本年度共收到政府信息公开申请１２件｡上年结转2件﹔全年⽆政府信息公开行政复议案件。"
    assert extract(compat) == extract(plain) == [
        ("received", 12.0, "本年度共收到政府信息公开申请12件"), ("carried_over", 2.0, "上年结转2件"),
        ("review", 0.0, "全年无政府信息公开行政复议案件")]


def test_real_municipal_sentence():
    """淮安市 2024 (corpus/real): one sentence restating 一, （七）, 二 and 四, then 表四 with its breakdown."""
    text = ("2024 年，全市共受理政府信息公开申请 3119 件，答\n复 3050 件（含上年度结转申请 34 件，另有 103 件顺延到下年度\n答复）".replace("\n", "")
            + "，均在法定期限内予以答复。政府信息公开行政复议 351 件，其中结果维持 72 件，结果纠正 64 件，其他结果 178 件，尚"
              "未审结 37 件；政府信息公开行政诉讼 46 件，其中结果维持 25 件，结果纠正 5 件，其他结果 9 件，尚未审结 7 件。")
    assert [(f, v) for f, v, _ in extract(text)] == [
        ("received", 3119), ("processed", 3050), ("carried_over", 34), ("carried_forward", 103),
        ("review", 351), ("litigation", 46)]


@pytest.mark.parametrize("text", [
    "收到申请同比增长20%，共26件。",                      # percentage / comparison
    "全年受理申请较上年增加5件。",
    "收到申请20余件。",                                  # approximate
    "共收到申请近30件。",
    "全年共主动公开政府信息120条。",                      # 条 of 主动公开
    "行政复议和行政诉讼各1件。",                          # two kinds in one lead
    "收到并办结申请26件。",
    "各乡镇共收到政府信息公开申请300件。",                # sub-units
    "全年受理网络问政182件。",                            # not an application
    "收到人大建议和政协提案26件。",
    "未收到一件申请。",                                  # a negated count
    "未发生行政复议纠错情况。",                           # negation of something else
    "一是强化领导，二是完善制度。",                       # numerals that are not counts
    "统一受理。",
])
def test_conservative_nothing_read(text):
    assert extract(text) == []


def test_same_fact_twice_or_received_including_carried_over():
    assert [(f, v) for f, v, _ in extract("共受理申请28件，其中本年新收26件，上年结转2件。")] == [("carried_over", 2)]
    assert [(f, v) for f, v, _ in extract("共收到申请28件（含上年结转2件）。")] == [("carried_over", 2)]
    # the same value twice in one sentence is one statement
    assert [(f, v) for f, v, _ in extract("收到申请26件，即收到申请26件。")] == [("received", 26)]


@pytest.mark.parametrize("cn, n", [("三十二", 32), ("一百零五", 105), ("两", 2), ("十", 10), ("十五", 15),
                                   ("二十", 20), ("一千二百", 1200), ("零", 0), ("一万零三", 10003),
                                   ("三五", None), ("百", 100)])
def test_chinese_numerals(cn, n):
    assert chinese_number(cn) == n


def test_chinese_numerals_and_full_width_digits_in_text():
    assert [(f, v) for f, v, _ in extract("收到申请一百零五件，办结一百件，两件结转下年度。")] == [
        ("received", 105), ("processed", 100), ("carried_forward", 2)]
    assert [(f, v) for f, v, _ in extract("共收到申请１，２３４件。")] == [("received", 1234)]


def test_report_year_rules():
    assert report_year("统计期限自2023年1月1日起至2023年12月31日止。2022年，我局…") == 2023   # the period wins
    assert report_year("（一）概况\n2023年，我局…。\n2023年度我局共收到…。\n2024年，我局将…。\n2023年，我局…。") == 2023
    assert report_year("2022年，我局…。2023年，我局…。") is None                             # no clear year
    assert report_year("2023年1月，我局印发…。") is None                                       # a date, not the year
    assert report_year("我局认真贯彻条例。") is None


def test_statements_frame_on_the_seed(seed_bytes):
    batch = frames.build([parse_bytes("wuxing_office_2021.txt", seed_bytes)])
    st = statements_frame(batch)
    assert list(st.columns) == ["report_id", "fact", "value", "sentence"]
    assert st.dtypes["value"] == "float64"
    got = Counter(zip(st.fact, st.value))
    assert got == Counter({("received", 0.0): 2, ("review", 0.0): 2, ("litigation", 0.0): 2, ("report_year", 2021.0): 1})


def test_synth_narratives_are_read_exactly():
    """On generated reports (all renderings) the extractor reads exactly what the generator states."""
    key = {f"{f.table_id}|{f.row_key}|{f.col_key}": k for k, f in FACTS.items()}
    reps, truth = [], {}
    for i in range(120):
        prev = None
        for year in (2020, 2021, 2022):
            r = make_report(i, f"测试县第{i}局", year, prev=prev)
            prev = r
            data = (render_text(r), render_html(r), render_html(r, portal=True, encoding="gbk"))[i % 3]
            p = parse_bytes(f"r{i}_{year}.{'txt' if i % 3 == 0 else 'html'}", data)
            reps.append(p)
            truth[p.report_id] = ({(key[k], v) for k, v in r.stated.items()}, year)
    st = statements_frame(frames.build(reps))
    for rid, (want, year) in truth.items():
        s = st[st.report_id == rid]
        assert {(f, v) for f, v in zip(s.fact, s.value) if f != "report_year"} == want
        assert s[s.fact == "report_year"].value.tolist() == [year]


def test_fingerprints():
    r = make_report(1, "测试局", 2023)
    other = dict(r.cells)
    k = ("t3", "granted", "natural_person")
    other[k] = "１" if other[k] == "1" else "1"          # one raw text differs
    a = parse_bytes("a.txt", render_text(r))
    b = parse_bytes("b.html", render_html(r))            # same cells, same text, other rendering
    c = parse_bytes("c.txt", render_text(dataclasses.replace(r, cells=other)))
    fp = fingerprints.fingerprints_frame(frames.build([a, b, c])).set_index("report_id")
    fa, fb, fc = (fp.loc[x.report_id] for x in (a, b, c))
    assert (fa.cells, fa.cells_digest, fa.text_chars) == (fb.cells, fb.cells_digest, fb.text_chars) == (200, fa.cells_digest, fa.text_chars)
    assert fa.text_sketch == fb.text_sketch and len(fa.text_sketch) == fingerprints.SKETCH_K and fa.text_chars >= 200
    assert fc.cells_digest != fa.cells_digest
    # the digest does not depend on the order of the cells
    cells = frames.build([a]).cells
    shuffled = cells.sample(frac=1, random_state=1)
    assert fingerprints.cells_digests(shuffled).cells_digest.item() == fa.cells_digest


def test_sketch_estimates_jaccard():
    """Bottom-k sketches of a copy (only the year changed) share nearly all hashes; honest years share few."""
    a, b = _chain_texts(3, "测试县人民政府办公室", copy=True)
    c, d = _chain_texts(4, "测试县人民政府办公室", copy=False)
    share = lambda x, y: len(set(fingerprints.text_sketch(x)) & set(fingerprints.text_sketch(y))) / fingerprints.SKETCH_K  # noqa: E731
    assert share(a, b) >= 0.8 > share(c, d)


def _chain_texts(seed: int, agency: str, copy: bool) -> tuple[str, str]:
    r22 = make_report(seed, agency, 2022)
    r23 = make_report(seed, agency, 2023, ("copy_text",) if copy else (), prev=r22)
    return tuple(fingerprints.comparable_text(t for _, _, t in r.sections) for r in (r22, r23))


# ------------------------------------------------------------------------------------------------
# warehouse

def test_panel_finding_ids_are_the_assemblers(db):
    """Panel findings get their ids from gongkai.findings.finding_ids (the one implementation)."""
    r22, r23 = _chain(1, "测试县财政局", [2022, 2023], {2023: ("carry_over_break",)})
    _write(db, "r1", frames.build([_parsed(r22, "ID"), _parsed(r23, "ID")]))
    f = query(db, "SELECT * FROM findings")
    assert len(f) > 0
    assert list(finding_ids(f.report_id, f.rule_id, f.table_id, f.row_key, f.col_key)) == f.finding_id.tolist()


def _run(run_id: str, minutes: int = 0) -> RunRecord:
    return RunRecord(run_id, None, T0 + timedelta(minutes=minutes), "harvest", 0, 0)


def _write(db: Path, run_id: str, batch: frames.Batch, minutes: int = 0, with_statements: bool = True):
    return write_run(db, _run(run_id, minutes), batch.with_derived() if with_statements else batch, _no_checks())


def _parsed(r: SynthReport, agency_id: str, rendering: str = "txt", tag: str = "") -> ParsedReport:  # noqa: F821
    data = render_text(r) if rendering == "txt" else render_html(r, portal=rendering == "portal")
    if tag:   # different bytes, same content (a re-published file)
        data = data + f"\n<!-- {tag} -->\n".encode() if rendering != "txt" else data + f"\n{tag}\n".encode()
    p = parse_bytes(f"harvest/{agency_id}_{r.year}{tag}.{'txt' if rendering == 'txt' else 'html'}", data)
    apply_manifest(p, {"agency": r.agency, "agency_id": agency_id, "year": r.year})
    return p


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


def test_seed_text_against_zero_and_non_zero_tables(db, seed_bytes):
    seed = parse_bytes("harvest/wuxing_office_2021.txt", seed_bytes)
    _write(db, "r1", frames.build([seed]))
    assert query(db, "SELECT count(*) AS n FROM findings WHERE rule_id IN ('TEXT_TABLE', 'YEAR_MISMATCH')").n[0] == 0
    rr = query(db, "SELECT rule_id, evaluated, failed, not_assessable FROM rule_results "
                   "WHERE rule_id IN ('TEXT_TABLE', 'YEAR_MISMATCH') ORDER BY 1")
    assert rr.values.tolist() == [["TEXT_TABLE", 3, 0, 0], ["YEAR_MISMATCH", 1, 0, 0]]   # 一, 复议, 诉讼 / the year
    # the same text over a table whose 一 row is non-zero: "全年未收到信息公开申请" contradicts it
    row = "\t一、本年新收政府信息公开申请数量\n" + "\t0\n" * 7
    assert row in seed_bytes.decode("utf-8")
    edited = seed_bytes.decode("utf-8").replace(row, "\t一、本年新收政府信息公开申请数量\n\t3\n" + "\t0\n" * 5 + "\t3\n")
    other = parse_bytes("harvest/wuxing_office_2021_edited.txt", edited.encode("utf-8"))
    _write(db, "r2", frames.build([other]), minutes=1)
    f = query(db, f"SELECT table_id, row_key, col_key, expected, observed, status, message FROM findings "
                  f"WHERE rule_id = 'TEXT_TABLE' AND report_id = '{other.report_id}'")
    assert f[["table_id", "row_key", "col_key", "expected", "observed", "status"]].values.tolist() == [
        ["t3", "new_received", "total", 3.0, 0.0, "fail"]]
    assert "未收到信息公开申请" in f.message[0] and "总计" in f.message[0]


def test_without_statements_text_rules_are_not_evaluated(db, seed_bytes):
    _write(db, "r1", frames.build([parse_bytes("harvest/s.txt", seed_bytes)]), with_statements=False)
    assert query(db, "SELECT count(*) AS n FROM rule_results WHERE rule_id IN ('TEXT_TABLE', 'YEAR_MISMATCH')").n[0] == 0
    assert query(db, "SELECT count(*) AS n FROM statements").n[0] == 0
    assert query(db, "SELECT count(*) AS n FROM rule_results WHERE rule_id = 'XY_COPY'").n[0] == 1   # evaluated 0


def _chain(seed: int, agency: str, years: list[int], defects: dict[int, tuple] | None = None) -> list[SynthReport]:
    out, prev = [], None
    for y in years:
        prev = make_report(seed, agency, y, (defects or {}).get(y, ()), prev=prev)
        out.append(prev)
    return out


def _findings(db: Path, rule: str, table: str = "findings_current") -> pd.DataFrame:
    return query(db, f"SELECT f.*, r.year AS report_year FROM {table} AS f JOIN reports AS r USING (report_id) "
                     f"WHERE f.rule_id = '{rule}' ORDER BY report_year, col_key")


def test_late_previous_year_report_triggers_next_year(db):
    r22, r23, r24 = _chain(3, "测试县民政局", [2022, 2023, 2024], {2023: ("carry_over_break",)})
    _write(db, "r1", frames.build([_parsed(r23, "A"), _parsed(r24, "A")]))
    assert _findings(db, "XY_CARRY_OVER").empty                       # 2022 not there yet
    assert query(db, "SELECT evaluated FROM rule_results WHERE rule_id = 'XY_CARRY_OVER' ORDER BY evaluated").evaluated.tolist() == [0, 7]
    s = _write(db, "r2", frames.build([_parsed(r22, "A")]), minutes=1)
    f = _findings(db, "XY_CARRY_OVER")
    assert set(f.report_year) == {2023} and set(f.run_id) == {"r2"} and len(f) == 2   # one column and 总计
    assert s.findings_new == 2
    latest = query(db, """SELECT r.year, rr.evaluated, rr.failed FROM rule_results AS rr JOIN reports AS r USING (report_id)
                          WHERE rr.rule_id = 'XY_CARRY_OVER' AND rr.run_id = 'r2' ORDER BY 1""")
    assert latest.values.tolist() == [[2022, 0, 0], [2023, 7, 2]]   # 2024 unchanged: no new row


def test_replaced_previous_year_report_resolves_stale_finding(db):
    r22, r23 = _chain(5, "测试县财政局", [2022, 2023])
    key = ("t3", "carried_forward", "natural_person")
    typo = dict(r22.cells)
    typo[key] = str(int(float(typo[key])) + 4)                      # 2022 v1 misprints one 结转下年度 cell
    v1 = dataclasses.replace(r22, cells=typo)
    _write(db, "r1", frames.build([_parsed(v1, "B"), _parsed(r23, "B")]))
    stale = _findings(db, "XY_CARRY_OVER")
    assert stale.col_key.tolist() == ["natural_person"] and stale.report_year.tolist() == [2023]
    fid = stale.finding_id[0]

    s = _write(db, "r2", frames.build([_parsed(r22, "B")]), minutes=1)   # corrected 2022 report
    assert s.findings_resolved == 1
    assert _findings(db, "XY_CARRY_OVER").empty
    kept = query(db, f"SELECT run_id, resolved_run_id FROM findings WHERE finding_id = '{fid}'")
    assert kept.values.tolist() == [["r1", "r2"]]
    assert query(db, "SELECT findings_resolved FROM runs WHERE run_id = 'r2'").findings_resolved[0] == 1
    sc = query(db, "SELECT errors FROM report_scorecard WHERE year = 2023").errors[0]
    assert sc == 0
    rr = query(db, """SELECT rr.run_id, rr.failed FROM rule_results rr JOIN reports r USING (report_id)
                      WHERE r.year = 2023 AND rr.rule_id = 'XY_CARRY_OVER' ORDER BY rr.run_id""")
    assert rr.values.tolist() == [["r1", 1], ["r2", 0]]

    # a third version repeating the misprint reopens the same finding
    _write(db, "r3", frames.build([_parsed(v1, "B", tag="v3")]), minutes=2)
    again = _findings(db, "XY_CARRY_OVER")
    assert again.finding_id.tolist() == [fid]
    assert query(db, f"SELECT resolved_run_id FROM findings WHERE finding_id = '{fid}'").resolved_run_id.isna().all()


def test_t2_stock_and_format_change(db):
    r20, r21, r22 = _chain(7, "测试县教育局", [2020, 2021, 2022])
    assert (r20.version, r21.version) == ("2019", "2021")
    bad = dict(r22.cells)
    k = ("t2", "normative_docs", "in_force")
    bad[k] = str(int(float(bad[k])) + 2)
    r22 = dataclasses.replace(r22, cells=bad)
    _write(db, "r1", frames.build([_parsed(r, "C") for r in (r20, r21, r22)]))
    f = _findings(db, "XY_T2_STOCK")
    assert f[["report_year", "row_key", "col_key", "status"]].values.tolist() == [[2022, "normative_docs", "in_force", "fail"]]
    assert f.observed[0] - f.expected[0] == 2
    # 2019 → 2021: carry-over is checked across the format change (clean here), 表二 stock is not
    rr = query(db, """SELECT r.year, rr.rule_id, rr.evaluated FROM rule_results rr JOIN reports r USING (report_id)
                      WHERE rr.rule_id IN ('XY_CARRY_OVER', 'XY_T2_STOCK') ORDER BY 1, 2""")
    assert rr.values.tolist() == [[2020, "XY_CARRY_OVER", 0], [2020, "XY_T2_STOCK", 0], [2021, "XY_CARRY_OVER", 7],
                                  [2021, "XY_T2_STOCK", 0], [2022, "XY_CARRY_OVER", 7], [2022, "XY_T2_STOCK", 2]]
    assert _findings(db, "XY_CARRY_OVER").empty


def test_carry_over_blank_operand_is_not_assessable(db):
    r22, r23 = _chain(9, "测试县商务局", [2022, 2023])
    blank = dict(r23.cells)
    blank[("t3", "carried_over", "research")] = None
    _write(db, "r1", frames.build([_parsed(r22, "D"), _parsed(dataclasses.replace(r23, cells=blank), "D")]))
    f = _findings(db, "XY_CARRY_OVER")
    assert f[["col_key", "status"]].values.tolist() == [["research", "not_assessable"]]
    assert f.expected.isna().all() and "空白" in f.message[0] and "无法核对" in f.message[0]


def test_year_mismatch(db):
    r = make_report(2, "测试县审计局", 2022)
    p = parse_bytes("harvest/x.txt", render_text(r))
    apply_manifest(p, {"year": 2023, "agency_id": "E"})       # filed under 2023, the text reports on 2022
    _write(db, "r1", frames.build([p]))
    f = _findings(db, "YEAR_MISMATCH")
    assert f[["expected", "observed", "status"]].values.tolist() == [[2023.0, 2022.0, "fail"]]
    assert f.table_id.isna().all() and "2022年" in f.message[0]


def test_copy_by_text_only(db):
    r22, r23 = _chain(4, "测试县水利局", [2022, 2023], {2023: ("copy_text",)})
    _write(db, "r1", frames.build([_parsed(r22, "F"), _parsed(r23, "F")]))
    f = _findings(db, "XY_COPY")
    assert len(f) == 1 and f.observed[0] >= 0.9 and "正文" in f.message[0] and "逐格相同" not in f.message[0]


def test_all_zero_tables_are_not_a_copy_but_a_repeated_text_is(db, seed_bytes):
    """A small office with nothing to report prints the same all-zero tables every year: that alone is not
    雷同 (fewer than 5 non-zero numbers). Its text repeated with only the year changed is."""
    a = parse_bytes("harvest/w2021.txt", seed_bytes)
    b = parse_bytes("harvest/w2022.txt", seed_bytes.replace(b"2021", b"2022"))
    for p, y in ((a, 2021), (b, 2022)):
        apply_manifest(p, {"agency_id": "W", "year": y})
    _write(db, "r1", frames.build([a, b]))
    f = _findings(db, "XY_COPY")
    assert len(f) == 1 and f.observed[0] > 0.95
    assert "正文" in f.message[0] and "逐格相同" not in f.message[0]


def test_panel_tables_are_documented(db, seed_bytes):
    _write(db, "r1", frames.build([parse_bytes("harvest/s.txt", seed_bytes)]))
    con = connect_readonly(db)
    try:
        tables = dict(con.execute("SELECT table_name, comment FROM duckdb_tables() "
                                  "WHERE table_name IN ('statements', 'panel_inputs')").fetchall())
        cols = con.execute("""SELECT table_name, column_name, comment FROM duckdb_columns()
                              WHERE table_name IN ('statements', 'panel_inputs', 'findings', 'runs',
                                                   'findings_current', 'report_scorecard')""").df()
    finally:
        con.close()
    assert set(tables) == {"statements", "panel_inputs"} and all(tables.values())
    assert cols.comment.notna().all() and (cols.comment != "").all()
    assert {"resolved_run_id"} <= set(cols[cols.table_name == "findings"].column_name)


def test_reports_loaded_before_0003_are_backfilled(db):
    """A warehouse whose older reports have no panel inputs (loaded before migration 0003): the run that
    needs them computes them from cells and sections, and the cross-year rules work as usual."""
    from gongkai.warehouse.write import publishing
    r22, r23 = _chain(6, "测试县统计局", [2022, 2023], {2023: ("carry_over_break",)})
    _write(db, "r1", frames.build([_parsed(r22, "G")]))
    with publishing(db) as con:
        con.execute("DELETE FROM panel_inputs")
    _write(db, "r2", frames.build([_parsed(r23, "G")]), minutes=1)
    assert len(_findings(db, "XY_CARRY_OVER")) == 2
    got = query(db, "SELECT r.year, len(p.panel_cells) AS n, p.cells FROM panel_inputs p JOIN reports r USING (report_id) ORDER BY 1")
    assert got.values.tolist() == [[2022, 20, 200], [2023, 20, 200]]


def test_statements_of_an_identical_file_at_two_paths_load_once(db, seed_bytes):
    """The same bytes at two paths in two parse chunks: the chunks' statements are concatenated as the flow
    does, and the report's statements are loaded once."""
    a = parse_bytes("harvest/a.txt", seed_bytes)
    b = parse_bytes("harvest/copy/a.txt", seed_bytes)
    chunks = [frames.build([a]).with_derived(), frames.build([b]).with_derived()]
    batch = frames.Batch.concat(chunks)
    assert len(batch.statements) == 14
    write_run(db, _run("r1"), batch, _no_checks())
    assert query(db, "SELECT seq FROM statements ORDER BY seq").seq.tolist() == list(range(1, 8))


def test_text_against_a_blank_cell_is_not_assessable(db):
    r = make_report(18, "测试县司法局", 2023)
    new = r.stated["t3|new_received|total"]
    assert new > 0
    blank = dict(r.cells)
    blank[("t3", "new_received", "total")] = None           # the text still says 收到…申请N件
    _write(db, "r1", frames.build([_parsed(dataclasses.replace(r, cells=blank), "H")]))
    f = _findings(db, "TEXT_TABLE")
    assert f[["row_key", "col_key", "status"]].values.tolist() == [["new_received", "total", "not_assessable"]]
    assert f.expected.isna().all() and f.observed.isna().all()
    assert "为空白" in f.message[0] and "无法核对" in f.message[0] and f"{int(new)}件" in f.message[0]


def test_panel_inputs_stored_before_a_new_operand_still_evaluate(db):
    """Operands are stored by name with the keys captured: a row that lacks a key the rules now read (written
    before the operand was added) is recomputed from cells, so the rule evaluates as usual."""
    from gongkai.warehouse.write import publishing
    r22, r23 = _chain(7, "测试县水务局", [2022, 2023], {2023: ("carry_over_break",)})
    _write(db, "r1", frames.build([_parsed(r22, "K")]))
    with publishing(db) as con:     # as if 't3.carried_forward.total' had been added after r1
        con.execute("""UPDATE panel_inputs SET
                           panel_cells = list_filter(panel_cells, lambda x: x.key <> 't3.carried_forward.total'),
                           panel_keys = list_filter(panel_keys, lambda k: k <> 't3.carried_forward.total')""")
    _write(db, "r2", frames.build([_parsed(r23, "K")]), minutes=1)
    assert len(_findings(db, "XY_CARRY_OVER")) == 2
    rr = query(db, "SELECT evaluated FROM rule_results WHERE rule_id = 'XY_CARRY_OVER' ORDER BY evaluated")
    assert rr.evaluated.tolist() == [0, 7]
    keys = query(db, "SELECT list_contains(panel_keys, 't3.carried_forward.total') AS k FROM panel_inputs")
    assert keys.k.all()


# ------------------------------------------------------------------------------------------------
# XY_COPY on values: a copy re-rendered in another format

def _render(r: SynthReport, rendering: str, agency_id: str) -> ParsedReport:  # noqa: F821
    from gongkai.synth import render_pdf
    from gongkai.synth.render_docx import render_docx
    data, ext = {
        "txt": lambda: (render_text(r), "txt"),
        "html": lambda: (render_html(r), "html"),
        "gbk": lambda: (render_html(r, portal=True, encoding="gbk", fullwidth_cells=True), "html"),  # １２ in cells
        "docx": lambda: (render_docx(r), "docx"),
        "pdf": lambda: (render_pdf(r), "pdf"),
    }[rendering]()
    p = parse_bytes(f"harvest/{agency_id}_{r.year}_{rendering}.{ext}", data)
    apply_manifest(p, {"agency": r.agency, "agency_id": agency_id, "year": r.year})
    return p


CROSS_RENDERINGS = [("html", "txt"), ("txt", "gbk"), ("gbk", "docx"), ("docx", "pdf"), ("pdf", "html")]


@pytest.mark.parametrize("last, this", CROSS_RENDERINGS, ids=[f"{a}-{b}" for a, b in CROSS_RENDERINGS])
def test_table_copy_is_found_whatever_the_two_renderings(db, last, this):
    """The generator's copy (copy_previous: every cell as printed last year) rendered in another format than
    last year's report: equal digests on values, XY_COPY fires on the tables; the honest next year of the same
    agency, in the same two renderings, is no copy."""
    r22 = make_report(11, "测试县水利局", 2022)
    copy = make_report(11, "测试县水利局", 2023, ("copy_previous",), prev=r22)
    honest = make_report(11, "测试县林业局", 2023, prev=make_report(11, "测试县林业局", 2022))
    prev_honest = make_report(11, "测试县林业局", 2022)
    _write(db, "r1", frames.build([_render(r22, last, "C1"), _render(copy, this, "C1"),
                                   _render(prev_honest, last, "C2"), _render(honest, this, "C2")]))
    f = _findings(db, "XY_COPY")
    assert f[f.status == "fail"].agency_id.tolist() == ["C1"], f.message.tolist()
    assert "逐格相同" in f.message[0] and "正文" not in f.message[0]
    assert query(db, "SELECT DISTINCT digest_version FROM panel_inputs").digest_version.tolist() == [2]


def test_digests_of_rows_written_before_0008_are_recomputed_not_compared(db):
    """A panel_inputs row written before migration 0008 (digest_version NULL, the raw-text digest) is never
    compared with a digest on values: the run that reads it recomputes it, and the copy is found."""
    r22 = make_report(12, "测试县交通局", 2022)
    r23 = make_report(12, "测试县交通局", 2023, ("copy_previous",), prev=r22)
    _write(db, "r1", frames.build([_render(r22, "html", "V")]))
    from gongkai.warehouse.write import publishing
    with publishing(db) as con:
        good = con.execute("SELECT cells_digest FROM panel_inputs").fetchall()[0][0]
        con.execute("UPDATE panel_inputs SET digest_version = NULL, cells_digest = 'f00dfeedf00dfeed'")
    _write(db, "r2", frames.build([_render(r23, "gbk", "V")]), minutes=1)
    f = _findings(db, "XY_COPY")
    assert len(f) == 1 and "逐格相同" in f.message[0]
    got = query(db, "SELECT DISTINCT cells_digest, digest_version FROM panel_inputs")
    assert got.values.tolist() == [[good, 2]]
