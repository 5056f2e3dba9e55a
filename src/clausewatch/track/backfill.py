"""Provisions, change sets and labels for versions that arrived without them.

Versions imported from an OTA dataset (or recorded before the provisions stage existed) have
text but no provisions. This walks each document's versions oldest first, so every change set
is computed against the version before it, one transaction per version: interrupting it
loses nothing and a rerun continues where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from clausewatch.provisions.record import change_set_for, record_version_provisions
from clausewatch.store import Store
from clausewatch.store.models import ChangeSet, Document, Version
from clausewatch.track.pipeline import Classifications, labels_in_model_language


@dataclass
class BackfillSummary:
    versions: int = 0
    recorded: int = 0
    already: int = 0

    def to_json(self) -> dict[str, int]:
        return {"versions": self.versions, "recorded": self.recorded, "already": self.already}


def pending_versions(store: Store, document_id: int | None = None) -> list[int]:
    """Versions without a change set, oldest first within each document."""
    with store.session() as session:
        query = (
            select(Version.id)
            .outerjoin(ChangeSet, ChangeSet.version_id == Version.id)
            .join(Document, Document.id == Version.document_id)
            .where(ChangeSet.id.is_(None))
            .order_by(Version.document_id, Version.fetched_at, Version.id)
        )
        if document_id is not None:
            query = query.where(Version.document_id == document_id)
        return list(session.scalars(query))


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
    if on_planned:
        on_planned(len(ids))
    for version_id in ids:
        with store.session() as session:
            version = session.get(Version, version_id)
            assert version is not None
            if change_set_for(session, version_id) is not None:
                summary.already += 1
            else:
                usable = labels_in_model_language(labels, version)
                record_version_provisions(
                    session,
                    version,
                    technical=version.technical,
                    classify=usable.provision_classify if usable else None,
                )
                if usable is not None:
                    usable.label_version(session, version_id)
                summary.recorded += 1
        if on_done:
            on_done(version_id)
    return summary
