"""The relational schema. Alembic migrations in ``store/migrations`` create exactly this.

The archive is append-only: captures, ledger records, versions and events are only ever
inserted. Rows that summarise (a document's ``last_verified_at``) may be updated.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from clausewatch.store.types import UTCDateTime, utcnow


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Platform(Base):
    __tablename__ = "platforms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    documents: Mapped[list[Document]] = relationship(back_populates="platform")


class Document(Base):
    """One terms type of one platform (OTA's service × terms type)."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("platform_id", "terms_type"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"))
    terms_type: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(Text)
    declaration: Mapped[dict[str, Any]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_checked_at: Mapped[datetime | None] = mapped_column(default=None)
    last_verified_at: Mapped[datetime | None] = mapped_column(default=None)

    platform: Mapped[Platform] = relationship(back_populates="documents")


class DeclarationRecord(Base):
    """Every declaration body ever imported, current or historical (``valid_until``)."""

    __tablename__ = "declarations"
    __table_args__ = (UniqueConstraint("platform_id", "terms_type", "body_sha256", "valid_until"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"))
    terms_type: Mapped[str] = mapped_column(String(200))
    valid_until: Mapped[datetime | None] = mapped_column(default=None)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    body_sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text, default="")
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class Blob(Base):
    """Content-addressed bytes; the file lives in the blob store under its SHA-256."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mime_type: Mapped[str] = mapped_column(String(200), default="application/octet-stream")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Capture(Base):
    """One fetch of one source URL of a document that returned content."""

    __tablename__ = "captures"
    __table_args__ = (Index("ix_captures_document_fetched", "document_id", "fetched_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    source_index: Mapped[int] = mapped_column(Integer, default=0)
    url: Mapped[str] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column()
    http_status: Mapped[int] = mapped_column(Integer)
    content_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    mime_type: Mapped[str] = mapped_column(String(200))
    etag: Mapped[str | None] = mapped_column(Text, default=None)
    last_modified: Mapped[str | None] = mapped_column(Text, default=None)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    origin: Mapped[str] = mapped_column(String(40), default="fetch")
    last_verified_at: Mapped[datetime | None] = mapped_column(default=None)
    confirmations: Mapped[int] = mapped_column(Integer, default=0)
    ledger_seq: Mapped[int | None] = mapped_column(BigInteger, unique=True, default=None)


class LedgerRecord(Base):
    """One link of the tamper-evident hash chain; ``record_hash`` covers every other field."""

    __tablename__ = "ledger"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    capture_id: Mapped[int] = mapped_column(Integer, unique=True)
    platform: Mapped[str] = mapped_column(String(200))
    document: Mapped[str] = mapped_column(String(400))
    url: Mapped[str] = mapped_column(Text)
    fetched_at: Mapped[str] = mapped_column(String(40))
    http_status: Mapped[int] = mapped_column(Integer)
    content_sha256: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    record_hash: Mapped[str] = mapped_column(String(64), unique=True)


class Event(Base):
    """Something that happened to a document and is not content: failures, bot walls, checks."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_document_at", "document_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), default=None)
    kind: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(Text, default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Version(Base):
    """A distinct text of a document: recorded only when the normalised text changed."""

    __tablename__ = "versions"
    __table_args__ = (Index("ix_versions_document_fetched", "document_id", "fetched_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    fetched_at: Mapped[datetime] = mapped_column()
    capture_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    technical: Mapped[bool] = mapped_column(Boolean, default=False)
    origin: Mapped[str] = mapped_column(String(40), default="fetch")
    extractor: Mapped[str] = mapped_column(String(60), default="")
    language: Mapped[str | None] = mapped_column(String(20), default=None)
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    stated_date: Mapped[str | None] = mapped_column(String(40), default=None)
    stated_date_kind: Mapped[str | None] = mapped_column(String(20), default=None)
    stated_date_start: Mapped[int | None] = mapped_column(Integer, default=None)
    stated_date_end: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Provision(Base):
    """A clause whose identity survives across versions (``key`` is the public record ID)."""

    __tablename__ = "provisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    first_version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"))
    last_version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"))
    title: Mapped[str] = mapped_column(Text, default="")


class ProvisionText(Base):
    """A provision as it stands in one version, with its exact span in that version's text."""

    __tablename__ = "provision_texts"
    __table_args__ = (
        UniqueConstraint("version_id", "ordinal"),
        Index("ix_provision_texts_provision", "provision_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provision_id: Mapped[int] = mapped_column(ForeignKey("provisions.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"))
    ordinal: Mapped[int] = mapped_column(Integer)
    heading_path: Mapped[list[Any]] = mapped_column(JSON, default=list)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    label: Mapped[str | None] = mapped_column(String(40), default=None)
    kind: Mapped[str | None] = mapped_column(String(20), default=None)


class ChangeSet(Base):
    """What changed between a version and the one before it, provision by provision."""

    __tablename__ = "change_sets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"), unique=True)
    previous_version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id"))
    materiality: Mapped[str] = mapped_column(String(40))
    technical: Mapped[bool] = mapped_column(Boolean, default=False)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Classification(Base):
    """Labels of one provision text by one model, read in one document language; keyed by
    text hash so re-runs are free. ``language`` is the document language the model was
    given (a heading is read by its document's language model); "" for rows recorded
    before languages were kept."""

    __tablename__ = "classifications"
    __table_args__ = (
        UniqueConstraint(
            "text_sha256", "model", "language", name="uq_classifications_text_model_language"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text_sha256: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(60))
    language: Mapped[str] = mapped_column(String(12), default="", server_default="")
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
