"""The inspector dashboard in a real browser: Playwright driving Debian's /usr/bin/chromium (Playwright's
own browser download is not used) with fonts-noto-cjk, against uvicorn on a free loopback port over a
warehouse audited from a two-report harvest whose manifest names an agency `<img src=x onerror=…>`."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from support import HARVEST, invoke, shown

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
XSS = "<img src=x onerror=alert(1)>"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (.ci/run installs it)")


@dataclass(frozen=True)
class Site:
    url: str
    db: Path
    harvest: Path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    import uvicorn

    from gongkai.app.web.server import create_app

    work = tmp_path_factory.mktemp("dashboard")
    harvest = work / "harvest"
    harvest.mkdir()
    for name in ("sample_t3_balance_2023.html", "sample_blank_cell_2023.html"):
        shutil.copy(HARVEST / name, harvest / name)
    (harvest / "manifest.jsonl").write_text(
        json.dumps({"path": "sample_t3_balance_2023.html", "agency": XSS, "region": "示范县", "year": 2023},
                   ensure_ascii=False) + "\n", encoding="utf-8")
    db = work / "warehouse.duckdb"
    res = invoke("audit", str(harvest), "--db", str(db), "--workers", "1")
    assert res.exit_code == 0, shown(res)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield Site(f"http://127.0.0.1:{port}", db, harvest)
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def base_url(site: Site) -> str:
    return site.url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def test_dashboard_in_chromium(base_url: str, browser) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    # filter → URL: the query string is the page's whole state
    page.goto(f"{base_url}/findings")
    page.fill("input[name=rule]", "T3_BALANCE")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(lambda u: parse_qs(urlparse(u).query).get("rule") == ["T3_BALANCE"])
    page.click("a[data-facet=status]")
    page.wait_for_url(lambda u: "status" in parse_qs(urlparse(u).query))
    assert parse_qs(urlparse(page.url).query)["rule"] == ["T3_BALANCE"]

    # the xlsx download of this filter, read back: harvested strings are text cells
    with page.expect_download() as dl:
        page.click("a[href^='/export/findings.xlsx']")
    import io

    import openpyxl

    assert dl.value.suggested_filename.startswith("问题清单_") and dl.value.suggested_filename.endswith(".xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes()))["问题清单"]
    agencies = [ws.cell(r, 3) for r in range(2, ws.max_row + 1)]
    assert XSS in [a.value for a in agencies] and all(a.data_type == "s" for a in agencies)

    # the harvested agency name is text: no <img>, no dialog
    assert page.get_by_text(XSS).first.is_visible()
    assert page.locator("main img").count() == 0

    # the report page: the failing cell of T3_BALANCE marked, with its numbers, in both languages
    page.locator("table.findings tbody a[href*='focus=']").first.click()
    page.wait_for_url("**/reports/*focus=*")
    cell = page.locator('td[aria-invalid="true"][data-table="t3"][data-row="processed_total"]').first
    assert cell.is_visible()
    assert "✗" in cell.inner_text() and "应为" in cell.inner_text() and "实为" in cell.inner_text()
    assert page.locator("#formula").is_visible() and "①" in page.locator("#formula").inner_text()
    assert "Table 3 does not balance" in page.content() and "表三" in page.content()
    assert page.get_by_text(XSS).first.is_visible()

    # triage: confirm the focused finding → the page shows it → a reload still shows it
    focused = page.locator("aside.side li.focus")
    focused.locator("button[value=confirmed]").click()
    page.wait_for_function("() => document.querySelector('aside.side li.focus .review-state')?.dataset.review === 'confirmed'")
    page.reload()
    assert page.locator("aside.side li.focus .review-state").get_attribute("data-review") == "confirmed"
    # a forged POST (no token, foreign Origin) is refused
    finding_id = focused.get_attribute("data-finding")
    forged = page.request.post(f"{base_url}/review", form={"finding_id": finding_id, "decision": "dismissed",
                                                             "reason": "duplicate"}, headers={"Origin": "http://evil.example"})
    assert forged.status == 403

    # a blank cell of the other report reads not assessable, never the failure style
    page.goto(f"{base_url}/findings?rule=CELL_BLANK")
    page.locator("table.findings tbody a[href*='focus=']").first.click()
    page.wait_for_url("**/reports/*")
    na = page.locator('td.v.na[data-table="t3"]').first
    assert "不可判定" in na.inner_text() and na.get_attribute("aria-invalid") is None

    page.goto(f"{base_url}/")
    assert page.locator("#pending-count").is_visible()
    assert dialogs == []
    assert requests and all(u.startswith(base_url + "/") for u in requests), [u for u in requests if not u.startswith(base_url)]
    page.close()


def test_triage_survives_the_next_audit(site: Site, browser) -> None:
    """confirm → reload → still confirmed → the next `gongkai audit` into the same warehouse (a new file in the
    harvest) → reload → still confirmed, and the warehouse's reviews has it (merged from the review store)."""
    import duckdb

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{site.url}/findings?rule=CELL_BLANK")
    page.locator("table.findings tbody a[href*='focus=']").first.click()
    page.wait_for_url("**/reports/*focus=*")
    focused = page.locator("aside.side li.focus")
    finding_id = focused.get_attribute("data-finding")
    focused.locator("button[value=confirmed]").click()
    page.wait_for_function("() => document.querySelector('aside.side li.focus .review-state')?.dataset.review === 'confirmed'")
    page.reload()
    assert page.locator("aside.side li.focus .review-state").get_attribute("data-review") == "confirmed"

    runs_before = page.request.get(f"{site.url}/healthz").json()["published_run_id"]
    shutil.copy(HARVEST / "sample_t4_total_2023.txt", site.harvest / "sample_t4_total_2023.txt")
    res = invoke("audit", str(site.harvest), "--db", str(site.db), "--workers", "1")
    assert res.exit_code == 0, shown(res)
    assert page.request.get(f"{site.url}/healthz").json()["published_run_id"] != runs_before

    page.reload()
    assert page.locator("aside.side li.focus .review-state").get_attribute("data-review") == "confirmed"
    con = duckdb.connect(str(site.db), read_only=True)
    try:
        assert con.execute("SELECT decision, reviewer FROM reviews WHERE finding_id = ?", [finding_id]).fetchall() == [
            ("confirmed", "local")]
        assert con.execute("SELECT decision FROM findings_current WHERE finding_id = ?", [finding_id]).fetchall() == [
            ("confirmed",)]
        assert con.execute("SELECT count(*) FROM review_events WHERE finding_id = ?", [finding_id]).fetchone()[0] == 1
    finally:
        con.close()
    # withdrawn from the review log: a new event, the finding reads reopened
    page.goto(f"{site.url}/reviews")
    page.locator(f"form.withdraw:has(input[value='{finding_id}']) button[value=reopened]").click()
    page.wait_for_url("**/reviews*")
    page.goto(f"{site.url}/findings?review=reopened")
    assert page.locator(f"tr[data-finding='{finding_id}']").count() == 1
    page.close()


