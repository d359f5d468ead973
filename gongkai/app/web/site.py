"""What every dashboard screen shares (the `Site`): the warehouse path, the templates (autoescape on for every
one), the review store, the authenticator, the archive, and the helpers the screens call — `page` (render
with the CSRF cookie), `reading` (the request's read-only connection, as of `?run=`), `history` (the `?run=`
wrapper of GET pages), `until`, `missing`, `can_review`, `forbidden_post` (the Origin and CSRF checks of
every POST), `finding_query`. The screens are pages, report_pages, triage and downloads; server assembles
them."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import duckdb
import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from gongkai.app.web import data
from gongkai.app.web.auth import Authenticator, User
from gongkai.app.web.printed import fmt_num
from gongkai.app.web.reviews import DECISION_ZH, REASONS, ReviewStore, default_path
from gongkai.form import template
from gongkai.ingest import archive as evidence
from gongkai.warehouse.errors import WarehouseMissing

CSRF_COOKIE = "gongkai_csrf"
LEVEL_ZH = {"fail": "不通过 / fail", "not_assessable": "不可判定 / not assessable"}


def current_user(request: Request) -> User | None:
    return getattr(request.state, "user", None)


def safe_next(target: str, default: str = "/") -> str:
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else default


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


async def urlencoded_form(request: Request, limit: int = 256 * 1024) -> dict[str, list[str]] | None:
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


@dataclass(frozen=True)
class Site:
    db: Path
    env: jinja2.Environment
    store: ReviewStore
    auth: Authenticator | None
    archive: Path
    can_review: Callable[[Request], bool]
    page: Callable[..., HTMLResponse]
    missing: Callable[[Request, Exception], HTMLResponse]
    as_of: Callable[[Request], dict[str, Any] | None]
    until: Callable[[Request], str | None]
    reading: Callable[[Request], Any]
    history: Callable[[Callable[[Request], Response]], Callable[[Request], Response]]
    forbidden_post: Callable[[Request, dict[str, list[str]] | None], Response | None]
    finding_query: Callable[[Request], tuple[dict[str, str], data.FindingQuery]]


def build_site(db: Path, reviews: Path | None = None, users: Path | None = None,
               archive: Path | None = None) -> Site:
    """The shared state and helpers of a dashboard over warehouse `db` (see create_app)."""
    db = Path(db)
    env = _env()
    store = ReviewStore(reviews or default_path(db))
    auth = Authenticator(users) if users is not None else None
    archive = evidence.find_root(db, archive)  # --archive, else $GONGKAI_ARCHIVE, else archive/ beside db

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


    return Site(db, env, store, auth, archive, can_review, page, missing, as_of, until, reading, history,
                forbidden_post, finding_query)
