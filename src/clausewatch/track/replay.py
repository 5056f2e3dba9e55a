"""Replay a folder of dated snapshots as if they had been fetched at those times.

This is how history is backfilled (OTA's ``sequence.json`` folders, Wayback Machine downloads
named by date). Each snapshot is archived and chained like a fetch (origin ``replay``), then
extracted with the declaration valid at its date. Rerunning the same folder adds nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from clausewatch.archive.blobs import BlobStore
from clausewatch.declarations import load_service
from clausewatch.declarations.registry import ImportSummary, register_service
from clausewatch.errors import ClausewatchError, NotFoundError
from clausewatch.fetch import decide_mime_type
from clausewatch.fetch.client import FetchResult
from clausewatch.store import Store
from clausewatch.store.models import Capture, Document, Event, Version
from clausewatch.track.pipeline import Classifications, DocumentOutcome, SourceOutcome, apply_fetch

_DATED = re.compile(
    r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
    r"(?:[T_ ](?P<H>\d{2})[-:]?(?P<M>\d{2})[-:]?(?P<S>\d{2})(?:\.\d+)?Z?)?"
)
_WAYBACK = re.compile(r"^(?P<stamp>\d{14})")


class ReplayError(ClausewatchError):
    exit_code = 2


@dataclass(frozen=True)
class DatedSnapshot:
    path: Path
    fetched_at: datetime


@dataclass
class ReplaySummary:
    snapshots: int = 0
    versions: int = 0
    inaccessible: int = 0
    added_versions: int = 0
    skipped_already_replayed: int = 0
    outcomes: list[DocumentOutcome] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "snapshots": self.snapshots,
            "versions": self.versions,
            "inaccessible": self.inaccessible,
            "added_versions": self.added_versions,
            "skipped_already_replayed": self.skipped_already_replayed,
        }


def date_from_name(name: str) -> datetime | None:
    """``2025-09-21T00-32-16Z.html``, ``2025-09-21.html`` or a Wayback ``20250921003216``."""
    if m := _DATED.match(name):
        parts = {k: int(v) if v else 0 for k, v in m.groupdict().items()}
        try:
            return datetime(
                parts["y"], parts["m"], parts["d"], parts["H"], parts["M"], parts["S"], tzinfo=UTC
            )
        except ValueError:
            return None
    if m := _WAYBACK.match(name):
        try:
            return datetime.strptime(m["stamp"], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        except ValueError:
            return None
    return None


def dated_snapshots(directory: Path) -> list[DatedSnapshot]:
    """The snapshots of a folder in time order, from ``sequence.json`` or from file names."""
    directory = Path(directory)
    if not directory.is_dir():
        raise NotFoundError("not a folder of snapshots", where=str(directory))
    sequence = directory / "sequence.json"
    found: list[DatedSnapshot] = []
    if sequence.exists():
        try:
            data = json.loads(sequence.read_text(encoding="utf-8"))
            entries = data["snapshots"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ReplayError(f"unreadable sequence file: {exc}", where=str(sequence)) from exc
        for i, entry in enumerate(entries):
            try:
                when = datetime.fromisoformat(str(entry["fetch_date"]).replace("Z", "+00:00"))
                path = directory / str(entry["file"])
            except (KeyError, ValueError) as exc:
                raise ReplayError(f"snapshots[{i}]: {exc}", where=str(sequence)) from exc
            if not path.exists():
                raise ReplayError(
                    f"snapshots[{i}] names a missing file {path.name}", where=str(sequence)
                )
            found.append(DatedSnapshot(path, when if when.tzinfo else when.replace(tzinfo=UTC)))
    else:
        undated: list[str] = []
        for path in sorted(directory.iterdir()):
            if not path.is_file() or path.name.startswith("."):
                continue
            named = date_from_name(path.name)
            if named is None:
                undated.append(path.name)
            else:
                found.append(DatedSnapshot(path, named))
        if undated:
            raise ReplayError(
                f"cannot tell the fetch date of {len(undated)} file(s), e.g. {undated[0]!r}: name "
                "them by ISO date (2025-09-21T00-32-16Z.html) or add a sequence.json",
                where=str(directory),
            )
    if not found:
        raise ReplayError("no snapshots found", where=str(directory))
    return sorted(found, key=lambda s: s.fetched_at)


def _replayed(snapshot: DatedSnapshot, url: str) -> FetchResult:
    """A file on disk as the fetch result it stands for."""
    content = snapshot.path.read_bytes()
    mime, charset = decide_mime_type(None, content)
    if snapshot.path.suffix.lower() == ".pdf":
        mime = "application/pdf"
    return FetchResult(
        requested_url=url,
        url=url,
        status=200,
        content=content,
        mime_type=mime,
        charset=charset,
        headers={},
        etag=None,
        last_modified=None,
        fetched_at=snapshot.fetched_at,
    )


def replay(
    store: Store,
    blobs: BlobStore,
    directory: Path,
    *,
    declarations: Path,
    service: str,
    terms_type: str,
    labels: Classifications | None,
    on_done: Callable[[DocumentOutcome], None] | None = None,
) -> ReplaySummary:
    snapshots = dated_snapshots(directory)
    path = Path(declarations) / f"{service}.json"
    if not path.exists():
        raise NotFoundError(f"no declaration for service {service!r}", where=str(path))
    declared = load_service(path, strict=False)
    if terms_type not in declared.terms and terms_type not in declared.history:
        known = ", ".join(sorted(declared.terms)) or "none"
        raise NotFoundError(
            f"{service} declares no terms type {terms_type!r} (declared: {known})", where=str(path)
        )
    summary = ReplaySummary(snapshots=len(snapshots))
    with store.session() as session:
        platform = register_service(session, declared, ImportSummary())
        document = session.scalars(
            select(Document).where(
                Document.platform_id == platform.id, Document.terms_type == terms_type
            )
        ).one_or_none()
        if document is None:  # only declared in history: register it from there
            terms = declared.terms_at(terms_type, snapshots[-1].fetched_at)
            document = Document(
                platform_id=platform.id,
                terms_type=terms_type,
                url=terms.location,
                declaration=dict(terms.raw),
                active=False,
            )
            session.add(document)
            session.flush()
        document_id = document.id
        before = (
            session.scalar(select(func.count(Version.id)).where(Version.document_id == document_id))
            or 0
        )
        # Snapshots at or before what an earlier replay already covered are skipped, so a
        # rerun adds nothing and a folder that grew only adds its new files.
        high_water = max(
            (
                t
                for t in session.execute(
                    select(func.max(Capture.fetched_at), func.max(Capture.last_verified_at)).where(
                        Capture.document_id == document_id, Capture.origin == "replay"
                    )
                ).one()
                if t is not None
            ),
            default=None,
        )
    for snapshot in snapshots:
        terms = declared.terms_at(terms_type, snapshot.fetched_at)
        if terms.is_combined:
            raise ReplayError(
                f"{service} / {terms_type} combines {len(terms.sources)} sources at "
                f"{snapshot.fetched_at.isoformat()}; replay takes single-source documents",
                where=str(path),
            )
        result = _replayed(snapshot, terms.location)
        if high_water is not None and snapshot.fetched_at <= high_water:
            summary.skipped_already_replayed += 1
            continue
        with store.session() as session:
            document = session.get(Document, document_id)
            assert document is not None
            outcome = apply_fetch(
                session,
                blobs,
                document,
                terms,
                [SourceOutcome(0, terms.location, result=result)],
                checked_at=snapshot.fetched_at,
                labels=labels,
                origin="replay",
            )
        summary.outcomes.append(outcome)
        if on_done:
            on_done(outcome)
    with store.session() as session:
        summary.versions = (
            session.scalar(select(func.count(Version.id)).where(Version.document_id == document_id))
            or 0
        )
        summary.inaccessible = (
            session.scalar(
                select(func.count(Event.id)).where(
                    Event.document_id == document_id, Event.kind == "inaccessible"
                )
            )
            or 0
        )
    summary.added_versions = summary.versions - before
    return summary
