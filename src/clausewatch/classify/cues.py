"""Regex cues of the taxonomy, matched on normalised text and mapped back to the raw text.

Cues and modifiers are written against one canonical form (lower-case words, one space), so a
single pattern covers "opt-out", "Opt Out" and UNFAIR-ToS's pre-tokenised "opt-out". The
offset map lets evidence spans point into the caller's original text.

The prefilter that keeps this fast lives in ``prefilter.py``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from clausewatch.classify.features import WORD, composed, normalize
from clausewatch.classify.prefilter import prefilter_for
from clausewatch.classify.taxonomy import ENGLISH_NEGATION, ProvisionType, Taxonomy

_NOT_PLAIN = re.compile(r"[^\w ]|  |^ | $")
_SENTENCE_END = re.compile(r"[.;!?](?=\s|$)|\n\s*\n")
FOLLOW_WINDOW = 3
"""How many sentences after its ``follow_after`` sentence a ``follow_cues`` sentence may come:
a provision is one clause, and a promise of notice comes right after the change it is about."""
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
    return _alternation(provision_type.cues)


def _alternation(patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str]:
    pattern = _COMBINED.get(patterns)
    if pattern is None:
        pattern = re.compile("|".join(f"(?:{p.pattern})" for p in patterns))
        _COMBINED[patterns] = pattern
    return pattern


def follow_up(
    parts: Sequence[NormalizedText], claimed: Collection[str], taxonomy: Taxonomy
) -> dict[str, tuple[int, tuple[int, int]]]:
    """The types a provision's sentences (``parts``) state only together: for each type
    with ``follow_after`` words not already ``claimed``, the first sentence that its
    ``follow_cues`` match, not just after a negation, among the ``FOLLOW_WINDOW`` sentences
    after one its ``follow_after`` words match. Type id -> (sentence index, raw span in that
    sentence)."""
    out: dict[str, tuple[int, tuple[int, int]]] = {}
    if len(parts) < 2:
        return out
    for provision_type in taxonomy.followers:
        if provision_type.id in claimed:
            continue
        after = _alternation(provision_type.follow_after)
        anchor = next((k for k, n in enumerate(parts[:-1]) if after.search(n.text)), None)
        if anchor is None:
            continue
        cues = _alternation(provision_type.follow_cues)
        for j in range(anchor + 1, min(len(parts), anchor + 1 + FOLLOW_WINDOW)):
            found = _first_unnegated(parts[j], cues, provision_type.id, taxonomy.negation)
            if found is not None:
                out[provision_type.id] = (j, found)
                break
    return out


def _first_unnegated(
    text: NormalizedText, pattern: re.Pattern[str], type_id: str, negation: re.Pattern[str]
) -> tuple[int, int] | None:
    """The raw span of ``pattern``'s first match in ``text`` that no negation just precedes
    (unless the type is exempt) and that is not inside a web address."""
    for match in pattern.finditer(text.text):
        if _negated(text.text, match.start(), type_id, negation):
            continue
        span = text.raw_span(match.start(), match.end())
        if not text.in_url(span[0]):
            return span
    return None


def _negated(text: str, start: int, type_id: str, negation: re.Pattern[str]) -> bool:
    """Whether a negation just precedes position ``start`` of normalised ``text``, for a type
    whose claims a negation undoes (not the negative commitments of ``_NEGATABLE_EXEMPT``)."""
    return (
        type_id not in _NEGATABLE_EXEMPT
        and negation.search(text[max(0, start - 40) : start]) is not None
    )


def gives_way(raw: str, claims: dict[str, CueMatch], taxonomy: Taxonomy) -> dict[str, CueMatch]:
    """``claims`` without those that give way: a type whose ``gives_way_to`` types are also
    claimed is withdrawn unless its own sentence matches its ``stands_when`` words."""
    giving = taxonomy.giving_way
    out = claims
    for type_id, match in claims.items():
        provision_type = giving.get(type_id)
        if provision_type is None or not any(o in claims for o in provision_type.gives_way_to):
            continue
        start, end = sentence_around(raw, match.span)
        sentence = normalize(raw[start:end])
        if not any(p.search(sentence) for p in provision_type.stands_when):
            if out is claims:
                out = dict(claims)
            del out[type_id]
    return out


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
        if _negated(text.text, match.start(), provision_type.id, negation):
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


HEADING_WORDS = 4
"""A sentence of fewer words ("§ 12 Gerichtsstand.", "Arbitration.") is taken for a heading."""


def first_stating(
    parts: Sequence[str], part_cues: Sequence[dict[str, CueMatch]]
) -> dict[str, CueMatch]:
    """Each type's cue match in a text of several sentences: the first one in a sentence
    that says something (a heading such as "Arbitration." names the topic; the sentence
    after it states the rule, and evidence should quote that), else the first at all."""
    merged: dict[str, CueMatch] = {}
    stated: set[str] = set()
    for part, by_type in zip(parts, part_cues, strict=True):
        says = len(part.split()) >= HEADING_WORDS
        for type_id, match in by_type.items():
            if type_id not in merged or (says and type_id not in stated):
                merged[type_id] = match
                if says:
                    stated.add(type_id)
    return merged


class Sentences(NamedTuple):
    """A batch of texts cut at their strong sentence ends (``sentence_cues``): per text, its
    sentences, their spans in the text, each sentence's cue matches (in the text's offsets)
    and its normalised words."""

    parts: list[list[str]]
    spans: list[list[tuple[int, int]]]
    cues: list[list[dict[str, CueMatch]]]
    normalized: list[list[NormalizedText]]

    def reading(
        self,
        i: int,
        text: str,
        taxonomy: Taxonomy,
        stated: dict[str, CueMatch] | None = None,
    ) -> dict[str, CueMatch]:
        """What text ``i``'s words state, for its result: each sentence's cues
        (``first_stating``, or ``stated`` when the caller has it; it is not changed), the
        types a later sentence states after an earlier one (``follow_up``), less the claims
        that give way to another claimed type. The model's features read the sentences'
        cues alone, as in training."""
        claims = dict(stated) if stated is not None else first_stating(self.parts[i], self.cues[i])
        spans = self.spans[i]
        for type_id, (j, (a, b)) in follow_up(self.normalized[i], claims, taxonomy).items():
            claims[type_id] = CueMatch(type_id, (a + spans[j][0], b + spans[j][0]))
        return gives_way(text, claims, taxonomy)


def sentence_cues(texts: Sequence[str], taxonomy: Taxonomy) -> Sentences:
    """Each text cut at its strong sentence ends (the whole text when it is one sentence),
    with each sentence's cue matches. All sentences of the batch are scanned in one
    ``all_cues_batch`` call."""
    groups: list[list[str]] = []
    group_spans: list[list[tuple[int, int]]] = []
    for text in texts:
        spans = strong_sentences(text)
        if len(spans) > 1:
            groups.append([text[a:b] for a, b in spans])
            group_spans.append(spans)
        else:
            groups.append([text])
            group_spans.append([(0, len(text))])
    normalized = [normalize_with_offsets(part) for group in groups for part in group]
    found = all_cues_batch(normalized, taxonomy)
    group_cues: list[list[dict[str, CueMatch]]] = []
    group_normalized: list[list[NormalizedText]] = []
    k = 0
    for spans in group_spans:
        group_cues.append(
            [
                {m.type_id: CueMatch(m.type_id, (m.span[0] + a, m.span[1] + a)) for m in matches}
                for (a, _), matches in zip(spans, found[k : k + len(spans)], strict=True)
            ]
        )
        group_normalized.append(normalized[k : k + len(spans)])
        k += len(spans)
    return Sentences(groups, group_spans, group_cues, group_normalized)


def provision_claims(texts: Sequence[str], taxonomy: Taxonomy) -> list[dict[str, CueMatch]]:
    """Each text's explicit claims exactly as ``classify`` makes them (``Sentences.reading``
    of its sentences), for the audits that read the cue phrases against documents."""
    cut = sentence_cues(texts, taxonomy)
    return [cut.reading(i, text, taxonomy) for i, text in enumerate(texts)]
