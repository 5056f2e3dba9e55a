"""What a version says about itself: its language, its length and the date it states.

Runs on every new version, so the common case (an English "Last updated: June 3, 2025" near
the top) is a single regular expression; dateparser is only loaded for other languages, and
only on the few words after a "last updated" / "effective" keyword, never on the whole text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Literal

DateKind = Literal["last_updated", "effective"]

_LANGUAGE_SAMPLE = 1000
_MAX_KEYWORDS = 60
_WINDOW = 60

# keyword -> (language it is written in, kind of date it introduces)
_KEYWORDS: dict[str, tuple[str, DateKind]] = {
    # English
    r"last\s+(?:updated|modified|revised|changed|amended|reviewed)": ("en", "last_updated"),
    r"(?:date\s+of\s+)?last\s+(?:update|revision|modification|amendment)": ("en", "last_updated"),
    r"(?:updated|revised|posted|published)\s*(?:on|as\s+of)?": ("en", "last_updated"),
    r"(?:revision|version|publication|update|updated|modification)\s+date": ("en", "last_updated"),
    r"(?:version\s+)?effective\s*(?:date|as\s+of|from|on|since|starting)?": ("en", "effective"),
    r"in\s+(?:force|effect)\s+(?:as\s+of|from|since|on)": ("en", "effective"),
    # French
    r"derni[èe]re\s+(?:mise\s+[àa]\s+jour|modification|r[ée]vision)": ("fr", "last_updated"),
    r"date\s+de\s+(?:la\s+)?derni[èe]re\s+(?:mise\s+[àa]\s+jour|modification|r[ée]vision)": (
        "fr",
        "last_updated",
    ),
    r"mise?\s+[àa]\s+jour\s*(?:le|au)?": ("fr", "last_updated"),
    r"version\s+(?:du|en\s+date\s+du)": ("fr", "last_updated"),
    r"en\s+vigueur\s+(?:le|au|depuis\s+le|[àa]\s+compter\s+du|[àa]\s+partir\s+du)": (
        "fr",
        "effective",
    ),
    r"date\s+d['’]\s*(?:entr[ée]e\s+en\s+vigueur|effet|application)": ("fr", "effective"),
    r"applicables?\s+(?:[àa]\s+compter\s+du|[àa]\s+partir\s+du|au)": ("fr", "effective"),
    # German
    r"zuletzt\s+(?:aktualisiert|ge[äa]ndert|[üu]berarbeitet)(?:\s+am)?": ("de", "last_updated"),
    r"letzte\s+(?:aktualisierung|[äa]nderung|[üu]berarbeitung)": ("de", "last_updated"),
    r"stand|aktualisiert\s+am|fassung\s+vom|version\s+vom": ("de", "last_updated"),
    r"g[üu]ltig\s+(?:ab|seit)|wirksam\s+ab|in\s+kraft\s+(?:seit|ab)": ("de", "effective"),
    r"(?:datum\s+des\s+)?inkrafttretens?": ("de", "effective"),
    # Spanish
    r"[úu]ltima\s+(?:actualizaci[óo]n|modificaci[óo]n|revisi[óo]n)": ("es", "last_updated"),
    r"actualizad[oa]s?\s+(?:el|a)": ("es", "last_updated"),
    r"fecha\s+de\s+(?:entrada\s+en\s+vigor|vigencia)": ("es", "effective"),
    r"(?:vigente|en\s+vigor|efectiv[oa])\s+(?:desde|a\s+partir\s+del?)": ("es", "effective"),
    # Italian
    r"ultim[oa]\s+(?:aggiornamento|modifica|revisione)": ("it", "last_updated"),
    r"aggiornat[oa]\s+(?:il|al)": ("it", "last_updated"),
    r"(?:data\s+di\s+entrata\s+in\s+vigore|in\s+vigore\s+(?:dal|a\s+partire\s+dal))": (
        "it",
        "effective",
    ),
    r"(?:efficace|valid[oa])\s+dal": ("it", "effective"),
    # Portuguese
    r"[úu]ltima\s+(?:atualiza[çc][ãa]o|actualiza[çc][ãa]o|modifica[çc][ãa]o|revis[ãa]o)": (
        "pt",
        "last_updated",
    ),
    r"atualizad[oa]\s+em": ("pt", "last_updated"),
    r"(?:em\s+vigor|vigente)\s+(?:desde|a\s+partir\s+de)|data\s+de\s+vig[êe]ncia": (
        "pt",
        "effective",
    ),
    # Dutch
    r"laatst\s+(?:bijgewerkt|gewijzigd|aangepast)(?:\s+op)?": ("nl", "last_updated"),
    r"laatste\s+(?:update|wijziging|herziening)|bijgewerkt\s+op": ("nl", "last_updated"),
    r"van\s+kracht\s+(?:vanaf|per|sinds)|ingangsdatum|geldig\s+(?:vanaf|per)": ("nl", "effective"),
    # Polish
    r"(?:data\s+)?ostatniej?\s+aktualizacji|ostatnia\s+aktualizacja|zaktualizowano": (
        "pl",
        "last_updated",
    ),
    r"obowi[ąa]zuje\s+od|wchodzi\s+w\s+[żz]ycie": ("pl", "effective"),
}
_KEYWORD_RE = re.compile(
    "|".join(f"(?P<k{i}>{pattern})" for i, pattern in enumerate(_KEYWORDS)), re.IGNORECASE
)
_KEYWORD_INFO = list(_KEYWORDS.values())
# Lower-case literals every keyword above starts with. Scanning a long text with one big
# case-insensitive alternation is slow in Python's re; finding these with str.find and
# matching the alternation only where they occur is some ten times faster.
_ANCHORS = (
    "last", "date", "datum", "update", "revised", "posted", "published", "revision", "version",
    "publication", "modification", "effective", "in force", "in effect", "derni", "mis",
    "en vigueur", "applicable", "zuletzt", "letzte", "stand", "aktualisiert", "fassung",
    "gültig", "gultig", "wirksam", "in kraft", "inkrafttret", "última", "ultim", "actualizad",
    "fecha", "vigente", "en vigor", "efectiv", "aggiornat", "data", "in vigore", "efficace",
    "valid", "atualizad", "em vigor", "laatst", "bijgewerkt", "van kracht", "ingangsdatum",
    "geldig", "ostatni", "zaktualizowano", "obowi", "wchodzi",
)  # fmt: skip

# Punctuation, markup and connector words between a keyword and its date.
_GAP = re.compile(
    r"(?:[\s*_:,.\-–—(\[\]|#>]|\b(?:on|as\s+of|from|since|at|is|le|du|au|am|vom|ab|seit|el|del|"
    r"desde|il|dal|al|em|de|op|per|sinds|vanaf|od|:)\b)*",
    re.IGNORECASE,
)
_MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}
_MONTH_RE = (
    r"(?P<{name}>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_ORD = r"(?:st|nd|rd|th)?"
_ENGLISH_DATE = re.compile(
    rf"{_MONTH_RE.format(name='m1')}\s+(?P<d1>\d{{1,2}}){_ORD},?\s+(?P<y1>\d{{4}})(?!\d)"
    rf"|(?P<d2>\d{{1,2}}){_ORD}\s+(?:of\s+)?{_MONTH_RE.format(name='m2')},?\s+(?P<y2>\d{{4}})(?!\d)"
    rf"|{_MONTH_RE.format(name='m3')},?\s+(?P<y3>\d{{4}})(?!\d)"
    r"|(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})(?!\d)"
    r"|(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<y4>\d{4})(?!\d)",
    re.IGNORECASE,
)
_ORDINAL = re.compile(r"\b(\d{1,2})(er|re|e|º|ª|°)(?=\s)", re.IGNORECASE)
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_WORD = re.compile(r"\w+(?:['’]\w+)*")


@dataclass(frozen=True)
class Metadata:
    """``stated_date_span`` is the date's (start, end) offset in the text given, for highlighting."""

    language: str | None
    word_count: int
    stated_date: date | None = None
    stated_date_kind: DateKind | None = None
    stated_date_span: tuple[int, int] | None = None


