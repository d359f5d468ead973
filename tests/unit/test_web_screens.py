"""Dashboard screens added for issue 9: `?run=` history views, /regions/{code}, the server-drawn charts and
/reports/{id}/original — route tests over a small warehouse written by two real runs (write_run)."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient
from warehouse_support import findings_for, report, write

from gongkai.app.web.server import create_app

HUAIAN, HONGZE, ZJ = "江苏省/淮安市", "江苏省/淮安市/洪泽区", "浙江省"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict:
    mp = pytest.MonkeyPatch()
    for var in ("GONGKAI_REVIEWS", "GONGKAI_USERS", "GONGKAI_ARCHIVE"):
        mp.delenv(var, raising=False)
    db = tmp_path_factory.mktemp("screens") / "warehouse.duckdb"
    a = report("a", agency="甲局", agency_id="A", region=HUAIAN, level="city", division_code="320800")
    b = report("b", agency="乙局", agency_id="B", year=2022, region=HONGZE, level="county", division_code="320813")
    write(db, "r1", [a, b])
    a2 = report("a-corrected", agency="甲局", agency_id="A", region=HUAIAN, level="city", value=2.0,
                division_code="320800")
    c = report("c", agency="丙局", agency_id="C", region=ZJ, level="province")
    write(db, "r2", [a2, c], minutes=1, findings=findings_for(a2, c))
    yield {"db": db, "a": a.report_id, "a2": a2.report_id, "b": b.report_id, "c": c.report_id,
           "client": TestClient(create_app(db, allowed_hosts=["testserver"]))}
    mp.undo()


def finding_reports(html: str) -> set[str]:
    return set(re.findall(r'href="/reports/([0-9a-f]{64})\?focus=', html))


def test_history_view_shows_the_state_as_of_a_run(site):
    c = site["client"]
    now, then = c.get("/findings").text, c.get("/findings?run=r1").text
    assert finding_reports(now) == {site["a2"], site["b"], site["c"]}
    assert finding_reports(then) == {site["a"], site["b"]}
    assert 'id="as-of-run">r1<' in then and "as-of-run" not in now
    assert "name=\"run\" value=\"r1\"" in then  # the filter form keeps the run
    assert f'/reports/{site["a"]}?focus=' in then and "run=r1" in then.split(f'/reports/{site["a"]}?focus=')[1][:120]
    home = c.get("/?run=r1").text
    assert '<code id="run-id">r1</code>' in home and '<code id="run-id">r2</code>' in c.get("/").text
    card_then, card_now = c.get("/scorecard?run=r1").text, c.get("/scorecard").text
    assert "丙局" not in card_then and "丙局" in card_now
    assert c.get(f"/reports/{site['c']}?run=r1").status_code == 404      # not yet audited at r1
    rep = c.get(f"/reports/{site['a']}?run=r1")
    assert rep.status_code == 200 and 'class="decide' not in rep.text   # no decisions in a history view
    assert c.get("/findings?run=nope").status_code == 404


def test_region_page_rolls_up_the_subtree(site):
    c = site["client"]
    page = c.get(f"/regions/{HUAIAN}")
    assert page.status_code == 200
    agencies = set(re.findall(r'<tr data-agency="([^"]+)"', page.text))
    assert agencies == {"A", "B"}
    assert set(re.findall(r'<tr data-agency="([^"]+)"', c.get(f"/regions/{HONGZE}").text)) == {"B"}
    assert set(re.findall(r'<tr data-agency="([^"]+)"', c.get(f"/regions/{HUAIAN}?year=2022").text)) == {"B"}
    levels = re.findall(r"<tr><td>(city|county|province)</td>", page.text)
    assert levels == ["city", "county"]
    assert re.search(r'id="region-pending">(\d+)<', page.text).group(1) == "4"  # 2 failures each for A and B
    assert c.get("/regions/火星").status_code == 404
    # by six-digit division code: a province, a city and a county take their subtree by prefix
    for code, wanted in (("320000", {"A", "B"}), ("320800", {"A", "B"}), ("320813", {"B"})):
        assert set(re.findall(r'<tr data-agency="([^"]+)"', c.get(f"/regions/{code}").text)) == wanted, code
    assert c.get("/regions/330000").status_code == 404


def test_original_served_from_the_archive_as_an_attachment_only(site, tmp_path):
    import hashlib
    import shutil

    from gongkai.warehouse.write import publishing

    # a report whose bytes are an HTML page with script: it must download, never render
    body = "<html><body><script>alert(1)</script>某某局2023年政府信息公开工作年度报告</body></html>".encode()
    rid = hashlib.sha256(body).hexdigest()
    db = tmp_path / "w.duckdb"
    shutil.copy(site["db"], db)
    with publishing(db) as con:
        con.execute("INSERT INTO reports (report_id, agency, year, source_path, source_format, status, is_current, "
                    "first_run_id) VALUES (?, '某某局', 2023, 'harvest/子目录/某某局<2023>.html', 'html', 'failed', "
                    "true, 'r2')", [rid])
    archive = tmp_path / "archive"
    c = TestClient(create_app(db, archive=archive, allowed_hosts=["testserver"]))
    assert c.get(f"/reports/{rid}/original").status_code == 404
    missing = c.get(f"/reports/{rid}/original")
    assert "原件未存档" in missing.text and "not in the archive" in missing.text
    assert 'id="original"' not in c.get(f"/reports/{rid}").text  # no link while the file is absent

    (archive / rid[:2]).mkdir(parents=True)
    (archive / rid[:2] / f"{rid}.html").write_bytes(body)
    assert 'id="original"' in c.get(f"/reports/{rid}").text
    got = c.get(f"/reports/{rid}/original")
    assert got.status_code == 200 and got.content == body
    assert got.headers["content-type"] == "application/octet-stream"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E6%9F%90%E6%9F%90%E5%B1%80%3C2023%3E.html" in got.headers["content-disposition"]
    assert got.headers["x-content-type-options"] == "nosniff" and "sandbox" in got.headers["content-security-policy"]
    # the id names a file only as 64 hex digits under the archive
    assert c.get("/reports/..%2F..%2Fetc%2Fpasswd/original").status_code == 404
    # a file whose bytes no longer hash to the id is refused
    (archive / rid[:2] / f"{rid}.html").write_bytes(body + b" ")
    assert c.get(f"/reports/{rid}/original").status_code == 409


def svg_of(html: str, figure_id: str) -> str:
    m = re.search(rf'<figure class="chart" id="{figure_id}">(.*?)</figure>', html, re.S)
    assert m, f"no chart {figure_id}"
    return m.group(1)


def svg_labels(svg: str) -> list[str]:
    return [t.strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def test_charts_are_server_drawn_svg_with_their_numbers_in_a_table(site):
    c = site["client"]
    rule = c.get("/rules/T3_BALANCE").text
    heat = svg_of(rule, "rate-chart")
    assert "<script" not in heat and "style=" not in heat and "<title" in heat
    labels = svg_labels(heat)
    assert {HUAIAN, HONGZE, ZJ, "2022", "2023"} <= set(labels)
    assert labels.count("1/1 100%") == 3 and labels.count("—") == 3  # 3 region-years evaluated, 3 never
    table = re.search(r'<table class="list" id="rate-table">(.*?)</table>', rule, re.S).group(1)
    assert table.count("100%") == 3
    assert "href=\"/findings?rule=T3_BALANCE&amp;status=fail&amp;region=" in heat  # a cell opens the list

    agency = c.get("/agencies/A").text
    bars = svg_labels(svg_of(agency, "years-chart"))
    assert bars == ["1", "1", "2023"]  # errors 1 and warnings 1 (hatched), the year under them
    assert 'url(#years-chart-hatch)' in svg_of(agency, "years-chart")  # the second series is hatched, not only coloured
    row = re.search(r'<table class="list" id="years-table">.*?<tbody>(.*?)</tbody>', agency, re.S).group(1)
    assert re.findall(r'<td class="n">(\d+)</td>', row) == ["1", "1"]

    home = c.get("/").text
    backlog = svg_labels(svg_of(home, "backlog-chart"))
    table = re.search(r'<table class="list" id="backlog-table">(.*?)</table>', home, re.S).group(1)
    counts = re.findall(r'<td class="n">(\d+)</td>', table)
    assert counts == ["0", "0", "0", "6"] and backlog[:4] == counts  # 6 failures pending since 2025
    # the history view draws the backlog as of that run: 4 failures (a and b)
    assert re.findall(r'<td class="n">(\d+)</td>', re.search(
        r'id="backlog-table">(.*?)</table>', c.get("/?run=r1").text, re.S).group(1))[-1] == "4"


def test_notified_decision_fills_the_deadline_column_of_the_exports(site, tmp_path):
    import io

    import openpyxl

    c = TestClient(create_app(site["db"], reviews=tmp_path / "r.sqlite", allowed_hosts=["testserver"]))
    page = c.get(f"/reports/{site['c']}").text
    finding_id = re.search(r'<li[^>]*data-finding="([0-9a-f]+)"', page).group(1)
    form = {"finding_id": finding_id, "csrf_token": c.cookies["gongkai_csrf"], "decision": "notified"}
    assert c.post("/review", data=form).status_code == 400  # a notification needs a deadline
    res = c.post("/review", data={**form, "deadline": "2027-03-31", "reference": "浙政公开〔2027〕5号"},
                 follow_redirects=False)
    assert res.status_code == 303
    assert 'data-review="notified"' in c.get(f"/reports/{site['c']}?focus={finding_id}").text
    assert f'data-finding="{finding_id}"' in c.get("/findings?review=notified").text
    book = openpyxl.load_workbook(io.BytesIO(c.get("/export/findings.xlsx?agency=C").content))["问题清单"]
    header = [cell.value for cell in book[1]]
    rows = {r[header.index("链接 Link")].split("focus=")[1]: r for r in book.iter_rows(min_row=2, values_only=True)}
    assert rows[finding_id][header.index("复核状态 Review")] == "notified"
    assert rows[finding_id][header.index("整改期限 Deadline")] == "2027-03-31"
    assert {r[header.index("整改期限 Deadline")] for k, r in rows.items() if k != finding_id} == {None}
