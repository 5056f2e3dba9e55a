from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
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
    # The loaded id adds the digest of the rules read after the cues (decision 0002).
    assert classifier.model_id.startswith(first.meta["model_id"] + "+")
    assert classifier.model_id == Classifier.from_dir(b).model_id
    result = classifier.classify(["We may terminate your account at any time without notice."])
    assert result[0].claudette == ["unilateral_termination"]


def test_the_unfair_head_gives_the_change_cues_no_weight() -> None:
    from clausewatch.classify.train import UNFAIR_HEAD_SKIPS_CUES

    corpus = _small_corpus()
    changes = [
        "We may modify these terms at any time without notice.",
        "We may change this agreement at any time and without notice to you.",
    ]
    for text in changes:
        corpus.unfair.append(
            LabelledSentence(
                text, frozenset({"unilateral_change"}), "test", "doc", {"unilateral_change": 2}
            )
        )
        corpus.unfair_groups.append("g0")
    model = fit(corpus, seed=0, heads=frozenset({"unfair", "degree"}), calibrate=False)
    cue_types = model.meta["cue_types"]
    assert model.meta["unfair_head_skips_cues"] == sorted(UNFAIR_HEAD_SKIPS_CUES)
    weights = model.arrays["unfair_W"].astype(np.float32)
    row = {t: len(model.vocabulary) + cue_types.index(t) for t in cue_types}
    # The change cue fires on both change rows, and the head reads it nowhere ...
    assert "unilateral_change_without_notice" in cue_types
    assert "unilateral_change_without_notice" in UNFAIR_HEAD_SKIPS_CUES
    assert not weights[row["unilateral_change_without_notice"]].any()
    # ... while the termination cue, on the termination rows, still carries weight.
    assert weights[row["termination_suspension"]].any()


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


def test_vocabulary_keeps_the_most_frequent_features_and_breaks_ties_by_name() -> None:
    from collections import Counter

    from clausewatch.classify.features import analyze
    from clausewatch.classify.train import _vocabulary

    texts = ["zebra apple", "zebra apple", "mango kiwi", "mango kiwi", "zebra", "once upon"]
    totals: Counter[str] = Counter()
    in_texts: Counter[str] = Counter()
    for text in texts:
        grams = analyze(text)
        totals.update(grams)
        in_texts.update(set(grams))
    eligible = [g for g in totals if in_texts[g] >= 2]
    assert "w: once" not in eligible
    for k in (1, 5, 17, len(eligible)):
        expected = sorted(sorted(eligible, key=lambda g: (-totals[g], g))[:k])
        assert _vocabulary(texts, k) == expected
        # The same texts in another order give the same vocabulary.
        assert _vocabulary(list(reversed(texts)), k) == expected
    # The cuts fall inside runs of equal counts, so the order among ties decides them.
    ranked = sorted(eligible, key=lambda g: (-totals[g], g))
    assert all(totals[ranked[k - 1]] == totals[ranked[k]] for k in (5, 17))


def test_projected_type_rows_carry_the_english_answer_to_the_aligned_translation(
    shared_data: Path,
) -> None:
    from clausewatch.classify.data import load_claudette
    from clausewatch.classify.train import projected_type_rows

    asked: list[str] = []

    def english_types(texts: Sequence[str]) -> tuple[list[str], npt.NDArray[np.float32]]:
        # A stand-in English type head: "jurisdiction" for sentences naming courts, sure;
        # "none" for the rest, unsure for questions.
        asked.extend(texts)
        probabilities = np.zeros((len(texts), 2), dtype=np.float32)
        for i, text in enumerate(texts):
            if "court" in text.lower():
                probabilities[i] = [0.9, 0.1]
            else:
                probabilities[i] = [0.0, 0.4 if "?" in text else 0.95]
        return ["jurisdiction", "none"], probabilities

    texts, labels = projected_type_rows(shared_data, "de", ["Booking"], english_types)
    english = {r.text for r in load_claudette(shared_data, ["Booking"], lang="en")}
    german = [r.text for r in load_claudette(shared_data, ["Booking"], lang="de")]
    assert set(asked) <= english and len(asked) >= 0.8 * min(len(english), len(german))
    assert len(texts) == len(labels) and set(texts) <= set(german)
    assert set(labels) == {"jurisdiction", "none"}
    assert sum("?" not in t for t in asked) >= len(texts)  # unsure answers are left out
    typed = labels.count("jurisdiction")
    # As many "none" rows as typed ones are kept (seeded); None keeps every sure answer.
    assert labels.count("none") == typed
    all_texts, all_labels = projected_type_rows(
        shared_data, "de", ["Booking"], english_types, none_per_typed=None
    )
    assert all_labels.count("jurisdiction") == typed and all_labels.count("none") > typed
    assert set(texts) <= set(all_texts)
    again = projected_type_rows(shared_data, "de", ["Booking"], english_types)
    assert again == (texts, labels)
    courts = [t for t, label in zip(texts, labels, strict=True) if label == "jurisdiction"]
    # The German sentences that took "jurisdiction" speak of courts (Gericht) themselves.
    assert courts and sum("ericht" in t for t in courts) > 0.5 * len(courts)


def test_a_language_model_learns_types_from_carried_over_rows(
    shared_data: Path, tmp_path: Path
) -> None:
    from clausewatch.classify.data import claudette_documents
    from clausewatch.classify.train import LANGUAGE_HEADS, build_language_corpus

    docs = [d for d in claudette_documents(shared_data) if not is_forbidden(d)][:6]
    corpus = build_language_corpus(shared_data, "de", claudette_docs=docs)
    courts = [
        "Zuständig sind ausschließlich die Gerichte in Berlin.",
        "Gerichtsstand ist München.",
        "Für alle Streitigkeiten sind die Gerichte in Hamburg zuständig.",
    ]
    plain = ["Willkommen bei uns.", "Vielen Dank für Ihr Vertrauen.", "Wir freuen uns."]
    corpus.type_rows = (courts + plain, ["jurisdiction"] * 3 + ["none"] * 3)
    model = fit(corpus, seed=0, heads=LANGUAGE_HEADS, cue_weight=0.0, language="de")
    again = fit(corpus, seed=0, heads=LANGUAGE_HEADS, cue_weight=0.0, language="de")
    assert model.meta["model_id"] == again.meta["model_id"]  # reproducible, type head included
    assert model.meta["types"] == ["jurisdiction", "none"]
    assert model.arrays["types_W"].shape == (len(model.vocabulary), 2)
    save(model, tmp_path / "de")
    loaded = Classifier.from_dir(tmp_path / "de")
    probabilities = loaded.type_probabilities(["Gerichtsstand ist Köln.", "Willkommen."])
    assert probabilities[0, 0] > probabilities[1, 0]
