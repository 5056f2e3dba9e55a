"""Track due documents: fetch concurrently, write through one writer, report a summary.

Fetching is I/O bound and runs concurrently under the fetcher's global and per-host bounds;
writing runs on one thread so SQLite never sees two writers, in batches so a thousand small
documents do not cost a thousand fsyncs. A batch is one transaction: a kill loses at most the
batch in flight, and a rerun fetches those documents again.
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from clausewatch.archive.blobs import BlobStore
from clausewatch.config import Settings
from clausewatch.declarations import DeclarationError, TermsDeclaration, terms_from_body
from clausewatch.extract import Snapshot
from clausewatch.fetch.client import Fetcher
from clausewatch.fetch.errors import FetchError
from clausewatch.store import Store
from clausewatch.store.models import Capture, Document, Event, Platform
from clausewatch.store.types import utcnow
from clausewatch.track.pipeline import (
    Classifications,
    DocumentOutcome,
    SourceOutcome,
    apply_fetch,
    filters_file_for,
    latest_capture,
    latest_captures,
)
from clausewatch.track.precompute import MIN_DOCUMENTS, Precomputed, init_worker, precompute

BATCH_SIZE = 64


@dataclass(frozen=True)
class PlannedSource:
    index: int
    url: str
    execute_client_scripts: bool
    etag: str | None
    last_modified: str | None
    last_sha256: str | None = None


@dataclass(frozen=True)
class PlannedDocument:
    document_id: int
    label: str
    terms: TermsDeclaration
    sources: tuple[PlannedSource, ...]
    filters_file: Path | None = None


@dataclass
class TrackSummary:
    documents: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    problems: list[DocumentOutcome] = field(default_factory=list)
    new_versions: list[DocumentOutcome] = field(default_factory=list)
    elapsed_seconds: float = 0.0

    def add(self, outcome: DocumentOutcome) -> None:
        self.counts[outcome.status] += 1
        if outcome.status in ("failed", "inaccessible"):
            self.problems.append(outcome)
        elif outcome.status == "new_version":
            self.new_versions.append(outcome)

    def to_json(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "new_versions": self.counts["new_version"],
            "changed_without_new_text": self.counts["changed"],
            "unchanged": self.counts["unchanged"],
            "failed": self.counts["failed"],
            "inaccessible": self.counts["inaccessible"],
            "elapsed_seconds": round(self.elapsed_seconds, 3),
            "problems": [
                {
                    "document_id": p.document_id,
                    "document": p.label,
                    "status": p.status,
                    "reason": p.reason,
                }
                for p in self.problems
            ],
        }


def select_documents(
    session: Session,
    *,
    platform: str | None = None,
    document_id: int | None = None,
    due_before: datetime | None = None,
) -> list[Document]:
    query = (
        select(Document)
        .join(Platform)
        .options(joinedload(Document.platform))
        .where(Document.active.is_(True))
        .order_by(Document.id)
    )
    if platform:
        query = query.where(or_(Platform.slug == platform, Platform.name == platform))
    if document_id is not None:
        query = query.where(Document.id == document_id)
    if due_before is not None:
        query = query.where(
            or_(Document.last_checked_at.is_(None), Document.last_checked_at <= due_before)
        )
    return list(session.scalars(query).unique())


def plan(
    store: Store,
    *,
    platform: str | None,
    document_id: int | None,
    force: bool,
    check_interval: timedelta,
) -> tuple[list[PlannedDocument], list[DocumentOutcome]]:
    """Which documents to fetch now, with the validators of their last captures."""
    planned: list[PlannedDocument] = []
    unusable: list[DocumentOutcome] = []
    due_before = None if force or document_id is not None else utcnow() - check_interval
    with store.session() as session:
        for doc in select_documents(
            session, platform=platform, document_id=document_id, due_before=due_before
        ):
            label = f"{doc.platform.name} / {doc.terms_type}"
            try:
                terms = terms_from_body(
                    doc.platform.name, doc.terms_type, doc.declaration, where=f"document {doc.id}"
                )
            except DeclarationError as exc:
                session.add(Event(document_id=doc.id, kind="declaration_invalid", reason=str(exc)))
                unusable.append(DocumentOutcome(doc.id, label, "failed", str(exc)))
                continue
            sources = []
            for index, source in enumerate(terms.sources):
                last = latest_capture(session, doc.id, index)
                sources.append(
                    PlannedSource(
                        index,
                        source.location,
                        source.execute_client_scripts,
                        last.etag if last else None,
                        last.last_modified if last else None,
                        last.content_sha256 if last else None,
                    )
                )
            filters = (
                filters_file_for(session, doc) if any(s.filters for s in terms.sources) else None
            )
            planned.append(PlannedDocument(doc.id, label, terms, tuple(sources), filters))
    return planned, unusable


async def _fetch_source(fetcher: Fetcher, source: PlannedSource) -> SourceOutcome:
    try:
        result = await fetcher.fetch(
            source.url,
            etag=source.etag,
            last_modified=source.last_modified,
            execute_client_scripts=source.execute_client_scripts,
        )
    except FetchError as exc:
        return SourceOutcome(source.index, source.url, error=exc)
    return SourceOutcome(source.index, source.url, result=result)


Fetched = tuple[PlannedDocument, Sequence[SourceOutcome], Precomputed | None]


class _Writer:
    """Applies fetched documents to the store on one thread, a batch per transaction."""

    def __init__(
        self, store: Store, blobs: BlobStore, labels: Classifications | None, archive_only: bool
    ) -> None:
        self.store = store
        self.blobs = blobs
        self.labels = labels
        self.archive_only = archive_only

    def _apply(
        self,
        session: Session,
        item: PlannedDocument,
        outcomes: Sequence[SourceOutcome],
        pre: Precomputed | None,
        previous: Mapping[tuple[int, int], Capture] | None = None,
    ) -> DocumentOutcome:
        document = session.get(Document, item.document_id)
        assert document is not None
        if pre is not None and self.labels is not None:
            self.labels.prime(pre.labels)
        return apply_fetch(
            session,
            self.blobs,
            document,
            item.terms,
            outcomes,
            checked_at=utcnow(),
            labels=self.labels,
            archive_only=self.archive_only,
            filters_file=item.filters_file,
            previous_captures=previous,
            extraction=pre.extraction if pre is not None else None,
        )

    def write(self, batch: Sequence[Fetched]) -> list[DocumentOutcome]:
        try:
            with self.store.session() as session:
                # Two queries for the whole batch instead of two per document.
                ids = [item.document_id for item, _, _ in batch]
                session.scalars(
                    select(Document)
                    .options(joinedload(Document.platform))
                    .where(Document.id.in_(ids))
                ).unique().all()
                previous = latest_captures(session, ids)
                return [
                    self._apply(session, item, outcomes, pre, previous)
                    for item, outcomes, pre in batch
                ]
        except Exception:
            pass
        # One document broke the batch: redo them one by one so only that one fails.
        results = []
        for item, outcomes, pre in batch:
            try:
                with self.store.session() as session:
                    results.append(self._apply(session, item, outcomes, pre))
            except Exception as exc:  # recorded, never silently dropped
                with self.store.session() as session:
                    session.add(
                        Event(
                            document_id=item.document_id,
                            kind="pipeline_error",
                            reason=f"{type(exc).__name__}: {exc}",
                        )
                    )
                results.append(
                    DocumentOutcome(
                        item.document_id,
                        item.label,
                        "failed",
                        f"internal error: {type(exc).__name__}: {exc}",
                    )
                )
        return results


async def track(
    store: Store,
    settings: Settings,
    *,
    platform: str | None = None,
    document_id: int | None = None,
    force: bool = False,
    check_interval: timedelta = timedelta(hours=6),
    labels: Classifications | None = None,
    archive_only: bool = False,
    on_planned: Callable[[int], None] | None = None,
    on_done: Callable[[DocumentOutcome], None] | None = None,
) -> TrackSummary:
    """Fetch every due document (all matching ones with ``force``) through the pipeline.

    ``archive_only`` stops after the capture is archived (no extraction, versions or labels),
    for backfilling bytes fast or measuring the fetch-and-archive path alone.
    """
    started = time.perf_counter()
    planned, unusable = plan(
        store,
        platform=platform,
        document_id=document_id,
        force=force,
        check_interval=check_interval,
    )
    summary = TrackSummary(documents=len(planned) + len(unusable))
    if on_planned:
        on_planned(summary.documents)
    for outcome in unusable:
        summary.add(outcome)
        if on_done:
            on_done(outcome)
    writer = _Writer(store, BlobStore(settings.blob_dir), labels, archive_only)
    queue: asyncio.Queue[Fetched | None] = asyncio.Queue(maxsize=4 * BATCH_SIZE)
    loop = asyncio.get_running_loop()
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="clausewatch-writer")
    workers = (
        ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=init_worker,
            initargs=(os.getpid(),),
        )
        if labels is not None and not archive_only and len(planned) >= MIN_DOCUMENTS
        else None
    )

    async def ahead(item: PlannedDocument, outcomes: Sequence[SourceOutcome]) -> Precomputed | None:
        """Extract and label in the worker when the bytes are new (unchanged ones need nothing)."""
        if workers is None or any(o.result is None for o in outcomes):
            return None
        snapshots = []
        new = False
        for source, outcome in zip(item.sources, outcomes, strict=True):
            result = outcome.result
            assert result is not None
            if result.not_modified:
                if source.last_sha256 is None:
                    return None
                content = await asyncio.to_thread(writer.blobs.get, source.last_sha256)
            else:
                content = result.content
                new = new or hashlib.sha256(content).hexdigest() != source.last_sha256
            snapshots.append(Snapshot(content, result.mime_type, result.url, result.fetched_at))
        if not new:
            return None
        return await loop.run_in_executor(
            workers, precompute, snapshots, item.terms, item.filters_file
        )

    async def fetch_document(fetcher: Fetcher, item: PlannedDocument) -> None:
        outcomes = await asyncio.gather(*(_fetch_source(fetcher, s) for s in item.sources))
        # Blobs are content-addressed and idempotent: writing (and fsyncing) them here, in
        # parallel, keeps the single writer thread for the database alone.
        for outcome in outcomes:
            if outcome.result is not None and not outcome.result.not_modified:
                await asyncio.to_thread(writer.blobs.put, outcome.result.content)
        await queue.put((item, list(outcomes), await ahead(item, outcomes)))

    async def consume() -> None:
        done = False
        while not done:
            first = await queue.get()
            if first is None:
                break
            batch = [first]
            while len(batch) < BATCH_SIZE and not queue.empty():
                nxt = queue.get_nowait()
                if nxt is None:
                    done = True
                    break
                batch.append(nxt)
            for outcome in await loop.run_in_executor(executor, writer.write, batch):
                summary.add(outcome)
                if on_done:
                    on_done(outcome)

    try:
        async with Fetcher(settings) as fetcher:
            consumer = asyncio.create_task(consume())
            producers: asyncio.Future[list[None]] = asyncio.gather(
                *(fetch_document(fetcher, item) for item in planned)
            )
            watched: set[asyncio.Future[Any]] = {consumer, producers}
            try:
                # If the writer dies (the database is gone), stop fetching instead of waiting
                # forever on a full queue.
                await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
                if consumer.done():
                    producers.cancel()
                    consumer.result()  # raises the writer's error
                await producers
            except BaseException:
                producers.cancel()
                consumer.cancel()
                raise
            await queue.put(None)
            await consumer
    finally:
        executor.shutdown(wait=True)
        if workers is not None:
            workers.shutdown(wait=True, cancel_futures=True)
    summary.elapsed_seconds = time.perf_counter() - started
    return summary
