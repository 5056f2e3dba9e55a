"""The rules read after the cues, on a provision's result: a type stated by a later sentence
(``follow_after`` / ``follow_cues``), a claim that gives way to another (``gives_way_to`` /
``stands_when``), and the named fragments (``{{name}}``) that keep a shared list of words
written once."""

from __future__ import annotations

from pathlib import Path

import pytest

from clausewatch.classify.cues import provision_claims
from clausewatch.classify.model import Classifier
from clausewatch.classify.taxonomy import TaxonomyError, load_taxonomy, load_taxonomy_file

WITH = "unilateral_change_with_notice"
WITHOUT = "unilateral_change_without_notice"

SMALL = """\
fragments:
  docs: 'these terms|this policy'
categories: {x: X}
types:
  - id: silent
    name: S
    category: x
    definition: d
    severity: high
    cues: ['\\bchange ({{docs}}) at any time\\b']
    gives_way_to: [told]
    stands_when: ['\\bwithout notice\\b']
  - id: told
    name: T
    category: x
    definition: d
    severity: low
    cues: ['\\bnotify you of changes to ({{docs}})\\b']
    follow_after: ['\\bchange ({{docs}})\\b']
    follow_cues: ['\\b(surely )?notify you\\b']
"""


def _small(tmp_path: Path, text: str = SMALL, cues: dict[str, str] | None = None) -> Path:
    path = tmp_path / "types.yaml"
    path.write_text(text, encoding="utf-8")
    if cues:
        (tmp_path / "cues").mkdir()
        for name, body in cues.items():
            (tmp_path / "cues" / name).write_text(body, encoding="utf-8")
    return path


def _claimed(texts: list[str], path: Path, language: str = "en") -> list[dict[str, str]]:
    taxonomy = load_taxonomy_file(path).for_language(language)
    return [
        {t: text[m.span[0] : m.span[1]] for t, m in found.items()}
        for text, found in zip(texts, provision_claims(texts, taxonomy), strict=True)
    ]


def test_fragments_are_pasted_where_named(tmp_path: Path) -> None:
    taxonomy = load_taxonomy_file(_small(tmp_path))
    silent = taxonomy.by_id()["silent"]
    assert [p.pattern for p in silent.cues] == [
        "\\bchange (these terms|this policy) at any time\\b"
    ]
    # The written and the pasted form are the same pattern: the digest cannot tell them apart.
    spelt = _small(tmp_path, SMALL.replace("{{docs}}", "these terms|this policy"))
    assert load_taxonomy_file(spelt).cue_digest() == taxonomy.cue_digest()


def test_the_shipped_document_nouns_are_one_fragment() -> None:
    shipped = Path(__file__).resolve().parents[2] / "src/clausewatch/analysis/knowledge"
    written = (shipped / "provision_types.yaml").read_text(encoding="utf-8")
    assert written.count("this (contract|policy|privacy policy") == 1  # the fragment itself
    assert written.count("{{other_documents}}") >= 4
    with_notice = load_taxonomy().by_id()[WITH]
    assert all("{{" not in p.pattern for p in with_notice.cues + with_notice.follow_after)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("({{docs}}) at any", "({{doc}}) at any"), "unknown fragment {{doc}}.*fragments: docs"),
        (("docs: 'these", "docs: '(these"), "fragments: docs: bad regular expression"),
        (("  docs:", "  Docs:"), "fragments: Docs: a fragment name"),
        (("docs: 'these terms|this policy'", "docs: '{{docs}}'"), "no {{...}}"),
        (("fragments:\n  docs: 'these terms|this policy'", "fragments: [a]"), "map names"),
        (("    follow_cues:", "    follow_clues:"), "'follow_after' and 'follow_cues' go"),
        (("    follow_after:", "    follow_before:"), "'follow_after' and 'follow_cues' go"),
        (("gives_way_to: [told]", "gives_way_to: [nobody]"), "gives_way_to names 'nobody'"),
        (("gives_way_to: [told]", "gives_way_to: [silent]"), "gives_way_to names 'silent'"),
        (("gives_way_to: [told]", "gives_way_to: []"), "'stands_when' needs 'gives_way_to'"),
    ],
)
def test_a_broken_reading_rule_is_refused_with_its_place(
    tmp_path: Path, edit: tuple[str, str], message: str
) -> None:
    old, new = edit
    assert old in SMALL
    with pytest.raises(TaxonomyError, match=message) as caught:
        load_taxonomy_file(_small(tmp_path, SMALL.replace(old, new, 1)))
    assert "types.yaml" in str(caught.value)


