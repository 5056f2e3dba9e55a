"""Import version histories published in Open Terms Archive's dataset release layout.

``<Service>/<Terms type>/<YYYY-MM-DDTHH-MM-SSZ>.md``: a new install starts from years of real
history without fetching anything. Every text goes through the same decision as a fetched one,
so reruns add nothing and texts OTA kept that are not documents (empty pages, bare titles)
become inaccessibility events, not versions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clausewatch.declarations.registry import ensure_platform, slugify
from clausewatch.errors import ClausewatchError, NotFoundError
from clausewatch.store.models import Document, Event
from clausewatch.versions.decide import check_content
from clausewatch.versions.record import INACCESSIBLE, record_inaccessible, record_text

DATASET_EXTRACTOR = "opentermsarchive"
_FILE_NAME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})T(?P<h>\d{2})-(?P<m>\d{2})-(?P<s>\d{2})(?:\.(?P<f>\d{1,6}))?Z\.md$"
)

Progress = Callable[[int, int, str], None]


class DatasetFileError(ClausewatchError):
    """One file of the dataset cannot be imported; the import goes on without it."""


@dataclass
class DatasetImportSummary:
    documents: int = 0
    files: int = 0
    platforms_created: int = 0
    documents_created: int = 0
    versions_added: int = 0
    versions_unchanged: int = 0
    versions_rejected: int = 0
    errors: list[DatasetFileError] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "files": self.files,
            "platforms_created": self.platforms_created,
            "documents_created": self.documents_created,
            "versions_added": self.versions_added,
            "versions_unchanged": self.versions_unchanged,
            "versions_rejected": self.versions_rejected,
            "errors": [str(e) for e in self.errors],
        }


def parse_file_name(path: Path) -> datetime:
    """The fetch time a dataset file is named after (UTC)."""
    match = _FILE_NAME.match(path.name)
    if match is None:
        raise DatasetFileError(
            "file name is not a fetch date like 2023-05-04T10-00-00Z.md", where=str(path)
        )
    fraction = (match["f"] or "0").ljust(6, "0")
    try:
        return datetime.fromisoformat(
            f"{match['date']}T{match['h']}:{match['m']}:{match['s']}.{fraction}"
        ).replace(tzinfo=UTC)
    except ValueError as exc:
        raise DatasetFileError(f"not a valid date: {exc}", where=str(path)) from None


def _index_urls(directory: Path) -> dict[tuple[str, str], str]:
    """Source URLs the dataset's index.json gives, if it gives any (OTA's own does not)."""
    path = directory / "index.json"
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    urls: dict[tuple[str, str], str] = {}
    for entry in entries if isinstance(entries, list) else ():
        if not isinstance(entry, dict):
            continue
        url = entry.get("url") or entry.get("fetch") or entry.get("location")
        service, terms_type = entry.get("service"), entry.get("terms_type")
        if isinstance(url, str) and isinstance(service, str) and isinstance(terms_type, str):
            urls[(service, terms_type)] = url
    return urls


def _document_dirs(directory: Path) -> Iterator[Path]:
    for service_dir in sorted(p for p in directory.iterdir() if p.is_dir()):
        if service_dir.name.startswith("."):
            continue
        yield from sorted(p for p in service_dir.iterdir() if p.is_dir())


def _document(
    session: Session, service: str, terms_type: str, url: str, summary: DatasetImportSummary
) -> Document:
    platform, created = ensure_platform(session, service, slugify(service))
    summary.platforms_created += created
    document = session.scalars(
        select(Document).where(
            Document.platform_id == platform.id, Document.terms_type == terms_type
        )
    ).one_or_none()
    if document is None:
        document = Document(platform_id=platform.id, terms_type=terms_type, url=url, declaration={})
        session.add(document)
        session.flush()
        summary.documents_created += 1
    return document


def _already_rejected(session: Session, document: Document, at: datetime, reason: str) -> bool:
    query = select(Event.id).where(
        Event.document_id == document.id,
        Event.kind == INACCESSIBLE,
        Event.at == at,
        Event.reason == reason,
    )
    return session.scalars(query).first() is not None


def _import_document(
    session: Session, doc_dir: Path, url: str, summary: DatasetImportSummary
) -> None:
    dated: list[tuple[datetime, Path]] = []
    for path in sorted(doc_dir.iterdir()):
        if not path.is_file():
            continue
        summary.files += 1
        try:
            dated.append((parse_file_name(path), path))
        except DatasetFileError as exc:
            summary.errors.append(exc)
    if not dated:
        return
    document = _document(session, doc_dir.parent.name, doc_dir.name, url, summary)
    for fetched_at, path in sorted(dated):
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            summary.errors.append(
                DatasetFileError(f"not UTF-8 ({exc.reason} at byte {exc.start})", where=str(path))
            )
            continue
        except OSError as exc:
            summary.errors.append(DatasetFileError(f"cannot read: {exc.strerror}", where=str(path)))
            continue
        reason = check_content(text)
        if reason is not None:
            summary.versions_rejected += 1
            if not _already_rejected(session, document, fetched_at, reason):
                record_inaccessible(
                    session,
                    document,
                    reason=reason,
                    url=document.url or None,
                    fetched_at=fetched_at,
                    detail={"origin": "dataset", "file": str(path)},
                )
            continue
        version = record_text(
            session,
            document,
            text,
            fetched_at=fetched_at,
            origin="dataset",
            extractor=DATASET_EXTRACTOR,
            check=False,
        )
        if version is None:
            summary.versions_unchanged += 1
        else:
            summary.versions_added += 1


def import_ota_dataset(
    session: Session, directory: Path, *, progress: Progress | None = None
) -> DatasetImportSummary:
    """Import every document of a dataset folder, committing after each one.

    Pass a plain session (not one inside ``session.begin()``): committing per document is
    what lets an interrupted import keep its finished documents and resume on rerun.
    Broken files are reported in the summary and skipped; the rest goes on.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise NotFoundError("not a dataset folder", where=str(directory))
    urls = _index_urls(directory)
    doc_dirs = list(_document_dirs(directory))
    summary = DatasetImportSummary()
    for done, doc_dir in enumerate(doc_dirs, start=1):
        service, terms_type = doc_dir.parent.name, doc_dir.name
        _import_document(session, doc_dir, urls.get((service, terms_type), ""), summary)
        session.commit()
        summary.documents += 1
        if progress is not None:
            progress(done, len(doc_dirs), f"{service} / {terms_type}")
    return summary
