"""The Chromium path, for declarations with ``executeClientScripts: true``.

Chromium never touches the network itself: every request it makes (the document, scripts,
frames, XHR) is intercepted with ``context.route`` and performed by the :class:`Fetcher`'s
guarded aiohttp session, then handed back with ``route.fulfill``. So the SSRF guard judges the
address actually connected to, as on the plain path, and Chromium's own DNS is never used.

Chromium follows a fulfilled redirect natively, without calling the route handler again, so
redirects are never handed to it: the page's own redirects are followed here by navigating
again (each hop checked and counted), and a sub-resource's redirects are followed inside the
handler. As a second wall, Chromium's proxy is a loopback port that refuses every connection,
so whatever might still escape interception (a WebSocket, a preconnect) fails closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
from datetime import UTC, datetime

from playwright.async_api import Browser, Playwright, Request, Route, async_playwright
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError
from yarl import URL

from clausewatch.config import CHROMIUM_ARGS
from clausewatch.fetch.botwall import detect_bot_wall
from clausewatch.fetch.errors import (
    BotBlocked,
    BrowserError,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    SSRFRefused,
    TooLarge,
    TooManyRedirects,
)
from clausewatch.fetch.result import REDIRECT_STATUSES, FetchResult, Hop, Requester
from clausewatch.fetch.ssrf import check_url

_INLINE_SCHEMES = ("data:", "blob:", "about:")
_DROP_REQUEST_HEADERS = frozenset(
    {"host", "content-length", "connection", "accept-encoding", "user-agent"}
)
_DROP_RESPONSE_HEADERS = frozenset(
    {"content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive"}
)
_CREDENTIAL_HEADERS = frozenset({"cookie", "authorization", "proxy-authorization"})
_IDLE_CAP_SECONDS = 10.0


class _Navigation:
    """What the route handler learned about the page's own document while Chromium loaded it."""

    def __init__(self) -> None:
        self.failure: FetchError | None = None
        self.redirect_to: str | None = None
        self.refused_subrequests: list[SSRFRefused] = []


