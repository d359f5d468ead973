"""Authentication for the dashboard (DASHBOARD.md §7): a users file with salted scrypt hashes, a login form,
a signed session cookie, two roles.

Users file (`--users PATH`, else $GONGKAI_USERS, else `<warehouse>.users` beside the warehouse), one user a
line, written by `gongkai users add NAME --role reviewer` (never by hand with a plain password):

    name:role:scrypt$16384$8$1$<salt, base64>$<hash, base64>

Roles: `viewer` (every page and export) and `reviewer` (also POST /review; the events carry the name).
When a users file is in use every page but /login and /static needs a session: a GET without one is sent
to /login, a POST gets 401. The session cookie (`gongkai_session`: name, expiry and an HMAC-SHA256 under a
key drawn when the server starts, so a restart ends every session) is HttpOnly, SameSite=Strict, Secure
when served over https, and lasts 12 hours; the role is read from the users file on each request (cached
by the file's mtime), so removing a user or changing a role takes effect at once. Without a users file the
dashboard serves loopback only, without logins, and decisions are signed `local`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

ROLES = ("viewer", "reviewer")
ROLE_ZH = {"viewer": "查看 viewer", "reviewer": "复核 reviewer"}
NAME = re.compile(r"^[^\s:#][^\s:]{0,63}$")
SCRYPT = (2 ** 14, 8, 1)  # n, r, p: ~16 MB and ~50 ms per hash here
MIN_PASSWORD = 8
SESSION_COOKIE = "gongkai_session"
SESSION_SECONDS = 12 * 3600


class UsersFileError(ValueError):
    """A users file that is missing, unreadable or malformed (one line, naming the file and the problem)."""


def users_path(db: Path, explicit: Path | None = None) -> Path:
    """Where the users file is: --users, else $GONGKAI_USERS, else `<warehouse>.users` beside the warehouse."""
    if explicit is not None:
        return Path(explicit)
    env = os.environ.get("GONGKAI_USERS")
    return Path(env) if env else Path(db).with_name(Path(db).name + ".users")


def hash_password(password: str, salt: bytes | None = None) -> str:
    n, r, p = SCRYPT
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(base64.b64decode(digest)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


@dataclass(frozen=True)
class User:
    name: str
    role: str

    @property
    def can_review(self) -> bool:
        return self.role == "reviewer"


def read_users(path: Path) -> dict[str, tuple[str, str]]:
    """name → (role, hash). UsersFileError for a missing file or a malformed line (named by number)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsersFileError(f"users file {path} does not exist: add a user with "
                             f"`gongkai users add NAME --role reviewer --users {path}`") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsersFileError(f"users file {path}: cannot be read ({exc})") from None
    users: dict[str, tuple[str, str]] = {}
    for no, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.strip().split(":")
        if len(parts) != 3 or not NAME.match(parts[0]) or parts[1] not in ROLES or not parts[2].startswith("scrypt$"):
            raise UsersFileError(f"users file {path} line {no}: expected name:role:scrypt$… with role "
                                 f"{' or '.join(ROLES)} (write it with `gongkai users add`)")
        users[parts[0]] = (parts[1], parts[2])
    return users


def write_users(path: Path, users: dict[str, tuple[str, str]]) -> None:
    """Replace the users file atomically, readable by its owner only (0600)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    body = "# gongkai dashboard users: name:role:scrypt hash (gongkai users add / remove)\n" + "".join(
        f"{name}:{role}:{digest}\n" for name, (role, digest) in sorted(users.items()))
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(body)
    os.replace(tmp, path)


def add_user(path: Path, name: str, role: str, password: str) -> bool:
    """Add or replace a user; True when the name was new. ValueError (one line) on a bad name, role or password."""
    if not NAME.match(name):
        raise ValueError(f"user name {name!r}: 1–64 characters, no spaces or ':'")
    if role not in ROLES:
        raise ValueError(f"role {role!r}: use {' or '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password: at least {MIN_PASSWORD} characters")
    users = read_users(path) if Path(path).exists() else {}
    new = name not in users
    users[name] = (role, hash_password(password))
    write_users(path, users)
    return new


def remove_user(path: Path, name: str) -> bool:
    users = read_users(path)
    if users.pop(name, None) is None:
        return False
    write_users(path, users)
    return True


class Authenticator:
    """Checks logins against the users file and signs / verifies session cookies."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.key = secrets.token_bytes(32)
        self._cache: tuple[float, dict[str, tuple[str, str]]] | None = None
        if not self.users():
            raise UsersFileError(f"users file {self.path} has no users: add one with "
                                 f"`gongkai users add NAME --role reviewer --users {self.path}`")

    def users(self) -> dict[str, tuple[str, str]]:
        try:
            mtime = self.path.stat().st_mtime_ns
        except FileNotFoundError:
            return {}
        if self._cache is None or self._cache[0] != mtime:
            self._cache = (mtime, read_users(self.path))
        return self._cache[1]

    def login(self, name: str, password: str) -> User | None:
        entry = self.users().get(name)
        if entry is None:
            verify_password(password, hash_password("x" * MIN_PASSWORD))  # same cost for an unknown name
            return None
        return User(name, entry[0]) if verify_password(password, entry[1]) else None

    def _sign(self, payload: str) -> str:
        return hmac.new(self.key, payload.encode(), hashlib.sha256).hexdigest()

    def session(self, user: User, now: float | None = None) -> str:
        expires = int((now or time.time()) + SESSION_SECONDS)
        name = base64.urlsafe_b64encode(user.name.encode()).decode().rstrip("=")
        payload = f"{name}.{expires}"
        return f"{payload}.{self._sign(payload)}"

    def user(self, cookie: str | None, now: float | None = None) -> User | None:
        """The user a session cookie names, when its signature holds, it has not expired and the user is still
        in the users file (with the role the file gives now)."""
        if not cookie or cookie.count(".") != 2:
            return None
        name_b64, expires, sig = cookie.split(".")
        if not hmac.compare_digest(sig, self._sign(f"{name_b64}.{expires}")):
            return None
        try:
            if int(expires) < (now or time.time()):
                return None
            name = base64.urlsafe_b64decode(name_b64 + "=" * (-len(name_b64) % 4)).decode()
        except (ValueError, UnicodeDecodeError):
            return None
        entry = self.users().get(name)
        return User(name, entry[0]) if entry else None
