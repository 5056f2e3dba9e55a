"""Fetch one document URL politely and safely, and say precisely why when that fails.

One aiohttp session serves every fetch of a :class:`Fetcher`'s life: a global and a per-host
bound keep us polite to each platform, redirects are followed here rather than by aiohttp so
that every hop passes the SSRF guard and is counted, bodies are streamed under a size cap
(which also defuses compression bombs, as the cap counts decoded bytes), and only failures whose
``kind`` is transient are retried, with exponential backoff and jitter.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Self

import aiohttp
from aiohttp.abc import AbstractResolver
from multidict import CIMultiDictProxy
from yarl import URL

from clausewatch.config import Settings
from clausewatch.fetch.botwall import detect_bot_wall
from clausewatch.fetch.content_type import decide_mime_type
from clausewatch.fetch.errors import (
    BotBlocked,
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
from clausewatch.fetch.result import REDIRECT_STATUSES, FetchResult, Hop
from clausewatch.fetch.ssrf import ConnectGuard, GuardedResolver, check_url

if TYPE_CHECKING:
    from clausewatch.fetch.browser import BrowserRenderer

__all__ = ["REDIRECT_STATUSES", "FetchResult", "Fetcher", "Hop", "parse_retry_after"]

_CHUNK = 64 * 1024
_ERROR_BODY_CAP = 256 * 1024
ACCEPT = "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.8"


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class Fetcher:
    """The only way clausewatch reaches the network; use it as ``async with Fetcher(s) as f``.

    ``resolver`` replaces the system DNS resolver (the SSRF guard still wraps it), which lets
    tests make a made-up name resolve to a private address without any network.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        resolver: AbstractResolver | None = None,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        retry_after_cap: float = 60.0,
        browser_pages: int = 4,
    ) -> None:
        self.settings = settings
        self.allowed_hosts = settings.allowed_hosts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.retry_after_cap = retry_after_cap
        self.browser_pages = browser_pages
        self._inner_resolver = resolver
        self._session: aiohttp.ClientSession | None = None
        self._global = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._browser: BrowserRenderer | None = None
        self._browser_lock = asyncio.Lock()
        self._random = random.Random()

    async def __aenter__(self) -> Self:
        guard = ConnectGuard(self.allowed_hosts)
        connector = aiohttp.TCPConnector(
            limit=self.settings.concurrency,
            limit_per_host=self.settings.per_host_concurrency,
            resolver=GuardedResolver(self.allowed_hosts, self._inner_resolver, guard),
            socket_factory=guard,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            headers={"User-Agent": self.settings.user_agent},
            auto_decompress=True,
            trust_env=False,
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._browser is not None:
            await self._browser.close()
            self._browser = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("use the Fetcher as an async context manager")
        return self._session

    def host_semaphore(self, url: str) -> asyncio.Semaphore:
        host = (URL(url).host or "").lower()
        sem = self._hosts.get(host)
        if sem is None:
            sem = self._hosts[host] = asyncio.Semaphore(self.settings.per_host_concurrency)
        return sem

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        execute_client_scripts: bool = False,
        wait_for: str | None = None,
    ) -> FetchResult:
        """Fetch ``url`` (retrying transient failures) or raise a :class:`FetchError`.

        ``etag``/``last_modified`` from the previous snapshot make the request conditional: an
        unchanged document comes back as ``not_modified=True`` with empty content.
        """
        attempt = 0
        while True:
            try:
                if execute_client_scripts:
                    browser = await self._renderer()
                    return await browser.render(url, wait_for=wait_for)
                return await self._fetch_once(url, etag=etag, last_modified=last_modified)
            except FetchError as exc:
                if not exc.retryable or attempt >= self.settings.retries:
                    raise
                delay = self._delay(attempt, exc)
                if delay is None:
                    raise
            attempt += 1
            await asyncio.sleep(delay)

    def _delay(self, attempt: int, exc: FetchError) -> float | None:
        """Backoff before the next attempt, or None when the server asked for a longer wait
        than we are willing to block a worker for (the scheduler will come back later)."""
        retry_after = exc.retry_after if isinstance(exc, HTTPStatusError) else None
        if retry_after is not None:
            return retry_after if retry_after <= self.retry_after_cap else None
        ceiling = min(self.backoff_cap, self.backoff_base * float(2**attempt))
        return ceiling * (0.5 + self._random.random() / 2)

    async def _renderer(self) -> BrowserRenderer:
        async with self._browser_lock:
            if self._browser is None:
                from clausewatch.fetch.browser import BrowserRenderer

                self._browser = BrowserRenderer(self, pages=self.browser_pages)
            return self._browser

    async def _fetch_once(
        self, url: str, *, etag: str | None, last_modified: str | None
    ) -> FetchResult:
        started = time.perf_counter()
        conditional: dict[str, str] = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        jar: aiohttp.CookieJar | None = None  # made on the first Set-Cookie of a redirect
        redirects: list[str] = []
        current = url
        while True:
            headers = {"Accept": ACCEPT, "Accept-Language": "en-US,en;q=0.8", **conditional}
            cookies = jar.filter_cookies(URL(current)) if jar is not None else None
            if cookies:
                headers["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in cookies.items())
            hop = await self.request(current, headers=headers)
            if hop.status in REDIRECT_STATUSES:
                location = hop.header("location")
                if not location:
                    raise InvalidURL(current, f"HTTP {hop.status} redirect without Location")
                set_cookies = [v for k, v in hop.headers if k.lower() == "set-cookie"]
                if set_cookies:
                    jar = jar or aiohttp.CookieJar(unsafe=True)
                    jar.update_cookies_from_headers(set_cookies, URL(current))
                try:
                    target = str(URL(current).join(URL(location)))
                except ValueError as exc:
                    raise InvalidURL(current, f"unusable redirect Location {location!r}") from exc
                redirects.append(target)
                if len(redirects) > self.settings.max_redirects:
                    raise TooManyRedirects(
                        url, f"more than {self.settings.max_redirects} redirects"
                    )
                current = target
                continue
            return self._conclude(url, hop, redirects, bool(conditional), started)

    def _conclude(
        self, requested: str, hop: Hop, redirects: list[str], conditional: bool, started: float
    ) -> FetchResult:
        headers = hop.header_dict()
        status = hop.status
        if status == 304 and conditional:
            return FetchResult(
                requested_url=requested,
                url=hop.url,
                status=status,
                content=b"",
                mime_type="",
                charset=None,
                headers=headers,
                etag=headers.get("etag"),
                last_modified=headers.get("last-modified"),
                fetched_at=datetime.now(UTC),
                not_modified=True,
                redirects=redirects,
                elapsed_ms=(time.perf_counter() - started) * 1000,
            )
        wall = detect_bot_wall(status, headers, hop.content)
        if wall is not None:
            raise BotBlocked(hop.url, wall, status=status)
        if not 200 <= status < 300:
            raise HTTPStatusError(
                hop.url, status, retry_after=parse_retry_after(headers.get("retry-after"))
            )
        mime, charset = decide_mime_type(headers.get("content-type"), hop.content)
        return FetchResult(
            requested_url=requested,
            url=hop.url,
            status=status,
            content=hop.content,
            mime_type=mime,
            charset=charset,
            headers=headers,
            etag=headers.get("etag"),
            last_modified=headers.get("last-modified"),
            fetched_at=datetime.now(UTC),
            redirects=redirects,
            elapsed_ms=(time.perf_counter() - started) * 1000,
        )

    async def request(
        self,
        url: str,
        *,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
    ) -> Hop:
        """One guarded request, no redirect followed, body read under the size cap.

        The browser path sends every request Chromium makes through here, so sub-resources get
        the same SSRF guard, size cap and politeness as documents.
        """
        check_url(url, self.allowed_hosts)
        timeout = aiohttp.ClientTimeout(total=self.settings.timeout_seconds)
        try:
            async with (
                self.host_semaphore(url),  # host first: a queue for one busy host
                self._global,  # must not hold global slots that other hosts could use
                self.session.request(
                    method,
                    url,
                    headers=dict(headers or {}),
                    data=body,
                    allow_redirects=False,
                    timeout=timeout,
                ) as response,
            ):
                content, truncated = await self._read(url, response)
                return Hop(
                    url=url,
                    status=response.status,
                    headers=list(_pairs(response.headers)),
                    content=content,
                    truncated=truncated,
                )
        except SSRFRefused as exc:
            raise SSRFRefused(url, exc.reason) from exc
        except FetchError:
            raise
        except TimeoutError as exc:
            raise FetchTimeout(
                url, f"no complete response within {self.settings.timeout_seconds:g}s"
            ) from exc
        except aiohttp.ClientConnectorCertificateError as exc:
            raise TLSError(url, f"certificate rejected: {exc.certificate_error}") from exc
        except aiohttp.ClientSSLError as exc:
            raise TLSError(url, f"TLS handshake failed: {exc}") from exc
        except aiohttp.ClientConnectorDNSError as exc:
            raise ConnectError(url, f"DNS lookup failed: {exc.os_error}") from exc
        except aiohttp.InvalidURL as exc:
            raise InvalidURL(url, f"invalid URL: {exc}") from exc
        except aiohttp.ClientPayloadError as exc:
            raise ConnectError(url, f"response body cut short: {exc}") from exc
        except aiohttp.ClientResponseError as exc:
            raise TransportError(url, f"malformed response: {exc.message}") from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise ConnectError(url, f"connection failed: {exc or type(exc).__name__}") from exc

    async def _read(self, url: str, response: aiohttp.ClientResponse) -> tuple[bytes, bool]:
        """The body under the size cap; error bodies are only sampled (for bot-wall markers)."""
        limit = self.settings.max_response_bytes
        strict = 200 <= response.status < 300
        cap = limit if strict else min(limit, _ERROR_BODY_CAP)
        if strict and response.content_length is not None and response.content_length > limit:
            raise TooLarge(
                url,
                f"Content-Length {response.content_length} exceeds the {limit}-byte limit",
                status=response.status,
            )
        if response.status in REDIRECT_STATUSES or response.status == 304:
            return b"", False
        buffer = bytearray()
        async for chunk in response.content.iter_chunked(_CHUNK):
            buffer += chunk
            if len(buffer) > cap:
                if strict:
                    raise TooLarge(
                        url, f"body exceeds the {limit}-byte limit", status=response.status
                    )
                return bytes(buffer[:cap]), True
        return bytes(buffer), False


def _pairs(headers: CIMultiDictProxy[str]) -> list[tuple[str, str]]:
    return [(str(k), v) for k, v in headers.items()]
