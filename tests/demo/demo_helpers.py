"""Helpers for the demo tests: a plain HTTP GET and a selector check independent of extract."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from clausewatch.demo.catalog import DemoDocument, DemoManifest, SelectorJSON


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One GET without redirects or error-raising, so 304 and 403 can be asserted as is."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        conn.request(
            "GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {}
        )
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def readable_revisions(manifest: DemoManifest) -> Iterator[tuple[DemoDocument, int]]:
    for doc in manifest.documents():
        for rev in doc.revisions:
            if rev.status == 200:
                yield doc, rev.number


def selected_text(
    html: str, select: tuple[SelectorJSON, ...], remove: tuple[SelectorJSON, ...]
) -> str:
    """The words a declaration's select/remove keep, whitespace-collapsed (a cheap stand-in for
    the extractor, independent of it)."""
    tree = LexborHTMLParser(html)
    for selector in remove:
        assert isinstance(selector, str)
        for node in tree.css(selector):
            node.decompose()
    parts: list[str] = []
    for selector in select:
        if isinstance(selector, str):
            parts.extend(node.text(separator=" ") for node in tree.css(selector))
        else:
            source = tree.html or ""
            start = source.index(_marker(tree, selector["startAfter"]))
            end = source.index(_marker(tree, selector["endBefore"]))
            parts.append(LexborHTMLParser(source[start:end]).text(separator=" "))
    return " ".join(" ".join(parts).split())


def _marker(tree: LexborHTMLParser, selector: str) -> str:
    node = tree.css_first(selector)
    assert node is not None, selector
    return node.html or ""
