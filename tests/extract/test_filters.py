"""Service filters run for real in Chromium on the snapshot's DOM (filters defined here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from clausewatch.declarations.model import SourceDocument, TermsDeclaration
from clausewatch.extract import FilterFailed, FilterUnavailable, Snapshot, extract
from clausewatch.extract.filters import chromium_available, exported_names

FILTERS = """
export function dropBanners(document) {
  document.querySelectorAll('.banner').forEach(node => node.remove());
}

export async function stampSelector(document, { select, fetch }) {
  const note = document.createElement('p');
  note.textContent = `selected ${select} from ${fetch}`;
  document.querySelector(select).appendChild(note);
}

export function broken(document) {
  throw new Error('boom');
}
"""

PAGE = """<!DOCTYPE html><html><body><main>
<p class="banner">Cookie banner</p>
<p>These terms apply to every user of the service in every country where it is offered today.</p>
<script>document.querySelector('main').innerHTML = 'page scripts must not run';</script>
</main></body></html>"""

URL = "https://example.com/tos"


def _run(tmp_path: Path, names: tuple[str, ...]) -> str:
    filters = tmp_path / "Example.filters.js"
    filters.write_text(FILTERS)
    source = SourceDocument(URL, ("main",), (), names)
    terms = TermsDeclaration("Example", "Terms of Service", (source,), {})
    snap = Snapshot(PAGE.encode(), "text/html", URL)
    return extract([snap], terms, filters_file=filters).markdown


def test_exported_names_are_read_statically() -> None:
    assert exported_names(FILTERS) == {"dropBanners", "stampSelector", "broken"}


def test_missing_filter_names_are_reported(tmp_path: Path) -> None:
    with pytest.raises(FilterUnavailable, match="notThere"):
        _run(tmp_path, ("dropBanners", "notThere"))


@pytest.mark.browser
def test_filters_run_in_chromium_in_order(tmp_path: Path) -> None:
    if not chromium_available():
        pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium")
    out = _run(tmp_path, ("dropBanners", "stampSelector"))
    assert out == (
        "These terms apply to every user of the service in every country where it is offered "
        "today.\n\nselected main from https://example.com/tos"
    )


@pytest.mark.browser
def test_a_failing_filter_is_reported_by_name(tmp_path: Path) -> None:
    if not chromium_available():
        pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium")
    with pytest.raises(FilterFailed, match='"broken" failed'):
        _run(tmp_path, ("broken",))
