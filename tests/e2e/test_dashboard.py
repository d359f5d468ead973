"""The inspector dashboard's routes over the shared audited sample warehouse (Starlette's TestClient, no
browser): every screen answers, the cell contract on the T3_BALANCE sample, escaping of harvested strings,
security headers, loopback refusal, a swapped warehouse seen on the next request."""

from __future__ import annotations

import os
import re
import shutil
import warnings
from pathlib import Path

import duckdb
import pytest
from support import invoke, shown

warnings.filterwarnings("ignore", message=".*httpx.*")
from starlette.testclient import TestClient  # noqa: E402

from gongkai.app.web.server import CSP, NotLoopback, check_host, create_app  # noqa: E402

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="session")
def client(audited) -> TestClient:
    return TestClient(create_app(audited.db, allowed_hosts=["testserver"]))


def _one(db: Path, sql: str) -> tuple:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchone()
    finally:
        con.close()


@pytest.fixture(scope="session")
def balance(audited) -> tuple:
    """(report_id, finding_id, col_key, expected, observed) of a T3_BALANCE failure of the sample harvest."""
    return _one(audited.db, "SELECT f.report_id, f.finding_id, f.col_key, f.expected, f.observed FROM findings f "
                            "JOIN reports r USING (report_id) WHERE f.rule_id = 'T3_BALANCE' AND f.status = 'fail' "
                            "AND r.source_path LIKE '%sample_t3_balance_2023.html' ORDER BY f.col_key LIMIT 1")


def test_every_screen_answers_with_security_headers(client, balance):
    agency_id = _one(client.app.state.db, "SELECT agency_id FROM reports WHERE agency_id IS NOT NULL LIMIT 1")[0]
    run_id = _one(client.app.state.db, "SELECT min(run_id) FROM runs")[0]
    for url in ["/", "/findings", "/findings?status=fail&review=pending&sort=year&page=1&q=表三", "/rules", "/runs",
                "/scorecard", "/scorecard?sort=errors&year=2023", f"/agencies/{agency_id}", "/rules/T3_BALANCE",
                f"/runs/{run_id}", f"/reports/{balance[0]}/cross-year",
                f"/reports/{balance[0]}", f"/reports/{balance[0]}?focus={balance[1]}", "/static/htmx.min.js"]:
        res = client.get(url)
        assert res.status_code == 200, url
        assert res.headers["content-security-policy"] == CSP
        assert res.headers["x-content-type-options"] == "nosniff"
    assert client.get("/reports/nope").status_code == 404
    assert client.get("/agencies/nope").status_code == 404
    assert client.get("/rules/NOPE").status_code == 404
    assert client.get("/runs/NOPE").status_code == 404
    hongze_2024 = _one(client.app.state.db, "SELECT report_id FROM reports WHERE agency_id = 'js-huaian-hongze' AND year = 2024")[0]
    assert "✓ 一致" in client.get(f"/reports/{hongze_2024}/cross-year").text  # the real 2023 → 2024 pair carries over
    marks = re.findall(r'<mark id="quote-[^"]+" data-finding="[^"]+">(.*?)</mark>', client.get(f"/reports/{hongze_2024}").text)
    assert marks and "受理政府信息公开申请17件" in marks[0]  # the sentence TEXT_TABLE quotes, marked in the text
    assert "broken_" in client.get(f"/runs/{run_id}").text  # the failed files of the first run, with reasons
    assert "%</td>" in client.get("/rules/T3_BALANCE").text  # a failure rate per region × year
    assert "<script>" not in client.get("/").text  # no inline script: only <script src=…>
    assert "Zero-Clause BSD" in client.get("/static/htmx.min.js").text[:300]


def test_findings_filters_facets_and_whitelisted_sort(client):
    page = client.get("/findings?rule=T3_BALANCE&status=fail").text
    total = int(re.search(r'id="total">(\d+)<', page).group(1))
    assert total >= 2 and "T3_BALANCE" in page
    assert 'data-facet="region"' in page  # facets counted with the other filters
    # an unknown sort falls back to the default; SQL in a filter value is only ever a bound parameter
    assert client.get("/findings?sort=agency;DROP TABLE findings").status_code == 200
    assert 'id="total">0<' in client.get("/findings?rule=x' OR '1'='1").text


