"""What a fetch brings back (one hop, or the whole result), shared by the HTTP client and the
browser renderer, and what the renderer needs from the client that sends its requests.

The renderer sends every request Chromium makes through the client; the client starts the
renderer only when a page needs one. Both depend on this module, not on each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from clausewatch.config import Settings

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class FetchResult:
    """What a successful fetch brought back; the archive stores it, the extractor reads it."""

    requested_url: str
    url: str
    status: int
    content: bytes
    mime_type: str
    charset: str | None
    headers: dict[str, str]
    etag: str | None
    last_modified: str | None
    fetched_at: datetime
    not_modified: bool = False
    redirects: list[str] = field(default_factory=list)
    elapsed_ms: float = 0.0
    rendered: bool = False
    refused_requests: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Hop:
    """One request and its response, before any redirect is followed."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    content: bytes
    truncated: bool = False

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    def header_dict(self) -> dict[str, str]:
        merged: dict[str, str] = {}
        for key, value in self.headers:
            key = key.lower()
            merged[key] = f"{merged[key]}, {value}" if key in merged else value
        return merged


class Requester(Protocol):
    """The client as the browser renderer uses it: its settings, its allowed hosts, and one
    guarded request with no redirect followed."""

    settings: Settings
    allowed_hosts: frozenset[str]

    async def request(
        self,
        url: str,
        *,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
    ) -> Hop: ...
