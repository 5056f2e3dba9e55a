"""PDF → Markdown from a PDF written by the test itself."""

from __future__ import annotations

import pytest
from tests.extract.pdfmaker import make_pdf

from clausewatch.declarations.model import SourceDocument, TermsDeclaration
from clausewatch.extract import EmptyContent, Snapshot, UnreadableDocument, extract, pdf_to_markdown


def test_lines_become_paragraphs_and_gaps_become_wider_breaks() -> None:
    pdf = make_pdf(
        [
            [
                (700, "Terms of Use"),
                (660, "First   line of the first paragraph"),
                (646, "second line of it."),
                (632, "third line of it."),
                (590, "A new paragraph after a gap."),
            ],
            [(700, "Page two text here.")],
        ]
    )
    assert pdf_to_markdown(pdf) == (
        "Terms of Use\n\n\n\nFirst line of the first paragraph\n\nsecond line of it.\n\n"
        "third line of it.\n\n\n\nA new paragraph after a gap.\n\n\n\nPage two text here."
    )


def test_pdf_snapshot_goes_through_extract_by_mime_type() -> None:
    pdf = make_pdf([[(700, " ".join(["word"] * 30))]])
    terms = TermsDeclaration("S", "Privacy Policy", (SourceDocument("https://e.com/p.pdf"),), {})
    result = extract([Snapshot(pdf, "application/pdf", "https://e.com/p.pdf")], terms)
    assert result.markdown == " ".join(["word"] * 30)


def test_pdf_without_text_is_empty_content() -> None:
    with pytest.raises(EmptyContent, match="no text layer"):
        pdf_to_markdown(make_pdf([[]]))


def test_garbage_is_unreadable() -> None:
    with pytest.raises(UnreadableDocument):
        pdf_to_markdown(b"%PDF-1.4 this is not really a pdf")
