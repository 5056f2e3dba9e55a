"""How well the cue phrases of each language find what CLAUDETTE-2021's annotators tagged:
recall and precision of the explicit claims against the tags, per category and language, the
working tree's cue files beside those of a git revision (the baseline), in one run.

    .venv/bin/python bench/cue_tags.py [DATA_DIR] [--base REV] [--languages en,de,it,pl]
                                       [--gaps | --false | --missed LANG CATEGORY]

CLAUDETTE-2021 tags nine categories on every sentence of 50 terms of service, in English and
in German, Italian and Polish translations of the same sentences. A cue claim counts for a
category when its type maps to it (``claudette:`` in ``provision_types.yaml``); a sentence
counts as tagged whatever the fairness degree (1 fair, 2-3 unfair), since the cues state what
a clause does, not whether it is fair. The tags are a labelled set for the eight CLAUDETTE
categories only, so the figures say nothing about the other types' cues.

Only the documents the shipped models train on are read: the five services of the UNFAIR-ToS
test split (Amazon, Snap, LinkedIn, Uber, Evernote) and the ten services of UNFAIR-ToS dev stay
out, so that reading these figures while writing cue phrases cannot teach anything about the
never-seen sets that ``classify_eval.py`` scores. Both cue sets run through the working
tree's matching code; only the YAML files come from REV (default ``HEAD``).

``--gaps LANG CATEGORY`` lists the tagged sentences of LANG whose English original (aligned
sentence by sentence, ``classify.align``) is claimed for CATEGORY by the English cues while
LANG's cues claim nothing for it: the wording a translation of the cue phrases missed.
``--false LANG CATEGORY`` lists LANG's claims for CATEGORY on sentences without that tag, and
``--missed LANG CATEGORY`` the sentences with that tag that LANG's cues do not claim for it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from clausewatch.classify.data import (
    CLAUDETTE_KEYS,
    UNFAIR_DEV_SERVICES,
    LabelledSentence,
    aligned_claudette,
    claudette_documents,
    is_forbidden,
    load_claudette,
)
from clausewatch.classify.taxonomy import Taxonomy, load_taxonomy
from cue_audit import ROOT, taxonomy_at
from cue_audit import claims as cue_claims


def claimed(rows: list[LabelledSentence], taxonomy: Taxonomy) -> list[set[str]]:
    """The CLAUDETTE categories each sentence's cue claims map to."""
    category = {t.id: t.claudette for t in taxonomy.types}
    found = cue_claims([r.text for r in rows], taxonomy)
    return [{c for type_id in matches for c in category[type_id]} for matches in found]


def score(rows: list[LabelledSentence], claims: list[set[str]]) -> dict[str, tuple[int, int, int]]:
    """Per category: (tagged and claimed, tagged, claimed)."""
    both: Counter[str] = Counter()
    tagged: Counter[str] = Counter()
    said: Counter[str] = Counter()
    for row, cats in zip(rows, claims, strict=True):
        for c in CLAUDETTE_KEYS:
            t, s = c in row.degrees, c in cats
            tagged[c] += t
            said[c] += s
            both[c] += t and s
    return {c: (both[c], tagged[c], said[c]) for c in CLAUDETTE_KEYS}


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}" if whole else "    -"


def gaps(
    data: Path, documents: list[str], taxonomy: Taxonomy, language: str, category: str
) -> None:
    english, other = taxonomy.for_language("en"), taxonomy.for_language(language)
    shown = missed = 0
    for doc in documents:
        source, target, pairs = aligned_claudette(data, doc, language)
        en_claims = claimed([source[i] for i, _ in pairs], english)
        lang_claims = claimed([target[j] for _, j in pairs], other)
        for (_, j), a, b in zip(pairs, en_claims, lang_claims, strict=True):
            if category in target[j].degrees and category in a:
                shown += 1
                if category not in b:
                    missed += 1
                    print(f"  [{doc}] {target[j].text}")
    print(
        f"{language} {category}: the English cues claim {shown:,} tagged aligned sentences; "
        f"the {language} cues miss {missed:,} of them"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--base", default="HEAD", help="git revision of the baseline cues")
    parser.add_argument("--languages", default="en,de,it,pl", help="comma-separated")
    parser.add_argument("--gaps", nargs=2, metavar=("LANG", "CATEGORY"))
    parser.add_argument("--false", nargs=2, metavar=("LANG", "CATEGORY"))
    parser.add_argument("--missed", nargs=2, metavar=("LANG", "CATEGORY"))
    args = parser.parse_args()
    data = Path(args.data)
    if not (data / "claudette-2021").is_dir():
        sys.exit(f"cue_tags: no claudette-2021/ folder under {data} (pass the shared data folder)")
    current = load_taxonomy()
    for option in (args.gaps, args.false, args.missed):
        if option and option[0] not in current.languages:
            sys.exit(f"cue_tags: no cue phrases for language {option[0]!r}")
        if option and option[1] not in CLAUDETTE_KEYS:
            sys.exit(
                f"cue_tags: unknown category {option[1]!r}; one of {', '.join(CLAUDETTE_KEYS)}"
            )
    documents = [d for d in claudette_documents(data) if not is_forbidden(d, UNFAIR_DEV_SERVICES)]
    if args.gaps:
        gaps(data, documents, current, *args.gaps)
        return
    for option, want_tag in ((args.false, False), (args.missed, True)):
        if option:
            language, category = option
            rows = load_claudette(data, documents, lang=language)
            claims = claimed(rows, current.for_language(language))
            for row, cats in zip(rows, claims, strict=True):
                if (category in cats) != want_tag and (category in row.degrees) == want_tag:
                    print(f"  [{row.service}] {row.text}")
            return

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        base = taxonomy_at(args.base, Path(folder))
    print(f"cues of the working tree (ours) vs cues at {args.base} (base), against the tags of")
    print(f"{len(documents)} CLAUDETTE-2021 documents (test-split and dev services left out)")
    for language in args.languages.split(","):
        if language not in current.languages:
            sys.exit(f"cue_tags: no cue phrases for language {language!r}")
        rows = load_claudette(data, documents, lang=language)
        ours = score(rows, claimed(rows, current.for_language(language)))
        theirs = score(rows, claimed(rows, base.for_language(language)))
        print(f"== {language}: {len(rows):,} sentences")
        print(
            f"  {'category':26} {'tagged':>6}  {'recall ours (base)':>19}  {'precision ours (base)':>22}"
        )
        for c in CLAUDETTE_KEYS:
            (b1, t, s1), (b0, _, s0) = ours[c], theirs[c]
            print(
                f"  {c:26} {t:6,}  {percent(b1, t):>9} ({percent(b0, t).strip():>5})"
                f"  {percent(b1, s1):>12} ({percent(b0, s0).strip():>5})"
            )
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
