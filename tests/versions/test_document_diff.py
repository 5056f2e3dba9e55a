"""Word-level document diffs: counts, renderings, escaping, edge cases."""

from __future__ import annotations

import json

from clausewatch.versions.diff import diff_texts

OLD = "# Terms\n\nWe may share your data with partners.\n\nContact us.\n"
NEW = (
    "# Terms\n\nWe will share your personal data with partners and affiliates.\n\n"
    "New section here.\n\nContact us.\n"
)


def test_counts() -> None:
    diff = diff_texts(OLD, NEW)
    counts = diff.counts
    assert counts.words_changed == 1  # may -> will
    assert counts.words_added == 6  # personal, and, affiliates, New, section, here
    assert counts.words_removed == 0
    assert counts.blocks == 4
    assert diff.changed


def test_removed_words_are_counted() -> None:
    diff = diff_texts(
        "You can delete your account at any time.\n", "You can delete your account.\n"
    )
    assert diff.counts.words_removed == 3 and diff.counts.words_added == 0


def test_segments_rebuild_both_texts() -> None:
    diff = diff_texts(OLD, NEW)
    assert "".join(s.new for s in diff.segments) == NEW
    assert "".join(s.old for s in diff.segments).split() == OLD.split()


def test_text_and_markdown_renderings() -> None:
    diff = diff_texts(OLD, NEW)
    text = diff.to_text()
    assert "We [-may-]{+will+} share your {+personal+} data" in text
    assert "{+New section here.+}" in text
    markdown = diff.to_markdown()
    assert "We ~~may~~**will** share" in markdown
    assert "**New section here.**" in markdown
    assert markdown.endswith("Contact us.\n")


def test_html_is_escaped() -> None:
    diff = diff_texts("Use <b>bold</b> & more.\n", "Use <script>alert(1)</script> & more.\n")
    html = diff.to_html()
    assert "<script>" not in html
    assert "&lt;" in html and "alert(1)" in html
    assert "<del>" in html and "<ins>" in html
    assert "&amp; more." in html


def test_multi_line_change_is_marked_line_by_line() -> None:
    diff = diff_texts("A.\n", "A.\n\nFirst new paragraph.\n\nSecond new paragraph.\n")
    assert "**First new paragraph.**\n\n**Second new paragraph.**" in diff.to_markdown()


def test_empty_texts() -> None:
    assert not diff_texts("", "").changed
    assert diff_texts("", "").to_text() == ""
    added = diff_texts("", "Brand new terms.\n")
    assert added.counts.words_added == 3 and added.counts.blocks == 1
    removed = diff_texts("Old terms.\n", "")
    assert removed.counts.words_removed == 2
    assert removed.to_html().count("<del>") == 1


def test_identical_and_whitespace_only_texts_have_no_change() -> None:
    assert diff_texts(OLD, OLD).counts.blocks == 0
    reflowed = OLD.replace("share your", "share\nyour")
    assert diff_texts(OLD, reflowed).counts.blocks == 0


def test_json_round_trip() -> None:
    payload = json.loads(json.dumps(diff_texts(OLD, NEW).to_json()))
    assert payload["counts"]["words_changed"] == 1
    ops = {segment["op"] for segment in payload["segments"]}
    assert ops == {"equal", "replace", "insert"}
