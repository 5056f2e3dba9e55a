"""The fast cue scan and feature extraction give exactly what the plain reference gives.

``all_cues`` (every type's combined regex on one text) is the oracle for ``all_cues_batch``,
which skips a type's regex on texts lacking the words its patterns need; the eager word loop
below is the oracle for the lazily mapped offsets; sklearn is the oracle for the vectoriser.
"""

from __future__ import annotations

import bisect
import json
import re
import unicodedata
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from clausewatch.classify.cues import (
    NormalizedText,
    all_cues,
    all_cues_batch,
    normalize_with_offsets,
    strong_sentences,
)
from clausewatch.classify.features import WORD, Vectorizer, _GramTable, analyze
from clausewatch.classify.prefilter import build_prefilter, cue_clauses
from clausewatch.classify.taxonomy import Taxonomy, load_taxonomy, parse_taxonomy

_WORD = re.compile(r"\w+")


def reference_normalize(raw: str) -> tuple[str, list[int], list[int], list[int]]:
    """The eager word loop the lazy offsets replaced."""
    words, raw_starts, raw_ends, norm_starts = [], [], [], []
    position = 0
    for match in WORD.finditer(raw):
        # A word with its combining accents, lower-cased, accents composed.
        word = unicodedata.normalize("NFC", match.group().lower())
        words.append(word)
        raw_starts.append(match.start())
        raw_ends.append(match.end())
        norm_starts.append(position)
        position += len(word) + 1
    return " ".join(words), raw_starts, raw_ends, norm_starts


def reference_raw_span(raw: str, start: int, end: int) -> tuple[int, int]:
    _, raw_starts, raw_ends, norm_starts = reference_normalize(raw)
    first = max(bisect.bisect_right(norm_starts, start) - 1, 0)
    last = max(bisect.bisect_right(norm_starts, max(start, end - 1)) - 1, first)
    return raw_starts[first], raw_ends[last]


def assert_same_cues(raws: list[str], taxonomy: Taxonomy) -> None:
    texts = [normalize_with_offsets(raw) for raw in raws]
    expected = [all_cues(normalize_with_offsets(raw), taxonomy) for raw in raws]
    assert all_cues_batch(texts, taxonomy) == expected


def taxonomy_of(patterns: dict[str, list[str]]) -> Taxonomy:
    return parse_taxonomy(
        {
            "categories": {"c": "C"},
            "types": [
                {
                    "id": type_id,
                    "name": type_id,
                    "category": "c",
                    "definition": "-",
                    "severity": "low",
                    "cues": cues,
                }
                for type_id, cues in patterns.items()
            ],
        },
        "test",
    )


# --- normalisation ---------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("abΣΑσς İßǅé’'-_ 1\n.ʰ\u0307K"), max_size=40))
def test_lazy_offsets_equal_the_eager_loop(raw: str) -> None:
    norm = normalize_with_offsets(raw)
    text, raw_starts, raw_ends, norm_starts = reference_normalize(raw)
    assert norm.text == text
    assert (list(norm.raw_starts), list(norm.raw_ends)) == (raw_starts, raw_ends)
    assert list(norm.norm_starts) == norm_starts
    for start in range(len(text)):
        for end in (start, start + 1, len(text)):
            assert norm.raw_span(start, end) == reference_raw_span(raw, start, end)


def test_offsets_are_only_mapped_when_asked() -> None:
    norm = normalize_with_offsets("We SELL your data.")
    assert isinstance(norm, NormalizedText)
    assert norm.text == "we sell your data"
    assert norm.raw_span(3, 7) == (3, 7)


# --- the prefilter read from the patterns --------------------------------------------------


def clean(clauses: list[frozenset[str]] | None) -> list[set[str]] | None:
    if clauses is None:
        return None
    return [{s.replace("\ue000", "") for s in clause} for clause in clauses]


def test_required_words_are_read_from_the_pattern() -> None:
    assert clean(cue_clauses(re.compile(r"\bjury\b"))) == [{"jury"}]
    assert clean(cue_clauses(re.compile(r"\bclass (action|wide)\b"))) == [
        {"class action", "class wide"}
    ]
    both = clean(cue_clauses(re.compile(r"\bgoverned by\b[\w ]{0,60}\blaws?\b")))
    assert both is not None and {"governed by"} in both and {"law", "laws"} in both
    assert clean(cue_clauses(re.compile(r"\barbitrat\w+\b"))) == [{"arbitrat"}]


