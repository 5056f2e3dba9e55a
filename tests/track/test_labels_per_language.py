"""A provision text is labelled once per document language: a text with no language of its
own (a name, a heading) is read by its document's language model, so the labels of the same
text differ between an English and a German document and both are kept."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import select
from tests.track.conftest import legal_page, replay_pages

from clausewatch.config import Settings
from clausewatch.store import Store
from clausewatch.store.models import Classification, ProvisionText, Version
from clausewatch.store.queries import labels_for
from clausewatch.track.backfill import relabel_versions
from clausewatch.track.pipeline import load_classifications

NEUTRAL = "Spotify Premium Family 2024."
GERMAN = [
    "Wir können diese Bedingungen jederzeit und ohne vorherige Ankündigung ändern.",
    "Sie behalten die Rechte an den Inhalten, die Sie über den Dienst veröffentlichen.",
    NEUTRAL,
]
ENGLISH = [
    "We may change these terms at any time without notice to you.",
    "You keep ownership of the content you upload to the service.",
    NEUTRAL,
]


def _replay_german_then_english(store: Store, settings: Settings, tmp_path: Path) -> None:
    pages = {
        "2024-01-01": legal_page("Nutzungsbedingungen", GERMAN),
        "2024-06-01": legal_page("Terms of Use", ENGLISH),
    }
    replay_pages(store, settings, tmp_path, "snaps", pages)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _neutral_sha(store: Store) -> str:
    with store.session() as s:
        shas = {
            row.text_sha256
            for row in s.scalars(select(ProvisionText))
            if row.text.strip() == NEUTRAL
        }
    assert len(shas) == 1, "the shared text is one provision text in both versions"
    return shas.pop()


def test_the_same_text_keeps_its_labels_in_each_document_language(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    _replay_german_then_english(store, settings, tmp_path)
    with store.session() as s:
        languages = [v.language for v in s.scalars(select(Version).order_by(Version.id))]
    assert languages == ["de", "en"]
    sha = _neutral_sha(store)
    with store.session() as s:
        rows = s.scalars(select(Classification).where(Classification.text_sha256 == sha)).all()
        by_language = {row.language: dict(row.result) for row in rows}
        assert set(by_language) == {"de", "en"}
        # Each row was read by its document's model, not by the first document's.
        assert by_language["de"]["language"] == "de"
        assert by_language["en"]["language"] == "en"
        assert labels_for(s, [sha], "de")[sha]["language"] == "de"
        assert labels_for(s, [sha], "en")[sha]["language"] == "en"
        # A text with words of its own is stored once per document language it occurs in.
        german = _sha(GERMAN[0])
        assert [
            r.language
            for r in s.scalars(select(Classification).where(Classification.text_sha256 == german))
        ] == ["de"]


def test_relabel_adds_nothing_when_every_language_is_labelled(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    _replay_german_then_english(store, settings, tmp_path)
    shipped = load_classifications()
    assert shipped is not None
    summary = relabel_versions(store, labels=shipped)
    assert summary.texts == 0


def test_labels_for_prefers_the_language_then_unkeyed_rows_then_any(store: Store) -> None:
    sha = "a" * 64
    with store.session() as s:
        s.add(Classification(text_sha256=sha, model="m1", language="it", result={"n": "it"}))
        s.add(Classification(text_sha256=sha, model="m1", language="", result={"n": "old"}))
        s.add(Classification(text_sha256=sha, model="m1", language="de", result={"n": "de"}))
    with store.session() as s:
        assert labels_for(s, [sha], "de")[sha] == {"n": "de"}
        assert labels_for(s, [sha], "it")[sha] == {"n": "it"}
        # No row for French: the row recorded before languages were kept.
        assert labels_for(s, [sha], "fr")[sha] == {"n": "old"}
        assert labels_for(s, [sha], None)[sha] == {"n": "old"}
        assert labels_for(s, ["b" * 64], "de") == {}
        assert labels_for(s, [], "de") == {}
    with store.session() as s:
        s.query(Classification).filter(Classification.language == "").delete()
    with store.session() as s:
        # Only other languages left: the newest of them.
        assert labels_for(s, [sha], "fr")[sha] == {"n": "de"}
    with store.session() as s:
        # A newer model's row for the language wins over the older one.
        s.add(Classification(text_sha256=sha, model="m2", language="de", result={"n": "de2"}))
    with store.session() as s:
        assert labels_for(s, [sha], "de")[sha] == {"n": "de2"}