def test_report_marks_the_failing_cell(client, balance):
    report_id, finding_id, col, expected, observed = balance
    page = client.get(f"/reports/{report_id}?focus={finding_id}").text
    td = re.search(rf'<td [^>]*data-table="t3" data-row="processed_total" data-col="{col}"[^>]*>.*?</td>', page, re.S)
    assert td, "the anchor cell of T3_BALANCE (三（七）总计) is printed with its keys"
    cell = td.group(0)
    assert 'aria-invalid="true"' in cell and "✗" in cell
    assert f"应为 {int(expected)}，实为 {int(observed)}" in cell
    assert "focus" in cell and 'id="formula"' in page and "①" in page
    assert 'id="next-pending"' in page or 'id="prev-pending"' in page  # walk the pending reports
    # every printed value cell carries the three keys; blank/dash/text cells never look like failures
    for m in re.finditer(r'<td class="v([^"]*)"\s+data-table="(t[234])" data-row="[^"]+" data-col="[^"]+"', page):
        assert not ("invalid" in m.group(1) and "na" in m.group(1).split())
    assert "表二" in page and "表三" in page and "表四" in page and "申请人情况" in page
    # screen readers: a 表三 cell's headers= name its row labels and column headers
    labels = {i: t for i, t in re.findall(r'<th scope="(?:col|row)" id="([^"]+)"[^>]*>(.*?)</th>', page)}
    ids = re.search(r'id="c-t3-denied_state_secret-commercial" headers="([^"]+)"', page).group(1).split()
    assert [labels[i] for i in ids] == ["三、本年度办理结果", "（三）不予公开", "1.属于国家秘密", "申请人情况",
                                        "法人或其他组织", "商业企业"]


def test_blank_cell_reads_not_assessable(client, audited):
    report_id, row, col = _one(audited.db, "SELECT report_id, row_key, col_key FROM findings WHERE rule_id = 'CELL_BLANK' LIMIT 1")
    page = client.get(f"/reports/{report_id}").text
    cell = re.search(rf'<td [^>]*data-row="{row}" data-col="{col}"[^>]*>.*?</td>', page, re.S).group(0)
    assert "不可判定" in cell and "aria-invalid" not in cell


def test_harvested_markup_is_escaped(audited, tmp_path):
    db = tmp_path / "w.duckdb"
    shutil.copy(audited.db, db)
    con = duckdb.connect(str(db))
    con.execute("UPDATE reports SET agency = ?, region = ?", [XSS, XSS])
    con.execute("UPDATE findings SET agency = ?, message = ?", [XSS, XSS])
    con.execute("UPDATE cells SET raw = ? WHERE semantic = 'text'", [XSS])
    con.execute("UPDATE sections SET text = ?, title = ?", [XSS, XSS])
    report_id = con.execute("SELECT report_id FROM reports WHERE status = 'parsed' LIMIT 1").fetchone()[0]
    con.close()
    c = TestClient(create_app(db, allowed_hosts=["testserver"]))
    for url in ["/", "/findings", f"/reports/{report_id}"]:
        html = c.get(url).text
        assert "<img" not in html, url
        assert "&lt;img src=x onerror=alert(1)&gt;" in html, url


def test_healthz_sees_a_swapped_warehouse(audited, tmp_path):
    db = tmp_path / "w.duckdb"
    shutil.copy(audited.db, db)
    c = TestClient(create_app(db, allowed_hosts=["testserver"]))
    before = c.get("/healthz").json()
    assert before["ok"] and before["published_run_id"] and before["reports"] > 0
    new = tmp_path / "next.duckdb"
    shutil.copy(audited.db, new)
    con = duckdb.connect(str(new))
    con.execute("INSERT INTO runs (run_id, started_at, finished_at, status) "
                "VALUES ('99991231T000000Z-swap', now()::TIMESTAMP, now()::TIMESTAMP + INTERVAL 1 DAY, 'completed')")
    con.execute("DELETE FROM reports WHERE status = 'failed'")
    con.close()
    os.replace(new, db)  # what the nightly publish does
    after = c.get("/healthz").json()
    assert after["published_run_id"] == "99991231T000000Z-swap"
    assert after["reports"] < before["reports"]
    os.remove(db)
    assert c.get("/healthz").status_code == 503


