"""The inspector dashboard (issue 9, DASHBOARD.md): Starlette + Jinja2 (autoescape on for every template),
htmx vendored under /static, served by uvicorn on loopback.

Every page is a GET whose query string is its whole state; every request opens its own read-only connection
(gongkai.warehouse.read.connect_readonly) and closes it before answering, so a warehouse swapped in by the
nightly run is visible on the next request.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import duckdb
import jinja2
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gongkai.app.web import charts, data, export
from gongkai.app.web.archive import archive_dir, matches, stored_original
from gongkai.app.web.auth import SESSION_COOKIE, SESSION_SECONDS, Authenticator, User
from gongkai.app.web.printed import (
    CIRCLED,
    NOT_ASSESSABLE,
    Cell,
    anchor,
    fmt_num,
    layout_tables,
    marked_parts,
    operands,
)
from gongkai.app.web.reviews import DECISION_ZH, REASONS, ReviewStore, annotate, default_path
from gongkai.form import template
from gongkai.warehouse.errors import WarehouseMissing

CSP = "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'"
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
LOOPBACK_NAMES = ("localhost",)
CSRF_COOKIE = "gongkai_csrf"
BACKLOG_AGES = ("≤ 1 天 day", "2–7 天 days", "8–30 天 days", "> 30 天 days")
LEVEL_ZH = {"fail": "不通过 / fail", "not_assessable": "不可判定 / not assessable"}


class NotLoopback(ValueError):
    """A non-loopback --host without authentication."""


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_host(host: str, users: Path | None) -> None:
    """Refuse to serve beyond this machine without authentication: a non-loopback host needs a users file
    (`users`: its path when one is in use, else None) with at least one user."""
    if is_loopback(host) or users is not None:
        return
    raise NotLoopback(f"--host {host} is not a loopback address: the dashboard serves 127.0.0.1 only unless "
                      "authentication is configured (--users FILE; add a user with `gongkai users add NAME "
                      "--role reviewer`)")


def current_user(request: Request) -> User | None:
    return getattr(request.state, "user", None)


class AuthGate:
    """With a users file: every request but /login and /static needs a valid session cookie; a GET without
    one is redirected to /login?next=…, anything else gets 401 (pure ASGI)."""

    def __init__(self, app: ASGIApp, auth: Authenticator | None) -> None:
        self.app = app
        self.auth = auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.auth is None:
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        request = Request(scope)
        user = self.auth.user(request.cookies.get(SESSION_COOKIE))
        scope.setdefault("state", {})["user"] = user
        if user is None and path != "/login" and not path.startswith("/static/"):
            if scope.get("method") in ("GET", "HEAD"):
                target = path + (f"?{scope['query_string'].decode('latin-1')}" if scope.get("query_string") else "")
                response: Response = RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)
            else:
                response = PlainTextResponse("unauthorised: log in at /login 请先登录", status_code=401)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _safe_next(target: str, default: str = "/") -> str:
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else default


class SecurityHeaders:
    """CSP, nosniff and no framing on every response (pure ASGI: no buffering of bodies)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, wrapped)


def _env() -> jinja2.Environment:
    loader = jinja2.FileSystemLoader(str(resources.files("gongkai.app.web").joinpath("templates")))
    # autoescape=True for every template whatever its name (Starlette's helper only escapes .html names)
    env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["num"] = fmt_num
    env.globals["table_zh"] = template.table_zh
    env.globals["cell_name"] = lambda t, r, c: template.cell_name(t, r, c) if t else "—"
    env.globals["status_zh"] = LEVEL_ZH
    env.globals["decision_zh"] = DECISION_ZH
    env.globals["keep"] = _keep_run
    env.globals["rq"] = _run_q
    return env


@jinja2.pass_context
def _keep_run(ctx: Any, url: str) -> str:
    """`url` with the page's `?run=` carried over (history view), else unchanged."""
    run = ctx.get("as_of")
    if not run:
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'run': run['run_id']})}"


@jinja2.pass_context
def _run_q(ctx: Any, sep: str) -> str:
    """`sep` + `run=…` to append to a link in a history view, else ''."""
    run = ctx.get("as_of")
    return f"{sep}{urlencode({'run': run['run_id']})}" if run else ""


