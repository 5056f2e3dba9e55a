"""Why a snapshot could not be turned into a version, as types the tracker can record.

An extraction failure is not a crash: the document is still there, but what we fetched is not
the document (a bot wall, a redesigned page the declaration no longer matches, an empty shell).
The tracker records each as an inaccessibility event, so every error carries a short machine
``reason`` and the selector, filter or URL that caused it.
"""

from __future__ import annotations

from typing import ClassVar

from clausewatch.errors import ClausewatchError


class ExtractionError(ClausewatchError):
    """Base of every extraction failure; ``reason`` is what the inaccessibility event records."""

    reason: ClassVar[str] = "extraction-failed"

    def __init__(self, message: str, *, where: str | None = None) -> None:
        super().__init__(message, where=where)


class SelectorMatchedNothing(ExtractionError):
    """The declaration's selector finds nothing: the page changed or is not the document."""

    reason = "selector-matched-nothing"

    def __init__(self, selector: str, *, where: str | None = None) -> None:
        self.selector = selector
        super().__init__(f"selector {selector} matched nothing in the page", where=where)


class EmptyContent(ExtractionError):
    """The selected content is (nearly) empty: a shell page, a failed render, a scanned PDF."""

    reason = "empty-content"

    def __init__(self, detail: str, *, words: int = 0, where: str | None = None) -> None:
        self.words = words
        super().__init__(detail, where=where)


class BotWallDetected(ExtractionError):
    """The snapshot is an anti-bot or access-denied page, not the document."""

    reason = "bot-wall"

    def __init__(self, wall: str, *, where: str | None = None) -> None:
        self.wall = wall
        super().__init__(f"the page is a bot wall ({wall}), not the document", where=where)


class FilterUnavailable(ExtractionError):
    """The declaration names filters whose code is absent, so OTA's output can't be reproduced."""

    reason = "filter-unavailable"

    def __init__(self, names: tuple[str, ...], *, where: str | None = None) -> None:
        self.names = names
        super().__init__(
            f"filter(s) {', '.join(names)} are referenced but no filters file defines them",
            where=where,
        )


class FilterFailed(ExtractionError):
    """A declared filter raised in the browser or the browser could not be driven."""

    reason = "filter-failed"


class UnreadableDocument(ExtractionError):
    """The bytes are not a document we can parse (a corrupt PDF, an unsupported type)."""

    reason = "unreadable-document"
