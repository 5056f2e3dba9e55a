from __future__ import annotations

import pytest

from clausewatch.classify.language import function_word_language, guess_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We may change these terms at any time and without notice to you.", "en"),
        ("Wir können diese Bedingungen jederzeit ändern, und Sie stimmen dem zu.", "de"),
        ("Ci riserviamo il diritto di modificare le presenti condizioni.", "it"),
        ("Możemy zmienić regulamin i nie jest to zależne od użytkownika.", "pl"),
        # English with Polish-looking one-letter words stays English.
        ("To do so, please write to us in a letter or email.", "en"),
        ("", "en"),
        ("12.3", "en"),
        # French has cue phrases (no model): its texts are routed to them.
        ("Nous pouvons modifier les présentes conditions à tout moment.", "fr"),
        ("Vous acceptez que vos données soient transférées aux États-Unis.", "fr"),
        # A German domain name is not French ("de").
        ("Amazon.de Allgemeine Geschäftsbedingungen", "en"),
        # Informal German.
        ("Du kannst dein Konto jederzeit löschen.", "de"),
        # Languages with neither go to the English model.
        ("Podemos modificar estas condiciones en cualquier momento.", "en"),
        # One German word among English ones is not enough.
        ("The Nutzungsbedingungen of the service are governed by the law of Ireland.", "en"),
        # Headings without function words stay English.
        ("Haftungsbeschränkung", "en"),
    ],
)
def test_guess_language(text: str, expected: str) -> None:
    assert guess_language(text) == expected


def test_a_single_function_word_decides_only_when_no_other_language_is_seen() -> None:
    assert guess_language("Schlussbestimmungen und Gerichtsstand") == "de"
    assert guess_language("Schlussbestimmungen und the terms") == "en"


def test_a_document_language_decides_only_texts_that_show_none() -> None:
    assert function_word_language("Haftungsbeschränkung") is None
    assert function_word_language("12.3") is None
    assert guess_language("Haftungsbeschränkung", default="de") == "de"
    assert guess_language("", default="it") == "it"
    # A text's own clear words win over the document's language.
    assert guess_language("We may change these terms at any time.", default="de") == "en"
    assert guess_language("Wir können diese Bedingungen jederzeit ändern.", default="pl") == "de"
    # Mixed evidence too close to call is not clear evidence: the document decides.
    assert function_word_language("Schlussbestimmungen und the terms") is None
    assert guess_language("Schlussbestimmungen und the terms", default="de") == "de"


def test_in_a_known_document_one_shared_word_does_not_move_a_text() -> None:
    # "la" is Italian and French, "du" German and French: in a French document these stay
    # French; without the document, the lone word decides as before.
    assert guess_language("La File d'Attente", default="fr", document=True) == "fr"
    assert guess_language("Suppression du Compte", default="fr", document=True) == "fr"
    assert guess_language("La File d'Attente") == "it"
    # Clear words of another language still win over the document's.
    english = "We may change these terms at any time, and you agree to them."
    assert guess_language(english, default="fr", document=True) == "en"
    german = "Wir können diese Bedingungen jederzeit und ohne Ankündigung ändern."
    assert guess_language(german, default="it", document=True) == "de"
    # ...but not when the document's own words are about as many.
    mixed = "Le Pass à vie reste actif pendant la durée de vie du Compte."
    assert guess_language(mixed, default="fr", document=True) == "fr"