def test_a_later_sentence_states_the_type_after_its_anchor(tmp_path: Path) -> None:
    path = _small(tmp_path)
    texts = [
        "We may change these terms at any time. We will notify you by email.",
        "We will notify you by email. We may change these terms at any time.",
        "We may change these terms at any time. We will not notify you.",
        "We may change these terms at any time without notice. We will notify you.",
        "We will notify you of changes to these terms. We may change this policy at any time.",
        "We may change these terms. A. B. C. We will notify you.",
        "We may change these terms. A. B. We will surely notify you.",
    ]
    assert _claimed(texts, path) == [
        # The notice follows the change: the silent change gives way to it.
        {"told": "notify you"},
        # A promise before any change is not about it.
        {"silent": "change these terms at any time"},
        # Negated: no promise.
        {"silent": "change these terms at any time"},
        # "without notice" said outright stands beside the promise.
        {"silent": "change these terms at any time", "told": "notify you"},
        # Both stated by their own cues, in either order: the silent claim gives way.
        {"told": "notify you of changes to these terms"},
        # The promise must come within three sentences of the change.
        {},
        {"told": "surely notify you"},
    ]


def test_a_language_file_has_its_own_reading_words(tmp_path: Path) -> None:
    german = (
        "language: de\n"
        "negation: '\\b(nicht)\\s(\\w+\\s){0,3}$'\n"
        "types:\n"
        "  silent: {cues: ['\\bjederzeit ändern\\b'], stands_when: ['\\bohne ankündigung\\b']}\n"
        "  told:\n"
        "    follow_after: ['\\bändern\\b']\n"
        "    follow_cues: ['\\bwir informieren sie\\b']\n"
    )
    path = _small(tmp_path, cues={"de.yaml": german})
    texts = [
        "Wir können diese Bedingungen jederzeit ändern. Wir informieren Sie per E-Mail.",
        "Wir können sie jederzeit ändern, ohne Ankündigung. Wir informieren Sie.",
    ]
    assert _claimed(texts, path, "de") == [
        {"told": "Wir informieren Sie"},
        {"silent": "jederzeit ändern", "told": "Wir informieren Sie"},
    ]
    taxonomy = load_taxonomy_file(path)
    assert taxonomy.for_language("de").reading_digest() != taxonomy.reading_digest()


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("  told: {follow_cues: ['x']}\n", "'follow_after' and 'follow_cues' go together"),
        ("  told: {stands_when: ['x']}\n", "without 'gives_way_to'"),
    ],
)
def test_a_language_file_cannot_break_or_add_a_base_rule(
    tmp_path: Path, entry: str, message: str
) -> None:
    text = "language: de\nnegation: '\\bnicht\\s$'\ntypes:\n" + entry
    with pytest.raises(TaxonomyError, match=message) as caught:
        load_taxonomy_file(_small(tmp_path, cues={"de.yaml": text}))
    assert "de.yaml" in str(caught.value)


def test_reading_rules_change_the_reading_digest_not_the_cue_digest(tmp_path: Path) -> None:
    plain = "categories: {x: X}\ntypes:\n  - {id: a, name: A, category: x, definition: d, severity: low}\n"
    assert load_taxonomy_file(_small(tmp_path, plain)).reading_digest() == ""
    base = load_taxonomy_file(_small(tmp_path))
    edited = load_taxonomy_file(_small(tmp_path, SMALL.replace("(surely )?notify", "notify")))
    assert edited.cue_digest() == base.cue_digest()
    assert edited.reading_digest() != base.reading_digest() != ""


def test_editing_a_reading_rule_changes_the_model_id(tmp_path: Path) -> None:
    # Stored labels are keyed by the model id: results read under other rules are read again.
    import shutil

    root = Path(__file__).resolve().parents[2] / "src/clausewatch"
    shutil.copytree(root / "analysis/knowledge", tmp_path / "k")
    types = tmp_path / "k" / "provision_types.yaml"
    text = types.read_text(encoding="utf-8")
    assert "(notified|informed|told|alerted|" in text
    types.write_text(text.replace("(notified|informed|told|alerted|", "(notified|", 1))
    edited = Classifier.from_dir(root / "classify/model", load_taxonomy_file(types))
    assert edited.model_id != Classifier.load().model_id
    assert not edited.stale_cues  # no feature reads these rules: no retraining


NOTICE = "We will notify you by email at least 30 days before the changes take effect."


