"""The demo's manifest as typed data, and the Open Terms Archive declarations made from it.

The manifest is the single description of the demo: which platforms exist, where each document
is served, and what each revision is meant to show. Declarations are generated from it for a
given base URL, because the server's port is only known once it has started.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal, get_args

from clausewatch.errors import ClausewatchError

SITES = Path(__file__).resolve().parent / "sites"
MANIFEST = SITES / "manifest.json"

Expected = Literal[
    "initial", "no-change", "cosmetic", "substantive", "rights-affecting", "inaccessible"
]
EXPECTED: tuple[str, ...] = get_args(Expected)

#: A declaration selector exactly as OTA writes it: a CSS selector or a range object.
SelectorJSON = str | Mapping[str, str]


class DemoError(ClausewatchError):
    """The demo's content or server cannot be used as asked (bad manifest, busy port...)."""


@dataclass(frozen=True)
class DemoRevision:
    """One dated state of a document, and what the pipeline should make of it."""

    number: int
    date: datetime
    status: int
    content_type: str
    file: Path
    expected: Expected
    changes: tuple[str, ...]
    headers: Mapping[str, str] = field(default_factory=dict)

    def read(self) -> bytes:
        return self.file.read_bytes()


@dataclass(frozen=True)
class DemoDocument:
    platform: str
    slug: str
    title: str
    terms_type: str
    path: str
    select: tuple[SelectorJSON, ...]
    remove: tuple[SelectorJSON, ...]
    revisions: tuple[DemoRevision, ...]

    def revision(self, number: int) -> DemoRevision:
        if not 1 <= number <= len(self.revisions):
            raise DemoError(f"no revision {number} (1..{len(self.revisions)})", where=self.path)
        return self.revisions[number - 1]


@dataclass(frozen=True)
class DemoPlatform:
    slug: str
    name: str
    description: str
    documents: tuple[DemoDocument, ...]


@dataclass(frozen=True)
class DemoManifest:
    path: Path
    revisions: int
    platforms: tuple[DemoPlatform, ...]

    def documents(self) -> Iterator[DemoDocument]:
        for platform in self.platforms:
            yield from platform.documents

    def document(self, path: str) -> DemoDocument:
        for doc in self.documents():
            if doc.path == path:
                return doc
        raise DemoError("no demo document is served at this path", where=path)


def _need(data: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) != (kind is bool):
        raise DemoError(f"{key!r} must be a {kind.__name__}", where=where)
    return value


def _date(value: Any, where: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise DemoError(f"{value!r} is not an ISO 8601 date", where=where) from None
    if parsed.tzinfo is None:
        raise DemoError(f"{value!r} has no timezone (dates are UTC)", where=where)
    return parsed


def _selectors(value: Any, where: str) -> tuple[SelectorJSON, ...]:
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(s, str | dict) and s for s in items):
        raise DemoError("selectors must be CSS strings or range objects", where=where)
    return tuple(items)


def _revision(raw: Any, root: Path, where: str) -> DemoRevision:
    if not isinstance(raw, dict):
        raise DemoError("a revision must be an object", where=where)
    file = root / _need(raw, "file", str, where)
    if not file.is_file():
        raise DemoError(f"file {file} does not exist", where=where)
    expected = _need(raw, "expected", str, where)
    if expected not in EXPECTED:
        raise DemoError(f"expected {expected!r} is not one of {list(EXPECTED)}", where=where)
    headers = raw.get("headers", {})
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise DemoError("'headers' must map names to strings", where=where)
    changes = _need(raw, "changes", list, where)
    return DemoRevision(
        number=_need(raw, "number", int, where),
        date=_date(raw.get("date"), where),
        status=_need(raw, "status", int, where),
        content_type=_need(raw, "content_type", str, where),
        file=file,
        expected=expected,
        changes=tuple(str(c) for c in changes),
        headers=dict(headers),
    )


