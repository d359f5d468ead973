"""`gongkai review`, `gongkai dashboard` and `gongkai users`: the inspector's commands (registered by gongkai.app.cli)."""

from __future__ import annotations

from pathlib import Path

import typer

from gongkai.app.cli_common import DB_HELP
from gongkai.app.cli_common import db_path as _db
from gongkai.app.cli_common import fail as _fail
from gongkai.app.terminal import out

USERS_HELP = "Users file (default: $GONGKAI_USERS, else <warehouse>.users beside the warehouse)."


def dashboard(
    db: Path | None = typer.Option(None, "--db", help=DB_HELP),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback only unless a users file is in use)."),
    port: int = typer.Option(8765, "--port", help="Port to listen on."),
    reviews: Path | None = typer.Option(None, "--reviews", help="Review store (default: $GONGKAI_REVIEWS, else "
                                        "<warehouse>.reviews.sqlite beside the warehouse, which the audit merges)."),
    users: Path | None = typer.Option(None, "--users", help=USERS_HELP + " When it exists every page needs a "
                                      "login; a non-loopback --host needs one."),
    archive: Path | None = typer.Option(None, "--archive", help="Archive of the audited originals (default: "
                                        "$GONGKAI_ARCHIVE, else archive/ beside the warehouse)."),
) -> None:
    """Serve the inspector dashboard (findings, reports as printed with failing cells marked) on 127.0.0.1.

    Example: gongkai dashboard --db data/warehouse.duckdb   then open http://127.0.0.1:8765/

    With a users file (gongkai users add NAME --role reviewer) every page needs a login and --host may be
    another address, e.g. --host 0.0.0.0 behind a TLS reverse proxy.
    """
    import os

    from gongkai.app.web.auth import UsersFileError, read_users, users_path
    from gongkai.app.web.server import NotLoopback, check_host, serve

    dbp = _db(db)
    upath = users_path(dbp, users)
    named = users is not None or bool(os.environ.get("GONGKAI_USERS"))
    in_use: Path | None = upath if (named or upath.exists()) else None
    try:
        if in_use is not None and not read_users(in_use):
            raise UsersFileError(f"users file {in_use} has no users: add one with "
                                 f"`gongkai users add NAME --role reviewer --users {in_use}`")
        check_host(host, in_use)
    except (NotLoopback, UsersFileError) as exc:
        _fail(str(exc), 2)
    if not dbp.is_file():
        _fail(f"no warehouse at {dbp}: run `gongkai audit` first, or pass --db / set GONGKAI_DB", 2)
    login = f"; logins from {in_use}" if in_use else "; no logins (loopback only)"
    out.print(f"gongkai dashboard on http://{host}:{port}/ over {dbp} (read-only{login}; Ctrl-C stops)",
              highlight=False, soft_wrap=True)
    serve(dbp, host=host, port=port, reviews=reviews, users=in_use, archive=archive)


