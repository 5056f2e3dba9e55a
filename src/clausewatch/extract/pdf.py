"""PDF → Markdown in the shape OTA records: one paragraph per text line, normalised.

OTA reads PDFs with pdf.js and writes each run of text at a new height as its own paragraph,
with an empty paragraph where pdf.js saw a line break inside a larger vertical gap. We read the
text with pypdfium2 (fast, no system dependencies), rebuild lines from pdfium's text segments,
and reproduce that layout: lines joined by a blank line, paragraph gaps by three.
Whitespace inside a line is normalised (runs of spaces to one, no trailing spaces) so that
re-rendering the same PDF never shows up as a change.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from clausewatch.extract.errors import EmptyContent, UnreadableDocument

_SPACES = re.compile(r"[ \t\xa0]+")
# a vertical gap this many times the usual line pitch starts a new paragraph
PARAGRAPH_GAP = 1.45


def _lines_of_page(page: Any) -> list[tuple[float, float, str]]:
    """(top, height, text) of each visual line, top to bottom, as pdfium orders the text."""
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
        out: list[tuple[float, float, str]] = []
        position = 0
        for raw in text.split("\n"):
            line = raw.rstrip("\r")
            first = position + (len(line) - len(line.lstrip()))
            position += len(raw) + 1
            cleaned = _SPACES.sub(" ", line).strip()
            if not cleaned:
                continue
            _left, bottom, _right, top = textpage.get_charbox(first)
            out.append((top, top - bottom, cleaned))
    finally:
        textpage.close()
    return out


def pdf_to_markdown(content: bytes, *, where: str | None = None) -> str:
    """Markdown of a PDF's text layer; raises if it has none (a scan) or is not a PDF."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(content)
    except Exception as exc:  # pdfium raises PdfiumError for anything it can't open
        raise UnreadableDocument(f"cannot parse the PDF: {exc}", where=where) from exc
    try:
        pages = [_lines_of_page(document[i]) for i in range(len(document))]
    finally:
        document.close()
    parts: list[str] = []
    for lines in pages:
        lines = [line for line in lines if line[2]]
        if not lines:
            continue
        pitches = [a[0] - b[0] for a, b in itertools.pairwise(lines) if a[0] > b[0]]
        pitch = sorted(pitches)[len(pitches) // 4] if pitches else 0.0
        previous_top: float | None = None
        for top, _height, text in lines:
            if parts:
                gap = (previous_top - top) if previous_top is not None else None
                big = gap is None or (pitch > 0 and gap > PARAGRAPH_GAP * pitch) or gap < 0
                parts.append("\n\n\n\n" if big else "\n\n")
            parts.append(text)
            previous_top = top
    markdown = "".join(parts).strip()
    if not markdown:
        raise EmptyContent(
            "the PDF has no text layer (it may be scanned images of text)", where=where
        )
    return markdown
