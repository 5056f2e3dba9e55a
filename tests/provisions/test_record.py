"""Provision identity in the store, over five successive versions, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clausewatch.provisions.record import (
    ProvisionNotFoundError,
    change_set_for,
    document_provisions,
    provision_history,
    record_version_provisions,
)
from clausewatch.store import Store
from clausewatch.store.models import Document, Platform, Provision, ProvisionText, Version

T0 = datetime(2024, 1, 1, tzinfo=UTC)
PASSWORD = "You are responsible for keeping your password confidential."
WELCOME = "Welcome to Example. These terms govern your use of the Example app and website."
BULLETS = "Do not share your account with anyone else.\n*   Do not create more than one account."
MERGED = "Do not share your account with anyone else, and do not create more than one account."
ARBITRATION = "4.3 All disputes will be resolved by binding arbitration.\n\n"


def _versions(terms: str) -> list[str]:
    v2 = terms.replace("confidential", "confidnetial").replace("4.2 You", ARBITRATION + "4.2 You")
    start, end = v2.index("3\\. Termination"), v2.index("4\\. Disputes")
    v3 = v2[:start] + v2[end:] + "\n" + v2[start:end]
    v3 = v3.replace(WELCOME, WELCOME.replace("Example. These", "Example.\n\nThese"))
    v4 = v3.replace(BULLETS, MERGED).replace("4.1 These", "5.1 These")
    v5 = v4.replace(PASSWORD.replace("confidential", "confidnetial") + "\n\n", "")
    v5 = v5.replace("from the settings page", "by writing to our support team")
    return [terms, v2, v3, v4, v5]


def _document(session: Session) -> Document:
    platform = Platform(slug="example", name="Example")
    session.add(platform)
    session.flush()
    doc = Document(
        platform_id=platform.id, terms_type="Terms of Service", url="https://x", declaration={}
    )
    session.add(doc)
    session.flush()
    return doc


def _add_version(session: Session, doc: Document, text: str, n: int) -> Version:
    version = Version(
        document_id=doc.id,
        fetched_at=T0 + timedelta(days=n),
        text=text,
        text_sha256=hashlib.sha256(text.encode()).hexdigest(),
    )
    session.add(version)
    session.flush()
    return version


def _key_of(session: Session, version: Version, needle: str) -> str:
    for state in document_provisions(session, version.document_id, version.id):
        if needle in state.text:
            return state.key
    raise AssertionError(f"{needle!r} not in version {version.id}")


def test_ids_survive_five_versions(store: Store, terms: str) -> None:
    texts = _versions(terms)
    with store.session() as session:
        doc = _document(session)
        versions = [_add_version(session, doc, text, n) for n, text in enumerate(texts)]
        sets = [record_version_provisions(session, v) for v in versions]

        assert sets[0].materiality == "none" and sets[0].previous_version_id is None
        assert [s.previous_version_id for s in sets[1:]] == [v.id for v in versions[:-1]]
        ireland = [_key_of(session, v, "laws of Ireland") for v in versions]
        assert len(set(ireland)) == 1, "an untouched clause keeps its key, renumbered or not"
        password = [_key_of(session, v, "password") for v in versions[:4]]
        assert len(set(password)) == 1, "a typo does not change the key"
        close = [_key_of(session, v, "close your account") for v in versions]
        assert len(set(close)) == 1, "moved then reworded, still the same provision"

        new_key = _key_of(session, versions[1], "arbitration")
        assert new_key not in {k for v in versions[:1] for k in _all_keys(session, v)}
        counts = sets[1].summary["counts"]
        assert counts["added"] == 1 and counts["modified"] == 1

        split = sets[2].summary["changes"]
        split_change = next(c for c in split if c["kind"] == "split")
        welcome_key = _key_of(session, versions[0], "Welcome to Example")
        kept = _key_of(session, versions[2], "These terms govern")
        assert kept == welcome_key, "the larger part of a split keeps the key"
        assert _key_of(session, versions[2], "Welcome to Example.") != welcome_key
        assert {p["key"] for p in split_change["new"]} == {
            welcome_key,
            _key_of(session, versions[2], "Welcome to Example."),
        }
        assert any(c["kind"] == "moved" for c in split)

        share_key = _key_of(session, versions[2], "share your account")
        create_key = _key_of(session, versions[2], "more than one account")
        assert _key_of(session, versions[3], "share your account") == share_key
        assert create_key != share_key
        merged = next(c for c in sets[3].summary["changes"] if c["kind"] == "merged")
        assert {p["key"] for p in merged["old"]} == {share_key, create_key}

        assert sets[4].summary["counts"]["removed"] == 1
        assert password[0] not in _all_keys(session, versions[4])
        assert sets[4].materiality in ("substantive", "rights_affecting")

        history = provision_history(session, ireland[0])
        assert [s.version_id for s in history.states] == [v.id for v in versions]
        assert history.states[0].text == history.states[-1].text
        for state in history.states:
            version = session.get(Version, state.version_id)
            assert version is not None
            assert version.text[state.start : state.end] == state.text
        total = session.scalar(select(func.count()).select_from(Provision))
        keys = session.scalars(select(Provision.key)).all()
        assert len(set(keys)) == total


def _all_keys(session: Session, version: Version) -> set[str]:
    return {s.key for s in document_provisions(session, version.document_id, version.id)}


def test_recording_is_idempotent(store: Store, terms: str) -> None:
    with store.session() as session:
        doc = _document(session)
        first = _add_version(session, doc, terms, 0)
        second = _add_version(session, doc, terms.replace("Ireland", "France"), 1)
        record_version_provisions(session, first)
        change_set = record_version_provisions(session, second)
        rows = session.scalar(select(func.count()).select_from(ProvisionText))
        provisions = session.scalar(select(func.count()).select_from(Provision))
    with store.session() as session:
        again = session.get(Version, second.id)
        assert again is not None
        repeat = record_version_provisions(session, again)
        assert repeat.id == change_set.id
        assert session.scalar(select(func.count()).select_from(ProvisionText)) == rows
        assert session.scalar(select(func.count()).select_from(Provision)) == provisions
        stored = change_set_for(session, second.id)
        assert stored is not None and stored.summary["counts"]["modified"] == 1


def test_text_that_comes_back_gets_its_old_key(store: Store, terms: str) -> None:
    without = terms.replace(PASSWORD + "\n\n", "")
    with store.session() as session:
        doc = _document(session)
        versions = [_add_version(session, doc, t, n) for n, t in enumerate([terms, without, terms])]
        for version in versions:
            record_version_provisions(session, version)
        assert _key_of(session, versions[2], "password") == _key_of(
            session, versions[0], "password"
        )


def test_unknown_key_is_a_clear_error(store: Store) -> None:
    with store.session() as session, pytest.raises(ProvisionNotFoundError, match="CW-P-999999"):
        provision_history(session, "CW-P-999999")
    with store.session() as session:
        assert document_provisions(session, 12345) == []
        assert change_set_for(session, 12345) is None