@pytest.mark.parametrize(
    "pattern",
    [
        r"(?i)\bjury\b",  # case-insensitive: the literals would be wrong
        r"(?a:\bjury\b)",  # ASCII word boundaries: the word reasoning would be wrong
        r"x(?i:jury)",
        r"(a|b)*",  # can match the empty string
        r"[^a]+",
        r"\ue000x",  # holds the edge mark itself
    ],
)
def test_patterns_not_understood_always_run(pattern: str) -> None:
    assert cue_clauses(re.compile(pattern)) is None
    if pattern.startswith("(?i)"):
        return  # global flags cannot sit inside the type's combined alternation
    taxonomy = taxonomy_of({"t": [pattern]})
    assert_same_cues(["jury", "JURY", "ab", "x jury", ""], taxonomy)


def test_a_fragment_is_required_when_no_whole_word_is() -> None:
    assert clean(cue_clauses(re.compile(r"\w+ing"))) == [{"ing"}]


def test_a_group_after_a_word_boundary_keeps_the_boundary() -> None:
    # re's parser moves the \b shared by every alternative in front of the group; the
    # clause read with that context starts a word, so it is found by the word's head
    # rather than by searching the whole text.
    clauses = cue_clauses(re.compile(r"\bindemnif\w+\b|\bholds? harmless\b"))
    assert clauses is not None
    assert "\ue000indemnif" in clauses[0]
    assert "indemnif" not in clauses[0]


def test_a_cue_is_looked_up_by_its_rarest_clause_and_the_rest_checked_after() -> None:
    taxonomy = taxonomy_of({"t": [r"\byou\b[\w ]{0,30}\bindemnify\b"]})
    prefilter = build_prefilter(taxonomy.types)
    # The key is the rarer word; "you" is only checked in texts that hold it.
    assert "indemnify" in prefilter.word_cues
    assert "you" not in prefilter.keys["word"]
    assert prefilter.cue_rest == ((("you",),),)
    assert prefilter.types_for("you will indemnify us", prefilter.inside) == {0}
    assert prefilter.types_for("they indemnify us", prefilter.inside) == set()
    assert not prefilter.types_for("you agree", prefilter.inside)
    assert_same_cues(["you will indemnify us", "they indemnify us", "you agree"], taxonomy)


def test_shipped_cues_are_mostly_found_through_words() -> None:
    # Substring search over every text is kept for the few keys that are no word's head,
    # tail or whole (a long common word such as "you" never needs it).
    prefilter = build_prefilter(load_taxonomy().types)
    assert len(prefilter.inside) <= 0.1 * len(prefilter.cue_type)
    assert not {"you", "to ", "by ", "in "} & {prefilter.literal_text[i] for i in prefilter.inside}


def test_shipped_taxonomy_gets_a_prefilter_for_most_types() -> None:
    # In every language with cue phrases: a cue the reading does not understand runs on
    # every text of that language.
    for language in load_taxonomy().languages:
        taxonomy = load_taxonomy().for_language(language)
        cues = [cue for t in taxonomy.types for cue in t.cues]
        understood = [cue for cue in cues if cue_clauses(cue) is not None]
        assert cues, language
        assert len(understood) >= 0.9 * len(cues), language


# --- identical cue matches -------------------------------------------------------------------

EDGE_CASES = [
    "",
    "   ",
    "Arbitration",
    "arbitration.",
    "any dispute goes to binding arbitration",
    "We do not sell your personal data.",
    "We never share data with advertisers",
    "We won't use cookies. We use cookies.",
    "You may not scrape the site; we are not liable for anything.",
    "we 've the right to terminate , at our sole discretion .",
    "Governed by the laws of Ireland",
    "The COURTS of Ireland shall have exclusive jurisdiction",
    "İstanbul courts of competent jurisdiction",
    "Σας ευχαριστούμε — class action waiver",
    "class\naction\nwaiver",
    "jury trial waived; JURY",
    "auto-renew subscription, automatically renews, autorenewal",
    "Opt-out of arbitration within 30 days",
    "\u0130NDEMNIFY and hold us harmless",
    "we store data in the united states as long as needed",
    "No refunds. Non-refundable. Money back guarantee!",
    "cookies" * 30,
]


def test_edge_cases_match_the_reference() -> None:
    taxonomy = load_taxonomy()
    assert_same_cues(EDGE_CASES, taxonomy)
    found = all_cues_batch([normalize_with_offsets(t) for t in EDGE_CASES], taxonomy)
    assert any(found)  # the cases do exercise matches, not only misses


def test_unfair_tos_dev_sentences_match_the_reference(shared_data: Path) -> None:
    lines = (shared_data / "unfair-tos" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines if line.strip()]
    assert len(texts) > 2000
    taxonomy = load_taxonomy()
    assert_same_cues(texts, taxonomy)
    found = all_cues_batch([normalize_with_offsets(t) for t in texts], taxonomy)
    assert sum(map(len, found)) > 300


