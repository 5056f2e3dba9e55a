from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from clausewatch.classify import ClassificationResult, Classifier
from clausewatch.classify.data import CLAUDETTE_KEYS, load_unfair_tos
from clausewatch.classify.result import EXPLICIT, INFERRED


def seed_clause(shared_data: Path, name: str) -> str:
    path = shared_data.parent / "seeds" / name
    if not path.is_file():
        pytest.skip(f"seed page not found at {path}")
    page = path.read_text(encoding="utf-8")
    start = page.index("View Original Clause Language")
    end = page.index("— Excerpt", start)
    return page[start:end].split('"', 1)[1].strip()


def test_load_is_cached_and_small() -> None:
    first = Classifier.load()
    assert Classifier.load() is first
    assert first.model_id.startswith("clausewatch-linear-")
    model_dir = Path(__file__).resolve().parents[2] / "src/clausewatch/classify/model"
    files = [p for p in model_dir.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 20_000_000
    assert (model_dir / "MODEL_CARD.md").is_file()


def test_result_shape_and_json() -> None:
    text = "We may terminate your account at any time, for any reason, without notice."
    result = Classifier.load().classify([text])[0]
    assert isinstance(result, ClassificationResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.severity = "low"  # type: ignore[misc]
    assert "termination_suspension" in result.types
    assert result.categories == ["changes_termination"]
    assert result.claudette == ["unilateral_termination"]
    assert result.severity == "high"
    assert result.evidence == EXPLICIT
    assert result.evidence_span is not None
    record = result.to_json()
    assert set(record) >= {"types", "categories", "severity", "confidence", "evidence", "claudette"}
    assert json.loads(json.dumps(record)) == record


def test_output_ownership_and_no_training_seed(shared_data: Path) -> None:
    text = seed_clause(shared_data, "conductatlas-output-ownership-no-training.txt")
    result = Classifier.load().classify([text])[0]
    assert {"ai_output_ownership", "ai_no_training_commitment"} <= set(result.types)
    assert "ai_training_on_user_content" not in result.types
    assert result.severity == "medium"
    assert result.evidence == EXPLICIT
    assert result.categories[0] == "ai_governance"


def test_training_opt_out_with_carve_outs_seed(shared_data: Path) -> None:
    text = seed_clause(shared_data, "conductatlas-training-data-opt-out.txt")
    result = Classifier.load().classify([text])[0]
    assert {"ai_training_on_user_content", "ai_training_opt_out"} <= set(result.types)
    assert result.severity == "medium"
    assert result.confidence == "high"
    assert result.evidence == EXPLICIT
    assert result.evidence_span is not None
    start, end = result.evidence_span
    assert "training" in text[start:end]


def test_modifiers_move_severity() -> None:
    base = "We may use your conversations to train our models."
    lowered = base + " You can opt out of training in your settings."
    results = Classifier.load().classify([base, lowered])
    assert results[0].severity == "medium"
    assert results[1].severity == "low"


def test_negated_training_is_not_training() -> None:
    result = Classifier.load().classify(["We will not use your content to train our models."])[0]
    assert "ai_no_training_commitment" in result.types
    assert "ai_training_on_user_content" not in result.types


def test_plain_sentence_has_no_type() -> None:
    result = Classifier.load().classify(["Our offices are closed on public holidays."])[0]
    assert result.types == [] and result.claudette == []
    assert result.evidence == INFERRED and result.evidence_span is None


def test_inferred_evidence_points_at_the_deciding_sentence() -> None:
    text = "Welcome to our service. We may change these terms. Thank you for reading."
    result = Classifier.load().classify([text])[0]
    assert result.types == ["unilateral_change_without_notice"]
    assert result.claudette == ["unilateral_change"]
    assert result.evidence == INFERRED
    assert result.evidence_span is not None
    assert text[slice(*result.evidence_span)] == "We may change these terms."


def test_batch_equals_single() -> None:
    texts = [
        "You agree to resolve disputes through binding arbitration.",
        "",
        "The laws of Sweden govern these terms.",
    ]
    classifier = Classifier.load()
    batch = classifier.classify(texts)
    assert batch == [classifier.classify([t])[0] for t in texts]
    assert classifier.classify([]) == []


def test_unfavourable_judges_the_whole_passage() -> None:
    """ToS;DR grades passages, and the unfavourable head learnt from them: a provision of
    several sentences gets the whole passage's probability, not its worst sentence's."""
    classifier = Classifier.load()
    bad = "You waive your right to a jury trial and to take part in a class action."
    good = "You can delete your account at any time and we will erase your data within 30 days."
    passage = f"{good} {bad} {good}"
    results = classifier.classify([passage, bad, good])
    whole, bad_alone, good_alone = (r.scores["unfavourable"] for r in results)
    assert bad_alone > 0.5 > good_alone
    # The good sentences weigh in: the passage is not simply its worst sentence.
    assert good_alone < whole < bad_alone - 0.1
    assert classifier.unfavourable_probabilities([passage]).tolist() == [pytest.approx(whole)]
    # A model without the head (German) has no unfavourable probability to give.
    german = classifier.by_language["de"]
    assert german.unfavourable_probabilities(["Wir dürfen kündigen."]).tolist() == [0.0]


def test_dev_score_of_the_shipped_model(shared_data: Path) -> None:
    """Regression guard on UNFAIR-ToS dev, which the shipped model never saw (LexGLUE metric)."""
    from sklearn.metrics import f1_score

    dev = load_unfair_tos(shared_data, "dev")
    gold = np.array([[k in r.labels for k in CLAUDETTE_KEYS] for r in dev], dtype=int)
    pred = Classifier.load().predict_unfair([r.text for r in dev]).astype(int)
    g = np.c_[gold, gold.sum(1) == 0]
    p = np.c_[pred, pred.sum(1) == 0]
    assert 100 * f1_score(g, p, average="macro") >= 75.0


def test_each_language_goes_to_its_own_model() -> None:
    model = Classifier.load()
    assert sorted(model.by_language) == ["de", "it", "pl"]
    texts = [
        "Wir können diese Bedingungen jederzeit und ohne vorherige Ankündigung ändern.",
        "We may terminate your account at any time, for any reason, without notice.",
        "Możemy w dowolnym momencie zmienić niniejszy Regulamin bez powiadomienia.",
        "Ci riserviamo il diritto di sospendere o chiudere il tuo account in qualsiasi momento.",
        "Nous pouvons modifier ces conditions à tout moment.",
        "Podemos modificar estas condiciones en cualquier momento.",
    ]
    results = model.classify(texts)
    # French goes to its cue phrases; Spanish, with neither model nor cues, to English.
    assert [r.language for r in results] == ["de", "en", "pl", "it", "fr", "en"]
    assert "unilateral_change" in results[0].claudette
    assert results[1].claudette == ["unilateral_termination"]
    assert "unilateral_change" in results[2].claudette
    assert "unilateral_termination" in results[3].claudette
    assert results[0].to_json()["language"] == "de"
    # Routing keeps the input order and equals classifying each text alone.
    assert [model.classify([t])[0] for t in texts] == results


def test_document_language_routes_texts_without_clear_words() -> None:
    model = Classifier.load()
    texts = [
        "Haftungsbeschränkung",
        "We may terminate your account at any time, for any reason, without notice.",
        "Wir können diese Bedingungen jederzeit und ohne vorherige Ankündigung ändern.",
    ]
    assert [r.language for r in model.classify(texts)] == ["en", "en", "de"]
    hinted = model.classify(texts, "de")
    assert [r.language for r in hinted] == ["de", "en", "de"]
    # Only the routing of the wordless heading changed.
    assert hinted[1:] == model.classify(texts[1:])
    assert hinted[0] == model.by_language["de"].classify(texts[:1])[0]
    # French has cue phrases: its documents' headings go to them.
    assert [r.language for r in model.classify(texts, "fr")] == ["fr", "en", "de"]
    # A language with neither model nor cues falls back to English, as for a bare text.
    assert [r.language for r in model.classify(texts, "es")] == ["en", "en", "de"]
    assert model.classify([], "de") == []


def test_combined_model_id_names_every_language_model() -> None:
    model = Classifier.load()
    english = str(model.meta["model_id"])
    assert model.model_id.startswith(english + "+")
    assert len(model.model_id) <= 60  # the classifications.model column
    assert {m.language for m in model.by_language.values()} == {"de", "it", "pl"}
    assert all(
        m.model_id.startswith(f"clausewatch-linear-{k}-") for k, m in model.by_language.items()
    )


def test_language_folder_must_hold_its_language(tmp_path: Path) -> None:
    import shutil

    from clausewatch.classify.model import ModelError

    model_dir = Path(__file__).resolve().parents[2] / "src/clausewatch/classify/model"
    shutil.copytree(model_dir, tmp_path / "m")
    shutil.move(tmp_path / "m" / "de", tmp_path / "m" / "fr")
    with pytest.raises(ModelError, match="not 'fr'"):
        Classifier.from_dir(tmp_path / "m")


def test_shipped_model_was_trained_with_the_shipped_cues() -> None:
    # Editing a cue pattern in provision_types.yaml without `clausewatch train` fails here.
    # So does a language cue file (analysis/knowledge/cues/<language>.yaml).
    model = Classifier.load()
    for one in [model, *model.by_language.values()]:
        has_cues = any(t.cues for t in one.taxonomy.types)
        assert one.taxonomy.language == one.language
        assert one.meta["cue_digest"] == (one.taxonomy.cue_digest() if has_cues else None)
        assert not one.stale_cues


def test_a_changed_cue_marks_the_model_stale_and_classify_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from clausewatch.classify.taxonomy import load_taxonomy_file
    from clausewatch.cli import app

    shipped = Path(__file__).resolve().parents[2] / "src/clausewatch/analysis/knowledge"
    text = (shipped / "provision_types.yaml").read_text(encoding="utf-8")
    edited = tmp_path / "provision_types.yaml"
    edited.write_text(text.replace("\\bas available\\b", "\\bas offered\\b", 1), encoding="utf-8")
    taxonomy = load_taxonomy_file(edited)
    assert taxonomy.cue_digest() != Classifier.load().taxonomy.cue_digest()

    base = Classifier.load()
    arrays = dict(np.load(shipped.parent.parent / "classify/model/model.npz"))
    vocabulary = json.loads(
        (shipped.parent.parent / "classify/model/vocabulary.json").read_text(encoding="utf-8")
    )
    stale = Classifier(arrays, vocabulary, base.meta, taxonomy)
    assert stale.stale_cues
    monkeypatch.setattr(Classifier, "load", classmethod(lambda cls: stale))
    result = CliRunner().invoke(app, ["classify"], input='{"text": "Provided as is."}\n')
    assert result.exit_code == 0, result.output
    assert "cue patterns changed since the model was trained" in result.stderr
    assert json.loads(result.stdout.splitlines()[-1])["types"] == ["warranty_disclaimer"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We may change these terms.", {"unilateral_change_without_notice"}),
        (
            "We may change these terms at any time without notice.",
            {"unilateral_change_without_notice"},
        ),
        (
            "We may change these terms; we will notify you by email 30 days before changes take effect.",
            {"unilateral_change_with_notice"},
        ),
    ],
)
def test_change_with_and_without_notice_are_never_both_guessed(
    text: str, expected: set[str]
) -> None:
    types = set(Classifier.load().classify([text])[0].types)
    assert types & {"unilateral_change_with_notice", "unilateral_change_without_notice"} == expected


@pytest.mark.parametrize(
    ("language", "text", "type_id", "quoted"),
    [
        (
            "de",
            "Ausschließlicher Gerichtsstand für alle Streitigkeiten aus diesem Vertrag ist "
            "München.",
            "jurisdiction",
            "Ausschließlicher Gerichtsstand",
        ),
        (
            "de",
            "Wir geben Ihre personenbezogenen Daten an Werbepartner weiter, die Ihnen "
            "personalisierte Werbung anzeigen.",
            "targeted_advertising",
            "personalisierte Werbung",
        ),
        (
            "it",
            "Possiamo sospendere o chiudere il tuo account in qualsiasi momento, senza preavviso.",
            "termination_suspension",
            "sospendere o chiudere il tuo account",
        ),
        (
            "pl",
            "Usługodawca może w każdej chwili zablokować lub usunąć konto Użytkownika bez "
            "podania przyczyny.",
            "termination_suspension",
            "zablokować lub usunąć konto",
        ),
    ],
)
def test_a_clause_in_another_language_gets_explicit_evidence_in_its_own_words(
    language: str, text: str, type_id: str, quoted: str
) -> None:
    result = Classifier.load().classify([text], language)[0]
    assert result.language == language
    assert type_id in result.types
    assert result.evidence == EXPLICIT
    assert result.evidence_span is not None
    a, b = result.evidence_span
    assert quoted in text[a:b]


@pytest.mark.parametrize(
    ("text", "type_id", "quoted"),
    [
        (
            "We may disclose personally identifiable information about you to third parties "
            "in limited circumstances.",
            "data_sharing_third_parties",
            "disclose personally identifiable information about you to third parties",
        ),
        (
            "In the event we sell or transfer all or substantially all of our assets, user "
            "information may be one of the transferred assets.",
            "data_sale",
            "sell or transfer all or substantially all of our assets",
        ),
        (
            "Our logs that contain IP addresses are deleted after 10 days.",
            "data_retention",
            "deleted after 10 days",
        ),
        (
            "You are fully accountable for any use or misuse of your account.",
            "account_security_responsibility",
            "accountable for any use or misuse of your account",
        ),
        (
            "You can ask us to erase or delete all or some of your personal data.",
            "data_deletion_right",
            "erase or delete all or some of your personal data",
        ),
        (
            "You may not have more than one free account.",
            "real_name_policy",
            "more than one free account",
        ),
    ],
)
def test_a_provision_in_other_words_than_the_first_cues_still_quotes_its_evidence(
    text: str, type_id: str, quoted: str
) -> None:
    """Through the whole classifier (cues are read sentence by sentence there), not only the
    cue layer: the wording bench/cue_tosdr.py found missing is claimed with its own words."""
    result = Classifier.load().classify([text])[0]
    assert type_id in result.types
    assert result.evidence == EXPLICIT
    assert result.evidence_span is not None
    a, b = result.evidence_span
    assert quoted in text[a:b]


def test_english_cues_do_not_read_another_language() -> None:
    # English legal terms quoted in a German sentence: the English cues would read them as
    # an arbitration clause; a German text is read by the German cues only.
    from clausewatch.classify.cues import all_cues, normalize_with_offsets
    from clausewatch.classify.taxonomy import load_taxonomy

    text = (
        "Unser Seminar behandelt das Thema „binding arbitration“ und die class action waiver "
        "im US-Recht."
    )
    english = {m.type_id for m in all_cues(normalize_with_offsets(text), load_taxonomy())}
    assert "binding_arbitration" in english
    result = Classifier.load().classify([text], "de")[0]
    assert result.language == "de"
    assert "binding_arbitration" not in result.types
    assert result.evidence == INFERRED


@pytest.mark.parametrize(
    ("language", "text", "stated"),
    [
        (
            "en",
            "Arbitration. Any dispute will be resolved by binding arbitration in San Francisco.",
            "Any dispute will be resolved by binding arbitration in San Francisco.",
        ),
        (
            "de",
            "§ 12 Gerichtsstand. Ausschließlicher Gerichtsstand für alle Streitigkeiten aus "
            "diesem Vertrag ist München.",
            "Ausschließlicher Gerichtsstand für alle Streitigkeiten aus diesem Vertrag ist "
            "München.",
        ),
    ],
)
def test_evidence_quotes_the_sentence_that_states_the_rule_not_its_heading(
    language: str, text: str, stated: str
) -> None:
    result = Classifier.load().classify([text], language)[0]
    assert result.evidence == EXPLICIT
    assert result.evidence_span is not None
    a, b = result.evidence_span
    assert text[a:b] == stated


def test_a_heading_alone_is_still_its_own_evidence() -> None:
    result = Classifier.load().classify(["Arbitration."])[0]
    assert "binding_arbitration" in result.types
    assert result.evidence_span == (0, len("Arbitration."))


def test_french_is_read_by_its_cue_phrases_alone() -> None:
    classifier = Classifier.load()
    assert classifier.cue_only_languages == ("fr",)
    assert "fr" in classifier.languages
    text = "Tout litige relèvera de la compétence exclusive des tribunaux de Paris."
    stated, silent = classifier.classify(
        [text, "Bienvenue sur notre site et merci de votre visite."], "fr"
    )
    assert stated.language == silent.language == "fr"
    assert "jurisdiction" in stated.types
    assert stated.evidence == EXPLICIT
    assert stated.evidence_span == (0, len(text))
    assert stated.confidence == "medium"
    assert stated.claudette == [] and stated.degrees == {}
    # No model says a text holds nothing: an unmatched text is not a confident "none".
    assert silent.types == [] and silent.evidence == INFERRED
    assert silent.confidence == "low"


def test_a_french_text_is_found_by_its_words_in_an_english_document() -> None:
    text = "Tout litige relèvera de la compétence exclusive des tribunaux de Paris."
    result = Classifier.load().classify([text], "en")[0]
    assert result.language == "fr"


def test_editing_the_french_cues_changes_the_model_id(tmp_path: Path) -> None:
    # French has no model file whose id would change: its cue digest is part of the id, so
    # labels stored under the old phrases are recomputed by `analyse --relabel`.
    import shutil

    from clausewatch.classify.taxonomy import load_taxonomy_file

    root = Path(__file__).resolve().parents[2] / "src/clausewatch"
    shutil.copytree(root / "analysis/knowledge", tmp_path / "k")
    french = tmp_path / "k" / "cues" / "fr.yaml"
    text = french.read_text(encoding="utf-8")
    assert "\nnegation: '" in text
    french.write_text(text.replace("\nnegation: '", "\nnegation: '(?:jamais plus)|", 1))
    model_dir = root / "classify/model"
    edited = Classifier.from_dir(model_dir, load_taxonomy_file(tmp_path / "k/provision_types.yaml"))
    same = Classifier.from_dir(
        model_dir, load_taxonomy_file(root / "analysis/knowledge/provision_types.yaml")
    )
    assert same.model_id == Classifier.load().model_id
    assert edited.model_id != same.model_id


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "Tout litige relèvera de la compétence exclusive des tribunaux de Paris."),
        ("de", "Ausschließlicher Gerichtsstand für alle Streitigkeiten ist München."),
    ],
)
def test_decomposed_accents_classify_like_composed_ones(language: str, text: str) -> None:
    # Some documents spell "é" as "e" + U+0301: the cues and features must read the same
    # words, and the evidence span must still point into the text as given.
    import unicodedata

    decomposed = unicodedata.normalize("NFD", text)
    assert len(decomposed) > len(text)
    model = Classifier.load()
    plain, spelled_apart = model.classify([text, decomposed], language)
    assert spelled_apart.types == plain.types and "jurisdiction" in plain.types
    assert spelled_apart.evidence == plain.evidence == EXPLICIT
    assert spelled_apart.evidence_span == (0, len(decomposed))
