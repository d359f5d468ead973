"""A progress hook the CLI installs (a Rich bar) and the flow advances; a no-op otherwise."""

from __future__ import annotations

from collections.abc import Callable

_hook: Callable[[str, int, int], None] | None = None


def install(hook: Callable[[str, int, int], None] | None) -> None:
    """hook(stage, done, total) is called as stages advance."""
    global _hook
    _hook = hook


def report(stage: str, done: int, total: int) -> None:
    if _hook is not None:
        _hook(stage, done, total)