def test_claudette_paragraph_sentences_match_the_reference(shared_data: Path) -> None:
    folder = shared_data / "claudette-2021" / "original_text_en"
    paragraphs = []
    for path in sorted(folder.glob("*.txt"))[:8]:
        paragraphs.extend(p for p in path.read_text(encoding="utf-8").splitlines() if p.strip())
    parts = [p[a:b] for p in paragraphs for a, b in strong_sentences(p)]
    assert_same_cues(parts, load_taxonomy())


def cue_vocabulary() -> list[str]:
    words = {"not", "never", "no", "won", "t", "don", "we", "you", "the", "of", "and", "a"}
    for provision_type in load_taxonomy().types:
        for cue in provision_type.cues:
            for clause in cue_clauses(cue) or []:
                for literal in clause:
                    words.update(_WORD.findall(literal.replace("\ue000", " ")))
    words.update(w + "ing" for w in list(words)[:40])
    return sorted(words)


VOCABULARY = cue_vocabulary()
SEPARATORS = [" ", " ", " ", ", ", ". ", "-", "’", "\n", " (", ") ", "  "]


@st.composite
def clause_texts(draw: Any) -> str:
    words = draw(st.lists(st.sampled_from(VOCABULARY), min_size=0, max_size=30))
    out = []
    for word in words:
        if draw(st.booleans()) and draw(st.booleans()):
            word = word.upper()
        out.append(word)
        out.append(draw(st.sampled_from(SEPARATORS)))
    return "".join(out)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(clause_texts(), min_size=1, max_size=12))
def test_random_texts_from_the_cue_vocabulary_match_the_reference(texts: list[str]) -> None:
    assert_same_cues(texts, load_taxonomy())


# Random patterns: whatever a taxonomy editor writes, the prefilter may only skip work.
_ATOMS = [
    r"\b",
    r"\B",
    r"\w+",
    r"\w*",
    r"[\w ]{0,12}",
    r"\d+",
    r" ",
    r"\s",
    r".",
    r"[sz]",
    r"(?=data)",
    r"(?!not)",
    r"$",
    r"^",
]
_WORDS = ["data", "share", "sell", "not", "opt", "out", "class", "action", "ai", "Data", "s"]


@st.composite
def patterns(draw: Any, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 5))):
        choice = draw(st.integers(0, 9 if depth < 2 else 6))
        if choice <= 3:
            parts.append(draw(st.sampled_from(_WORDS)))
        elif choice <= 6:
            parts.append(draw(st.sampled_from(_ATOMS)))
        else:
            alternatives = draw(st.lists(patterns(depth + 1), min_size=1, max_size=3))
            flag = draw(st.sampled_from(["", "", "", "?i:", "?:"]))
            group = f"({flag}{'|'.join(alternatives)})"
            parts.append(group + draw(st.sampled_from(["", "", "?", "{2}"])))
    return "".join(parts)


_TEXT_WORDS = ["data", "share", "shared", "sell", "sells", "not", "never", "opt", "out"]
_TEXT_WORDS += ["class", "action", "ai", "we", "will", "1", "22", "s", "DATA", "İ", "é"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(patterns(), min_size=1, max_size=4),
    st.lists(
        st.lists(st.sampled_from(_TEXT_WORDS), min_size=1, max_size=12).map(" ".join),
        min_size=1,
        max_size=8,
    ),
)
def test_random_patterns_match_the_reference(cues: list[str], texts: list[str]) -> None:
    ids = ["acceptable_use", "data_sale", "other"]
    taxonomy = taxonomy_of({ids[k % 3] + str(k): [cue] for k, cue in enumerate(cues)})
    assert_same_cues(texts, taxonomy)


def test_a_cue_after_a_negation_is_skipped_as_in_the_reference() -> None:
    taxonomy = taxonomy_of({"data_sale": [r"\bsell\b"], "acceptable_use": [r"\bscrape\b"]})
    texts = ["we do not sell data", "we sell data", "not scrape", "never sell it but we do sell"]
    assert_same_cues(texts, taxonomy)
    found = all_cues_batch([normalize_with_offsets(t) for t in texts], taxonomy)
    assert [[m.type_id for m in f] for f in found] == [
        [],
        ["data_sale"],
        ["acceptable_use"],
        ["data_sale"],
    ]
    assert found[3][0].span == (24, 28)


def test_texts_built_by_hand_are_not_trusted_to_be_plain() -> None:
    taxonomy = taxonomy_of({"t": [r"\bopt out\b", r"\barbitration\b"]})
    texts = [NormalizedText(t, t) for t in ["x-opt out", "opt out\nof", "a\narbitration"]]
    assert not any(t.plain for t in texts)
    found = all_cues_batch(texts, taxonomy)
    assert found == [all_cues(t, taxonomy) for t in texts]
    assert [len(f) for f in found] == [1, 1, 1]
    assert normalize_with_offsets("Opt-out, İ").plain is False
    assert normalize_with_offsets("Opt-out, é").plain is True


