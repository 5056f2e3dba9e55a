from __future__ import annotations

from clausewatch.provisions.quote import locate
from clausewatch.provisions.segment import segment

TEXT = (
    "## 5. Content\n\n"
    "You grant us a **worldwide, royalty-free** licence to use “Your Content”,\n"
    "including the right to [sublicense it](https://example.com/terms#sub) to partners.\n\n"
    "We may remove content at any time — without notice.\n"
)


def test_exact_quote_gives_its_span() -> None:
    span = locate("We may remove content at any time", TEXT)
    assert span is not None
    assert TEXT[span[0] : span[1]] == "We may remove content at any time"


def test_quote_without_markup_whitespace_or_curly_quotes() -> None:
    quote = 'you grant us a worldwide, royalty-free licence to use "Your Content", including'
    span = locate(quote, TEXT)
    assert span is not None
    found = TEXT[span[0] : span[1]]
    assert found.startswith("You grant us a **worldwide")
    assert found.endswith("including")


def test_quote_across_a_link_and_a_dash() -> None:
    span = locate("the right to sublicense it to partners", TEXT)
    assert span is not None
    assert TEXT[span[0] : span[1]].endswith("to partners")
    dash = locate("at any time - without notice.", TEXT)
    assert dash is not None and TEXT[dash[0] : dash[1]] == "at any time — without notice."


def test_ellipsis_joins_parts_in_order() -> None:
    span = locate("You grant us ... to partners.", TEXT)
    assert span is not None
    assert TEXT[span[0] : span[1]].startswith("You grant us")
    assert TEXT[span[0] : span[1]].endswith("to partners.")
    assert locate("to partners ... You grant us", TEXT) is None


def test_small_differences_are_found_fuzzily() -> None:
    span = locate("We can remove content at any time, without notice.", TEXT)
    assert span is not None
    assert "remove content" in TEXT[span[0] : span[1]]


def test_absent_quote_is_none() -> None:
    assert locate("We sell your personal data to advertisers.", TEXT) is None
    assert locate("", TEXT) is None


def test_quote_span_falls_inside_its_provision() -> None:
    span = locate("royalty-free licence", TEXT)
    assert span is not None
    owners = [s for s in segment(TEXT) if s.start <= span[0] and span[1] <= s.end]
    assert len(owners) == 1 and owners[0].heading_path == ("5. Content",)
