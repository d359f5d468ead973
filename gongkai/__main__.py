"""`python -m gongkai …` is the `gongkai` command."""

from gongkai.app.cli import app

app()
