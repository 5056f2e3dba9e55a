"""Open formats out: versions in OTA's dataset layout, provisions as CSV or JSON lines.

A version export can be read back by ``clausewatch import ota-dataset`` (and by anything that
reads OTA's releases); a provision export carries every provision of every latest version
with its span, labels and the hash of the text it quotes, so a spreadsheet row can be traced
back to the archived words.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clausewatch.errors import ClausewatchError
from clausewatch.provisions.record import document_provisions
from clausewatch.store.models import Document, Platform, Version
from clausewatch.store.queries import labels_for, version_language

DATASET_TIME = "%Y-%m-%dT%H-%M-%SZ"
PROVISION_COLUMNS = (
    "key",
    "platform",
    "document",
    "version_id",
    "fetched_at",
    "heading_path",
    "start",
    "end",
    "types",
    "categories",
    "severity",
    "confidence",
    "evidence",
    "claudette",
    "text_sha256",
    "text",
)


class ExportError(ClausewatchError):
    exit_code = 2


def _safe_name(name: str) -> str:
    """A file-system-safe folder name that keeps OTA's human-readable names."""
    cleaned = "".join("_" if c in '/\\:*?"<>|\0' else c for c in name).strip().strip(".")
    return cleaned or "_"


def export_dataset(
    session: Session,
    out: Path,
    *,
    include_technical: bool = True,
    on_version: Callable[[str], None] | None = None,
) -> int:
    """Write ``<Service>/<Terms type>/<date>.md`` and ``index.json``; returns versions written."""
    final = Path(out)
    if final.exists() and (not final.is_dir() or any(final.iterdir())):
        raise ExportError("exists and is not an empty folder; give a new one", where=str(final))
    final.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed into place: an interrupted export leaves no half dataset.
    out = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    try:
        written = _write_dataset(session, out, include_technical, on_version)
        if final.exists():
            final.rmdir()
        os.replace(out, final)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    return written


def _write_dataset(
    session: Session,
    out: Path,
    include_technical: bool,
    on_version: Callable[[str], None] | None,
) -> int:
    rows = session.execute(
        select(Platform.name, Document.terms_type, Version)
        .join(Document, Document.platform_id == Platform.id)
        .join(Version, Version.document_id == Document.id)
        .order_by(Platform.name, Document.terms_type, Version.fetched_at, Version.id)
    )
    written = 0
    entries: dict[tuple[str, str], dict[str, Any]] = {}
    for service, terms_type, version in rows:
        if version.technical and not include_technical:
            continue
        stamp = version.fetched_at.strftime(DATASET_TIME)
        rel = Path(_safe_name(service)) / _safe_name(terms_type) / f"{stamp}.md"
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(version.text, encoding="utf-8")
        entry = entries.setdefault(
            (service, terms_type),
            {"service": service, "terms_type": terms_type, "versions": []},
        )
        entry["versions"].append(
            {
                "file": rel.as_posix(),
                "fetch_date": version.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "text_sha256": version.text_sha256,
                "technical": version.technical,
            }
        )
        written += 1
        if on_version:
            on_version(rel.as_posix())
    index = list(entries.values())
    (out / "index.json").write_text(
        json.dumps(index, indent=1, ensure_ascii=False), encoding="utf-8"
    )
    return written


@contextmanager
def _atomic_text(out: Path) -> Iterator[IO[str]]:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def provision_rows(session: Session) -> Iterator[dict[str, Any]]:
    """Every provision of every document's latest version, with its labels."""
    docs = session.execute(
        select(Document, Platform.name).join(Platform).order_by(Platform.name, Document.terms_type)
    ).all()
    for document, platform in docs:
        states = document_provisions(session, document.id)
        language = version_language(session, states[0].version_id) if states else None
        labels = labels_for(session, [s.text_sha256 for s in states], language)
        for state in states:
            label = labels.get(state.text_sha256) or {}
            yield {
                "key": state.key,
                "platform": platform,
                "document": document.terms_type,
                "version_id": state.version_id,
                "fetched_at": state.fetched_at.isoformat(),
                "heading_path": list(state.heading_path),
                "start": state.start,
                "end": state.end,
                "types": label.get("types", []),
                "categories": label.get("categories", []),
                "severity": label.get("severity"),
                "confidence": label.get("confidence"),
                "evidence": label.get("evidence"),
                "claudette": label.get("claudette", []),
                "text_sha256": state.text_sha256,
                "text": state.text,
            }


def export_provisions(session: Session, out: Path, *, fmt: str | None = None) -> int:
    """CSV (lists joined by ``;``) or JSON lines, chosen by ``fmt`` or the file's suffix."""
    fmt = fmt or ("csv" if Path(out).suffix.lower() == ".csv" else "jsonl")
    if fmt not in ("csv", "jsonl"):
        raise ExportError(f"unknown format {fmt!r}; use csv or jsonl", where=str(out))
    count = 0
    with _atomic_text(out) as fh:
        if fmt == "csv":
            writer = csv.DictWriter(fh, fieldnames=PROVISION_COLUMNS)
            writer.writeheader()
            for row in provision_rows(session):
                writer.writerow(
                    {
                        k: " › ".join(v)
                        if k == "heading_path"
                        else ";".join(v)
                        if isinstance(v, list)
                        else v
                        for k, v in row.items()
                    }
                )
                count += 1
        else:
            for row in provision_rows(session):
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
    return count
