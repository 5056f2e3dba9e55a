"""Fetch: bytes from the network, safely (SSRF guard), politely (bounds) and with typed failures."""

from clausewatch.fetch.botwall import detect_bot_wall
from clausewatch.fetch.client import Fetcher, FetchResult
from clausewatch.fetch.content_type import decide_mime_type
from clausewatch.fetch.errors import (
    BotBlocked,
    BrowserError,
    ConnectError,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    InvalidURL,
    SSRFRefused,
    TLSError,
    TooLarge,
    TooManyRedirects,
    TransportError,
)
from clausewatch.fetch.ssrf import GuardedResolver, check_address, check_url

__all__ = [
    "BotBlocked",
    "BrowserError",
    "ConnectError",
    "FetchError",
    "FetchResult",
    "FetchTimeout",
    "Fetcher",
    "GuardedResolver",
    "HTTPStatusError",
    "InvalidURL",
    "SSRFRefused",
    "TLSError",
    "TooLarge",
    "TooManyRedirects",
    "TransportError",
    "check_address",
    "check_url",
    "decide_mime_type",
    "detect_bot_wall",
]
