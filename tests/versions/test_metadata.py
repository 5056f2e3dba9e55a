"""Stated dates in several languages and formats, language and word counts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from clausewatch.versions.metadata import document_metadata

BODY_EN = "\n\nWe collect the data you give us to run the service and keep it secure."


@pytest.mark.parametrize(
    ("text", "expected", "kind", "span_text"),
    [
        (
            "**Last updated:** 11 September 2025" + BODY_EN,
            date(2025, 9, 11),
            "last_updated",
            "11 September 2025",
        ),
        ("_Effective: April 24, 2025_" + BODY_EN, date(2025, 4, 24), "effective", "April 24, 2025"),
        (
            "This policy was last modified January 30th, 2025." + BODY_EN,
            date(2025, 1, 30),
            "last_updated",
            "January 30th, 2025",
        ),
        ("Effective as of May 24, 2018" + BODY_EN, date(2018, 5, 24), "effective", "May 24, 2018"),
        ("Updated 2026-08-18" + BODY_EN, date(2026, 8, 18), "last_updated", "2026-08-18"),
        ("Last updated: 03/04/2024" + BODY_EN, date(2024, 3, 4), "last_updated", "03/04/2024"),
        (
            "**Last updated: December 2021**" + BODY_EN,
            date(2021, 12, 1),
            "last_updated",
            "December 2021",
        ),
        (
            "Last Updated: Sept. 5, 2023" + BODY_EN,
            date(2023, 9, 5),
            "last_updated",
            "Sept. 5, 2023",
        ),
    ],
)
def test_english_dates(text: str, expected: date, kind: str, span_text: str) -> None:
    meta = document_metadata(text)
    assert meta.stated_date == expected
    assert meta.stated_date_kind == kind
    assert meta.stated_date_span is not None
    start, end = meta.stated_date_span
    assert text[start:end] == span_text
    assert meta.language == "en"


def test_french_date() -> None:
    text = (
        "# Politique de confidentialité\n\nDernière mise à jour : 12 mars 2024\n\n"
        "Nous collectons les données que vous nous confiez pour fournir le service et "
        "assurer sa sécurité. Vous pouvez demander leur suppression à tout moment."
    )
    meta = document_metadata(text)
    assert meta.language == "fr"
    assert meta.stated_date == date(2024, 3, 12)
    assert meta.stated_date_kind == "last_updated"
    assert meta.stated_date_span is not None
    assert text[slice(*meta.stated_date_span)] == "12 mars 2024"


def test_french_effective_date() -> None:
    text = (
        "Les présentes conditions sont en vigueur à compter du 1er janvier 2023. "
        "Elles régissent l'utilisation du service et remplacent toutes les versions antérieures."
    )
    meta = document_metadata(text)
    assert meta.stated_date == date(2023, 1, 1)
    assert meta.stated_date_kind == "effective"


@pytest.mark.parametrize(
    ("line", "expected", "kind"),
    [
        ("Stand: 01.03.2024", date(2024, 3, 1), "last_updated"),
        ("Zuletzt aktualisiert am 5. Januar 2023", date(2023, 1, 5), "last_updated"),
        ("Gültig ab 15. Mai 2022", date(2022, 5, 15), "effective"),
    ],
)
def test_german_dates(line: str, expected: date, kind: str) -> None:
    text = (
        f"# Datenschutzerklärung\n\n{line}\n\nWir verarbeiten Ihre personenbezogenen Daten "
        "nur, soweit dies zur Bereitstellung unserer Dienste erforderlich ist."
    )
    meta = document_metadata(text)
    assert meta.language == "de"
    assert meta.stated_date == expected
    assert meta.stated_date_kind == kind


def test_spanish_date() -> None:
    text = (
        "Última actualización: 3 de mayo de 2023. Recopilamos sus datos personales para "
        "prestar el servicio y mantenerlo seguro."
    )
    assert document_metadata(text).stated_date == date(2023, 5, 3)


def test_documents_without_a_stated_date() -> None:
    for text in (
        "These terms are effective until terminated by either party." + BODY_EN,
        "We measure the effectiveness of our advertising in 2024." + BODY_EN,
        "Stand der Technik: wir schützen Ihre Daten nach dem aktuellen Stand.",
        "",
    ):
        meta = document_metadata(text)
        assert meta.stated_date is None and meta.stated_date_kind is None
        assert meta.stated_date_span is None


def test_first_stated_date_wins() -> None:
    text = "Effective date: April 29, 2026\n\nLast updated: April 22, 2026" + BODY_EN
    meta = document_metadata(text)
    assert meta.stated_date == date(2026, 4, 29) and meta.stated_date_kind == "effective"


def test_word_count_ignores_link_targets_and_markup() -> None:
    meta = document_metadata("# Title\n\nRead [our policy](https://example.com/a/b/c) **now**.")
    assert meta.word_count == 5


def test_empty_text_has_no_language() -> None:
    meta = document_metadata("")
    assert meta.language is None and meta.word_count == 0


CAPITALS = (
    "ALL PRODUCTS AND SERVICES PROVIDED BY THE COMPANY ARE SUBJECT TO THIS TERMS OF USE "
    "NOTICE. BY USING THE SERVICE, YOU OR YOUR PARENTS (OR GUARDIAN) EXPRESSLY CONSENT TO BE "
    "BOUND BY THIS NOTICE, INCLUDING ANY UPDATED VERSION, AND ALL APPLICABLE LAWS AND "
    "REGULATIONS. THE SERVICE IS PROVIDED AS IS, WITHOUT WARRANTY OF ANY KIND."
)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (CAPITALS, "en"),
        ("#### Terms Of Use Notice\n\n" + CAPITALS + "\n\n1. **Acknowledgement**", "en"),
        (
            "DIESE NUTZUNGSBEDINGUNGEN GELTEN FÜR ALLE DIENSTE. DER ANBIETER HAFTET NICHT FÜR "
            "SCHÄDEN, DIE DURCH DIE NUTZUNG DER DIENSTE ENTSTEHEN, SOWEIT GESETZLICH ZULÄSSIG.",
            "de",
        ),
        # Ordinary capitalisation is left as it is.
        ("Wir verarbeiten Ihre Daten nur, soweit es für den Vertrag erforderlich ist.", "de"),
        ("We collect the data you give us to run the service and keep it secure.", "en"),
    ],
)
def test_text_in_capitals_keeps_its_language(text: str, language: str) -> None:
    assert document_metadata(text).language == language


def test_terms_set_in_capitals_are_english(shared_data: Path) -> None:
    """ASUS's terms open with 1,000 characters in capitals, which py3langid alone calls Igbo;
    a version in a language without a model gets no labels at all."""
    folder = shared_data / "ota" / "contrib-dataset" / "ASUS" / "Terms of Service"
    files = sorted(folder.glob("*.md"))
    if not files:
        pytest.skip(f"no ASUS terms in {folder}")
    for path in files:
        assert document_metadata(path.read_text(encoding="utf-8")).language == "en", path.name
