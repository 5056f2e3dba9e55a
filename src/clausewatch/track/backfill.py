"""Provisions, change sets and labels for versions that arrived without them.

Versions imported from an OTA dataset (or recorded before the provisions stage existed) have
text but no provisions. This walks each document's versions oldest first, so every change set
is computed against the version before it, one transaction per version: interrupting it
loses nothing and a rerun continues where it stopped.

``relabel_versions`` is the same walk for a new model: it labels the provisions of versions
analysed before it. Labels are stored per (text, model), so the old model's labels stay
beside the new ones, and no change set or alert is touched: a new model changes what we
say about a document, not the document.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from clausewatch.provisions.record import change_set_for, record_version_provisions
from clausewatch.store import Store
from clausewatch.store.models import ChangeSet, Document, Version
from clausewatch.track.pipeline import Classifications, labels_in_model_language
from clausewatch.versions.metadata import detect_language


@dataclass
class BackfillSummary:
    versions: int = 0
    recorded: int = 0
    already: int = 0

    def to_json(self) -> dict[str, int]:
        return {"versions": self.versions, "recorded": self.recorded, "already": self.already}


def _versions(store: Store, document_id: int | None, *, analysed: bool) -> list[int]:
    """Versions with (``analysed``) or without a change set, oldest first in each document."""
    with store.session() as session:
        query = (
            select(Version.id)
            .outerjoin(ChangeSet, ChangeSet.version_id == Version.id)
            .join(Document, Document.id == Version.document_id)
            .where(ChangeSet.id.is_not(None) if analysed else ChangeSet.id.is_(None))
            .order_by(Version.document_id, Version.fetched_at, Version.id)
        )
        if document_id is not None:
            query = query.where(Version.document_id == document_id)
        return list(session.scalars(query))


def pending_versions(store: Store, document_id: int | None = None) -> list[int]:
    """Versions without a change set, oldest first within each document."""
    return _versions(store, document_id, analysed=False)


def backfill_provisions(
    store: Store,
    *,
    labels: Classifications | None,
    document_id: int | None = None,
    on_planned: Callable[[int], None] | None = None,
    on_done: Callable[[int], None] | None = None,
) -> BackfillSummary:
    ids = pending_versions(store, document_id)
    summary = BackfillSummary(versions=len(ids))

    def step(session: Session, version: Version) -> None:
        if change_set_for(session, version.id) is not None:
            summary.already += 1
            return
        usable = labels_in_model_language(labels, version)
        record_version_provisions(
            session,
            version,
            technical=version.technical,
            classify=usable.provision_classify if usable else None,
        )
        if usable is not None:
            usable.label_version(session, version.id)
        summary.recorded += 1

    _walk(store, ids, step, on_planned, on_done)
    return summary


def _walk(
    store: Store,
    ids: list[int],
    step: Callable[[Session, Version], None],
    on_planned: Callable[[int], None] | None,
    on_done: Callable[[int], None] | None,
) -> None:
    """``step`` on each version, one transaction per version, reporting progress."""
    if on_planned:
        on_planned(len(ids))
    for version_id in ids:
        with store.session() as session:
            version = session.get(Version, version_id)
            assert version is not None
            step(session, version)
        if on_done:
            on_done(version_id)


@dataclass
class RelabelSummary:
    model: str
    versions: int = 0
    texts: int = 0
    """Provision texts labelled by ``model`` in this run (those it had not labelled before)."""
    unlabelled_language: int = 0
    """Versions in a language without a model: left without labels, as when recorded."""
    languages_corrected: int = 0
    """Versions whose detected language the current detector reads differently (an older
    detector called terms set in capitals Igbo): corrected, then labelled in that language."""

    def to_json(self) -> dict[str, int | str]:
        return {
            "model": self.model,
            "versions": self.versions,
            "texts": self.texts,
            "unlabelled_language": self.unlabelled_language,
            "languages_corrected": self.languages_corrected,
        }


def analysed_versions(store: Store, document_id: int | None = None) -> list[int]:
    """Versions whose provisions are recorded (they have a change set), oldest first."""
    return _versions(store, document_id, analysed=True)


def relabel_versions(
    store: Store,
    *,
    labels: Classifications,
    document_id: int | None = None,
    on_planned: Callable[[int], None] | None = None,
    on_done: Callable[[int], None] | None = None,
) -> RelabelSummary:
    """Label every recorded provision text the current model has not labelled yet, one
    transaction per version (interrupt and rerun: done texts are skipped)."""
    ids = analysed_versions(store, document_id)
    summary = RelabelSummary(model=labels.model_id, versions=len(ids))

    def step(session: Session, version: Version) -> None:
        # The language is metadata derived from the text (the text, its hash and the
        # archive are untouched); labels depend on it, so it is read again first.
        detected = detect_language(version.text)
        if detected != version.language:
            version.language = detected
            summary.languages_corrected += 1
        usable = labels_in_model_language(labels, version)
        if usable is None:
            summary.unlabelled_language += 1
        else:
            summary.texts += usable.label_version(session, version.id)

    _walk(store, ids, step, on_planned, on_done)
    return summary
