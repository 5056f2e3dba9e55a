"""Re-check the whole archive: every blob against its name, every ledger link against its
neighbours and against the capture it records.

Everything streams: rows are read in batches and blobs are re-hashed in chunks, so verifying
an archive of any size needs a constant amount of memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clausewatch.archive.blobs import BlobMissing, BlobStore
from clausewatch.archive.ledger import (
    GENESIS_HASH,
    ChainHead,
    compute_record_hash,
    format_time,
)
from clausewatch.store.models import Blob, Capture, Document, LedgerRecord, Platform

ProblemKind = Literal[
    "blob_missing",
    "blob_modified",
    "record_altered",
    "record_removed",
    "order_broken",
    "orphan_blob",
]
INFO_KINDS: frozenset[str] = frozenset({"orphan_blob"})
Progress = Callable[[str, int, int], None]
"""Called as ``progress(phase, done, total)``; ``total`` is 0 when it is not known."""

BATCH = 1000


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the archive, located by ledger ``seq`` and/or blob ``sha``."""

    kind: ProblemKind
    seq: int | None = None
    sha: str | None = None
    detail: str = ""

    @property
    def is_info(self) -> bool:
        return self.kind in INFO_KINDS

    def line(self) -> str:
        """The one line the CLI prints, e.g. ``seq 12: record altered: url differs (...)``."""
        where = (
            f"seq {self.seq}" if self.seq is not None else f"blob {self.sha}" if self.sha else ""
        )
        label = self.kind.replace("_", " ")
        return f"{where}: {label}: {self.detail}" if where else f"{label}: {self.detail}"


@dataclass
class VerifyReport:
    problems: list[Problem] = field(default_factory=list)
    records: int = 0
    captures: int = 0
    blobs: int = 0
    head: ChainHead = field(default_factory=lambda: ChainHead(0, GENESIS_HASH))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_info]

    @property
    def infos(self) -> list[Problem]:
        return [p for p in self.problems if p.is_info]

    @property
    def ok(self) -> bool:
        """True when nothing but information-level findings (orphan blobs) turned up."""
        return not self.errors


def _noop(_phase: str, _done: int, _total: int) -> None:
    return None


def _span(first: int, last: int) -> str:
    return f"record {first} is" if first == last else f"records {first}-{last} are"


def _check_anchor(report: VerifyReport, anchor: ChainHead, found: str | None) -> None:
    """Only an anchor kept outside the database reveals a truncated or rewritten tail."""
    if anchor.seq <= 0:
        return
    if found is None:
        report.problems.append(
            Problem(
                "record_removed",
                seq=anchor.seq,
                detail=f"anchored record {anchor.seq} is gone "
                f"(the ledger ends at {report.head.seq})",
            )
        )
    elif found != anchor.record_hash:
        report.problems.append(
            Problem(
                "record_altered",
                seq=anchor.seq,
                detail=f"record hash {found} is not the anchored {anchor.record_hash}",
            )
        )


