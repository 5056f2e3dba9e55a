"""The shipped demo content: a consistent manifest and pages that show what they claim to."""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from demo_helpers import readable_revisions, selected_text

from clausewatch.demo.catalog import (
    EXPECTED,
    DemoDocument,
    DemoError,
    DemoManifest,
    load_manifest,
)


def test_every_document_has_dated_revisions_on_disk(manifest: DemoManifest) -> None:
    docs = list(manifest.documents())
    assert 4 <= len(manifest.platforms) <= 5
    assert all(2 <= len(p.documents) <= 3 for p in manifest.platforms)
    for doc in docs:
        assert len(doc.revisions) >= 3, doc.path
        assert [r.number for r in doc.revisions] == list(range(1, len(doc.revisions) + 1))
        dates = [r.date for r in doc.revisions]
        assert dates == sorted(dates) and len(set(dates)) == len(dates), doc.path
        assert all(r.date.tzinfo is not None for r in doc.revisions)
        for rev in doc.revisions:
            assert rev.file.is_file() and rev.file.stat().st_size > 500, rev.file
            assert rev.changes and rev.expected in EXPECTED
    assert len({doc.path for doc in docs}) == len(docs)


def test_the_revision_design_covers_every_kind_of_change(manifest: DemoManifest) -> None:
    kinds = Counter(rev.expected for doc in manifest.documents() for rev in doc.revisions)
    assert kinds["no-change"] >= 3 and kinds["cosmetic"] >= 3
    assert kinds["substantive"] >= 5 and kinds["rights-affecting"] == 9
    assert kinds["inaccessible"] == 1
    walls = [r for d in manifest.documents() for r in d.revisions if r.expected == "inaccessible"]
    assert walls[0].status == 403 and b"Just a moment..." in walls[0].read()
    terms_types = {doc.terms_type for doc in manifest.documents()}
    assert {"Terms of Service", "Privacy Policy", "Developer Terms"} <= terms_types


READABLE = list(readable_revisions(load_manifest()))


@pytest.mark.parametrize(("doc", "number"), READABLE, ids=[f"{d.path}@{n}" for d, n in READABLE])
def test_pages_are_realistic_legal_documents(doc: DemoDocument, number: int) -> None:
    html = doc.revision(number).read().decode("utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en">' in html
    assert "Cookie consent" in html and "<footer" in html
    text = selected_text(html, doc.select, doc.remove)
    words = len(text.split())
    assert 1200 <= words <= 3000, (doc.path, number, words)
    assert re.search(r"Last updated: \w+", text)
    assert re.search(r"\b1\. \w", text) and "Cookie settings" not in text


def test_noise_only_revisions_keep_the_selected_text(manifest: DemoManifest) -> None:
    """The heart of the demo: markup noise changes the bytes, never the selected words."""
    for doc in manifest.documents():
        readable = [r for r in doc.revisions if r.status == 200]
        for before, after in itertools.pairwise(readable):
            assert before.read() != after.read(), (doc.path, after.number)
            same = selected_text(before.read().decode(), doc.select, doc.remove) == (
                selected_text(after.read().decode(), doc.select, doc.remove)
            )
            assert same == (after.expected == "no-change"), (doc.path, after.number)


def test_rights_affecting_revisions_carry_the_clauses_the_demo_shows(
    manifest: DemoManifest,
) -> None:
    final = " ".join(
        selected_text(doc.revisions[-1].read().decode(), doc.select, doc.remove)
        for doc in manifest.documents()
    )
    for phrase in (
        "Even if you opt out, we will use",
        "CLASS ACTION WAIVER",
        "WAIVE ANY RIGHT TO A JURY TRIAL",
        "30-day right to opt out",
        "Changes are effective immediately",
        "lose your right to cancel and receive a refund",
        "for up to five years",
        'may be considered a "sale"',
    ):
        assert phrase.lower() in final.lower(), phrase


def test_pages_match_their_sources() -> None:
    render = pytest.importorskip("clausewatch.demo.sources.render")
    if not any(render.HERE.glob("*/*.legal")):
        pytest.skip("the .legal sources are not installed (wheel install)")
    assert render.stale_pages() == []


def _copy_manifest(tmp_path: Path, edit: object) -> Path:
    source = load_manifest()
    data = json.loads(source.path.read_text(encoding="utf-8"))
    assert callable(edit)
    edit(data)
    for platform in data["platforms"]:
        for doc in platform["documents"]:
            folder = tmp_path / platform["slug"] / doc["slug"]
            folder.mkdir(parents=True, exist_ok=True)
            for rev in doc["revisions"]:
                original = source.path.parent / platform["slug"] / doc["slug"] / rev["file"]
                if original.exists():
                    (folder / rev["file"]).write_bytes(original.read_bytes())
    target = tmp_path / "manifest.json"
    target.write_text(json.dumps(data), encoding="utf-8")
    return target


def test_a_missing_page_is_reported_with_its_key(tmp_path: Path) -> None:
    def edit(data: dict) -> None:  # type: ignore[type-arg]
        data["platforms"][1]["documents"][0]["revisions"][2]["file"] = "rev-9.html"

    with pytest.raises(DemoError) as caught:
        load_manifest(_copy_manifest(tmp_path, edit))
    assert "platforms[1].documents[0].revisions[2]" in str(caught.value)
    assert "rev-9.html" in caught.value.message


def test_dates_out_of_order_are_refused(tmp_path: Path) -> None:
    def edit(data: dict) -> None:  # type: ignore[type-arg]
        revs = data["platforms"][0]["documents"][1]["revisions"]
        revs[3]["date"] = revs[0]["date"]

    with pytest.raises(DemoError, match="dates must increase"):
        load_manifest(_copy_manifest(tmp_path, edit))


def test_a_copied_manifest_loads_from_its_own_folder(tmp_path: Path) -> None:
    loaded = load_manifest(_copy_manifest(tmp_path, lambda data: None))
    assert all(r.file.is_relative_to(tmp_path) for d in loaded.documents() for r in d.revisions)
