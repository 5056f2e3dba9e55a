"""Which of the classifier's languages a provision is written in, from its function words.

The classifier has one model per language (English, German, Italian, Polish: the languages
its labelled corpora cover), so each provision must be routed to one. A general language
identifier costs about as much as the whole classification; counting a few dozen function
words per language costs almost nothing and is all the routing needs. A text is sent to a
non-English model only when that language's function words clearly outnumber the others',
so short or mixed texts stay with the English model, the best trained of the four.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+")

FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        [
            "the",
            "and",
            "of",
            "to",
            "in",
            "that",
            "is",
            "for",
            "you",
            "your",
            "we",
            "our",
            "with",
            "by",
            "or",
            "are",
            "be",
            "this",
            "any",
            "as",
            "not",
            "on",
            "may",
            "will",
            "from",
            "such",
            "have",
            "it",
        ]
    ),
    "de": frozenset(
        [
            "der",
            "die",
            "das",
            "und",
            "ist",
            "nicht",
            "sie",
            "ihr",
            "ihre",
            "ihren",
            "wir",
            "uns",
            "unsere",
            "den",
            "dem",
            "des",
            "ein",
            "eine",
            "einer",
            "zu",
            "mit",
            "von",
            "für",
            "auf",
            "oder",
            "werden",
            "wird",
            "sind",
            "bei",
            "durch",
            "diese",
            "dieser",
            # Informal address, common in consumer terms ("du" is French too: left out).
            "dein",
            "deine",
            "deinen",
            "deinem",
        ]
    ),
    "it": frozenset(
        [
            "il",
            "lo",
            "la",
            "le",
            "gli",
            "di",
            "del",
            "della",
            "dei",
            "delle",
            "che",
            "non",
            "per",
            "con",
            "una",
            "uno",
            "sono",
            "nel",
            "nella",
            "alla",
            "al",
            "ai",
            "questi",
            "questo",
            "tuo",
            "tua",
            "vostro",
            "nostro",
            "nostra",
            "essere",
            "può",
        ]
    ),
    # French: read by its cue phrases only (there is no labelled French corpus). Words it
    # shares with Italian ("la", "le", "il", "per"...) or with Spanish and Portuguese ("que",
    # "ou", "de") or German ("du") are left out so that none of them steals the others' texts;
    # "de" is also the ".de" of a domain name.
    "fr": frozenset(
        [
            "les",
            "des",
            "à",
            "tout",
            "toute",
            "tous",
            "toutes",
            "avec",
            "sera",
            "seront",
            "et",
            "est",
            "vous",
            "votre",
            "vos",
            "nous",
            "notre",
            "nos",
            "pour",
            "par",
            "dans",
            "sur",
            "qui",
            "une",
            "pas",
            "au",
            "aux",
            "cette",
            "ces",
            "sont",
            "être",
            "peut",
            "leur",
        ]
    ),
    "pl": frozenset(
        [
            "i",
            "w",
            "z",
            "na",
            "się",
            "nie",
            "jest",
            "lub",
            "oraz",
            "że",
            "przez",
            "dla",
            "od",
            "są",
            "może",
            "będzie",
            "ten",
            "ta",
            "tym",
            "tych",
            "które",
            "który",
            "która",
            "naszych",
            "twoje",
            "państwa",
            "użytkownik",
        ]
    ),
}

MIN_HITS = 2
"""A non-English language needs at least this many function words when another language's
words appear too (one is enough when it is the only language seen)…"""
MARGIN = 2.0
"""…and this many times as many as any other language, or the text stays English."""


def _hits(text: str) -> dict[str, int]:
    words = _WORD.findall(text.lower())
    return {lang: sum(w in vocab for w in words) for lang, vocab in FUNCTION_WORDS.items()}


def function_word_language(text: str) -> str | None:
    """ "en", "de", "fr", "it" or "pl" when the function words say so clearly; None when the
    evidence is thin (no function words, too few, or two languages too close)."""
    return _clearest(_hits(text))


def _clearest(hits: dict[str, int]) -> str | None:
    best = max(hits, key=lambda lang: (hits[lang], lang == "en"))
    runner_up = max(v for lang, v in hits.items() if lang != best)
    if hits[best] == 0:
        return None
    if runner_up == 0:
        return best
    if hits[best] < MIN_HITS:
        return None
    return best if hits[best] >= MARGIN * runner_up else None


def guess_language(text: str, default: str = "en", *, document: bool = False) -> str:
    """The language :func:`function_word_language` finds, else ``default``: English for a bare
    text, the document's own language when the caller knows it (a heading such as
    "Haftung" has no function words, but sits in a German document).

    With ``document=True`` (``default`` is the document's language, not a fallback) a text
    leaves it only when its own words clearly name another language: at least ``MIN_HITS``
    function words and more than ``MARGIN`` times the document language's. One shared word is not
    enough ("la" is Italian and French, "du" German and French): "La File d'Attente" in a
    French document stays French.
    """
    hits = _hits(text)
    found = _clearest(hits)
    if found is None or found == default:
        return default
    if not document or default not in hits:
        return found
    if hits[found] >= MIN_HITS and hits[found] > MARGIN * hits[default]:
        return found
    return default
