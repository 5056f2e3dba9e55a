"""What kind of document a response is, from its Content-Type header and its own bytes.

The extractor picks its parser (HTML or PDF) from this decision, and servers mislabel legal
documents often enough (PDFs as octet-stream, HTML error pages as PDF) that the header alone
cannot be trusted. Decoding the text is the extractor's job; the charset is only passed on.
"""

from __future__ import annotations

_GENERIC_TYPES = frozenset(
    {
        "",
        "application/octet-stream",
        "binary/octet-stream",
        "application/x-download",
        "application/download",
        "application/force-download",
        "text/plain",
        "application/unknown",
    }
)
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def parse_content_type(value: str | None) -> tuple[str, str | None]:
    """Split a Content-Type header into a lower-case MIME type and its charset, if any."""
    if not value:
        return "", None
    mime, *params = value.split(";")
    charset = None
    for param in params:
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'").lower()
    return mime.strip().lower(), charset


def sniff(content: bytes) -> str | None:
    """The type the bytes themselves declare (PDF or HTML), or None when they say nothing."""
    head = content[:1024].lstrip(b"\xef\xbb\xbf\x00 \t\r\n\x0c")
    if head.startswith(b"%PDF-") or b"%PDF-" in content[:1024]:
        return "application/pdf"
    lowered = head.lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<html" in lowered:
        return "text/html"
    if lowered.startswith(b"<!--") and (b"<head" in lowered or b"<body" in lowered):
        return "text/html"
    return None


def decide_mime_type(content_type: str | None, content: bytes) -> tuple[str, str | None]:
    """MIME type and charset from the header AND the bytes.

    Servers mislabel legal documents often (PDFs as octet-stream, HTML error pages as PDF), and
    the extractor picks its parser from this, so bytes that clearly say PDF or HTML win over the
    header; otherwise the header stands.
    """
    declared, charset = parse_content_type(content_type)
    sniffed = sniff(content)
    if sniffed == "application/pdf":
        return sniffed, None
    if sniffed == "text/html":
        return (declared if declared in _HTML_TYPES else sniffed), charset
    if declared in _GENERIC_TYPES and declared != "text/plain":
        return "application/octet-stream", charset
    return declared, charset
