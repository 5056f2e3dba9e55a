"""Content-addressed storage of raw captured bytes.

Files are named by their SHA-256 and hold exactly the bytes that were fetched (no compression),
so anyone can check a snapshot with ``sha256sum`` and no clausewatch code. Identical bytes are
stored once. A file only ever appears complete: it is written to a temporary file in its final
directory, flushed to disk, then renamed over its final name, so a ``kill -9`` leaves at worst
a stray temporary file, never a truncated blob under a real name.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from clausewatch.errors import ClausewatchError

CHUNK = 1024 * 1024
TEMP_PREFIX = ".tmp-"
_SHA_RE = re.compile(r"[0-9a-f]{64}")


class BlobError(ClausewatchError):
    """A blob cannot be stored or read."""


class InvalidSha(BlobError):
    """A string used as a blob key is not a lowercase hex SHA-256 (it would escape the store)."""


class BlobMissing(BlobError):
    """The ledger or a capture names a blob whose file is not in the store."""

    def __init__(self, sha: str, path: Path) -> None:
        super().__init__(f"blob {sha} is missing", where=str(path))
        self.sha = sha
        self.path = path


class BlobCorrupt(BlobError):
    """A blob file's bytes no longer hash to its name: it was modified after it was stored."""

    def __init__(self, sha: str, path: Path, actual: str) -> None:
        super().__init__(f"blob {sha} is corrupt: its bytes hash to {actual}", where=str(path))
        self.sha = sha
        self.path = path
        self.actual = actual


def sha256_file(fh: BinaryIO) -> tuple[str, int]:
    """Hash a file in chunks so that verifying a large archive never holds a blob in memory."""
    digest = hashlib.sha256()
    size = 0
    while chunk := fh.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class BlobStore:
    """Raw bytes under ``root/ab/cd/<sha256>``; two directory levels keep directories small."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, sha: str) -> Path:
        if not _SHA_RE.fullmatch(sha):
            raise InvalidSha(f"not a lowercase hex SHA-256: {sha!r}", where=str(self.root))
        return self.root / sha[:2] / sha[2:4] / sha

    def exists(self, sha: str) -> bool:
        return self.path(sha).is_file()

    def put(self, data: bytes) -> str:
        """Store ``data`` once and return its SHA-256; a no-op when those bytes are already here."""
        sha = hashlib.sha256(data).hexdigest()
        final = self.path(sha)
        if final.is_file():
            return sha
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=final.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fchmod(fh.fileno(), 0o444)
                os.fsync(fh.fileno())
            os.replace(tmp_name, final)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        _fsync_dir(final.parent)
        return sha

    def open(self, sha: str) -> BinaryIO:
        """A binary file object for streaming a large blob (WARC export, re-hashing)."""
        path = self.path(sha)
        try:
            return path.open("rb")
        except FileNotFoundError:
            raise BlobMissing(sha, path) from None

    def get(self, sha: str, *, verify: bool = True) -> bytes:
        """The bytes stored under ``sha``; checked against their name unless ``verify`` is off,
        so later stages never work on bytes that were altered on disk."""
        path = self.path(sha)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise BlobMissing(sha, path) from None
        if verify:
            actual = hashlib.sha256(data).hexdigest()
            if actual != sha:
                raise BlobCorrupt(sha, path, actual)
        return data

    def rehash(self, sha: str) -> str:
        """The SHA-256 of the file now stored under ``sha`` (equal to ``sha`` when intact)."""
        with self.open(sha) as fh:
            return sha256_file(fh)[0]

    def iter_shas(self) -> Iterator[str]:
        """Every blob name in the store, in sorted order, skipping temporary files."""
        if not self.root.is_dir():
            return
        for first in sorted(self.root.iterdir()):
            if not first.is_dir() or len(first.name) != 2:
                continue
            for second in sorted(first.iterdir()):
                if not second.is_dir() or len(second.name) != 2:
                    continue
                for entry in sorted(second.iterdir()):
                    name = entry.name
                    if _SHA_RE.fullmatch(name) and name.startswith(first.name + second.name):
                        yield name

    def iter_temp_files(self) -> Iterator[Path]:
        """Temporary files left by a writer that was killed before its rename."""
        if not self.root.is_dir():
            return
        yield from sorted(self.root.glob(f"*/*/{TEMP_PREFIX}*"))
