"""Expected warehouse errors (one line each: what, where, how to fix)."""

from __future__ import annotations

from gongkai.errors import GongkaiError


class WarehouseError(GongkaiError):
    """A warehouse cannot be read or written as asked."""


class WarehouseMissing(WarehouseError, FileNotFoundError):
    """The warehouse file does not exist (no audit has run yet, or the path is wrong)."""


class ReadOnlyViolation(WarehouseError, PermissionError):
    """A statement tried to change the warehouse through a read-only connection."""


class WarehouseBusy(WarehouseError, RuntimeError):
    """Another writer held the warehouse lock for longer than the caller was willing to wait."""


class SqlRefused(ReadOnlyViolation):
    """Read-only SQL tried to reach beyond the warehouse: another database, a file, an extension or a setting."""
