"""Bot walls are recognised from status, headers and bytes; real documents are not mistaken
for them."""

from __future__ import annotations

from pathlib import Path

import pytest

from clausewatch.fetch import detect_bot_wall

CF_CHALLENGE = (
    b"<!DOCTYPE html><html lang='en-US'><head><title>Just a moment...</title></head><body>"
    b"<noscript>Enable JavaScript and cookies to continue</noscript>"
    b"<script>(function(){window._cf_chl_opt={cvId: '3',cZone: 'example.com'};})();</script>"
    b"</body></html>"
)
AKAMAI = (
    b"<HTML><HEAD>\n<TITLE>Access Denied</TITLE>\n</HEAD><BODY>\n<H1>Access Denied</H1>\n"
    b"You don't have permission to access this server.<P>\nReference&#32;&#35;18.1234\n"
    b"<P>https&#58;&#47;&#47;errors&#46;edgesuite&#46;net&#47;18&#46;1234</P></BODY></HTML>"
)
DATADOME = (
    b"<html><head><title>example.com</title></head><body>"
    b"<script src='https://ct.captcha-delivery.com/c.js'></script></body></html>"
)
TERMS_MENTIONING_WORDS = (
    b"<html><head><title>Terms of Service</title></head><body>"
    + b"<p>If access is denied to your account, you may appeal. Are you a robot? No.</p>" * 50
    + b"<form><div class='g-recaptcha'></div></form></body></html>"
)


@pytest.mark.parametrize(
    ("status", "headers", "content", "needle"),
    [
        (403, {"Server": "cloudflare"}, CF_CHALLENGE, "Cloudflare"),
        (200, {}, CF_CHALLENGE, "Cloudflare"),
        (403, {"cf-mitigated": "challenge"}, b"", "cf-mitigated"),
        (403, {"Server": "AkamaiGHost"}, AKAMAI, "Akamai"),
        (403, {"Server": "AkamaiGHost"}, b"<html>nope</html>", "Akamai"),
        (403, {"X-DataDome": "protected"}, b"", "DataDome"),
        (200, {}, DATADOME, "DataDome"),
        (429, {}, b"<html><body>Please verify you are human</body></html>", "human"),
        (
            200,
            {},
            b"<html><head><title>Attention Required! | Cloudflare</title></head></html>",
            "Cloudflare",
        ),
        (405, {"x-amzn-waf-action": "captcha"}, b"", "AWS WAF"),
        (200, {}, b"<html><body>Incapsula incident ID: 123-456</body></html>", "Incapsula"),
        (
            200,
            {},
            b"<html><head><title>Vercel Security Checkpoint</title></head></html>",
            "Vercel",
        ),
    ],
)
def test_bot_walls_are_recognised(
    status: int, headers: dict[str, str], content: bytes, needle: str
) -> None:
    reason = detect_bot_wall(status, headers, content)
    assert reason is not None
    assert needle in reason


@pytest.mark.parametrize(
    ("status", "headers", "content"),
    [
        (200, {"Server": "cloudflare"}, TERMS_MENTIONING_WORDS),
        (403, {"Server": "nginx"}, b"<html><body>Forbidden</body></html>"),
        (429, {"Retry-After": "5"}, b"Too Many Requests"),
        (200, {"Server": "AkamaiGHost"}, b"<html><title>Privacy</title>ok</html>"),
        (
            200,
            {},
            b"<html><title>Terms</title><script src='/cdn-cgi/challenge-platform/scripts/jsd/"
            b"main.js'></script><script src='/_Incapsula_Resource?SWJIYLWA=1'></script></html>",
        ),
        (None, {}, b""),
    ],
)
def test_ordinary_responses_are_not_bot_walls(
    status: int | None, headers: dict[str, str], content: bytes
) -> None:
    assert detect_bot_wall(status, headers, content) is None


@pytest.mark.shared_data
def test_no_real_archived_document_is_taken_for_a_bot_wall(shared_data: Path) -> None:
    """Every gold snapshot OTA recorded as a real document must pass (a false alarm here would
    be a missed version in production)."""
    snapshots = sorted((shared_data / "ota").glob("*/pairs/*/snapshot.html"))
    if not snapshots:
        pytest.skip("no OTA gold snapshots in the shared data")
    flagged = {
        path.parent.name: reason
        for path in snapshots
        if (reason := detect_bot_wall(200, {}, path.read_bytes())) is not None
    }
    assert flagged == {}
    assert len(snapshots) > 100
