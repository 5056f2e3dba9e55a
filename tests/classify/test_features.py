from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from clausewatch.classify.cues import normalize_with_offsets, sentence_around, sentences
from clausewatch.classify.features import Vectorizer, analyze, sparse_dot

CORPUS = [
    "We may terminate your account at any time.",
    "These terms are governed by the laws of Ireland.",
    "You agree to binding arbitration, and we may change these terms.",
    "We may remove content that violates these terms at any time.",
    "we 've the right to terminate , at our sole discretion .",
]


def _numpy_vectorizer() -> tuple[TfidfVectorizer, Vectorizer]:
    sk = TfidfVectorizer(analyzer=analyze, sublinear_tf=True, min_df=1, dtype=np.float32)
    sk.fit(CORPUS)
    return sk, Vectorizer(dict(sk.vocabulary_), sk.idf_.astype(np.float32))


def test_numpy_vectorizer_equals_sklearn() -> None:
    sk, ours = _numpy_vectorizer()
    texts = [*CORPUS, "", "An unseen sentence about arbitration at any time."]
    expected = sk.transform(texts).toarray()
    ptr, ind, val = ours.rows(texts)
    got = np.zeros_like(expected)
    for i in range(len(texts)):
        got[i, ind[ptr[i] : ptr[i + 1]]] = val[ptr[i] : ptr[i + 1]]
    np.testing.assert_allclose(got, expected, atol=1e-6)


def test_sparse_dot_equals_dense_product() -> None:
    sk, ours = _numpy_vectorizer()
    weights = np.random.default_rng(0).normal(size=(len(ours.vocabulary), 3)).astype(np.float32)
    dense = sk.transform(CORPUS).toarray() @ weights
    ptr, ind, val = ours.rows(CORPUS)
    got = sparse_dot(ptr, ind, val, weights)
    assert got.dtype == np.float32 and got.shape == dense.shape
    np.testing.assert_allclose(got, dense, atol=1e-4)
    # A non-contiguous slice of the weights (one head of the shared matrix) and empty rows.
    ptr, ind, val = ours.rows(["", *CORPUS, "zzzz qqqq"])
    got = sparse_dot(ptr, ind, val, weights[:, 1:])
    np.testing.assert_allclose(got[1:-1], dense[:, 1:], atol=1e-4)
    assert not got[0].any() and not got[-1].any()
    empty = sparse_dot(*ours.rows([]), weights)
    assert empty.shape == (0, 3)


def test_pretokenised_and_raw_text_give_the_same_features() -> None:
    assert sorted(analyze("We've the right (at any time).")) == sorted(
        analyze("we 've the right ( at any time ) .")
    )


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab Cé-'.,;\n1"), max_size=60))
def test_normalised_spans_map_back_to_the_same_words(raw: str) -> None:
    norm = normalize_with_offsets(raw)
    position = 0
    for word in norm.text.split(" ") if norm.text else []:
        start, end = norm.raw_span(position, position + len(word))
        assert raw[start:end].lower() == word
        position += len(word) + 1


def test_sentence_helpers() -> None:
    raw = "First one. Second, with a cue here; third part!  "
    cue = raw.index("cue")
    assert raw[slice(*sentence_around(raw, (cue, cue + 3)))] == "Second, with a cue here;"
    assert [raw[a:b] for a, b in sentences(raw)] == [
        "First one.",
        "Second, with a cue here;",
        "third part!",
    ]


def test_accents_spelled_apart_read_as_one_word() -> None:
    import unicodedata

    from clausewatch.classify.features import analyze, normalize

    composed = "Résiliation du contrat: Haftungsbeschränkung für Schäden"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert (
        normalize(decomposed)
        == normalize(composed)
        == ("résiliation du contrat haftungsbeschränkung für schäden")
    )
    assert analyze(decomposed) == analyze(composed)
