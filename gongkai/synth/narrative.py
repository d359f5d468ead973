"""The narrative of a synthetic report: the six sections' text, in the phrasings real reports use, with
the numbers it states (for TEXT_TABLE's truth) and an introduction before section 一."""

from __future__ import annotations

import random

from gongkai.synth.evaluate import read_cell
from gongkai.synth.numbers import CARRIED, FORWARD, NEW, PROCESSED, TOTAL

LITIGATION_KEY = "t4|cases|suit_direct_total+suit_after_review_total"   # stated key of 行政诉讼 (both totals)

SECTION_TITLES = {
    1: ("一、总体情况", "1、 总体情况"),
    2: ("二、主动公开政府信息情况",),
    3: ("三、收到和处理政府信息公开申请情况",),
    4: ("四、政府信息公开行政复议、行政诉讼情况",),
    5: ("五、存在的主要问题及改进情况", "五、政府信息公开工作存在的主要问题及改进情况", "五、存在的主要问题及整改措施"),
    6: ("六、其他需要报告的事项",),
}


def _self(agency: str) -> str:
    for suffix, me in (("办事处", "我办"), ("局", "我局"), ("委员会", "我委"), ("人民政府", "本级政府"), ("办公室", "我办")):
        if agency.endswith(suffix):
            return me
    return "本机关"


_MEASURES = (
    "高度重视，强化领导。将政府信息公开工作列入年度重点工作，明确分管领导和专职人员，定期研究部署。",
    "规范制度，提高质量。严格执行信息发布审核制度，坚持先审后发，确保公开信息准确规范。",
    "拓宽渠道，方便查阅。依托门户网站、政务新媒体和公开栏等载体，多渠道发布政府信息，方便群众获取。",
    "聚焦重点，深化公开。围绕财政预决算、重大建设项目、公共资源配置等重点领域，持续加大公开力度。",
    "强化解读，回应关切。坚持政策文件与解读材料同步起草、同步审签、同步发布，及时回应社会关切。",
    "完善目录，动态更新。对照基层政务公开标准目录，逐项梳理公开事项，实行清单化管理和动态调整。",
    "严格审查，守牢底线。落实保密审查和个人信息保护要求，对拟公开信息逐条把关，杜绝泄密和侵权风险。",
    "加强培训，提升能力。组织业务骨干参加政务公开专题培训，以案释法，提升依法公开和依申请办理水平。",
    "规范办理，依法答复。健全依申请公开登记、审核、答复、归档全流程台账，严格在法定期限内答复。",
    "畅通互动，接受监督。通过政民互动栏目和热线电话收集意见，认真办理群众诉求并及时反馈。",
    "加强考核，压实责任。将政务公开纳入年度目标考核，定期通报工作情况，推动责任落实到岗到人。",
    "优化平台，提升体验。完善网站栏目设置和检索功能，清理过期信息，提升信息查找的便利性。",
)
_DISCLOSURE = (
    "围绕优化营商环境、乡村振兴、民生保障等重点工作，及时发布政策文件和工作动态。",
    "按时公开财政预决算和“三公”经费信息，主动接受社会监督。",
    "规范发布人事任免、公务员招录和事业单位招聘信息，确保程序公开透明。",
    "及时公开重大项目审批和实施情况，做好公共资源配置领域信息公开。",
    "在门户网站开设专题专栏，集中展示重点领域政策措施和办理结果。",
    "对涉及群众切身利益的政策文件，同步发布图文解读和问答解读。",
    "定期更新机构职能、领导分工和办事指南，方便群众查询办事。",
    "做好突发事件和社会热点的信息发布，及时回应群众关切。",
    "做好行政许可、行政处罚等执法信息的公示，推进执法全过程记录公开。",
    "按规定公开建议提案办理结果，接受代表委员和社会监督。",
)
_MANAGEMENT = (
    "严格落实信息发布审核和保密审查制度，信息发布前逐级审核把关。",
    "对照主动公开基本目录，对已公开信息进行全面梳理和动态调整。",
    "加强政府网站和政务新媒体日常监测，及时整改错链断链和栏目空白问题。",
    "推进政务公开专区建设，为群众提供政策查询和信息申请服务。",
    "健全政府信息公开工作机制，明确各科室信息报送责任和时限。",
    "规范政府信息公开申请受理、登记、审核和答复流程，做到件件有回音。",
    "落实政府信息管理动态调整机制，对不再适用的文件及时清理。",
    "将政务公开工作纳入年度考核，定期通报各科室信息报送情况。",
)
_PROBLEMS = (
    "政策解读的形式还不够丰富，图解、视频等解读方式运用较少。",
    "部分信息更新不够及时，公开的深度和广度有待进一步拓展。",
    "依申请公开答复文书的规范性仍需提高，个别答复说理不够充分。",
    "政务新媒体运维力量不足，互动回应的时效性有待增强。",
    "基层政务公开标准化规范化建设推进不平衡，部分事项公开要素不全。",
    "工作人员业务能力参差不齐，对新条例的理解把握还不够深入。",
    "公开平台之间信息同步不够，存在重复发布、口径不一的情况。",
    "主动公开与公众需求还有差距，群众关注度高的信息公开不够充分。",
)
_IMPROVEMENTS = (
    "丰富解读形式，提升解读质量，增强政策解读的针对性和可读性。",
    "加强队伍建设，定期开展业务培训，提高工作人员的业务能力。",
    "规范答复文书，统一格式和法律依据表述，提高依申请公开办理质量。",
    "加强新媒体管理，明确专人负责，提升互动回应效率。",
    "对照标准目录查漏补缺，推进基层政务公开标准化规范化建设。",
    "健全信息发布协调机制，统一发布口径，避免重复和矛盾。",
    "聚焦群众关切，扩大重点领域信息公开范围，提高公开实效。",
    "完善考核评议机制，强化督促检查，推动各项工作落到实处。",
)


