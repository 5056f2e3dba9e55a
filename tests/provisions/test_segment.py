from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from clausewatch.provisions.segment import segment, split_sentences


def test_every_provision_is_its_exact_span(terms: str) -> None:
    segments = segment(terms)
    assert segments, "the fixture has provisions"
    for index, seg in enumerate(segments):
        assert seg.ordinal == index
        assert terms[seg.start : seg.end] == seg.text
        assert seg.text == seg.text.strip()


def test_headings_become_paths_not_provisions(terms: str) -> None:
    segments = segment(terms)
    texts = [s.text for s in segments]
    assert "Example Terms of Service" not in texts
    assert not any(t.startswith("1\\. Your Account") for t in texts)
    password = next(s for s in segments if "password" in s.text)
    assert password.heading_path == ("Example Terms of Service", "1. Your Account")
    assert password.kind == "paragraph"


def test_list_items_clauses_and_table_rows(terms: str) -> None:
    segments = segment(terms)
    share = next(s for s in segments if "share your account" in s.text)
    assert share.kind == "list_item"
    assert share.text == "Do not share your account with anyone else."
    ireland = next(s for s in segments if "Ireland" in s.text)
    assert (ireland.kind, ireland.label) == ("clause", "4.1")
    assert ireland.text.startswith("These terms")
    rows = [s for s in segments if s.kind == "table"]
    assert [r.text for r in rows] == [
        "| Data | Purpose |",
        "| Email address | To send you receipts |",
    ]


def test_atx_headings_and_bold_pseudo_headings() -> None:
    md = "# Terms\n\n## Privacy\n\n**Cookies**\n\nWe use cookies.\n\n### Ads\n\nWe show ads.\n"
    segments = segment(md)
    assert [s.text for s in segments] == ["We use cookies.", "We show ads."]
    assert segments[0].heading_path == ("Terms", "Privacy", "Cookies")
    assert segments[1].heading_path == ("Terms", "Privacy", "Ads")


def test_plain_text_short_lines_are_headings() -> None:
    text = "Using our Services\n\nYou must follow our policies.\n\nYour Account\n\nKeep it safe.\n"
    segments = segment(text)
    assert [s.heading_path for s in segments] == [("Using our Services",), ("Your Account",)]


def test_long_paragraph_with_several_obligations_is_split_at_sentences() -> None:
    first = "You must keep your login details secret and you must not share them with others."
    filler = "This rule helps keep the whole community safe for everyone who uses the service."
    filler += " Most members never have any trouble with it at all."
    second = "We may suspend your account if we believe that someone else has been using it."
    tail = "Our help centre explains in more detail how such a decision gets reviewed."
    para = " ".join([first, filler, second, tail])
    segments = segment(para + "\n")
    assert [s.kind for s in segments] == ["sentence_group", "sentence_group"]
    assert segments[0].text == f"{first} {filler}"
    assert segments[1].text == f"{second} {tail}"
    short = segment("You must do this. We may do that.\n")
    assert len(short) == 1 and short[0].kind == "paragraph"


def test_sentences_survive_abbreviations() -> None:
    text = "We use data, e.g. your email. Contact Example Inc. for details. Thanks."
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == [
        "We use data, e.g. your email.",
        "Contact Example Inc. for details.",
        "Thanks.",
    ]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*"ab #*-|1.\\\n=()_", "\n\n", "1. ", "- ", "Ok."])))
def test_span_invariant_holds_for_any_input(pieces: list[str]) -> None:
    markdown = "".join(pieces)
    for seg in segment(markdown):
        assert markdown[seg.start : seg.end] == seg.text
        assert seg.text.strip() == seg.text and seg.text
