"""Helpers shared by the archive tests (fixtures live in conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from clausewatch.store.models import Document, Platform

T0 = datetime(2026, 5, 11, 12, 34, 31, 123456, tzinfo=UTC)


def make_document(
    session: Session, slug: str = "acme", terms_type: str = "Terms of Service"
) -> Document:
    platform = session.query(Platform).filter_by(slug=slug).one_or_none()
    if platform is None:
        platform = Platform(slug=slug, name=slug.title())
        session.add(platform)
        session.flush()
    document = Document(
        platform_id=platform.id,
        terms_type=terms_type,
        url=f"https://{slug}.example/{terms_type.lower().replace(' ', '-')}",
        declaration={},
    )
    session.add(document)
    session.flush()
    return document


def body(i: int) -> bytes:
    return f"<html><body><h1>Terms v{i}</h1><p>Clause é {i}</p></body></html>".encode()


Fill = Callable[[int], list[int]]