@pytest.mark.parametrize(
    ("text", "types", "quoted"),
    [
        (f"We may change these Terms at any time. {NOTICE}", {WITH}, NOTICE),
        (
            "We may modify these Terms from time to time. If we make material changes, we will "
            "notify you by posting a notice on the site or by email.",
            {WITH},
            "If we make material changes, we will notify you by posting a notice on the site or "
            "by email.",
        ),
        (
            "We may update this Privacy Policy from time to time. You will be notified by email "
            "before the update takes effect.",
            {WITH},
            "You will be notified by email before the update takes effect.",
        ),
        (
            "We may change these Terms at any time without notice. We will notify you of "
            "material changes by email.",
            {WITH, WITHOUT},
            "We will notify you of material changes by email.",
        ),
        ("We may change these Terms at any time. We will not notify you.", {WITHOUT}, None),
        ("We may modify these Terms from time to time.", {WITHOUT}, None),
    ],
)
def test_a_notice_in_the_next_sentence_makes_the_change_one_with_notice(
    text: str, types: set[str], quoted: str | None
) -> None:
    result = Classifier.load().classify([text])[0]
    assert set(result.types) & {WITH, WITHOUT} == types
    assert result.evidence == "Explicit document language"
    assert result.evidence_span is not None
    if quoted is not None:
        assert text[result.evidence_span[0] : result.evidence_span[1]] == quoted


@pytest.mark.parametrize(
    ("text", "stands"),
    [
        (
            "Possiamo modificare le presenti condizioni in qualsiasi momento senza preavviso. "
            "Ti informeremo delle modifiche sostanziali.",
            True,
        ),
        (
            "Possiamo modificare le presenti condizioni di volta in volta. Ti informeremo delle "
            "modifiche sostanziali.",
            False,
        ),
    ],
)
def test_another_language_keeps_a_change_without_notice_only_when_said_outright(
    text: str, stands: bool
) -> None:
    claims = provision_claims([text], load_taxonomy().for_language("it"))[0]
    assert WITH in claims
    assert (WITHOUT in claims) is stands
    result = Classifier.load().classify([text], "it")[0]
    assert result.language == "it"
    assert (WITHOUT in result.types) is stands


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        (
            "de",
            "Wir können diese Nutzungsbedingungen jederzeit ändern. Wir werden Sie rechtzeitig "
            "per E-Mail informieren.",
            {WITH: "Wir werden Sie rechtzeitig per E-Mail informieren"},
        ),
        (
            "de",
            "Wir können diese Nutzungsbedingungen jederzeit ändern. Wir werden Sie darüber nicht "
            "informieren.",
            {WITHOUT: "Wir können diese Nutzungsbedingungen jederzeit ändern"},
        ),
        (
            "fr",
            "Nous pouvons modifier les présentes CGU à tout moment. Nous vous en informerons par "
            "e-mail.",
            {WITH: "Nous vous en informerons"},
        ),
        (
            "fr",
            "Nous pouvons modifier les présentes CGU à tout moment. Nous ne vous en informerons "
            "pas.",
            {WITHOUT: "modifier les présentes CGU à tout moment"},
        ),
        (
            "it",
            "Possiamo modificare le presenti condizioni in qualsiasi momento. Ti informeremo via "
            "e-mail con 30 giorni di preavviso.",
            {WITH: "Ti informeremo"},
        ),
        (
            "it",
            "Possiamo modificare le presenti condizioni in qualsiasi momento. Non ti informeremo.",
            {WITHOUT: "modificare le presenti condizioni in qualsiasi momento"},
        ),
        (
            "pl",
            "Usługodawca może zmienić Regulamin w każdej chwili. O zmianach poinformujemy "
            "Użytkowników z 14-dniowym wyprzedzeniem.",
            {WITH: "poinformujemy"},
        ),
        (
            "pl",
            "Usługodawca może zmienić Regulamin w każdej chwili. Nie poinformujemy Użytkowników.",
            {WITHOUT: "zmienić Regulamin w każdej chwili"},
        ),
    ],
)
def test_each_language_reads_a_notice_in_the_next_sentence_in_its_own_words(
    language: str, text: str, expected: dict[str, str]
) -> None:
    claims = provision_claims([text], load_taxonomy().for_language(language))[0]
    found = {t: text[m.span[0] : m.span[1]] for t, m in claims.items() if t in (WITH, WITHOUT)}
    assert found == expected


OPT_OUT = "ai_training_opt_out"


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        (
            "We may use your conversations to train our models. You can opt out at any time.",
            "You can opt out",
        ),
        (
            "We use your Content to train our AI models. If you do not want this, you can turn "
            "it off in Data Controls.",
            "If you do not want this, you can turn it off",
        ),
        ("We use your Content to train our AI models. You cannot opt out.", None),
        (
            "We use your data to improve our models. You can opt out of receiving marketing "
            "emails.",
            None,
        ),
        ("We do not sell your data. You can opt out at any time.", None),
    ],
)
def test_an_opt_out_in_the_sentence_after_the_training_is_explicit(
    text: str, quoted: str | None
) -> None:
    claims = provision_claims([text], load_taxonomy())[0]
    found = claims.get(OPT_OUT)
    assert (text[found.span[0] : found.span[1]] if found else None) == quoted
    result = Classifier.load().classify([text])[0]
    if quoted is not None:
        assert OPT_OUT in result.types
        assert result.evidence == "Explicit document language"
