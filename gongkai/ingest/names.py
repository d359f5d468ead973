"""Agency-name normalisation shared by the registry and the division list."""

from __future__ import annotations

import re
import unicodedata

_DROP = re.compile(r"[\s\u3000\u00a0\"'“”‘’《》]+")


def norm_name(name: str | None) -> str:
    """NFKC, without whitespace (full-width and no-break spaces included), quotes and title marks."""
    return _DROP.sub("", unicodedata.normalize("NFKC", name or ""))