def narrative(rng: random.Random, trng: random.Random, t4: str, agency: str, year: int, cells: dict, work: dict,
               tables_present: dict, lie: dict[str, float] | None = None
               ) -> tuple[list[tuple[int, str, str]], dict[str, float], str]:
    """Six sections whose text restates the *printed* totals (so text and tables agree), except the
    numbers in `lie` ("t|r|c" → value stated instead). `stated` holds exactly the numbers the text prints
    (a zero phrasing such as 未收到…申请 states 0). `trng` picks the boilerplate paragraphs, so that two
    years of one agency read differently."""
    me = _self(agency)
    lie = lie or {}
    stated: dict[str, float] = {}

    def printed(t: str, r: str, c: str) -> float | None:
        sem, x = read_cell(cells.get((t, r, c)))
        return x if sem == "number" else None

    def value(key: str, x: float | None) -> float | None:
        return lie.get(key, x) if x is not None else None

    def num(x: float) -> str:
        return f"{int(x)}" if x == int(x) else f"{x}"

    def state(key: str, x: float, text: str) -> str:
        stated[key] = x
        return text

    titles = {no: rng.choice(v) if no in (1, 5) and rng.random() < 0.3 else v[0] for no, v in SECTION_TITLES.items()}
    preamble = ""
    if rng.random() < 0.6:
        preamble = (f"本报告根据《中华人民共和国政府信息公开条例》和国务院办公厅政府信息与政务公开办公室有关要求编制。"
                    f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。")

    # 一、总体情况
    p1 = ["（一）主动公开情况" if rng.random() < 0.5 else "（一）工作开展情况",
          f"{year}年，{me}坚持以公开为常态、不公开为例外，全年共主动公开政府信息{rng.randint(20, 900)}条，"
          f"及时更新政府信息公开专栏，确保信息公开及时、准确、完整。"
          + "".join(trng.sample(_DISCLOSURE, 3)),
          "（二）依申请公开政府信息办理情况"]
    k_new, k_car, k_done = f"t3|{NEW}|{TOTAL}", f"t3|{CARRIED}|{TOTAL}", f"t3|{PROCESSED}|{TOTAL}"
    k_g, k_pg, k_fwd = f"t3|granted|{TOTAL}", f"t3|partially_granted|{TOTAL}", f"t3|{FORWARD}|{TOTAL}"
    new = value(k_new, printed("t3", NEW, TOTAL))
    if new == 0:
        p1.append(state(k_new, 0.0, f"{year}年，{me}未收到政府信息公开申请。"))
    else:
        parts = []
        if new is not None:
            parts.append(state(k_new, new, f"{me}共收到政府信息公开申请{num(new)}件"))
        carried = value(k_car, printed("t3", CARRIED, TOTAL))
        if carried not in (None, 0):
            parts.append(state(k_car, carried, f"上年结转{num(carried)}件"))
        done = value(k_done, printed("t3", PROCESSED, TOTAL))
        if done is not None:
            parts.append(state(k_done, done, f"办结{num(done)}件"))
        g, pg = value(k_g, printed("t3", "granted", TOTAL)), value(k_pg, printed("t3", "partially_granted", TOTAL))
        if g is not None and pg is not None:
            stated[k_g] = g
            parts.append(state(k_pg, pg, f"其中予以公开{num(g)}件，部分公开{num(pg)}件"))
        fwd = value(k_fwd, printed("t3", FORWARD, TOTAL))
        if fwd is not None:
            parts.append(state(k_fwd, fwd, f"结转下年度继续办理{num(fwd)}件"))
        p1.append(f"{year}年，" + "，".join(parts or [f"{me}依申请公开工作依法有序开展"]) + "。")
    p1.append("（三）因政府信息公开申请行政复议和提起行政诉讼情况")
    k_rev = f"t4|{t4}|review_total"
    review = value(k_rev, printed("t4", t4, "review_total")) if tables_present["t4"] else None
    suits = [printed("t4", t4, f"{p}_total") for p in ("suit_direct", "suit_after_review")] if tables_present["t4"] else [None]
    suit_values = [s for s in suits if s is not None]
    suit_total = value(LITIGATION_KEY, sum(suit_values)) if len(suit_values) == len(suits) else None
    if review == 0 and suit_total == 0:
        stated[k_rev] = 0.0
        p1.append(state(LITIGATION_KEY, 0.0,
                        f"{year}年，{me}未发生因政府信息公开工作而申请行政复议和提起行政诉讼的事项。"))
    else:
        bits = []
        if review is not None:
            bits.append(state(k_rev, review, f"因政府信息公开被申请行政复议{num(review)}件"))
        if suit_total is not None:
            bits.append(state(LITIGATION_KEY, suit_total, f"被提起行政诉讼{num(suit_total)}件"))
        if bits:
            p1.append(f"{year}年，{me}" + "，".join(bits) + "。")
        else:
            review_n = float(lie.get(k_rev, int(work[("t4", t4, "review_total")])))
            p1.append(state(k_rev, review_n, f"{year}年，{me}因政府信息公开被申请行政复议{num(review_n)}件。"))
    measures = trng.sample(_MEASURES, trng.randint(3, 5))
    p1 += ["（四）政府信息管理和平台建设情况", "".join(trng.sample(_MANAGEMENT, 3)),
           "（五）工作措施", *(f"{i}.{m}" for i, m in enumerate(measures, 1))]
    problems, fixes = trng.sample(_PROBLEMS, 2), trng.sample(_IMPROVEMENTS, 2)
    p5 = ["（一）存在的主要问题", *(f"{i}.{m}" for i, m in enumerate(problems, 1)),
          "（二）改进措施", *(f"{i}.{m}" for i, m in enumerate(fixes, 1))]
    p6 = [rng.choice((f"{year}年，{me}无其他需要报告的事项。",
                      f"{year}年度，{me}未收取信息处理费，无其他需要报告的事项。"))]
    p4 = "" if tables_present["t4"] else (
        f"{year}年，{me}政府信息公开行政复议、行政诉讼情况详见总体情况部分。")
    sections = [(1, titles[1], "\n".join(p1)), (2, titles[2], ""), (3, titles[3], ""), (4, titles[4], p4),
                (5, titles[5], "\n".join(p5)), (6, titles[6], "\n".join(p6))]
    return sections, stated, preamble
