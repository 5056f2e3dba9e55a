from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from clausewatch.archive import BlobCorrupt, BlobMissing, BlobStore, InvalidSha


def test_put_stores_raw_bytes_under_their_sha(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    data = b"hello terms\n" * 1000
    sha = store.put(data)
    assert sha == hashlib.sha256(data).hexdigest()
    path = tmp_path / "blobs" / sha[:2] / sha[2:4] / sha
    assert store.path(sha) == path
    assert path.read_bytes() == data
    assert store.get(sha) == data
    assert store.exists(sha)


def test_identical_bytes_are_stored_once(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    first = store.put(b"same")
    inode = os.stat(store.path(first)).st_ino
    second = store.put(b"same")
    assert first == second
    assert os.stat(store.path(second)).st_ino == inode
    assert list(store.iter_shas()) == [first]
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files == [store.path(first)]


def test_missing_blob_names_sha_and_path(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    sha = hashlib.sha256(b"never stored").hexdigest()
    with pytest.raises(BlobMissing) as info:
        store.get(sha)
    assert info.value.sha == sha
    assert str(store.path(sha)) in str(info.value)


def test_modified_blob_is_refused_on_read(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    sha = store.put(b"original")
    path = store.path(sha)
    path.chmod(0o644)
    path.write_bytes(b"tampered")
    with pytest.raises(BlobCorrupt) as info:
        store.get(sha)
    assert info.value.actual == hashlib.sha256(b"tampered").hexdigest()
    assert store.get(sha, verify=False) == b"tampered"
    assert store.rehash(sha) == info.value.actual


@pytest.mark.parametrize("bad", ["../../etc/passwd", "ABC", "A" * 64, "g" * 64, ""])
def test_keys_that_are_not_sha256_are_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(InvalidSha):
        BlobStore(tmp_path).path(bad)


def test_iteration_is_sorted_and_skips_temporary_files(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    shas = [store.put(bytes([i]) * 10) for i in range(20)]
    sha = shas[0]
    leftover = store.path(sha).parent / ".tmp-abc123"
    leftover.write_bytes(b"half")
    assert list(store.iter_shas()) == sorted(shas)
    assert list(store.iter_temp_files()) == [leftover]


def test_stored_files_are_read_only(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    sha = store.put(b"x")
    assert store.path(sha).stat().st_mode & 0o222 == 0
