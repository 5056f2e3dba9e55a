"""Regex cues of the taxonomy, matched on normalised text and mapped back to the raw text.

Cues and modifiers are written against one canonical form (lower-case words, one space), so a
single pattern covers "opt-out", "Opt Out" and UNFAIR-ToS's pre-tokenised "opt-out". The
offset map lets evidence spans point into the caller's original text.

The prefilter that keeps this fast lives in ``prefilter.py``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from clausewatch.classify.features import WORD, composed
from clausewatch.classify.prefilter import prefilter_for
from clausewatch.classify.taxonomy import ENGLISH_NEGATION, ProvisionType, Taxonomy

_NOT_PLAIN = re.compile(r"[^\w ]|  |^ | $")
_SENTENCE_END = re.compile(r"[.;!?](?=\s|$)|\n\s*\n")
_URL = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s()<>\[\]\"']+", re.IGNORECASE)


def url_spans(raw: str) -> list[tuple[int, int]]:
    """Raw spans of the web addresses in ``raw``."""
    return [m.span() for m in _URL.finditer(raw)] if "http" in raw or "www" in raw else []


class NormalizedText:
    """Lower-case words joined by one space, with the raw offsets of each word computed only
    when a span is asked for: most texts never match a cue, and the offsets cost as much as
    everything else in normalising."""

    __slots__ = ("_spans", "_urls", "plain", "raw", "text")

    def __init__(self, text: str, raw: str, plain: bool | None = None) -> None:
        self.text = text
        self.raw = raw
        # Only word characters and single spaces: what the cue prefilter's reasoning needs.
        self.plain = _NOT_PLAIN.search(text) is None if plain is None else plain
        self._spans: list[tuple[int, int]] | None = None
        self._urls: list[tuple[int, int]] | None = None

    def _raw_spans(self) -> list[tuple[int, int]]:
        if self._spans is None:
            self._spans = [m.span() for m in WORD.finditer(self.raw)]
        return self._spans

    @property
    def raw_starts(self) -> tuple[int, ...]:
        return tuple(a for a, _ in self._raw_spans())

    @property
    def raw_ends(self) -> tuple[int, ...]:
        return tuple(b for _, b in self._raw_spans())

    @property
    def norm_starts(self) -> tuple[int, ...]:
        """Where each word starts in ``text``."""
        out = []
        position = 0
        for word in self.text.split(" ") if self.text else ():
            out.append(position)
            position += len(word) + 1
        return tuple(out)

    def in_url(self, position: int) -> bool:
        """Whether raw ``position`` lies inside a web address ("https://example.com/legal/
        cookies"): its words are a link's, not the document's."""
        if self._urls is None:
            self._urls = url_spans(self.raw)
        return any(a <= position < b for a, b in self._urls)

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw character span of the words covering normalised span [start, end)."""
        # Words are joined by single spaces and hold none, so a position's word index is the
        # number of spaces before it.
        spans = self._raw_spans()
        if not spans:
            return 0, 0  # a cue that can match nothing matched an empty text
        first = self.text.count(" ", 0, start)
        last = max(self.text.count(" ", 0, max(start, end - 1)), first)
        return spans[first][0], spans[last][1]


def normalize_with_offsets(raw: str) -> NormalizedText:
    # Lowering the joined words equals joining the lowered words: str.lower's only
    # context-dependent rule (Greek final sigma) does not look across a space. What lowering
    # adds ("İ" -> "i" + U+0307) is a combining mark, which stays in its word, and composing
    # accents never joins two words: the words stay the raw text's words, one for one.
    text = composed(" ".join(WORD.findall(raw)).lower())
    # ASCII words stay ASCII word characters when lowered; others may not (İ -> i + U+0307).
    return NormalizedText(text, raw, True if text.isascii() else None)


@dataclass(frozen=True)
class CueMatch:
    type_id: str
    span: tuple[int, int]
    """Raw character offsets of the matched words."""


# Types that state a practice: a cue right after a negation ("will not train models") does not
# state it, so it is dropped; types that are themselves negative commitments keep theirs.
_NEGATABLE_EXEMPT = frozenset(
    {
        "ai_no_training_commitment",
        "ai_output_use_restriction",
        "acceptable_use",
        # "We do not collect data from children" is the rule on minors itself.
        "children_data",
        "limitation_of_liability",
    }
)


_COMBINED: dict[tuple[re.Pattern[str], ...], re.Pattern[str]] = {}


def _combined(provision_type: ProvisionType) -> re.Pattern[str]:
    """One alternation per type: a single scan instead of one per cue."""
    pattern = _COMBINED.get(provision_type.cues)
    if pattern is None:
        pattern = re.compile("|".join(f"(?:{p.pattern})" for p in provision_type.cues))
        _COMBINED[provision_type.cues] = pattern
    return pattern


def match_cues(
    text: NormalizedText,
    provision_type: ProvisionType,
    negation: re.Pattern[str] = ENGLISH_NEGATION,
    yielding: Sequence[ProvisionType] = (),
) -> CueMatch | None:
    """The type's first cue match that no negation (of the cues' language) just precedes and
    that is not part of the words of a type it yields to (``yielding``, the types its
    ``yields_to`` names, in the same language): it neither starts inside such a match nor
    needs that match's words to be complete. A match that starts inside a web address is
    not the document's wording either."""
    if not provision_type.cues:
        return None
    inside: list[tuple[int, int]] | None = None
    for match in _combined(provision_type).finditer(text.text):
        if provision_type.id not in _NEGATABLE_EXEMPT and negation.search(
            text.text[max(0, match.start() - 40) : match.start()]
        ):
            continue
        if yielding:
            if inside is None:
                inside = [
                    m.span()
                    for other in yielding
                    if other.cues
                    for m in _combined(other).finditer(text.text)
                ]
            if any(a <= match.start() < b for a, b in inside):
                continue
            later = [a for a, _ in inside if match.start() < a < match.end()]
            if later:
                # The match runs into the other type's words ("Requests to terminate. You
                # can delete your account"): it stands only if it is complete before them.
                found = _combined(provision_type).match(text.text, match.start(), min(later))
                if found is None:
                    continue
                match = found
        span = text.raw_span(match.start(), match.end())
        if text.in_url(span[0]):
            continue
        return CueMatch(provision_type.id, span)
    return None


