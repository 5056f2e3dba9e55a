"""Recording versions and inaccessibility events on real SQLite and PostgreSQL stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clausewatch.declarations.registry import ensure_platform
from clausewatch.store import Store
from clausewatch.store.models import Document, Event, Version
from clausewatch.versions.normalise import text_fingerprint
from clausewatch.versions.record import (
    InaccessibleText,
    get_version,
    latest_version,
    record_extraction,
    record_inaccessible,
    record_text,
    versions_of,
)

T0 = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
A = (
    "# Terms\n\nLast updated: January 1, 2024\n\nThese terms govern your use of the service. "
    "You must be 16 or older. We may suspend accounts that break these terms.\n"
)
B = A.replace("16 or older", "18 or older").replace("January 1, 2024", "March 1, 2024")
C = A.replace("We may suspend", "We will suspend")


def _document(session: Session) -> Document:
    platform, _ = ensure_platform(session, "Acme")
    document = Document(
        platform_id=platform.id,
        terms_type="Terms of Service",
        url="https://a.example/t",
        declaration={},
    )
    session.add(document)
    session.flush()
    return document


def _texts(session: Session, document: Document) -> list[str]:
    return [v.text for v in versions_of(session, document.id)]


def test_first_text_then_only_real_changes(store: Store) -> None:
    with store.session() as session:
        doc = _document(session)
        first = record_text(session, doc, A, fetched_at=T0, capture_ids=[7], extractor="x1")
        assert first is not None
        assert first.text_sha256 == text_fingerprint(A)
        assert first.capture_ids == [7] and first.extractor == "x1" and first.origin == "fetch"
        assert first.language == "en" and first.word_count > 20
        assert first.stated_date == "2024-01-01"
        noisy = A.replace("\n", "  \r\n") + "\n\n\n"
        assert record_text(session, doc, noisy, fetched_at=T0 + timedelta(hours=1)) is None
        assert record_text(session, doc, A, fetched_at=T0 + timedelta(hours=2)) is None
        second = record_text(session, doc, B, fetched_at=T0 + timedelta(days=1))
        assert second is not None and second.stated_date == "2024-03-01"
        assert not second.technical
    with store.session() as session:
        assert _texts(session, doc) == [A, B]
        latest = latest_version(session, doc.id)
        assert latest is not None and latest.id == second.id
        fetched = get_version(session, first.id)
        assert fetched is not None and fetched.fetched_at == T0


def test_typography_only_change_is_stored_as_technical(store: Store) -> None:
    with store.session() as session:
        doc = _document(session)
        record_text(session, doc, A, fetched_at=T0)
        version = record_text(
            session, doc, A.replace("# Terms", "Terms\n====="), fetched_at=T0 + timedelta(days=1)
        )
        assert version is not None and version.technical


def test_same_captures_read_by_a_new_extractor_is_technical(store: Store) -> None:
    with store.session() as session:
        doc = _document(session)
        record_text(session, doc, A, fetched_at=T0, capture_ids=[1], extractor="cw-extract/1")
        upgraded = record_text(
            session, doc, C, fetched_at=T0, capture_ids=[1], extractor="cw-extract/2"
        )
        assert upgraded is not None and upgraded.technical
        real = record_text(
            session,
            doc,
            B,
            fetched_at=T0 + timedelta(days=1),
            capture_ids=[2],
            extractor="cw-extract/2",
        )
        assert real is not None and not real.technical


def test_backfill_is_compared_with_the_version_before_it(store: Store) -> None:
    with store.session() as session:
        doc = _document(session)
        record_text(session, doc, A, fetched_at=T0)
        record_text(session, doc, B, fetched_at=T0 + timedelta(days=10))
        # arrives late but was fetched in between: a different text, so a version in its place
        middle = record_text(session, doc, C, fetched_at=T0 + timedelta(days=5))
        assert middle is not None
        # arrives late, equal to the version before it in time: nothing new
        assert record_text(session, doc, A, fetched_at=T0 + timedelta(days=2)) is None
        # arrives late, equal to the version right after it: would duplicate it
        assert record_text(session, doc, B, fetched_at=T0 + timedelta(days=8)) is None
        # older than everything and equal to the first version: would duplicate it
        assert record_text(session, doc, A, fetched_at=T0 - timedelta(days=3)) is None
    with store.session() as session:
        assert _texts(session, doc) == [A, C, B]
        latest = latest_version(session, doc.id)
        assert latest is not None and latest.text == B
        count = session.scalar(select(func.count()).select_from(Version))
        assert count == 3


def test_rerun_of_the_same_history_adds_nothing(store: Store) -> None:
    history = [(T0, A), (T0 + timedelta(days=1), B), (T0 + timedelta(days=2), A)]
    with store.session() as session:
        doc = _document(session)
        added = [record_text(session, doc, text, fetched_at=at) for at, text in history]
        assert all(v is not None for v in added)  # A -> B -> A back again: three versions
        again = [record_text(session, doc, text, fetched_at=at) for at, text in history]
        assert again == [None, None, None]
        assert _texts(session, doc) == [A, B, A]


def test_inaccessible_text_becomes_an_event_and_keeps_the_versions(store: Store) -> None:
    with store.session() as session:
        doc = _document(session)
        record_text(session, doc, A, fetched_at=T0)
        with pytest.raises(InaccessibleText) as caught:
            record_text(session, doc, "Just a moment...\nChecking your browser", fetched_at=T0)
        assert "bot wall" in caught.value.reason
        outcome = record_extraction(
            session, doc, "", fetched_at=T0 + timedelta(days=1), capture_ids=[3]
        )
        assert isinstance(outcome, Event)
        assert outcome.kind == "inaccessible" and outcome.reason == "empty content"
        assert outcome.url == doc.url and outcome.detail["capture_ids"] == [3]
        event = record_inaccessible(
            session,
            doc,
            reason="selector matched nothing: #terms",
            url="https://a.example/t",
            fetched_at=T0 + timedelta(days=2),
            detail={"selector": "#terms"},
        )
        assert event.at == T0 + timedelta(days=2)
        # the next real fetch is compared with the last version, not with the failures
        assert record_extraction(session, doc, A, fetched_at=T0 + timedelta(days=3)) is None
    with store.session() as session:
        assert _texts(session, doc) == [A]
        kinds = session.scalars(select(Event.reason).where(Event.document_id == doc.id)).all()
        assert sorted(kinds) == ["empty content", "selector matched nothing: #terms"]


def test_naive_times_are_refused(store: Store) -> None:
    with store.session() as session:
        doc = _document(session)
        with pytest.raises(ValueError, match="timezone-aware"):
            record_text(session, doc, A, fetched_at=datetime(2024, 1, 1))
