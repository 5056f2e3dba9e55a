"""Recognise pages that stand in front of the document: challenges, captchas, denials.

Content-level and pure on purpose: the HTTP-level detector in :mod:`clausewatch.fetch` sees
status codes and headers; this one sees what was stored, so it also catches walls served with
200 OK and walls in old snapshots. Markers are specific to the wall products (their page
titles, challenge form ids, captcha hosts), never words a privacy policy might use, and text
markers only count on short pages, so a policy that explains "access denied" is not a wall.
"""

from __future__ import annotations

import re

# Strong markers: only the wall pages themselves carry these.
_STRONG: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("cloudflare challenge", re.compile(r"<title>\s*Just a moment\.\.\.\s*</title>", re.I)),
    ("cloudflare challenge", re.compile(r"id=[\"']challenge-(?:form|running|stage)[\"']", re.I)),
    ("cloudflare block", re.compile(r"<title>\s*Attention Required! \| Cloudflare", re.I)),
    ("cloudflare block", re.compile(r"cf-error-details|Sorry, you have been blocked", re.I)),
    ("datadome captcha", re.compile(r"geo\.captcha-delivery\.com|ct\.captcha-delivery\.com", re.I)),
    ("perimeterx captcha", re.compile(r"id=[\"']px-captcha[\"']", re.I)),
    ("siteground captcha", re.compile(r"/\.well-known/sgcaptcha/", re.I)),
    ("akamai denial", re.compile(r"<title>\s*Access Denied\s*</title>", re.I)),
    ("imperva block", re.compile(r"_Incapsula_Resource|Request unsuccessful\. Incapsula", re.I)),
    ("aws waf captcha", re.compile(r"awswaf(?:captcha|\.com)", re.I)),
)

# Weak markers: phrases that are walls only when the page says little else.
_WEAK: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "browser check",
        re.compile(r"Checking (?:if the site connection is secure|your browser)", re.I),
    ),
    ("captcha", re.compile(r"\b(?:re)?captcha\b|hcaptcha|are you a (?:human|robot)", re.I)),
    ("access denied", re.compile(r"\baccess (?:denied|to this page has been denied)\b", re.I)),
    (
        "javascript required",
        re.compile(r"enable (?:JavaScript|cookies) (?:and cookies )?to continue", re.I),
    ),
    ("rate limited", re.compile(r"\btoo many requests\b", re.I)),
)

_TAGS = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.I | re.S)
SHORT_PAGE_WORDS = 150


def visible_words(html: str) -> int:
    """Rough count of words a reader would see (markup, scripts and styles left out)."""
    return len(_TAGS.sub(" ", html).split())


def detect_bot_wall(text_or_html: str) -> str | None:
    """The kind of wall a page is (e.g. ``"cloudflare challenge"``), or None for a document."""
    head = text_or_html[:200_000]
    for name, pattern in _STRONG:
        if pattern.search(head):
            return name
    if visible_words(head) <= SHORT_PAGE_WORDS:
        for name, pattern in _WEAK:
            if pattern.search(head):
                return name
    return None
