"""Find a quote in a version's text, whatever its whitespace, markup or quote style.

Quotes come from people and from other corpora (ToS;DR points, a user's highlight, an alert
e-mail): they lose the Markdown, reflow lines and swap curly quotes for straight ones. We
compare a folded projection of both texts and map the hit back to the original offsets, so the
span returned can be highlighted in the stored version as is.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

__all__ = ["locate"]

#: A fuzzy hit must score at least this (rapidfuzz partial ratio, 0-100).
FUZZY_CUTOFF = 90.0

_FOLD = {
    "“": '"',
    "”": '"',
    "„": '"',
    "«": '"',
    "»": '"',
    "‘": "'",
    "’": "'",
    "‐": "-",
    "‑": "-",
    "‒": "-",
    "–": "-",
    "—": "-",
    "―": "-",
    "\u00a0": " ",
}
_MARKUP = frozenset("*_\\`#>|")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…|\[\.\.\.\]|\[…\])\s*")


def _project(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the offset it came from."""
    hidden = [False] * len(text)
    for match in _LINK_TARGET.finditer(text):
        for k in range(match.start(), match.end()):
            hidden[k] = True
    chars: list[str] = []
    origin: list[int] = []
    for k, char in enumerate(text):
        if hidden[k] or char in _MARKUP or char in "[]":
            continue
        char = _FOLD.get(char, char)
        if char.isspace():
            if not chars or chars[-1] == " ":
                continue
            char = " "
        chars.append(char.casefold()[:1] or char)
        origin.append(k)
    while chars and chars[-1] == " ":
        chars.pop()
        origin.pop()
    return "".join(chars), origin


def _span(origin: list[int], start: int, end: int, text: str) -> tuple[int, int]:
    begin, stop = origin[start], origin[end - 1] + 1
    while begin < stop and text[begin].isspace():
        begin += 1
    return begin, stop


def _find(needle: str, hay: str, origin: list[int], text: str, at: int) -> tuple[int, int] | None:
    hit = hay.find(needle, at)
    if hit >= 0:
        return hit, hit + len(needle)
    if len(needle) < 12:
        return None
    found = fuzz.partial_ratio_alignment(needle, hay[at:], score_cutoff=FUZZY_CUTOFF)
    if found is None:
        return None
    return at + found.dest_start, at + found.dest_end


def locate(quote: str, text: str) -> tuple[int, int] | None:
    """The ``(start, end)`` of ``quote`` in ``text``, or None when it is not there.

    Exact after folding (case, whitespace, Markdown emphasis and links, quote and dash styles)
    first; then fuzzy (rapidfuzz partial ratio ≥ 90) for quotes with small differences. An
    ellipsis in the quote matches any text between its parts, in order.
    """
    hay, origin = _project(text)
    parts = [p for p in (_project(part)[0].strip() for part in _ELLIPSIS.split(quote)) if p]
    if not parts or not hay:
        return None
    first: tuple[int, int] | None = None
    at = 0
    last: tuple[int, int] | None = None
    for part in parts:
        found = _find(part, hay, origin, text, at)
        if found is None:
            return None
        first = first or found
        last = found
        at = found[1]
    assert first is not None and last is not None
    return _span(origin, first[0], last[1], text)
