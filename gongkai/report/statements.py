"""Numbers the narrative states (pure Python): the facts (FACTS) and how a text states them.

    extract(text)              → [(fact, value, sentence)] of one text

Read from the sections of a report that gongkai.report.narrative.statements_frame names. Facts and the table
cells they restate (FORMAT.md "Across years and against the text"; the report_year row is read by
gongkai.report.year):

| fact               | phrasings (examples)                                         | table cell(s) compared            |
|--------------------|--------------------------------------------------------------|-----------------------------------|
| received           | 全年共收到政府信息公开申请26件 · 本年度受理三十二件 ·            | t3 new_received / total           |
|                    | 新收政府信息公开申请5件 · 共收到依申请信息公开26件              |                                   |
|                    | 全年未收到信息公开申请 · 未收到政府信息公开申请 → 0              |                                   |
| carried_over       | 上年结转2件 · 含上年度结转申请34件                              | t3 carried_over / total           |
| processed          | 办结25件 · 答复3050件                                          | t3 processed_total / total        |
| carried_forward    | 结转下年度继续办理3件 · 另有103件顺延到下年度答复               | t3 carried_forward / total        |
| granted            | 其中予以公开10件                                               | t3 granted / total                |
| partially_granted  | 部分公开3件                                                    | t3 partially_granted / total      |
| granted_or_partial | 予以公开及部分公开258件 · 公开和部分公开12件                     | t3 granted + partially_granted    |
| review             | 被申请行政复议2件 · 政府信息公开行政复议351件                    | t4 review_total                   |
|                    | 未发生…行政复议 · 未被申请行政复议 → 0                          |                                   |
| litigation         | 被提起行政诉讼1件 · 政府信息公开行政诉讼46件                    | t4 suit_direct_total +            |
|                    | 未发生…行政诉讼 → 0                                            |    suit_after_review_total        |
| report_year        | 统计时限为2023年1月1日至2023年12月31日 · 2023年，我局… · 2023年度 | reports.year (YEAR_MISMATCH)      |

Numbers may be Arabic (full-width too, "1,234") or Chinese (三十二, 一百零五, 两). How a count is read:
the text is cut into sentences (。！？；, line ends) and clauses (，（）); a count is a number followed
by 件 (起/宗 also for review and litigation); its *lead* is the clause text since the previous number.
The lead must name exactly one fact, and only filler words (政府信息公开申请, 共计, 的 …) may stand between
that fact's keyword and the number. Conservative by design — nothing is read from:
  * a sentence with a percentage or a comparison (%, 同比, 较上年, 增长, 下降, 平均, 分别 …) or about
    sub-units (各乡镇, 各部门 …);
  * a count with 余/多/近/约/左右/以上, or in 条/个/次 (主动公开 items are counted in 条);
  * a lead naming two facts ("行政复议和行政诉讼各1件", "收到并办结"), or petitions, complaints,
    suggestions (投诉, 建议, 留言, 问政 …);
  * a fact stated twice with different values in one sentence ("受理28件，其中新收26件"), and a
    received count followed by "（含上年结转…）" (it then includes 二).
A fact stated in several sentences gives one row per sentence (identical rows once).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from gongkai.report.sentences import CLAUSE_SEP, RAW_SENTENCE_END, split_sentences


@dataclass(frozen=True)
class Fact:
    fact: str
    zh: str                                   # what the text states, for messages
    table_id: str
    operands: tuple[tuple[str, str], ...]     # (row_key, col_key) cells summed
    row_key: str                              # the finding's cell key
    col_key: str


def _fact(fact: str, zh: str, table_id: str, *operands: tuple[str, str]) -> Fact:
    return Fact(fact, zh, table_id, operands, "+".join(dict.fromkeys(r for r, _ in operands)),
                "+".join(dict.fromkeys(c for _, c in operands)))


FACTS: dict[str, Fact] = {f.fact: f for f in (
    _fact("received", "本年收到申请数", "t3", ("new_received", "total")),
    _fact("carried_over", "上年结转申请数", "t3", ("carried_over", "total")),
    _fact("processed", "办结（答复）申请数", "t3", ("processed_total", "total")),
    _fact("carried_forward", "结转下年度申请数", "t3", ("carried_forward", "total")),
    _fact("granted", "予以公开数", "t3", ("granted", "total")),
    _fact("partially_granted", "部分公开数", "t3", ("partially_granted", "total")),
    _fact("granted_or_partial", "予以公开及部分公开数", "t3", ("granted", "total"), ("partially_granted", "total")),
    _fact("review", "行政复议数", "t4", ("cases", "review_total")),
    _fact("litigation", "行政诉讼数", "t4", ("cases", "suit_direct_total"), ("cases", "suit_after_review_total")),
)}

# ------------------------------------------------------------------ numbers
_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
_CN = "零〇一二两三四五六七八九十百千万"


def chinese_number(s: str) -> int | None:
    """三十二 → 32, 一百零五 → 105, 两 → 2, 十 → 10, 一千二百 → 1200, 零 → 0; None if not a positional
    number ("三五" = three or five)."""
    if not s or any(ch not in _CN for ch in s):
        return None
    total, section, digit = 0, 0, None
    for ch in s:
        if ch in _CN_DIGIT:
            d = _CN_DIGIT[ch]
            if d == 0:
                continue                                      # 零 as a place holder: 一百零五
            if digit is not None:
                return None
            digit = d
        elif ch in _CN_UNIT:
            section += (1 if digit is None else digit) * _CN_UNIT[ch]
            digit = None
        else:                                                 # 万
            total += (section + (digit or 0)) * 10000
            section, digit = 0, None
    return total + section + (digit or 0)


# a quantity: Arabic or Chinese number, optional 余/多, optional unit
_QTY = re.compile(
    r"(?P<num>\d+(?:,\d{3})*(?:\.\d+)?|[" + _CN + r"]+)(?P<approx>余|多)?"
    r"(?P<unit>件次|人次|件|起|宗|条|个|份|项|次|篇|期|场|万元|元|%|‰|人|家|年|月|日|号|倍|天|小时)?")
_COUNT_UNITS = {"件"}
_CASE_UNITS = {"件", "起", "宗"}
_APPROX_BEFORE = re.compile(r"(?:近|约|超过|逾|将近|大约|不足|不到|至少|多达|上)$")
_APPROX_AFTER = re.compile(r"^(?:左右|以上|以下|之多|多|余)")
_SKIP_SENTENCE = re.compile(
    r"%|‰|百分之|同比|环比|比上年|较上年|比去年|较去年|上一年度相比|与上年相比|增长|下降|上升|减少|增加|增幅|降幅|"
    r"平均|分别|占比|比例|各乡镇|各镇|各街道|各部门|各单位|各县|各区|各地|各级|下属|所属单位")
_EXCLUDE = re.compile(r"投诉|举报|建议|提案|信访|咨询|留言|问政|诉求|来信|来电|热线|来件|意见|依申请公开目录")

_KEYWORDS: dict[str, re.Pattern[str]] = {
    "carried_over": re.compile(r"上一?年度?(?:结转|遗留|未办结)|结转上一?年度?"),
    "carried_forward": re.compile(r"(?:结转|顺延|转入|延续|延期)(?:至|到|入)?(?:下一?年度?|\d{4}年度?)|下一?年度?继续办理"),
    "received": re.compile(r"收到|受理|新收|接收|接到|收悉"),
    "processed": re.compile(r"办结|答复|办理完毕|处理完毕|回复"),
    "granted_or_partial": re.compile(r"(?:予以公开|全部公开|同意公开|公开)(?:及|和|与|、|或|以及)部分公开"),
    "granted": re.compile(r"(?<!不)(?:予以公开|全部公开|同意公开)"),
    "partially_granted": re.compile(r"部分公开"),
    "review": re.compile(r"行政复议"),
    "litigation": re.compile(r"行政诉讼|行政应诉"),
}
# words allowed between a fact's keyword and its number
_FILLER = re.compile(
    r"(?:的|了|共|计|合计|总计|累计|为|有|达到|达|各类|依申请|依|政府|信息|公开|申请|表|事项|案件|案|数量|数|件数|"
    r"被|提起|提出|发生|涉及|相关|方面|继续|办理|处理|并|已|均|全部|本级|本机关)*")
_RECEIVED_ALONE = re.compile(r"(?:收到|受理|新收|接收|接到|收悉)(?:共计?|合计|总计|累计|了)?$")
_INCLUDES = re.compile(r"^(?:其中)?(?:含|包含|包括)")

# zero phrasings, within one clause
_NO_APPLICATION = re.compile(
    r"(?:未|没有|无)(?:收到|受理|接到|接收|新收)[^，]{0,15}?申请(?!人|书|表|材料|补正)"
    r"|(?:无|没有)(?:政府)?信息公开申请|无依申请公开(?:申请|事项)")
_NEGATION = re.compile(r"未发生|没有发生|未出现|未有|未被|没有被|未曾|无(?!论|需|须|法|效|偿)")
_NEGATED = re.compile(r"未|没有|无(?!论)|不足|不到")
_NEGATION_SPOILER = re.compile(r"纠错|纠正|败诉|撤销|确认违法|责任追究|结果|以外|之外|除")


def _fact_of(lead: str) -> str | None:
    """The one fact a lead names (keyword, then only filler up to the number), else None."""
    if _EXCLUDE.search(lead):
        return None
    hits: dict[str, int] = {}
    for fact, pat in _KEYWORDS.items():
        last = None
        for m in pat.finditer(lead):
            last = m
        if last is not None:
            hits[fact] = last.end()
    if "granted_or_partial" in hits:
        hits.pop("granted", None)
        hits.pop("partially_granted", None)
    if "carried_forward" in hits:
        hits.pop("processed", None)
    if "carried_over" in hits:
        hits.pop("received", None)
    if "review" in hits or "litigation" in hits:
        for f in ("received", "processed", "granted", "partially_granted", "granted_or_partial"):
            hits.pop(f, None)
    if len(hits) != 1:
        return None
    fact, end = next(iter(hits.items()))
    if not _FILLER.fullmatch(lead[end:]):
        return None
    if fact == "received" and "申请" not in lead and not _RECEIVED_ALONE.search(lead):
        return None
    return fact


def _zero_facts(clause: str) -> list[str]:
    """Facts a clause states as zero ("未收到…申请", "未发生…行政复议和行政诉讼")."""
    out: list[str] = []
    if _QTY.search(clause) and any(m.group("unit") in _CASE_UNITS for m in _QTY.finditer(clause)):
        return out                                            # a count in the same clause: not a plain negation
    m = _NO_APPLICATION.search(clause)
    if m and not re.search(r"复议|诉讼", m.group(0)) and not _EXCLUDE.search(m.group(0)):
        out.append("received")
    neg = _NEGATION.search(clause)
    if neg:
        rest = clause[neg.start():]
        if not _NEGATION_SPOILER.search(rest):
            if "行政复议" in rest:
                out.append("review")
            if "行政诉讼" in rest:
                out.append("litigation")
    return out


def _value(num: str) -> float | None:
    if num[0].isdigit():
        return float(num.replace(",", ""))
    v = chinese_number(num)
    return None if v is None else float(v)


def _sentence_statements(sentence: str) -> list[tuple[str, float]]:
    if _SKIP_SENTENCE.search(sentence):
        return []
    found: list[tuple[str, float, int]] = []                  # (fact, value, clause index)
    includes_carried: list[int] = []
    pos = 0
    clauses = []
    for m in CLAUSE_SEP.finditer(sentence + "，"):
        clauses.append(sentence[pos:m.start()])
        pos = m.end()
    for ci, clause in enumerate(clauses):
        if not clause:
            continue
        for zero_fact in _zero_facts(clause):
            found.append((zero_fact, 0.0, ci))
        prev_end = 0
        for m in _QTY.finditer(clause):
            num, unit = m.group("num"), m.group("unit")
            if not num[0].isdigit() and unit is None:
                continue                                      # 一是, 三审三校: not a quantity
            lead, after = clause[prev_end:m.start()], clause[m.end():]
            prev_end = m.end()
            if unit is None or m.group("approx") or _APPROX_BEFORE.search(lead) or _APPROX_AFTER.search(after):
                continue
            if not num[0].isdigit() and lead.endswith(("第", "每", "这", "那", "哪", "同", "统", "唯", "单")):
                continue
            if _NEGATED.search(lead):
                continue                                      # "未收到一件申请"
            value = _value(num)
            if value is None:
                continue
            fact = _fact_of(lead)
            if fact is None and unit == "件" and not _KEYWORDS["received"].search(lead) \
                    and re.match(r"(?:申请)?(?:将|需|已)?(?:结转|顺延|转入)(?:至|到|入)?下一?年度?", after) \
                    and not any(p.search(lead) for p in _KEYWORDS.values()):
                fact = "carried_forward"                      # "另有103件顺延到下年度答复"
            if fact is None:
                continue
            if unit not in (_CASE_UNITS if fact in ("review", "litigation") else _COUNT_UNITS):
                continue
            found.append((fact, value, ci))
            if fact == "carried_over" and _INCLUDES.search(clause):
                includes_carried.append(ci)
    if not found:
        return []
    # received followed by "（含上年结转…）" counts 一 + 二: drop it
    drop_received_at = set()
    for ci in includes_carried:
        before = [f for f in found if f[2] < ci]
        if before and before[-1][0] == "received":
            drop_received_at.add(before[-1][2])
    values: dict[str, set[float]] = {}
    for fact, value, _ in found:
        values.setdefault(fact, set()).add(value)
    out, seen = [], set()
    for fact, value, ci in found:
        if len(values[fact]) > 1 or (fact == "received" and ci in drop_received_at) or (fact, value) in seen:
            continue
        seen.add((fact, value))
        out.append((fact, value))
    return out


_PREFILTER = re.compile(r"件|未|没有|无")
# Before normalising: the sentence ends (sentences.RAW_SENTENCE_END) and a superset of _PREFILTER's
# characters as printed, including what NFKC maps onto them (⽆, the Kangxi radical PDFs often carry, → 无;
# ｡ → 。; ﹔ → ; …). A raw chunk without them cannot hold a statement, so only the chunks that do are
# normalised (NFKC on a whole narrative was a third of the statement cost); the result is the same as
# normalising everything first.
_RAW_PREFILTER = re.compile(r"[件未没无⽆]")


def extract(text: str | None) -> list[tuple[str, float, str]]:
    """(fact, value, sentence) for every count the text states, in text order (see the module doc)."""
    if not text:
        return []
    out: list[tuple[str, float, str]] = []
    for chunk in RAW_SENTENCE_END.split(text):
        if _RAW_PREFILTER.search(chunk):
            out += _chunk_statements(chunk)
    return out


@lru_cache(maxsize=1 << 12)
def _chunk_statements(chunk: str) -> tuple[tuple[str, float, str], ...]:
    """(fact, value, sentence) of one raw sentence chunk. Cached (at most 4,096 chunks, each with its few
    statements): a pure function of the chunk's text, and boilerplate sentences ("本机关未发生因政府信息公开
    工作而申请行政复议和提起行政诉讼的事项") repeat across reports."""
    out = []
    for s in split_sentences(chunk):
        if not _PREFILTER.search(s):
            continue
        for fact, value in _sentence_statements(s):
            out.append((fact, value, s))
    return tuple(out)