def _check_ledger(
    session: Session, report: VerifyReport, progress: Progress, anchor: ChainHead | None
) -> set[int]:
    """Walk the chain in seq order; return the seqs found missing inside it."""
    total = session.scalar(select(func.count()).select_from(LedgerRecord)) or 0
    doc_key = Platform.slug + "/" + Document.terms_type
    stmt = (
        select(
            LedgerRecord.seq,
            LedgerRecord.capture_id,
            LedgerRecord.platform,
            LedgerRecord.document,
            LedgerRecord.url,
            LedgerRecord.fetched_at,
            LedgerRecord.http_status,
            LedgerRecord.content_sha256,
            LedgerRecord.prev_hash,
            LedgerRecord.record_hash,
            Capture.id,
            Capture.url,
            Capture.fetched_at,
            Capture.http_status,
            Capture.content_sha256,
            Capture.ledger_seq,
            doc_key,
        )
        .outerjoin(Capture, Capture.id == LedgerRecord.capture_id)
        .outerjoin(Document, Document.id == Capture.document_id)
        .outerjoin(Platform, Platform.id == Document.platform_id)
        .order_by(LedgerRecord.seq)
        .execution_options(yield_per=BATCH)
    )
    problems = report.problems
    missing: set[int] = set()
    prev_seq = 0
    prev_hash = GENESIS_HASH
    prev_intact = True
    anchored: str | None = None
    done = 0
    for row in session.execute(stmt):
        (seq, capture_id, platform, document, url, fetched_at, status, sha, link, stored) = row[:10]
        c_id, c_url, c_fetched, c_status, c_sha, c_seq, c_doc = row[10:]
        fields: dict[str, Any] = {
            "seq": seq,
            "platform": platform,
            "document": document,
            "url": url,
            "fetched_at": fetched_at,
            "http_status": status,
            "content_sha256": sha,
            "prev_hash": link,
        }
        computed = compute_record_hash(fields)
        intact = computed == stored
        if not intact:
            problems.append(
                Problem(
                    "record_altered",
                    seq=seq,
                    detail=f"record hash does not match its fields (stored {stored}, "
                    f"recomputed {computed})",
                )
            )
        gap = seq != prev_seq + 1
        if seq > prev_seq + 1:
            missing.update(range(prev_seq + 1, seq))
            problems.append(
                Problem(
                    "record_removed",
                    seq=prev_seq + 1,
                    detail=f"{_span(prev_seq + 1, seq - 1)} missing "
                    f"(the chain jumps from {prev_seq} to {seq})",
                )
            )
        elif seq < prev_seq + 1:
            problems.append(
                Problem("record_altered", seq=seq, detail=f"seq {seq} is out of range (< 1)")
            )
        if not gap and intact and prev_intact and link != prev_hash:
            before = "the genesis hash" if prev_seq == 0 else f"record {prev_seq}'s hash"
            problems.append(
                Problem(
                    "order_broken",
                    seq=seq,
                    detail=f"prev_hash {link} is not {before} {prev_hash}",
                )
            )
        if c_id is None:
            problems.append(
                Problem("record_altered", seq=seq, detail=f"its capture {capture_id} is gone")
            )
        else:
            ledger_vs_capture = (
                ("url", url, c_url),
                ("fetched_at", fetched_at, format_time(c_fetched)),
                ("http_status", status, c_status),
                ("content_sha256", sha, c_sha),
                ("document", document, c_doc),
                ("seq", seq, c_seq),
            )
            for name, in_ledger, in_capture in ledger_vs_capture:
                if in_ledger != in_capture:
                    problems.append(
                        Problem(
                            "record_altered",
                            seq=seq,
                            detail=f"{name} differs (ledger {in_ledger}, "
                            f"capture {capture_id} {in_capture})",
                        )
                    )
        if anchor is not None and seq == anchor.seq:
            anchored = stored
        prev_seq, prev_hash, prev_intact = seq, stored, intact
        done += 1
        report.records = done
        if done % BATCH == 0 or done == total:
            progress("ledger", done, total)
    if done:
        report.head = ChainHead(prev_seq, prev_hash)
    if anchor is not None:
        _check_anchor(report, anchor, anchored)
    return missing


def _check_captures(session: Session, report: VerifyReport, missing: set[int]) -> None:
    """Captures that the ledger does not account for: their records were deleted."""
    report.captures = session.scalar(select(func.count()).select_from(Capture)) or 0
    stmt = (
        select(Capture.id, Capture.url, Capture.ledger_seq)
        .outerjoin(LedgerRecord, LedgerRecord.seq == Capture.ledger_seq)
        .where(LedgerRecord.seq.is_(None))
        .order_by(Capture.id)
        .execution_options(yield_per=BATCH)
    )
    for capture_id, url, seq in session.execute(stmt):
        if seq is None:
            report.problems.append(
                Problem(
                    "record_removed",
                    detail=f"capture {capture_id} ({url}) has no ledger record",
                )
            )
        elif seq not in missing:
            report.problems.append(
                Problem(
                    "record_removed",
                    seq=seq,
                    detail=f"record {seq} of capture {capture_id} ({url}) is gone",
                )
            )


