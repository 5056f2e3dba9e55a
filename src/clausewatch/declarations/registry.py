"""Register declared services as platforms and documents, keeping every declaration body.

Importing is idempotent: the same folder imported twice changes nothing; a changed body is
added to the declaration history and becomes the document's current declaration.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clausewatch.declarations.model import (
    Problem,
    ServiceDeclaration,
    TermsDeclaration,
    validate_directory,
)
from clausewatch.store.models import DeclarationRecord, Document, Event, Platform


def slugify(name: str) -> str:
    """A stable URL-safe slug: 'Coffee Meets Bagel' -> 'coffee-meets-bagel'."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or hashlib.sha256(name.encode()).hexdigest()[:12]


def _body_sha(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


@dataclass
class ImportSummary:
    services: int = 0
    platforms_created: int = 0
    documents_created: int = 0
    documents_updated: int = 0
    declarations_added: int = 0
    problems: list[Problem] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "services": self.services,
            "platforms_created": self.platforms_created,
            "documents_created": self.documents_created,
            "documents_updated": self.documents_updated,
            "declarations_added": self.declarations_added,
            "errors": sum(p.severity == "error" for p in self.problems),
            "warnings": sum(p.severity == "warning" for p in self.problems),
        }


def ensure_platform(session: Session, name: str, slug: str | None = None) -> tuple[Platform, bool]:
    slug = slug or slugify(name)
    platform = session.scalars(select(Platform).where(Platform.slug == slug)).one_or_none()
    if platform is not None:
        return platform, False
    platform = Platform(slug=slug, name=name)
    session.add(platform)
    session.flush()
    return platform, True


def _add_declaration(
    session: Session, platform: Platform, terms: TermsDeclaration, source: str
) -> bool:
    body = dict(terms.raw)
    sha = _body_sha(body)
    query = select(DeclarationRecord.id).where(
        DeclarationRecord.platform_id == platform.id,
        DeclarationRecord.terms_type == terms.terms_type,
        DeclarationRecord.body_sha256 == sha,
    )
    query = query.where(
        DeclarationRecord.valid_until.is_(None)
        if terms.valid_until is None
        else DeclarationRecord.valid_until == terms.valid_until
    )
    if session.scalars(query).first() is not None:
        return False
    session.add(
        DeclarationRecord(
            platform_id=platform.id,
            terms_type=terms.terms_type,
            valid_until=terms.valid_until,
            body=body,
            body_sha256=sha,
            source=source,
        )
    )
    return True


def register_service(
    session: Session, service: ServiceDeclaration, summary: ImportSummary
) -> Platform:
    platform, created = ensure_platform(session, service.name, slugify(service.service_id))
    summary.platforms_created += created
    for terms in service.terms.values():
        doc = session.scalars(
            select(Document).where(
                Document.platform_id == platform.id, Document.terms_type == terms.terms_type
            )
        ).one_or_none()
        body = dict(terms.raw)
        if doc is None:
            session.add(
                Document(
                    platform_id=platform.id,
                    terms_type=terms.terms_type,
                    url=terms.location,
                    declaration=body,
                )
            )
            summary.documents_created += 1
        elif doc.declaration != body or doc.url != terms.location:
            doc.declaration = body
            doc.url = terms.location
            summary.documents_updated += 1
        summary.declarations_added += _add_declaration(session, platform, terms, str(service.path))
    for entries in service.history.values():
        for entry in entries:
            summary.declarations_added += _add_declaration(
                session, platform, entry, str(service.path)
            )
    session.flush()
    return platform


def import_directory(
    session: Session, directory: Path, *, on_service: Callable[[str], None] | None = None
) -> ImportSummary:
    """Register every valid service of an OTA declarations folder; broken ones become events."""
    services, problems = validate_directory(directory)
    summary = ImportSummary(problems=problems)
    for service in services:
        summary.services += 1
        if service.terms:
            register_service(session, service, summary)
        if on_service:
            on_service(service.name)
    for problem in problems:
        seen = select(Event.id).where(
            Event.kind == "declaration_invalid", Event.reason == str(problem)
        )
        if problem.severity == "error" and session.scalars(seen).first() is None:
            session.add(
                Event(
                    kind="declaration_invalid",
                    reason=str(problem),
                    detail={"path": problem.path, "key": problem.key},
                )
            )
    return summary
