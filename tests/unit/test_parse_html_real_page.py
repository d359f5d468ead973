"""HTML parsing (gongkai.parse.html) of the real page shuyang_fgj_2023.html: its paragraphs, the portal
chrome dropped, its tables and their grids, and the same page re-encoded (GBK, GB2312, undeclared,
mislabelled, BOM)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from html_support import C, _paras, _tables, _texts

from gongkai.parse.document import TCell
from gongkai.parse.html import parse_html

REPO = Path(__file__).resolve().parents[2]
REAL_NAME = "shuyang_fgj_2023.html"
TITLE = "沭阳县发展和改革局2023年政府信息公开年度报告-沭阳县发改局"


# --------------------------------------------------------------------------- fixtures

def _find_real_page() -> Path | None:
    env = os.environ.get("GONGKAI_SHUYANG_HTML")
    if env and Path(env).is_file():
        return Path(env)
    harvest = REPO / "data" / "harvest"
    if harvest.is_dir():
        for p in sorted(harvest.rglob(REAL_NAME)):
            return p
    shared = Path("/work/shared/corpus/real") / REAL_NAME
    return shared if shared.is_file() else None


@pytest.fixture(scope="module")
def real_path() -> Path:
    p = _find_real_page()
    if p is None:
        pytest.skip(f"{REAL_NAME} not found (set GONGKAI_SHUYANG_HTML)")
    return p


@pytest.fixture(scope="module")
def real_bytes(real_path) -> bytes:
    return real_path.read_bytes()


@pytest.fixture(scope="module")
def real_doc(real_bytes, real_path):
    return parse_html(real_bytes, str(real_path))


# --------------------------------------------------------------------------- the real page

def test_real_page_basics(real_doc):
    assert real_doc.source_format == "html"
    assert real_doc.title_hint == TITLE
    assert real_doc.encoding == "utf-8"
    paras = _paras(real_doc)
    for heading in (
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及整改措施",
        "六、其他需要报告的事项",
        "（二）依申请公开政府信息情况",
    ):
        assert heading in paras, heading
    # one paragraph rebuilt from dozens of <span>/<font> pieces, numbers included
    intro = next(p for p in paras if p.startswith("根据《中华人民共和国政府信息公开条例》"))
    assert "本年度报告所列数据的统计时限为2023年1月1日至2023年12月31日。" in intro
    assert "电话：0527—83593059）" in intro
    assert paras[-1] == "2024年1月17日" and paras[-2] == "沭阳县发展和改革局"
    assert all(p == p.strip() and p for p in paras)


def test_real_page_chrome_is_dropped(real_doc):
    paras = _paras(real_doc)
    text = "\n".join(paras)
    for chrome in ("websiteId", "繁體版", "采集时间", "星期二", "jquery", "font-family", "沭阳县人民政府\n"):
        assert chrome not in text, chrome
    for nav in ("首页", "走进沭阳", "无障碍", "办事服务", "政民互动"):
        assert nav not in paras, nav
    # the article title (h1) follows the page's metadata box; the page <title> is only the title_hint
    kinds = [(b.kind, b.text) for b in real_doc.blocks]
    title_at = kinds.index(("para", "沭阳县发展和改革局2023年政府信息公开年度报告"))
    assert [k for k, _ in kinds[:title_at]].count("table") == 1


def test_real_page_tables(real_doc):
    tables = _tables(real_doc)
    assert len(tables) == 4
    meta, t2, t3, t4 = tables
    assert meta[0] == [TCell("名称"), TCell("沭阳县发展和改革局2023年政府信息公开年度报告", 3)]
    assert _texts(meta[2]) == ["发布机构", "沭阳县发展和改革局", "公开日期", "2024-01-17"]
    assert meta[1][3] == TCell("信息公开年报 其他 报告")
    assert t2[0] == [TCell("第二十条第（一）项", 4)]
    assert _texts(t2[3]) == ["规范性文件", "8", "0", "18"]
    assert t2[-1] == [TCell("行政事业性收费"), TCell("0", 3)]
    assert t3[0][0].text.startswith("（本列数据的勾稽关系为") and t3[0][0].span == 3
    assert t3[0][1] == TCell("申请人情况", 7)
    assert t4[0] == [TCell("行政复议", 5), TCell("行政诉讼", 10)]
    # table text is not repeated as paragraphs
    paras = _paras(real_doc)
    assert not any("本年新收" in p or "结果维持" in p or "索引号" in p for p in paras)


def test_real_page_table3_grid(real_doc):
    t3 = _tables(real_doc)[2]
    assert len(t3) == 28
    assert t3[1] == [C(3), TCell("自然人"), TCell("法人或其他组织", 5), TCell("总计")]
    assert t3[2] == [C(3), C(1), TCell("商业企业"), TCell("科研机构"), TCell("社会公益组织"),
                     TCell("法律服务机构"), TCell("其他"), C(1)]
    assert t3[3] == [TCell("一、本年新收政府信息公开申请数量", 3), TCell("26")] + [TCell("")] * 5 + [TCell("26")]
    assert t3[5] == [TCell("三、本年度办理结果"), TCell("（一）予以公开", 2), TCell("26")] + [TCell("")] * 5 + [TCell("26")]
    assert t3[7][:3] == [C(1), TCell("（三）不予公开"), TCell("1.属于国家秘密")]
    assert t3[8][:3] == [C(1), C(1), TCell("2.其他法律行政法规禁止公开")]
    assert t3[9][2] == TCell("3.危及“三安全一稳定”")
    # rowspan=22 on 三、本年度办理结果 (row 5) covers rows 5..26: the last covered row is （七）总计
    assert t3[26] == [C(1), TCell("（七）总计", 2), TCell("26")] + [TCell("")] * 5 + [TCell("26")]
    assert t3[27] == [TCell("四、结转下年度继续办理", 3), TCell("0")] + [TCell("")] * 5 + [TCell("0")]
    # this table is well formed: every row covers the same 10 grid columns
    assert {sum(c.span for c in row) for row in t3} == {10}


def test_real_page_table4(real_doc):
    t4 = _tables(real_doc)[3]
    assert len(t4) == 4
    assert t4[1][:5] == [TCell("结果维持"), TCell("结果纠正"), TCell("其他结果"), TCell("尚未审结"), TCell("总计")]
    assert t4[1][5:] == [TCell("未经复议直接起诉", 5), TCell("复议后起诉", 5)]
    assert t4[2][:5] == [C(1)] * 5
    assert _texts(t4[3]) == "0 0 0 1 1 0 0 0 0 0 0 0 0 0 0".split()
    assert all(c.span == 1 and not c.cont for c in t4[3])


def _variants(real_bytes: bytes) -> dict[str, bytes]:
    s = real_bytes.decode("utf-8")
    head_meta = '<meta charset="utf-8" />'
    body_meta = '<meta charset="utf-8">'
    assert s.count(head_meta) == 1 and s.index(head_meta) < 4096
    return {
        "gbk meta charset": s.replace(head_meta, '<meta charset="gbk" />').replace(body_meta, "").encode("gbk"),
        # real "gb2312" pages hold GBK-only characters (this one: 繁體版), so the bytes are GBK
        "gb2312 http-equiv": s.replace(
            head_meta, '<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />'
        ).replace(body_meta, "").encode("gbk"),
        "gbk undeclared": s.replace(head_meta, "").replace(body_meta, "").encode("gbk"),
        "gbk mislabelled utf-8": s.encode("gbk"),
        "utf-8 with BOM": b"\xef\xbb\xbf" + real_bytes,
    }


@pytest.mark.parametrize("variant", ["gbk meta charset", "gb2312 http-equiv", "gbk undeclared",
                                     "gbk mislabelled utf-8", "utf-8 with BOM"])
def test_real_page_reencoded(real_doc, real_bytes, variant):
    data = _variants(real_bytes)[variant]
    doc = parse_html(data, f"{variant}.html")
    assert doc.blocks == real_doc.blocks
    assert doc.title_hint == TITLE
    assert doc.encoding == ("utf-8-sig" if "BOM" in variant else "gb18030")