class BrowserRenderer:
    """One Chromium for the Fetcher's life; a fresh context (no cookies, no cache) per page."""

    def __init__(self, fetcher: Requester, *, pages: int = 4) -> None:
        self.fetcher = fetcher
        self.settings = fetcher.settings
        self._pages = asyncio.Semaphore(pages)
        self._lock = asyncio.Lock()
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._sinkhole: socket.socket | None = None

    async def _launch(self) -> Browser:
        async with self._lock:
            if self._browser is not None:
                return self._browser
            path = self.settings.chromium_path
            if not os.access(path, os.X_OK):
                raise BrowserError(
                    path, f"Chromium not found or not executable at {path}", kind="permanent"
                )
            self._sinkhole = _sinkhole()
            port = self._sinkhole.getsockname()[1]
            args = [
                *CHROMIUM_ARGS,
                # Anything Chromium would send past our route handler (a redirect it follows
                # natively, a preconnect, a WebSocket) goes to a proxy port that refuses it.
                f"--proxy-server=http://127.0.0.1:{port}",
                "--proxy-bypass-list=<-loopback>",
            ]
            self._playwright = await async_playwright().start()
            try:
                self._browser = await self._playwright.chromium.launch(
                    executable_path=path, args=args, headless=True
                )
            except PlaywrightError as exc:
                await self._playwright.stop()
                self._playwright = None
                raise BrowserError(path, f"Chromium failed to start: {exc.message}") from exc
            return self._browser

    async def close(self) -> None:
        if self._browser is not None:
            await self._browser.close()
            self._browser = None
        if self._playwright is not None:
            await self._playwright.stop()
            self._playwright = None
        if self._sinkhole is not None:
            self._sinkhole.close()
            self._sinkhole = None

    async def render(self, url: str, *, wait_for: str | None = None) -> FetchResult:
        """Load ``url`` in Chromium, let its scripts run, and return the rendered DOM as HTML."""
        check_url(url, self.fetcher.allowed_hosts)
        browser = await self._launch()
        started = time.perf_counter()
        timeout_ms = self.settings.timeout_seconds * 1000
        navigation = _Navigation()
        redirects: list[str] = []
        async with self._pages:
            context = await browser.new_context(
                user_agent=self.settings.user_agent,
                service_workers="block",
                accept_downloads=False,
            )
            try:
                await context.route("**/*", lambda route, req: self._route(route, req, navigation))
                page = await context.new_page()
                try:
                    target = url
                    while True:
                        navigation.redirect_to = None
                        response = await page.goto(target, wait_until="load", timeout=timeout_ms)
                        if navigation.redirect_to is None:
                            break
                        target = navigation.redirect_to
                        redirects.append(target)
                        if len(redirects) > self.settings.max_redirects:
                            raise TooManyRedirects(
                                url, f"more than {self.settings.max_redirects} redirects"
                            )
                        check_url(target, self.fetcher.allowed_hosts)
                    if wait_for:
                        await page.wait_for_selector(wait_for, state="attached", timeout=timeout_ms)
                    else:
                        idle_ms = min(timeout_ms, _IDLE_CAP_SECONDS * 1000)
                        # a page that polls forever is still rendered by the cap
                        with contextlib.suppress(PlaywrightTimeoutError):
                            await page.wait_for_load_state("networkidle", timeout=idle_ms)
                    html = await page.content()
                    if response is None:
                        raise BrowserError(url, "Chromium produced no response for the page")
                    headers = {k.lower(): v for k, v in (await response.all_headers()).items()}
                except PlaywrightTimeoutError as exc:
                    if navigation.failure is not None:
                        raise navigation.failure from exc
                    what = f"selector {wait_for!r}" if wait_for else "the page"
                    raise FetchTimeout(
                        url, f"{what} did not load within {self.settings.timeout_seconds:g}s"
                    ) from exc
                except PlaywrightError as exc:
                    if navigation.failure is not None:
                        raise navigation.failure from exc
                    raise BrowserError(url, f"Chromium could not render: {exc.message}") from exc
            finally:
                await context.close()
        content = html.encode("utf-8")
        status = response.status
        if len(content) > self.settings.max_response_bytes:
            raise TooLarge(url, f"rendered page exceeds {self.settings.max_response_bytes} bytes")
        wall = detect_bot_wall(status, headers, content)
        if wall is not None:
            raise BotBlocked(response.url, wall, status=status)
        if not 200 <= status < 300:
            raise HTTPStatusError(response.url, status)
        return FetchResult(
            requested_url=url,
            url=response.url,
            status=status,
            content=content,
            mime_type="text/html",
            charset="utf-8",
            headers=headers,
            etag=headers.get("etag"),
            last_modified=headers.get("last-modified"),
            fetched_at=datetime.now(UTC),
            redirects=redirects,
            elapsed_ms=(time.perf_counter() - started) * 1000,
            rendered=True,
            refused_requests=[e.reason for e in navigation.refused_subrequests],
        )

    async def _route(self, route: Route, request: Request, navigation: _Navigation) -> None:
        """Perform Chromium's request through the guarded session, or abort it."""
        url = request.url
        if url.startswith(_INLINE_SCHEMES):
            await route.continue_()
            return
        is_document = request.is_navigation_request() and request.frame.parent_frame is None
        headers = {
            k: v
            for k, v in (await request.all_headers()).items()
            if k.lower() not in _DROP_REQUEST_HEADERS and not k.startswith(":")
        }
        try:
            hop = await self.fetcher.request(
                url, method=request.method, headers=headers, body=request.post_data_buffer
            )
            location = hop.header("location") if hop.status in REDIRECT_STATUSES else None
            if is_document and location:
                navigation.redirect_to = str(URL(url).join(URL(location)))
                await route.fulfill(status=200, content_type="text/html", body=b"")
                return
            if location:
                hop = await self._follow(hop, request.method, headers, request.post_data_buffer)
        except SSRFRefused as exc:
            if is_document:
                navigation.failure = exc
            else:
                navigation.refused_subrequests.append(exc)
            await route.abort("blockedbyclient")
            return
        except FetchError as exc:
            if is_document:
                navigation.failure = exc
            await route.abort("failed")
            return
        except ValueError:
            await route.abort("failed")
            return
        if hop.status in REDIRECT_STATUSES:
            await route.abort("failed")
            return
        merged: dict[str, str] = {}
        for key, value in hop.headers:
            key = key.lower()
            if key in _DROP_RESPONSE_HEADERS:
                continue
            if key in merged:
                separator = "\n" if key == "set-cookie" else ", "
                merged[key] = f"{merged[key]}{separator}{value}"
            else:
                merged[key] = value
        await route.fulfill(status=hop.status, headers=merged, body=hop.content)

    async def _follow(
        self, hop: Hop, method: str, headers: dict[str, str], body: bytes | None
    ) -> Hop:
        """Follow a sub-resource's redirects here, each hop through the guard."""
        origin = URL(hop.url).origin()
        for _ in range(self.settings.max_redirects):
            location = hop.header("location")
            if hop.status not in REDIRECT_STATUSES or not location:
                return hop
            target = URL(hop.url).join(URL(location))
            if hop.status in (301, 302, 303) and method != "HEAD":
                method, body = "GET", None
            if target.origin() != origin:
                headers = {k: v for k, v in headers.items() if k.lower() not in _CREDENTIAL_HEADERS}
            hop = await self.fetcher.request(str(target), method=method, headers=headers, body=body)
        raise TooManyRedirects(hop.url, f"more than {self.settings.max_redirects} redirects")


def _sinkhole() -> socket.socket:
    """A loopback port bound but never listening: every connection to it is refused."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock
