"""The root of clausewatch's error hierarchy.

Every error a user can cause carries the path, URL or key that caused it, so the CLI can print
one clear line instead of a traceback.
"""

from __future__ import annotations


class ClausewatchError(Exception):
    """Base class of every error the CLI reports as one line and a non-zero exit."""

    exit_code = 1

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.message = message
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


class ConfigError(ClausewatchError):
    """A setting is missing or malformed."""

    exit_code = 2


class NotFoundError(ClausewatchError):
    """A platform, document, version or file named by the user does not exist."""

    exit_code = 3
