"""What counts as the same text: the canonical form stored and compared for every version.

Two extractions of an unchanged document differ in ways nobody reading it could see: Unicode
composition, line endings, trailing or repeated spaces, runs of blank lines, non-breaking and
zero-width spaces, soft hyphens. :func:`normalise` removes exactly those, so they never create a
version, and never touches a word, a number or a punctuation mark.

A second, looser form (:func:`typography_key`) also forgets typographic choices (curly vs.
straight quotes, dash variants) and Markdown markup (emphasis, headings, link targets, line
wrapping). A change visible only to the normalised form but not to that key is a real new text
that OTA records too, but it is *technical*: no word changed, so it is stored and flagged, not
alerted on.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Invisible characters that carry no text: zero-width space, word joiner, BOM, soft hyphen.
# ZWJ/ZWNJ (U+200C/U+200D) are left alone: they change how Persian, Indic and emoji render.
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad]")
# Every horizontal space variant becomes a plain space (a regex: str.translate with a dict
# is ten times slower on long texts).
_SPACES = re.compile("[\t\v\f\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_INNER_SPACES = re.compile(r"(?<=\S) {2,}(?=\S)")
_BLANK_RUNS = re.compile(r"\n{3,}")
_TRAILING = re.compile(r"[ ]+$", re.MULTILINE)


def normalise(markdown: str) -> str:
    """The canonical text of a version: idempotent, and blind only to invisible differences.

    Leading indentation is kept because it carries Markdown structure (nested lists, code).
    The result ends with exactly one newline, or is empty.
    """
    # Each pass runs only when its cheap substring test says it can change something: most
    # extractions are already clean, and this runs on every fetch.
    text = markdown
    if "\r" in text or "\u2028" in text or "\u2029" in text or "\x85" in text:
        text = _NEWLINES.sub("\n", text)
    text = _SPACES.sub(" ", _INVISIBLE.sub("", text))
    # Composition comes after removing invisibles, which can join a letter to its accent.
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if " \n" in text or text.endswith(" "):
        text = _TRAILING.sub("", text)
    if "  " in text:
        text = _INNER_SPACES.sub(" ", text)
    if "\n\n\n" in text:
        text = _BLANK_RUNS.sub("\n\n", text)
    text = text.strip("\n")
    return text + "\n" if text else ""


def text_fingerprint(markdown: str) -> str:
    """SHA-256 of the normalised text: equal fingerprints mean "no new version"."""
    return hashlib.sha256(normalise(markdown).encode("utf-8")).hexdigest()


_TYPOGRAPHY = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4`", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    **dict.fromkeys("\u200c\u200d\u200e\u200f", ""),
    "\u2026": "...",
}
_TYPOGRAPHY_RE = re.compile("[" + "".join(_TYPOGRAPHY) + "]")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()]|\([^)]*\))*\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+|mailto:[^>\s]+)>")
_REF_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S+.*$", re.MULTILINE)
_LINE_MARKUP = re.compile(r"^[ ]*(?:#{1,6}[ ]+|>[ >]*|[-*+][ ]+|\d+[.)][ ]+)", re.MULTILINE)
_RULE = re.compile(r"^[ ]*(?:(?:[-*_][ ]*){3,}|=+[ ]*)$", re.MULTILINE)
_EMPHASIS = re.compile(r"[*~]+")
_UNDERSCORES = re.compile(r"_+")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>\n]*>")
_TABLE = re.compile(r"^[ |:-]+$|\|", re.MULTILINE)


def _emphasis_underscores(match: re.Match[str]) -> str:
    """Underscores inside a word (snake_case) are text; around a word they are emphasis."""
    text, start, end = match.string, match.start(), match.end()
    inside = start > 0 and end < len(text) and text[start - 1].isalnum() and text[end].isalnum()
    return match.group(0) if inside else ""


def typography_key(markdown: str) -> str:
    """The words of a text and nothing else, for telling word changes from technical ones.

    Deliberately lossy: link targets, emphasis, headings, list markers, tables, quote and
    dash styles and line wrapping all disappear. Never store it; only compare it.
    """
    text = _TYPOGRAPHY_RE.sub(lambda m: _TYPOGRAPHY[m.group(0)], normalise(markdown))
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _REF_DEF.sub("", text)
    text = _RULE.sub("", text)
    text = _RULE.sub("", _LINE_MARKUP.sub("", text))  # again: rules inside block quotes
    text = _HTML_TAG.sub(" ", text)
    if "|" in text:
        text = _TABLE.sub(" ", text)
    text = _EMPHASIS.sub("", text)
    if "_" in text:
        text = _UNDERSCORES.sub(_emphasis_underscores, text)
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    return " ".join(text.split())