def review(
    finding_id: str = typer.Argument(..., help="The finding's id (see `gongkai findings`)."),
    confirm: bool = typer.Option(False, "--confirm", help="Confirm the finding: the agency must correct it."),
    dismiss: bool = typer.Option(False, "--dismiss", help="Dismiss the finding (a false alarm or accepted)."),
    notify: bool = typer.Option(False, "--notify", help="Record that a correction notice was sent (needs --deadline)."),
    reopen: bool = typer.Option(False, "--reopen", help="Withdraw the latest decision: the finding is open again."),
    reason: str | None = typer.Option(None, "--reason", help="Dismissal reason: parse_error, source_ok_definition, "
                                      "duplicate, accepted, other (default: other, which needs --note)."),
    note: str = typer.Option("", "--note", help="Why (kept with the decision)."),
    deadline: str | None = typer.Option(None, "--deadline", help="Correction deadline 整改期限 for --notify (YYYY-MM-DD)."),
    reference: str | None = typer.Option(None, "--reference", help="Correction notice reference 文号 for --notify."),
    reviewer: str | None = typer.Option(None, "--reviewer", help="Who decided (default: $USER)."),
    db: Path | None = typer.Option(None, "--db", help=DB_HELP),
    reviews: Path | None = typer.Option(None, "--reviews", help="Review store (default: $GONGKAI_REVIEWS, else "
                                        "<warehouse>.reviews.sqlite beside the warehouse, the dashboard's)."),
) -> None:
    """Record an inspector's decision on a finding in the review store the dashboard uses. The next
    `gongkai audit` merges it into the warehouse's `reviews`; a re-run never resets it.

    Example: gongkai review 3f2a9c0d1e4b5a67 --dismiss --reason accepted --note "表格已更正，见更正版"
    """
    import getpass

    from gongkai.app.web.reviews import ReviewStore, default_path
    from gongkai.warehouse import WarehouseMissing, connect_readonly

    chosen = [d for d, on in (("confirmed", confirm), ("dismissed", dismiss), ("notified", notify),
                              ("reopened", reopen)) if on]
    if len(chosen) != 1:
        _fail("give exactly one of --confirm, --dismiss, --notify or --reopen", 2)
    decision = chosen[0]
    dbp = _db(db)
    try:
        con = connect_readonly(dbp)
    except WarehouseMissing as exc:
        _fail(str(exc))
    try:
        cur = con.execute("SELECT * FROM findings WHERE finding_id = ?", [finding_id])
        cols = [d[0] for d in cur.description or []]
        row = cur.fetchone()
    finally:
        con.close()
    if row is None:
        _fail(f"no finding {finding_id!r} in {dbp}; list them with `gongkai findings`")
    found = dict(zip(cols, row))
    store = ReviewStore(reviews or default_path(dbp))
    try:
        store.append(found, decision, reason=(reason or "other") if decision == "dismissed" else None, note=note,
                     reviewer=reviewer or getpass.getuser(), reference=reference, deadline=deadline)
    except ValueError as exc:
        _fail(f"{exc}", 2)
    from rich.text import Text

    out.print(Text(f"{decision}: {finding_id} {found['rule_id']} {found['agency'] or ''} {found['year'] or ''} — "
                   f"{found['message']}\nrecorded in {store.path}; the next `gongkai audit` merges it into the "
                   "warehouse's reviews"), highlight=False)


users_app = typer.Typer(no_args_is_help=True, help="Dashboard users (a users file with salted scrypt hashes).")


@users_app.command("add")
def users_add(
    name: str = typer.Argument(..., help="User name (no spaces or ':')."),
    role: str = typer.Option(..., "--role", help="viewer (read, export) or reviewer (also record decisions)."),
    users: Path | None = typer.Option(None, "--users", help=USERS_HELP),
    db: Path | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Add a dashboard user, or replace one's role and password. The password is asked twice on a terminal,
    else read from the first line of stdin; only its salted scrypt hash is stored.

    Example: gongkai users add wang --role reviewer      (or: echo "$PASSWORD" | gongkai users add wang --role viewer)
    """
    import getpass
    import sys

    from gongkai.app.web.auth import UsersFileError, add_user, users_path

    path = users_path(_db(db), users)
    if sys.stdin.isatty():
        password = getpass.getpass(f"password for {name}: ")
        if getpass.getpass("again: ") != password:
            _fail("the two passwords differ", 2)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        new = add_user(path, name, role, password)
    except (ValueError, UsersFileError) as exc:
        _fail(str(exc), 2)
    out.print(f"{'added' if new else 'updated'} {name} ({role}) in {path}", highlight=False, soft_wrap=True)


@users_app.command("list")
def users_list(
    users: Path | None = typer.Option(None, "--users", help=USERS_HELP),
    db: Path | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """List the dashboard users and their roles (never the hashes).

    Example: gongkai users list
    """
    from gongkai.app.web.auth import UsersFileError, read_users, users_path

    path = users_path(_db(db), users)
    try:
        found = read_users(path)
    except UsersFileError as exc:
        _fail(str(exc), 2)
    for name, (role, _) in sorted(found.items()):
        out.print(f"{name}\t{role}", highlight=False)


@users_app.command("remove")
def users_remove(
    name: str = typer.Argument(..., help="User name."),
    users: Path | None = typer.Option(None, "--users", help=USERS_HELP),
    db: Path | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Remove a dashboard user (their sessions end at their next request).

    Example: gongkai users remove wang
    """
    from gongkai.app.web.auth import UsersFileError, remove_user, users_path

    path = users_path(_db(db), users)
    try:
        gone = remove_user(path, name)
    except UsersFileError as exc:
        _fail(str(exc), 2)
    if not gone:
        _fail(f"no user {name!r} in {path}", 2)
    out.print(f"removed {name} from {path}", highlight=False, soft_wrap=True)