def test_foreign_host_header_is_refused(audited):
    c = TestClient(create_app(audited.db))  # default: loopback names only
    assert c.get("/healthz", headers={"host": "evil.example"}).status_code == 400
    assert c.get("/healthz", headers={"host": "127.0.0.1:8765"}).status_code == 200


def test_non_loopback_host_is_refused():
    check_host("127.0.0.1", None)
    check_host("::1", None)
    check_host("localhost", None)
    for host in ["0.0.0.0", "192.168.1.5", "example.org"]:
        with pytest.raises(NotLoopback):
            check_host(host, None)
    res = invoke("dashboard", "--host", "0.0.0.0", "--db", "/nonexistent.duckdb")
    assert res.exit_code == 2, shown(res)
    assert "not a loopback address" in res.output and len(res.output.strip().splitlines()) == 1


def test_review_post_needs_token_and_own_origin_and_survives_a_new_app(audited, balance, tmp_path):
    store = tmp_path / "reviews.sqlite"
    report_id, finding_id = balance[0], balance[1]
    c = TestClient(create_app(audited.db, reviews=store, allowed_hosts=["testserver"]))
    page = c.get(f"/reports/{report_id}?focus={finding_id}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert c.cookies.get("gongkai_csrf") == token
    form = {"finding_id": finding_id, "csrf_token": token, "decision": "confirmed"}
    assert c.post("/review", data={**form, "csrf_token": "forged"}).status_code == 403
    assert c.post("/review", data={k: v for k, v in form.items() if k != "csrf_token"}).status_code == 403
    assert c.post("/review", data=form, headers={"origin": "http://evil.example"}).status_code == 403
    bare = TestClient(create_app(audited.db, reviews=store, allowed_hosts=["testserver"]))  # no cookie
    assert bare.post("/review", data=form).status_code == 403
    assert not store.exists() or "confirmed" not in c.get(f"/reports/{report_id}").text.split("review-state")[1][:60]

    res = c.post("/review", data=form, headers={"origin": "http://testserver"}, follow_redirects=False)
    assert res.status_code == 303
    assert c.post("/review", data={**form, "decision": "dismissed", "reason": "other"}).status_code == 400  # note required
    # a fresh app over the same store (a restart, or the next run's warehouse) still shows the decision
    again = TestClient(create_app(audited.db, reviews=store, allowed_hosts=["testserver"]))
    html = again.get(f"/reports/{report_id}?focus={finding_id}").text
    li = re.search(rf'<li id="finding-{finding_id}".*?</li>', html, re.S).group(0)
    assert 'data-review="confirmed"' in li
    log = again.get("/reviews?reviewer=local").text
    assert f"<code>{finding_id}</code>" in log and 'data-review="confirmed"' in log
    assert "尚无复核" in again.get("/reviews?reviewer=nobody").text
    assert 'data-finding="' + finding_id in again.get("/findings?rule=T3_BALANCE").text


def test_exports_write_harvested_strings_as_text(audited, tmp_path):
    import csv
    import io

    import openpyxl

    db = tmp_path / "w.duckdb"
    shutil.copy(audited.db, db)
    con = duckdb.connect(str(db))
    con.execute("UPDATE findings SET agency = '=HYPERLINK(\"http://evil.example\",\"x\")' WHERE rule_id = 'T3_BALANCE'")
    con.close()
    c = TestClient(create_app(db, allowed_hosts=["testserver"]))
    res = c.get("/export/findings.xlsx?rule=T3_BALANCE&status=fail")
    assert res.status_code == 200 and "attachment" in res.headers["content-disposition"]
    assert "filename*=UTF-8''%E9%97%AE%E9%A2%98%E6%B8%85%E5%8D%95" in res.headers["content-disposition"]  # 问题清单
    wb = openpyxl.load_workbook(io.BytesIO(res.content))
    assert wb.sheetnames == ["问题清单", "规则说明", "导出参数"]
    ws = wb["问题清单"]
    assert ws.cell(1, 1).value == "序号 No." and ws.freeze_panes == "A2" and ws.auto_filter.ref
    agencies = [ws.cell(r, 3) for r in range(2, ws.max_row + 1)]
    assert agencies and all(a.data_type == "s" and a.value.startswith("=HYPERLINK") for a in agencies)
    assert any(r[0].value == "T3_BALANCE" for r in wb["规则说明"].iter_rows(min_row=2))
    res = c.get("/export/findings.csv?rule=T3_BALANCE&status=fail")
    assert res.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(res.content.decode("utf-8-sig"))))
    assert rows[0][0] == "序号 No." and len(rows) == len(agencies) + 1
    assert all(r[2].startswith("'=HYPERLINK") for r in rows[1:])
    assert c.get("/export/findings.pdf").status_code == 404
    agency_id, year = _one(db, "SELECT agency_id, year FROM findings WHERE rule_id = 'T3_BALANCE' AND status = 'fail' LIMIT 1")
    res = c.get(f"/export/notice/{agency_id}/{year}.xlsx")
    assert res.status_code == 200 and "%E6%95%B4%E6%94%B9%E9%80%9A%E7%9F%A5" in res.headers["content-disposition"]  # 整改通知
    ws = openpyxl.load_workbook(io.BytesIO(res.content))["问题清单"]
    assert ws.max_row >= 2 and {ws.cell(r, 4).value for r in range(2, ws.max_row + 1)} == {year}


