"""Why a fetch failed, as types that know whether trying again can help.

A failed fetch is recorded as an inaccessibility event, never as content, so every error carries
what that event needs: the URL, the HTTP status if there was one, a human reason, and a ``kind``
that tells the scheduler what to do next: ``transient`` (retry later, the site may recover),
``blocked`` (a bot wall: retrying from here will not help, try the browser path or a human) or
``permanent`` (the URL or our policy is wrong; retrying is pointless until someone changes it).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from clausewatch.errors import ClausewatchError

FetchErrorKind = Literal["transient", "blocked", "permanent"]


class FetchError(ClausewatchError):
    """Base of every fetch failure; ``kind`` decides retries and how the event is recorded."""

    default_kind: ClassVar[FetchErrorKind] = "permanent"

    def __init__(
        self,
        url: str,
        reason: str,
        *,
        status: int | None = None,
        kind: FetchErrorKind | None = None,
    ) -> None:
        self.url = url
        self.reason = reason
        self.status = status
        self.kind: FetchErrorKind = kind or self.default_kind
        super().__init__(reason, where=url)

    @property
    def retryable(self) -> bool:
        return self.kind == "transient"

    def as_event(self) -> dict[str, Any]:
        """The JSON-ready payload of the inaccessibility event that records this failure."""
        return {
            "error": type(self).__name__,
            "kind": self.kind,
            "url": self.url,
            "status": self.status,
            "reason": self.reason,
        }


class SSRFRefused(FetchError):
    """The URL, a redirect hop or a sub-request points at an address we must never reach."""


class InvalidURL(FetchError):
    """The URL cannot be fetched at all (malformed, or a redirect without a usable Location)."""


class TooLarge(FetchError):
    """The response is bigger than ``max_response_bytes``; the site will not shrink on retry."""


class TooManyRedirects(FetchError):
    """More hops than ``max_redirects``: a loop or a misconfigured site."""


class BotBlocked(FetchError):
    """A challenge page, captcha or bot wall answered instead of the document."""

    default_kind: ClassVar[FetchErrorKind] = "blocked"


class TransportError(FetchError):
    """The connection failed before a complete response arrived; networks recover."""

    default_kind: ClassVar[FetchErrorKind] = "transient"


class FetchTimeout(TransportError):
    """The server took longer than ``timeout_seconds``."""


class ConnectError(TransportError):
    """Refused, reset or dropped connections and DNS failures."""


class TLSError(FetchError):
    """The certificate or the TLS handshake is wrong; that is a configuration, not a blip."""


class BrowserError(FetchError):
    """Chromium crashed or could not render the page."""

    default_kind: ClassVar[FetchErrorKind] = "transient"


def _status_kind(status: int) -> FetchErrorKind:
    return "transient" if status == 429 or status == 408 or status >= 500 else "permanent"


class HTTPStatusError(FetchError):
    """The server answered with an error status: 429, 408 and 5xx are transient, other 4xx not."""

    def __init__(
        self,
        url: str,
        status: int,
        reason: str | None = None,
        *,
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(url, reason or f"HTTP {status}", status=status, kind=_status_kind(status))
