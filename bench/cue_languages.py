"""How much of what the English cue phrases claim the German, Italian and Polish cue phrases
claim on the translation of the same sentence: CLAUDETTE-2021's translated terms, aligned
sentence by sentence with their English originals, the working tree's cue files beside those
of a git revision, in one run.

    .venv/bin/python bench/cue_languages.py [DATA_DIR] [--languages de,it,pl] [--base REV]
                                            [--half read|measure|all] [--min-claims N]
                                            [--missed TYPE | --extra TYPE | --added TYPE]
                                            [--limit N]

No set labels German, Italian or Polish provisions by type. But CLAUDETTE-2021 gives the same
documents in four languages, and ``data.aligned_claudette`` pairs the sentences that
translate each other. The English cue phrases are the most read (``cue_tosdr.py``,
``cue_tags.py``, ``cue_audit.py``), so their claim on the English sentence stands in for the
label of its translation. Per language and type the script prints how many English claims
there are, the share the language's own cues also make on the translation (agreement: a
recall against the English reading), and how many claims the language makes where English
makes none (some are right, since the English phrases miss things too, so this is a count to
read, not an error rate). A claim is what ``classify`` makes (``cues.provision_claims``).

The documents are split in two halves by name (every other one, sorted): the read half is the
one cue phrases may be written from; the measure half, scored by default, is the other, whose
sentences nobody reads, and whose agreement says whether an edit carries (``--half all``
scores both). ``--missed TYPE`` lists English claims the language misses, ``--extra TYPE`` the
language's claims without an English one, both from the read half only. ``--added TYPE``
lists the claims the working tree's cues make and REV's do not, on any half, each marked
with whether English claims the original too (``en``) or not (``--``): the claims an edit
adds, to be read for precision (an exclusion written from them can only remove claims, so
it cannot raise the measured agreement). ``--limit`` caps each listing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from clausewatch.classify.cues import provision_claims
from clausewatch.classify.data import aligned_claudette, claudette_documents
from clausewatch.classify.taxonomy import Taxonomy, load_taxonomy
from cue_audit import taxonomy_at
from cue_tosdr import one_line

ROOT = Path(__file__).resolve().parents[1]
HALVES = ("read", "measure", "all")


def halves(documents: list[str]) -> dict[str, list[str]]:
    ordered = sorted(documents)
    return {"read": ordered[0::2], "measure": ordered[1::2], "all": ordered}


Pair = tuple[str, str, set[str], dict[str, set[str]]]
"""(English sentence, translation, English claims, the translation's claims per cue set)."""


def pairs(
    data: Path, documents: list[str], language: str, cue_sets: dict[str, Taxonomy]
) -> list[Pair]:
    english = load_taxonomy().for_language("en")
    out: list[Pair] = []
    for document in documents:
        source, target, aligned = aligned_claudette(data, document, language)
        if not aligned:
            continue
        originals = [source[i].text for i, _ in aligned]
        translations = [target[j].text for _, j in aligned]
        said = provision_claims(originals, english)
        theirs = {
            name: provision_claims(translations, taxonomy.for_language(language))
            for name, taxonomy in cue_sets.items()
        }
        for k, (original, translation) in enumerate(zip(originals, translations, strict=True)):
            out.append(
                (
                    original,
                    translation,
                    set(said[k]),
                    {name: set(found[k]) for name, found in theirs.items()},
                )
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--languages", default="de,it,pl", help="comma-separated codes")
    parser.add_argument("--base", default="HEAD", help="git revision of the baseline cues")
    parser.add_argument("--half", choices=HALVES, default=None, help="documents to score")
    parser.add_argument(
        "--min-claims", type=int, default=10, help="print only types with N English claims"
    )
    listing = parser.add_mutually_exclusive_group()
    listing.add_argument("--missed", metavar="TYPE", help="English claims the language misses")
    listing.add_argument("--extra", metavar="TYPE", help="the language's claims English lacks")
    listing.add_argument("--added", metavar="TYPE", help="claims the edit adds (vs --base)")
    parser.add_argument("--limit", type=int, default=40, help="lines per listing")
    args = parser.parse_args()
    data = Path(args.data)
    if not (data / "claudette-2021").is_dir():
        sys.exit(f"cue_languages: no claudette-2021 folder under {data} (pass the shared data)")
    current = load_taxonomy()
    languages = [code.strip() for code in args.languages.split(",") if code.strip()]
    # A language needs cue phrases and CLAUDETTE-2021's translation of the documents.
    usable = sorted(
        code
        for code in set(current.languages) - {"en"}
        if (data / "claudette-2021" / code / "sentences").is_dir()
    )
    if not languages or any(code not in usable for code in languages):
        sys.exit(
            f"cue_languages: --languages takes languages with cue phrases and a CLAUDETTE-2021 "
            f"translation ({', '.join(usable)}), not {args.languages!r}"
        )
    chosen = args.missed or args.extra or args.added
    if chosen and chosen not in {t.id for t in current.types}:
        sys.exit(f"cue_languages: unknown type {chosen!r} (see `clausewatch taxonomy`)")
    if args.min_claims < 0 or args.limit < 0:
        sys.exit("cue_languages: --min-claims and --limit must not be negative")
    half = args.half or ("read" if chosen else "measure")
    if chosen and not args.added and half != "read":
        sys.exit("cue_languages: listings come from the read half only (--half read)")
    documents = halves(claudette_documents(data))[half]

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        base = taxonomy_at(args.base, Path(folder))
    if chosen:
        what = "missed" if args.missed else "extra" if args.extra else f"added against {args.base}"
        for language in languages:
            print(f"== {language}: {what} {chosen} ({half} half)")
            shown = 0
            for original, translation, said, theirs in pairs(
                data, documents, language, {"ours": current, "base": base}
            ):
                english, ours = chosen in said, chosen in theirs["ours"]
                if args.missed:
                    hit = english and not ours
                elif args.extra:
                    hit = ours and not english
                else:
                    hit = ours and chosen not in theirs["base"]
                if hit and shown < args.limit:
                    mark = "en" if english else "--"
                    print(
                        f"  {mark} {language}: {one_line(translation)}\n     en: {one_line(original)}"
                    )
                    shown += 1
        return

    print(
        f"{', '.join(languages)} cues of the working tree (ours) vs cues at {args.base} (base), "
        f"against the English claims on the aligned original ({half} half: {len(documents)} "
        "CLAUDETTE-2021 documents)"
    )
    for language in languages:
        rows = pairs(data, documents, language, {"ours": current, "base": base})
        english: Counter[str] = Counter()
        agree: dict[str, Counter[str]] = {"ours": Counter(), "base": Counter()}
        extra: dict[str, Counter[str]] = {"ours": Counter(), "base": Counter()}
        for _, _, said, theirs in rows:
            english.update(said)
            for name, found in theirs.items():
                agree[name].update(said & found)
                extra[name].update(found - said)
        print(f"== {language}: {len(rows):,} aligned sentences")
        print(
            f"  {'type':34} {'english':>7}  {'agreement ours (base)':>22}  {'extra ours (base)':>17}"
        )
        types = sorted(english, key=lambda t: (-english[t], t))
        for type_id in types:
            n = english[type_id]
            if n < args.min_claims:
                continue
            share = {name: 100 * agree[name][type_id] / n for name in agree}
            print(
                f"  {type_id:34} {n:7,}  {share['ours']:12.1f}% ({share['base']:5.1f}%)"
                f"  {extra['ours'][type_id]:9,} ({extra['base'][type_id]:5,})"
            )
        total = sum(english.values())
        print(
            f"  all types: {total:,} English claims, agreement "
            f"{100 * sum(agree['ours'].values()) / max(1, total):.1f}% "
            f"({100 * sum(agree['base'].values()) / max(1, total):.1f}%), extra "
            f"{sum(extra['ours'].values()):,} ({sum(extra['base'].values()):,})"
        )
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