def _month(value: str) -> int:
    key = value.lower().rstrip(".")
    return next(number for name, number in _MONTHS.items() if name.startswith(key[:3]))


def _make_date(year: int, month: int, day: int) -> date | None:
    if not 1990 <= year <= 2100:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _fast_date(text: str, language: str) -> tuple[date, int] | None:
    """An English or numeric date at the very start of ``text`` and its length."""
    m = _ENGLISH_DATE.match(text)
    if m is None:
        return None
    g = m.groupdict()
    if g["m1"]:
        found = _make_date(int(g["y1"]), _month(g["m1"]), int(g["d1"]))
    elif g["m2"]:
        found = _make_date(int(g["y2"]), _month(g["m2"]), int(g["d2"]))
    elif g["m3"]:
        found = _make_date(int(g["y3"]), _month(g["m3"]), 1)
    elif g["iy"]:
        found = _make_date(int(g["iy"]), int(g["im"]), int(g["id"]))
    else:
        a, b = int(g["a"]), int(g["b"])
        month_first = language == "en" and g["sep"] == "/"
        if month_first and a > 12 >= b:
            month_first = False
        elif not month_first and b > 12 >= a:
            month_first = True
        month, day = (a, b) if month_first else (b, a)
        found = _make_date(int(g["y4"]), month, day)
    return (found, m.end()) if found else None


