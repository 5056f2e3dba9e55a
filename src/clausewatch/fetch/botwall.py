"""Recognise a bot wall (challenge page, captcha interstitial, WAF block) from a response.

A bot wall recorded as a new version of a privacy policy would be a false alarm sent to every
subscriber, so both the fetcher and the extractor ask this function before treating bytes as
content. It is pure (status, headers, bytes in; a reason out) so either can call it on stored
snapshots too.

Vendor markers that only challenge pages carry count at any status. Generic phrases ("Access
Denied", "verify you are human") count only on a blocking status or in the title of a small
page, because a real terms page may well contain such words in its body.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_BLOCKING_STATUSES = frozenset({401, 403, 405, 406, 429, 503})
_SMALL_PAGE = 64 * 1024
# Wall pages are small and carry their markers early; a bounded window keeps the check cheap
# on multi-megabyte documents.
_HEAD_BYTES = 64 * 1024

# (header, value substring or "" for mere presence, reason)
_HEADER_MARKERS: tuple[tuple[str, str, str], ...] = (
    ("cf-mitigated", "challenge", "Cloudflare challenge (cf-mitigated header)"),
    ("x-vercel-mitigated", "challenge", "Vercel security checkpoint"),
    ("x-amzn-waf-action", "captcha", "AWS WAF captcha"),
    ("x-amzn-waf-action", "challenge", "AWS WAF challenge"),
    ("x-datadome", "", "DataDome bot protection"),
    ("x-dd-b", "", "DataDome bot protection"),
    ("x-px-block", "", "PerimeterX block"),
)

# Markers only challenge or block pages carry: count at any status. (Cloudflare injects its
# challenge-platform script into ordinary pages too, so that path is not one of them.)
_VENDOR_MARKERS: tuple[tuple[bytes, str], ...] = (
    (b"window._cf_chl_opt", "Cloudflare challenge page"),
    (b"cf-browser-verification", "Cloudflare browser verification"),
    (b"cf-error-details", "Cloudflare block page"),
    (b"captcha-delivery.com", "DataDome captcha"),
    (b"incapsula incident id", "Imperva Incapsula block"),
    (b"_pxcaptcha", "PerimeterX captcha"),
    (b"px-captcha", "PerimeterX captcha"),
    (b"errors.edgesuite.net", "Akamai block page"),
    (b"errors&#46;edgesuite&#46;net", "Akamai block page"),
    (b"sucuri website firewall", "Sucuri firewall block"),
    (b"vercel security checkpoint", "Vercel security checkpoint"),
)

# Phrases that mean a wall only on a blocking status or in a small page's title.
_GENERIC_MARKERS: tuple[tuple[bytes, str], ...] = (
    (b"just a moment...", "Cloudflare-style interstitial ('Just a moment...')"),
    (b"attention required! | cloudflare", "Cloudflare block page"),
    (b"checking your browser", "browser check interstitial"),
    (b"verify you are human", "human verification interstitial"),
    (b"are you a robot", "robot check interstitial"),
    (b"unusual traffic from your computer", "unusual-traffic block"),
    (b"access denied", "access denied page"),
    (b"request unsuccessful. incapsula", "Imperva Incapsula block"),
    (b"pardon our interruption", "bot interstitial ('Pardon our interruption')"),
    (b"g-recaptcha", "reCAPTCHA interstitial"),
    (b"h-captcha", "hCaptcha interstitial"),
    (b"challenges.cloudflare.com/turnstile", "Cloudflare Turnstile captcha"),
    (b"please enable js and disable any ad blocker", "DataDome interstitial"),
    # Also injected into ordinary protected pages, so only telling on a blocking status:
    (b"_incapsula_resource", "Imperva Incapsula challenge"),
    (b"awswafintegration", "AWS WAF challenge"),
    (b"/cdn-cgi/challenge-platform/", "Cloudflare challenge"),
)

_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)


def detect_bot_wall(status: int | None, headers: Mapping[str, str], content: bytes) -> str | None:
    """Why this response is a bot wall rather than the document, or None if it is not one."""
    lowered = {k.lower(): v.lower() for k, v in headers.items()}
    for name, needle, reason in _HEADER_MARKERS:
        value = lowered.get(name)
        if value is not None and needle in value:
            return reason
    head = content[:_HEAD_BYTES].lower()
    for needle_bytes, reason in _VENDOR_MARKERS:
        if needle_bytes in head:
            return reason
    blocking = status in _BLOCKING_STATUSES
    if blocking:
        if status in (403, 503) and "akamaighost" in lowered.get("server", ""):
            return f"Akamai block, HTTP {status}"
        for needle_bytes, reason in _GENERIC_MARKERS:
            if needle_bytes in head:
                return f"{reason}, HTTP {status}"
    if len(content) <= _SMALL_PAGE:
        match = _TITLE.search(head)
        title = match.group(1) if match else b""
        for needle_bytes, reason in _GENERIC_MARKERS:
            if needle_bytes in title:
                return reason
    return None
