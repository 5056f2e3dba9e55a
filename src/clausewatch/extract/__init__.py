"""Snapshot bytes → the Markdown version OTA would record, plus why it failed when it can't.

``extract`` is pure: snapshots and the declaration valid at their fetch time in, text out. The
versions stage compares ``Extraction.extractor`` with what produced the stored version, so a
change of this code's output (bump :data:`EXTRACTOR_VERSION`) is recorded as a technical
upgrade rather than as a change of the document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from clausewatch.declarations.model import ServiceDeclaration, SourceDocument, TermsDeclaration
from clausewatch.extract.botwall import detect_bot_wall
from clausewatch.extract.errors import (
    BotWallDetected,
    EmptyContent,
    ExtractionError,
    FilterFailed,
    FilterUnavailable,
    SelectorMatchedNothing,
    UnreadableDocument,
)
from clausewatch.extract.html import Page, decode_html, extract_html, select_fragment
from clausewatch.extract.markdown import convert, html_to_markdown
from clausewatch.extract.pdf import pdf_to_markdown

EXTRACTOR_VERSION = "cw-extract/1"
SOURCE_DOCUMENTS_SEPARATOR = "\n\n- - -\n\n"
MIN_WORDS = 20


@dataclass(frozen=True)
class Snapshot:
    """What was fetched for one source document, with its HTTP content type."""

    content: bytes
    mime_type: str
    url: str
    fetched_at: datetime | None = None


@dataclass(frozen=True)
class Extraction:
    markdown: str
    extractor: str = EXTRACTOR_VERSION


def is_pdf(snapshot: Snapshot) -> bool:
    return "pdf" in snapshot.mime_type.lower() or snapshot.content[:5] == b"%PDF-"


def extract_source(
    snapshot: Snapshot,
    source: SourceDocument,
    *,
    filters_file: Path | None = None,
    min_words: int = MIN_WORDS,
) -> str:
    """Markdown of one source document; raises an :class:`ExtractionError` subclass."""
    where = snapshot.url or source.location
    if is_pdf(snapshot):
        markdown = pdf_to_markdown(snapshot.content, where=where)
    else:
        text = decode_html(snapshot.content, snapshot.mime_type)
        if source.filters:
            from clausewatch.extract.filters import run_filters

            if filters_file is None:
                raise FilterUnavailable(source.filters, where=where)
            text = run_filters(text, source, filters_file, url=snapshot.url or source.location)
        page = Page(text, snapshot.url or source.location)
        try:
            root = select_fragment(page, source, where=where)
        except SelectorMatchedNothing:
            wall = detect_bot_wall(text)
            if wall:
                raise BotWallDetected(wall, where=where) from None
            raise
        markdown = convert(root)
        if _word_count(markdown, min_words) < min_words:
            wall = detect_bot_wall(text)
            if wall:
                raise BotWallDetected(wall, where=where)
    words = _word_count(markdown, min_words)
    if words < min_words:
        raise EmptyContent(
            f"the selected content has {words} word(s), fewer than {min_words}",
            words=words,
            where=where,
        )
    return markdown


def _word_count(text: str, enough: int) -> int:
    """Words in ``text``, counting only as far as needed to know there are ``enough``."""
    limit = 40 * (enough + 1)
    if len(text) <= limit:
        return len(text.split())
    head = len(text[:limit].split())
    return head if head >= enough else len(text.split())


def extract(
    snapshots: Sequence[Snapshot],
    terms: TermsDeclaration,
    *,
    filters_file: Path | None = None,
    min_words: int = MIN_WORDS,
) -> Extraction:
    """The version text of a document: one snapshot per source, joined as OTA joins them."""
    if len(snapshots) != len(terms.sources):
        raise ExtractionError(
            f"{len(snapshots)} snapshot(s) for {len(terms.sources)} source document(s)",
            where=f"{terms.service} / {terms.terms_type}",
        )
    parts = [
        extract_source(snap, source, filters_file=filters_file, min_words=min_words)
        for snap, source in zip(snapshots, terms.sources, strict=True)
    ]
    return Extraction(SOURCE_DOCUMENTS_SEPARATOR.join(parts))


def filters_file_of(service: ServiceDeclaration) -> Path | None:
    """``<Service>.filters.js`` beside the declaration, if there is one."""
    path = service.path.with_name(f"{service.service_id}.filters.js")
    return path if path.exists() else None


def extract_at(
    service: ServiceDeclaration,
    terms_type: str,
    snapshots: Sequence[Snapshot],
    *,
    min_words: int = MIN_WORDS,
) -> Extraction:
    """Extract with the declaration valid when the snapshots were fetched (OTA's history rule).

    The first snapshot's ``fetched_at`` decides (None: the current declaration); the service's
    filters file, if any, is used.
    """
    when = snapshots[0].fetched_at if snapshots else None
    terms = service.terms_at(terms_type, when)
    return extract(snapshots, terms, filters_file=filters_file_of(service), min_words=min_words)


__all__ = [
    "EXTRACTOR_VERSION",
    "BotWallDetected",
    "EmptyContent",
    "Extraction",
    "ExtractionError",
    "FilterFailed",
    "FilterUnavailable",
    "SelectorMatchedNothing",
    "Snapshot",
    "UnreadableDocument",
    "decode_html",
    "detect_bot_wall",
    "extract",
    "extract_at",
    "extract_html",
    "extract_source",
    "filters_file_of",
    "html_to_markdown",
    "pdf_to_markdown",
]
