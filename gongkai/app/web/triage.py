"""Triage and sessions: POST /review (one or many findings), the review log, login and logout."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from gongkai.app.web import data
from gongkai.app.web.auth import SESSION_COOKIE, SESSION_SECONDS
from gongkai.app.web.site import Site, current_user, safe_next, urlencoded_form
from gongkai.warehouse.errors import WarehouseMissing


def routes(site: Site) -> list[BaseRoute]:
    # the shared helpers and state (gongkai.app.web.site), under the names the handlers use
    can_review, page, missing, forbidden_post = site.can_review, site.page, site.missing, site.forbidden_post
    db, store, auth = site.db, site.store, site.auth

    def review_log(request: Request) -> Response:
        reviewer = request.query_params.get("reviewer", "").strip()
        since = request.query_params.get("since", "").strip()
        return page("reviews.html", request, events=store.log(reviewer, since), reviewer=reviewer, since=since,
                    store_path=str(store.path))

    async def review(request: Request) -> Response:
        """POST a decision on one finding (hidden finding_id) or several (the bulk form's checked finding_id
        boxes) with csrf_token; 403 on a bad token or a foreign Origin. Appends one event per finding to the
        review store in one transaction and redirects (303) back to the page."""
        form = await urlencoded_form(request)
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
        back = safe_next(first("next"), f"/reports/{found[0]['report_id']}?focus={found[0]['finding_id']}")
        return RedirectResponse(back, status_code=303)

    async def login(request: Request) -> Response:
        """GET: the login form; POST: name + password checked against the users file → session cookie."""
        if auth is None:
            return RedirectResponse("/", status_code=303)
        target = safe_next(request.query_params.get("next", "/"))
        if request.method == "GET":
            return page("login.html", request, next=target, failed=False)
        form = await urlencoded_form(request, limit=8 * 1024)
        refused = forbidden_post(request, form)
        if refused is not None or form is None:
            return refused or PlainTextResponse("bad form", status_code=400)
        target = safe_next((form.get("next") or ["/"])[0])
        # scrypt takes ~50 ms: in the thread pool, not on the event loop
        user = await run_in_threadpool(auth.login, (form.get("name") or [""])[0].strip(),
                                       (form.get("password") or [""])[0])
        if user is None:
            return page("login.html", request, status=401, next=target, failed=True)
        res = RedirectResponse(target, status_code=303)
        res.set_cookie(SESSION_COOKIE, auth.session(user), max_age=SESSION_SECONDS, httponly=True, samesite="strict",
                       path="/", secure=request.url.scheme == "https")
        return res

    async def logout(request: Request) -> Response:
        refused = forbidden_post(request, await urlencoded_form(request, limit=8 * 1024))
        if refused is not None:
            return refused
        res = RedirectResponse("/login" if auth is not None else "/", status_code=303)
        res.delete_cookie(SESSION_COOKIE, path="/")
        return res

    return [
        Route("/reviews", review_log), Route("/review", review, methods=["POST"]),
        Route("/login", login, methods=["GET", "POST"]), Route("/logout", logout, methods=["POST"]),
    ]
