"""The inspector dashboard (issue 9, DASHBOARD.md): Starlette + Jinja2 (autoescape on for every template),
htmx vendored under /static, served by uvicorn on loopback (or beyond it with a users file).

Every page is a GET whose query string is its whole state; every request opens its own read-only connection
(gongkai.warehouse.read.connect_readonly) and closes it before answering, so a warehouse swapped in by the
nightly run is visible on the next request. This module holds the middleware (security headers, trusted
hosts, the login gate), the loopback rule and the app factory; the screens are in pages, report_pages,
triage and downloads, what they share in site.
"""

from __future__ import annotations

import ipaddress
from importlib import resources
from pathlib import Path
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gongkai.app.web import downloads, pages, report_pages, triage
from gongkai.app.web.auth import SESSION_COOKIE, Authenticator
from gongkai.app.web.site import build_site, current_user

CSP = "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'"
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    # same-origin, not no-referrer: under no-referrer a browser sends `Origin: null` with a plain form POST, and
    # the login form (not boosted) would fail the Origin check; other origins still get no referrer
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]
LOOPBACK_NAMES = ("localhost",)
__all__ = ["NotLoopback", "check_host", "create_app", "current_user", "is_loopback", "serve"]


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


def create_app(db: Path, reviews: Path | None = None, allowed_hosts: list[str] | None = None,
               users: Path | None = None, archive: Path | None = None) -> Starlette:
    """The dashboard over the warehouse file `db` (read per request, never cached). With `users` (a users
    file, gongkai.app.web.auth) every page needs a login and only reviewers may POST decisions; without it
    there are no logins and decisions are signed `local` (loopback only: see check_host)."""
    site = build_site(db, reviews, users, archive)
    static = StaticFiles(directory=str(resources.files("gongkai.app.web").joinpath("static")))
    hosts = allowed_hosts or ["127.0.0.1", "localhost", "::1", "[::1]"]
    app = Starlette(
        routes=[*pages.routes(site), *report_pages.routes(site), *triage.routes(site), *downloads.routes(site),
                Mount("/static", static, name="static")],
        middleware=[Middleware(SecurityHeaders), Middleware(TrustedHostMiddleware, allowed_hosts=hosts),
                    Middleware(AuthGate, auth=site.auth)],
    )
    app.state.db = site.db
    app.state.reviews = site.store.path
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