def _document(
    raw: Any, platform: Mapping[str, Any], count: int, sites: Path, where: str
) -> DemoDocument:
    if not isinstance(raw, dict):
        raise DemoError("a document must be an object", where=where)
    slug = _need(raw, "slug", str, where)
    path = _need(raw, "path", str, where)
    if not path.startswith("/"):
        raise DemoError(f"path {path!r} must start with '/'", where=where)
    root = sites / platform["slug"] / slug
    raw_remove = raw.get("remove", platform.get("remove"))
    raw_revisions = _need(raw, "revisions", list, where)
    revisions = tuple(
        _revision(r, root, f"{where}.revisions[{i}]") for i, r in enumerate(raw_revisions)
    )
    if [r.number for r in revisions] != list(range(1, count + 1)):
        raise DemoError(f"revisions must be numbered 1..{count}", where=where)
    if any(a.date >= b.date for a, b in pairwise(revisions)):
        raise DemoError("revision dates must increase", where=where)
    return DemoDocument(
        platform=platform["slug"],
        slug=slug,
        title=_need(raw, "title", str, where),
        terms_type=_need(raw, "terms_type", str, where),
        path=path,
        select=_selectors(raw.get("select", platform.get("select")), f"{where}.select"),
        remove=_selectors(raw_remove, f"{where}.remove") if raw_remove else (),
        revisions=revisions,
    )


def load_manifest(path: Path = MANIFEST) -> DemoManifest:
    """Read and check the manifest; every file it names must exist, so a broken install fails
    here with the key at fault instead of as a 404 in the middle of the demo."""
    where = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DemoError(f"cannot read the demo manifest: {exc}", where=where) from None
    count = _need(data, "revisions", int, where)
    platforms: list[DemoPlatform] = []
    seen_paths: set[str] = set()
    for i, raw in enumerate(_need(data, "platforms", list, where)):
        key = f"{where}: platforms[{i}]"
        if not isinstance(raw, dict):
            raise DemoError("a platform must be an object", where=key)
        docs = tuple(
            _document(d, raw, count, path.parent, f"{key}.documents[{j}]")
            for j, d in enumerate(_need(raw, "documents", list, key))
        )
        for doc in docs:
            if doc.path in seen_paths:
                raise DemoError(f"path {doc.path} is served twice", where=key)
            seen_paths.add(doc.path)
        platforms.append(
            DemoPlatform(
                _need(raw, "slug", str, key),
                _need(raw, "name", str, key),
                _need(raw, "description", str, key),
                docs,
            )
        )
    return DemoManifest(path, count, tuple(platforms))


def declarations_for(base_url: str, manifest: DemoManifest | None = None) -> dict[str, Any]:
    """Platform name -> its OTA declaration body, fetching from ``base_url``."""
    manifest = manifest or load_manifest()
    base = base_url.rstrip("/")
    out: dict[str, Any] = {}
    for platform in manifest.platforms:
        terms: dict[str, Any] = {}
        for doc in platform.documents:
            body: dict[str, Any] = {"fetch": base + doc.path, "select": list(doc.select)}
            if doc.remove:
                body["remove"] = list(doc.remove)
            terms[doc.terms_type] = body
        out[platform.name] = {"name": platform.name, "terms": terms}
    return out


def write_json_atomic(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2, ensure_ascii=False)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_declarations(
    base_url: str, out_dir: Path, manifest: DemoManifest | None = None
) -> list[Path]:
    """Write one ``<Platform Name>.json`` per demo platform into ``out_dir``."""
    written: list[Path] = []
    for name, body in declarations_for(base_url, manifest).items():
        target = Path(out_dir) / f"{name}.json"
        write_json_atomic(target, body)
        written.append(target)
    return written


def write_synthetic_declarations(
    base_url: str, n_documents: int, out_dir: Path, *, start: int = 0
) -> list[Path]:
    """Declarations for the synthetic pages: one service per page, so a benchmark can track
    thousands of documents through the same code path as real ones."""
    from clausewatch.demo.synthetic import REMOVE, SELECT, synthetic_name, synthetic_path

    base = base_url.rstrip("/")
    written: list[Path] = []
    for i in range(start, start + n_documents):
        name = synthetic_name(i)
        body = {
            "name": name,
            "terms": {
                "Terms of Service": {
                    "fetch": base + synthetic_path(i),
                    "select": list(SELECT),
                    "remove": list(REMOVE),
                }
            },
        }
        target = Path(out_dir) / f"{name}.json"
        write_json_atomic(target, body)
        written.append(target)
    return written