def _users(session: Session, sha: str) -> str:
    seqs = session.scalars(
        select(Capture.ledger_seq)
        .where(Capture.content_sha256 == sha)
        .order_by(Capture.ledger_seq)
        .limit(6)
    ).all()
    shown = ", ".join(str(s) for s in seqs[:5]) + (", ..." if len(seqs) > 5 else "")
    return f"used by records {shown}" if seqs else "used by no capture"


def _check_blob(
    session: Session, blobs: BlobStore, report: VerifyReport, sha: str, *, has_row: bool
) -> None:
    path = blobs.path(sha)
    try:
        actual = blobs.rehash(sha)
    except BlobMissing:
        extra = "" if has_row else "; it has no blob row either"
        report.problems.append(
            Problem(
                "blob_missing",
                sha=sha,
                detail=f"file {path} is gone ({_users(session, sha)}){extra}",
            )
        )
        return
    if actual != sha:
        report.problems.append(
            Problem(
                "blob_modified",
                sha=sha,
                detail=f"file {path} now hashes to {actual} ({_users(session, sha)})",
            )
        )


def _check_blobs(
    session: Session, blobs: BlobStore, report: VerifyReport, progress: Progress
) -> None:
    total = session.scalar(select(func.count()).select_from(Blob)) or 0
    stmt = select(Blob.sha256).order_by(Blob.sha256).execution_options(yield_per=BATCH)
    done = 0
    for sha in session.scalars(stmt):
        _check_blob(session, blobs, report, sha, has_row=True)
        done += 1
        if done % 100 == 0 or done == total:
            progress("blobs", done, total)
    report.blobs = done
    # Only reachable when foreign keys were bypassed; the capture still needs its bytes.
    unlisted = (
        select(Capture.content_sha256)
        .outerjoin(Blob, Blob.sha256 == Capture.content_sha256)
        .where(Blob.sha256.is_(None))
        .distinct()
    )
    for sha in session.scalars(unlisted).all():
        _check_blob(session, blobs, report, sha, has_row=False)


def _batched(items: Iterator[str], size: int) -> Iterator[list[str]]:
    while batch := list(islice(items, size)):
        yield batch


def _check_orphans(
    session: Session, blobs: BlobStore, report: VerifyReport, progress: Progress
) -> None:
    """Files no row points to: left by a crash between the blob write and the commit."""
    done = 0
    for batch in _batched(blobs.iter_shas(), 500):
        known = set(session.scalars(select(Blob.sha256).where(Blob.sha256.in_(batch))))
        for sha in batch:
            if sha not in known:
                report.problems.append(
                    Problem(
                        "orphan_blob",
                        sha=sha,
                        detail=f"file {blobs.path(sha)} is not recorded in the database",
                    )
                )
        done += len(batch)
        progress("files", done, 0)
    for tmp in blobs.iter_temp_files():
        report.problems.append(
            Problem("orphan_blob", detail=f"leftover temporary file {tmp} of an interrupted write")
        )


def verify_archive(
    session: Session,
    blobs: BlobStore,
    *,
    progress: Progress | None = None,
    anchor: ChainHead | None = None,
) -> VerifyReport:
    """Check every blob and the whole chain; the report lists each problem found, precisely.

    The chain proves every record against the ones before it, so removing the newest records
    together with their captures, or rewriting the whole chain, leaves no trace inside the
    database. ``anchor`` is a ``(seq, record_hash)`` published elsewhere earlier (printed by
    every verify run): the record at that seq must still carry that hash.

    Run it inside one transaction (REPEATABLE READ on PostgreSQL) to see a consistent archive
    while trackers keep appending.
    """
    report = VerifyReport()
    step = progress or _noop
    missing = _check_ledger(session, report, step, anchor)
    _check_captures(session, report, missing)
    _check_blobs(session, blobs, report, step)
    _check_orphans(session, blobs, report, step)
    return report
