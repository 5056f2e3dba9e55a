"""The fetcher against a real loopback server: redirects, limits, retries, conditional
requests, content sniffing, bot walls, timeouts and the per-host bound."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC
from pathlib import Path
from typing import TypeVar

import pytest
from fetch_helpers import HTML, PDF, ServerState, StaticResolver, make_settings

from clausewatch.config import Settings
from clausewatch.fetch import (
    BotBlocked,
    Fetcher,
    FetchError,
    FetchResult,
    FetchTimeout,
    HTTPStatusError,
    SSRFRefused,
    TooLarge,
    TooManyRedirects,
)
from clausewatch.fetch.client import parse_retry_after
from clausewatch.fetch.content_type import decide_mime_type

T = TypeVar("T")


def run(settings: Settings, action: Callable[[Fetcher], Awaitable[T]]) -> T:
    async def go() -> T:
        async with Fetcher(settings, backoff_base=0.01) as fetcher:
            return await action(fetcher)

    return asyncio.run(go())


def fetch(settings: Settings, url: str, **kwargs: str) -> FetchResult:
    return run(settings, lambda f: f.fetch(url, **kwargs))


def test_plain_fetch_records_what_the_archive_needs(
    server: ServerState, settings_for: Settings
) -> None:
    result = fetch(settings_for, f"{server.base}/page")
    assert result.status == 200
    assert result.content == HTML
    assert result.mime_type == "text/html"
    assert result.charset == "windows-1252"
    assert result.headers["content-type"].startswith("text/html")
    assert result.fetched_at.tzinfo is UTC
    assert result.url == result.requested_url == f"{server.base}/page"
    assert result.redirects == []
    assert not result.not_modified


def test_redirect_chain_within_the_limit_is_followed_and_recorded(
    server: ServerState, settings_for: Settings
) -> None:
    result = fetch(settings_for, f"{server.base}/redirect/2")
    assert result.content == HTML
    assert result.url == f"{server.base}/page"
    assert result.redirects == [f"{server.base}/redirect/1", f"{server.base}/page"]


def test_redirect_chain_over_the_limit_is_refused(
    server: ServerState, settings_for: Settings
) -> None:
    with pytest.raises(TooManyRedirects) as caught:
        fetch(settings_for, f"{server.base}/redirect/5")
    assert caught.value.kind == "permanent"
    assert "more than 3 redirects" in caught.value.reason


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("http://10.0.0.5/steal", "10.0.0.5 (private network)"),
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
        ("http://2130706433/", "127.0.0.1 (loopback)"),
        ("http://localhost:{port}/secret", "loopback name"),
        ("http://127.0.0.1:1/", "127.0.0.1 (loopback)"),
        ("file:///etc/passwd", "scheme 'file'"),
    ],
)
def test_redirect_to_a_hostile_address_is_refused_at_the_hop(
    server: ServerState, settings_for: Settings, target: str, reason: str
) -> None:
    target = target.format(port=server.port)
    before = server.hits["/secret?"]
    with pytest.raises(SSRFRefused) as caught:
        fetch(settings_for, f"{server.base}/redirect-to?target={target}")
    assert caught.value.url == target
    assert reason in caught.value.reason
    assert server.hits["/secret?"] == before


def test_declared_size_over_the_limit_is_refused_before_reading(
    server: ServerState, settings_for: Settings
) -> None:
    with pytest.raises(TooLarge, match="Content-Length 20000"):
        fetch(settings_for, f"{server.base}/big-declared")


def test_streamed_size_over_the_limit_is_refused(
    server: ServerState, settings_for: Settings
) -> None:
    with pytest.raises(TooLarge, match="body exceeds the 10000-byte limit") as caught:
        fetch(settings_for, f"{server.base}/big-streamed")
    assert caught.value.kind == "permanent"


def test_transient_503_is_retried_then_succeeds(
    server: ServerState, settings_for: Settings
) -> None:
    result = fetch(settings_for, f"{server.base}/flaky?key=retry")
    assert result.content == HTML
    assert server.hits["/flaky?retry"] == 2


def test_429_with_retry_after_is_retried(server: ServerState, settings_for: Settings) -> None:
    result = fetch(settings_for, f"{server.base}/rate-limited?key=ra&after=0")
    assert result.status == 200
    assert server.hits["/rate-limited?ra"] == 2


def test_retry_after_longer_than_the_cap_is_not_waited_for(
    server: ServerState, settings_for: Settings
) -> None:
    with pytest.raises(HTTPStatusError) as caught:
        fetch(settings_for, f"{server.base}/rate-limited?key=long&after=3600")
    assert caught.value.status == 429
    assert caught.value.kind == "transient"
    assert caught.value.retry_after == 3600.0
    assert server.hits["/rate-limited?long"] == 1


def test_retries_stop_after_the_setting(server: ServerState, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, f"127.0.0.1:{server.port}", retries=0)
    with pytest.raises(HTTPStatusError) as caught:
        fetch(settings, f"{server.base}/flaky?key=noretry")
    assert caught.value.status == 503
    assert server.hits["/flaky?noretry"] == 1


def test_404_is_permanent_and_not_retried(server: ServerState, settings_for: Settings) -> None:
    with pytest.raises(HTTPStatusError) as caught:
        fetch(settings_for, f"{server.base}/missing?key=once")
    assert caught.value.status == 404
    assert caught.value.kind == "permanent"
    assert server.hits["/missing?once"] == 1
    assert caught.value.as_event() == {
        "error": "HTTPStatusError",
        "kind": "permanent",
        "url": f"{server.base}/missing?key=once",
        "status": 404,
        "reason": "HTTP 404",
    }


def test_403_without_challenge_markers_is_a_plain_permanent_error(
    server: ServerState, settings_for: Settings
) -> None:
    with pytest.raises(HTTPStatusError) as caught:
        fetch(settings_for, f"{server.base}/forbidden")
    assert caught.value.status == 403
    assert caught.value.kind == "permanent"


def test_conditional_request_with_etag_gets_not_modified(
    server: ServerState, settings_for: Settings
) -> None:
    first = fetch(settings_for, f"{server.base}/conditional")
    assert first.etag == '"v1"'
    assert first.last_modified == "Mon, 01 Jan 2024 00:00:00 GMT"
    again = fetch(settings_for, f"{server.base}/conditional", etag=first.etag)
    assert again.not_modified
    assert again.status == 304
    assert again.content == b""
    assert again.etag == '"v1"'


def test_conditional_request_with_last_modified_gets_not_modified(
    server: ServerState, settings_for: Settings
) -> None:
    result = fetch(
        settings_for,
        f"{server.base}/conditional",
        last_modified="Mon, 01 Jan 2024 00:00:00 GMT",
    )
    assert result.not_modified


@pytest.mark.parametrize(
    ("path", "mime", "body"),
    [
        ("/octet-html", "text/html", HTML),
        ("/octet-pdf", "application/pdf", PDF),
        ("/typed-pdf", "application/pdf", PDF),
    ],
)
def test_content_type_is_decided_by_header_and_bytes(
    server: ServerState, settings_for: Settings, path: str, mime: str, body: bytes
) -> None:
    result = fetch(settings_for, f"{server.base}{path}")
    assert result.mime_type == mime
    assert result.content == body


@pytest.mark.parametrize(
    ("header", "content", "expected"),
    [
        ("application/pdf", b"<!DOCTYPE html><html>error</html>", ("text/html", None)),
        ("text/html; charset=UTF-8", PDF, ("application/pdf", None)),
        (
            "application/xhtml+xml",
            b"<?xml version='1.0'?>\n<html>",
            ("application/xhtml+xml", None),
        ),
        (None, b"\xef\xbb\xbf  <HTML><body>x", ("text/html", None)),
        ("text/plain; charset=ISO-8859-1", b"plain words", ("text/plain", "iso-8859-1")),
        ("application/octet-stream", b"\x00\x01binary", ("application/octet-stream", None)),
        ("application/json", b'{"a": 1}', ("application/json", None)),
    ],
)
def test_decide_mime_type(header: str | None, content: bytes, expected: tuple[str, str]) -> None:
    assert decide_mime_type(header, content) == expected


def test_cloudflare_like_challenge_is_blocked_and_not_retried(
    server: ServerState, settings_for: Settings
) -> None:
    with pytest.raises(BotBlocked) as caught:
        fetch(settings_for, f"{server.base}/challenge?key=cf")
    assert caught.value.kind == "blocked"
    assert caught.value.status == 503
    assert "Cloudflare" in caught.value.reason
    assert server.hits["/challenge?cf"] == 1


def test_captcha_interstitial_served_with_200_is_blocked(
    server: ServerState, settings_for: Settings
) -> None:
    with pytest.raises(BotBlocked, match="robot"):
        fetch(settings_for, f"{server.base}/captcha-200")


def test_timeout_is_transient_and_retried(server: ServerState, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, f"127.0.0.1:{server.port}", timeout_seconds=0.2, retries=1)
    with pytest.raises(FetchTimeout) as caught:
        fetch(settings, f"{server.base}/slow?key=t")
    assert caught.value.kind == "transient"
    assert server.hits["/slow?t"] == 2


def test_connection_refused_is_transient(server: ServerState, tmp_path: Path) -> None:
    # Port 9 on loopback has no listener here; allow it so the connection is attempted.
    settings = make_settings(tmp_path, "127.0.0.1:9", retries=0)
    with pytest.raises(FetchError) as caught:
        fetch(settings, "http://127.0.0.1:9/")
    assert caught.value.kind == "transient"
    assert "connection failed" in caught.value.reason


def test_per_host_bound_is_enforced(server: ServerState, settings_for: Settings) -> None:
    server.max_in_flight = 0
    server.crowd = None

    async def many(fetcher: Fetcher) -> list[FetchResult]:
        urls = [f"{server.base}/crowd?i={i}" for i in range(8)]
        return await asyncio.gather(*(fetcher.fetch(u) for u in urls))

    results = run(settings_for, many)
    assert len(results) == 8
    assert server.max_in_flight == settings_for.per_host_concurrency == 2


def test_wider_bound_lets_more_through(server: ServerState, tmp_path: Path) -> None:
    """The counterpart of the bound test: the server can see 3 at once when we allow it."""
    settings = make_settings(tmp_path, f"127.0.0.1:{server.port}", per_host_concurrency=4)
    server.max_in_flight = 0
    server.crowd = None

    async def many(fetcher: Fetcher) -> list[FetchResult]:
        urls = [f"{server.base}/crowd?i={i}" for i in range(8)]
        return await asyncio.gather(*(fetcher.fetch(u) for u in urls))

    run(settings, many)
    assert 3 <= server.max_in_flight <= 4


def test_allowed_host_passes_but_the_same_loopback_without_allowance_is_refused(
    server: ServerState, tmp_path: Path
) -> None:
    url = f"{server.base}/page?key=allow"
    allowed = make_settings(tmp_path, f"127.0.0.1:{server.port}")
    assert fetch(allowed, url).status == 200
    assert server.hits["/page?allow"] == 1
    for allow in ("", "localhost", f"127.0.0.1:{server.port + 1}"):
        with pytest.raises(SSRFRefused, match=r"127\.0\.0\.1 \(loopback\)"):
            fetch(make_settings(tmp_path, allow), url)
    assert server.hits["/page?allow"] == 1


def test_cookies_follow_redirects_within_a_fetch_only(
    server: ServerState, settings_for: Settings
) -> None:
    assert b"cookie=session=abc" in fetch(settings_for, f"{server.base}/cookie-set").content
    assert b"cookie=(none)" in fetch(settings_for, f"{server.base}/cookie-echo").content


def test_parse_retry_after() -> None:
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_peer_check_refuses_even_if_the_resolver_were_bypassed(
    server: ServerState, tmp_path: Path
) -> None:
    """Defence in depth: with the guarded resolver taken out of the connector (as a bug might
    do), the address is still judged right before the socket connects."""
    naive = StaticResolver({"docs.example": ["127.0.0.1"]})
    before = server.hits["/page?peer"]

    async def go() -> FetchResult:
        async with Fetcher(make_settings(tmp_path, "")) as fetcher:
            fetcher.session.connector._resolver = naive  # type: ignore[union-attr]
            return await fetcher.fetch(f"http://docs.example:{server.port}/page?key=peer")

    with pytest.raises(SSRFRefused, match=r"connecting to 127\.0\.0\.1 \(loopback\)"):
        asyncio.run(go())
    assert naive.calls == ["docs.example"]
    assert server.hits["/page?peer"] == before


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (500, "transient"),
        (502, "transient"),
        (429, "transient"),
        (408, "transient"),
        (404, "permanent"),
        (410, "permanent"),
        (400, "permanent"),
        (451, "permanent"),
    ],
)
def test_status_errors_classify_themselves(status: int, kind: str) -> None:
    error = HTTPStatusError("https://example.com/terms", status)
    assert error.kind == kind
    assert error.retryable == (kind == "transient")
    assert str(error) == f"https://example.com/terms: HTTP {status}"
