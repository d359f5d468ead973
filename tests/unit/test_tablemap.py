"""Pure tests of the label-based table mapping on tiny grids."""

from __future__ import annotations

from gongkai.parse.document import TCell
from gongkai.report.table_columns import column_keys
from gongkai.report.tablemap import classify_table, detect_version, map_tables


def row(*texts, spans=None, conts=()):
    spans = spans or [1] * len(texts)
    return [TCell(t, s, i in conts) for i, (t, s) in enumerate(zip(texts, spans))]


T3_HEADER_HTML = [
    row("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况", spans=[3, 7]),
    row("", "自然人", "法人或其他组织", "总计", spans=[3, 1, 5, 1], conts={0}),
    row("", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "", spans=[3, 1, 1, 1, 1, 1, 1, 1], conts={0, 1, 7}),
]
COLS = ["natural_person", "commercial", "research", "social_welfare", "legal_services", "other_org", "total"]


def test_html_header_columns_from_real_geometry():
    keys = column_keys(T3_HEADER_HTML, "t3", "2021")
    assert [keys[p] for p in range(6, -1, -1)] == COLS


def test_text_header_without_spans_uses_template_group_widths():
    header = [
        [TCell("（本列数据的勾稽关系为：…）", None), TCell("申请人情况", None)],
        [TCell("", None), TCell("自然人", None), TCell("法人或其他组织", None), TCell("总计", None)],
        [TCell("", None), TCell("", None)] + [TCell(t, None) for t in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")] + [TCell("", None)],
    ]
    keys = column_keys(header, "t3", "2021")
    assert [keys[p] for p in range(6, -1, -1)] == COLS


def test_header_without_placeholders_is_read_by_nesting():
    header = [
        [TCell("自然人", None), TCell("法人或其他组织", None), TCell("总计", None)],
        [TCell(t, None) for t in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")],
    ]
    keys = column_keys(header, "t3", "2021")
    assert [keys[p] for p in range(6, -1, -1)] == COLS


def _t3(rows):
    return T3_HEADER_HTML + rows


def test_rowspan_overrun_does_not_shift_values():
    """The real page's rowspan=22 over 21 rows leaves a stand-in before 四's label: values stay put."""
    grid = _t3([
        row("一、本年新收政府信息公开申请数量", "26", "", "", "", "", "", "26", spans=[3] + [1] * 7),
        row("三、本年度办理结果", "（七）总计", "26", "", "", "", "", "", "26", spans=[1, 2] + [1] * 7),
        row("", "四、结转下年度继续办理", "1", "", "", "", "", "", "1", spans=[1, 3] + [1] * 7, conts={0}),
    ])
    version, mapped, _ = map_tables([grid])
    t3 = mapped["t3"]
    assert t3.raw[("new_received", "natural_person")] == "26"
    assert t3.raw[("new_received", "commercial")] == ""
    assert t3.raw[("processed_total", "total")] == "26"
    assert t3.raw[("carried_forward", "total")] == "1"
    assert t3.raw[("carried_forward", "natural_person")] == "1"
    assert not t3.ambiguous


def test_nearest_label_wins_over_group_label():
    grid = _t3([row("一、本年新收政府信息公开申请数量", *"0000000"), row("二、上年结转政府信息公开申请数量", *"0000000"),
                row("（三）不予公开", "1.属于国家秘密", *"1234567")])
    t3 = map_tables([grid])[1]["t3"]
    assert t3.raw[("denied_state_secret", "natural_person")] == "1"
    assert t3.raw[("denied_state_secret", "total")] == "7"


def test_typo_label_from_real_pdf_still_matches():
    grid = _t3([row("2.其他法律行政止公开", *"0000000"), row("一、本年新收政府信息公开申请数量", *"1111111"),
                row("二、上年结转政府信息公开申请数量", *"0000000")])
    assert ("denied_prohibited_by_law", "total") in map_tables([grid])[1]["t3"].raw


def test_page_metadata_table_is_ignored_and_t2_colspan_value():
    meta = [row("名称", "沭阳县发展和改革局2023年政府信息公开年度报告", spans=[1, 3]), row("索引号", "014314799/2024-00002", "分类", "报告")]
    t2 = [
        row("第二十条第（五）项", spans=[4]),
        row("信息内容", "本年处理决定数量", spans=[1, 3]),
        row("行政许可", "12", spans=[1, 3]),
        row("第二十条第（一）项", spans=[4]),
        row("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
        row("规范性文件", "8", "0", "18"),
    ]
    assert classify_table(meta) is None
    version, mapped, _ = map_tables([meta, t2])
    assert version == "2021" and set(mapped) == {"t2"}
    assert mapped["t2"].raw[("licensing", "decisions")] == "12"
    assert mapped["t2"].raw[("normative_docs", "in_force")] == "18"


def test_2019_format_detected_from_table_two():
    t2 = [row("信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"), row("规章", "0", "0", "0"), row("规范性文件", "1", "1", "5")]
    assert detect_version({"t2": t2}) == "2019"


def test_t4_header_from_three_rows():
    grid = [
        row("行政复议", "行政诉讼", spans=[5, 10]),
        row("结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉", spans=[1, 1, 1, 1, 1, 5, 5]),
        row("", "", "", "", "", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计", conts={0, 1, 2, 3, 4}),
        row(*[str(i) for i in range(15)]),
    ]
    t4 = map_tables([grid])[1]["t4"]
    assert t4.raw[("cases", "review_upheld")] == "0"
    assert t4.raw[("cases", "review_total")] == "4"
    assert t4.raw[("cases", "suit_direct_upheld")] == "5"
    assert t4.raw[("cases", "suit_after_review_total")] == "14"
