"""The Chromium path: scripts run, the rendered DOM comes back, and the SSRF guard applies to
every request the page makes."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest
from fetch_helpers import ServerState, make_settings
from playwright.async_api import Error as PlaywrightError

from clausewatch.config import Settings
from clausewatch.fetch import BotBlocked, Fetcher, FetchResult, HTTPStatusError, SSRFRefused
from clausewatch.fetch.browser import BrowserRenderer

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
T = TypeVar("T")


@pytest.fixture(autouse=True)
def _need_chromium() -> None:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)")


def run(settings: Settings, action: Callable[[Fetcher], Awaitable[T]]) -> T:
    async def go() -> T:
        async with Fetcher(settings, backoff_base=0.01) as fetcher:
            return await action(fetcher)

    return asyncio.run(go())


def render(settings: Settings, url: str, wait_for: str | None = None) -> FetchResult:
    return run(settings, lambda f: f.fetch(url, execute_client_scripts=True, wait_for=wait_for))


def browser_settings(server: ServerState, tmp_path: Path) -> Settings:
    return make_settings(
        tmp_path, f"127.0.0.1:{server.port}", timeout_seconds=20.0, max_response_bytes=1_000_000
    )


def test_script_written_content_is_rendered(server: ServerState, tmp_path: Path) -> None:
    result = render(browser_settings(server, tmp_path), f"{server.base}/js", wait_for="#written")
    assert result.rendered
    assert result.mime_type == "text/html"
    assert result.status == 200
    assert b"Written by a script: clause 7 applies." in result.content
    assert b'id="written"' in result.content


def test_hostile_sub_request_is_aborted(server: ServerState, tmp_path: Path) -> None:
    target = f"http://localhost:{server.port}/secret"
    before = server.hits["/secret?"]
    result = render(browser_settings(server, tmp_path), f"{server.base}/js-hostile?target={target}")
    assert b'<p id="status">sub-request failed</p>' in result.content
    assert server.hits["/secret?"] == before
    assert any("loopback name" in reason for reason in result.refused_requests)


def test_sub_request_redirected_to_a_hostile_address_is_aborted(
    server: ServerState, tmp_path: Path
) -> None:
    """The first hop is the allowed server itself; the hop it redirects to is not."""
    hostile = f"http://localhost:{server.port}/secret"
    target = f"/redirect-to?target={hostile}"
    before = server.hits["/secret?"]
    result = render(browser_settings(server, tmp_path), f"{server.base}/js-hostile?target={target}")
    assert b'<p id="status">sub-request failed</p>' in result.content
    assert server.hits["/secret?"] == before
    assert any("loopback name" in reason for reason in result.refused_requests)


def test_traffic_that_escapes_interception_fails_closed(
    server: ServerState, tmp_path: Path
) -> None:
    """A request Chromium makes without our route handler (as it does when it follows a
    redirect natively) must reach nothing, not even an allowed host: the proxy refuses it."""
    before = server.hits["/page?belt"]

    async def unrouted(fetcher: Fetcher) -> str:
        renderer = BrowserRenderer(fetcher)
        try:
            browser = await renderer._launch()
            context = await browser.new_context()
            page = await context.new_page()
            try:
                await page.goto(f"{server.base}/page?key=belt", timeout=10_000)
            except PlaywrightError as exc:
                return exc.message
            finally:
                await context.close()
            return "loaded"
        finally:
            await renderer.close()

    outcome = run(browser_settings(server, tmp_path), unrouted)
    assert "ERR_PROXY_CONNECTION_FAILED" in outcome
    assert server.hits["/page?belt"] == before


def test_refused_top_level_url_raises(server: ServerState, tmp_path: Path) -> None:
    with pytest.raises(SSRFRefused, match="loopback name"):
        render(browser_settings(server, tmp_path), f"http://localhost:{server.port}/js")


def test_redirect_to_hostile_address_is_refused_in_the_browser(
    server: ServerState, tmp_path: Path
) -> None:
    target = f"http://localhost:{server.port}/secret"
    before = server.hits["/secret?"]
    with pytest.raises(SSRFRefused) as caught:
        render(browser_settings(server, tmp_path), f"{server.base}/redirect-to?target={target}")
    assert caught.value.url == target
    assert server.hits["/secret?"] == before


def test_redirects_are_followed_and_recorded(server: ServerState, tmp_path: Path) -> None:
    result = render(browser_settings(server, tmp_path), f"{server.base}/redirect/2")
    assert result.url == f"{server.base}/page"
    assert result.redirects == [f"{server.base}/redirect/1", f"{server.base}/page"]
    assert b"Be nice." in result.content


def test_bot_wall_is_detected_in_rendered_content(server: ServerState, tmp_path: Path) -> None:
    with pytest.raises(BotBlocked) as caught:
        render(browser_settings(server, tmp_path), f"{server.base}/challenge")
    assert caught.value.kind == "blocked"


def test_missing_page_is_a_status_error(server: ServerState, tmp_path: Path) -> None:
    with pytest.raises(HTTPStatusError) as caught:
        render(browser_settings(server, tmp_path), f"{server.base}/missing")
    assert caught.value.status == 404