def test_login_in_chromium_and_a_viewer_cannot_review(site: Site, browser, tmp_path: Path) -> None:
    """With a users file: a page sends the browser to the login form, a wrong password is refused, the
    session cookie (HttpOnly, SameSite=Strict) lets the reviewer in; a viewer sees no review forms and a
    POST made with the viewer's own session and token is refused (403)."""
    import uvicorn

    from gongkai.app.web.auth import add_user
    from gongkai.app.web.server import create_app

    users = tmp_path / "users"
    add_user(users, "wang", "reviewer", "correct horse battery")
    add_user(users, "li", "viewer", "correct horse battery")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(site.db, users=users), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    try:
        for name, can_review in (("wang", True), ("li", False)):
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"{base}/findings?rule=T3_BALANCE")
            page.wait_for_url("**/login?next=*")
            page.fill("input[name=name]", name)
            page.fill("input[name=password]", "wrong password")
            page.click("form.login button[type=submit]")
            assert page.get_by_role("alert").inner_text().startswith("✗ 用户名或密码错误")
            page.fill("input[name=name]", name)
            page.fill("input[name=password]", "correct horse battery")
            page.click("form.login button[type=submit]")
            page.wait_for_url(f"{base}/findings?rule=T3_BALANCE")
            assert name in page.locator("header form.who").inner_text()
            cookie = next(c for c in context.cookies() if c["name"] == "gongkai_session")
            assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
            assert (page.locator("#bulk").count() == 1) is can_review
            if not can_review:
                finding_id = page.locator("table.findings tbody tr[data-finding]").first.get_attribute("data-finding")
                token = next(c["value"] for c in context.cookies() if c["name"] == "gongkai_csrf")
                res = page.request.post(f"{base}/review", form={"finding_id": finding_id, "decision": "confirmed",
                                                                "csrf_token": token}, headers={"Origin": base})
                assert res.status == 403
            context.close()
    finally:
        server.should_exit = True
        thread.join(10)


def test_the_audited_original_downloads_and_never_renders(site: Site, browser) -> None:
    """The audit archived the files it read (gongkai.ingest.archive); the report page links the original,
    which comes back byte for byte as an attachment, and the browser downloads it rather than showing it."""
    page = browser.new_page()
    page.goto(f"{site.url}/findings?rule=T3_BALANCE")
    page.locator("table.findings tbody a[href*='focus=']").first.click()
    page.wait_for_url("**/reports/*")
    link = page.locator("a#original")
    assert link.is_visible()
    with page.expect_download() as dl:
        link.click()
    got = Path(dl.value.path()).read_bytes()
    assert got == (HARVEST / "sample_t3_balance_2023.html").read_bytes()
    res = page.request.get(site.url + link.get_attribute("href"))
    assert res.headers["content-disposition"].startswith("attachment;")
    assert res.headers["content-type"] == "application/octet-stream"
    page.close()
