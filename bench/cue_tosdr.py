"""How well the English cue phrases find what ToS;DR's contributors quoted: recall and a
precision floor of the explicit claims per provision type, against the type each quoted
point's case maps to, the working tree's cue files beside those of a git revision, in one run.

    .venv/bin/python bench/cue_tosdr.py [DATA_DIR] [--base REV] [--min-quotes N]
                                        [--missed TYPE | --false TYPE | --held-out]

A ToS;DR point is a quote from a service's document under a case title ("Your personal data
is given to third parties"); ``provision_types.yaml`` maps about 150 case titles to 38 of the
taxonomy's types (``tosdr:``). That makes the quotes a labelled set for those types, beside
CLAUDETTE's tags (``cue_tags.py``), which cover eight. Recall is the share of a type's quotes
its cues claim. The precision figure counts a claim on a quote mapped to another type as
wrong, which it often is not (a quote may state several things, and many powers are quoted
under one case only), so it is a floor.

Only the services the ToS;DR evaluation trains on are read: the held-out fifth
(``classify_eval.tosdr_held_out``) stays out, so that writing cue phrases from these listings
cannot teach anything about the services on which ``classify_eval.py`` scores type accuracy.
Both cue sets run through the working tree's matching code; only the YAML files come from REV
(default ``HEAD``); the case-to-type mapping is the working tree's for both. Each quote's
claims are those ``classify`` would make (``cue_audit.claims``).

``--missed TYPE`` lists the type's quotes its cues do not claim; ``--false TYPE`` lists its
claims on quotes mapped to another type, with that type. ``--held-out`` scores the held-out
services instead: the figure that says whether an edit written from the listings carries to
services nobody read (it prints no listing).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from classify_eval import tosdr_held_out
from clausewatch.classify.data import ToSDRPoint, load_tosdr
from clausewatch.classify.taxonomy import Taxonomy, load_taxonomy
from cue_audit import ROOT, taxonomy_at
from cue_audit import claims as cue_claims
from cue_tags import percent


def claims(points: list[ToSDRPoint], taxonomy: Taxonomy) -> list[set[str]]:
    """The types each quote's English cues claim."""
    found = cue_claims([p.quote for p in points], taxonomy.for_language("en"))
    return [set(matches) for matches in found]


def score(gold: list[str], said: list[set[str]]) -> dict[str, tuple[int, int, int]]:
    """Per type: (quotes of the type it claims, quotes of the type, claims on mapped quotes)."""
    both: Counter[str] = Counter()
    quotes: Counter[str] = Counter(gold)
    made: Counter[str] = Counter()
    for g, types in zip(gold, said, strict=True):
        both[g] += g in types
        made.update(types)
    return {t: (both[t], quotes[t], made[t]) for t in quotes}


def one_line(text: str, width: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--base", default="HEAD", help="git revision of the baseline cues")
    parser.add_argument(
        "--min-quotes", type=int, default=1, help="print only types with at least N quotes"
    )
    listing = parser.add_mutually_exclusive_group()
    listing.add_argument("--missed", metavar="TYPE", help="the type's quotes its cues miss")
    listing.add_argument("--false", metavar="TYPE", help="its claims on other types' quotes")
    listing.add_argument(
        "--held-out", action="store_true", help="score the held-out services (no listings)"
    )
    args = parser.parse_args()
    data = Path(args.data)
    if not (data / "tosdr" / "points.jsonl").is_file():
        sys.exit(f"cue_tosdr: no tosdr/points.jsonl under {data} (pass the shared data folder)")
    if args.min_quotes < 1:
        sys.exit(f"cue_tosdr: --min-quotes must be at least 1, not {args.min_quotes}")
    current = load_taxonomy()
    by_case = current.by_tosdr_case()
    chosen = args.missed or args.false
    if chosen and chosen not in {t.id for t in current.types}:
        sys.exit(f"cue_tosdr: unknown type {chosen!r} (see `clausewatch taxonomy`)")
    points = [
        p
        for p in load_tosdr(data)
        if tosdr_held_out(p.service) == args.held_out and p.case.strip() in by_case
    ]
    gold = [by_case[p.case.strip()] for p in points]
    if chosen:
        ours = claims(points, current)
        for point, g, types in zip(points, gold, ours, strict=True):
            if args.missed and g == chosen and chosen not in types:
                print(f"  [{point.service}] ({point.case.strip()}) {one_line(point.quote)}")
            if args.false and g != chosen and chosen in types:
                print(f"  [{point.service}] {g}: {one_line(point.quote)}")
        return

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        base = taxonomy_at(args.base, Path(folder))
    new, old = score(gold, claims(points, current)), score(gold, claims(points, base))
    services = len({p.service for p in points})
    print(f"English cues of the working tree (ours) vs cues at {args.base} (base), against")
    which = "only the held-out services" if args.held_out else "held-out services left out"
    print(
        f"{len(points):,} ToS;DR quotes of {services:,} services whose case maps to a type"
        f" ({which})"
    )
    print(f"  {'type':34} {'quotes':>6}  {'recall ours (base)':>19}  {'precision floor':>16}")
    for type_id in sorted(new, key=lambda t: (-new[t][1], t)):
        (b1, n, s1), (b0, _, s0) = new[type_id], old[type_id]
        if n < args.min_quotes:
            continue
        print(
            f"  {type_id:34} {n:6,}  {percent(b1, n):>9} ({percent(b0, n).strip():>5})"
            f"  {percent(b1, s1):>7} ({percent(b0, s0).strip():>5})"
        )
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
