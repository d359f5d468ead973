"""What the command modules share: the --db default and the one-line error exit."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import typer

from gongkai.app.terminal import err

DB_HELP = "Warehouse file (default: $GONGKAI_DB or data/warehouse.duckdb)."


def db_path(db: Path | None) -> Path:
    """--db, else $GONGKAI_DB, else data/warehouse.duckdb."""
    from gongkai.warehouse import default_db

    return db or default_db()


def fail(message: str, code: int = 1) -> NoReturn:
    """Print `error: message` on stderr (one line, never markup) and exit with `code`."""
    from rich.text import Text

    err.print(Text.assemble(("error: ", "red"), message), highlight=False, soft_wrap=True)
    raise typer.Exit(code)
