"""Render the demo's HTML pages from their plain-text ``.legal`` sources.

The pages under ``demo/sites`` are what ships; the ``*.legal`` sources beside this module are how
they were written, kept so a clause is edited once instead of in four revisions. The sources are
not package data, so an installed wheel has only the pages.

``python -m clausewatch.demo.sources.render`` rewrites the pages; ``--check`` fails when a
shipped page differs from what its source gives.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from clausewatch.demo.sources.chrome import render_bot_wall, render_page
from clausewatch.demo.sources.legal import parse_source

HERE = Path(__file__).resolve().parent
SITES = HERE.parent / "sites"


def rendered_pages() -> dict[Path, str]:
    """Every page the sources give, by the path it ships at."""
    manifest = json.loads((SITES / "manifest.json").read_text(encoding="utf-8"))
    pages: dict[Path, str] = {}
    for platform in manifest["platforms"]:
        for doc in platform["documents"]:
            source = HERE / platform["slug"] / f"{doc['slug']}.legal"
            parsed = parse_source(source, len(doc["revisions"]))
            for revision in doc["revisions"]:
                target = SITES / platform["slug"] / doc["slug"] / revision["file"]
                if revision["status"] == 403:
                    pages[target] = render_bot_wall(platform, doc, revision["number"])
                else:
                    pages[target] = render_page(platform, doc, parsed, revision["number"])
    return pages


def stale_pages() -> list[Path]:
    return [
        path
        for path, page in rendered_pages().items()
        if not path.exists() or path.read_text(encoding="utf-8") != page
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description="Render the demo pages from their sources.")
    parser.add_argument("--check", action="store_true", help="fail if a page would change")
    args = parser.parse_args()
    stale = stale_pages()
    if args.check:
        if stale:
            print("out of date:\n  " + "\n  ".join(map(str, stale)), file=sys.stderr)
            return 1
        print("pages match their sources")
        return 0
    pages = rendered_pages()
    for target in stale:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(pages[target], encoding="utf-8")
        tmp.replace(target)
    print(f"{len(stale)} pages written")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