def all_cues(text: NormalizedText, taxonomy: Taxonomy) -> list[CueMatch]:
    """Every type's first cue in one text: the plain reference that ``all_cues_batch``
    must reproduce exactly."""
    yielding = taxonomy.yielding
    out = []
    for provision_type in taxonomy.types:
        found = match_cues(
            text, provision_type, taxonomy.negation, yielding.get(provision_type.id, ())
        )
        if found is not None:
            out.append(found)
    return out


def all_cues_batch(texts: Sequence[NormalizedText], taxonomy: Taxonomy) -> list[list[CueMatch]]:
    """``all_cues`` of each text, running a type's regex only on texts that hold the words
    its cues need."""
    prefilter = prefilter_for(taxonomy)
    yielding = taxonomy.yielding
    types = taxonomy.types
    joined = "\n".join(t.text for t in texts)
    present = [f for f in prefilter.inside if prefilter.literal_text[f] in joined]
    out: list[list[CueMatch]] = []
    for text in texts:
        found = []
        for index in sorted(prefilter.types_for(text.text, present, text.plain)):
            provision_type = types[index]
            match = match_cues(
                text, provision_type, taxonomy.negation, yielding.get(provision_type.id, ())
            )
            if match is not None:
                found.append(match)
        out.append(found)
    return out


def severity_shift(text: str, provision_type: ProvisionType) -> int:
    """+1 when a raising condition holds, -1 for a lowering one; both cancel out, because a
    carve-out ("even if you opt out") only appears beside the opt-out it undoes."""
    up = any(p.search(text) for p in provision_type.raise_when)
    down = any(p.search(text) for p in provision_type.lower_when)
    return int(up) - int(down)


def sentence_around(raw: str, span: tuple[int, int]) -> tuple[int, int]:
    """Widen a span to the sentence(s) containing it, trimmed of surrounding space."""
    start = 0
    for match in _SENTENCE_END.finditer(raw, 0, span[0]):
        start = match.end()
    end_match = _SENTENCE_END.search(raw, span[1])
    end = end_match.end() if end_match else len(raw)
    while start < end and raw[start].isspace():
        start += 1
    while end > start and raw[end - 1].isspace():
        end -= 1
    return start, end


def _trimmed(raw: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans without their surrounding white space; spans left empty are dropped."""
    out = []
    for a, b in spans:
        while a < b and raw[a].isspace():
            a += 1
        while b > a and raw[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out


def sentences(raw: str) -> list[tuple[int, int]]:
    """Rough sentence spans, for picking the deciding sentence of a long provision."""
    spans = []
    start = 0
    for match in _SENTENCE_END.finditer(raw):
        spans.append((start, match.end()))
        start = match.end()
    if start < len(raw):
        spans.append((start, len(raw)))
    return _trimmed(raw, spans)


_STRONG_END = re.compile(r"(?<=[.!?])[\"”')\]]*\s+(?=[A-Z0-9\"“(‘'])|\n\s*")


def strong_sentences(raw: str) -> list[tuple[int, int]]:
    """Sentence spans at unambiguous boundaries only (end mark then a capital, or a line
    break): splitting at every semicolon cuts clauses the heads were trained on whole."""
    spans = []
    start = 0
    for match in _STRONG_END.finditer(raw):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(raw)))
    return _trimmed(raw, spans)
