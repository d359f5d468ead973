"""User space (origin bottom-left) → display space (origin top-left, y down, page rotation applied),
the space of the page model: the transform that the character and ruling readers (glyphs, rulings) share.
"""

from __future__ import annotations

from collections.abc import Callable

ToDisplay = Callable[[float, float], tuple[float, float]]  # user space → display space (see display)


def display(rotation: int, width: float, height: float) -> tuple[ToDisplay, float, float]:
    """User space (origin bottom-left) → display space (origin top-left, y down) for a page rotation."""
    if rotation == 1:  # 90° clockwise
        return lambda x, y: (y, x), height, width
    if rotation == 2:
        return lambda x, y: (width - x, y), width, height
    if rotation == 3:
        return lambda x, y: (height - y, width - x), height, width
    return lambda x, y: (x, height - y), width, height
