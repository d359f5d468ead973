"""Dashboard authentication (gongkai.app.web.auth): the users file with salted scrypt hashes, `gongkai users`,
the login form and session cookie, the roles, and the loopback rule of `gongkai dashboard`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from support import invoke, shown
from typer.testing import CliRunner
from warehouse_support import report, write

from gongkai.app.cli import app
from gongkai.app.web.auth import (
    SESSION_COOKIE,
    Authenticator,
    User,
    UsersFileError,
    add_user,
    read_users,
    users_path,
    verify_password,
)
from gongkai.app.web.server import NotLoopback, check_host, create_app

PASSWORD = "correct horse battery"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("GONGKAI_USERS", raising=False)
    monkeypatch.delenv("GONGKAI_REVIEWS", raising=False)
    db = tmp_path / "data" / "warehouse.duckdb"
    write(db, "r1", [report("a")])
    return db


@pytest.fixture
def users(db: Path) -> Path:
    path = users_path(db)
    add_user(path, "wang", "reviewer", PASSWORD)
    add_user(path, "li", "viewer", PASSWORD)
    return path


def test_users_file_holds_salted_scrypt_hashes_never_the_password(users):
    text = users.read_text(encoding="utf-8")
    assert PASSWORD not in text
    hashes = re.findall(r"^(wang|li):(\w+):(scrypt\$16384\$8\$1\$\S+)$", text, re.M)
    assert sorted((n, r) for n, r, _ in hashes) == [("li", "viewer"), ("wang", "reviewer")]
    assert hashes[0][2] != hashes[1][2]  # same password, different salts
    assert all(verify_password(PASSWORD, h) and not verify_password(PASSWORD + "x", h) for _, _, h in hashes)
    assert users.stat().st_mode & 0o777 == 0o600
    with pytest.raises(ValueError, match="at least 8"):
        add_user(users, "zhao", "viewer", "short")
    with pytest.raises(ValueError, match="role 'admin'"):
        add_user(users, "zhao", "admin", PASSWORD)
    users.write_text("wang:reviewer:plaintext\n", encoding="utf-8")
    with pytest.raises(UsersFileError, match=f"users file {users} line 1"):
        read_users(users)


def test_users_path_default_env_and_explicit(tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    monkeypatch.delenv("GONGKAI_USERS", raising=False)
    assert users_path(db) == tmp_path / "w.duckdb.users"
    monkeypatch.setenv("GONGKAI_USERS", "/etc/gongkai/users")
    assert users_path(db) == Path("/etc/gongkai/users")
    assert users_path(db, tmp_path / "u") == tmp_path / "u"


def test_session_cookie_is_signed_expires_and_follows_the_users_file(users):
    auth = Authenticator(users)
    assert auth.login("wang", PASSWORD) == User("wang", "reviewer")
    assert auth.login("wang", "wrong password") is None and auth.login("nobody", PASSWORD) is None
    cookie = auth.session(User("wang", "reviewer"))
    assert auth.user(cookie) == User("wang", "reviewer")
    name, expires, sig = cookie.split(".")
    assert auth.user(f"{name}.{int(expires) + 99}.{sig}") is None  # tampered expiry
    assert auth.user(cookie, now=int(expires) + 1) is None          # expired
    assert Authenticator(users).user(cookie) is None                 # another server start, another key
    add_user(users, "wang", "viewer", PASSWORD)                      # demoted: the file's role applies at once
    assert auth.user(cookie) == User("wang", "viewer")


def login(c: TestClient, name: str, password: str = PASSWORD, next_: str = "/") -> object:
    page = c.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return c.post("/login", data={"name": name, "password": password, "csrf_token": token, "next": next_},
                  follow_redirects=False)


def test_login_roles_and_viewer_post_refused(db, users):
    c = TestClient(create_app(db, users=users, allowed_hosts=["testserver"]))
    res = c.get("/findings?rule=T3_BALANCE", follow_redirects=False)
    assert res.status_code == 303 and res.headers["location"] == "/login?next=%2Ffindings%3Frule%3DT3_BALANCE"
    assert c.post("/review", data={"finding_id": "x"}).status_code == 401
    assert c.get("/healthz", follow_redirects=False).status_code == 303
    bad = login(c, "wang", "wrong password")
    assert bad.status_code == 401 and "用户名或密码错误" in bad.text and SESSION_COOKIE not in c.cookies
    ok = login(c, "wang", next_="/findings?rule=T3_BALANCE")
    assert ok.status_code == 303 and ok.headers["location"] == "/findings?rule=T3_BALANCE"
    cookie = ok.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Max-Age=43200" in cookie
    page = c.get("/findings?rule=T3_BALANCE")
    assert page.status_code == 200 and "wang" in page.text and 'id="bulk"' in page.text
    finding_id = re.search(r'data-finding="([0-9a-f]+)"', page.text).group(1)
    token = c.cookies["gongkai_csrf"]
    res = c.post("/review", data={"finding_id": finding_id, "decision": "confirmed", "csrf_token": token},
                 follow_redirects=False)
    assert res.status_code == 303
    assert "wang" in c.get("/reviews").text  # the event is signed with the user's name

    v = TestClient(create_app(db, users=users, allowed_hosts=["testserver"]))
    assert login(v, "li").status_code == 303
    page = v.get("/findings?rule=T3_BALANCE")
    assert page.status_code == 200 and 'id="bulk"' not in page.text  # no review forms for a viewer
    assert v.get("/export/findings.csv").status_code == 200             # a viewer exports
    res = v.post("/review", data={"finding_id": finding_id, "decision": "dismissed", "reason": "duplicate",
                                  "csrf_token": v.cookies["gongkai_csrf"]})
    assert res.status_code == 403 and "viewer" in res.text
    assert v.post("/logout", data={"csrf_token": v.cookies["gongkai_csrf"]}, follow_redirects=False).status_code == 303
    assert SESSION_COOKIE not in v.cookies and v.get("/", follow_redirects=False).status_code == 303


def test_login_is_safe_against_open_redirects_and_forged_posts(db, users):
    c = TestClient(create_app(db, users=users, allowed_hosts=["testserver"]))
    assert login(c, "wang", next_="//evil.example/x").headers["location"] == "/"
    c2 = TestClient(create_app(db, users=users, allowed_hosts=["testserver"]))
    c2.get("/login")
    assert c2.post("/login", data={"name": "wang", "password": PASSWORD, "csrf_token": "forged"}).status_code == 403
    assert c2.post("/login", data={"name": "wang", "password": PASSWORD, "csrf_token": c2.cookies["gongkai_csrf"]},
                   headers={"origin": "http://evil.example"}).status_code == 403


def test_loopback_without_users_works_as_before(db):
    c = TestClient(create_app(db, allowed_hosts=["testserver"]))
    assert c.get("/").status_code == 200 and c.get("/login", follow_redirects=False).status_code == 303
    check_host("127.0.0.1", None)
    check_host("::1", None)
    with pytest.raises(NotLoopback, match="--host 0.0.0.0 is not a loopback address"):
        check_host("0.0.0.0", None)
    check_host("0.0.0.0", Path("users"))


def test_cli_users_and_dashboard_host_rules(db, tmp_path):
    path = tmp_path / "users"
    res = CliRunner().invoke(app, ["users", "add", "zhang", "--role", "reviewer", "--users", str(path)], input=PASSWORD + "\n")
    assert res.exit_code == 0 and f"added zhang (reviewer) in {path}" in res.output, shown(res)
    assert PASSWORD not in path.read_text() and verify_password(PASSWORD, read_users(path)["zhang"][1])
    res = CliRunner().invoke(app, ["users", "add", "zhao", "--role", "boss", "--users", str(path)], input=PASSWORD + "\n")
    assert res.exit_code == 2 and "role 'boss'" in res.output, shown(res)
    res = invoke("users", "list", "--users", str(path))
    assert res.exit_code == 0 and re.search(r"zhang\s+reviewer", res.output), shown(res)
    # a non-loopback host without a users file: refused with one line, before binding anything
    res = invoke("dashboard", "--db", str(db), "--host", "0.0.0.0")
    assert res.exit_code == 2 and "not a loopback address" in res.output and len(res.output.strip().splitlines()) == 1, shown(res)
    res = invoke("dashboard", "--db", str(db), "--host", "0.0.0.0", "--users", str(tmp_path / "missing"))
    assert res.exit_code == 2 and "does not exist" in res.output, shown(res)
    res = invoke("users", "remove", "zhang", "--users", str(path))
    assert res.exit_code == 0, shown(res)
    res = invoke("dashboard", "--db", str(db), "--host", "0.0.0.0", "--users", str(path))
    assert res.exit_code == 2 and "has no users" in res.output, shown(res)


@pytest.mark.parametrize("cmd", [["users", "add"], ["users", "list"], ["users", "remove"], ["dashboard"], ["review"]])
def test_help_has_an_example(cmd):
    res = invoke(*cmd, "--help")
    assert res.exit_code == 0 and "Example:" in res.output, shown(res)
