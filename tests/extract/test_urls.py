"""Link resolution serialises like a browser's URL parser (what OTA writes into versions)."""

from __future__ import annotations

import pytest

from clausewatch.extract.urls import resolve

BASE = "https://Example.com/legal/terms?x=1#top"

CASES = [
    ("privacy", "https://example.com/legal/privacy"),
    ("../a/./b/../c", "https://example.com/a/c"),
    ("//cdn.example.org", "https://cdn.example.org/"),
    ("https://EXAMPLE.org:443/p", "https://example.org/p"),
    ("http://example.org:8080", "http://example.org:8080/"),
    ("/a b/é?q=a b&r='", "https://example.com/a%20b/%C3%A9?q=a%20b&r=%27"),
    ("?only", "https://example.com/legal/terms?only"),
    ("\\windows\\path", "https://example.com/windows/path"),
    ("  /trimmed\n ", "https://example.com/trimmed"),
    ("https://bücher.example/", "https://xn--bcher-kva.example/"),
    ("mailto:Someone@Example.com", "mailto:Someone@Example.com"),
    ("tel:+33 1 23", "tel:+33 1 23"),
    ("javascript:void(0)", "javascript:void(0)"),
]


@pytest.mark.parametrize(("href", "expected"), CASES)
def test_resolve(href: str, expected: str) -> None:
    assert resolve(href, BASE) == expected


def test_unparseable_urls_are_left_alone() -> None:
    assert resolve("https://exa mple.com/", BASE) is None
    assert resolve("http://host:port/", BASE) is None
