"""The HTML pipeline: built-in cleanups, remove, select (CSS, ranges, arrays), combine, errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from clausewatch.declarations.model import RangeSelector, SourceDocument, TermsDeclaration
from clausewatch.extract import (
    EXTRACTOR_VERSION,
    BotWallDetected,
    EmptyContent,
    FilterUnavailable,
    SelectorMatchedNothing,
    Snapshot,
    decode_html,
    extract,
    extract_html,
)

URL = "https://example.com/legal/terms"
LONG = " ".join(["These terms govern your use of the service."] * 4)


def source(select: object = "main", remove: object = (), **kw: object) -> SourceDocument:
    sel = select if isinstance(select, tuple) else (select,)
    rem = remove if isinstance(remove, tuple) else (remove,)
    return SourceDocument(URL, sel, rem, **kw)  # type: ignore[arg-type]


def md(html: str, src: SourceDocument, url: str = URL) -> str:
    terms = TermsDeclaration("S", "Terms of Service", (src,), {})
    return extract([Snapshot(html.encode(), "text/html", url)], terms, min_words=0).markdown


def page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


# --- built-in cleanups --------------------------------------------------------------------


def test_scripts_and_styles_are_removed() -> None:
    html = page("<main><p>Keep</p><script>var x = 1;</script><style>p{}</style></main>")
    assert md(html, source()) == "Keep"
    assert "script" not in extract_html(html, source())


def test_relative_links_become_absolute_against_the_document_url() -> None:
    html = page(
        '<main><a href="../privacy">P</a> <a href="/a b?q=é">Q</a> <a href="#s">S</a>'
        ' <a href="mailto:x@example.com">M</a> <a href="">E</a></main>'
    )
    assert md(html, source()) == (
        "[P](https://example.com/privacy) [Q](https://example.com/a%20b?q=%C3%A9) "
        "[S](#s) [M](mailto:x@example.com) E"
    )


def test_base_element_is_honoured() -> None:
    html = page('<main><a href="x">X</a></main>', head='<base href="https://cdn.example.org/d/">')
    assert md(html, source()) == "[X](https://cdn.example.org/d/x)"


def test_cloudflare_email_protection_becomes_otas_placeholder() -> None:
    html = page(
        '<main><p>Write to <a href="/cdn-cgi/l/email-protection#a1b2" class="__cf_email__"'
        ' data-cfemail="a1b2">[email&#160;protected]</a>.</p></main>'
    )
    assert md(html, source()) == (
        "Write to [\\[email\xa0protected\\]](https://example.com/cdn-cgi/l/email-protection)."
    )


# --- remove and select --------------------------------------------------------------------


def test_remove_css_then_select() -> None:
    html = page('<main><p>Keep</p><div class="ad">Buy</div><nav>Menu</nav></main>')
    assert md(html, source(remove=(".ad", "nav"))) == "Keep"


def test_select_array_keeps_declaration_order() -> None:
    html = page("<main><h1>T</h1></main><footer><p>F</p></footer><aside><p>A</p></aside>")
    assert md(html, source(("aside", "footer"))) == "A\n\nF"


def test_select_range_before_and_after() -> None:
    html = page(
        '<main><h2 id="a">Start</h2><p>one</p><div><p>two</p></div><h2 id="b">End</h2><p>out</p></main>'
    )
    inclusive = RangeSelector(start_before="#a", end_after="#b")
    exclusive = RangeSelector(start_after="#a", end_before="#b")
    assert md(html, source((inclusive,))) == "Start\n-----\n\none\n\ntwo\n\nEnd\n---"
    assert md(html, source((exclusive,))) == "one\n\ntwo"


def test_select_range_across_nesting_clones_partial_ancestors() -> None:
    html = page(
        '<main><section><p>before</p><p id="s">first</p></section>'
        '<section><p>middle</p></section><section><p id="e">last</p><p>after</p></section></main>'
    )
    rng = RangeSelector(start_before="#s", end_after="#e")
    assert md(html, source((rng,))) == "first\n\nmiddle\n\nlast"


def test_remove_range_deletes_between_bounds() -> None:
    html = page('<main><p>keep</p><p id="s">x</p><p>drop</p><p id="e">y</p><p>tail</p></main>')
    rng = RangeSelector(start_before="#s", end_after="#e")
    assert md(html, source("main", (rng,))) == "keep\n\ntail"


def test_remove_range_survives_removal_of_its_bound_by_css() -> None:
    html = page('<main><p>keep</p><p id="s">x</p><p>drop</p><p id="e">y</p><p>tail</p></main>')
    rng = RangeSelector(start_before="#s", end_after="#e")
    assert md(html, source("main", ("#s", rng))) == "keep\n\ntail"


def test_selector_matching_nothing_names_the_selector() -> None:
    with pytest.raises(SelectorMatchedNothing) as info:
        md(page("<div>x</div>"), source("#content"))
    assert "#content" in str(info.value)
    assert info.value.reason == "selector-matched-nothing"


def test_range_with_missing_bound_is_reported() -> None:
    rng = RangeSelector(start_before="#nope", end_before="#e")
    with pytest.raises(SelectorMatchedNothing, match="#nope"):
        md(page('<main><p id="e">x</p></main>'), source((rng,)))


# --- combine, errors, bot walls, decoding ---------------------------------------------------


def test_combine_joins_sources_in_order_with_otas_separator() -> None:
    first = SourceDocument("https://example.com/a", ("main",))
    second = SourceDocument("https://example.com/b", ("main",))
    terms = TermsDeclaration("S", "Terms of Service", (first, second), {})
    snaps = [
        Snapshot(page("<main><p>Part A</p></main>").encode(), "text/html", first.location),
        Snapshot(page("<main><p>Part B</p></main>").encode(), "text/html", second.location),
    ]
    result = extract(snaps, terms, min_words=0)
    assert result.markdown == "Part A\n\n- - -\n\nPart B"
    assert result.extractor == EXTRACTOR_VERSION


def test_empty_page_is_empty_content() -> None:
    terms = TermsDeclaration("S", "Terms of Service", (source(),), {})
    snap = Snapshot(page("<main><p>Loading…</p></main>").encode(), "text/html", URL)
    with pytest.raises(EmptyContent) as info:
        extract([snap], terms)
    assert info.value.words == 1


def test_cloudflare_challenge_is_a_bot_wall() -> None:
    html = page(
        '<div id="challenge-running">Checking if the site connection is secure</div>',
        head="<title>Just a moment...</title>",
    )
    terms = TermsDeclaration("S", "Terms of Service", (source(),), {})
    with pytest.raises(BotWallDetected) as info:
        extract([Snapshot(html.encode(), "text/html", URL)], terms)
    assert info.value.wall == "cloudflare challenge"
    assert info.value.reason == "bot-wall"


def test_filters_without_their_file_are_unavailable() -> None:
    src = source(filters=("cleanUp",))
    terms = TermsDeclaration("S", "Terms of Service", (src,), {})
    snap = Snapshot(page(f"<main><p>{LONG}</p></main>").encode(), "text/html", URL)
    with pytest.raises(FilterUnavailable, match="cleanUp"):
        extract([snap], terms)


def test_charset_from_http_header_and_meta() -> None:
    latin = "<p>Données</p>".encode("latin-1")
    assert "Données" in decode_html(latin, "text/html; charset=ISO-8859-1")
    meta = b'<meta charset="windows-1252"><p>Caf\xe9</p>'
    assert "Café" in decode_html(meta, "text/html")
    assert decode_html(b"<p>ok \xff</p>", "text/html") == "<p>ok \ufffd</p>"


def test_technical_upgrade_same_snapshot_new_declaration_new_text() -> None:
    """A declaration change (history) alters the text while the document did not change."""
    html = page("<main><p>Body</p><aside><p>Extra</p></aside></main>").encode()
    old = TermsDeclaration(
        "S", "Terms of Service", (source("main"),), {}, valid_until=datetime(2024, 1, 1, tzinfo=UTC)
    )
    new = TermsDeclaration("S", "Terms of Service", (source("main", "aside"),), {})
    snap = Snapshot(html, "text/html", URL)
    before = extract([snap], old, min_words=0)
    after = extract([snap], new, min_words=0)
    assert before.markdown == "Body\n\nExtra"
    assert after.markdown == "Body"
    assert before.extractor == after.extractor == EXTRACTOR_VERSION
    assert extract([snap], new, min_words=0) == after  # deterministic: re-extraction is stable
