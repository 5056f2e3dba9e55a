"""Content-level bot-wall detection: walls are caught, real policies are not."""

from __future__ import annotations

import pytest

from clausewatch.extract.botwall import detect_bot_wall

WALLS = [
    ("<html><head><title>Just a moment...</title></head><body></body></html>", "cloudflare"),
    (
        "<title>Attention Required! | Cloudflare</title><p>Sorry, you have been blocked</p>",
        "cloudflare",
    ),
    ('<script src="https://ct.captcha-delivery.com/c.js"></script>', "datadome"),
    ('<div id="px-captcha"></div>', "perimeterx"),
    ('<meta http-equiv="refresh" content="0;/.well-known/sgcaptcha/?r=%2F">', "siteground"),
    ("<title>Access Denied</title><h1>Access Denied</h1><p>Reference #18</p>", "akamai"),
    ("<p>Please complete the captcha to continue.</p>", "captcha"),
    ("<p>Checking your browser before accessing example.com.</p>", "browser check"),
]


@pytest.mark.parametrize(("html", "kind"), WALLS)
def test_walls_are_detected(html: str, kind: str) -> None:
    found = detect_bot_wall(html)
    assert found is not None and kind in found


def test_a_long_policy_mentioning_captcha_and_access_denied_is_not_a_wall() -> None:
    policy = (
        "<title>Privacy Policy</title><h1>Privacy Policy</h1>"
        + "<p>We use reCAPTCHA to protect forms. If access is denied to your account, "
        "contact us. We process personal data lawfully and fairly.</p>" * 30
    )
    assert detect_bot_wall(policy) is None


def test_plain_text_input_works() -> None:
    assert detect_bot_wall("Just some ordinary terms of service text.") is None