def test_review_filter_and_counts_follow_the_store_and_changed_evidence_reopens(audited, balance, tmp_path):
    from gongkai.app.web.data import FINGERPRINT_SQL
    from gongkai.app.web.reviews import ReviewStore, fingerprint

    finding_id = balance[1]
    con = duckdb.connect(str(audited.db), read_only=True)
    try:
        cur = con.execute("SELECT * FROM findings WHERE finding_id = ?", [finding_id])
        f = dict(zip([d[0] for d in cur.description], cur.fetchone()))
        sql_fp = con.execute(f"SELECT {FINGERPRINT_SQL} FROM findings AS f WHERE finding_id = ?", [finding_id]).fetchone()[0]
    finally:
        con.close()
    assert sql_fp == fingerprint(f)  # the SQL and Python fingerprints agree

    store = ReviewStore(tmp_path / "r.sqlite")
    c = TestClient(create_app(audited.db, reviews=store.path, allowed_hosts=["testserver"]))
    pending = int(re.search(r'id="pending-count">(\d+)<', c.get("/").text).group(1))
    store.append(f, "confirmed", None, None, "local")
    assert int(re.search(r'id="pending-count">(\d+)<', c.get("/").text).group(1)) == pending - 1
    assert f'data-finding="{finding_id}"' in c.get("/findings?review=confirmed").text
    assert f'data-finding="{finding_id}"' not in c.get("/findings?review=pending").text
    # the same fingerprint decided on other evidence (e.g. last year's run saw other numbers): reopened
    store.append({**f, "observed": (f["observed"] or 0) + 1}, "dismissed", "duplicate", None, "local")
    assert f'data-finding="{finding_id}"' in c.get("/findings?review=reopened").text
    assert "重复 duplicate" in c.get(f"/rules/{f['rule_id']}").text  # dismissal reasons per rule
    assert re.search(r'id="reopened-count">1<', c.get("/").text)


def test_bulk_review_of_checked_rows(audited, tmp_path):
    c = TestClient(create_app(audited.db, reviews=tmp_path / "r.sqlite", allowed_hosts=["testserver"]))
    page = c.get("/findings?rule=T3_BALANCE&status=fail").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    ids = re.findall(r'name="finding_id" value="([^"]+)" form="bulk"', page)
    assert len(ids) >= 2
    body = "&".join([f"csrf_token={token}", "decision=dismissed", "reason=parse_error", "next=/findings",
                     *[f"finding_id={i}" for i in ids]])
    res = c.post("/review", content=body, headers={"content-type": "application/x-www-form-urlencoded"},
                 follow_redirects=False)
    assert res.status_code == 303 and res.headers["location"] == "/findings"
    listed = c.get("/findings?review=dismissed").text
    assert all(f'data-finding="{i}"' in listed for i in ids)
    assert c.post("/review", content=f"csrf_token={token}&decision=confirmed",
                  headers={"content-type": "application/x-www-form-urlencoded"}).status_code == 400


