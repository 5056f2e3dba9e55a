from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from clausewatch.classify.data import (
    UNFAIR_DEV_SERVICES,
    LabelledSentence,
    ToSDRPoint,
    is_forbidden,
    names_forbidden,
)
from clausewatch.classify.model import Classifier
from clausewatch.classify.train import Corpus, build_corpus, fit, load_exemplars, save


@pytest.mark.parametrize(
    ("name", "forbidden"),
    [
        ("Amazon", True),
        ("Snap", True),
        ("snapchat", True),
        ("Linkedin", True),
        ("Uber", True),
        ("Evernote", True),
        ("Spotify", False),
        ("Facebook", False),
    ],
)
def test_forbidden_services(name: str, forbidden: bool) -> None:
    assert is_forbidden(name) is forbidden


def test_forbidden_by_any_name_or_word() -> None:
    assert names_forbidden(["amazonaws", "Amazon AWS"])
    assert names_forbidden(["aws", "Amazon Web Services"])
    assert names_forbidden(["sl", "Second Life"], ("secondlife",))
    assert not names_forbidden(["spotify", "Spotify"], UNFAIR_DEV_SERVICES)


def _small_corpus() -> Corpus:
    rows = []
    unfair = {
        "We may terminate your account at any time without notice.": {"unilateral_termination"},
        "We may suspend your access for any reason.": {"unilateral_termination"},
        "We can close accounts at our sole discretion.": {"unilateral_termination"},
        "These terms are governed by the laws of Ireland.": {"choice_of_law"},
        "The law of Sweden governs this agreement.": {"choice_of_law"},
        "This agreement is governed by Delaware law.": {"choice_of_law"},
    }
    for text, labels in unfair.items():
        degrees = dict.fromkeys(labels, 2)
        rows.append(LabelledSentence(text, frozenset(labels), "test", "doc", degrees))
    plain = [
        "Our offices are in Berlin.",
        "Contact support by email.",
        "The app shows your daily steps.",
        "You can change your display name.",
        "Welcome to the service.",
        "Thank you for reading.",
    ]
    rows += [LabelledSentence(t, frozenset(), "test", "doc") for t in plain]
    points = [
        ToSDRPoint("We use cookies and web beacons to track you.", "c1", "bad", "x"),
        ToSDRPoint("We never sell your personal data.", "c2", "good", "y"),
    ]
    return Corpus(rows, [f"g{i % 3}" for i in range(len(rows))], points, load_exemplars())


def test_training_is_reproducible_and_loads(tmp_path: Path) -> None:
    corpus = _small_corpus()
    first = fit(corpus, seed=0)
    second = fit(corpus, seed=0)
    assert first.meta["model_id"] == second.meta["model_id"]
    assert first.vocabulary == second.vocabulary
    for name in first.arrays:
        np.testing.assert_array_equal(first.arrays[name], second.arrays[name])
    a, b = tmp_path / "a", tmp_path / "b"
    save(first, a)
    save(second, b)
    for name in ("model.npz", "vocabulary.json", "meta.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    assert not [p for p in a.iterdir() if p.name.startswith(".")]
    classifier = Classifier.from_dir(a)
    assert classifier.model_id == first.meta["model_id"]
    result = classifier.classify(["We may terminate your account at any time without notice."])
    assert result[0].claudette == ["unilateral_termination"]


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    from clausewatch.classify.model import ModelError

    with pytest.raises(ModelError, match=str(tmp_path)):
        Classifier.from_dir(tmp_path)


def test_corpus_never_holds_forbidden_or_dev_services(shared_data: Path) -> None:
    corpus = build_corpus(shared_data)
    services = {r.service for r in corpus.unfair if r.service}
    assert services and not [s for s in services if is_forbidden(s, UNFAIR_DEV_SERVICES)]
    assert not [
        p for p in corpus.tosdr if names_forbidden([p.service, p.service_name], UNFAIR_DEV_SERVICES)
    ]
    dev_texts = set()
    with (shared_data / "unfair-tos" / "dev.jsonl").open() as handle:
        import json

        dev_texts = {json.loads(line)["text"].strip() for line in handle}
    unfair_rows = [r for r in corpus.unfair if r.source.startswith("unfair-tos")]
    assert all(r.source == "unfair-tos/train" for r in unfair_rows)
    assert len(unfair_rows) == 5532
    assert corpus.counts["claudette_documents"] == 43
    assert dev_texts


def test_language_model_has_no_english_cues_and_is_reproducible(
    shared_data: Path, tmp_path: Path
) -> None:
    from clausewatch.classify.data import claudette_documents
    from clausewatch.classify.train import LANGUAGE_HEADS, build_language_corpus

    docs = [d for d in claudette_documents(shared_data) if not is_forbidden(d)][:6]
    corpus = build_language_corpus(shared_data, "de", claudette_docs=docs)
    assert corpus.tosdr == [] and corpus.exemplars == {}
    assert {r.source for r in corpus.unfair} == {"claudette-2021/de"}
    first = fit(corpus, seed=0, heads=LANGUAGE_HEADS, cue_weight=0.0, language="de")
    second = fit(corpus, seed=0, heads=LANGUAGE_HEADS, cue_weight=0.0, language="de")
    assert first.meta["model_id"] == second.meta["model_id"]
    assert first.meta["model_id"].startswith("clausewatch-linear-de-")
    assert first.meta["cue_types"] == [] and first.meta["language"] == "de"
    assert first.arrays["unfair_W"].shape[0] == len(first.vocabulary)
    assert "types_W" not in first.arrays
    save(first, tmp_path / "de")
    loaded = Classifier.from_dir(tmp_path / "de")
    assert loaded.language == "de" and loaded.by_language == {}


def test_language_corpus_never_holds_forbidden_or_dev_services(shared_data: Path) -> None:
    from clausewatch.classify.train import LANGUAGES, build_language_corpus

    for language in LANGUAGES:
        corpus = build_language_corpus(shared_data, language)
        services = {r.service for r in corpus.unfair}
        assert len(services) >= 40
        assert not [s for s in services if is_forbidden(s, UNFAIR_DEV_SERVICES)]