def test_an_edited_taxonomy_gets_its_own_prefilter() -> None:
    first = taxonomy_of({"t": [r"\bjury\b"]})
    second = taxonomy_of({"t": [r"\btrial\b"]})
    texts = [normalize_with_offsets("a jury trial")]
    assert all_cues_batch(texts, first)[0][0].span == (2, 6)
    assert all_cues_batch(texts, second)[0][0].span == (7, 12)


# --- features --------------------------------------------------------------------------------


def test_vectorizer_rows_equal_sklearn_on_real_sentences(shared_data: Path) -> None:
    def read(name: str) -> list[str]:
        lines = (shared_data / "unfair-tos" / name).read_text(encoding="utf-8").splitlines()
        return [json.loads(line)["text"] for line in lines if line.strip()]

    train = read("train.jsonl")[:600]
    sample = read("dev.jsonl")[:300]
    sk = TfidfVectorizer(analyzer=analyze, sublinear_tf=True, dtype=np.float32).fit(train)
    ours = Vectorizer(dict(sk.vocabulary_), sk.idf_.astype(np.float32))
    expected = sk.transform(sample).toarray()
    ptr, ind, val = ours.rows(sample)
    got = np.zeros_like(expected)
    for i in range(len(sample)):
        got[i, ind[ptr[i] : ptr[i + 1]]] = val[ptr[i] : ptr[i + 1]]
    np.testing.assert_allclose(got, expected, atol=1e-6)
    assert (expected > 0).sum() > 1000

    # Several sentences: the whole row counts every sentence's features once.
    groups = [sample[k : k + 3] for k in range(0, 60, 3)]
    whole = TfidfVectorizer(
        analyzer=lambda parts: list(chain.from_iterable(map(analyze, parts))),
        sublinear_tf=True,
        dtype=np.float32,
        vocabulary=sk.vocabulary_,
    )
    whole.idf_ = sk.idf_
    ptr, ind, val = ours.grouped_rows(groups)
    rows = np.zeros((len(ptr) - 1, len(sk.vocabulary_)), dtype=np.float32)
    for i in range(len(rows)):
        rows[i, ind[ptr[i] : ptr[i + 1]]] = val[ptr[i] : ptr[i + 1]]
    np.testing.assert_allclose(rows[0::4], whole.transform(groups).toarray(), atol=1e-6)
    np.testing.assert_allclose(rows[1::4], sk.transform(sample[:60:3]).toarray(), atol=1e-6)


def test_feature_ids_are_the_grams_analyze_finds(shared_data: Path) -> None:
    lines = (shared_data / "unfair-tos" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines[:400]]
    grams = sorted({g for t in texts[::2] for g in analyze(t)})
    vocabulary = {g: i for i, g in enumerate(grams)}
    vectorizer = Vectorizer(vocabulary, np.ones(len(grams), dtype=np.float32))
    for text in [*texts, "", "Σ İ 1_2", "a", "the the the"]:
        expected = sorted(vocabulary[g] for g in analyze(text) if g in vocabulary)
        assert sorted(vectorizer.feature_ids(text)) == expected


def test_the_word_table_starting_afresh_changes_no_row(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = (shared_data / "unfair-tos" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines[:300]]
    sk = TfidfVectorizer(analyzer=analyze, sublinear_tf=True, dtype=np.float32).fit(texts[::2])
    groups = [texts[k : k + 1 + k % 3] for k in range(0, 300, 3)] + [["", "arbitration"], [""]]

    def dense(vectorizer: Vectorizer) -> np.ndarray:
        ptr, ind, val = vectorizer.grouped_rows(groups)
        out = np.zeros((len(ptr) - 1, len(sk.vocabulary_)), dtype=np.float32)
        for i in range(len(out)):
            out[i, ind[ptr[i] : ptr[i + 1]]] = val[ptr[i] : ptr[i + 1]]
        return out

    roomy = Vectorizer(dict(sk.vocabulary_), sk.idf_.astype(np.float32))
    expected = dense(roomy)
    assert len(roomy._table) > 50
    # A table that fills after a few words: it starts afresh before each batch, and grows
    # its arrays inside one, and the rows stay the same.
    monkeypatch.setattr(_GramTable, "LIMIT", 50)
    small = Vectorizer(dict(sk.vocabulary_), sk.idf_.astype(np.float32))
    for _ in range(3):
        np.testing.assert_allclose(dense(small), expected, atol=1e-6)
    assert len(small._table) <= len(roomy._table)
    ptr, ind, val = small.grouped_rows([])
    assert len(ptr) == 1 and len(ind) == len(val) == 0