@lru_cache(maxsize=1)
def _dateparser() -> Any:
    from dateparser.search import search_dates

    return search_dates


def _slow_date(text: str, languages: list[str]) -> tuple[date, int, int] | None:
    """A date in another language near the start of ``text``: (date, start, end)."""
    search_dates = _dateparser()
    # dateparser's search misses "1er janvier" and "1º de mayo"; blanking the suffix keeps
    # every offset where it was.
    text = _ORDINAL.sub(lambda m: m.group(1) + " " * len(m.group(2)), text)
    try:
        found = search_dates(
            text,
            languages=languages,
            settings={"REQUIRE_PARTS": ["month", "year"], "PREFER_DAY_OF_MONTH": "first"},
        )
    except (ValueError, OverflowError, KeyError):
        return None
    for matched, when in found or ():
        # dateparser collapses the whitespace of what it quotes back.
        where = re.search(r"\s+".join(map(re.escape, matched.split())), text)
        if where is None or where.start() > 4:
            continue
        if result := _make_date(when.year, when.month, when.day):
            return result, where.start(), where.end()
    return None


@lru_cache(maxsize=1)
def _identifier() -> Any:
    """py3langid limited to languages with an ISO 639-1 code.

    The full model also knows regional varieties (Nigerian Pidgin, Moroccan Arabic...) that
    short English or Arabic legal headers are often mistaken for.
    """
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    identifier.set_languages([code for code in identifier.labels if len(code) == 2])
    return identifier


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language (py3langid), or None for a text without words."""
    head = _IMAGE.sub(" ", text[: _LANGUAGE_SAMPLE * 4])
    sample = _LINK_TARGET.sub("]", head)[:_LANGUAGE_SAMPLE]
    if not _WORD.search(sample):
        return None
    upper = sum(c.isupper() for c in sample)
    if upper > sum(c.islower() for c in sample):
        # Text set in capitals (disclaimers, whole terms: ASUS's opens with 1,000 characters
        # of them) is out of the identifier's training: py3langid called it Igbo.
        sample = sample.lower()
    language, _score = _identifier().classify(sample)
    return str(language)


def _keywords(text: str) -> Iterator[re.Match[str]]:
    """Keyword matches in document order, as ``_KEYWORD_RE.finditer`` would give them."""
    lower = text.lower()
    if len(lower) != len(text):
        yield from _KEYWORD_RE.finditer(text)
        return
    positions: set[int] = set()
    for anchor in _ANCHORS:
        at = lower.find(anchor)
        while at != -1:
            positions.add(at)
            at = lower.find(anchor, at + 1)
    end = 0
    for at in sorted(positions):
        if at < end or (at > 0 and lower[at - 1].isalnum()):
            continue
        match = _KEYWORD_RE.match(text, at)
        if match is not None:
            end = match.end()
            yield match


def stated_date(text: str, language: str | None) -> tuple[date, DateKind, tuple[int, int]] | None:
    """The first "last updated" / "effective" date the text states, with its kind and span."""
    doc_language = language or "en"
    for count, keyword in enumerate(_keywords(text)):
        if count >= _MAX_KEYWORDS:
            break
        assert keyword.lastgroup is not None
        kw_language, kind = _KEYWORD_INFO[int(keyword.lastgroup[1:])]
        gap = _GAP.match(text, keyword.end())
        start = gap.end() if gap else keyword.end()
        if start - keyword.end() > 20:
            continue
        window = text[start : start + _WINDOW].split("\n", 1)[0]
        fast = _fast_date(window, doc_language)
        if fast is not None:
            return fast[0], kind, (start, start + fast[1])
        if "en" in (kw_language, doc_language) and kw_language == doc_language:
            continue
        languages = list(dict.fromkeys(x for x in (doc_language, kw_language) if x != "en"))
        slow = _slow_date(window, languages or ["en"])
        if slow is not None:
            return slow[0], kind, (start + slow[1], start + slow[2])
    return None


def document_metadata(markdown: str) -> Metadata:
    """Language, word count and stated date of one version's text."""
    language = detect_language(markdown)
    words = len(_WORD.findall(_LINK_TARGET.sub("]", markdown)))
    found = stated_date(markdown, language)
    if found is None:
        return Metadata(language, words)
    when, kind, span = found
    return Metadata(language, words, when, kind, span)
