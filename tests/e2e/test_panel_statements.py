"""Panel rules, the narrative side: numbers stated in the narrative (gongkai.statements, pure) — every
phrasing of the module docstring's table as a concrete sentence, the report year, Chinese numerals, what is
conservatively not read — and the statements frame of the seed and of generated reports (all renderings)."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from gongkai.report import batch as frames
from gongkai.report import statements
from gongkai.report.narrative import statements_frame
from gongkai.report.read import parse_bytes
from gongkai.report.statements import FACTS, chinese_number, extract
from gongkai.report.year import report_year
from gongkai.synth import make_report, render_html, render_text

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
