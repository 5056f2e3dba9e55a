"""Is this extracted text a new version of the document, or not a document at all?

Both questions are pure functions of text, so the orchestrator, the dataset importer and the
change-detection benchmark all take the very same decision.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from typing import Literal

from clausewatch.versions.normalise import normalise, typography_key

Reason = Literal["first", "changed", "technical", "unchanged", "noise"]

# Fewer words than this is a stub, an error page or a failed render, not a legal document.
MIN_WORDS = 20
# Bot-wall phrases are only trusted on short texts: real terms mention "captcha" or
# "access denied" in passing, interstitials are a few dozen words long.
BOT_WALL_MAX_WORDS = 400

_WORD = re.compile(r"\w+")
# Phrases only interstitials use; trusted on any short text.
_BOT_WALL = re.compile(
    r"just a moment\.\.\.|checking (?:if the site connection is secure|your browser)"
    r"|attention required!? \| cloudflare|cf-browser-verification|cf-chl-|ddos protection by"
    r"|enable javascript and cookies to continue|verify(?:ing)? (?:that )?you are (?:a )?human"
    r"|are you a robot|i'?m not a robot|sgcaptcha|pardon our interruption|incapsula incident"
    r"|access to this page has been denied|you don'?t have permission to access"
    r"|the requested url was rejected|error 1020|unusual traffic from your computer"
    r"|please turn javascript on and reload the page",
    re.IGNORECASE,
)
# Phrases a short real document can contain too; trusted only on very short texts.
_BLOCKED = re.compile(
    r"captcha|access denied|403 forbidden|request blocked|bot detection|datadome",
    re.IGNORECASE,
)
BLOCKED_MAX_WORDS = 120


@dataclass(frozen=True)
class Decision:
    """The verdict on one extracted text against the version it would follow.

    ``technical`` is true for a new text whose words did not change (typography, markup,
    link targets): it is still a version, so history stays complete, but not news.
    """

    is_new: bool
    normalised: str
    reason: Reason
    technical: bool = False


def decide(previous_text: str | None, new_markdown: str) -> Decision:
    """Compare a fresh extraction with the text of the version it would follow."""
    normalised = normalise(new_markdown)
    if previous_text is None:
        return Decision(True, normalised, "first")
    previous = normalise(previous_text)
    if previous == normalised:
        same_raw = previous_text == new_markdown
        return Decision(False, normalised, "unchanged" if same_raw else "noise")
    if typography_key(previous) == typography_key(normalised):
        return Decision(True, normalised, "technical", technical=True)
    return Decision(True, normalised, "changed")


def _extract_detector() -> Callable[[str], object] | None:
    try:
        module = importlib.import_module("clausewatch.extract.botwall")
    except ImportError:
        return None
    found = getattr(module, "detect_bot_wall", None)
    return found if callable(found) else None


def _count_words(text: str, limit: int) -> int:
    """Words in ``text``, counting no further than ``limit + 1``: the checks only need a bound."""
    return sum(1 for _ in islice(_WORD.finditer(text), limit + 1))


def detect_bot_wall(text: str) -> str | None:
    """The bot-wall phrase a short text is made of, if any (our own small detector)."""
    words = _count_words(text, BOT_WALL_MAX_WORDS)
    if words > BOT_WALL_MAX_WORDS:
        return None
    match = _BOT_WALL.search(text)
    if match is None and words <= BLOCKED_MAX_WORDS:
        match = _BLOCKED.search(text)
    return match.group(0).lower() if match else None


def check_content(markdown: str) -> str | None:
    """Why this text must not become a version (bot wall, near-empty), or None if it may.

    The extract stage's detector is preferred when it exists, since it also sees the HTML;
    ours only sees text and backs it up.
    """
    detector = _extract_detector()
    if detector is not None:
        try:
            found = detector(markdown)
        except (TypeError, ValueError):
            found = None
        if found:
            return f"bot wall: {found}" if isinstance(found, str) else "bot wall"
    phrase = detect_bot_wall(markdown)
    if phrase:
        return f"bot wall: {phrase!r}"
    words = _count_words(markdown, MIN_WORDS)
    if words == 0:
        return "empty content"
    if words < MIN_WORDS:
        return f"near-empty content ({words} words)"
    return None