def test_home_counts_the_agencies_failures_apart_from_our_misreads(audited, tmp_path):
    """New failures on / are the agencies' (responsibility 'source'); files and cells we could not read (the
    parse family, e.g. the sample harvest's 3 PARSE_FAILED) are counted apart, never against an agency.
    On a copy whose published run is the first audit (the one that found everything)."""
    db = tmp_path / "w.duckdb"
    shutil.copy(audited.db, db)
    con = duckdb.connect(str(db))
    try:
        first = con.execute("SELECT run_id FROM runs ORDER BY started_at LIMIT 1").fetchone()[0]
        con.execute("DELETE FROM runs WHERE run_id <> ?", [first])
        source, ours = con.execute("""
            SELECT count(*) FILTER (WHERE u.responsibility = 'source'), count(*) FILTER (WHERE u.responsibility = 'parser')
            FROM findings_current f JOIN rules u USING (rule_id) WHERE f.run_id = ? AND f.status = 'fail'""",
                                   [first]).fetchone()
    finally:
        con.close()
    assert ours == 3 and source > 0
    html = TestClient(create_app(db, allowed_hosts=["testserver"])).get("/").text
    assert re.search(rf'id="new-count">{source}<', html) and re.search(rf'id="ours-count">{ours}<', html), html


def _facets_one_query_each(con, fq) -> tuple[int, dict]:
    """The reference: the total, and each facet counted by a query of its own with its filter skipped."""
    from gongkai.app.web import data

    data.prepare_reviews(con, fq.events or {})
    where, params = fq.where()
    total = con.execute(f"SELECT count(*) {data.FROM_FINDINGS} WHERE {where}", params).fetchone()[0]
    facets = {}
    for name in data.FACETS:
        w, p = fq.where(skip=name)
        expr = data.FILTERS[name]
        facets[name] = [(str(v), int(n)) for v, n in con.execute(
            f"SELECT {expr} AS v, count(*) AS n {data.FROM_FINDINGS} WHERE {w} AND {expr} IS NOT NULL "
            "GROUP BY v ORDER BY n DESC, v", p).fetchall()]
    return total, facets


def test_facets_count_each_value_with_the_other_filters_applied(audited, balance, tmp_path):
    """findings_page counts the total and the facets without a filter in one grouped query: the same counts, in
    the same order, as a query per facet, for every single filter, pairs of them, a search and reviews."""
    from gongkai.app.web import data
    from gongkai.app.web.reviews import ReviewStore

    store = ReviewStore(tmp_path / "r.sqlite")
    con = duckdb.connect(str(audited.db), read_only=True)
    try:
        cur = con.execute("SELECT * FROM findings_current ORDER BY finding_id LIMIT 3")
        picked = [dict(zip([d[0] for d in cur.description], r)) for r in cur.fetchall()]
    finally:
        con.close()
    store.append(picked[0], "confirmed", None, None, "local")
    store.append({**picked[1], "observed": (picked[1]["observed"] or 0) + 1}, "dismissed", "duplicate", None, "local")
    events = store.all_latest()
    with data.reading(audited.db) as con:
        plain = data.findings_page(con, data.FindingQuery({}, "", "agency", 1, events))[2]
        assert {v for v, _ in plain["review"]} >= {"confirmed", "reopened", "pending"}, plain["review"]
        combos: list[dict[str, str]] = [{}]
        for name in data.FACETS:
            combos += [{name: plain[name][0][0]}, {name: plain[name][-1][0]}]
        combos += [{"rule": plain["rule"][0][0], "year": plain["year"][-1][0]},
                   {"status": "fail", "review": "pending", "region": plain["region"][0][0]},
                   {"agency": picked[2]["agency_id"]}, {name: plain[name][0][0] for name in data.FACETS}]
        checked = 0
        for filters in combos:
            for q in ("", "表三", "t3_", "不存在的词"):
                fq = data.FindingQuery(filters, q, "agency", 1, events)
                total, _, facets = data.findings_page(con, fq)
                assert (total, facets) == _facets_one_query_each(con, fq), (filters, q)
                checked += total > 0
    assert checked >= 20  # most combinations found something to count