async def _urlencoded(request: Request, limit: int = 256 * 1024) -> dict[str, list[str]] | None:
    """The review forms' fields (urlencoded, every value of each), without python-multipart; None when the
    body is not a small urlencoded form."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)


def create_app(db: Path, reviews: Path | None = None, allowed_hosts: list[str] | None = None,
               users: Path | None = None, archive: Path | None = None) -> Starlette:
    """The dashboard over the warehouse file `db` (read per request, never cached). With `users` (a users
    file, gongkai.app.web.auth) every page needs a login and only reviewers may POST decisions; without it
    there are no logins and decisions are signed `local` (loopback only: see check_host)."""
    db = Path(db)
    env = _env()
    store = ReviewStore(reviews or default_path(db))
    auth = Authenticator(users) if users is not None else None
    archive = archive_dir(db, archive)

    def can_review(request: Request) -> bool:
        user = current_user(request)
        return auth is None or (user is not None and user.can_review)

    def page(template_name: str, request: Request, /, status: int = 200, **ctx: Any) -> HTMLResponse:
        # CSRF: a double-submit token, in a SameSite=Strict cookie and in each form's hidden csrf_token input
        token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
        html = env.get_template(template_name).render(
            request=request, db=str(db), csrf_token=token, reasons=REASONS, user=current_user(request),
            auth=auth is not None, can_review=can_review(request) and as_of(request) is None,
            as_of=as_of(request), **ctx)
        res = HTMLResponse(html, status_code=status)
        if request.cookies.get(CSRF_COOKIE) != token:
            res.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/",
                           secure=request.url.scheme == "https")
        return res

    def missing(request: Request, exc: Exception) -> HTMLResponse:
        return page("error.html", request, status=503, title="仓库不存在 / No warehouse", message=str(exc))

    def as_of(request: Request) -> dict[str, Any] | None:
        """The run of `?run=` (set by `history`), or None for the published state."""
        run: dict[str, Any] | None = getattr(request.state, "as_of", None)
        return run

    def until(request: Request) -> str | None:
        run = as_of(request)
        return data.run_cutoff(run) if run else None

    @contextmanager
    def reading(request: Request) -> Iterator[duckdb.DuckDBPyConnection]:
        """The request's read-only connection; with `?run=` the warehouse as of that run (data.as_of_views)."""
        with data.reading(db) as con:
            run = as_of(request)
            if run is not None:
                data.as_of_views(con, run)
            yield con

    def history(handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
        """`?run=<run_id>` on a GET page: the state as of that run (404 for an unknown run id)."""
        def wrapped(request: Request) -> Response:
            run_id = request.query_params.get("run", "").strip()
            request.state.as_of = None
            if run_id:
                try:
                    with data.reading(db) as con:
                        run = data.one(con, "SELECT * FROM runs WHERE run_id = ?", [run_id])
                except WarehouseMissing as exc:
                    return missing(request, exc)
                if run is None:
                    return page("error.html", request, status=404, title="批次不存在 / No such run", message=run_id)
                request.state.as_of = run
            return handler(request)

        return wrapped

    def home(request: Request) -> Response:
        try:
            with reading(request) as con:
                run = data.published_run(con)
                latest = data.one(con, "SELECT * FROM runs ORDER BY started_at DESC LIMIT 1")
                # the agency's failures apart from ours (responsibility 'parser': files or cells we could not read)
                new = data.one(con, """
                    SELECT count(*) FILTER (WHERE coalesce(u.responsibility, 'source') <> 'parser') AS n,
                           count(*) FILTER (WHERE u.responsibility = 'parser') AS ours
                    FROM findings_current AS f LEFT JOIN rules AS u ON u.rule_id = f.rule_id
                    WHERE f.run_id = ? AND f.status = 'fail'""", [run["run_id"] if run else None])
                review = data.FILTERS["review"]
                data.prepare_reviews(con, store.all_latest(until(request)))
                pending = data.rows(con, f"""
                    SELECT r.region, count(*) FILTER (WHERE {review} = 'pending') AS n,
                           count(*) FILTER (WHERE {review} = 'reopened') AS reopened, min(f.run_id) AS oldest_run
                    {data.FROM_FINDINGS}
                    WHERE f.status = 'fail' AND {review} IN ('pending', 'reopened')
                    GROUP BY r.region ORDER BY n DESC, r.region""")
                now = (as_of(request) or {}).get("finished_at") or datetime.now(UTC).replace(tzinfo=None)
                ages = dict(con.execute(f"""
                    SELECT CASE WHEN age <= 1 THEN 0 WHEN age <= 7 THEN 1 WHEN age <= 30 THEN 2 ELSE 3 END, count(*)
                    FROM (SELECT date_diff('day', u.started_at, ?) AS age {data.FROM_FINDINGS}
                          JOIN runs AS u ON u.run_id = f.run_id
                          WHERE f.status = 'fail' AND {review} IN ('pending', 'reopened'))
                    GROUP BY ALL""", [now]).fetchall())
                reports = data.one(con, """
                    SELECT count(*) AS n, count(*) FILTER (WHERE status = 'parsed') AS parsed,
                           count(*) FILTER (WHERE status = 'partial') AS partial,
                           count(*) FILTER (WHERE status = 'failed') AS failed
                    FROM reports WHERE is_current""")
        except WarehouseMissing as exc:
            return missing(request, exc)
        backlog = [(label, int(ages.get(i, 0))) for i, label in enumerate(BACKLOG_AGES)]
        chart = charts.bars("待复核不通过的积压（按首次发现至今天数） review backlog by age", [b[0] for b in backlog],
                            [("待复核 pending", "#d9a400", False, [b[1] for b in backlog])], width=440, height=180)
        return page("home.html", request, backlog=backlog, backlog_chart=chart, run=run, latest=latest, new=new["n"] if new else 0,
                    ours=new["ours"] if new else 0, pending=pending,
                    pending_total=sum(p["n"] for p in pending), reopened=sum(p["reopened"] for p in pending),
                    reports=reports)

    def finding_query(request: Request) -> tuple[dict[str, str], data.FindingQuery]:
        qp = request.query_params
        filters = {k: qp.get(k, "").strip() for k in data.FILTERS}
        try:
            page_no = max(1, int(qp.get("page", "1")))
        except ValueError:
            page_no = 1
        sort = qp.get("sort", "agency")
        return filters, data.FindingQuery({k: v for k, v in filters.items() if v}, qp.get("q", "").strip(),
                                          sort if sort in data.SORTS else "agency", page_no, store.all_latest(until(request)))

    def findings(request: Request) -> Response:
        qp = request.query_params
        filters, fq = finding_query(request)
        try:
            with reading(request) as con:
                total, items, facets = data.findings_page(con, fq)
        except WarehouseMissing as exc:
            return missing(request, exc)
        annotate(store, items, until(request))

        def url(**change: str | int | None) -> str:
            params = {k: v for k, v in qp.items() if v}
            params.pop("page", None)
            for k, v in change.items():
                if v is None or v == "":
                    params.pop(k, None)
                else:
                    params[k] = str(v)
            return "/findings" + ("?" + urlencode(params) if params else "")

        pages = max(1, (total + data.PAGE_SIZE - 1) // data.PAGE_SIZE)
        return page("findings.html", request, total=total, items=items, facets=facets, filters=filters,
                    q=fq.q, sort=fq.sort, sorts=list(data.SORTS), page_no=fq.page, pages=pages, url=url)

    def report(request: Request) -> Response:
        report_id = request.path_params["report_id"]
        focus = request.query_params.get("focus", "")
        try:
            with reading(request) as con:
                rep = data.one(con, "SELECT * FROM reports WHERE report_id = ?", [report_id])
                if rep is None:
                    return page("error.html", request, status=404, title="报告不存在 / No such report",
                                message=f"report {report_id}")
                cells = data.rows(con, "SELECT table_id, row_key, col_key, value, raw, semantic FROM cells "
                                       "WHERE report_id = ?", [report_id])
                sections = data.rows(con, "SELECT section_no, title, text, present FROM sections WHERE report_id = ? "
                                          "ORDER BY section_no", [report_id])
                found = data.rows(con, """
                    SELECT f.*, v.decision, u.title_zh, u.title_en
                    FROM findings AS f
                    LEFT JOIN reviews AS v ON v.finding_id = f.finding_id
                    LEFT JOIN rules AS u ON u.rule_id = f.rule_id
                    WHERE f.report_id = ? AND f.resolved_run_id IS NULL
                    ORDER BY f.status, f.table_id NULLS LAST, f.rule_id, f.row_key, f.col_key""", [report_id])
                review = data.FILTERS["review"]
                data.prepare_reviews(con, store.all_latest(until(request)))
                queue = [rid for (rid,) in con.execute(f"""
                    SELECT f.report_id {data.FROM_FINDINGS}
                    WHERE f.status = 'fail' AND {review} IN ('pending', 'reopened')
                    GROUP BY f.report_id, f.agency, f.year ORDER BY f.agency, f.year, f.report_id""").fetchall()]
        except WarehouseMissing as exc:
            return missing(request, exc)
        annotate(store, found, until(request))
        at = queue.index(report_id) if report_id in queue else -1
        prev_pending = queue[at - 1] if at > 0 else None
        next_pending = queue[at + 1] if at + 1 < len(queue) else None
        lookup: dict[tuple[str, str, str], Cell] = {}
        for c in cells:
            lookup[(c["table_id"], c["row_key"], c["col_key"])] = Cell(
                c["table_id"], c["row_key"], c["col_key"], c["raw"] or "", c["value"], c["semantic"])
        layout = rep.get("layout") or rep.get("format_version") or "unknown"
        formula = None
        for f in found:
            key = anchor(f, layout)
            if key is None:
                continue
            cell = lookup.setdefault(key, Cell(*key))
            if f["status"] == "fail":
                cell.failing.append(f)
            if f["finding_id"] == focus:
                cell.focused = True
                if f in cell.failing:  # the focused finding's numbers come first
                    cell.failing.remove(f)
                    cell.failing.insert(0, f)
                exp, obs = operands(f["rule_id"], f["table_id"], f["row_key"], f["col_key"], layout)
                for i, k in enumerate(exp + obs):
                    lookup.setdefault(k, Cell(*k)).operand = CIRCLED[i] if i < len(CIRCLED) else str(i + 1)
                if exp or obs:
                    def term(k: tuple[str, str, str]) -> dict[str, str]:
                        c = lookup[k]
                        return {"no": c.operand, "name": template.cell_name(*k), "value": c.raw, "id": f"{k[0]}-{k[1]}-{k[2]}"}

                    formula = {"finding": f, "expected": [term(k) for k in exp], "observed": [term(k) for k in obs]}
        tables = layout_tables(layout, lookup) if layout in template.LAYOUTS else None
        for sec in sections:
            sec["parts"] = marked_parts(sec["text"] or "", found)
        present = {"t2": rep.get("has_t2"), "t3": rep.get("has_t3"), "t4": rep.get("has_t4")}
        original = stored_original(archive, report_id, rep.get("source_format"))
        return page("report.html", request, rep=rep, layout=layout, has_original=original is not None, tables=tables, present=present,
                    sections=sections, findings=found, focus=focus, formula=formula, prev_pending=prev_pending,
                    next_pending=next_pending, section_titles=template.SECTION_TITLES,
                    not_assessable=NOT_ASSESSABLE, titles=template.TABLE_TITLES)

    def original(request: Request) -> Response:
        """/reports/{id}/original: the audited file from the archive, as an attachment (application/octet-stream,
        nosniff, a sandbox CSP), never rendered inline; 404 with a bilingual message when it is not there."""
        report_id = request.path_params["report_id"]
        try:
            with reading(request) as con:
                rep = data.one(con, "SELECT report_id, source_format, source_path FROM reports WHERE report_id = ?",
                               [report_id])
        except WarehouseMissing as exc:
            return missing(request, exc)
        path = stored_original(archive, report_id, rep["source_format"]) if rep else None
        if rep is None or path is None:
            return page("error.html", request, status=404, title="原件未存档 / Original not archived",
                        message=f"原件未存档 the original file of report {report_id} is not in the archive {archive}")
        if not matches(path, report_id):
            return page("error.html", request, status=409, title="原件已损坏 / Archived file changed",
                        message=f"存档文件与其 sha256 不符 the archived file {path.name} no longer hashes to its report id")
        name = Path(str(rep["source_path"] or "").replace("\\", "/")).name or path.name
        return FileResponse(path, media_type="application/octet-stream", headers={
            "content-disposition": export.disposition(name, path.name),
            "content-security-policy": "sandbox", "cache-control": "no-store"})  # nosniff: SecurityHeaders

    def cross_year(request: Request) -> Response:
        """Last year's 四、结转下年度继续办理 beside this year's 二、上年结转 per 表三 column, and 表二's stock
        (现行有效 last year + 本年制发 − 本年废止 against 现行有效 this year)."""
        report_id = request.path_params["report_id"]
        try:
            with reading(request) as con:
                rep = data.one(con, "SELECT * FROM reports WHERE report_id = ?", [report_id])
                if rep is None:
                    return page("error.html", request, status=404, title="报告不存在 / No such report",
                                message=f"report {report_id}")
                prev = data.one(con, "SELECT * FROM reports WHERE agency_id = ? AND year = ? AND is_current",
                                [rep["agency_id"], (rep["year"] or 0) - 1]) if rep["agency_id"] and rep["year"] else None
                ids = [report_id] + ([prev["report_id"]] if prev else [])
                vals = {(rid, t, r, c): (v, raw, sem) for rid, t, r, c, v, raw, sem in con.execute(
                    "SELECT report_id, table_id, row_key, col_key, value, raw, semantic FROM cells "
                    "WHERE report_id IN (SELECT unnest(?::VARCHAR[])) AND table_id IN ('t2', 't3')", [ids]).fetchall()}
                xy = data.rows(con, "SELECT * FROM findings WHERE report_id = ? AND rule_id LIKE 'XY%' "
                                    "AND resolved_run_id IS NULL ORDER BY rule_id, table_id, row_key, col_key", [report_id])
        except WarehouseMissing as exc:
            return missing(request, exc)

        def num(rid: str | None, t: str, r: str, c: str) -> float | None:
            v = vals.get((rid or "", t, r, c))
            return v[0] if v and v[2] == "number" else None

        prev_id = prev["report_id"] if prev else None
        carry = []
        for c in template.col_keys("2021", "t3"):
            last, now = num(prev_id, "t3", "carried_forward", c), num(report_id, "t3", "carried_over", c)
            carry.append({"col": template.col_label("t3", c), "last": last, "now": now,
                          "ok": None if last is None or now is None else last == now})
        stock = []
        for r in ("regulations", "normative_docs"):
            last = num(prev_id, "t2", r, "in_force")
            issued, repealed, now = (num(report_id, "t2", r, k) for k in ("issued", "repealed", "in_force"))
            expected = None if None in (last, issued, repealed) else last + issued - repealed  # type: ignore[operator]
            stock.append({"row": template.row_label("t2", r), "last": last, "issued": issued, "repealed": repealed,
                          "expected": expected, "now": now,
                          "ok": None if expected is None or now is None else expected == now})
        return page("cross_year.html", request, rep=rep, prev=prev, carry=carry, stock=stock, xy=xy)

    def scorecard(request: Request) -> Response:
        qp = request.query_params
        filters = {k: qp.get(k, "").strip() for k in data.SCORE_FILTERS}
        sort = qp.get("sort", "agency")
        sort = sort if sort in data.SCORE_SORTS else "agency"
        try:
            with reading(request) as con:
                fams, items = data.scorecard(con, filters, sort)
        except WarehouseMissing as exc:
            return missing(request, exc)
        return page("scorecard.html", request, fams=fams, items=items, filters=filters, sort=sort,
                    sorts=list(data.SCORE_SORTS))

    def agency(request: Request) -> Response:
        agency_id = request.path_params["agency_id"]
        try:
            with reading(request) as con:
                fams, years = data.scorecard(con, {}, "year", agency_id=agency_id)
                versions = data.rows(con, """
                    SELECT report_id, agency, region, level, year, status, format_version, source_path, is_current,
                           first_run_id FROM reports WHERE agency_id = ? ORDER BY year DESC, is_current DESC, parsed_at DESC""",
                    [agency_id])
        except WarehouseMissing as exc:
            return missing(request, exc)
        if not versions:
            return page("error.html", request, status=404, title="单位不存在 / No such agency", message=agency_id)
        by_year = sorted(years, key=lambda r: r["year"])
        chart = charts.bars("各年度不通过（错误、警告） failures per year (errors, warnings)",
                            [str(r["year"]) for r in by_year],
                            [("错误 errors", "#b00020", False, [int(r["errors"]) for r in by_year]),
                             ("警告 warnings", "#9ecae1", True, [int(r["warnings"]) for r in by_year])],
                            [f"/reports/{r['current_report_id']}" for r in by_year],
                            width=min(520, 80 + 110 * len(by_year))) if by_year else None
        return page("agency.html", request, agency_id=agency_id, agency_name=versions[0]["agency"], fams=fams,
                    years=years, versions=versions, chart=chart)

    def region(request: Request) -> Response:
        """/regions/{code}: the region's agencies (its subtree) and their failures, split by level; ?year=."""
        code = request.path_params["code"]
        year = request.query_params.get("year", "").strip()
        try:
            with reading(request) as con:
                data.prepare_reviews(con, store.all_latest(until(request)))
                got = data.region_summary(con, code, year)
        except WarehouseMissing as exc:
            return missing(request, exc)
        if not got["years"]:
            return page("error.html", request, status=404, title="地区不存在 / No such region", message=code)
        return page("region.html", request, code=code, year=year, **got)

    def rules(request: Request) -> Response:
        try:
            with reading(request) as con:
                items = data.rows(con, """
                    SELECT u.rule_id, u.family, u.severity, u.engine, u.title_zh, u.title_en, u.description,
                           count(f.finding_id) FILTER (WHERE f.status = 'fail') AS fails,
                           count(f.finding_id) FILTER (WHERE f.status = 'not_assessable') AS not_assessable
                    FROM rules AS u LEFT JOIN findings_current AS f ON f.rule_id = u.rule_id
                    GROUP BY ALL ORDER BY u.family, u.rule_id""")
        except WarehouseMissing as exc:
            return missing(request, exc)
        return page("rules.html", request, items=items)

    def rule(request: Request) -> Response:
        rule_id = request.path_params["rule_id"]
        try:
            with reading(request) as con:
                meta = data.one(con, "SELECT * FROM rules WHERE rule_id = ?", [rule_id])
                if meta is None:
                    return page("error.html", request, status=404, title="规则不存在 / No such rule", message=rule_id)
                rates = data.rule_rates(con, rule_id)
                data.prepare_reviews(con, store.all_latest(until(request)))
                reasons = data.rows(con, f"""
                    SELECT ev.reason, count(*) AS n {data.FROM_FINDINGS}
                    WHERE f.rule_id = ? AND ev.decision = 'dismissed'
                    GROUP BY ev.reason ORDER BY n DESC""", [rule_id])
        except WarehouseMissing as exc:
            return missing(request, exc)
        regions = list(dict.fromkeys(r["region"] or "（未知 unknown）" for r in rates))
        years = sorted({str(r["year"]) for r in rates if r["year"] is not None})
        cells = {(r["region"] or "（未知 unknown）", str(r["year"])): (r["failing"], r["evaluated"]) for r in rates}
        hrefs = {(r["region"] or "（未知 unknown）", str(r["year"])): "/findings?" + urlencode(
            {k: v for k, v in (("rule", rule_id), ("status", "fail"), ("region", r["region"] or ""),
                               ("year", str(r["year"])), ("run", request.query_params.get("run", ""))) if v})
            for r in rates if r["failing"]}
        heat = charts.heat_map(f"{rule_id} 不通过率（地区 × 年度） failure rate by region × year", regions, years,
                               cells, hrefs) if rates else None
        return page("rule.html", request, rule=meta, rates=rates, dismissals=reasons, heat=heat)

    def runs(request: Request) -> Response:
        try:
            with reading(request) as con:
                items = data.rows(con, "SELECT * FROM runs ORDER BY started_at DESC LIMIT 200")
        except WarehouseMissing as exc:
            return missing(request, exc)
        return page("runs.html", request, items=items)

    def export_findings(request: Request) -> Response:
        fmt = request.path_params["fmt"]
        if fmt not in ("csv", "xlsx"):
            return PlainTextResponse("unknown export format", status_code=404)
        filters, fq = finding_query(request)
        return exported(request, fmt, filters, fq, export.filename(filters, fmt))

    def export_notice(request: Request) -> Response:
        """The failures of one agency-year, to attach to a 整改通知 (correction notice)."""
        agency_id, year = request.path_params["agency_id"], request.path_params["year"]
        filters = {"agency": agency_id, "year": year, "status": "fail"}
        fq = data.FindingQuery(filters, "", "agency", 1, store.all_latest(until(request)))
        return exported(request, "xlsx", filters, fq, f"整改通知_{agency_id}_{year}.xlsx".replace("/", "-"))

    def exported(request: Request, fmt: str, filters: dict[str, str], fq: data.FindingQuery, name: str) -> Response:
        try:
            with reading(request) as con:
                items = data.findings_all(con, fq)
                rule_rows = data.rows(con, "SELECT * FROM rules ORDER BY rule_id")
                run = data.published_run(con)
        except WarehouseMissing as exc:
            return missing(request, exc)
        annotate(store, items, until(request))
        base = str(request.base_url)
        headers = {"content-disposition": export.disposition(name, f"findings.{fmt}")}
        if fmt == "csv":
            return Response(export.to_csv(items, base), media_type="text/csv; charset=utf-8", headers=headers)
        params = {"导出时间 exported at": datetime.now(UTC).isoformat(timespec="seconds"),
                  "批次 run": run["run_id"] if run else "", "条数 rows": str(len(items)),
                  "查询 query": str(request.url.query),
                  **{f"筛选 {k}": v for k, v in filters.items() if v}, **({"搜索 q": fq.q} if fq.q else {})}
        body = export.to_xlsx(items, base, rule_rows, params)
        return Response(body, headers=headers,
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    def run_detail(request: Request) -> Response:
        run_id = request.path_params["run_id"]
        try:
            with reading(request) as con:
                run = data.one(con, "SELECT * FROM runs WHERE run_id = ?", [run_id])
                if run is None:
                    return page("error.html", request, status=404, title="批次不存在 / No such run", message=run_id)
                counts = data.one(con, """
                    SELECT count(*) FILTER (WHERE run_id = ?) AS new,
                           count(*) FILTER (WHERE resolved_run_id = ?) AS resolved FROM findings""", [run_id, run_id])
                bad = data.rows(con, """
                    SELECT report_id, source_path, agency, year, status, error, notes FROM reports
                    WHERE first_run_id = ? AND status IN ('failed', 'partial') ORDER BY status, source_path""", [run_id])
        except WarehouseMissing as exc:
            return missing(request, exc)
        return page("run.html", request, run=run, counts=counts, bad=bad)

    def review_log(request: Request) -> Response:
        reviewer = request.query_params.get("reviewer", "").strip()
        since = request.query_params.get("since", "").strip()
        return page("reviews.html", request, events=store.log(reviewer, since), reviewer=reviewer, since=since,
                    store_path=str(store.path))

    def healthz(request: Request) -> Response:
        try:
            with reading(request) as con:
                run = data.published_run(con)
                n = con.execute("SELECT count(*) FROM reports").fetchone()
        except WarehouseMissing as exc:
            return JSONResponse({"ok": False, "error": str(exc)}, status_code=503)
        return JSONResponse({"ok": True, "published_run_id": run["run_id"] if run else None,
                             "reports": int(n[0]) if n else 0})

    async def review(request: Request) -> Response:
        """POST a decision on one finding (hidden finding_id) or several (the bulk form's checked finding_id
        boxes) with csrf_token; 403 on a bad token or a foreign Origin. Appends one event per finding to the
        review store in one transaction and redirects (303) back to the page."""
        form = await _urlencoded(request)
        refused = forbidden_post(request, form)
        if refused is not None or form is None:
            return refused or PlainTextResponse("bad form", status_code=400)

        def first(name: str) -> str:
            return (form.get(name) or [""])[0]

        if not can_review(request):
            return PlainTextResponse("forbidden: the viewer role cannot record decisions 查看角色不能复核", status_code=403)
        user = current_user(request)
        ids = list(dict.fromkeys(i for i in form.get("finding_id", []) if i))  # one, or many from the bulk form
        if not ids:
            return PlainTextResponse("no finding selected", status_code=400)
        try:
            with data.reading(db) as con:
                found = data.rows(con, "SELECT * FROM findings WHERE finding_id IN (SELECT unnest(?::VARCHAR[]))", [ids])
        except WarehouseMissing as exc:
            return missing(request, exc)
        if len(found) != len(ids):
            return PlainTextResponse("no such finding", status_code=404)
        try:  # the logged-in user, or `local` without authentication
            store.append_many(found, first("decision"), first("reason") or None, first("note") or None,
                              reviewer=user.name if user else "local", reference=first("reference") or None,
                              deadline=first("deadline") or None)
        except ValueError as exc:
            return PlainTextResponse(f"bad review: {exc}", status_code=400)
        back = first("next")
        if not back.startswith("/") or back.startswith("//"):
            back = f"/reports/{found[0]['report_id']}?focus={found[0]['finding_id']}"
        return RedirectResponse(back, status_code=303)

    def forbidden_post(request: Request, form: dict[str, list[str]] | None) -> Response | None:
        """403 for a foreign Origin or a missing / wrong CSRF token (double submit), 400 for a body that is not a
        small urlencoded form; None when the POST may go on."""
        origin = request.headers.get("origin")
        if origin is not None and origin != f"{request.url.scheme}://{request.headers.get('host', '')}":
            return PlainTextResponse("forbidden: foreign Origin", status_code=403)
        if form is None:
            return PlainTextResponse("expected a small application/x-www-form-urlencoded form", status_code=400)
        sent, cookie = (form.get("csrf_token") or [""])[0], request.cookies.get(CSRF_COOKIE, "")
        if not sent or not cookie or not hmac.compare_digest(sent, cookie):
            return PlainTextResponse("forbidden: bad or missing csrf_token", status_code=403)
        return None

    async def login(request: Request) -> Response:
        """GET: the login form; POST: name + password checked against the users file → session cookie."""
        if auth is None:
            return RedirectResponse("/", status_code=303)
        target = _safe_next(request.query_params.get("next", "/"))
        if request.method == "GET":
            return page("login.html", request, next=target, failed=False)
        form = await _urlencoded(request, limit=8 * 1024)
        refused = forbidden_post(request, form)
        if refused is not None or form is None:
            return refused or PlainTextResponse("bad form", status_code=400)
        target = _safe_next((form.get("next") or ["/"])[0])
        user = auth.login((form.get("name") or [""])[0].strip(), (form.get("password") or [""])[0])
        if user is None:
            return page("login.html", request, status=401, next=target, failed=True)
        res = RedirectResponse(target, status_code=303)
        res.set_cookie(SESSION_COOKIE, auth.session(user), max_age=SESSION_SECONDS, httponly=True, samesite="strict",
                       path="/", secure=request.url.scheme == "https")
        return res

    async def logout(request: Request) -> Response:
        refused = forbidden_post(request, await _urlencoded(request, limit=8 * 1024))
        if refused is not None:
            return refused
        res = RedirectResponse("/login" if auth is not None else "/", status_code=303)
        res.delete_cookie(SESSION_COOKIE, path="/")
        return res

    static = StaticFiles(directory=str(resources.files("gongkai.app.web").joinpath("static")))
    hosts = allowed_hosts or ["127.0.0.1", "localhost", "::1", "[::1]"]
    app = Starlette(
        routes=[
            Route("/", history(home)), Route("/findings", history(findings)),
            Route("/reports/{report_id}", history(report)),
            Route("/reports/{report_id}/cross-year", history(cross_year)),
            Route("/reports/{report_id}/original", original),
            Route("/scorecard", history(scorecard)), Route("/agencies/{agency_id}", history(agency)),
            Route("/regions/{code:path}", history(region)), Route("/rules", history(rules)), Route("/rules/{rule_id}", history(rule)), Route("/runs", runs), Route("/runs/{run_id}", run_detail),
            Route("/reviews", review_log), Route("/healthz", healthz),
            Route("/review", review, methods=["POST"]), Route("/login", login, methods=["GET", "POST"]),
            Route("/logout", logout, methods=["POST"]), Route("/export/findings.{fmt}", history(export_findings)),
            Route("/export/notice/{agency_id}/{year}.xlsx", export_notice),
            Mount("/static", static, name="static"),
        ],
        middleware=[Middleware(SecurityHeaders), Middleware(TrustedHostMiddleware, allowed_hosts=hosts),
                    Middleware(AuthGate, auth=auth)],
    )
    app.state.db = db
    app.state.reviews = store.path
    return app


def serve(db: Path, host: str = "127.0.0.1", port: int = 8765, reviews: Path | None = None,
          users: Path | None = None, archive: Path | None = None) -> None:
    """Run the dashboard with uvicorn (blocking). Raises NotLoopback before binding anything; `users` is the
    users file in use (None: no logins, loopback only)."""
    check_host(host, users)
    import uvicorn

    hosts = ["127.0.0.1", "localhost", "::1", "[::1]", host]
    if host in ("0.0.0.0", "::", "[::]"):  # every interface: the Host header is whatever name clients use
        hosts = ["*"]
    uvicorn.run(create_app(db, reviews, allowed_hosts=hosts, users=users, archive=archive), host=host, port=port,
                log_level="warning", server_header=False)
